"""Integrity rules of the standard tables, checked on the numbers as printed.

Every rule is a `Check(rule, ok, detail, values)`; numbers are never changed. A rule is
evaluated only over cells the table prints: a cell that is missing, a dash or unreadable
makes that one instance impossible to check. Such instances are not reported one by one
(they would drown the real failures); one `table.checks_skipped` check (ok=True) per
document lists them, with the missing keys. Blank cells count as 0 where the layout says the
template instructs zero (table 三's applicant columns); a blank 总计 is missing, not 0.
"""

from __future__ import annotations

import itertools
from functools import cache

from parser.model import Check, Fact, Number
from parser.tables.layout import blank_reads_zero, load_layouts

TOTAL_ROW = "results.total"  # （七）总计
OTHER_ROW = "results.other.total"  # （六）其他处理 as one row
TABLE4_OUTCOMES = ("upheld", "corrected", "other", "pending")


@cache
def _table3() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """From the layout: (applicant columns, result rows （一）–（五）, （六）'s sub-rows,
    every row with a key)."""
    layout = load_layouts()["三"]
    parents = {r.id: r.parent for r in layout.rows("v2021")}

    def under_results(row_id: str | None) -> bool:
        while row_id is not None:
            if row_id == "results":
                return True
            row_id = parents.get(row_id)
        return False

    cols = tuple(c.id for c in layout.columns("v2021") if c.id != "total")
    rows = layout.rows("v2021")
    split = tuple(r.key for r in rows if r.versions and r.key)
    split_parents = {r.parent for r in rows if r.versions}
    results = tuple(r.key for r in rows if r.key and under_results(r.parent)
                    and r.key not in (TOTAL_ROW, OTHER_ROW) and r.key not in split
                    and r.id not in split_parents)
    every = tuple(r.key for r in layout.rows("v2019") if r.key) + split
    return cols, results, split, every


def _numbers(facts: list[Fact]) -> dict[str, Number | None]:
    """key -> number for the checks: value; blank as 0 where the template says so; else None."""
    out: dict[str, Number | None] = {}
    for f in facts:
        if not f.is_cell or f.key is None or f.key in out:
            continue
        if f.status in ("value", "zero_word"):
            out[f.key] = f.value
        elif f.status == "blank" and blank_reads_zero(f.key):
            out[f.key] = 0
        else:
            out[f.key] = None
    return out


class _Rules:
    def __init__(self, nums: dict[str, Number | None]) -> None:
        self.nums = nums
        self.checks: list[Check] = []
        self.skipped: list[str] = []
        self.missing: set[str] = set()

    def equal(self, rule: str, left: list[str], right: list[str], what: str) -> None:
        keys = left + right
        absent = [k for k in keys if self.nums.get(k) is None]
        if absent:
            self.skipped.append(f"{rule} {what}")
            self.missing.update(absent)
            return
        lsum = sum(self.nums[k] or 0 for k in left)
        rsum = sum(self.nums[k] or 0 for k in right)
        ok = abs(lsum - rsum) < 1e-6
        detail = (f"{what}: {' + '.join(left)} = {_fmt(lsum)} "
                  f"{'=' if ok else '≠'} {' + '.join(right)} = {_fmt(rsum)}")
        self.checks.append(Check(rule, ok, detail, {k: self.nums[k] for k in keys}))


def _fmt(n: Number) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def table_checks(facts: list[Fact]) -> list[Check]:
    """All integrity checks over a document's table facts (only tables that were found)."""
    nums = _numbers(facts)
    r = _Rules(nums)
    present = {k.split(".")[0] for k in nums}
    if present & {"applications", "results"}:
        cols, results, split_rows, every_row = _table3()
        split = any(k.startswith(split_rows) for k in nums)
        other = list(split_rows) if split else [OTHER_ROW]
        for c in (*cols, "total"):
            r.equal("table3.balance",
                    [f"applications.new.{c}", f"applications.carried_over.{c}"],
                    [f"{TOTAL_ROW}.{c}", f"applications.carried_forward.{c}"],
                    f"column {c}")
            r.equal("table3.results_sum",
                    [f"{TOTAL_ROW}.{c}"],
                    [f"{row}.{c}" for row in (*results, *other)],
                    f"column {c}")
        # every dotted prefix of a key present: "row is printed" without a scan per row
        prefixes = set()
        for k in nums:
            i = k.find(".")
            while i >= 0:
                prefixes.add(k[:i])
                i = k.find(".", i + 1)
        for row in every_row:
            if row not in prefixes:
                continue
            r.equal("table3.total_column", [f"{row}.total"], [f"{row}.{c}" for c in cols],
                    f"row {row}")
    if present & {"review", "litigation"}:
        for g in load_layouts()["四"].groups:
            r.equal("table4.group_total", [f"{g.id}.total"],
                    [f"{g.id}.{o}" for o in TABLE4_OUTCOMES],
                    f"group {g.id}")
    checks = r.checks
    if r.skipped:
        checks.append(Check(
            "table.checks_skipped", True,
            f"{len(r.skipped)} check(s) not evaluated for missing, dash or unreadable cells: "
            + "; ".join(r.skipped),
            {"missing": sorted(r.missing)},
        ))
    return checks


