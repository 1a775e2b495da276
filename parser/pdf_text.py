"""PDF to `Document`: pdfplumber's text layer, page footers dropped, CJK letter-spacing undone.

`raw` is the text layer exactly as pdfplumber extracts it (pages joined with "\\n"), so
offsets stay meaningful for anyone re-running the extraction; `text` is a cleaned view of it:
footer lines (- 4 -, 第 4 页 共 6 页) removed and the spaces that justified lines put between
CJK characters (邮 编 ： 223100) removed. Spaces between digits and CJK (2023 年) are kept: they
separate numbers from words, which the fact extractor can handle either way.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from parser import pdf_words
from parser.model import Document, DocumentError, Grid
from parser.pdf_guard import open_pdf, page_content, pdf_error
from parser.text_clean import load_rules, title_from_text
from parser.textmap import TextBuilder, cap_text, line_spans
from xxgk import settings

# CJK ideographs and full-width punctuation: what a letter-spaced CJK run is made of.
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = (
    r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014"
)
_CJK_OR_PUNCT = f"[{_CJK}{_CJK_PUNCT}]"
# Three or more single CJK characters separated by single spaces: letter-spacing.
_SPACED_RUN = re.compile(rf"(?<!\S){_CJK_OR_PUNCT}(?: {_CJK_OR_PUNCT}){{2,}}(?!\S)")
# A space between full-width punctuation and a CJK character (发展 。 / ， 电话).
_PUNCT_SPACE = re.compile(
    rf"(?<=[{_CJK_PUNCT}]) +(?=[{_CJK}{_CJK_PUNCT}])|(?<=[{_CJK}]) +(?=[{_CJK_PUNCT}])"
)
# pdfminer writes (cid:123) for glyphs without a Unicode mapping.
_CID = re.compile(r"\(cid:\d+\)")

logging.getLogger("pdfminer").setLevel(logging.ERROR)


def cjk_space_drops(line: str) -> list[int]:
    """Indexes of spaces in `line` that letter-spacing put between CJK characters."""
    drops: set[int] = set()
    for m in _SPACED_RUN.finditer(line):
        drops.update(i for i in range(m.start(), m.end()) if line[i] == " ")
    for m in _PUNCT_SPACE.finditer(line):
        drops.update(range(m.start(), m.end()))
    return sorted(drops)


def is_footer(line: str) -> bool:
    """A page-number line: - 4 -, 第 4 页 共 6 页, 4/6."""
    s = line.strip()
    return bool(s) and len(s) <= 30 and any(p.match(s) for p in load_rules().footers)


def load_pdf(data: bytes, source: str) -> Document:
    """Read a PDF's text layer into a Document (pages, cleaned text, tables if available)."""
    pdf = open_pdf(data)
    with pdf:
        n_pages = len(pdf.pages)
        if n_pages == 0:
            raise DocumentError("broken PDF: no pages")
        if n_pages > settings.MAX_PDF_PAGES:
            raise DocumentError(
                f"PDF has {n_pages} pages, over the {settings.MAX_PDF_PAGES}-page limit"
            )
        page_texts = []
        ocr_pages: dict[int, tuple[Any, float]] = {}  # page number -> (PageText, seconds)
        deadline = time.monotonic() + settings.MAX_PDF_SECONDS
        for number, page in enumerate(pdf.pages, 1):
            try:
                content, glyphs = page_content(page)
                if content > settings.MAX_PDF_PAGE_CONTENT_BYTES:
                    limit = settings.MAX_PDF_PAGE_CONTENT_BYTES // 1024 // 1024
                    raise DocumentError(
                        f"PDF page {number} has {content // 1024 // 1024} MB of drawing "
                        f"instructions, over the {limit} MB limit")
                # string bytes bound the glyphs (two per glyph in CJK fonts): a page is refused
                # before layout when even one byte per glyph would pass the limit twice
                if glyphs > 2 * settings.MAX_PDF_PAGE_CHARS:
                    raise DocumentError(
                        f"PDF page {number} draws up to {glyphs} characters, over the "
                        f"{settings.MAX_PDF_PAGE_CHARS} limit for one page")
                if len(page.chars) > settings.MAX_PDF_PAGE_CHARS:
                    raise DocumentError(
                        f"PDF page {number} has {len(page.chars)} characters, over the "
                        f"{settings.MAX_PDF_PAGE_CHARS} limit for one page")
                page_text = pdf_words.page_text(page) or ""
            except DocumentError:
                raise
            except Exception as exc:  # a damaged content stream on one page
                raise pdf_error(exc, f" (page {number})") from exc
            if _wants_ocr(page_text, page):
                if len(ocr_pages) >= settings.OCR_MAX_PAGES:
                    raise DocumentError(
                        f"PDF has more than {settings.OCR_MAX_PAGES} pages without a text "
                        "layer, over the limit of pages read by OCR")
                from parser.ocr_text import ocr_pdf_page

                result, seconds = ocr_pdf_page(data, number - 1)
                ocr_pages[number] = (result, seconds)
                page_text = result.text.rstrip("\n")
                deadline += settings.OCR_CPU_SECONDS_PER_PAGE
            page_texts.append(page_text)
            if time.monotonic() > deadline:
                raise DocumentError(f"PDF text took over {settings.MAX_PDF_SECONDS:.0f} s "
                                    f"(stopped after page {number} of {n_pages})")
        raw = "\n".join(page_texts)
        visible = re.sub(r"\s", "", raw)
        if len(visible) < 20:
            if not settings.OCR_ENABLED:
                raise DocumentError("PDF has no text layer (scanned image?) and OCR is off "
                                    "(XXGK_OCR=0)")
            if not ocr_pages:
                raise DocumentError("PDF has no text layer and no image to read by OCR")
            raise DocumentError("PDF has no text layer and OCR found no text in it "
                                "(blank or unreadable scan?)")
        if len("".join(_CID.findall(visible))) > 0.5 * len(visible):
            raise DocumentError("PDF text layer has no Unicode mapping (only (cid:N) glyph codes)")
        raw_page_starts = []
        pos = 0
        for t in page_texts:
            raw_page_starts.append(pos)
            pos += len(t) + 1
        text, offsets, pages = _clean(raw, raw_page_starts)
        meta = _pdf_meta(pdf)
        if "title" not in meta:
            title = title_from_text(text)
            if title:
                meta["title"] = title
        tables = _tables(pdf, pages, text, meta)
    text, offsets = cap_text(text, offsets, meta)
    doc = Document(
        source=source,
        kind="pdf",
        text=text,
        offsets=offsets,
        raw=raw,
        encoding=None,
        meta=meta,
        tables=tables,
        pages=pages,
    )
    if ocr_pages:
        from parser.ocr_text import add_pdf_regions

        add_pdf_regions(doc, {n: (r, sec, raw_page_starts[n - 1])
                              for n, (r, sec) in ocr_pages.items()})
    return doc


