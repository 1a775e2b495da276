"""Ruled tables of a PDF as `Grid`s: merged cells expanded, page breaks undone.

The pieces of each page (pdf_pieces.py: cell boxes and their text) are put together here.
A table cut by a page break comes out as two pieces; they are joined when nothing but a page
footer separates them and their left/right edges agree. Columns are then aligned by
x-position (the pieces may have different column counts: table 二's blocks differ), a repeated
header row is dropped, and a merged label cell cut in two by the break (（四）无 | 法提供) is
made one cell again.

Apart from pdf_pieces.py because nothing here looks inside a page (pdf_grids hands each page
to pdf_pieces.page_pieces): the joining works on the pieces alone.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parser.model import Cell, Grid
from parser.tables.pdf_pieces import FOOTER, Piece, cluster, page_pieces
from xxgk.settings import PDF_EDGE_TOLERANCE, PDF_JOIN_X_TOLERANCE

# A label that starts a new item: 一、 （一） (1) 1. 1、 ① — a cell at the top of a page that
# starts like this is a new cell, not the rest of a merged cell cut by the page break.
_ITEM_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.．、]|[①-⑳])"
)
_HAS_DIGIT = re.compile(r"\d")


@dataclass
class _Slot:
    """A grid position before origins are numbered: the text and which source cell covers it."""

    text: str
    cell_id: int  # -1 for a position no source cell covers


@dataclass
class _Table:
    pieces: list[Piece] = field(default_factory=list)


# --- joining pieces and building grids ---------------------------------------------------


# Where `_nearest_in` may bisect: coordinates below this (page sizes are ~1e4 points) ...
_BISECT_MAX_COORD = 1e9
# ... and steps of at least this between values, so that no two distances round to a tie.
_BISECT_MIN_STEP = 1e-3


def _nearest(values: list[float], v: float) -> int:
    """Index of the value closest to `v`, the first of a tie."""
    return min(range(len(values)), key=lambda i: abs(values[i] - v))


def _nearest_in(values: list[float]) -> Callable[[float], int]:
    """`_nearest` over one list, by bisection where that gives the same index.

    Asked for every corner of every cell, the linear scan was a tenth of reading a PDF's
    tables. Bisection finds the scan's answer when the values increase by steps far above
    float rounding (`cluster` leaves steps over the edge tolerance) and no coordinate is
    huge, NaN or infinite; anything else (a damaged page) takes the scan itself.
    """
    n = len(values)
    if n == 0 or not all(abs(x) < _BISECT_MAX_COORD for x in values) or any(
            b - a < _BISECT_MIN_STEP for a, b in itertools.pairwise(values)):
        return lambda v: _nearest(values, v)

    def nearest(v: float) -> int:
        if not abs(v) < _BISECT_MAX_COORD:  # also NaN
            return _nearest(values, v)
        i = bisect.bisect_left(values, v)
        if i == 0:
            return 0
        if i == n:
            return n - 1
        # values[i-1] < v <= values[i]; a tie goes to the lower index, as min() does
        return i - 1 if abs(values[i - 1] - v) <= abs(values[i] - v) else i

    return nearest


def _compatible(a: Piece, b: Piece) -> bool:
    """Same outer edges, and one piece's column lines are a subset of the other's."""
    tol = PDF_JOIN_X_TOLERANCE
    if abs(a.bbox[0] - b.bbox[0]) > tol or abs(a.bbox[2] - b.bbox[2]) > tol:
        return False
    xa = cluster([x for c in a.cells for x in (c[0][0], c[0][2])], PDF_EDGE_TOLERANCE)
    xb = cluster([x for c in b.cells for x in (c[0][0], c[0][2])], PDF_EDGE_TOLERANCE)

    def subset(small: list[float], big: list[float]) -> bool:
        return all(min(abs(x - y) for y in big) <= tol for x in small)

    return subset(xa, xb) or subset(xb, xa)


def _join(pieces: list[Piece]) -> list[_Table]:
    tables: list[_Table] = []
    for i, p in enumerate(pieces):
        prev = pieces[i - 1] if i else None
        if (
            prev is not None
            and p.page == prev.page + 1
            and prev.alone_at_bottom
            and p.alone_at_top
            and not any(q.page == p.page and q.bbox[1] < p.bbox[1] for q in pieces)
            and _compatible(prev, p)
        ):
            tables[-1].pieces.append(p)
        else:
            tables.append(_Table([p]))
    return tables


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?\d[\d,，]*(?:\.\d+)?", text.strip()))


def _build(table: _Table) -> Grid:
    tol = PDF_EDGE_TOLERANCE
    xs = cluster([x for p in table.pieces for c in p.cells for x in (c[0][0], c[0][2])], tol)
    ncols = len(xs) - 1
    near_x = _nearest_in(xs)
    slots: list[list[_Slot]] = []
    piece_rows: list[tuple[int, int]] = []  # [start, end) rows of each piece in `slots`
    cell_text: list[str] = []
    cell_rows: list[tuple[int, int]] = []  # rows each source cell spans
    for p in table.pieces:
        ys = cluster([y for c in p.cells for y in (c[0][1], c[0][3])], tol)
        near_y = _nearest_in(ys)
        base = len(slots)
        slots.extend([_Slot("", -1) for _ in range(ncols)] for _ in range(len(ys) - 1))
        for (x0, top, x1, bottom), text in p.cells:
            c0, c1 = near_x(x0), near_x(x1)
            r0, r1 = base + near_y(top), base + near_y(bottom)
            if c1 <= c0 or r1 <= r0:
                continue
            cid = len(cell_text)
            cell_text.append(text)
            cell_rows.append((r0, r1))
            for r in range(r0, r1):
                for c in range(c0, c1):
                    slots[r][c] = _Slot(text, cid)
        piece_rows.append((base, len(slots)))

    drop: set[int] = set()
    for (a0, a1), (b0, b1) in itertools.pairwise(piece_rows):
        _drop_repeated_header(slots, a0, b0, b1, drop)
        first = min((r for r in range(b0, b1) if r not in drop), default=None)
        if first is not None and a1 > a0:
            _mend_break(slots, a1 - 1, first, cell_text, cell_rows, drop)
    for r, row in enumerate(slots):
        texts = [s.text for s in row]
        if all(not t for t in texts) or all(not t or FOOTER.match(t) for t in texts):
            drop.add(r)  # empty rows and a page footer caught inside the ruled area
    kept = [row for r, row in enumerate(slots) if r not in drop]
    return Grid(rows=_number_origins(kept, cell_text), source="pdf", page=table.pieces[0].page)


def _drop_repeated_header(
    slots: list[list[_Slot]], a0: int, b0: int, b1: int, drop: set[int]
) -> None:
    """A continuation that starts with the table's own header rows repeats them: drop those."""
    k = 0
    while b0 + k < b1 and a0 + k < b0:
        head = [s.text for s in slots[a0 + k]]
        cont = [s.text for s in slots[b0 + k]]
        if head != cont or not any(t and not _is_number(t) for t in head):
            break
        drop.add(b0 + k)
        k += 1


