"""A page image -> its ruled tables (cells with their text) and its lines of prose, by OCR.

Tables are found the way pdf_grid finds them in a PDF: by their rulings. Long horizontal and
vertical strokes are kept by a morphological opening of the binarised image (a stroke must be
longer than any character), turned into edges, and pdfplumber's own table functions make
cells of their intersections. Each cell is then read on its own: its ink is cut into lines
and every line is recognised as one crop, tight around the glyphs. Reading cells one by one
matters for numbers: on a whole page the detector drops lone small digits (a 0 of 12 pixels)
and the recogniser reads a loose crop of one as "。"; a tight crop reads it as 0, and no digit
of one cell can run into its neighbour's.

Prose outside the tables is found by the engine's detector and read box by box; boxes on the
same line are joined in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parser import ocr
from xxgk import settings


@dataclass
class OcrCell:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom in pixels
    text: str = ""
    confidences: list[float | None] = field(default_factory=list)


@dataclass
class OcrTable:
    bbox: tuple[float, float, float, float]
    cells: list[OcrCell]


@dataclass
class OcrLine:
    bbox: tuple[float, float, float, float]
    text: str
    confidences: list[float | None]


@dataclass
class OcrPage:
    width: int
    height: int
    lines: list[OcrLine]
    tables: list[OcrTable]


# ---------------------------------------------------------------------------- rulings


def _binarize(gray: Any) -> Any:
    """Ink as 255 on black: a local threshold, so coloured cell fills and uneven scans are
    background and only strokes darker than their surroundings count."""
    import cv2

    return cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY, 15, -10)


def _edges(ink: Any) -> list[dict[str, Any]]:
    """Horizontal and vertical strokes longer than a character, as pdfplumber edges."""
    import cv2

    h, w = ink.shape
    length = max(15, min(h, w) // 30)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    edges: list[dict[str, Any]] = []
    for mask, orient in ((horizontal, "h"), (vertical, "v")):
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _area = (float(v) for v in stats[i])
            if orient == "h":
                mid = y + bh / 2
                edges.append({"x0": x, "x1": x + bw, "top": mid, "bottom": mid, "width": bw,
                              "height": 0.0, "orientation": "h", "object_type": "line"})
            else:
                mid = x + bw / 2
                edges.append({"x0": mid, "x1": mid, "top": y, "bottom": y + bh, "width": 0.0,
                              "height": bh, "orientation": "v", "object_type": "line"})
    return edges


def find_tables(ink: Any) -> list[list[tuple[float, float, float, float]]]:
    """Cells of each ruled table on the page (a table needs two columns and two rows)."""
    from pdfplumber.table import (
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    tol = 3
    edges = merge_edges(_edges(ink), tol, tol, tol, tol)
    cells = intersections_to_cells(edges_to_intersections(edges, tol, tol))
    tables = []
    for cells_of in cells_to_tables(cells):
        xs = {round(c[0]) for c in cells_of} | {round(c[2]) for c in cells_of}
        ys = {round(c[1]) for c in cells_of} | {round(c[3]) for c in cells_of}
        if len(xs) >= 3 and len(ys) >= 3:  # one column or one row: a boxed paragraph
            tables.append([(float(c[0]), float(c[1]), float(c[2]), float(c[3]))
                           for c in cells_of])
    return tables


# ------------------------------------------------------------------------- cell lines

# Inside a cell, this many pixels next to each border are skipped (the ruling itself).
_INSET = 4
# A run of ink rows shorter than this is a speck or the remains of a ruling, not text.
_MIN_LINE_PX = 4


def _ink_lines(ink: Any, box: tuple[float, float, float, float],
               scale: float = 1.0) -> list[tuple[int, int, int, int]]:
    """The text lines inside a cell: runs of ink rows, each with its ink's x extent.
    `scale` is the image's resolution over settings.OCR_DPI (pixel sizes grow with it)."""
    import numpy as np

    inset, min_line = round(_INSET * scale), round(_MIN_LINE_PX * scale)
    x0, top, x1, bottom = (int(box[0]) + inset, int(box[1]) + inset,
                           int(box[2]) - inset + 1, int(box[3]) - inset + 1)
    if x1 - x0 < 4 or bottom - top < 4:
        return []
    sub = ink[top:bottom, x0:x1]
    rows = np.flatnonzero(sub.any(axis=1))
    if rows.size == 0:
        return []
    runs = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        r = int(r)
        if r - prev > 2 * scale:
            runs.append((start, prev))
            start = r
        prev = r
    runs.append((start, prev))
    out = []
    for a, b in runs:
        if b - a + 1 < min_line:
            continue
        cols = np.flatnonzero(sub[a:b + 1].any(axis=0))
        if cols.size < 2:
            continue
        out.append((x0 + int(cols[0]), top + a, x0 + int(cols[-1]) + 1, top + b + 1))
    return out