def _wants_ocr(page_text: str, page: Any) -> bool:
    """A page to OCR: OCR is on, its text layer is (nearly) empty once glyphs without a
    Unicode mapping are left out, and it shows an image (a blank page is not read)."""
    if not settings.OCR_ENABLED:
        return False
    visible = re.sub(r"\s", "", _CID.sub("", page_text))
    return len(visible) < settings.OCR_PAGE_MIN_CHARS and bool(page.images)


def _clean(raw: str, raw_page_starts: list[int]) -> tuple[str, list[int], list[int]]:
    """Cleaned text, its offsets into raw, and the text offset where each page starts."""
    builder = TextBuilder()
    page_text_starts: list[int] = []
    page_idx = 0
    for a, b in line_spans(raw):
        while page_idx < len(raw_page_starts) and raw_page_starts[page_idx] <= a:
            page_text_starts.append(len(builder))
            page_idx += 1
        line = raw[a:b].rstrip("\n")
        if is_footer(line):
            continue
        drops = cjk_space_drops(line)
        pos = 0
        for d in drops:
            builder.add(line[pos:d], start=a + pos)
            pos = d + 1
        builder.add(line[pos:], start=a + pos)
        builder.newline()
    while page_idx < len(raw_page_starts):
        page_text_starts.append(len(builder))
        page_idx += 1
    built = builder.build()
    pages = [min(p, len(built.text)) for p in page_text_starts]
    return built.text, built.offsets, pages


