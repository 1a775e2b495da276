"""A table block's header rows -> which grid column holds which column of the layout.

Header cells are matched to column labels (merged cells, stacked group names and super-
headers allowed); a column named twice, or two names stacked in one grid column, make the
header ambiguous, and a fixed-width table (三, 四) then uses no position at all rather than
some of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parser.model import Cell
from parser.tables.labels import normalize_label
from parser.tables.layout import TableLayout


@dataclass
class ColumnMap:
    """Grid column -> column id, from the header rows above the data."""

    by_pos: dict[int, str]
    printed: dict[str, str]  # column id -> header text as printed
    width: int
    aligned: bool  # every expected column found, one grid column (span) each
    unknown: dict[int, str] = field(default_factory=dict)  # header text naming no column

    def logical(self) -> list[str]:
        seen: list[str] = []
        for j in sorted(self.by_pos):
            if self.by_pos[j] not in seen:
                seen.append(self.by_pos[j])
        return seen


def expected_width(layout: TableLayout, version: str | None) -> int | None:
    """Value columns of a fixed-width table (三: 7, 四: 15); None for table 二's blocks."""
    if layout.kind == "matrix":
        return len(layout.columns(version or "v2021"))
    if layout.kind == "single_row":
        return len(layout.groups) * len(layout.columns(version or "v2021"))
    return None


def build_colmap(layout: TableLayout, version: str, header_rows: list[tuple[int, list[Cell]]],
             width: int, problems: list[str]) -> ColumnMap:
    """Grid column -> column id from a block's header rows; a fixed-width table (三, 四) whose
    header does not line up with the grid columns gets no positions at all."""
    ignore = {normalize_label(t) for t in layout.ignore_headers}
    label_heads = {normalize_label(t) for t in layout.label_headers}
    matcher = layout.column_matcher(version)
    groups = {normalize_label(lab): g.id for g in layout.groups for lab in g.labels}
    by_pos: dict[int, str] = {}
    printed: dict[str, str] = {}
    origins: dict[str, set[tuple[int, int]]] = {}
    unknown: dict[int, str] = {}
    conflicts: list[int] = []
    for j in range(width):
        pieces: list[tuple[str, Cell]] = []
        last_origin = None
        for _, row in header_rows:
            if j >= len(row):
                continue
            cell = row[j]
            if cell.origin == last_origin or not cell.text.strip():
                continue
            last_origin = cell.origin
            pieces.append((normalize_label(cell.text), cell))
        group = None
        rest: list[tuple[str, Cell]] = []
        for norm, cell in pieces:
            if norm in ignore or norm in label_heads:
                continue
            if norm in groups:
                group = groups[norm]
                continue
            rest.append((norm, cell))
        if not rest:
            continue
        singles = {x.id for x in (matcher.match(n) for n, _ in rest) if x is not None}
        if len(singles) > 1:  # two column names stacked in one grid column: not aligned
            conflicts.append(j)
            continue
        m = matcher.match("".join(n for n, _ in rest))
        if m is None and len(rest) > 1:
            m = matcher.match(rest[-1][0])
            rest = rest[-1:]
        if m is None:
            unknown[j] = " / ".join(c.text.strip() for _, c in rest)
            continue
        col_id = m.id
        if layout.kind == "single_row":
            if group is None:
                continue
            col_id = f"{group}.{m.id}"
        by_pos[j] = col_id
        skip = ignore | label_heads
        printed.setdefault(col_id, " / ".join(
            c.text.strip() for n, c in pieces if n not in skip))
        origins.setdefault(col_id, set()).add(rest[-1][1].origin)
    ambiguous = {cid for cid, o in origins.items() if len(o) > 1}
    for j in [j for j, cid in by_pos.items() if cid in ambiguous]:
        del by_pos[j]
    if ambiguous:
        problems.append(f"ambiguous header: {sorted(ambiguous)} printed twice")
    cmap = ColumnMap(by_pos, printed, width, False, unknown)
    expected = expected_width(layout, version)
    cmap.aligned = not ambiguous and not conflicts and (
        expected is None or len(cmap.logical()) == expected)
    if not cmap.aligned and expected is not None:
        # A fixed-width table (三, 四) whose header does not line up with the grid
        # columns: use no positions at all rather than some of them.
        return ColumnMap({}, {}, width, False)
    return cmap
