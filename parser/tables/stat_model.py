"""What the statistics-table readers hand to its mapper: a table of rows × value columns.

Two kinds of reader feed one mapper (statistics.py): grids (HTML, DOCX, PDF tables, cells
known) and text (every rendering a page's text gives: cells on one line with or without
spaces, one per line, `cell |` lines, pipe rows). A row keeps its printed label, its unit
and the pieces after its label; a grid row's pieces are its cells, a text row's pieces may
still hold several cells (stat_split.py decides, with proof, or leaves the row unplaced).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parser.tables.stat_split import Piece


@dataclass
class StatRow:
    """One printed row: label (as printed; pieces a merged cell adds are joined by " / "),
    unit, the pieces after them, and where the row stands in the document text."""

    label: str
    start: int
    end: int
    pieces: list[Piece]
    unit: str | None = None
    label_start: int = -1
    note: str | None = None  # a reader's reason why the row cannot be read


@dataclass
class StatTable:
    """A statistics table as read: its value columns (role, header as printed) in order,
    whether rows print a code first, its rows and its span in the document text."""

    columns: list[tuple[str, str]]
    code: bool
    rows: list[StatRow]
    start: int
    end: int
    source: str  # html | docx | pdf | text
    problems: list[str] = field(default_factory=list)
