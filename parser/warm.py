"""What a parsing process loads once, before its first document.

The readers import their libraries lazily (an HTML-only caller never loads pdfminer), and
jieba reads its dictionary on first use, so the first documents of each kind a process parses
pay about a second of CPU for loading. A build's parse workers are forked from a fork server
(archive/parse_pool.py) that calls `start_parse_process` once: every worker it forks starts
with all of it loaded, and no document's CPU-time cap (parser/time_cap.py) is charged for it.

What was loaded lives as long as the process, yet CPython's cyclic garbage collector walks
all of it again at every full collection: in a parse worker that was 5–6 ms of a ~42 ms PDF.
`start_parse_process` then freezes it (`gc.freeze`: a permanent generation the collector
skips), which also keeps the collector from writing to the pages a forked worker shares with
its fork server.
"""

from __future__ import annotations

import gc
import importlib
import logging
from functools import cache

log = logging.getLogger(__name__)

# pdfminer's predefined CMaps for simplified Chinese (Adobe-GB1): PDFs whose CJK font is not
# embedded (STSong-Light and the like, common in government PDFs) name these.
CMAPS = ("UniGB-UCS2-H",)
UNICODE_MAPS = ("Adobe-GB1",)


# The readers and the libraries they import lazily, each imported here once.
MODULES = (
    "parser.html_text.document",
    "parser.ocr_text",
    "parser.pdf_text",
    "parser.tables.pdf_grid",
    "parser.pdf_content",  # pikepdf (qpdf's lexer)
    "parser.pdf_interp",
    "parser.pdf_objects",
    "parser.pdf_cells",
    "pdfplumber",
    "parser.docx_text",
    "docx",  # python-docx
)


@cache
def warm_up() -> None:
    """Import every reader with its library, load jieba's dictionary, the table layouts, the
    text rules and the Chinese CMaps. Never raises: whatever fails to load here loads (or
    fails, with the document named) when a document needs it."""
    try:
        for name in MODULES:
            importlib.import_module(name)
        from pdfminer.cmapdb import CMapDB

        from parser import labels
        from parser.tables.layout import load_layouts
        from parser.text_clean import load_rules

        labels.warm_up()
        load_layouts()
        load_rules()
        for name in CMAPS:
            CMapDB.get_cmap(name)
        for name in UNICODE_MAPS:
            CMapDB.get_unicode_map(name, False)
    except Exception:  # a broken install must not stop the fork server
        log.exception("warming up the parser failed; documents will load what they need")


def start_parse_process() -> None:
    """Prepare a process that only parses (a build's fork server and workers, a cluster's
    parse processes): warm up, collect what is garbage now, and freeze the rest."""
    warm_up()
    gc.collect()
    gc.freeze()
