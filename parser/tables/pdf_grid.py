"""Ruled tables of a PDF as `Grid`s: merged cells expanded, page breaks undone.

Report PDFs (WPS, Word) draw their tables with line objects but also paint a white filled
rectangle behind every line of body text. pdfplumber's default "lines" strategy turns those
white boxes into one-column "tables" of prose, while some real table borders exist only as
the edges of cell fills (the last row before a page break has no bottom line). So rulings are
taken from line objects and stroked rectangles; cell fills count only inside the area those
rulings enclose, and that area is closed with its own bounding box.

A table cut by a page break comes out as two pieces; they are joined when nothing but a page
footer separates them and their left/right edges agree. Columns are then aligned by
x-position (the pieces may have different column counts: table 二's blocks differ), a repeated
header row is dropped, and a merged label cell cut in two by the break (（四）无 | 法提供) is
made one cell again.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parser.model import Cell, Grid
from xxgk.settings import PDF_EDGE_TOLERANCE, PDF_JOIN_X_TOLERANCE

# A line of text that is only page furniture: "- 4 -", "— 4 —", "第4页", "第 4 页 共 6 页".
# A bare "4" or "4/6" counts only outside tables (inside, a lone number is a cell value).
_FOOTER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[，,]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)
_FOOTER_OUTSIDE = re.compile(r"^\s*(?:\d{1,4}|\d{1,4}\s*/\s*\d{1,4})\s*$")
# A label that starts a new item: 一、 （一） (1) 1. 1、 ① — a cell at the top of a page that
# starts like this is a new cell, not the rest of a merged cell cut by the page break.
_ITEM_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.．、]|[①-⑳])"
)
_HAS_DIGIT = re.compile(r"\d")
_WHITE = {(1,), (1, 1, 1), (1, 1, 1, 1), (0, 0, 0, 0)}  # gray 1, RGB white, CMYK no ink


@dataclass
class _Piece:
    """One table as found on one page: its cells (bbox, text) and its place on the page."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[tuple[tuple[float, float, float, float], str]]
    alone_at_top: bool = False  # no body text above it on its page
    alone_at_bottom: bool = False  # no body text below it on its page


@dataclass
class _Slot:
    """A grid position before origins are numbered: the text and which source cell covers it."""

    text: str
    cell_id: int  # -1 for a position no source cell covers


@dataclass
class _Table:
    pieces: list[_Piece] = field(default_factory=list)


# --- text of a cell ----------------------------------------------------------------------


def _wide(ch: str) -> bool:
    """CJK characters and full-width punctuation: no space belongs between two of them."""
    return unicodedata.east_asian_width(ch) in ("W", "F") or ch in "“”‘’…—·"


def clean_cell_text(text: str | None) -> str:
    """Rejoin a cell's lines: vertical labels (三\\n、\\n本…), wrapped labels, 商业\\n企业.

    Lines are joined without a space when either side is CJK, otherwise with one space; spaces
    a PDF puts between two CJK characters (总 计, 情 形) are removed. Latin words keep theirs.
    """
    if not text:
        return ""
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    out = ""
    for ln in lines:
        if out and not (_wide(out[-1]) or _wide(ln[0])):
            out += " "
        out += ln
    # collapse runs of spaces, then drop the ones between two wide characters
    out = re.sub(r"[ \t\u3000\xa0]+", " ", out)
    return _drop_cjk_spaces(out).strip()


def _drop_cjk_spaces(s: str) -> str:
    chars = list(s)
    keep = []
    for i, ch in enumerate(chars):
        if ch == " " and 0 < i < len(chars) - 1 and _wide(chars[i - 1]) and _wide(chars[i + 1]):
            continue
        keep.append(ch)
    return "".join(keep)


# --- finding pieces on a page ------------------------------------------------------------


def _is_ruling(obj: dict[str, Any]) -> bool:
    """Line objects and stroked rectangles draw borders; so do hairline filled rectangles."""
    kind = obj.get("object_type")
    if kind == "line":
        return True
    if kind != "rect":
        return False
    if obj.get("stroke"):
        return True
    thin = min(obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]) < 2
    color = obj.get("non_stroking_color")
    white = isinstance(color, tuple | list) and tuple(round(float(v), 3) for v in color) in _WHITE
    return bool(obj.get("fill")) and thin and not white


