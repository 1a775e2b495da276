"""Splitting a statistics-table row whose cells ran together, only where the split is proven.

A row read from text is a list of pieces: cells a `|` delimits (one cell each), and stretches
of digits between spaces or line breaks, which can hold several cells ("4251516" under
2011年度 | 历年累计). Every way to cut the pieces into the row's cells is a candidate (numbers
without leading zeros; a fraction only in a money row; a row code where the form prints one).
Candidates are kept only where the form's own arithmetic allows them:

* within a row, 本年度 ≤ 本年累计 ≤ 历年累计 (a year is part of the years);
* across rows, the 其中 parts of a total: their sum is the total where the form lists every
  part (channels of requests, kinds of replies), or each is at most the total where parts
  overlap (channels of disclosure).

A row is placed when one candidate is left for it in every combination that satisfies all
rules; otherwise it is left unplaced with the reason. Nothing is guessed: a document that
breaks a rule places only the rows that a single cut fixes by itself.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from xxgk.settings import (
    FLATTENED_MAX_CELL_CHARS,
    FLATTENED_MAX_ROW_CANDIDATES,
    STATISTICS_MAX_COMBINATIONS,
)

_COUNT = re.compile(r"0|[1-9]\d*")
_MONEY = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")  # a delimited cell's number
_CODE = re.compile(r"\d{2,3}")


@dataclass
class Piece:
    """A stretch of a row's text after its label: `cut` where it may hold several cells."""

    text: str
    start: int
    end: int
    cut: bool = True


@dataclass
class Cand:
    """One way to read a row: the cell texts with their offsets (code first, if any)."""

    cells: list[tuple[str, int, int]]
    numbers: list[float | None]  # value cells only, None for a blank or dash cell


@dataclass
class RowSplit:
    candidates: list[Cand]
    cut: bool  # True when some piece had to be cut (the reading needs a proof)
    why_none: str = ""  # when there is no candidate


@dataclass
class Group:
    """A total and its 其中 parts (row indices), and how they relate: sum | le."""

    total: int
    parts: list[int]
    rule: str
    name: str = ""


@dataclass
class Outcome:
    """Per row: the chosen candidate (or None) and a note saying how or why not."""

    chosen: dict[int, Cand] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


class TooMany(Exception):
    """More candidates than the caps allow: reported, never guessed."""


def _number(text: str) -> float | None:
    if not _WHOLE.fullmatch(text):
        return None
    return float(text.replace(",", ""))


def _cuts(text: str, k: int, money: bool, limit: int) -> list[list[tuple[int, int]]]:
    """Ways to cut `text` (digits only) into k numbers, as (start, end) index pairs."""
    pattern = _MONEY if money else _COUNT
    n = len(text)
    out: list[list[tuple[int, int]]] = []
    if n < k or n > k * FLATTENED_MAX_CELL_CHARS:
        return out

    def rec(at: int, left: int, acc: list[tuple[int, int]]) -> None:
        if left == 1:
            if n - at <= FLATTENED_MAX_CELL_CHARS and pattern.fullmatch(text, at, n):
                out.append([*acc, (at, n)])
                if len(out) > limit:
                    raise TooMany(f"more than {limit} ways to cut {text!r}")
            return
        for end in range(at + 1, min(n - left + 2, at + FLATTENED_MAX_CELL_CHARS + 1)):
            if pattern.fullmatch(text, at, end):
                rec(end, left - 1, [*acc, (at, end)])
            elif text[at] == "0" and not money:
                break  # a leading zero only grows longer

    rec(0, k, [])
    return out


def row_candidates(pieces: list[Piece], ncols: int, money: bool, code: bool,
                   code_expected: int | None, roles: list[str],
                   limit: int = FLATTENED_MAX_ROW_CANDIDATES) -> RowSplit:
    """Every reading of a row's pieces as `ncols` value cells (after a row code if `code`);
    where pieces must be cut, only those that keep 本年度 ≤ 本年累计 ≤ 历年累计."""
    width = ncols + (1 if code else 0)
    cut = len(pieces) < width  # some piece must hold several cells
    if not pieces:
        return RowSplit([], False, "no cells after the label")
    out: list[Cand] = []

    def place(i: int, acc: list[tuple[str, int, int]]) -> None:
        if len(acc) > width:
            return
        if i == len(pieces):
            if len(acc) == width:
                cand = _candidate(acc, code, code_expected, roles, cut)
                if cand is not None:
                    out.append(cand)
                    if len(out) > limit:
                        raise TooMany(f"more than {limit} readings of the row")
            return
        p = pieces[i]
        if not p.cut or not p.text.isdigit():
            place(i + 1, [*acc, (p.text, p.start, p.end)])
            return
        for k in range(1, width - len(acc) - (len(pieces) - i - 1) + 1):
            first_is_code = code and not acc
            for cuts in _cuts(p.text, k, money, limit) if not first_is_code else _code_cuts(
                    p.text, k, money, limit):
                place(i + 1, [*acc, *((p.text[a:b], p.start + a, p.start + b) for a, b in cuts)])

    try:
        place(0, [])
    except TooMany as exc:
        return RowSplit([], cut, str(exc))
    why = "" if out else (
        f"{sum(len(p.text) for p in pieces)} digit(s) in {len(pieces)} piece(s) cannot be "
        f"{width} cell(s) with 本年度 ≤ 历年累计")
    return RowSplit(out, cut, why)


