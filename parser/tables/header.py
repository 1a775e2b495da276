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


def row_columns(layout: TableLayout, version: str, row_id: str) -> list[str]:
    """The column ids a row of table 二 has in the template, in the template's order."""
    refs = layout.versions[version].cells
    return [ref.rsplit(".", 1)[1] for ref in refs if ref.rsplit(".", 1)[0] == row_id]


def damaged_header_order(layout: TableLayout, version: str,
                         header_rows: list[tuple[int, list[Cell]]], row_id: str,
                         n_values: int) -> tuple[list[str] | None, str]:
    """Columns of a table-二 row in the template's order, where its block's header is
    damaged but still recognisably the template's (d19 of the dev set prints 本年新制作数量
    twice, d22 本年新 | 本年新): the row is known, it has as many values as the template
    gives it, and the header names exactly that many columns, each either the template's
    column at that place, a cut-off start of it, its words split over two cells, or a copy
    of its neighbour's name. A header naming a column at another place is not damaged but
    different: no order is taken from the template then."""
    expected = row_columns(layout, version, row_id)
    if not expected or len(expected) != n_values:
        return None, f"{n_values} values where the template gives the row {len(expected)}"
    matcher = layout.column_matcher(version)
    labels = {c.id: [normalize_label(x) for x in c.labels] for c in layout.columns(version)}
    texts = _header_texts(layout, header_rows)
    names = _join_fragments(texts, labels)
    if len(names) != len(expected):
        return None, f"the block's header names {len(names)} columns, the template {n_values}"
    def fits(name: str, col: str) -> str | None:
        """How a header text names a template column: exact, cut (its start), or None."""
        if matcher.exact(name) == [col]:
            return "exact"
        if len(name) >= 2 and not matcher.exact(name) and any(
                lab.startswith(name) for lab in labels[col]):
            return "cut"
        return None

    ways = [fits(name, col) for name, col in zip(names, expected, strict=True)]
    for i, way in enumerate(ways):
        if way:
            continue
        # a copy of a neighbour's name that fits the neighbour's own place
        if not any(0 <= k < len(names) and names[k] == names[i] and ways[k]
                   for k in (i - 1, i + 1)):
            return None, f"header {names[i]!r} is not the template's {expected[i]!r}"
        ways[i] = "copy"
    if "exact" not in ways and len(set(names)) < len(names):
        return None, "no header cell names its column, and names repeat"
    return expected, ("damaged header " + " | ".join(names)
                      + ": columns in the template's order")


def _header_texts(layout: TableLayout, header_rows: list[tuple[int, list[Cell]]]) -> list[str]:
    """The header's column names in printed order: after the label header (信息内容), without
    captions, super-headers and repeated cells of one merged cell."""
    skip = {normalize_label(t) for t in layout.ignore_headers + layout.captions}
    heads = {normalize_label(t) for t in layout.label_headers}
    texts: list[str] = []
    for r, row in header_rows:
        seen = set()
        for cell in row:
            norm = normalize_label(cell.text)
            if not norm or cell.origin in seen or cell.origin[0] != r:
                continue
            seen.add(cell.origin)
            if norm in heads:
                texts = []  # what stood before the label header is a heading or a caption
                continue
            if norm not in skip:
                texts.append(norm)
    return texts


def _join_fragments(texts: list[str], labels: dict[str, list[str]]) -> list[str]:
    """Rejoin a column name split over two cells (本年新 | 制作数量)."""
    every = {lab for labs in labels.values() for lab in labs}
    out: list[str] = []
    i = 0
    while i < len(texts):
        if i + 1 < len(texts) and texts[i] not in every and texts[i] + texts[i + 1] in every:
            out.append(texts[i] + texts[i + 1])
            i += 2
            continue
        out.append(texts[i])
        i += 1
    return out
