"""Which cut of a flattened run is the table's: the arithmetic of tables 三 and 四 (二 has none).

* table 三, every row: 总计 = the sum of the six applicant columns;
* table 三, every column: （七）总计 = the sum of the result rows, and
  新收 + 上年结转 = 总计 + 结转下年度 (and in v2021 （六） = its three sub-rows where printed);
* table 四: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结;
* table 二: no rule relates its cells, so a row counts only when it splits one way.

Every combination of row splits (flat_split.py) is checked against every rule; a
`SplitResult` is "unique" only when exactly one survives, with the counts that prove it, and
otherwise says why not (a document that breaks a rule gives "no_solution", not a
repaired table). This module is apart from the text: it takes digit runs and returns
numbers, so the rules can be read (and tested) without offsets, labels or facts.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from parser.tables.flat_split import SplitLimitError, fits, split_row
from parser.tables.layout import ColDef
from xxgk.settings import FLATTENED_MAX_COMBINATIONS

COLUMNS_3 = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
GROUPS_4 = ("review", "litigation.direct", "litigation.after_review")
COLUMNS_4 = ("upheld", "corrected", "other", "pending", "total")
_OTHER_SUBS = ("results.other.no_correction", "results.other.fee_unpaid", "results.other.other")


@dataclass
class SplitResult:
    """The outcome of splitting one flattened table.

    status: "unique" (values hold the one solution), "ambiguous" (several combinations
    satisfy every rule; `fixed` holds the rows that are the same in all of them, when the
    search was complete), "no_solution" (no combination satisfies the rules: the document
    breaks one, or a run is not what it seems), or "gave_up" (a search cap was reached).
    For no_solution and gave_up, `fixed` holds only rows that one rule inside the row fixes
    (table 三: one cut whose 总计 is the sum of the row), so they stay placeable whatever rule
    across rows the document breaks.
    """

    status: str
    values: dict[str, list[int | float]] = field(default_factory=dict)
    fixed: dict[str, list[int | float]] = field(default_factory=dict)
    candidates: dict[str, int] = field(default_factory=dict)
    solutions: int = 0
    proof: str = ""
    reason: str = ""

    @property
    def unique(self) -> bool:
        return self.status == "unique"


def _num(cell: str) -> int | float:
    return float(cell) if "." in cell else int(cell)


def _counts(splits: list[list[str]]) -> list[list[str]]:
    """Splits whose every cell is a whole count (tables 三 and 四 print no sign, no fraction)."""
    return [s for s in splits if all(c.isdigit() for c in s)]


def row_candidates(run: str, ncols: int, row_sum: bool) -> list[list[int | float]]:
    """Splits of a row as numbers; with `row_sum`, only those whose last cell is the sum."""
    cands = [[_num(c) for c in split] for split in _counts(split_row(run, ncols))]
    if row_sum:
        cands = [c for c in cands if c[-1] == sum(c[:-1])]
    return cands

# --- table 三 ----------------------------------------------------------------------------


def solve_table3(rows: dict[str, str]) -> SplitResult:
    """Split table 三's rows (row key -> digit run) using every rule of the table.

    Row keys are the indicator prefixes: applications.new, applications.carried_over,
    results.disclosed, results.partial, results.withheld.*, results.unavailable.*,
    results.not_processed.*, results.other.total or results.other.{no_correction,fee_unpaid,
    other}, results.total, applications.carried_forward.
    """
    try:
        cands = {rid: row_candidates(run, 7, row_sum=True) for rid, run in rows.items()}
    except SplitLimitError as exc:
        return SplitResult("gave_up", reason=str(exc))
    counts = {rid: len(c) for rid, c in cands.items()}
    empty = [rid for rid, c in cands.items() if not c]
    if empty:
        return SplitResult(
            "no_solution",
            candidates=counts,
            fixed=_self_evident(rows),
            reason="no split of "
            + ", ".join(f"{r} ({rows[r]!r})" for r in empty)
            + " has 总计 = the sum of the six applicant columns",
        )
    subs = [r for r in _OTHER_SUBS if r in rows]
    leaves = [
        r
        for r in rows
        if r.startswith("results.")
        and r != "results.total"
        and not (r == "results.other.total" and subs)
    ]
    rules: list[tuple[str, list[str], list[str]]] = []  # (name, plus rows, minus rows) = 0
    if "results.total" in rows and leaves:
        rules.append(("（七）总计 = Σ result rows", leaves, ["results.total"]))
    flow = [
        "applications.new",
        "applications.carried_over",
        "results.total",
        "applications.carried_forward",
    ]
    if all(r in rows for r in flow):
        rules.append(("新收 + 上年结转 = 总计 + 结转下年度", flow[:2], flow[2:]))
    if subs and "results.other.total" in rows:
        rules.append(("（六） = Σ its sub-rows", subs, ["results.other.total"]))
    result = _search(cands, rules, 7, rows)
    if result.status in ("no_solution", "gave_up"):
        result.fixed = _self_evident(rows)
    return result


def _self_evident(rows: dict[str, str]) -> dict[str, list[int | float]]:
    """Rows a run fixes by itself, whatever column rule the document breaks: exactly one way
    to cut the run into seven counts whose last is the sum of the other six ("0000000",
    "4 0 0 0 0 0 4", "200 000121" = 20,0,0,0,0,1,21). Only the row's own 总计 is used, never
    a rule across rows, so a table whose columns do not add up still shows its rows as
    printed (and the table checks then record the broken sums)."""
    out: dict[str, list[int | float]] = {}
    for rid, run in rows.items():
        try:
            cands = row_candidates(run, 7, row_sum=True)
        except SplitLimitError:
            continue
        if len(cands) == 1:
            out[rid] = cands[0]
    return out


def _search(
    cands: dict[str, list[list[int | float]]],
    rules: list[tuple[str, list[str], list[str]]],
    width: int,
    rows: dict[str, str],
) -> SplitResult:
    """Every combination of row candidates that satisfies all column rules (bounded)."""
    counts = {rid: len(c) for rid, c in cands.items()}
    order = sorted(cands, key=lambda r: counts[r])
    fixed_rows = [r for r in order if counts[r] == 1]
    open_rows = [r for r in order if counts[r] > 1]
    combos = 1
    for r in open_rows:
        combos *= counts[r]
    if combos > FLATTENED_MAX_COMBINATIONS:
        return SplitResult(
            "gave_up",
            candidates=counts,
            reason=f"{combos} combinations of row splits exceed the cap "
            f"{FLATTENED_MAX_COMBINATIONS}",
        )
    solutions: list[dict[str, list[int | float]]] = []
    base = {r: cands[r][0] for r in fixed_rows}
    for pick in itertools.product(*(cands[r] for r in open_rows)):
        choice = dict(base)
        choice.update(zip(open_rows, pick, strict=True))
        if all(_rule_holds(choice, plus, minus, width) for _, plus, minus in rules):
            solutions.append(choice)
    names = "; ".join(name for name, _, _ in rules) or "none (rows missing)"
    per_row = ", ".join(f"{r}={counts[r]}" for r in rows)
    proof = (
        f"candidate splits per row after the row rule: {per_row}; {combos} combination(s) "
        f"checked against the column rules ({names}); {len(solutions)} satisfy all"
    )
    if len(solutions) == 1:
        return SplitResult(
            "unique",
            values=solutions[0],
            fixed=solutions[0],
            candidates=counts,
            solutions=1,
            proof=proof,
        )
    if not solutions:
        broken = _broken_rules(cands, rules, width) if combos == 1 else ""
        return SplitResult(
            "no_solution",
            candidates=counts,
            proof=proof,
            reason="no combination satisfies every rule" + broken,
        )
    same = {r: solutions[0][r] for r in rows if all(s[r] == solutions[0][r] for s in solutions)}
    differ = sorted(set(rows) - set(same))
    return SplitResult(
        "ambiguous",
        fixed=same,
        candidates=counts,
        solutions=len(solutions),
        proof=proof,
        reason=f"{len(solutions)} combinations satisfy every rule; rows left open: "
        + ", ".join(differ),
    )


def _rule_holds(
    choice: dict[str, list[int | float]], plus: list[str], minus: list[str], width: int
) -> bool:
    for c in range(width):
        if abs(sum(choice[r][c] for r in plus) - sum(choice[r][c] for r in minus)) > 1e-9:
            return False
    return True


def _broken_rules(
    cands: dict[str, list[list[int | float]]],
    rules: list[tuple[str, list[str], list[str]]],
    width: int,
) -> str:
    choice = {r: c[0] for r, c in cands.items()}
    bad = [name for name, plus, minus in rules if not _rule_holds(choice, plus, minus, width)]
    return (
        (": every row splits one way only, and the document breaks " + "; ".join(bad))
        if bad
        else ""
    )


# --- table 四 ----------------------------------------------------------------------------


def solve_table4(run: str) -> SplitResult:
    """Split table 四's single row of 15 cells: three groups of 维持, 纠正, 其他, 尚未审结, 总计.

    The result's values are keyed by group (review, litigation.direct,
    litigation.after_review), five numbers each in COLUMNS_4 order.
    """
    try:
        splits = [[_num(c) for c in s] for s in _counts(split_row(run, 15))]
    except SplitLimitError as exc:
        return SplitResult("gave_up", reason=str(exc))
    good = [s for s in splits if all(s[g * 5 + 4] == sum(s[g * 5 : g * 5 + 4]) for g in range(3))]
    proof = (
        f"{len(splits)} way(s) to cut {run.strip()!r} into 15 cells; {len(good)} satisfy "
        "总计 = 维持 + 纠正 + 其他 + 尚未审结 in all three groups"
    )
    counts = {"四": len(splits)}
    if len(good) == 1:
        vals = {g: good[0][i * 5 : i * 5 + 5] for i, g in enumerate(GROUPS_4)}
        return SplitResult(
            "unique", values=vals, fixed=vals, candidates=counts, solutions=1, proof=proof
        )
    if not good:
        reason = "no split satisfies the group totals"
        if len(splits) == 1:
            reason += " (the run splits one way only: the document breaks the rule)"
        return SplitResult("no_solution", candidates=counts, proof=proof, reason=reason)
    same = {
        g: good[0][i * 5 : i * 5 + 5]
        for i, g in enumerate(GROUPS_4)
        if all(s[i * 5 : i * 5 + 5] == good[0][i * 5 : i * 5 + 5] for s in good)
    }
    return SplitResult(
        "ambiguous",
        fixed=same,
        candidates=counts,
        solutions=len(good),
        proof=proof,
        reason=f"{len(good)} splits satisfy the group totals",
    )


# --- table 二 ----------------------------------------------------------------------------


def solve_simple_row(
    run: str, ncols: int, columns: Sequence[ColDef] | None = None
) -> SplitResult:
    """A row with no arithmetic (table 二): placed only when the run splits exactly one way
    (all-zero runs, or one cell per digit, or a one-column row).

    With `columns` (the row's column definitions), a cell may print a sign or a fraction
    only where its column allows one: "35-15" under 上一年项目数量 | 本年增/减 is 35 | -15.
    """
    try:
        splits = [s for s in split_row(run, ncols) if columns is None or fits(s, columns)]
    except SplitLimitError as exc:
        return SplitResult("gave_up", reason=str(exc))
    counts = {"row": len(splits)}
    proof = f"{len(splits)} way(s) to cut {run.strip()!r} into {ncols} cell(s)"
    if len(splits) == 1:
        vals = {"row": [_num(c) for c in splits[0]]}
        return SplitResult(
            "unique", values=vals, fixed=vals, candidates=counts, solutions=1, proof=proof
        )
    if not splits:
        return SplitResult(
            "no_solution",
            candidates=counts,
            proof=proof,
            reason=f"{run.strip()!r} cannot be cut into {ncols} numbers",
        )
    return SplitResult(
        "ambiguous",
        candidates=counts,
        solutions=len(splits),
        proof=proof,
        reason="no rule relates the cells of this row; left unplaced",
    )

