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
    # OCR'd cells only (parser/ocr_grid.py): the engine's lowest character confidence, 0–1.
    confidence: float | None = None


@dataclass
class Grid:
    """A table as a rectangular grid of cell texts, from any source format.

    `source` says where the grid came from (html, docx, pdf, text, ocr); `start`/`end` are the
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
    # Regions read by OCR (scanned PDF pages, images in a page): where, and how sure.
    ocr: list[OcrRegion] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `text` back to `raw`."""
        if not self.offsets or start >= end:
            return (-1, -1)
        return (self.offsets[start], self.offsets[end - 1] + 1)


@dataclass
class OcrRegion:
    """A part of a document that had no text and was read by OCR: a PDF page without a text
    layer, or an image in a report page. `start`/`end` is its text in `Document.text`;
    `confidences` holds the engine's confidence of each character of that text (None for
    the separators OCR added), so any fact inside it can say how sure the reading is."""

    page: int | None  # 1-based PDF page, or None for an image
    image: str | None  # the image's URL or path as the page names it (src), or None
    start: int
    end: int
    confidences: list[float | None] = field(default_factory=list)
    low_confidence: int = 0  # characters below settings.OCR_MIN_CONFIDENCE
    seconds: float = 0.0
    engine: str = ""

    def summary(self) -> dict[str, Any]:
        """What ParseResult.ocr and the archive keep (without the per-character list)."""
        known = [c for c in self.confidences if c is not None]
        return {
            "page": self.page,
            "image": self.image,
            "start": self.start,
            "end": self.end,
            "chars": len(known),
            "mean_confidence": round(sum(known) / len(known), 4) if known else None,
            "low_confidence_chars": self.low_confidence,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
        }


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
    method: str  # text | table | ocr (a number read by OCR, from prose or a table cell)
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
    confidence: float | None = None  # method ocr: the engine's lowest confidence of its digits

    @property
    def is_cell(self) -> bool:
        """A cell of a standard table, read from a grid, text rows or by OCR."""
        return self.method == "table" or (self.method == "ocr" and self.table is not None)

    @property
    def is_prose(self) -> bool:
        """A number stated in running text (read from a text layer or by OCR)."""
        return self.method == "text" or (self.method == "ocr" and self.table is None)


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
    ocr: list[dict[str, Any]] = field(default_factory=list)  # OcrRegion.summary() of each
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