def _mend_break(
    slots: list[list[_Slot]],
    last: int,
    first: int,
    cell_text: list[str],
    cell_rows: list[tuple[int, int]],
    drop: set[int],
) -> None:
    """Undo a page break through merged label cells (and through one row's wrapped label).

    In the leading label columns, the cell at the top of the new page continues the cell above
    the break when it is empty beside a merged cell (三、本年度办理结果 spanning both pages) or
    when its text does not start a new item while the cell above does (（四）无 | 法提供).
    """
    above, below = slots[last], slots[first]
    ncols = len(above)
    label_cols = 0
    while (
        label_cols < ncols
        and not _is_number(below[label_cols].text)
        and not _is_number(above[label_cols].text)
    ):
        label_cols += 1
    # a row split by the break: its numbers above, the end of its label below, and every
    # piece of text below sits under a label cell of the same width above
    if _is_split_row(above, below):
        for c in sorted({s.cell_id for s in below if s.text}):
            cols = [cc for cc in range(ncols) if below[cc].cell_id == c]
            _merge(slots, above[cols[0]].cell_id, c, cell_text)
        drop.add(first)
        return
    seen: set[int] = set()
    for c in range(label_cols):
        a, b = above[c], below[c]
        if a.cell_id < 0 or b.cell_id < 0 or not a.text or b.cell_id in seen:
            continue
        spans_c = [cc for cc in range(ncols) if above[cc].cell_id == a.cell_id]
        same_cols = spans_c == [cc for cc in range(ncols) if below[cc].cell_id == b.cell_id]
        if not same_cols:
            continue
        tall = cell_rows[a.cell_id][1] - cell_rows[a.cell_id][0] > 1 or (
            cell_rows[b.cell_id][1] - cell_rows[b.cell_id][0] > 1
        )
        if (not b.text and tall) or (
            b.text and _ITEM_START.match(a.text) and not _ITEM_START.match(b.text)
        ):
            seen.add(b.cell_id)
            _merge(slots, a.cell_id, b.cell_id, cell_text)


def _is_split_row(above: list[_Slot], below: list[_Slot]) -> bool:
    if not any(_is_number(s.text) for s in above) or any(_HAS_DIGIT.search(s.text) for s in below):
        return False
    ncols = len(above)
    for cid in {s.cell_id for s in below if s.text}:
        cols = [c for c in range(ncols) if below[c].cell_id == cid]
        up = {above[c].cell_id for c in cols}
        if len(up) != 1 or up == {-1}:
            return False
        a = above[cols[0]]
        if [c for c in range(ncols) if above[c].cell_id == a.cell_id] != cols:
            return False
        if not a.text or _is_number(a.text) or _ITEM_START.match(below[cols[0]].text):
            return False
    return True


def _merge(slots: list[list[_Slot]], keep: int, gone: int, cell_text: list[str]) -> None:
    """Make source cell `gone` part of `keep`: one text, one origin."""
    text = cell_text[keep] + cell_text[gone]
    cell_text[keep] = text
    for row in slots:
        for s in row:
            if s.cell_id in (keep, gone):
                s.cell_id = keep
                s.text = text


def _number_origins(rows: list[list[_Slot]], cell_text: list[str]) -> list[list[Cell]]:
    """Turn source-cell ids into `Cell`s: the first position of a cell is its origin."""
    origin: dict[int, tuple[int, int]] = {}
    out: list[list[Cell]] = []
    for r, row in enumerate(rows):
        cells = []
        for c, s in enumerate(row):
            if s.cell_id < 0:
                cells.append(Cell("", (r, c)))
                continue
            o = origin.setdefault(s.cell_id, (r, c))
            cells.append(Cell(cell_text[s.cell_id], o, span_copy=o != (r, c)))
        out.append(cells)
    return out


def pdf_grids(pdf: Any) -> list[Grid]:
    """Every ruled table of an open `pdfplumber.PDF`, in reading order, as one `Grid` each.

    A table that runs over a page break is one grid; `Grid.page` is the page where it starts.
    `start`/`end` stay -1: the loader knows where the table sits in the document text.
    """
    pieces: list[Piece] = []
    for page_no, page in enumerate(pdf.pages, start=1):
        pieces.extend(page_pieces(page, page_no))
    return [_build(t) for t in _join(pieces)]
