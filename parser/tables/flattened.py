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

`flattened_tables` wires this into the table stage (extract.py calls it for the tables no
grid gave): every provably placed cell becomes a fact with its own offsets and the proof in
its note; a row that is not split uniquely becomes one unplaced fact with the reason and the
number of candidate splits, and the table checks then run over the cells as printed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from parser.model import Cell, Fact, Grid
from parser.tables.labels import normalize_label
from parser.tables.layout import ColDef, load_layouts
from parser.tables.mapper import TABLE_IDS, MappedTable, Segment, detect_version
from parser.tables.values import key_unit, parse_cell, unit_in_header
from xxgk.settings import (
    FLATTENED_MAX_CELL_CHARS,
    FLATTENED_MAX_COMBINATIONS,
    FLATTENED_MAX_ROW_CANDIDATES,
    FLATTENED_MAX_ROW_GAP_CHARS,
    FLATTENED_MAX_ROW_STEPS,
)

_CELL = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")
_RUN = re.compile(r"(?:[\d\s.+\-]|(?<=\d),(?=\d{3}))*")  # "18,352": a separator, not an end
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")

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
    # A number printed with thousands separators ("18,352") is one cell: no cut inside it.
    whole: set[int] = set()
    for m in _GROUPED.finditer(s):
        start = len(s[: m.start()].replace(" ", "").replace(",", ""))
        length = len(m.group().replace(",", ""))
        whole.update(range(start + 1, start + length))
    s = s.replace(",", "")
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
    if ncols <= 0 or n < ncols or n > ncols * FLATTENED_MAX_CELL_CHARS:
        return out  # too short, or too long for any cell to be a number a report prints
    # Dead ends count too: a 400-digit run has few valid splits but astronomically many
    # partial ones (found by benchmarks/fuzz_parser.py: minutes on one row).
    steps = [0]
    max_steps = FLATTENED_MAX_ROW_STEPS

    def rec(at: int, left: int, acc: list[str]) -> None:
        steps[0] += 1
        if steps[0] > max_steps:
            raise SplitLimitError(f"more than {max_steps} steps to split a run of {n} characters")
        if left == 1:
            cell = chars[at:]
            if len(cell) <= FLATTENED_MAX_CELL_CHARS and _CELL.fullmatch(cell) and not any(
                    at < f < n for f in forced) and at not in whole:
                out.append([*acc, cell])
                if len(out) > limit:
                    raise SplitLimitError(
                        f"more than {limit} ways to split a run of {n} characters"
                    )
            return
        for end in range(at + 1, min(n - left + 2, at + FLATTENED_MAX_CELL_CHARS + 1)):
            if any(at < f < end for f in forced):
                break
            if end in whole:
                continue
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


# --- wiring into the table stage -------------------------------------------------------
#
# For a table the document's grids and the text-grid builder did not find, the text is
# searched for its rows as flattened runs. Each cell placed gets its own offsets (inside the
# run), its digits as `raw` and a note with the proof; a row that cannot be split uniquely
# becomes one fact without key (status "unreadable", raw = the run) saying why. The result
# is a MappedTable, so extract.py reports it and checks it like any other table.

PROVEN = "split of a flattened run proven unique: "


def flattened_tables(
    text: str, missing: Sequence[str], versions: dict[str, str | None]
) -> list[MappedTable]:
    """Tables among `missing` (二/三/四) found in `text` as flattened row runs.

    `versions` holds the versions of the report's tables already found (table 四 takes its
    version from them, as the mapper does). A table counts as found only when its rows
    stand together and at least one of them can be cut into the table's cells.
    """
    out: dict[str, MappedTable] = {}
    three_span: tuple[int, int] | None = None
    if "三" in missing:
        mt3, three_span = _table3(text)
        if mt3 is not None:
            out["三"] = mt3
    else:
        three_span = _rows_span(text, 0)
    if "二" in missing:
        mt2 = _table2(text, three_span[0] if three_span else len(text))
        if mt2 is not None:
            out["二"] = mt2
    if "四" in missing:
        known = dict(versions)
        known.update({t: mt.version for t, mt in out.items()})
        version = known.get("二")
        if version is None and known.get("三") == "v2021":
            version = "v2021"
        mt4 = _table4(text, three_span[1] if three_span else 0, version)
        if mt4 is not None:
            out["四"] = mt4
    return [out[t] for t in TABLE_IDS if t in out]