def _crop(image: Any, box: tuple[int, int, int, int]) -> Any:
    """A line crop tight around its glyphs: a tenth of its height above and below, half of it
    left and right (what the recogniser reads best; a loose crop turns a lone 0 into 。)."""
    x0, top, x1, bottom = box
    h = bottom - top
    v, s = max(2, h // 10), max(2, h // 2)
    height, width = image.shape[:2]
    return image[max(0, top - v):min(height, bottom + v), max(0, x0 - s):min(width, x1 + s)]


def _second_reading(crops: list[Any], readings: list[ocr.Reading], which: list[int]) -> None:
    """Read the doubtful crops again, smoothed by a 3×3 Gaussian, and keep what both agree on.

    Scans are JPEG, and the ringing of its blocks around a small digit makes the recogniser
    unsure (a 0 read at 0.84); smoothed, it reads the same 0 at 0.96. Smoothing blurs small
    clean digits instead (a 53 of 11 pixels drops from 0.99 to 0.67), so it is a second
    opinion, not the rule: where both readings give the same text the better confidence
    stands; where they differ, the first text stands with the lower confidence (doubtful)."""
    import cv2

    todo = [i for i in which if readings[i].confidence < settings.OCR_MIN_CONFIDENCE]
    again = ocr.recognize([cv2.GaussianBlur(crops[i], (3, 3), 0) for i in todo])
    for i, second in zip(todo, again, strict=True):
        first = readings[i]
        if second.text == first.text:
            confs = [max(a, b) for a, b in zip(first.confidences, second.confidences,
                                               strict=True)]
        else:
            low = min(first.confidence, second.confidence)
            confs = [min(c, low) for c in first.confidences]
        readings[i] = ocr.Reading(first.text, confs)


def _wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_pieces(pieces: list[ocr.Reading]) -> tuple[str, list[float | None]]:
    """Lines of one cell (or boxes of one line) as one text: no space between CJK pieces,
    one space otherwise; the separators have no confidence."""
    text = ""
    confs: list[float | None] = []
    for p in pieces:
        if not p.text:
            continue
        if text and not (_wide(text[-1]) or _wide(p.text[0])):
            text += " "
            confs.append(None)
        text += p.text
        confs.extend(p.confidences)
    return text, confs


# ---------------------------------------------------------------------------- the page


def _inside(box: tuple[float, ...], area: tuple[float, ...]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] <= cx <= area[2] and area[1] <= cy <= area[3]


def _lines_of(boxes: list[tuple[float, float, float, float]],
              readings: list[ocr.Reading]) -> list[OcrLine]:
    """Boxes that overlap vertically by half their height are one line, read left to right."""
    order = sorted(range(len(boxes)), key=lambda i: ((boxes[i][1] + boxes[i][3]) / 2, boxes[i][0]))
    groups: list[list[int]] = []
    for i in order:
        top, bottom = boxes[i][1], boxes[i][3]
        if groups:
            g = groups[-1]
            gt = min(boxes[j][1] for j in g)
            gb = max(boxes[j][3] for j in g)
            overlap = min(bottom, gb) - max(top, gt)
            if overlap > 0.5 * min(bottom - top, gb - gt):
                g.append(i)
                continue
        groups.append([i])
    lines = []
    for g in groups:
        g.sort(key=lambda j: boxes[j][0])
        text, confs = join_pieces([readings[j] for j in g])
        if not text.strip():
            continue
        bbox = (min(boxes[j][0] for j in g), min(boxes[j][1] for j in g),
                max(boxes[j][2] for j in g), max(boxes[j][3] for j in g))
        lines.append(OcrLine(bbox, text, confs))
    return lines


def read_page(image: Any, scale: float = 1.0) -> OcrPage:
    """OCR one page image (BGR array): its ruled tables cell by cell, its prose line by line.
    `scale` is its resolution over settings.OCR_DPI (1 where unknown, as for a web image)."""
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ink = _binarize(gray)
    tables = [OcrTable(_bbox(cells), [OcrCell(c) for c in cells]) for cells in find_tables(ink)]
    crops: list[Any] = []
    owners: list[tuple[str, int, int]] = []  # ("cell", table, cell) or ("box", box, 0)
    for t, table in enumerate(tables):
        for c, cell in enumerate(table.cells):
            for line in _ink_lines(ink, cell.bbox, scale):
                crops.append(_crop(image, line))
                owners.append(("cell", t, c))
    boxes = [b for b in _detect(image) if not any(_inside(b, t.bbox) for t in tables)]
    for i, b in enumerate(boxes):
        crops.append(_crop_box(image, b))
        owners.append(("box", i, 0))
    readings = ocr.recognize(crops)
    _second_reading(crops, readings, [i for i, o in enumerate(owners) if o[0] == "cell"])
    per_cell: dict[tuple[int, int], list[ocr.Reading]] = {}
    box_readings: list[ocr.Reading] = [ocr.Reading("", [])] * len(boxes)
    for (kind, first, second), reading in zip(owners, readings, strict=True):
        if kind == "cell":
            per_cell.setdefault((first, second), []).append(reading)
        else:
            box_readings[first] = reading
    for (t, c), pieces in per_cell.items():
        cell = tables[t].cells[c]
        cell.text, cell.confidences = join_pieces(pieces)
    height, width = image.shape[:2]
    return OcrPage(width, height, _lines_of(boxes, box_readings), tables)


# The detector reads a page at most this many pixels on its longer side (the engine's own
# default): a 300 dpi scan is shrunk for detection and its boxes scaled back.
_DETECT_MAX_SIDE = 2000


def _detect(image: Any) -> list[tuple[float, float, float, float]]:
    import cv2

    height, width = image.shape[:2]
    factor = min(1.0, _DETECT_MAX_SIDE / max(height, width))
    if factor >= 1.0:
        return ocr.detect(image)
    small = cv2.resize(image, (round(width * factor), round(height * factor)),
                       interpolation=cv2.INTER_AREA)
    return [tuple(v / factor for v in b) for b in ocr.detect(small)]  # type: ignore[misc]


def _crop_box(image: Any, box: tuple[float, float, float, float]) -> Any:
    """A detector box as the recogniser wants it (the detector's boxes are already padded)."""
    height, width = image.shape[:2]
    x0, top, x1, bottom = (max(0, int(box[0])), max(0, int(box[1])),
                           min(width, int(box[2]) + 1), min(height, int(box[3]) + 1))
    return image[top:bottom, x0:x1]


def _bbox(cells: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(c[0] for c in cells), min(c[1] for c in cells),
            max(c[2] for c in cells), max(c[3] for c in cells))
