"""Grids -> standard-table cells -> canonical keys, driven by the layout data.

Grids come from HTML, DOCX, PDF or text, so nothing here trusts positions: a table is
recognised by its labels, its version by marker labels, its columns by header text and its
rows by label (with the group context of merged cells: （三）不予公开 + 1.属于国家秘密). A table
may be spread over several grids (page breaks, split <table> elements); header rows may
repeat. A cell that cannot be placed without guessing becomes a fact with key=None and a note.
"""

from __future__ import annotations

from parser.model import Cell, Fact, Grid
from parser.tables.header import ColumnMap, build_colmap, expected_width
from parser.tables.labels import is_glued, normalize_label
from parser.tables.layout import RowDef, TableLayout, load_layouts
from parser.tables.row_cells import cut_at_text_end, damaged_header, drop_padding
from parser.tables.row_match import RowContext
from parser.tables.segments import (
    TABLE_IDS,
    MappedTable,
    Segment,
    detect_version,
    distinct,
    is_numberish,
    is_valueish,
    row_text,
    segment_grids,
)
from parser.tables.values import key_unit, parse_cell, unit_in_header
from xxgk.settings import TABLE_LOCATE_SLACK_CHARS

__all__ = ["TABLE_IDS", "MappedTable", "Segment", "TableMapper", "detect_version", "map_tables"]


def _covers(cols: set[int], j: int, w: int) -> bool:
    """Whether a cell at column j spanning w columns covers one of `cols`."""
    return j in cols if w == 1 else any(p in cols for p in range(j, j + w))


