"""OCR where a document has no text: PDF pages without a text layer, images in a report page.

Only there: a PDF page whose text layer has at least settings.OCR_PAGE_MIN_CHARS visible
characters is read from that layer and never OCR'd, whatever images it holds. Each OCR'd
part becomes an `OcrRegion` of the Document (page or image, its span in `Document.text`, the
confidence of every character, the engine, the time it took), so facts can say they were
read by OCR (parser/ocr_facts.py) and the report page can show which pages were.

OCR is slow (seconds per page, docs/performance.md), so every page or image read gives the
document's CPU-time cap settings.OCR_CPU_SECONDS_PER_PAGE more (parser/time_cap.extend).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from parser import ocr, time_cap
from parser.model import Document, DocumentError, OcrRegion
from parser.ocr_grid import PageText, page_text
from parser.ocr_layout import read_page
from xxgk import settings

Resources = Callable[[str], bytes | None]


def read_image(image: Any, page: int | None, dpi: float | None = None) -> tuple[PageText, float]:
    """OCR one image (BGR array; `dpi` where known): its text, grids and the seconds it took."""
    time_cap.extend(settings.OCR_CPU_SECONDS_PER_PAGE)
    t0 = time.perf_counter()
    result = page_text(read_page(image, (dpi or settings.OCR_DPI) / settings.OCR_DPI), page)
    return result, time.perf_counter() - t0


# ------------------------------------------------------------------------------ PDF pages


def page_dpi(page: Any) -> float:
    """Resolution to render a scanned page at: the scan's own (its largest image's pixels
    over the space it fills), so its pixels are read as they are and not resampled, kept
    between settings.OCR_DPI and OCR_MAX_DPI; OCR_DPI for a page without a large image."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    best, area = 0.0, 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            px_w, _ = obj.get_px_size()
            x0, y0, x1, y1 = obj.get_bounds()
        except Exception:  # a damaged image object: rendered like any other page
            continue
        a = (x1 - x0) * (y1 - y0)
        if a > area and x1 - x0 > 1:
            best, area = px_w / (x1 - x0) * 72, a
    if area < 0.25 * width * height:
        return settings.OCR_DPI
    return min(max(best, settings.OCR_DPI), settings.OCR_MAX_DPI)


def render_page(data: bytes, index: int) -> tuple[Any, float]:
    """Page `index` (0-based) of a PDF as a BGR array, and the dpi it was rendered at;
    scaled down where it would pass settings.OCR_MAX_PIXELS (a page can declare any size)."""
    import numpy as np
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        width, height = page.get_size()
        dpi = page_dpi(page)
        if width * height * (dpi / 72) ** 2 > settings.OCR_MAX_PIXELS:
            dpi = 72 * (settings.OCR_MAX_PIXELS / max(1.0, width * height)) ** 0.5
        # pdfium rounds the size up: aim half a pixel under, so that a scan at its own
        # resolution is drawn pixel for pixel (1240 wide, not resampled to 1241)
        scale = max(1.0, round(width * dpi / 72) - 0.5) / width
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1]), dpi


def ocr_pdf_page(data: bytes, index: int) -> tuple[PageText, float]:
    try:
        image, dpi = render_page(data, index)
    except Exception as exc:  # pdfium raises its own error types
        raise DocumentError(f"PDF page {index + 1} has no text layer and cannot be rendered "
                            f"for OCR ({type(exc).__name__}: {exc})") from exc
    return read_image(image, index + 1, dpi)


def to_text_span(offsets: list[int], raw_start: int, raw_end: int) -> tuple[int, int]:
    """The span of Document.text whose characters come from raw[raw_start:raw_end]."""
    return bisect.bisect_left(offsets, raw_start), bisect.bisect_left(offsets, raw_end)


def add_pdf_regions(doc: Document, pages: dict[int, tuple[PageText, float, int]]) -> None:
    """Record the OCR'd pages of a loaded PDF: `pages` maps a 1-based page number to its OCR
    result, the seconds it took and where its text starts in `doc.raw`. Their grids join the
    document's tables, placed in the text."""
    for number in sorted(pages):
        result, seconds, raw_start = pages[number]
        start, end = to_text_span(doc.offsets, raw_start, raw_start + len(result.text))
        confs = [result.confidences[doc.offsets[i] - raw_start] for i in range(start, end)]
        doc.ocr.append(_region(number, None, start, end, confs, seconds))
        for grid in result.grids:
            grid.start, grid.end = to_text_span(doc.offsets, raw_start + grid.start,
                                                raw_start + grid.end)
            doc.tables.append(grid)
    doc.tables.sort(key=lambda g: (g.start if g.start >= 0 else 1 << 60, g.page or 0))