def _regions(rulings: list[dict[str, Any]], tol: float) -> list[tuple[float, float, float, float]]:
    """Group touching rulings; each group's bounding box is one ruled area of the page."""
    boxes = [[r["x0"], r["top"], r["x1"], r["bottom"]] for r in rulings]
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1])
    for a_pos, a in enumerate(order):
        ax0, _, ax1, ab = boxes[a]
        for b in order[a_pos + 1 :]:
            bx0, bt, bx1, _ = boxes[b]
            if bt > ab + tol:
                break
            if bx0 <= ax1 + tol and ax0 <= bx1 + tol:
                parent[find(a)] = find(b)
    groups: dict[int, list[float]] = {}
    for i, (x0, t, x1, b) in enumerate(boxes):
        g = groups.setdefault(find(i), [x0, t, x1, b])
        g[0], g[1], g[2], g[3] = min(g[0], x0), min(g[1], t), max(g[2], x1), max(g[3], b)
    out = []
    for x0, t, x1, b in groups.values():
        if x1 - x0 > 4 * tol and b - t > 4 * tol:  # a lone rule (underline, separator) is no table
            out.append((x0, t, x1, b))
    return out


def _inside(obj: dict[str, Any], region: tuple[float, float, float, float], tol: float) -> bool:
    x0, t, x1, b = region
    return (
        obj["x0"] >= x0 - tol
        and obj["x1"] <= x1 + tol
        and obj["top"] >= t - tol
        and obj["bottom"] <= b + tol
    )


def _text_lines_outside(page: Any, boxes: list[tuple[float, float, float, float]]) -> list[Any]:
    """Text lines of the page outside every table box, page furniture removed: (top, text)."""
    words = [
        w
        for w in page.extract_words(keep_blank_chars=False)
        if not any(
            bx0 - 1 <= (w["x0"] + w["x1"]) / 2 <= bx1 + 1
            and bt - 1 <= (w["top"] + w["bottom"]) / 2 <= bb + 1
            for bx0, bt, bx1, bb in boxes
        )
    ]
    lines: list[list[Any]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0] - w["top"]) <= 3:
            lines[-1][1].append(w["text"])
        else:
            lines.append([w["top"], [w["text"]]])
    return [
        (top, text)
        for top, ws in lines
        if not (_FOOTER.match(text := " ".join(ws)) or _FOOTER_OUTSIDE.match(text))
    ]


