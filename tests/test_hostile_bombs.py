"""PDF and DOCX bombs (issue 7.3): each is refused with a DocumentError that names the reason,
within a second, before the expensive part (pdfminer inflating a stream whole, laying out a
page, python-docx reading a member) can start. The caps are in xxgk/settings.py."""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import pytest

from parser.load import load_bytes
from parser.model import DocumentError
from parser.pipeline import parse_bytes

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)


def pdf(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (1 0 obj is the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def one_page_pdf(content: bytes, flate: bool = True) -> bytes:
    data = zlib.compress(content, 9) if flate else content
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(data), b" /Filter /FlateDecode" if flate else b"")
        + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def many_pages_pdf(n: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 4) for i in range(n))
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>",  # /Count lies
                b"<< /Length 0 >>\nstream\n\nendstream"]
               + [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 3 0 R >>"] * n)


def docx(document: bytes, extra: list[tuple[str, bytes]] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document)
        for name, data in extra:
            z.writestr(name, data)
    return buf.getvalue()


def body(inner: str) -> bytes:
    return f'<?xml version="1.0"?><w:document {W}><w:body>{inner}</w:body></w:document>'.encode()


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
                    for p, n in zip("abcdef", "bcdefg", strict=True))
          + f']><w:document {W}><w:body><w:p><w:r><w:t>{"&g;" * 10}</w:t></w:r></w:p>'
          "</w:body></w:document>").encode()

BOMBS = {
    # a 100 MB stream of zeros in 100 KB: pdfminer would inflate it whole
    "pdf_flate_bomb": (lambda: one_page_pdf(b"\0" * (100 * 1024 * 1024)), "PDF bomb"),
    # 100,000 page objects under a /Count that claims one
    "pdf_100k_pages": (lambda: many_pages_pdf(100_000), "page limit"),
    # 20 MB of drawing instructions on one page
    "pdf_huge_page": (lambda: one_page_pdf(b"BT /F1 1 Tf 10 10 Td (x) Tj ET\n" * 700_000),
                      "drawing instructions"),
    # 300,000 glyphs on one page (layout would take several seconds)
    "pdf_many_glyphs": (lambda: one_page_pdf(b"BT /F1 1 Tf 10 10 Td (" + b"x" * 300_000
                                             + b") Tj ET\n"), "characters"),
    # an ASCII85 stream padded with newlines: pdfminer's own decoder took minutes (its end
    # marker regex backtracks over whitespace); found by benchmarks/fuzz_parser.py
    "pdf_ascii85_whitespace": (lambda: pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents 4 0 R >>",
        b"<< /Length 400010 /Filter /ASCII85Decode >>\nstream\n87cUR" + b"\n" * 400_000
        + b"x~>\nendstream"]), "no text layer"),
    # document.xml inflating 1000:1
    "docx_zip_bomb": (lambda: docx(body("<w:p><w:r><w:t>" + " " * 50_000_000
                                        + "</w:t></w:r></w:p>")), "zip bomb"),
    "docx_many_members": (lambda: docx(body("<w:p/>"), [(f"x/{i}.xml", b"")
                                                        for i in range(6000)]), "files inside"),
    "docx_deep_nesting": (lambda: docx(body("<w:tbl><w:tr><w:tc>" * 300 + "<w:p/>"
                                            + "</w:tc></w:tr></w:tbl>" * 300)), "depth"),
    "docx_entity_expansion": (lambda: docx(LAUGHS), "entity"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_refused_quickly_with_its_reason(name: str) -> None:
    make, reason = BOMBS[name]
    data = make()
    started = time.perf_counter()
    with pytest.raises(DocumentError) as info:
        load_bytes(data, name)
    elapsed = time.perf_counter() - started
    assert reason in str(info.value), str(info.value)
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"
    # and the pipeline turns it into an error result, not an exception
    result = parse_bytes(data, name)
    assert result.error and reason in result.error and not result.is_report


def test_ordinary_pdf_and_docx_still_load() -> None:
    text = "BT /F1 12 Tf 20 200 Td (Annual report on government information disclosure) Tj ET"
    assert "Annual report" in load_bytes(one_page_pdf(text.encode()), "ok.pdf").text
    doc = load_bytes(docx(body("<w:p><w:r><w:t>政府信息公开工作年度报告</w:t></w:r></w:p>")),
                     "ok.docx")
    assert doc.text.strip() == "政府信息公开工作年度报告"


def test_pdf_time_cap_stops_between_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cooperative watchdog: past MAX_PDF_SECONDS extraction stops after the current page
    with a DocumentError (here with a cap of zero seconds, so after page 1)."""
    from xxgk import settings

    monkeypatch.setattr(settings, "MAX_PDF_SECONDS", 0.0)
    text = b"BT /F1 12 Tf 20 200 Td (Annual report on government information disclosure) Tj ET"
    with pytest.raises(DocumentError, match=r"took over 0 s \(stopped after page 1 of 1\)"):
        load_bytes(one_page_pdf(text), "slow.pdf")
