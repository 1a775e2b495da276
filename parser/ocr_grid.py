"""An OCR'd page as the rest of the parser reads any page: text lines, and tables as `Grid`s.

The grid of a ruled table is made as pdf_grid makes one from a PDF's rulings: the cell edges
are clustered into column and row lines, and a cell spanning several is one origin and its
copies. Each `Cell` carries the engine's lowest character confidence, which the table mapper
turns into `Fact.confidence` (and into an unplaced cell below settings.OCR_MIN_CONFIDENCE).

The page text prints the prose lines and each table row (its cells' texts, separated by
spaces) in their top-to-bottom order, as a PDF's text layer prints a table; `PageText.grids`
holds each grid's span in that text, so table facts point at their row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parser.model import Cell, Grid
from parser.ocr_layout import OcrCell, OcrPage, OcrTable

# Cell edges closer than this many pixels are one column or row line (rulings drawn 1–3
# pixels wide at 150 dpi, and a scan's lines wander by a pixel or two).
_EDGE_TOLERANCE = 6.0


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EDGE_TOLERANCE:
            out.append(v)
    return out


def _nearest(lines: list[float], v: float) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - v))


def table_grid(table: OcrTable, page: int | None) -> Grid:
    """The table as a rectangular grid; positions no cell covers are empty cells."""
    return _grid(table, page)[0]


def _grid(table: OcrTable, page: int | None) -> tuple[Grid, dict[tuple[int, int], OcrCell]]:
    """The grid, and the OCR cell behind each origin position (for its confidences)."""
    xs = _cluster([x for c in table.cells for x in (c.bbox[0], c.bbox[2])])
    ys = _cluster([y for c in table.cells for y in (c.bbox[1], c.bbox[3])])
    slots: list[list[int]] = [[-1] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for idx, cell in enumerate(table.cells):
        x0, top, x1, bottom = cell.bbox
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        for r in range(r0, r1):
            for c in range(c0, c1):
                slots[r][c] = idx
    kept = [row for row in slots if any(i >= 0 and table.cells[i].text for i in row)]
    origins: dict[int, tuple[int, int]] = {}
    sources: dict[tuple[int, int], OcrCell] = {}
    rows: list[list[Cell]] = []
    for r, row in enumerate(kept):
        cells = []
        for c, idx in enumerate(row):
            if idx < 0:
                cells.append(Cell("", (r, c)))
                continue
            source = table.cells[idx]
            origin = origins.setdefault(idx, (r, c))
            sources[origin] = source
            known = [v for v in source.confidences if v is not None]
            cells.append(Cell(source.text, origin, span_copy=origin != (r, c),
                              confidence=min(known) if known else None))
        rows.append(cells)
    return Grid(rows=rows, source="ocr", page=page), sources


@dataclass
class PageText:
    """The text of an OCR'd page, a confidence per character (None for separators), and its
    grids with their spans in that text."""

    text: str = ""
    confidences: list[float | None] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)

    def add(self, text: str, confidences: list[float | None]) -> None:
        self.text += text
        self.confidences.extend(confidences)

    def newline(self) -> None:
        self.add("\n", [None])


def page_text(page: OcrPage, page_no: int | None) -> PageText:
    """Prose lines and table rows in top-to-bottom order, one text line each."""
    out = PageText()
    items: list[tuple[float, int, object]] = [(ln.bbox[1], 0, ln) for ln in page.lines]
    items += [(t.bbox[1], 1, t) for t in page.tables]
    for _, kind, item in sorted(items, key=lambda x: (x[0], x[1])):
        if kind == 0:
            out.add(item.text, item.confidences)  # type: ignore[attr-defined]
            out.newline()
            continue
        table: OcrTable = item  # type: ignore[assignment]
        grid, sources = _grid(table, page_no)
        if not grid.rows:
            continue
        grid.start = len(out.text)
        for r, row in enumerate(grid.rows):
            first = True
            for c, cell in enumerate(row):
                if cell.origin != (r, c) or not cell.text:
                    continue  # a span copy, or a cell of an earlier row spanning this one
                if not first:
                    out.add(" ", [None])
                first = False
                out.add(cell.text, list(sources[(r, c)].confidences))
            out.newline()
        grid.end = len(out.text)
        out.grids.append(grid)
    return out