def _region(page: int | None, image: str | None, start: int, end: int,
            confs: list[float | None], seconds: float) -> OcrRegion:
    low = sum(1 for c in confs if c is not None and c < settings.OCR_MIN_CONFIDENCE)
    return OcrRegion(page=page, image=image, start=start, end=end, confidences=confs,
                     low_confidence=low, seconds=seconds, engine=ocr.engine_name())


# --------------------------------------------------------------------------- HTML images

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_DATA_URI = re.compile(r"data:image/[\w.+-]+(;base64)?,(.*)", re.I | re.S)


def image_bytes(src: str, resources: Resources | None) -> bytes | None:
    """The bytes of an image the page names: inline (data: URI) or through `resources`."""
    m = _DATA_URI.match(src.strip())
    if m:
        try:
            body = m.group(2)
            return base64.b64decode(body, validate=False) if m.group(1) else unquote_to_bytes(body)
        except (binascii.Error, ValueError):
            return None
    if resources is None or not src.strip():
        return None
    return resources(src.strip())


def ocr_html_images(doc: Document, resources: Resources | None) -> None:
    """OCR the images inside the body of an HTML document and put their text where they stand.

    An image is in the body when its tag lies between the first and the last character of
    the body text (chrome, logos and footers are outside it). Its text goes in at that point,
    on lines of its own; grids and later OCR regions move along with the text after it.
    """
    if not settings.OCR_ENABLED or not doc.offsets or doc.kind != "html":
        return
    first, last = doc.offsets[0], doc.offsets[-1]
    done = 0
    for m in _IMG.finditer(doc.raw, first, last):
        src_m = _SRC.search(m.group(0))
        if not src_m:
            continue
        src = next(g for g in src_m.groups() if g is not None)
        data = image_bytes(src, resources)
        if not data:
            continue
        if done >= settings.OCR_MAX_IMAGES:
            doc.meta["ocr_skipped"] = f"images after the first {settings.OCR_MAX_IMAGES} not read"
            break
        try:
            shown = "(inline data: URI)" if src.startswith("data:") else src[:200]
            image = ocr.decode_image(data, f"image {shown}")
        except DocumentError as exc:  # a broken or oversized image: the page's text stays
            doc.meta["ocr_skipped"] = str(exc)
            continue
        height, width = image.shape[:2]
        if min(height, width) < settings.OCR_MIN_IMAGE_SIDE:
            continue  # an icon or a bullet
        done += 1
        result, seconds = read_image(image, None)
        if not result.text.strip():
            continue
        _insert(doc, m.start(), result, src if not src.startswith("data:") else "data: URI",
                seconds)


def _insert(doc: Document, raw_pos: int, result: PageText, image: str, seconds: float) -> None:
    """Put an image's OCR text into doc.text before the first character after the image."""
    at = bisect.bisect_left(doc.offsets, raw_pos)
    piece = ("\n" if at > 0 and doc.text[at - 1] != "\n" else "") + result.text
    lead = len(piece) - len(result.text)
    if not piece.endswith("\n"):
        piece += "\n"
    n = len(piece)
    doc.text = doc.text[:at] + piece + doc.text[at:]
    doc.offsets[at:at] = [raw_pos] * n
    for g in doc.tables:
        if g.start >= at:
            g.start += n
        if g.end >= at:
            g.end += n
    for r in doc.ocr:
        if r.start >= at:
            r.start += n
            r.end += n
    confs = list(result.confidences)
    for grid in result.grids:
        grid.start += at + lead
        grid.end += at + lead
        doc.tables.append(grid)
    doc.tables.sort(key=lambda g: (g.start if g.start >= 0 else 1 << 60))
    start = at + lead
    doc.ocr.append(_region(None, image, start, start + len(result.text), confs, seconds))
    doc.ocr.sort(key=lambda r: r.start)
