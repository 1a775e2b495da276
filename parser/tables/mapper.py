"""Grids -> standard-table cells -> canonical keys, driven by the layout data.

Grids come from HTML, DOCX, PDF or text, so nothing here trusts positions: a table is
recognised by its labels, its version by marker labels, its columns by header text and its
rows by label (with the group context of merged cells: （三）不予公开 + 1.属于国家秘密). A table
may be spread over several grids (page breaks, split <table> elements); header rows may
repeat. A cell that cannot be placed without guessing becomes a fact with key=None and a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from parser.model import Cell, Fact, Grid
from parser.tables.labels import LabelMatcher, is_glued, normalize_label
from parser.tables.layout import RowDef, TableLayout, load_layouts
from parser.tables.values import key_unit, parse_cell, unit_in_header
from xxgk.settings import (
    TABLE_LABEL_MATCH_CACHE,
    TABLE_LOCATE_SLACK_CHARS,
    TABLE_PROSE_MIN_CHARS,
)

TABLE_IDS = ("二", "三", "四")
_PROSE_PUNCT = re.compile(r"[,;。!?]")  # after NFKC: ，；！？ are ASCII


@dataclass
class Segment:
    """Consecutive rows of one grid that belong to one standard table."""

    table: str
    grid: Grid
    rows: list[int]


@dataclass
class MappedTable:
    """A standard table found in a document: its version, its cell facts and its problems."""

    table: str
    version: str | None
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    segments: int = 0
    version_conflict: bool = False  # markers of two versions: a standard table, unreadable


# --------------------------------------------------------------------------- row helpers


def _is_numberish(text: str) -> bool:
    _, status, _ = parse_cell(text)
    return status == "value"


def _is_valueish(text: str) -> bool:
    _, status, _ = parse_cell(text)
    return status in ("value", "blank", "dash")


def _distinct(row: list[Cell], r: int) -> list[tuple[int, int, Cell]]:
    """(first column, span width, cell) for each source cell of a row, colspan copies merged.

    A rowspan copy (origin in an earlier row) is kept: it carries the group label of merged
    label cells; callers skip such copies where they would duplicate a value.
    """
    out: list[tuple[int, int, Cell]] = []
    last = None  # origin of out[-1]'s cell
    for j, cell in enumerate(row):
        origin = cell.origin
        if origin == last and (cell.span_copy or origin[0] != r):
            start, width, first = out[-1]
            out[-1] = (start, width + 1, first)
            continue
        out.append((j, 1, cell))
        last = origin
    return out


def _row_text(row: list[Cell], r: int) -> str:
    return " | ".join(c.text.strip() for _, _, c in _distinct(row, r) if c.text.strip())


# ------------------------------------------------------------------------ segmentation


def _names(cell: str, label: str) -> bool:
    """True when a cell's normalised text is the label, or the label with a little around it
    (numbering, a unit): a sentence of prose that mentions 信息内容 is not a table cell."""
    return bool(label) and label in cell and len(cell) <= 2 * len(label) + 6


def _is_prose(text: str) -> bool:
    """A line of running text, not a table label: long and with sentence punctuation."""
    norm = normalize_label(text)
    return len(norm) >= TABLE_PROSE_MIN_CHARS and bool(_PROSE_PUNCT.search(norm))


# Longest label text whose score is remembered (the longest template label is ~40 characters).
_MEMO_MAX_CHARS = 200


@dataclass(frozen=True, eq=False)
class _Probe:
    """What a row's label is compared with to score one table (its normalised headings and
    markers, its row matchers), and the points each label text already scored: reports print
    the same few hundred labels, and this comparison ran for every label of every row."""

    table: str
    headings: tuple[str, ...]  # normalised
    markers: tuple[str, ...]
    matchers: tuple[LabelMatcher, ...]
    memo: dict[str, int] = field(default_factory=dict)

    def points(self, norm: str) -> int:
        """3 for a heading, 2 for a marker, 1 for a row label of any version, else 0."""
        try:
            return self.memo[norm]
        except KeyError:
            pass
        if any(_names(norm, h) for h in self.headings):
            found = 3
        elif any(_names(norm, m) for m in self.markers):
            found = 2
        elif any(matcher.match(norm) is not None for matcher in self.matchers):
            found = 1
        else:
            found = 0
        if len(norm) <= _MEMO_MAX_CHARS:  # labels, not paragraphs, are worth keeping
            if len(self.memo) >= TABLE_LABEL_MATCH_CACHE:
                self.memo.clear()  # bounded, as LabelMatcher's memo
            self.memo[norm] = found
        return found


@cache
def _probes() -> tuple[_Probe, ...]:
    """One probe per standard table (layouts.toml is read once, so these are made once)."""
    return tuple(
        _Probe(
            tid,
            tuple(normalize_label(h) for h in layout.headings),
            tuple(normalize_label(m) for m in layout.markers),
            tuple(layout.row_matcher(v) for v in layout.versions),
        )
        for tid, layout in load_layouts().items()
    )


def _row_scores(texts: list[str], probes: tuple[_Probe, ...]) -> dict[str, int]:
    norms = [normalize_label(t) for t in texts if t.strip() and not _is_valueish(t)]
    scores: dict[str, int] = {}
    if not norms:
        return scores
    for probe in probes:
        s = sum(probe.points(n) for n in norms)
        if s:
            scores[probe.table] = s
    return scores


def segment_grids(grids: list[Grid]) -> list[Segment]:
    """Split grids into runs of rows per standard table (a row without labels follows on)."""
    probes = _probes()
    segments: list[Segment] = []
    current: str | None = None
    width = None
    for grid in grids:
        grid_width = len(grid.rows[0]) if grid.rows else 0
        if grid_width != width:
            current = None  # only a grid as wide as the last one continues its table unlabelled
        width = grid_width
        for r, row in enumerate(grid.rows):
            texts = [c.text for _, _, c in _distinct(row, r)]
            scores = _row_scores(texts, probes)
            if scores:
                best = max(scores.values())
                leaders = [t for t, s in scores.items() if s == best]
                if len(leaders) == 1:
                    current = leaders[0]
            elif any(_is_prose(t) for t in texts):
                current = None  # a sentence: the table (as rebuilt from text) has ended
            if current is None:
                continue
            if segments and segments[-1].table == current and segments[-1].grid is grid:
                segments[-1].rows.append(r)
            else:
                segments.append(Segment(current, grid, [r]))
    return segments


# --------------------------------------------------------------------------- versions


def detect_version(layout: TableLayout, segments: list[Segment]) -> tuple[str | None, str]:
    """The version a table prints, from its own marker labels; (None, reason) if unclear."""
    text = "".join(
        normalize_label(c.text) for s in segments for r in s.rows for c in s.grid.rows[r]
    )
    strong = {v: sum(normalize_label(m) in text for m in d.markers if m)
              for v, d in layout.versions.items()}
    weak = {v: sum(normalize_label(m) in text for m in d.weak_markers if m)
            for v, d in layout.versions.items()}
    if layout.kind == "matrix":  # 三: the split （六） is the only difference
        return ("v2021", "split （六）") if strong.get("v2021") else ("v2019", "single （六） row")
    hits = [v for v, n in strong.items() if n]
    if len(hits) == 1:
        return hits[0], "markers"
    if len(hits) > 1:
        ranked = sorted(hits, key=lambda v: -strong[v])
        if strong[ranked[0]] >= 3 * strong[ranked[1]]:
            return ranked[0], f"markers {strong}"
        return None, f"markers of several versions {strong}"
    whits = [v for v, n in weak.items() if n]
    if len(whits) == 1:
        return whits[0], "weak markers"
    return None, "no version marker"


# ------------------------------------------------------------------------------ header


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
        self.top: str | None = None
        self.group: str | None = None
        self.ignore = {normalize_label(t) for t in layout.ignore_headers}
        self.label_heads = {normalize_label(t) for t in layout.label_headers}
        self.captions = {normalize_label(t) for t in layout.captions}
        if version:
            self.rows = {r.id: r for r in layout.rows(version)}
            self.children: dict[str, list[RowDef]] = {}
            for r in layout.rows(version):
                if r.parent:
                    self.children.setdefault(r.parent, []).append(r)
        self.in_header = False
        self.data_rows = 0  # data rows since the last header block
        self.cursor = 0
        self.skip = (0, 0)  # span of the current row's label in the text
        self.last_logical: list[str] = []
        self.prev_row = (0, 0)  # facts of the last data row (indices into out.facts)

    # -- header -------------------------------------------------------------------------

    def _expected_width(self) -> int | None:
        if self.layout.kind == "matrix":
            return len(self.layout.columns(self.version or "v2021"))
        if self.layout.kind == "single_row":
            return len(self.layout.groups) * len(self.layout.columns(self.version or "v2021"))
        return None

    def _build_colmap(self, width: int) -> ColumnMap:
        assert self.version is not None
        matcher = self.layout.column_matcher(self.version)
        groups = {normalize_label(lab): g.id for g in self.layout.groups for lab in g.labels}
        by_pos: dict[int, str] = {}
        printed: dict[str, str] = {}
        origins: dict[str, set[tuple[int, int]]] = {}
        unknown: dict[int, str] = {}
        conflicts: list[int] = []
        for j in range(width):
            pieces: list[tuple[str, Cell]] = []
            last_origin = None
            for _, row in self.header_rows:
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
                if norm in self.ignore or norm in self.label_heads:
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
            if self.layout.kind == "single_row":
                if group is None:
                    continue
                col_id = f"{group}.{m.id}"
            by_pos[j] = col_id
            skip = self.ignore | self.label_heads
            printed.setdefault(col_id, " / ".join(
                c.text.strip() for n, c in pieces if n not in skip))
            origins.setdefault(col_id, set()).add(rest[-1][1].origin)
        ambiguous = {cid for cid, o in origins.items() if len(o) > 1}
        for j in [j for j, cid in by_pos.items() if cid in ambiguous]:
            del by_pos[j]
        if ambiguous:
            self.out.problems.append(f"ambiguous header: {sorted(ambiguous)} printed twice")
        cmap = ColumnMap(by_pos, printed, width, False, unknown)
        expected = self._expected_width()
        cmap.aligned = not ambiguous and not conflicts and (
            expected is None or len(cmap.logical()) == expected)
        if not cmap.aligned and expected is not None:
            # A fixed-width table (三, 四) whose header does not line up with the grid
            # columns: use no positions at all rather than some of them.
            return ColumnMap({}, {}, width, False)
        return cmap

    # -- rows ---------------------------------------------------------------------------

    def _match_row(self, parts: list[str]) -> tuple[RowDef | None, str | None]:
        """Row definition named by a row's label parts, using the merged-cell group context."""
        assert self.version is not None
        matcher = self.layout.row_matcher(self.version)
        leaf: RowDef | None = None
        last_unknown: str | None = None
        for part in self._split_compound(parts):
            if normalize_label(part) in self.captions:
                continue
            context = {r.id for r in self.rows.values() if r.parent is None}
            for ctx in (self.top, self.group):
                if ctx:
                    context |= {r.id for r in self.children.get(ctx, [])}
            m = matcher.match(part, among=context)
            if m is None:
                hits = matcher.exact(part)
                m_id = hits[0] if len(hits) == 1 else None
            else:
                m_id = m.id
            if m_id is None:
                if self._is_fragment(part):
                    continue
                last_unknown = part
                continue
            last_unknown = None
            row = self.rows[m_id]
            if row.parent is None:
                self.top, self.group = row.id, None
            elif row.id in self.children:
                self.top, self.group = row.parent, row.id
            leaf = row
        if last_unknown is not None:
            return None, f"unknown row label {last_unknown!r}"
        return leaf, None

    def _split_compound(self, parts: list[str]) -> list[str]:
        """Split a label that runs groups and their item together (（三）不予公开1.属于国家秘密,
        三、本年度办理结果（三）不予公开1.属于国家秘密 in a grid with one label column).

        Only when the whole text is no known label, it starts with a known group label, and
        what follows is, group by group, exactly a known item of that group.
        """
        out: list[str] = []
        for part in parts:
            out.extend(self._peel(part, normalize_label(part)) or [part])
        return out

    def _peel(self, part: str, norm: str, among: set[str] | None = None) -> list[str] | None:
        """`norm` as a chain of group labels ending in an exact item label, or None."""
        assert self.version is not None
        matcher = self.layout.row_matcher(self.version)
        if not norm:
            return None
        if matcher.exact(norm, among=among) if among is not None else matcher.exact(norm):
            return [part]
        for parent, kids in self.children.items():
            if among is not None and parent not in among:
                continue
            for v in matcher.variants[parent]:
                rest = norm[len(v) :].lstrip("/")
                if not (norm.startswith(v) and rest):
                    continue
                tail = self._peel(rest, rest, among={k.id for k in kids})
                if tail:
                    return [v, *tail]
        return None

    def _is_fragment(self, part: str) -> bool:
        """A piece of the current group's label cut off by a page break (（四）无 | 法提供)."""
        norm = normalize_label(part)
        for ctx in (self.group, self.top):
            if ctx and any(norm in v for v in self.layout.row_matcher(self.version).variants[ctx]):
                return True
        return False

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
            cells = _distinct(row, r)
            texts = [c.text for _, _, c in cells]
            norms = [normalize_label(t) for t in texts]
            if any(n in self.captions for n in norms):
                self.colmap, self.header_rows, self.in_header = None, [], False
                if all(n in self.captions or not n for n in norms):
                    continue
                # caption and header on one line (text-rebuilt grids): keep the header part
                row = [Cell("", c.origin, c.span_copy) if normalize_label(c.text) in self.captions
                       else c for c in row]
                cells = _distinct(row, r)
            labels = [(j, w, c) for j, w, c in cells if c.text.strip() and not _is_valueish(c.text)]
            has_number = any(_is_numberish(c.text) and c.origin[0] == r for _, _, c in cells)
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
                self.colmap = self._build_colmap(len(self.header_rows[0][1]))
                self.in_header = False
            if not has_number and not labels and not (
                self.layout.kind == "single_row" and self.colmap is not None
                and self.colmap.width == len(row)
            ):
                continue  # an empty row (table 四's one data row may be all blank)
            self.data_rows += 1
            self._data_row(grid, r, row, cells)

    def _data_row(self, grid: Grid, r: int, row: list[Cell], cells: list) -> None:
        cmap = self.colmap if self.colmap is not None and self.colmap.width == len(row) else None
        placed: list[tuple[Cell, str | None, str | None]] = []  # (cell, col_id, note)
        if cmap is not None and cmap.by_pos:
            cols = set(cmap.by_pos) | set(cmap.unknown)
            label_cells = [(j, w, c) for j, w, c in cells if not any(
                p in cols for p in range(j, j + w))]
            value_cells = [(j, w, c) for j, w, c in cells if any(
                p in cols for p in range(j, j + w)) and c.origin[0] == r]
            stray = [c for _, _, c in label_cells if _is_numberish(c.text)]
            if stray:
                cmap = None  # numbers outside the header's columns: the header is not aligned
        if cmap is None or not cmap.by_pos:
            label_cells, value_cells = self._split_unaligned(cells, r)
        parts = [c.text for _, _, c in label_cells if c.text.strip()]
        row_label = " / ".join(p.strip() for p in parts)
        row_def: RowDef | None = None
        row_note = None
        if self.layout.kind == "single_row" and self.data_rows > 1:
            row_note = f"data row {self.data_rows} under a header that has one data row"
        elif self.layout.kind != "single_row":
            if parts:
                row_def, row_note = self._match_row(parts)
                if row_def is None and row_note is None:
                    row_note = "row label names no row"
            else:
                row_note = "row has no label"
        logical = cmap.logical() if cmap is not None and cmap.by_pos else []
        if logical:
            self.last_logical = logical
            ids = []
            unknown_notes: dict[int, str] = {}
            for k, (j, w, _) in enumerate(value_cells):
                covered = {cmap.by_pos[p] for p in range(j, j + w) if p in cmap.by_pos}
                strange = [cmap.unknown[p] for p in range(j, j + w) if p in cmap.unknown]
                if strange and not covered:
                    unknown_notes[k] = f"column {strange[0]!r} is not a {self.version} column"
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
        evidence = _row_text(row, r)
        if parts and is_glued(parts[0]):
            self._distrust_previous_row(parts[0])
        first_fact = len(self.out.facts)
        self._locate_row(grid, parts)
        for cell, cid, note in placed:
            key = None
            if cid is not None and row_note is None:
                key = self.layout.cell_key(self.version, row_def.id if row_def else None, cid)
                if key is None:
                    rid = row_def.id if row_def else ""
                    note = (note + "; " if note else "") + f"no cell {rid}×{cid} in {self.version}"
            elif row_note:
                note = row_note
            col_label = (cmap.printed[cid] if cmap is not None and cid in cmap.printed
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
        own = [(j, w, c) for j, w, c in cells if c.origin[0] == r or not _is_valueish(c.text)]
        k = len(own)
        while k > 0 and _is_valueish(own[k - 1][2].text):
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
            mapper.rows = {r.id: r for r in layouts[tid].rows("v2021")}
            mapper.children = {}
        for seg in by_table[tid]:
            mapper.feed(seg.grid, seg.rows)
        if version is None:
            for f in mapper.out.facts:
                f.version = None
            mapper.out.version = None
        results.append(mapper.out)
    return results
