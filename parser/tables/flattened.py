"""Tables whose cells ran together: "一、本年新收政府信息公开申请数量801000081" = 80,1,0,0,0,0,81.

Crawled page texts (the pingtan page.txt files) keep every table cell but lose the boundaries
between them. A digit run can be split in many ways; the standard tables carry enough
arithmetic to pin most of them down:

* table 三, every row: 总计 = the sum of the six applicant columns;
* table 三, every column: （七）总计 = the sum of the result rows, and
  新收 + 上年结转 = 总计 + 结转下年度 (and in v2021 （六） = its three sub-rows where printed);
* table 四: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结.

The solver enumerates every split of every row (cells are non-negative integers without
leading zeros: "0" is a cell, "05" is not; whitespace in a run is always a cell boundary) and
keeps the combinations that satisfy every rule. Values are reported only when exactly one
combination survives, with the counts that prove it; otherwise the result says why not.
Nothing is guessed: a document that breaks a rule gives "no solution", not a repaired table.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from parser.tables.layout import ColDef, load_layouts
from xxgk.settings import FLATTENED_MAX_COMBINATIONS, FLATTENED_MAX_ROW_CANDIDATES

_CELL = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")
_RUN = re.compile(r"[\d\s.+\-]*")

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


class SplitLimitError(Exception):
    """More candidate splits than the configured cap: the caller reports it, never guesses."""


@dataclass
class FlatRow:
    """A row label found in flattened text and the run of digits after it."""

    row_id: str
    label: str
    run: str
    start: int  # offset of the label in the text
    end: int  # offset just after the run


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


# --- splitting one run -------------------------------------------------------------------


def split_row(
    digits: str, ncols: int, limit: int = FLATTENED_MAX_ROW_CANDIDATES
) -> list[list[str]]:
    """Every way to cut `digits` into `ncols` cells, each a number without a leading zero.

    Whitespace inside the run is a cell boundary that must be kept ("230 000023"). Raises
    SplitLimitError past `limit` candidates, so that a huge run cannot stall the parser.
    """
    s = re.sub(r"\s+", " ", digits.strip())
    chars = s.replace(" ", "")
    forced = set()
    pos = 0
    for ch in s:
        if ch == " ":
            forced.add(pos)
        else:
            pos += 1
    n = len(chars)
    out: list[list[str]] = []
    if ncols <= 0 or n < ncols:
        return out

    def rec(at: int, left: int, acc: list[str]) -> None:
        if left == 1:
            cell = chars[at:]
            if _CELL.fullmatch(cell) and not any(at < f < n for f in forced):
                out.append([*acc, cell])
                if len(out) > limit:
                    raise SplitLimitError(
                        f"more than {limit} ways to split a run of {n} characters"
                    )
            return
        for end in range(at + 1, n - left + 2):
            if any(at < f < end for f in forced):
                break
            cell = chars[at:end]
            if not _CELL.fullmatch(cell):
                if cell[0] == "0" or (cell[0] in "+-" and len(cell) > 1 and cell[1] == "0"):
                    break  # a leading zero only grows longer
                continue
            rec(end, left - 1, [*acc, cell])

    rec(0, ncols, [])
    return out


def _fits(cells: list[str], columns: Sequence[ColDef]) -> bool:
    """Each cell has a form its column allows: a sign only in a signed column (本年增/减),
    a fraction only in a decimal one (amounts); every other cell is a whole count."""
    for cell, col in zip(cells, columns, strict=True):
        if cell[0] in "+-" and not col.signed:
            return False
        if "." in cell and not col.decimal:
            return False
    return True


def _num(cell: str) -> int | float:
    return float(cell) if "." in cell else int(cell)


def _counts(splits: list[list[str]]) -> list[list[str]]:
    """Splits whose every cell is a whole count (tables 三 and 四 print no sign, no fraction)."""
    return [s for s in splits if all(c.isdigit() for c in s)]


def _row_candidates(run: str, ncols: int, row_sum: bool) -> list[list[int | float]]:
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
        cands = {rid: _row_candidates(run, 7, row_sum=True) for rid, run in rows.items()}
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
            cands = _row_candidates(run, 7, row_sum=True)
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
        splits = [s for s in split_row(run, ncols) if columns is None or _fits(s, columns)]
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


# --- finding the runs --------------------------------------------------------------------


def label_regex(labels: list[str]) -> str:
    """A pattern for printed label variants: spaces anywhere, either bracket width, 1. / 1、."""
    alts = []
    for label in sorted(labels, key=len, reverse=True):
        parts = []
        for ch in label:
            if ch.isspace():
                continue
            if ch in "（(":
                parts.append("[（(]")
            elif ch in "）)":
                parts.append("[）)]")
            elif ch in ".、．":
                parts.append("[.、．,，]")
            elif ch in '“”"':
                parts.append('[“”"]?')
            else:
                parts.append(re.escape(ch))
        alts.append(r"\s*".join(parts))
    return "(?:" + "|".join(alts) + ")"


def find_flattened_rows(
    text: str, labels: list[tuple[str, str]], start: int = 0, end: int | None = None
) -> dict[str, FlatRow]:
    """Each row label (in table order) and the digit run printed right after it.

    `labels` is [(row id, label regex)] in the order the rows are printed; each label is
    searched after the previous one, so a label that reappears in prose before the table
    or a shorter label inside a longer one is not taken. A run ends where the next label
    begins (the next label may start with a digit: 00000002.其他法律… is 0000000 + 2.其他…)
    or at the first character that cannot be part of a number. Only a label followed by
    digits is taken: a row label quoted in prose before the table is skipped.
    """
    stop = len(text) if end is None else end
    found: list[tuple[str, re.Match[str]]] = []
    pos = start
    for row_id, pattern in labels:
        # a label counts only where digits follow it: the same words in prose, or a
        # heading row without cells, do not move the search past the table's own row
        m = re.compile(pattern + r"(?=\s*[+-]?\d)").search(text, pos, stop)
        if m is None:
            continue
        found.append((row_id, m))
        pos = m.end()
    out: dict[str, FlatRow] = {}
    for i, (row_id, m) in enumerate(found):
        limit = found[i + 1][1].start() if i + 1 < len(found) else stop
        run = _RUN.match(text, m.end(), limit)
        digits = run.group(0) if run else ""
        if not re.search(r"\d", digits):
            continue
        # a run cannot end in a separator: "…0000000 " or "…23." belong to what follows
        trimmed = digits.rstrip(" \t.+-")
        out[row_id] = FlatRow(row_id, m.group(0), trimmed, m.start(), m.end() + len(trimmed))
    return out


def layout_labels(table: str, version: str) -> list[tuple[str, str]]:
    """(row key, label regex) for every keyed row of a standard table, from layouts.toml."""
    layout = load_layouts()[table]
    out = []
    for row in layout.rows(version):
        if table == "三" and row.key is None:
            continue
        ident = row.key if row.key else row.id
        out.append((ident, label_regex(row.labels)))
    return out


def layout_widths(table: str, version: str) -> dict[str, int]:
    """Cells per row of a table from layouts.toml (二: 规章 3; 行政许可 1 in v2021, 3 in v2019)."""
    cells = load_layouts()[table].version(version).cells
    widths: dict[str, int] = {}
    for ref in cells:
        row_id = ref.rsplit(".", 1)[0]
        widths[row_id] = widths.get(row_id, 0) + 1
    return widths
