"""OCR provenance on the report page: which pages or images were read by OCR, and the image.

`/-/xxgk/page-image/<sha256>/<page>` draws a page of a stored PDF (or a stored image, page 1)
as a PNG, so a reader can compare what OCR read with what the page shows. It is rendered from
the stored bytes on request (never stored twice), within the same pixel cap as OCR, and
always re-encoded as PNG: a stored file is never served as itself on this origin.
"""

from __future__ import annotations

import asyncio
import io

from datasette.utils.asgi import NotFound, Response


async def regions(datasette, db_name: str, report_id: int) -> list[dict]:
    """The report's OCR'd regions, each with the URL of its page image (or None)."""
    db = datasette.get_database(db_name)
    if not await db.table_exists("ocr_regions"):
        return []
    result = await db.execute(
        "select seq, document_id, page, image, image_document_id, chars, mean_confidence,"
        " low_confidence_chars, seconds, engine from ocr_regions where report_id = :id"
        " order by seq", {"id": report_id})
    out = []
    for row in result.rows:
        r = dict(row)
        sha, page = ((r["document_id"], r["page"]) if r["page"] is not None
                     else (r["image_document_id"], 1))
        r["image_url"] = (datasette.urls.path(f"/-/xxgk/page-image/{sha}/{page}")
                          if sha else None)
        out.append(r)
    return out


def render_png(data: bytes, page: int) -> bytes | None:
    """PNG of page `page` (1-based) of a PDF, or of an image (page 1); None for anything else
    or a page that does not exist."""
    from parser.load import image_kind
    from parser.ocr import decode_image
    from parser.ocr_text import render_page

    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            count = len(pdf)
        finally:
            pdf.close()
        if not 1 <= page <= count:
            return None
        array, _ = render_page(data, page - 1)
    elif image_kind(data[:16]) and page == 1:
        array = decode_image(data, "stored image")
    else:
        return None
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array[:, :, ::-1]).save(buf, "PNG", optimize=False)
    return buf.getvalue()


async def page_image(datasette, request):
    from archive.web import _db_name

    sha, page = request.url_vars["sha"], int(request.url_vars["page"])
    db_name = _db_name(datasette, request)
    db = datasette.get_database(db_name)
    rows = (await db.execute("select data, compression from blobs where sha256 = :sha",
                             {"sha": sha})).rows
    if not rows:
        raise NotFound("no such document")
    from archive.store import unpack

    try:
        png = await asyncio.to_thread(render_png, unpack(rows[0]["data"],
                                                         rows[0]["compression"]), page)
    except Exception as exc:  # a stored file that cannot be drawn: say so, not a 500
        raise NotFound(f"this page cannot be drawn: {type(exc).__name__}") from exc
    if png is None:
        raise NotFound(f"no page {page} to draw in this document")
    return Response(png, content_type="image/png", headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=86400"})

