"""SQL that puts a value's evidence beside it: the sentence it was read from, or for a table
cell "表三：row label × column label = printed number", and a link to the report page at that
fact (`/-/xxgk/report/<id>?fact=<seq>#xxgk-highlight`, where the page highlights it).

A value of `report_indicator_values` comes from one fact of its report with the same key (the
first stated; table over prose) or was derived from several (its `note` says how). The fact is
found by index (`facts (key, report_id)`), so a query pays one short lookup per value it shows.
"""

from __future__ import annotations

REPORT_PATH = "/-/xxgk/report/"


def fact_text(f: str = "f") -> str:
    """The evidence of fact alias `f`, as a reader checks it."""
    return (
        f"case when {f}.method = 'table' then '表' || coalesce({f}.table_name, '') || '：'"
        f" || coalesce({f}.row_label, '') || ' × ' || coalesce({f}.column_label, '') || ' = '"
        f" || coalesce({f}.raw, case {f}.status when 'blank' then '（空白）'"
        f" when 'dash' then '-' end, '') else {f}.evidence end"
    )


def fact_seq(report: str, key: str, value: str | None = None) -> str:
    """The seq of the fact a value (of `key` in `report`) was read from, or of the first fact
    with that key (a blank cell, a dash) when there is no value."""
    # (SQLite resolves a subquery's ORDER BY without the outer query's columns: the value
    # match is a WHERE of its own, then any fact with the key.)
    def pick(extra: str) -> str:
        return (f"(select f0.seq from facts f0 where f0.key = {key} and f0.report_id = {report}"
                f"{extra} order by f0.method = 'table' desc, f0.seq limit 1)")
    if value is None:
        return pick("")
    return f"coalesce({pick(f' and f0.value = {value}')}, {pick('')})"


def link(report: str, seq: str) -> str:
    """Path of the report page at a fact (or at its top when `seq` is null)."""
    return (
        f"'{REPORT_PATH}' || {report} || coalesce('?fact=' || {seq} || '#xxgk-highlight', '')"
    )


def value_evidence(report: str, key: str, value: str, note: str | None = None) -> str:
    """Evidence text of one value: its fact, else the note on how it was derived."""
    text = (f"(select {fact_text('f1')} from facts f1 where f1.report_id = {report}"
            f" and f1.seq = {fact_seq(report, key, value)})")
    if note:
        text = f"coalesce({text}, '由其他数字推算：' || {note})"
    return text