def _code_cuts(text: str, k: int, money: bool, limit: int) -> list[list[tuple[int, int]]]:
    """Cuts whose first cell is a row code (two or three digits, leading zeros allowed)."""
    out: list[list[tuple[int, int]]] = []
    for w in (2, 3):
        if len(text) < w or not _CODE.fullmatch(text, 0, w):
            continue
        if k == 1:
            if len(text) == w:
                out.append([(0, w)])
            continue
        for rest in _cuts(text[w:], k - 1, money, limit):
            out.append([(0, w), *((a + w, b + w) for a, b in rest)])
    return out


def _candidate(cells: list[tuple[str, int, int]], code: bool, code_expected: int | None,
               roles: list[str], ordered: bool) -> Cand | None:
    """The reading as numbers, or None where it is not one; with `ordered` (a row that had to
    be cut), only a reading with 本年度 ≤ 本年累计 ≤ 历年累计. Cells the document delimits are
    read as printed whatever their order: the checks record a year above its cumulative."""
    if code:
        if not _CODE.fullmatch(cells[0][0]) or (
                code_expected is not None and int(cells[0][0]) != code_expected):
            return None
        values = cells[1:]
    else:
        values = cells
    numbers = []
    for text, _, _ in values:
        if text and not _WHOLE.fullmatch(text) and re.search(r"\d", text):
            return None  # a delimited cell that is not a plain number: not this reading
        numbers.append(_number(text) if text else None)
    if not ordered:
        return Cand(cells, numbers)
    order = {"year": 0, "year_to_date": 1, "cumulative": 2}
    ranked = sorted((order[r], n) for r, n in zip(roles, numbers, strict=True) if n is not None)
    if any(a[1] > b[1] + 1e-9 for a, b in itertools.pairwise(ranked) if a[0] < b[0]):
        return None
    return Cand(cells, numbers)


# --- across rows ---------------------------------------------------------------------------


def _holds(group: Group, pick: dict[int, Cand], ncols: int) -> bool:
    if group.total not in pick:
        return True
    total = pick[group.total].numbers
    parts = [pick[p].numbers for p in group.parts if p in pick]
    for c in range(ncols):
        t = total[c]
        if t is None:
            continue
        vals = [p[c] for p in parts]
        if group.rule == "le":
            if any(v is not None and v > t + 1e-9 for v in vals):
                return False
        elif len(parts) == len(group.parts) and all(v is not None for v in vals) \
                and abs(sum(vals) - t) > 1e-6:  # type: ignore[arg-type]
            return False
    return True


def solve(splits: dict[int, RowSplit], groups: list[Group], ncols: int) -> Outcome:
    """Choose each row's reading where the rules leave exactly one (see the module doc)."""
    out = Outcome()
    parent = {i: i for i in splits}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rules = [g for g in groups if g.total in splits]
    for g in rules:
        for p in g.parts:
            if p in splits:
                parent[find(p)] = find(g.total)
    comps: dict[int, list[int]] = {}
    for i in splits:
        comps.setdefault(find(i), []).append(i)
    for members in comps.values():
        _solve_component(members, splits, [g for g in rules if find(g.total) == find(
            members[0])], ncols, out)
    return out


def _solve_component(members: list[int], splits: dict[int, RowSplit], groups: list[Group],
                     ncols: int, out: Outcome) -> None:
    readable = [i for i in members if splits[i].candidates]
    for i in members:
        if not splits[i].candidates:
            out.notes[i] = f"cells not split: {splits[i].why_none}"
    fixed = [i for i in readable if len(splits[i].candidates) == 1]
    open_rows = [i for i in readable if len(splits[i].candidates) > 1]
    combos = 1
    for i in open_rows:
        combos *= len(splits[i].candidates)
    names = "; ".join(g.name for g in groups) or "none"
    if combos > STATISTICS_MAX_COMBINATIONS:
        _self_evident(readable, splits, out, f"{combos} combinations exceed the cap "
                      f"{STATISTICS_MAX_COMBINATIONS}")
        return
    base = {i: splits[i].candidates[0] for i in fixed}
    solutions = []
    for pick in itertools.product(*(splits[i].candidates for i in open_rows)):
        choice = dict(base)
        choice.update(zip(open_rows, pick, strict=True))
        if all(_holds(g, choice, ncols) for g in groups):
            solutions.append(choice)
    if not solutions:
        _self_evident(readable, splits, out, f"no reading satisfies the rules ({names}): "
                      "the document breaks one, or a run is not what it seems")
        return
    for i in readable:
        first = solutions[0][i]
        if all(s[i].cells == first.cells for s in solutions):
            out.chosen[i] = first
            n = len(splits[i].candidates)
            if splits[i].cut:
                how = f"{n} reading(s) of the run keep 本年度 ≤ 历年累计"
                if n > 1:
                    how += f"; {combos} combination(s) of rows checked against {names}: " \
                        f"this row reads the same in all {len(solutions)} that hold"
                out.notes[i] = "split of a run-together row proven unique: " + how
        else:
            readings = sorted({" | ".join(c[0] for c in s[i].cells) for s in solutions})
            out.notes[i] = (f"cells not split: {len(readings)} readings satisfy every rule "
                            f"({names}): " + "; ".join(readings[:4]))


def _self_evident(readable: list[int], splits: dict[int, RowSplit], out: Outcome,
                  why: str) -> None:
    """Rows that one reading fixes by itself stay placed; the others say why not."""
    for i in readable:
        cands = splits[i].candidates
        if len(cands) == 1:
            out.chosen[i] = cands[0]
            if splits[i].cut:
                out.notes[i] = "split of a run-together row proven unique: the run cuts one " \
                    "way only with 本年度 ≤ 历年累计"
        else:
            out.notes[i] = f"cells not split: {len(cands)} readings of the run; {why}"
