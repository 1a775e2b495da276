"""Cutting one digit run into table cells: every split, without guessing, within a bound.

"801000081" into seven cells can be 80,1,0,0,0,0,81 or 8,0,1,0,0,0,81 or …: `split_row`
enumerates them all (a cell is a number without a leading zero; whitespace in a run is a cell
boundary; "18,352" is one cell) and raises `SplitLimitError` past the configured caps, so a
hostile run cannot stall the parser. `fits` says whether a split suits its columns (a sign or
a fraction only where the column allows one).

Which split is the right one is not decided here: that is the arithmetic of each table
(flat_solve.py). This module is apart because it knows nothing of tables, rows or rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from parser.tables.layout import ColDef
from xxgk.settings import (
    FLATTENED_MAX_CELL_CHARS,
    FLATTENED_MAX_ROW_CANDIDATES,
    FLATTENED_MAX_ROW_STEPS,
)

_CELL = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")
# A number printed with thousands separators: one cell (also where cell_spans finds it).
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


class SplitLimitError(Exception):
    """More candidate splits than the configured cap: the caller reports it, never guesses."""


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
    for m in GROUPED.finditer(s):
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


def fits(cells: list[str], columns: Sequence[ColDef]) -> bool:
    """Each cell has a form its column allows: a sign only in a signed column (本年增/减),
    a fraction only in a decimal one (amounts); every other cell is a whole count."""
    for cell, col in zip(cells, columns, strict=True):
        if cell[0] in "+-" and not col.signed:
            return False
        if "." in cell and not col.decimal:
            return False
    return True

