"""OCR provenance in the archive (issue 15): what was OCR'd is stored and shown, with the image.

A crawled report page whose table 三 is a PNG (the crawler stored the page and the image it
shows) and a PDF whose page 4 is a scan are built into an archive: the image is no document
of its own, the report's facts say `ocr` with their confidence, `ocr_regions` says which page
or image was read, and the report page lists them with a link to the page image.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlite_utils
from conftest import HUAIAN_2024, mixed_pdf

from archive.build import build
from archive.serve import make_datasette
from archive.store import add_document
from scraper import discover

PAGE_URL = "http://www.example.gov.cn/zfxxgk/nb/2025/report.html"


@pytest.fixture(scope="module")
def archive(corpus, table3_png_page, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ocr-archive")
    page, _ = table3_png_page
    html = page.read_bytes()
    # what the crawler does with a report page: store it, and the images inside its body
    images = discover.body_images(html.decode("utf-8"), PAGE_URL)
    assert images == ["http://www.example.gov.cn/zfxxgk/nb/2025/images/table3.png"]
    # two archives: the page and the PDF are versions of one report (淮安市, 2024)
    db = sqlite_utils.Database(folder / "web.db")
    page_id, _ = add_document(db, html, url=PAGE_URL, media_type="text/html",
                              fetched_at="2025-01-20T00:00:00Z")
    image_id, _ = add_document(db, (page.parent / "images/table3.png").read_bytes(),
                               url=images[0], media_type="image/png",
                               fetched_at="2025-01-20T00:00:01Z")
    pdfs = sqlite_utils.Database(folder / "pdf.db")
    scan = mixed_pdf(corpus / HUAIAN_2024, 4, folder / "mixed.pdf")
    pdf_id, _ = add_document(pdfs, scan.read_bytes(), url=None, path=str(scan),
                             filename="mixed.pdf", origin="import")
    for d in (db, pdfs):
        stats = build(d, progress=False, workers=1)
        assert stats.errors == 0, stats.error_messages
    ids = {"page": page_id, "image": image_id, "pdf": pdf_id}
    return db, pdfs, ids, folder


def test_the_image_is_read_with_its_page_not_as_a_document(archive):
    db, _, ids, _ = archive
    status, reason = db.execute("select status, reason from parses where document_id = ?",
                                [ids["image"]]).fetchone()
    assert (status, reason) == ("not_report",
                                "PNG image: read by OCR as part of the report page that shows it")
    (report_id,) = db.execute("select report_id from report_documents where document_id = ?",
                              [ids["page"]]).fetchone()
    regions = list(db.query("select * from ocr_regions where report_id = ?", [report_id]))
    assert len(regions) == 1
    r = regions[0]
    assert (r["page"], r["image"], r["image_document_id"]) == (None, "images/table3.png",
                                                               ids["image"])
    assert r["chars"] > 500 and 0.9 < r["mean_confidence"] <= 1
    facts = list(db.query("select method, confidence, value from facts where report_id = ?"
                          " and key = 'applications.new.total'", [report_id]))
    assert facts[0]["method"] == "ocr" and facts[0]["value"] == 3119
    assert 0.9 <= facts[0]["confidence"] <= 1


def test_a_scanned_page_is_listed_with_its_page_image(archive):
    _, db, ids, folder = archive
    (report_id,) = db.execute("select report_id from report_documents where document_id = ?",
                              [ids["pdf"]]).fetchone()
    pages = [r["page"] for r in db.query("select page from ocr_regions where report_id = ?",
                                         [report_id])]
    assert pages == [4]
    ds = make_datasette(folder / "pdf.db")
    asyncio.run(ds.invoke_startup())
    html = asyncio.run(ds.client.get(f"/-/xxgk/report/{report_id}")).text
    assert "OCR识别" in html and "第 4 页" in html
    link = f"/-/xxgk/page-image/{ids['pdf']}/4"
    assert link in html
    image = asyncio.run(ds.client.get(link))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(image.content)).size == (1240, 1755)  # the scan's own pixels
    assert asyncio.run(ds.client.get(f"/-/xxgk/page-image/{ids['pdf']}/9")).status_code == 404



def test_the_image_of_a_report_page_is_listed_and_drawn(archive):
    web, _, ids, folder = archive
    (report_id,) = web.execute("select report_id from report_documents where document_id = ?",
                               [ids["page"]]).fetchone()
    ds = make_datasette(folder / "web.db")
    asyncio.run(ds.invoke_startup())
    html = asyncio.run(ds.client.get(f"/-/xxgk/report/{report_id}")).text
    assert "图片 images/table3.png" in html
    link = f"/-/xxgk/page-image/{ids['image']}/1"
    assert link in html
    # the stored image, drawn as PNG (a stored file is never served as itself)
    img = asyncio.run(ds.client.get(link))
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