def _pdf_meta(pdf: Any) -> dict[str, str]:
    """The PDF's own Title, when it is a real title (has CJK, is not a file name)."""
    meta: dict[str, str] = {}
    info = pdf.metadata or {}
    title = info.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", "ignore")
    if (
        isinstance(title, str)
        and re.search(f"[{_CJK}]", title)
        and not re.search(r"\.(docx?|wps|pdf)$", title, re.I)
    ):
        meta["title"] = title.strip()
    return meta


def _tables(pdf: Any, pages: list[int], text: str, meta: dict[str, str]) -> list[Grid]:
    """Grids from parser.tables.pdf_grid (written by the tables engineer), placed in the text."""
    try:
        from parser.tables.pdf_grid import pdf_grids
    except ImportError:
        return []
    try:
        grids = pdf_grids(pdf)
    except Exception as exc:  # a table bug must not lose the document's text
        meta["tables_error"] = f"{type(exc).__name__}: {exc}"
        return []
    for grid in grids:
        if grid.start == -1 or grid.end == -1:
            grid.start, grid.end = place_grid(grid, pages, text)
    return grids


def _find_label(label: str, text: str, start: int) -> re.Match[str] | None:
    """Find a cell label in the text layer, allowing line breaks and spaces inside it.

    A match at the start of a line is preferred: the same words often occur in a heading.
    """
    chars = [c for c in label if not c.isspace()][:12]
    if len(chars) < 2:
        return None
    pattern = r"\s*".join(re.escape(c) for c in chars)
    return re.compile(r"(?m)^" + pattern).search(text, start) or re.compile(pattern).search(
        text, start
    )


def _find_number_row(grid: Grid, text: str, start: int) -> re.Match[str] | None:
    """The line of a last row that holds only numbers (table 四's single data row)."""
    row = grid.rows[-1]
    values = [c.text.strip() for c in row if not c.span_copy and c.text.strip()]
    if len(values) < 2 or not all(re.fullmatch(r"[\d.,\-+]+", v) for v in values):
        return None
    return re.compile(r"\s+".join(re.escape(v) for v in values)).search(text, start)


def place_grid(grid: Grid, pages: list[int], text: str) -> tuple[int, int]:
    """Text span of a PDF table: from its first label to the line of its last row's label.

    pdfplumber's text layer prints a table row by row, so the first cell's text opens the
    table and the last row's label closes it. Where a label cannot be found the page extent
    of the table's first page is used.
    """
    page = (grid.page or 1) - 1
    page_start = pages[page] if page < len(pages) else len(text)
    page_end = pages[page + 1] if page + 1 < len(pages) else len(text)
    first = next((c.text for row in grid.rows for c in row if len(c.text.strip()) >= 2), "")
    last = next(
        (
            c.text
            for row in reversed(grid.rows)
            for c in row
            if len(c.text.strip()) >= 2 and not c.text.strip().replace(".", "").isdigit()
        ),
        "",
    )
    m_first = _find_label(first, text, page_start)
    if m_first is None or m_first.start() >= page_end:
        return page_start, page_end
    start = text.rfind("\n", 0, m_first.start()) + 1
    m_last = _find_number_row(grid, text, m_first.start()) or _find_label(
        last, text, m_first.start()
    )
    if m_last is None:
        return start, page_end
    end = text.find("\n", m_last.end())
    if end < 0:
        end = len(text)
    # Numbers of the last row can sit on the line after its label.
    nxt = text.find("\n", end + 1)
    following = text[end + 1 : nxt if nxt >= 0 else len(text)]
    if following and re.fullmatch(r"[\d\s.,\-—/]+", following):
        end = nxt if nxt >= 0 else len(text)
    return start, end
