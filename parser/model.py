"""The parser's data model: what every stage hands to the next.

These classes are the contract between the loaders (bytes -> `Document`), the text and
table extractors (`Document` -> `Fact`s, `Check`s) and the archive. They are plain
dataclasses so that `to_dict()` gives exactly the JSON that `xxgk parse` prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Number = int | float


class DocumentError(Exception):
    """A document that cannot be read. The message names the reason in plain words."""


@dataclass
class Cell:
    """One position of a table grid after row/column spans are expanded.

    `origin` is the (row, col) of the source cell that covers this position, so a merged
    cell appears in every position it spans but only one of them is its origin. `pad` marks
    a position that a row rebuilt from text does not have (the row printed fewer cells than
    its table is wide): it is no cell at all, never a blank one, since text cannot show
    where the row's missing cell was.
    """

    text: str
    origin: tuple[int, int]
    span_copy: bool = False  # True where this position repeats a merged cell's origin
    pad: bool = False  # True where a text row ends before the grid's width


@dataclass
class Grid:
    """A table as a rectangular grid of cell texts, from any source format.

    `source` says where the grid came from (html, docx, pdf, text); `start`/`end` are the
    offsets in `Document.text` of the table's text (or -1 when the table has no text span);
    `page` is the 1-based PDF page where the table starts.
    """

    rows: list[list[Cell]]
    source: str
    start: int = -1
    end: int = -1
    page: int | None = None

    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]


@dataclass
class Document:
    """A source document turned into clean text.

    `text` is the report body without page chrome; every fact and section points into it.
    `offsets[i]` is the position in `raw` of `text[i]`, so evidence can be shown in the
    source (for HTML `raw` is the decoded markup, for PDF and DOCX the extracted text layer).
    """

    source: str
    kind: str  # html | text | pdf | docx
    text: str
    offsets: list[int]
    raw: str
    encoding: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    tables: list[Grid] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)  # text offset where each PDF page starts

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `text` back to `raw`."""
        if not self.offsets or start >= end:
            return (-1, -1)
        return (self.offsets[start], self.offsets[end - 1] + 1)


@dataclass
class Section:
    """A numbered heading and the span of text it governs."""

    number: str  # as printed, normalised: 一 / （一） / 1. / （1） / ①
    heading: str
    level: int  # 1 = 一、, 2 = （一）, 3 = 1., 4 = （1）, 5 = ①
    key: str | None  # canonical key for top-level sections (overview, active, ...)
    start: int
    end: int
    parent: int | None = None  # index of the parent section in the list


@dataclass
class Fact:
    """One number the document states, with where and how it was found.

    `status` tells a stated value from the ways a table cell can hold none:
    value (a number is printed), zero_word (a zero stated in words), blank (empty cell),
    dash (-, /, — and similar: not applicable or nil as printed), unreadable (text that is
    not a number, or a run of digits that cannot be split into cells with certainty).
    """

    key: str | None
    value: Number | None
    unit: str | None
    label: str
    evidence: str
    section: str | None
    method: str  # text | table
    start: int
    end: int
    raw: str = ""
    status: str = "value"
    percent_of: Number | None = None  # for a percentage: the count it describes
    table: str | None = None  # 二 / 三 / 四 for table facts
    row: str | None = None
    column: str | None = None
    version: str | None = None  # v2019 | v2021 for table facts
    note: str | None = None  # why a fact has no key (unplaced cell) and similar


@dataclass
class Check:
    """An integrity rule and whether the document's own numbers satisfy it."""

    rule: str
    ok: bool
    detail: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParseResult:
    source: str
    title: str | None = None
    publisher: str | None = None
    publisher_source: str | None = None  # text | page metadata | provenance
    report_year: int | None = None
    report_year_source: str | None = None  # text… | provenance: … | publication date minus one
    published: str | None = None
    format: str | None = None
    is_report: bool = True
    not_report_reason: str | None = None
    kind: str | None = None
    encoding: str | None = None
    sections: list[Section] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    values_notes: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
