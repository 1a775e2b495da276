"""OCR provenance in the archive (issue 15): what was OCR'd is stored and shown, with the image.

A report page whose table 三 is a PNG is crawled from a local site (the crawler stores the
page and the image inside its body), and a PDF whose page 4 is a scan is imported; both are
built: the image is no document of its own, the report's facts say `ocr` with their
confidence, `ocr_regions` says which page or image was read, and the report page lists them
with a link to the page image.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlite_utils
from conftest import HUAIAN_2024, mixed_pdf

from archive.build import build
from archive.serve import make_datasette
from archive.store import add_document
from scraper.crawl import crawl
from scraper.demo_site import DemoServer
from scraper.fetch import FetchConfig
from scraper.registry import Source

LISTING = ('<html><head><meta charset="utf-8"><title>年度报告</title></head><body><ul>'
           '<li><a href="2025/report.html">淮安市人民政府2024年政府信息公开工作年度报告</a>'
           '<span>2025-01-20</span></li></ul></body></html>')


@pytest.fixture(scope="module")
def archive(corpus, table3_png_page, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ocr-archive")
    page, _ = table3_png_page
    site = folder / "www"
    (site / "nb/2025/images").mkdir(parents=True)
    (site / "nb/index.html").write_text(LISTING, encoding="utf-8")
    (site / "nb/2025/report.html").write_bytes(page.read_bytes())
    (site / "nb/2025/images/table3.png").write_bytes((page.parent / "images/table3.png")
                                                       .read_bytes())
    # two archives: the page and the PDF are versions of one report (淮安市, 2024)
    with DemoServer(root=site, fails_once=()) as server:
        source = Source("淮安市人民政府", f"{server.base_url}/nb/index.html", allow_private="yes")
        result = crawl(folder / "web.db", [source], FetchConfig(delay=0.05))
        fetched = sorted(h.path for h in server.hits)
    assert result.exit_code == 0, result.summary()
    assert "/nb/2025/images/table3.png" in fetched  # the image inside the report's body
    db = sqlite_utils.Database(folder / "web.db")
    page_id = db.execute("select document_id from document_urls where url like '%report.html'"
                         ).fetchone()[0]
    image_id = db.execute("select document_id from document_urls where url like '%table3.png'"
                          ).fetchone()[0]
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
                          " and key = 'applications.new.total' and table_name is not null",
                          [report_id]))  # the prose states it too, from the page's text
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
    assert "OCR 识别的部分" in html and "第 4 页" in html
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