def cell_spans(text: str, row: FlatRow, cells: Sequence[str]) -> list[tuple[int, int]]:
    """Offsets in `text` of each cell of a split of `row.run` (whitespace separates cells)."""
    pos = row.end - len(row.run)
    spans = []
    for cell in cells:
        while text[pos].isspace():
            pos += 1
        grouped = _GROUPED.match(text, pos)  # "18,352" is the cell 18352 as printed
        if grouped and grouped.group().replace(",", "") == cell:
            spans.append((pos, grouped.end()))
            pos = grouped.end()
            continue
        if text[pos : pos + len(cell)] != cell:  # the run is a slice of the text: a bug
            raise ValueError(f"cell {cell!r} is not at offset {pos} of the run {row.run!r}")
        spans.append((pos, pos + len(cell)))
        pos += len(cell)
    return spans


def _cluster(rows: dict[str, FlatRow]) -> dict[str, FlatRow]:
    """The largest group of rows that follow each other closely (see the gap setting)."""
    groups: list[list[str]] = []
    last_end = None
    for rid, row in rows.items():
        if last_end is None or row.start - last_end > FLATTENED_MAX_ROW_GAP_CHARS:
            groups.append([])
        groups[-1].append(rid)
        last_end = row.end
    best = max(groups, key=len, default=[])
    return {rid: rows[rid] for rid in best}


def _version(table: str, text: str) -> tuple[str | None, str]:
    """The version the mapper would decide from the same text (its marker rules)."""
    grid = Grid([[Cell(text, (0, 0))]], source="text")
    return detect_version(load_layouts()[table], [Segment(table, grid, [0])])


def _rows_span(text: str, start: int) -> tuple[int, int] | None:
    """Where table 三's flattened rows stand: found with the rows both versions print."""
    rows = _cluster(find_flattened_rows(text, layout_labels("三", "v2019"), start))
    if not rows:
        return None
    first, last = next(iter(rows.values())), list(rows.values())[-1]
    return first.start, last.end


def _table3(text: str) -> tuple[MappedTable | None, tuple[int, int] | None]:
    span = _rows_span(text, 0)
    if span is None:
        return None, None
    # the rows of the table's version, searched again from the first row: the split （六）
    # sub-rows (逾期不补正) lie inside the span found with the common rows
    version = _version("三", text[span[0] : span[1]])[0] or "v2019"  # 三 always has one
    rows = _cluster(find_flattened_rows(text, layout_labels("三", version), span[0]))
    try:
        usable = any(_row_candidates(r.run, 7, row_sum=True) for r in rows.values())
    except SplitLimitError:
        usable = True  # a long run next to row labels: a table, reported as unsplittable
    if not usable:
        return None, None  # labels with a number or two after them: not a table 三
    span = (next(iter(rows.values())).start, list(rows.values())[-1].end)
    res = solve_table3({rid: r.run for rid, r in rows.items()})
    layout = load_layouts()["三"]
    mt = MappedTable("三", version, segments=1)
    cols = layout.columns(version)
    for rid, row in rows.items():
        vals = res.fixed.get(rid)
        if vals is None:
            _unplaced(mt, text, row, _why_not(res, rid))
            continue
        split = [str(v) for v in vals]
        proof = _proof3(res, rid, row.run)
        row_id = next(r.id for r in layout.rows(version) if r.key == rid)
        for col, cell, (a, b) in zip(cols, split, cell_spans(text, row, split), strict=True):
            key = layout.cell_key(version, row_id, col.id)
            _emit(mt, text, row, key, cell, a, b, col.labels[0], PROVEN + proof)
    return mt, span