# --- the legacy statistics table (统计表) -----------------------------------------------------
#
# Rules of the form itself, on the cells as printed (the parser never changes them):
#   legacy_table.year_le_cumulative  本年度 ≤ 历年累计 (and 本年累计) in every row;
#   legacy_table.parts_sum           the 其中 parts add up to their total where the form lists
#                                    every part (channels of requests, kinds of replies …);
#   legacy_table.part_le_total       each part is at most its total where parts may overlap;
#   legacy_table.unplaced_cells      cells that could not be read with certainty (unread);
#   legacy_table.checks_skipped      (ok) rules not evaluated, and why.

_ROLE_ORDER = {"year": 0, "year_to_date": 1, "cumulative": 2}


def statistics_checks(results: list) -> list[Check]:
    """Checks of every statistics table (parser.tables.statistics.StatResult objects)."""
    checks: list[Check] = []
    for res in results:
        checks += _statistics_table_checks(res)
    return checks


def _statistics_table_checks(res) -> list[Check]:
    checks: list[Check] = []
    headers = dict(res.table.columns)
    unplaced = [f for f in res.facts if f.status == "unreadable" or (
        f.key is None and (f.note or "").startswith("row label names no row"))]
    detail = f"统计表 ({res.table.source}, {len(res.table.rows)} rows): "
    if unplaced or res.problems:
        reasons = sorted({f"{f.row}: {f.note}" for f in unplaced})
        detail += f"{len(unplaced)} cell(s) not read: " + "; ".join(reasons + res.problems)
    else:
        detail += f"all {len(res.facts)} cells read"
    if res.empty:
        detail += f"; {len(res.empty)} row(s) print no number: " + ", ".join(res.empty[:20])
    checks.append(Check(
        "legacy_table.unplaced_cells", not unplaced and not res.problems, detail,
        {"unplaced": [f"{f.row} | {f.raw}" for f in unplaced[:50]], "cells": len(res.facts)}))
    bad, evaluated = [], 0
    for i, nums in enumerate(res.numbers):
        ranked = sorted((_ROLE_ORDER[r], r, v) for r, v in nums.items() if v is not None)
        for (ra, a_role, a), (rb, b_role, b) in itertools.pairwise(ranked):
            if ra < rb:
                evaluated += 1
                if a > b + 1e-9:
                    bad.append((i, a_role, a, b_role, b))
    if evaluated:
        checks.append(Check(
            "legacy_table.year_le_cumulative", not bad,
            "本年度 ≤ 历年累计 in every row" if not bad else "; ".join(
                f"{res.table.rows[i].label}: {headers[ar]} {_fmt(a)} > {headers[br]} {_fmt(b)}"
                for i, ar, a, br, b in bad),
            {res.row_name(i): [a, b] for i, _, a, _, b in bad}))
    skipped = list(res.skipped)
    for g in res.groups:
        found = _group_checks(res, g, headers)
        checks += found
        if not found:
            skipped.append(f"{g.name}: a blank, dash or unread cell among them")
    if skipped:
        checks.append(Check("legacy_table.checks_skipped", True, "; ".join(skipped)))
    return checks


def _group_checks(res, g, headers: dict[str, str]) -> list[Check]:
    rows = res.table.rows
    rule = "legacy_table.parts_sum" if g.rule == "sum" else "legacy_table.part_le_total"
    lines, values, ok, evaluated = [], {}, True, False
    for role, header in headers.items():
        total = res.numbers[g.total].get(role)
        parts = [res.numbers[p].get(role) for p in g.parts]
        if total is None or (g.rule == "sum" and any(v is None for v in parts)):
            continue
        evaluated = True
        values[res.row_name(g.total) + (f" ({header})" if role != "year" else "")] = total
        for p, v in zip(g.parts, parts, strict=True):
            if v is not None:
                values[res.row_name(p) + (f" ({header})" if role != "year" else "")] = v
        if g.rule == "sum":
            s = sum(v for v in parts if v is not None)
            holds = abs(s - total) < 1e-6
            lines.append(f"{header}: " + " + ".join(
                f"{rows[p].label} {_fmt(v)}" for p, v in zip(g.parts, parts, strict=True))
                + f" = {_fmt(s)} {'=' if holds else '≠'} {rows[g.total].label} {_fmt(total)}")
        else:
            over = [(p, v) for p, v in zip(g.parts, parts, strict=True)
                    if v is not None and v > total + 1e-9]
            holds = not over
            lines.append(f"{header}: " + ("every part ≤ " if holds else "; ".join(
                f"{rows[p].label} {_fmt(v)} > " for p, v in over))
                + f"{rows[g.total].label} {_fmt(total)}")
        ok = ok and holds
    if not evaluated:
        return []
    return [Check(rule, ok, "; ".join(lines), values)]
