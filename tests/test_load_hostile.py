"""Hostile and broken input: every case ends in a DocumentError with a clear message (or a
Document), quickly, and never in another exception."""

from __future__ import annotations

import io
import os
import random
import time
import zipfile
from pathlib import Path

import pytest
from test_hostile_bombs import pdf  # the hand-written PDF builder

from parser.load import load_bytes, read_file
from parser.model import DocumentError
from xxgk import settings


def minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF whose text layer is `lines` (no lines: a page with no text)."""
    ops = [
        b"BT /F1 12 Tf 20 %d Td (%s) Tj ET" % (260 - 20 * i, line.encode("latin-1"))
        for i, line in enumerate(lines)
    ]
    content = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf(objects)


def refused(data: bytes) -> str:
    with pytest.raises(DocumentError) as info:
        load_bytes(data, "hostile")
    return str(info.value)


def test_read_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        read_file(tmp_path / "missing.html")
    with pytest.raises(DocumentError, match="is a directory"):
        read_file(tmp_path)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty\.html: empty file"):
        read_file(empty)
    assert refused(b"") == "hostile: empty file"


def test_50_mb_page_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    chunk = b"<p>" + "政府信息公开".encode() * 100 + b"</p>\n"
    with path.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            fh.write(chunk)
    start = time.perf_counter()
    with pytest.raises(DocumentError) as info:
        read_file(path)
    assert time.perf_counter() - start < 1
    assert str(info.value) == f"{path}: 50.0 MB is over the 8 MB limit for HTML/text"
    # The same bytes handed over in memory (the crawler's path) are refused the same way.
    data = path.read_bytes()
    assert refused(data) == "hostile: 50.0 MB is over the 8 MB limit for HTML/text"


def test_5_mb_page_parses_in_bounded_time() -> None:
    para = "<p>" + "2018年共收到政府信息公开申请24件，其中当面申请11件，占45.8%。" * 10 + "</p>\n"
    body = para * (5 * 1024 * 1024 // len(para.encode()))
    page = (
        '<html><head><meta charset="utf-8"></head><body><div id="nav"><a href="#">首页</a></div>'
        f'<div class="TRS_Editor">{body}</div></body></html>'
    )
    data = page.encode()
    assert 4.5 * 1024 * 1024 < len(data) < settings.MAX_HTML_BYTES
    start = time.perf_counter()
    doc = load_bytes(data, "big")
    assert time.perf_counter() - start < 10
    assert doc.text.startswith("2018年共收到政府信息公开申请24件")
    n_paras = body.count("<p>")
    full_len = n_paras * len(para) - n_paras * len("<p></p>\n") + (n_paras - 1)
    assert full_len > settings.MAX_TEXT_CHARS  # the cut is exercised and recorded
    assert len(doc.text) == len(doc.offsets) == settings.MAX_TEXT_CHARS
    assert (
        doc.meta["truncated"] == f"text cut at {settings.MAX_TEXT_CHARS} of {full_len} characters"
    )


def test_deeply_nested_divs() -> None:
    data = (
        b"<html><body>"
        + b"<div>" * 100_000
        + b"deep text"
        + b"</div>" * 100_000
        + b"</body></html>"
    )
    start = time.perf_counter()
    message = refused(data)
    assert time.perf_counter() - start < 5
    assert message.startswith("HTML is nested deeper than")


def test_moderately_nested_divs_are_read() -> None:
    data = (
        b"<html><body>"
        + b"<div>" * 1500
        + "收到申请3件".encode()
        + b"</div>" * 1500
        + b"</body></html>"
    )
    doc = load_bytes(data, "nested")
    assert doc.text == "收到申请3件"


def test_binary_junk() -> None:
    rng = random.Random(5)
    junk = bytes(rng.randrange(256) for _ in range(20_000))
    assert refused(junk).startswith("not a text, HTML, PDF or DOCX document")
    high = bytes(rng.randrange(0x80, 0x100) for _ in range(20_000))  # no NUL, undecodable
    assert refused(high) == "not a text, HTML, PDF or DOCX document: bytes do not decode as text"
    assert (
        refused(b"\x89PNG\r\n\x1a\n" + os.urandom(100))
        == "not a text, HTML, PDF or DOCX document: PNG image"
    )


def test_truncated_and_broken_pdf() -> None:
    pdf = minimal_pdf(["Annual report 2019: 24 requests received"])
    assert refused(pdf[:200]).startswith("broken PDF: ")
    assert refused(b"%PDF-1.7\n" + b"garbage " * 100).startswith("broken PDF: ")


def test_pdf_without_text_layer() -> None:
    assert refused(minimal_pdf([])) == "PDF has no text layer and no image to read by OCR"


def test_ascii_pdf_text_layer_and_footer() -> None:
    doc = load_bytes(minimal_pdf(["Annual report 2019: 24 requests received", "- 1 -"]), "a.pdf")
    assert doc.kind == "pdf"
    assert doc.raw == "Annual report 2019: 24 requests received\n- 1 -"
    assert doc.text == "Annual report 2019: 24 requests received"
    assert doc.pages == [0]


def test_pdf_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_PDF_PAGES", 0)
    assert refused(minimal_pdf(["one page of text, long enough to count"])) == (
        "PDF has 1 pages, over the 0-page limit"
    )


def test_docx_without_document_xml() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/styles.xml", "<styles/>")
    assert refused(buf.getvalue()) == "zip archive without word/document.xml: not a DOCX document"


def test_docx_with_broken_document_xml() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document")
    assert refused(buf.getvalue()).startswith("broken DOCX: ")


def test_truncated_zip() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "x" * 1000)
    assert refused(buf.getvalue()[:60]).startswith("broken zip archive")


def test_word_97_doc_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    assert refused(ole).startswith("broken OLE2 (Word 97-2003) file: ")


def test_html_without_text_gives_empty_document() -> None:
    doc = load_bytes(
        b"<html><head><title></title></head><body><script>var a=1;</script></body></html>", "x"
    )
    assert doc.kind == "html" and doc.text == "" and doc.offsets == []


def test_unclosed_markup_and_stray_brackets() -> None:
    data = (
        "<html><body><div id='zoom'><p>收到申请 5 < 6 件<p>答复<b>4件"
        "<table><tr><td>甲<td>1<tr><td>乙<td>2"
    ).encode()
    doc = load_bytes(data, "x")
    assert doc.text == "收到申请 5 < 6 件\n答复4件\n甲\t1\n乙\t2"
    assert doc.tables[0].texts() == [["甲", "1"], ["乙", "2"]]


def test_huge_spans_give_no_grid_but_keep_text() -> None:
    rows = "".join(
        f"<tr><td rowspan='100000' colspan='100000'>{i}</td><td>x</td></tr>" for i in range(300)
    )
    data = f"<html><body><div id='zoom'><table>{rows}</table><p>正文结束</p></div></body></html>".encode()
    start = time.perf_counter()
    doc = load_bytes(data, "spans")
    assert time.perf_counter() - start < 5
    assert doc.tables == []
    assert doc.text.startswith("0\tx\n1\tx\n") and doc.text.endswith("正文结束")


RUN = "9" * 5000  # past the 4,300 digits Python's int() converts


@pytest.mark.parametrize("page", [
    f"<table><tr><td>项目</td><td>数量</td></tr><tr><td>收到申请</td><td>{RUN}</td></tr></table>",
    f'<table><tr><td colspan="{RUN}">项目</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>',
    f"<p>（{RUN}）标题</p><p>本年度主动公开政府信息100条。</p>",
], ids=["table-cell", "colspan", "heading-number"])
def test_digit_runs_past_int_limit_are_read_as_junk(page: str) -> None:
    """Found by the mutation fuzzer: a doubled range of digits reached int() in a table
    cell, a colspan and a heading's number, and the parser failed. Now a cell with more
    digits than any quantity is unreadable, the span is one column, the heading has no
    ordinal, and the document parses."""
    from parser.pipeline import parse_bytes
    from parser.tables.values import parse_cell

    html = f"<html><body><p>一、总体情况</p>{page}</body></html>".encode()
    result = parse_bytes(html, "digits.html", "text/html")
    assert result.error is None
    assert parse_cell(RUN) == (None, "unreadable", "cell text has 5000 digits: not a quantity")