def _proof3(res: SplitResult, rid: str, run: str) -> str:
    n = res.candidates.get(rid, 0)
    own = f"{n} cut(s) of {run.strip()!r} into 7 counts have 总计 = the sum of the row"
    if n == 1:
        return own
    if res.status == "unique":
        return own + f"; {res.proof.rsplit('; ', 1)[-1]} column rules of the table"
    return own + f"; the row is the same in all {res.solutions} combinations that satisfy " \
        "every column rule"


def _why_not(res: SplitResult, rid: str) -> str:
    n = res.candidates.get(rid)
    count = f"{n} candidate split(s) with 总计 = the sum of the row" if n is not None else \
        "candidate splits not counted"
    return f"flattened run not split ({res.status}): {res.reason}; {count}"


def _table2(text: str, end: int) -> MappedTable | None:
    """Table 二 from its block captions on: rows of one cell, or runs that cut one way."""
    layout = load_layouts()["二"]
    caption = re.compile(label_regex(layout.captions)).search(text, 0, end)
    if caption is None:
        return None
    version, _ = _version("二", text[caption.start() : end])
    if version is None:
        return None  # no column header of either format: not recognisably table 二
    rows = _cluster(find_flattened_rows(text, layout_labels("二", version), caption.start(), end))
    if not rows:
        return None
    vdef = layout.version(version)
    by_id = {c.id: c for c in vdef.columns}
    mt = MappedTable("二", version, segments=1)
    for rid, row in rows.items():
        refs = [ref for ref in vdef.cells if ref.rsplit(".", 1)[0] == rid]
        cols = [by_id[ref.rsplit(".", 1)[1]] for ref in refs]
        res = solve_simple_row(row.run, len(cols), cols)
        if res.unique:
            split = [str(c) for c in _cells_of(row.run, cols)[0]]
            for col, ref, cell, (a, b) in zip(
                cols, refs, split, cell_spans(text, row, split), strict=True
            ):
                _emit(mt, text, row, vdef.cells[ref], cell, a, b, col.labels[0],
                      PROVEN + res.proof)
            continue
        _table2_partial(mt, text, row, cols, [vdef.cells[r] for r in refs], res)
    return mt


def _cells_of(run: str, cols: Sequence[ColDef]) -> list[list[str]]:
    return [s for s in split_row(run, len(cols)) if _fits(s, cols)]


def _table2_partial(
    mt: MappedTable, text: str, row: FlatRow, cols: list[ColDef], keys: list[str],
    res: SplitResult,
) -> None:
    """An ambiguous row of table 二: a cell that every candidate split puts at the same
    place (2648 of "2648-18538": the sign must open 本年增/减) is placed; the rest of the
    run is one unplaced fact with the reason."""
    try:
        splits = _cells_of(row.run, cols) if res.status == "ambiguous" else []
    except SplitLimitError:
        splits = []
    spans = [cell_spans(text, row, s) for s in splits]
    common = [k for k in range(len(cols)) if spans and all(sp[k] == spans[0][k] for sp in spans)]
    for k in common:
        a, b = spans[0][k]
        proof = f"the cell is {text[a:b]!r} in all {len(splits)} cuts of {row.run.strip()!r} " \
            f"into {len(cols)} cells"
        _emit(mt, text, row, keys[k], text[a:b], a, b, cols[k].labels[0], PROVEN + proof)
    # the digits no placed cell covers, as one unplaced fact per stretch
    taken = [spans[0][k] for k in common]
    run_start = row.end - len(row.run)
    stretches: list[tuple[int, int]] = []
    pos = run_start
    for a, b in [*sorted(taken), (row.end, row.end)]:
        if text[pos:a].strip():
            lead = len(text[pos:a]) - len(text[pos:a].lstrip())
            stretches.append((pos + lead, len(text[:a].rstrip())))
        pos = b
    open_cols = ", ".join(c.labels[0] for k, c in enumerate(cols) if k not in common)
    why = f"flattened run not split: {res.reason}; {res.candidates.get('row', 0)} candidate " \
        f"split(s) ({res.proof}); cells left open: {open_cols}"
    for a, b in stretches:
        _unplaced(mt, text, row, why, (a, b))


