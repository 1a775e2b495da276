"""Which rows of which grids are which standard table, and which version a table prints.

Grids come from HTML, DOCX, PDF or text, so nothing here trusts positions: each row's label
texts are scored against every table's headings, markers and row labels, and a run of rows
belongs to the table that scores best (a row without labels follows on). The version is told
by the marker labels the table's own rows print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from parser.model import Cell, Fact, Grid
from parser.tables.labels import LabelMatcher, normalize_label
from parser.tables.layout import TableLayout, load_layouts
from parser.tables.values import parse_cell
from xxgk.settings import TABLE_LABEL_MATCH_CACHE, TABLE_PROSE_MIN_CHARS

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


def is_numberish(text: str) -> bool:
    _, status, _ = parse_cell(text)
    return status == "value"


def is_valueish(text: str) -> bool:
    _, status, _ = parse_cell(text)
    return status in ("value", "blank", "dash")


def distinct(row: list[Cell], r: int) -> list[tuple[int, int, Cell]]:
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


def row_text(row: list[Cell], r: int) -> str:
    return " | ".join(c.text.strip() for _, _, c in distinct(row, r) if c.text.strip())


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
    norms = [normalize_label(t) for t in texts if t.strip() and not is_valueish(t)]
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
            texts = [c.text for _, _, c in distinct(row, r)]
            scores = _row_scores(texts, probes)
            if scores:
                best = max(scores.values())
                leaders = [t for t, s in scores.items() if s == best]
                if len(leaders) == 1:
                    current = leaders[0]
            elif any(_is_prose(t) for t in texts) and not any(is_numberish(t) for t in texts):
                # a sentence: the table (as rebuilt from text) has ended; a long label with
                # commas in front of its own cells (a local row with an explanation) has not
                current = None
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
