"""Integrity rules of the standard tables, checked on the numbers as printed.

Every rule is a `Check(rule, ok, detail, values)`; numbers are never changed. A rule is
evaluated only over cells the table prints: a cell that is missing, a dash or unreadable
makes that one instance impossible to check. Such instances are not reported one by one
(they would drown the real failures); one `table.checks_skipped` check (ok=True) per
document lists them, with the missing keys. Blank cells count as 0 where the layout says the
template instructs zero (table 三's applicant columns); a blank 总计 is missing, not 0.
"""

from __future__ import annotations

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