def _table4(text: str, start: int, version: str | None) -> MappedTable | None:
    """Table 四's one row of 15 counts after a header naming every group and column."""
    layout = load_layouts()["四"]
    cols = layout.columns(version or "v2021")
    pattern = label_regex(layout.groups[0].labels) + r"\D*" + label_regex(cols[-1].labels)
    rows = find_flattened_rows(text, [("四", pattern)], start)
    row = rows.get("四")
    if row is None:
        return None
    header = normalize_label(row.label)
    names = [g.labels for g in layout.groups] + [c.labels for c in cols]
    if not all(any(normalize_label(lab) in header for lab in labels) for labels in names):
        return None  # words of the table in prose, not its header
    res = solve_table4(row.run)
    mt = MappedTable("四", version, segments=1)
    if not res.fixed:
        _unplaced(mt, text, row, f"flattened run not split ({res.status}): {res.reason}; "
                  f"{res.candidates.get('四', 0)} cut(s) into 15 cells ({res.proof})")
        return mt
    if res.unique:
        split = [str(v) for g in GROUPS_4 for v in res.values[g]]
        spans = cell_spans(text, row, split)
        for i, g in enumerate(layout.groups):
            for j, col in enumerate(cols):
                a, b = spans[i * 5 + j]
                _emit(mt, text, row, f"{g.id}.{col.id}", split[i * 5 + j], a, b,
                      f"{g.labels[0]} / {col.labels[0]}", PROVEN + res.proof)
        return mt
    # ambiguous with some groups fixed: cell offsets differ between the surviving cuts,
    # so nothing is placed (the table is rare enough not to need a partial reading)
    _unplaced(mt, text, row, f"flattened run not split ({res.status}): {res.reason}; "
              f"{res.candidates.get('四', 0)} cut(s) into 15 cells ({res.proof})")
    return mt


def _evidence(text: str, row: FlatRow) -> str:
    return text[row.start : row.end]


def _emit(
    mt: MappedTable, text: str, row: FlatRow, key: str | None, cell: str, start: int,
    end: int, col_label: str, note: str,
) -> None:
    """One placed cell, read as printed (value, status and unit as for any table cell)."""
    unit = key_unit(key) if key else None
    value, status, vnote = parse_cell(cell, unit, unit_in_header(col_label))
    row_label = "" if mt.table == "四" else row.label
    mt.facts.append(Fact(
        key=key, value=value, unit=unit, label=f"{row_label} | {col_label}",
        evidence=_evidence(text, row), section=mt.table, method="table", start=start,
        end=end, raw=cell, status=status, table=mt.table, row=row_label, column=col_label,
        version=mt.version, note=f"{note}; {vnote}" if vnote else note,
    ))


def _unplaced(
    mt: MappedTable, text: str, row: FlatRow, why: str, span: tuple[int, int] | None = None
) -> None:
    """A run (or the rest of one) that is not split: no key, no value, the reason."""
    a, b = span if span else (row.end - len(row.run.lstrip()), row.end)
    row_label = "" if mt.table == "四" else row.label
    mt.facts.append(Fact(
        key=None, value=None, unit=None, label=f"{row_label} | ", evidence=_evidence(text, row),
        section=mt.table, method="table", start=a, end=b, raw=text[a:b], status="unreadable",
        table=mt.table, row=row_label, column="", version=mt.version, note=why,
    ))
