"""PDF bombs and hostile structures, refused before pdfminer spends time or memory on them.

pdfminer inflates a stream whole, parses a page tree's /Kids in one go, rebuilds a damaged
cross-reference table by lexing the whole file in Python and lays out any number of glyphs:
each has a bound here (settings: MAX_PDF_*), checked on the raw bytes or the undecoded page
before the expensive work starts (docs/reliability.md lists the tests). Split from
pdf_text.py, which reads what passes.
"""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from typing import Any

from parser.model import DocumentError
from xxgk import settings


def pdf_error(exc: Exception, where: str = "") -> DocumentError:
    """A DocumentError naming what pdfminer found wrong (pdfplumber wraps its exceptions)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return DocumentError("PDF is password-protected or encrypted")
    detail = str(inner).strip()
    return DocumentError(f"broken PDF{where}: {name}" + (f": {detail}" if detail else ""))


_STREAM = re.compile(rb"stream\r?\n")
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def check_inflation(data: bytes) -> None:
    """Refuse a PDF bomb before pdfminer sees it: pdfminer inflates a Flate stream whole, so a
    stream of zeros that compresses 1000:1 would cost gigabytes. Every stream that starts
    with zlib data is inflated here in steps, never more than the cap at once."""
    total = 0
    step = 1024 * 1024
    # Page objects, in the file and inside object streams: pdfminer parses a page tree's
    # whole /Kids array before the first page, so 100,000 pages cost seconds to count there.
    # Twice the page limit leaves room for the old copies an incremental save keeps.
    pages = len(_PAGE_OBJECT.findall(data))
    for m in _STREAM.finditer(data):
        start = m.end()
        head = data[start:start + 2]
        if len(head) < 2 or (head[0] & 0x0F) != 8 or head[0] >> 4 > 7 or (
                (head[0] << 8 | head[1]) % 31) or data[max(0, m.start() - 3):m.start()] == b"end":
            continue  # not a zlib header (or the "stream" of "endstream")
        d = zlib.decompressobj()
        size = 0
        pos = start
        try:
            while pos < len(data) and not d.eof:
                out = d.decompress(data[pos:pos + 65536], step)
                size += len(out)
                pages += len(_PAGE_OBJECT.findall(out))
                while d.unconsumed_tail and not d.eof and size <= settings.MAX_PDF_STREAM_BYTES:
                    out = d.decompress(d.unconsumed_tail, step)
                    size += len(out)
                    pages += len(_PAGE_OBJECT.findall(out))
                if size > settings.MAX_PDF_STREAM_BYTES:
                    raise DocumentError(
                        f"PDF bomb: a compressed stream inflates to over "
                        f"{settings.MAX_PDF_STREAM_BYTES // 1024 // 1024} MB")
                pos += 65536
        except zlib.error:
            pass  # not zlib data after all, or damaged: pdfminer will say so
        total += size
        if pages > max(2 * settings.MAX_PDF_PAGES, 1000):
            break
        if total > settings.MAX_PDF_INFLATED_BYTES:
            raise DocumentError(f"PDF bomb: its streams inflate to over "
                                f"{settings.MAX_PDF_INFLATED_BYTES // 1024 // 1024} MB")
    if pages > max(2 * settings.MAX_PDF_PAGES, 1000):
        raise DocumentError(f"PDF has {pages} or more page objects, over the "
                            f"{settings.MAX_PDF_PAGES}-page limit")


def _ascii85decode(data: bytes) -> bytes:
    """pdfminer's ASCII85 decoder, in linear time. pdfminer strips the `~>` end marker with
    the regex `\\s*~\\s*>?\\s*$`, which backtracks quadratically over a long run of
    whitespace: a 400 KB stream of newlines took minutes (found by benchmarks/fuzz_parser.py).
    Same result: strip whitespace, a leading `<~` or `~`, a trailing `~>` or `~`."""
    from base64 import a85decode

    data = data.strip()
    if data.startswith(b"<~"):
        data = data[2:].lstrip()
    elif data.startswith(b"~"):
        data = data[1:].lstrip()
    if data.endswith(b">") and data[:-1].rstrip().endswith(b"~"):
        data = data[:-1].rstrip()[:-1].rstrip()
    elif data.endswith(b"~"):
        data = data[:-1].rstrip()
    return a85decode(data)


def _harden_pdfminer() -> None:
    """Replace pdfminer functions that are too slow on hostile input (see each one), its
    content-stream lexer by qpdf's where the two give the same tokens (parser/pdf_content.py),
    its interpreter loop by one that looks each operator up once (parser/pdf_interp.py), and
    pdfplumber's conversion of characters to dicts and its search for table cells by faster
    ones giving the same results (parser/pdf_objects.py, parser/pdf_cells.py)."""
    import pdfminer.pdftypes

    from parser import pdf_cells, pdf_content, pdf_interp, pdf_objects

    pdfminer.pdftypes.ascii85decode = _ascii85decode  # type: ignore[attr-defined]
    pdf_content.install()
    pdf_interp.install()
    pdf_objects.install()
    pdf_cells.install()


def _check_xref(data: bytes) -> None:
    """A PDF whose cross-reference table is damaged is rebuilt by pdfminer by tokenizing the
    whole file in Python (about 1 s per MB); past MAX_PDF_REPAIR_BYTES it is refused instead."""
    if len(data) <= settings.MAX_PDF_REPAIR_BYTES:
        return
    from pdfminer.pdfdocument import PDFDocument, PDFNoValidXRef
    from pdfminer.pdfparser import PDFParser

    try:
        PDFDocument(PDFParser(io.BytesIO(data)), fallback=False)
    except PDFNoValidXRef as exc:
        raise DocumentError(
            f"broken PDF: its cross-reference table is damaged, and at "
            f"{len(data) / 1024 / 1024:.1f} MB it is over the "
            f"{settings.MAX_PDF_REPAIR_BYTES // 1024} KB rebuilt by scanning (repair it with "
            "qpdf or re-save it)") from exc
    except Exception:  # encrypted, or broken in another way: load_pdf says how
        return


def open_pdf(data: bytes) -> Any:
    """An open pdfplumber.PDF (imported lazily: HTML-only callers need not load pdfminer),
    refused before its pages are built when it is a bomb (see check_inflation) or has more
    pages than MAX_PDF_PAGES (counted lazily on the page tree, whatever /Count claims)."""
    import pdfplumber
    from pdfminer.pdfpage import PDFPage

    check_inflation(data)
    _harden_pdfminer()
    _check_xref(data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types (PSEOF, PDFSyntaxError, KeyError…)
        raise pdf_error(exc) from exc
    try:
        walk_cap = settings.MAX_PDF_PAGES + 1000  # exact counts for a near miss
        n = 0
        for n, _page in enumerate(PDFPage.create_pages(pdf.doc), 1):
            if n > walk_cap:
                raise DocumentError(f"PDF has more than {walk_cap} pages, over the "
                                    f"{settings.MAX_PDF_PAGES}-page limit")
        if n > settings.MAX_PDF_PAGES:
            raise DocumentError(f"PDF has {n} pages, over the {settings.MAX_PDF_PAGES}-page limit")
        _ = pdf.pages  # parses the page tree: broken files fail here
    except DocumentError:
        _close_quietly(pdf)
        raise
    except Exception as exc:
        _close_quietly(pdf)
        raise pdf_error(exc) from exc
    return pdf


def _close_quietly(pdf: Any) -> None:
    """pdfplumber's close() builds the pages it closes, so on a broken page tree it raises
    the error again: close the underlying stream instead."""
    with contextlib.suppress(Exception):  # nothing more to release
        pdf.stream.close()


_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def page_content(page: Any) -> tuple[int, int]:
    """Size of a page's decoded content streams (what pdfminer will interpret) and an upper
    bound of its glyphs (bytes inside string operands), both known before any layout."""
    from pdfminer.pdftypes import resolve1, stream_value

    contents = resolve1(page.page_obj.attrs.get("Contents"))
    streams = contents if isinstance(contents, list) else [contents]
    size = glyphs = 0
    for ref in streams:
        if ref is None:
            continue
        stream = stream_value(ref)
        raw = len(getattr(stream, "rawdata", None) or b"")
        if raw > settings.MAX_PDF_PAGE_CONTENT_BYTES:  # refused before pdfminer decodes it
            return raw, 0
        data = stream.get_data()
        size += len(data)
        if size > settings.MAX_PDF_PAGE_CONTENT_BYTES:
            break
        glyphs += sum(len(m) - 2 for m in _LITERAL.findall(data))
        glyphs += sum(len(m) // 2 for m in _HEX.findall(data))
    return size, glyphs
