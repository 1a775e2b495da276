"""A PDF page's words, grouped once: for the page's text and for the table reader.

pdfplumber groups a page's characters into words (`WordExtractor`) both in
`Page.extract_text()`, which the text layer reads, and in `Page.extract_words()`, which the
table reader asks for the text lines around each table (parser/tables/pdf_pieces.py). The
grouping, the same with the same default settings, was done twice per page. Here it is done
once and kept on the page object; the text is then made from it exactly as
`Page.extract_text()` makes it, and the words are the ones `Page.extract_words()` returns
(tests/test_load_pdf.py holds both equal to pdfplumber's on every page).
"""

from __future__ import annotations

from typing import Any

_CACHE = "_xxgk_wordmap"  # attribute of the pdfplumber Page holding its WordMap


def _wordmap(page: Any) -> Any:
    found = page.__dict__.get(_CACHE)
    if found is None:
        from pdfplumber.utils.text import WordExtractor

        found = page.__dict__[_CACHE] = WordExtractor().extract_wordmap(page.chars)
    return found


def page_text(page: Any) -> str:
    """`page.extract_text()`: the words laid out as pdfplumber's `_get_textmap` lays them."""
    textmap = _wordmap(page).to_textmap(
        layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height,
        presorted=True)
    return textmap.as_string


def page_words(page: Any) -> list[dict[str, Any]]:
    """`page.extract_words()` (default settings): the same word dicts, in the same order."""
    return [word for word, _chars in _wordmap(page).tuples]
