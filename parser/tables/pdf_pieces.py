"""The ruled tables of one PDF page as pieces: cell boxes with their text, and where they sit.

Report PDFs (WPS, Word) draw their tables with line objects but also paint a white filled
rectangle behind every line of body text. pdfplumber's default "lines" strategy turns those
white boxes into one-column "tables" of prose, while some real table borders exist only as
the edges of cell fills (the last row before a page break has no bottom line). So rulings are
taken from line objects and stroked rectangles; cell fills count only inside the area those
rulings enclose, and that area is closed with its own bounding box.

Each piece also records whether body text stands above or below it on its page, which is what
pdf_grid.py needs to tell a table cut by a page break from two tables. Apart from pdf_grid.py
because this is the only part that talks to pdfplumber; joining pieces is plain geometry.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from parser.pdf_words import page_words
from xxgk.settings import PDF_EDGE_TOLERANCE

# A line of text that is only page furniture: "- 4 -", "— 4 —", "第4页", "第 4 页 共 6 页".
# A bare "4" or "4/6" counts only outside tables (inside, a lone number is a cell value).
FOOTER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[，,]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)
_FOOTER_OUTSIDE = re.compile(r"^\s*(?:\d{1,4}|\d{1,4}\s*/\s*\d{1,4})\s*$")
_WHITE = {(1,), (1, 1, 1), (1, 1, 1, 1), (0, 0, 0, 0)}  # gray 1, RGB white, CMYK no ink


@dataclass
class Piece:
    """One table as found on one page: its cells (bbox, text) and its place on the page."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[tuple[tuple[float, float, float, float], str]]
    alone_at_top: bool = False  # no body text above it on its page
    alone_at_bottom: bool = False  # no body text below it on its page


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
        for other in order[a_pos + 1 :]:
            bx0, bt, bx1, _ = boxes[other]
            if bt > ab + tol:
                break
            if bx0 <= ax1 + tol and ax0 <= bx1 + tol:
                parent[find(a)] = find(other)
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
        for w in page_words(page)  # keep_blank_chars=False, pdfplumber's default
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
        if not (FOOTER.match(text := " ".join(ws)) or _FOOTER_OUTSIDE.match(text))
    ]


def page_pieces(page: Any, page_no: int) -> list[Piece]:
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
    pieces: list[Piece] = []
    for table in page.filter(keep).find_tables(settings):
        table_rows = table.rows
        cells = []
        for row, texts in zip(table_rows, _extract(table, table_rows), strict=True):
            for bbox, text in zip(row.cells, texts, strict=True):
                if bbox is not None:
                    cells.append((tuple(bbox), clean_cell_text(text)))
        xs = cluster([c[0][0] for c in cells] + [c[0][2] for c in cells], tol)
        if len(xs) < 3:  # one column: a boxed paragraph, not a table
            continue
        pieces.append(Piece(page_no, tuple(table.bbox), cells))
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
    page order) and each cell's, and the cell text is `extract_text`'s (`one_word_text`).
    """
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
            texts.append(one_word_text(cell_chars) if cell_chars else "")
        out.append(texts)
    return out


def one_word_text(chars: list[dict[str, Any]]) -> str:
    """pdfplumber's `extract_text(chars)` (default settings), without its word and line
    machinery when the characters are plainly one word: upright, on one top, none blank or
    empty, and, sorted by x0, each starting within x_tolerance of the previous one's x1
    (pdfplumber's own test for a new word). Most cells hold one number, and pdfplumber's
    grouping of them was a tenth of reading a PDF. Anything else (a NaN, two lines, a gap, a
    rotated or blank character) goes to pdfplumber (tests/test_pdf_cell_text.py)."""
    from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, LIGATURES, extract_text

    top = chars[0]["top"]
    for c in chars:
        text = c["text"]
        if (c["upright"] is not True or c["top"] != top or not text or text.isspace()
                or c["x0"] != c["x0"] or c["x1"] != c["x1"]):
            return extract_text(chars)
    # Stable, as pdfplumber's sort by (x0, x0); sorted, no character starts before the
    # previous one's x0, the other half of pdfplumber's test.
    ordered = sorted(chars, key=_x0)
    for prev, curr in itertools.pairwise(ordered):
        if curr["x0"] > prev["x1"] + DEFAULT_X_TOLERANCE:
            return extract_text(chars)
    return "".join(LIGATURES.get(c["text"], c["text"]) for c in ordered)


def _x0(char: dict[str, Any]) -> float:
    return char["x0"]


def cluster(values: list[float], tol: float) -> list[float]:
    """Distinct positions: values closer than `tol` to the previous one are the same line."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out