class TableMapper:
    """Maps the row segments of one standard table; keeps context across its fragments."""

    def __init__(self, layout: TableLayout, version: str | None, doc_text: str) -> None:
        self.layout = layout
        self.version = version
        self.doc_text = doc_text
        self.out = MappedTable(layout.id, version)
        self.colmap: ColumnMap | None = None
        self.header_rows: list[tuple[int, list[Cell]]] = []
        self.header_text = ""  # all header text seen in this table, normalised
        self.ignore = {normalize_label(t) for t in layout.ignore_headers}
        self.label_heads = {normalize_label(t) for t in layout.label_headers}
        self.captions = {normalize_label(t) for t in layout.captions}
        self.rowctx = RowContext(layout, version) if version else None
        self.in_header = False
        self.data_rows = 0  # data rows since the last header block
        self.cursor = 0
        self.skip = (0, 0)  # span of the current row's label in the text
        self.last_logical: list[str] = []
        self.prev_row = (0, 0)  # facts of the last data row (indices into out.facts)

    # -- header -------------------------------------------------------------------------

    def _expected_width(self) -> int | None:
        return expected_width(self.layout, self.version)

    # -- rows ---------------------------------------------------------------------------

    def _looks_like_header(self, labels: list) -> bool:
        """A row after data rows is a (repeated) header only if it names a column or a
        column group, or is stacked single characters; else it is a data row whose label
        is unknown (and whose empty cells must not reset the columns)."""
        assert self.version is not None
        cols = self.layout.column_matcher(self.version)
        named = {normalize_label(t) for t in self.layout.ignore_headers + self.layout.label_headers}
        named |= {normalize_label(lab) for g in self.layout.groups for lab in g.labels}
        for _, _, c in labels:
            norm = normalize_label(c.text)
            if norm in named or cols.match(norm) is not None or len(norm) <= 2:
                return True
        return False

    def feed(self, grid: Grid, rows: list[int]) -> None:
        """Map one segment's rows: captions, header blocks (repeated on new pages), data."""
        if self.version is None:
            return
        for r in rows:
            row = grid.rows[r]
            cells = distinct(row, r)
            texts = [c.text for _, _, c in cells]
            norms = [normalize_label(t) for t in texts]
            if any(n in self.captions for n in norms):
                self.colmap, self.header_rows, self.in_header = None, [], False
                if all(n in self.captions or not n for n in norms):
                    continue
                # caption and header on one line (text-rebuilt grids): keep the header part
                row = [Cell("", c.origin, c.span_copy) if normalize_label(c.text) in self.captions
                       else c for c in row]
                cells = distinct(row, r)
            labels = [(j, w, c) for j, w, c in cells if c.text.strip() and not is_valueish(c.text)]
            has_number = any(is_numberish(c.text) and c.origin[0] == r for _, _, c in cells)
            names_row = False
            if labels and self.layout.kind != "single_row":
                probe = self.layout.row_matcher(self.version)
                names_row = any(probe.match(c.text) is not None for _, _, c in labels)
            if not names_row and not has_number and labels and (
                    self.in_header or self.data_rows == 0 or self._looks_like_header(labels)):
                if not self.in_header:
                    self.header_rows, self.in_header = [], True
                    self.data_rows = 0
                self.header_rows.append((r, row))
                self.header_text += "".join(normalize_label(c.text) for _, _, c in labels)
                continue
            if self.in_header:
                self.colmap = build_colmap(self.layout, self.version, self.header_rows,
                                           len(self.header_rows[0][1]), self.out.problems)
                self.in_header = False
            if not has_number and not labels and not (
                self.layout.kind == "single_row" and self.colmap is not None
                and self.colmap.width == len(row)
            ):
                continue  # an empty row (table 四's one data row may be all blank)
            self.data_rows += 1
            self._data_row(grid, r, row, cells)

    def _data_row(self, grid: Grid, r: int, row: list[Cell], cells: list) -> None:
        version = self.version
        assert version is not None  # feed() maps rows only once the version is known
        cmap = self.colmap if self.colmap is not None and self.colmap.width == len(row) else None
        placed: list[tuple[Cell, str | None, str | None]] = []  # (cell, col_id, note)
        if cmap is not None and cmap.by_pos:
            cols = set(cmap.by_pos) | set(cmap.unknown)
            label_cells, value_cells = [], []
            for cell in cells:
                j, w, c = cell
                if not _covers(cols, j, w):
                    label_cells.append(cell)
                elif c.origin[0] == r:
                    value_cells.append(cell)
            stray = [c for _, _, c in label_cells if is_numberish(c.text)]
            if stray:
                cmap = None  # numbers outside the header's columns: the header is not aligned
        surplus: list[tuple[Cell, str | None, str | None]] = []
        if cmap is None or not cmap.by_pos:
            label_cells, value_cells = self._split_unaligned(cells, r)
            value_cells, surplus = cut_at_text_end(self.layout, version, self.doc_text,
                                                   grid, r, value_cells)
        parts = [c.text for _, _, c in label_cells if c.text.strip()]
        row_label = " / ".join(p.strip() for p in parts)
        row_def: RowDef | None = None
        row_note = None
        if self.layout.kind == "single_row" and self.data_rows > 1:
            row_note = f"data row {self.data_rows} under a header that has one data row"
        elif self.layout.kind != "single_row":
            if parts:
                row_def, row_note = self.rowctx.match(parts)  # type: ignore[union-attr]
                if row_def is None and row_note is None:
                    row_note = "row label names no row"
            else:
                row_note = "row has no label"
        logical = cmap.logical() if cmap is not None and cmap.by_pos else []
        if logical and cmap is not None:  # logical is empty without a column map
            self.last_logical = logical
            ids = []
            unknown_notes: dict[int, str] = {}
            for k, (j, w, _) in enumerate(value_cells):
                covered = {cmap.by_pos[p] for p in range(j, j + w) if p in cmap.by_pos}
                strange = [cmap.unknown[p] for p in range(j, j + w) if p in cmap.unknown]
                if strange and not covered:
                    unknown_notes[k] = f"column {strange[0]!r} is not a {version} column"
                ids.append(covered.pop() if len(covered) == 1 else None)
            known = [k for k in range(len(ids)) if k not in unknown_notes]
            kids = [ids[k] for k in known]
            if None in kids or len(set(kids)) != len(kids):
                kids = list(logical) if len(known) == len(logical) else [None] * len(known)
                for k, cid in zip(known, kids, strict=True):
                    ids[k] = cid
            for k, ((_, _, c), cid) in enumerate(zip(value_cells, ids, strict=True)):
                note = unknown_notes.get(k) or (None if cid else (
                    f"{len(known)} value cells do not fit the header's {len(logical)} columns"))
                placed.append((c, cid, note))
        else:
            order, how = self._template_order(len(value_cells))
            for k, (_, _, c) in enumerate(value_cells):
                placed.append((c, order[k] if order else None, how))
        if self.layout.kind == "cells" and row_note is None and row_def is not None:
            placed = damaged_header(self.layout, version, self.header_rows, placed,
                                    row_def.id)
        placed = drop_padding(placed + surplus)
        evidence = row_text(row, r)
        if parts and is_glued(parts[0]):
            self._distrust_previous_row(parts[0])
        first_fact = len(self.out.facts)
        self._locate_row(grid, parts)
        for cell, cid, note in placed:
            key = None
            if cid is not None and row_note is None:
                key = self.layout.cell_key(version, row_def.id if row_def else None, cid)
                if key is None:
                    rid = row_def.id if row_def else ""
                    note = (note + "; " if note else "") + f"no cell {rid}×{cid} in {version}"
            elif row_note:
                note = row_note
            col_label = (cmap.printed[cid] if cmap is not None and cid in cmap.printed
                         else self.colmap.printed[cid]  # the block's header: its unit counts
                         if self.colmap is not None and cid in self.colmap.printed
                         else self._default_col_label(cid))
            self._emit(grid, cell, key, row_label, col_label or "", evidence, note,
                       key_ok=key is not None)
        self._end_row()
        self.prev_row = (first_fact, len(self.out.facts))

    def _distrust_previous_row(self, label: str) -> None:
        """A number glued before this row's label ("805 四、结转…") is a value the text-grid
        builder took from the row above, whose last cell then reads empty: that empty cell
        is not placed (its real value is not guessed back either)."""
        start, end = self.prev_row
        if end > start:
            f = self.out.facts[end - 1]
            if f.status == "blank" and f.key is not None:
                f.key = None
                f.note = f"row boundary unclear: the next row's label {label.strip()!r} starts " \
                         "with a number"

    def _split_unaligned(self, cells: list, r: int) -> tuple[list, list]:
        """Label cells and value cells of a row whose columns the header does not give."""
        own = [(j, w, c) for j, w, c in cells if c.origin[0] == r or not is_valueish(c.text)]
        k = len(own)
        while k > 0 and is_valueish(own[k - 1][2].text):
            k -= 1
        labels, values = own[:k], own[k:]
        expected = self._expected_width()
        if expected is None and self.colmap is not None and self.colmap.by_pos:
            expected = len(self.colmap.logical())  # table 二: the block header's columns
        while expected and len(values) > expected and not values[0][2].text.strip():
            labels.append(values.pop(0))  # an empty label cell, not a value
        while expected and len(values) > expected and not values[-1][2].text.strip():
            values.pop()  # padding of a ragged row, not a value
        return labels, values

    def _template_order(self, n: int) -> tuple[list[str] | None, str]:
        """Columns in the template's order when the header is present but not cell-aligned.

        Used only when the table's header text names every column of the layout (so the
        table is the standard one) and the row has exactly as many values as the template.
        """
        assert self.version is not None
        cols = self.layout.columns(self.version)
        if self.layout.kind == "single_row":
            ids = [f"{g.id}.{c.id}" for g in self.layout.groups for c in cols]
            named = all(any(normalize_label(lab) in self.header_text for lab in g.labels)
                        for g in self.layout.groups)
        elif self.layout.kind == "matrix":
            ids = [c.id for c in cols]
            named = all(any(normalize_label(lab) in self.header_text for lab in c.labels)
                        for c in cols)
        else:
            own = self.colmap.logical() if self.colmap is not None else []
            if own and n == len(own):
                return own, "columns in the order of the block's header (not cell-aligned)"
            if not own and self.last_logical and n == len(self.last_logical):
                return self.last_logical, "columns of the header above (table continued)"
            if own:
                return None, f"{n} values where the block's header has {len(own)} columns"
            return None, "no header above these values"
        if not named:
            return None, "header does not name every column of the template"
        if n != len(ids):
            return None, f"{n} values where the template has {len(ids)} columns"
        return ids, "columns in template order: header text not aligned with the cells"

    def _default_col_label(self, cid: str | None) -> str:
        if cid is None or self.version is None:
            return ""
        if self.layout.kind == "single_row":
            g, _, c = cid.rpartition(".")
            gl = next(x.labels[0] for x in self.layout.groups if x.id == g)
            cl = next(x.labels[0] for x in self.layout.columns(self.version) if x.id == c)
            return f"{gl} / {cl}"
        return next((x.labels[0] for x in self.layout.columns(self.version) if x.id == cid), cid)

    # -- facts --------------------------------------------------------------------------

    def _find(self, grid: Grid, text: str) -> int:
        """Position of `text` at or after the cursor, outside the row label's own text: inside
        the grid's span, else just past it (PDF grid spans are page-based). Returns -1 when
        the text is not found."""
        end = grid.end if grid.end > 0 else len(self.doc_text)
        for stop in (end, min(len(self.doc_text), end + TABLE_LOCATE_SLACK_CHARS)):
            start = self.cursor
            while True:
                i = self.doc_text.find(text, start, stop)
                if i < 0 or not (self.skip[0] <= i < self.skip[1]):
                    break
                start = self.skip[1]
            if i >= 0:
                return i
        return -1

    def _locate_row(self, grid: Grid, parts: list[str]) -> None:
        """Find the row label; values are then looked for from the end of the previous row
        (PDF text can print a row's numbers before its label), skipping the label itself."""
        self.skip = (0, 0)
        if grid.start < 0:
            return
        self.cursor = max(self.cursor, grid.start)
        if parts:
            probe = parts[-1].strip().split("\n")[0].strip()
            i = self._find(grid, probe)
            if i >= 0:
                self.skip = (i, i + len(probe))

    def _end_row(self) -> None:
        self.cursor = max(self.cursor, self.skip[1])
        self.skip = (0, 0)

    def _emit(self, grid: Grid, cell: Cell, key: str | None, row_label: str, col_label: str,
              evidence: str, note: str | None, key_ok: bool) -> None:
        """One fact per cell; `note` says why a cell has no key or how it was placed."""
        unit = key_unit(key) if key else None
        value, status, vnote = parse_cell(cell.text, unit, unit_in_header(col_label))
        start, end = grid.start, grid.end
        raw = cell.text.strip()
        if raw and grid.start >= 0:
            i = self._find(grid, raw)
            if i >= 0:
                start, end = i, i + len(raw)
                self.cursor = end
        if not key_ok and note is None:
            note = "cell not placed"
        if vnote:
            note = f"{note}; {vnote}" if note else vnote
        self.out.facts.append(Fact(
            key=key,
            value=value,
            unit=unit,
            label=f"{row_label} | {col_label}",
            evidence=evidence,
            section=self.layout.id,
            method="ocr" if grid.source == "ocr" else "table",  # parser/ocr_facts.py
            start=start,
            end=end,
            raw=raw,
            status=status,
            table=self.layout.id,
            row=row_label,
            column=col_label,
            version=self.version,
            note=note,
            confidence=cell.confidence,
        ))


