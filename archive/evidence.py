"""SQL that puts a value's evidence beside it: the sentence it was read from, or for a table
cell "表三：row label × column label = printed number", and a link to the report page at that
fact (`/-/xxgk/report/<id>?fact=<seq>#xxgk-highlight`, where the page highlights it).

A value of `report_indicator_values` comes from one fact of its report with the same key (the
first stated; table over prose) or was derived from several (its `note` says how). The writer
stores that fact's seq beside the value (`fact_seq`; `unstated_seq` for a key that only a blank
or dash cell gives), so a query pays one lookup by primary key per value it shows.
"""

from __future__ import annotations

REPORT_PATH = "/-/xxgk/report/"


def fact_text(f: str = "f") -> str:
    """The evidence of fact alias `f`, as a reader checks it."""
    return (
        f"case when {f}.method = 'table' then case when {f}.table_name in ('二', '三', '四')"
        f" then '表' || {f}.table_name else coalesce({f}.table_name, '表') end || '：'"
        f" || coalesce({f}.row_label, '') || ' × ' || coalesce({f}.column_label, '') || ' = '"
        f" || coalesce({f}.raw, case {f}.status when 'blank' then '（空白）'"
        f" when 'dash' then '-' end, '') else {f}.evidence end"
    )


def fact_seq(report: str, key: str, stated: bool = True) -> str:
    """The seq of the fact a value of `key` in `report` was read from: the values' own rule
    (a table cell before prose, then the first stated), among facts with a number when
    `stated`, else also a blank or dash cell of the key when no fact states a number.

    Stored by the writer beside the value (archive/storage.py `fact_sources`): one lookup by
    the values' primary key, where a min() over the report's facts by key needed an index on
    every fact's key."""
    col = "v0.fact_seq" if stated else "coalesce(v0.fact_seq, v0.unstated_seq)"
    return f"(select {col} from value_rows v0 where {value_row('v0', report, key)})"


def key_id(key: str) -> str:
    """The `strings` id of a key (an SQL expression). For a literal key SQLite evaluates it once
    per statement, so a wide view's value lookups are primary-key lookups on `value_rows`."""
    return f"(select id from strings where text = {key})"


def value_row(alias: str, report: str, key: str) -> str:
    """WHERE clause of the value row of `key` in `report` (archive/storage.py value_rows)."""
    return f"{alias}.report_id = {report} and {alias}.key_id = {key_id(key)}"


def link(report: str, seq: str) -> str:
    """Path of the report page at a fact (or at its top when `seq` is null)."""
    return (
        f"'{REPORT_PATH}' || {report} || coalesce('?fact=' || {seq} || '#xxgk-highlight', '')"
    )


def value_evidence(report: str, key: str, note: str | None = None) -> str:
    """Evidence text of a stated value: its fact, else the note on how it was derived."""
    text = (f"(select {fact_text('f1')} from facts f1 where f1.report_id = {report}"
            f" and f1.seq = {fact_seq(report, key)})")
    if note:
        text = f"coalesce({text}, '由其他数字推算：' || {note})"
    return text