def _page_pieces(page: Any, page_no: int) -> list[_Piece]:
    tol = PDF_EDGE_TOLERANCE
    rulings = [
        o for o in page.objects.get("line", []) + page.objects.get("rect", []) if _is_ruling(o)
    ]
    if not rulings:
        return []
    regions = _regions(rulings, tol)
    if not regions:
        return []

    def keep(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") in ("rect", "curve"):
            return _is_ruling(obj) or any(_inside(obj, r, tol) for r in regions)
        return True

    frame = [
        {
            "object_type": "rect",
            "x0": x0,
            "x1": x1,
            "top": t,
            "bottom": b,
            "width": x1 - x0,
            "height": b - t,
            "doctop": t,
            "y0": page.height - b,
            "y1": page.height - t,
        }
        for x0, t, x1, b in regions
    ]
    settings = {
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "explicit_vertical_lines": frame,
        "explicit_horizontal_lines": frame,
        "snap_tolerance": tol,
        "join_tolerance": tol,
        "intersection_tolerance": tol,
    }
    pieces: list[_Piece] = []
    for table in page.filter(keep).find_tables(settings):
        table_rows = table.rows
        cells = []
        for row, texts in zip(table_rows, _extract(table, table_rows), strict=True):
            for bbox, text in zip(row.cells, texts, strict=True):
                if bbox is not None:
                    cells.append((tuple(bbox), clean_cell_text(text)))
        xs = _cluster([c[0][0] for c in cells] + [c[0][2] for c in cells], tol)
        if len(xs) < 3:  # one column: a boxed paragraph, not a table
            continue
        pieces.append(_Piece(page_no, tuple(table.bbox), cells))
    if pieces:
        outside = _text_lines_outside(page, [p.bbox for p in pieces])
        for p in pieces:
            p.alone_at_top = not any(top < p.bbox[1] for top, _ in outside)
            p.alone_at_bottom = not any(top > p.bbox[3] for top, _ in outside)
    pieces.sort(key=lambda p: p.bbox[1])
    return pieces


def _extract(table: Any, rows: list[Any]) -> list[list[str | None]]:
    """What pdfplumber's `Table.extract()` returns, found faster.

    pdfplumber tests every character of the page against every row of the table (a row's
    characters are those whose middle lies in the row's box, half-open), then each row's
    characters against its cells: for a page-long table that was half the time of reading a
    PDF's tables. Here the characters are sorted once by their vertical middle and each row
    takes its slice by bisection; the same comparisons then pick the row's characters (in
    page order) and each cell's, and the cell text comes from the same `extract_text`.
    """
    from pdfplumber.utils import extract_text

    chars = table.page.chars
    # (vertical middle, index); a NaN middle is in no row (every comparison with it fails)
    mids = sorted(
        (v, i) for i, ch in enumerate(chars) if (v := (ch["top"] + ch["bottom"]) / 2) == v
    )
    vs = [v for v, _ in mids]
    out: list[list[str | None]] = []
    for row in rows:
        x0, top, x1, bottom = row.bbox
        if top == top and bottom == bottom:  # not NaN: bisect needs ordered keys
            lo, hi = bisect.bisect_left(vs, top), bisect.bisect_left(vs, bottom)
            candidates = sorted(i for _, i in mids[lo:hi]) if lo < hi else []
        else:
            candidates = []
        row_chars = [
            chars[i] for i in candidates
            if x0 <= (chars[i]["x0"] + chars[i]["x1"]) / 2 < x1
        ]
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            cell_chars = [
                ch for ch in row_chars
                if cx0 <= (ch["x0"] + ch["x1"]) / 2 < cx1
                and ctop <= (ch["top"] + ch["bottom"]) / 2 < cbottom
            ]
            texts.append(extract_text(cell_chars) if cell_chars else "")
        out.append(texts)
    return out


# --- joining pieces and building grids ---------------------------------------------------


def _cluster(values: list[float], tol: float) -> list[float]:
    """Distinct positions: values closer than `tol` to the previous one are the same line."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


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
    float rounding (`_cluster` leaves steps over the edge tolerance) and no coordinate is
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


def _compatible(a: _Piece, b: _Piece) -> bool:
    """Same outer edges, and one piece's column lines are a subset of the other's."""
    tol = PDF_JOIN_X_TOLERANCE
    if abs(a.bbox[0] - b.bbox[0]) > tol or abs(a.bbox[2] - b.bbox[2]) > tol:
        return False
    xa = _cluster([x for c in a.cells for x in (c[0][0], c[0][2])], PDF_EDGE_TOLERANCE)
    xb = _cluster([x for c in b.cells for x in (c[0][0], c[0][2])], PDF_EDGE_TOLERANCE)

    def subset(small: list[float], big: list[float]) -> bool:
        return all(min(abs(x - y) for y in big) <= tol for x in small)

    return subset(xa, xb) or subset(xb, xa)


def _join(pieces: list[_Piece]) -> list[_Table]:
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
    xs = _cluster([x for p in table.pieces for c in p.cells for x in (c[0][0], c[0][2])], tol)
    ncols = len(xs) - 1
    near_x = _nearest_in(xs)
    slots: list[list[_Slot]] = []
    piece_rows: list[tuple[int, int]] = []  # [start, end) rows of each piece in `slots`
    cell_text: list[str] = []
    cell_rows: list[tuple[int, int]] = []  # rows each source cell spans
    for p in table.pieces:
        ys = _cluster([y for c in p.cells for y in (c[0][1], c[0][3])], tol)
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
        if all(not t for t in texts) or all(not t or _FOOTER.match(t) for t in texts):
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
    pieces: list[_Piece] = []
    for page_no, page in enumerate(pdf.pages, start=1):
        pieces.extend(_page_pieces(page, page_no))
    return [_build(t) for t in _join(pieces)]