def map_tables(
    grids: list[Grid], doc_text: str = "", skip: frozenset[str] = frozenset()
) -> list[MappedTable]:
    """Find the standard tables among `grids` and map every cell to a fact.

    Tables in `skip` (found already by the caller) are segmented and their version detected,
    since their rows delimit the other tables and table 四 takes its version from them, but
    their cells are not mapped: the caller would throw those facts away.
    """
    layouts = load_layouts()
    segments = segment_grids(grids)
    by_table: dict[str, list[Segment]] = {}
    for s in segments:
        by_table.setdefault(s.table, []).append(s)
    versions: dict[str, tuple[str | None, str]] = {
        tid: detect_version(layouts[tid], segs) for tid, segs in by_table.items()
    }
    results: list[MappedTable] = []
    for tid in TABLE_IDS:
        if tid not in by_table or tid in skip:
            continue
        version, why = versions[tid]
        if tid == "四":
            # Identical in both formats: take the version of the report's table 二, or v2021
            # from a split （六） in table 三 (a single （六） row is printed in both formats).
            version = versions.get("二", (None, ""))[0]
            if version is None and versions.get("三", (None, ""))[0] == "v2021":
                version = "v2021"
            why = "version of the report's other tables"
        mapper = TableMapper(layouts[tid], version, doc_text)
        mapper.out.segments = len(by_table[tid])
        if version is None and tid != "四":
            mapper.out.problems.append(f"version not recognised: {why}")
            mapper.out.version_conflict = why.startswith("markers of several versions")
            results.append(mapper.out)
            continue
        if version is None:
            mapper.version = "v2021"  # layout identical; the facts carry version=None
            mapper.rowctx = RowContext(layouts[tid], "v2021")
        for seg in by_table[tid]:
            mapper.feed(seg.grid, seg.rows)
        if version is None:
            for f in mapper.out.facts:
                f.version = None
            mapper.out.version = None
        results.append(mapper.out)
    return results
