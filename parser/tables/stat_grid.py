"""Statistics tables among a document's grids (HTML, DOCX, PDF): header, then rows.

A grid is a statistics table when a row near its top names a value column (本年度, 2014年度,
历年累计, 统计数 …) beside the label or unit column (指标名称, 计量单位): that header gives
each grid column its role. Merged cells need no special case: a label spread over two
columns (其中 | 1.政府网站) is read as its pieces, a rowspan copy of a value is not a second
cell. A grid without such a header continues the table of the grid before it when it has
the same width (a table split by a page break).
"""

from __future__ import annotations

from parser.model import Document, Grid
from parser.tables.stat_layout import load_statistics
from parser.tables.stat_model import StatRow, StatTable
from parser.tables.stat_split import Piece
from xxgk.settings import TABLE_LOCATE_SLACK_CHARS

HEADER_ROWS = 6  # rows searched for the header (a caption or a note may come first)
_VALUE_ROLES = ("year", "cumulative", "year_to_date")


def _roles(grid: Grid) -> tuple[int, dict[int, tuple[str, str]]] | None:
    """(first data row, column -> (role, header as printed)) from the grid's header rows."""
    layout = load_statistics()
    for r in range(min(HEADER_ROWS, len(grid.rows))):
        cols: dict[int, tuple[str, str]] = {}
        for j, cell in enumerate(grid.rows[r]):
            role = layout.column_role(cell.text) if cell.text.strip() else None
            if role:
                cols[j] = (role, cell.text.strip())
        roles = {role for role, _ in cols.values()}
        if not (roles & set(_VALUE_ROLES)) or not (roles & {"label", "unit"}):
            continue
        end = r + 1
        # a second header row under the first (2014年度 / (本年度), or 甲 乙 丙 1 2)
        while end < len(grid.rows) and end < r + 3:
            below = grid.rows[end]
            if any(c.text.strip() and layout.column_role(c.text) is None
                   and not _code_cell(c.text) for c in below):
                break
            for j, cell in enumerate(below):
                role = layout.column_role(cell.text) if cell.text.strip() else None
                if role and j not in cols:
                    cols[j] = (role, cell.text.strip())
            end += 1
        return end, cols
    return None


def _code_cell(text: str) -> bool:
    """A cell of the row that numbers the columns (甲, 乙, 丙, 1, 2)."""
    t = text.strip()
    return t in ("甲", "乙", "丙", "丁") or (t.isdigit() and len(t) == 1)


def grid_tables(doc: Document) -> list[StatTable]:
    """Statistics tables among the document's grids, in document order."""
    tables: list[StatTable] = []
    last: tuple[int, dict[int, tuple[str, str]]] | None = None  # width, roles
    for grid in doc.tables:
        width = max((len(r) for r in grid.rows), default=0)
        found = _roles(grid)
        if found is None:
            if last is None or last[0] != width or not tables:
                last = None
                continue
            first, cols = 0, last[1]
        else:
            first, cols = found
        table = _read(doc.text, grid, first, cols)
        # a continuation counts only if its rows are rows of the form
        if found is None and not any(load_statistics().rows_named(r.label) for r in table.rows):
            last = None
            continue
        tables.append(table)
        last = (width, cols)
    return tables


def _read(text: str, grid: Grid, first: int, cols: dict[int, tuple[str, str]]) -> StatTable:
    values = sorted((j, rp) for j, rp in cols.items() if rp[0] in _VALUE_ROLES)
    unit_cols = [j for j, rp in cols.items() if rp[0] == "unit"]
    code_cols = [j for j, rp in cols.items() if rp[0] == "code"]
    lead = min([j for j, rp in cols.items() if rp[0] != "label"], default=0)
    label_cols = [j for j in range(lead) if cols.get(j, ("label", ""))[0] == "label"]
    finder = _Finder(text, grid)
    rows: list[StatRow] = []
    for r in range(first, len(grid.rows)):
        row = grid.rows[r]
        parts, seen = [], set()
        for j in label_cols:
            if j < len(row) and row[j].text.strip() and row[j].origin not in seen:
                seen.add(row[j].origin)
                parts.append(row[j].text.strip())
        if not parts:
            continue
        label = " / ".join(parts)
        start = finder.find(parts[-1])
        label_end = finder.cursor
        unit = next((row[j].text.strip() for j in unit_cols
                     if j < len(row) and row[j].text.strip()), None)
        if unit:
            finder.find(unit)
        pieces = []
        for j in code_cols + [j for j, _ in values]:
            cell = row[j] if j < len(row) else None
            own = cell is not None and cell.origin[0] == r and not cell.span_copy
            txt = cell.text.strip() if own and cell is not None else ""
            a = finder.find(txt) if txt else -1
            pieces.append(Piece(txt, a, a + len(txt) if a >= 0 else -1, cut=False))
        end = max([label_end] + [p.end for p in pieces])
        rows.append(StatRow(label, start if start >= 0 else grid.start, end, pieces, unit,
                            label_start=start))
    return StatTable([rp for _, rp in values], bool(code_cols), rows, grid.start, grid.end,
                     grid.source)


class _Finder:
    """Offsets of cell texts in the document text, searched in order inside the grid's span
    (PDF grids' spans are page-based: a little past it too)."""

    def __init__(self, text: str, grid: Grid) -> None:
        self.text = text
        self.cursor = max(grid.start, 0)
        end = grid.end if grid.end > 0 else len(text)
        self.stop = min(len(text), end + TABLE_LOCATE_SLACK_CHARS)

    def find(self, cell: str) -> int:
        probe = cell.split("\n")[0].strip()
        if not probe:
            return -1
        i = self.text.find(probe, self.cursor, self.stop)
        if i >= 0:
            self.cursor = i + len(probe)
        return i
