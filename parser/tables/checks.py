"""Integrity rules of the standard tables, checked on the numbers as printed.

Every rule is a `Check(rule, ok, detail, values)`; numbers are never changed. A rule is
evaluated only over cells the table prints: a cell that is missing, a dash or unreadable
makes that one instance impossible to check. Such instances are not reported one by one
(they would drown the real failures); one `table.checks_skipped` check (ok=True) per
document lists them, with the missing keys. Blank cells count as 0 where the layout says the
template instructs zero (table 三), so a blank 总计 beside filled parts fails the sum rule.
"""

from __future__ import annotations

from parser.model import Check, Fact, Number
from parser.tables.layout import load_layouts

COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
           "other_org")
ALL_COLUMNS = (*COLUMNS, "total")
RESULT_ROWS = (
    "results.disclosed",
    "results.partial",
    "results.withheld.state_secret",
    "results.withheld.law_prohibited",
    "results.withheld.security_stability",
    "results.withheld.third_party",
    "results.withheld.internal_affairs",
    "results.withheld.process_info",
    "results.withheld.enforcement_file",
    "results.withheld.admin_query",
    "results.unavailable.not_held",
    "results.unavailable.needs_creation",
    "results.unavailable.unclear",
    "results.not_processed.petition",
    "results.not_processed.duplicate",
    "results.not_processed.publication",
    "results.not_processed.mass_repeat",
    "results.not_processed.confirm_reissue",
)
OTHER_SPLIT = ("results.other.no_correction", "results.other.fee_unpaid", "results.other.other")
TABLE3_ROWS = ("applications.new", "applications.carried_over", *RESULT_ROWS,
               "results.other.total", *OTHER_SPLIT, "results.total",
               "applications.carried_forward")
TABLE4_GROUPS = ("review", "litigation.direct", "litigation.after_review")


def _numbers(facts: list[Fact]) -> dict[str, Number | None]:
    """key -> number for the checks: value; blank as 0 where the template says so; else None."""
    layouts = load_layouts()
    out: dict[str, Number | None] = {}
    for f in facts:
        if f.method != "table" or f.key is None or f.key in out:
            continue
        if f.status in ("value", "zero_word"):
            out[f.key] = f.value
        elif f.status == "blank" and f.table in layouts and layouts[f.table].blank_as_zero:
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
        split = any(k.startswith(OTHER_SPLIT) for k in nums)
        other = list(OTHER_SPLIT) if split else ["results.other.total"]
        for c in ALL_COLUMNS:
            r.equal("table3.balance",
                    [f"applications.new.{c}", f"applications.carried_over.{c}"],
                    [f"results.total.{c}", f"applications.carried_forward.{c}"],
                    f"column {c}")
            r.equal("table3.results_sum",
                    [f"results.total.{c}"],
                    [f"{row}.{c}" for row in (*RESULT_ROWS, *other)],
                    f"column {c}")
        for row in TABLE3_ROWS:
            if not any(k.startswith(row + ".") for k in nums):
                continue
            r.equal("table3.total_column", [f"{row}.total"], [f"{row}.{c}" for c in COLUMNS],
                    f"row {row}")
    if present & {"review", "litigation"}:
        for g in TABLE4_GROUPS:
            r.equal("table4.group_total", [f"{g}.total"],
                    [f"{g}.{o}" for o in ("upheld", "corrected", "other", "pending")],
                    f"group {g}")
    checks = r.checks
    if r.skipped:
        checks.append(Check(
            "table.checks_skipped", True,
            f"{len(r.skipped)} check(s) not evaluated for missing, dash or unreadable cells: "
            + "; ".join(r.skipped),
            {"missing": sorted(r.missing)},
        ))
    return checks
