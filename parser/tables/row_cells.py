"""A row's cells where the header or the text leaves their places in doubt (tables 二/三/四).

Three cases from real pages copied as text: a block header printed damaged (a column name
twice, or cut), a row that the end of the text cuts, and positions a text row does not have.
Each is placed only where the template proves it, and otherwise kept without a place.
"""

from __future__ import annotations

from parser.model import Cell, Grid
from parser.tables.header import damaged_header_order, expected_width
from parser.tables.layout import TableLayout
from parser.tables.values import parse_cell

Placed = tuple[Cell, str | None, str | None]  # (cell, column id, note)


def damaged_header(layout: TableLayout, version: str, header_rows: list[tuple[int, list[Cell]]],
                   placed: list[Placed], row_id: str) -> list[Placed]:
    """A known row of table 二 whose cells the block's header did not place: the columns in
    the template's order where the header is a damaged copy of the template's."""
    real = [p for p in placed if not p[0].pad]
    if not real or all(cid for _, cid, _ in real) or not header_rows:
        return placed
    order, how = damaged_header_order(layout, version, header_rows, row_id, len(real))
    if order is None:
        return placed
    return [(c, cid, how) for (c, _, _), cid in zip(real, order, strict=True)]


def cut_at_text_end(layout: TableLayout, version: str | None, doc_text: str, grid: Grid, r: int,
                    value_cells: list) -> tuple[list, list[Placed]]:
    """The document's text ends inside the next row, just after this one: a page or an
    excerpt cut after "2" of "2.其他法律…". In the last row of such a text, one value more
    than the table has columns is that cut start, not a cell of this row, where the row's
    own cells add up (总计 = the sum of the six applicant columns)."""
    width = expected_width(layout, version)
    if (layout.kind != "matrix" or width is None or len(value_cells) != width + 1
            or r != len(grid.rows) - 1 or grid.end < len(doc_text.rstrip())):
        return value_cells, []
    numbers = [parse_cell(c.text)[0] for _, _, c in value_cells[:width]]
    ints = [n for n in numbers if isinstance(n, int)]
    if len(ints) != len(numbers) or ints[-1] != sum(ints[:-1]):
        return value_cells, []
    last = value_cells[-1][2]
    why = (f"the text ends after {last.text.strip()!r}: the start of a row the text cuts "
           "off, not a cell of this row")
    return value_cells[:width], [(last, None, why)]


def drop_padding(placed: list[Placed]) -> list[Placed]:
    """Positions a text row does not have are no cells. Where the columns need one, the row
    ended early (cut by the end of an excerpt, or damaged): its cells are kept without a
    place rather than put in columns they may not belong to."""
    real = [p for p in placed if not p[0].pad]
    if not any(cid for c, cid, _ in placed if c.pad):
        return real
    n, m = len(real), len(placed)
    why = f"row ends after {n} of {m} cells (cut or damaged): cells not placed"
    return [(c, None, why) if cid is not None or not note else (c, None, note)
            for c, cid, note in real]
