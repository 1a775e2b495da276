"""qpdf's content-stream lexer gives exactly pdfminer's tokens, or pdfminer lexes the page.

parser/pdf_content.py swaps pdfminer's pure-Python lexer for qpdf's where the two agree. These
tests hold them equal: on every page of the real PDFs and of generated ones (and the fast
path must actually be taken there), on hand-written edge cases where the two lexers differ,
on thousands of mutated streams, and on whole parse results with the switch on and off.
"""

from __future__ import annotations

import io
import random

import pytest
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import PSEOF

from parser import pdf_content
from testkit.pdf_switches import (
    CORPUS_PDFS,
    FIXTURE_PDFS,
    needs_corpus_pdfs,
    pdf_documents,
    same_results_on_and_off,
)
from xxgk import settings


def _lex(parser) -> list:
    out: list = []
    while True:
        try:
            _, obj = parser.nextobject()
        except PSEOF:
            return out
        except Exception as exc:  # what pdfminer's lexer raises, the fast path must too
            return [*out, ("raised", type(exc).__name__)]
        # an inline image is a new PDFStream each time: compare what it holds
        out.append(("image", obj.attrs, obj.rawdata) if isinstance(obj, PDFStream) else obj)


def _stream(data: bytes) -> PDFStream:
    stream = PDFStream({}, data)
    stream.objid = 1
    return stream


def both(data: bytes) -> tuple[list, list, bool]:
    """pdfminer's tokens, content_parser's tokens, and whether qpdf lexed it."""
    parser = pdf_content.content_parser([_stream(data)])
    return (_lex(pdf_content._PDFMINER_LEXER([_stream(data)])), _lex(parser),
            isinstance(parser, pdf_content.TokenList))


def page_streams(data: bytes) -> list[bytes]:
    doc = PDFDocument(PDFParser(io.BytesIO(data)))
    return [b"\n".join(stream_value(s).get_data() for s in page.contents)
            for page in PDFPage.create_pages(doc)]


def test_generated_pages_same_tokens_on_the_fast_path(generated_pdfs) -> None:
    pages = [s for pdf in generated_pdfs for s in page_streams(pdf)]
    assert len(pages) >= 12
    for data in pages:
        slow, fast, qpdf = both(data)
        assert qpdf, "a well-formed reportlab page must be lexed by qpdf"
        assert fast == slow and len(slow) > 50


@needs_corpus_pdfs
def test_corpus_pages_same_tokens_on_the_fast_path() -> None:
    """The real reports (CR line ends, CID fonts in hex strings, tagged content) are lexed by
    qpdf, every page, and give pdfminer's tokens."""
    pages = [s for path in CORPUS_PDFS for s in page_streams(path.read_bytes())]
    assert len(pages) >= 15
    for data in pages:
        slow, fast, qpdf = both(data)
        assert qpdf and fast == slow


def test_fixture_pages_same_tokens() -> None:
    assert FIXTURE_PDFS
    for path in FIXTURE_PDFS:
        for data in page_streams(path.read_bytes()):
            slow, fast, _ = both(data)
            assert fast == slow, path


# (stream, must qpdf lex it?) Each case is a way the two lexers differ, or a well-formed
# construct both must read alike.
CASES = [
    (b"/F1 12 Tf BT 1 0 0 1 72 700 Tm (abc) Tj [(a) -250 (b)] TJ ET", True),
    (b"BT <0041 00 42> Tj <4142>Tj ET", True),
    (b"/Span <</ActualText (x) /MCID 3>> BDC (y) Tj EMC", True),
    (b"+3 -.5 4. -0 0.000001 Td 1 2 3 4 5 6 cm true false Tj", True),
    (b"(a\\(b\\)c\\\\d\\101\\n\\t) Tj ((nested) parens) Tj", True),
    (b"(line\\\ncontinued) Tj (crlf\\\r\ncontinued) Tj", True),
    (b"q\r1 0 0 1 0 0 cm\r<000D000A>Tj\rQ", True),  # CR line ends, CR/LF bytes in hex
    (b"% a comment\n0 0 m 10 10 l S", True),
    (b"(a\r\nb) Tj", False),  # qpdf reads the CRLF as LF
    (b"(a\rb) Tj", False),
    (b"<414> Tj", False),  # odd hex: qpdf pads with 0, pdfminer keeps the half byte
    (b"<4G> Tj", False),
    (b"(\\q) Tj", False),  # unknown escape: pdfminer drops the letter, qpdf keeps it
    (b"(\\423) Tj", False),  # octal over 255
    (b"/A#20B gs", False),
    (b"<</A null /B 1>> BDC", False),  # pdfminer keeps the null, qpdf drops the key
    (b"null 1 Tz", False),
    (b"1.2.3 Td", False),
    (b"1e5 Tz", False),
    (b"-- 5 Tz 5- Tz", False),
    (b"99999999999999999999 0 Td", False),
    (b"1 2 ] Td { 1 } Tz", False),
    (b"[ (a) 1 TJ", False),
    (b"(unterminated Tj", False),
    (b"T*\x00 ET", False),
    (b"1\x0b2 Td", False),
    (b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q", False),  # inline image
    (b"BX 1 2 foo EX 3 Tz", False),  # an operator outside the standard
    (b"/\xe5\xae\x8b Tf", False),  # a name that is not ASCII
    (b"", True),
]


@pytest.mark.parametrize(("data", "fast_path"), CASES)
def test_edge_cases(data: bytes, fast_path: bool) -> None:
    slow, fast, qpdf = both(data)
    assert fast == slow
    assert qpdf is fast_path


def test_switch_off_uses_pdfminer(monkeypatch) -> None:
    monkeypatch.setattr(settings, "PDF_QPDF_LEXER", False)
    assert not both(CASES[0][0])[2]


def test_mutated_streams_same_tokens(generated_pdfs) -> None:
    """Thousands of mutations (delimiters, escapes, digits, CR, NUL, high bytes) of real page
    streams: whatever each lexer makes of them, content_parser gives pdfminer's tokens."""
    seeds = [s for pdf in generated_pdfs[:2] for s in page_streams(pdf)]
    seeds += [s for path in CORPUS_PDFS for s in page_streams(path.read_bytes())[:2]]
    alphabet = [*b"()<>[]{}/\\#%\r\n .-+0123456789aefnulTJjd", 0, 11, 255, 0xE4]
    rng = random.Random(20261204)
    fast_cases = 0
    for _ in range(3000):
        src = rng.choice(seeds)
        start = rng.randrange(max(1, len(src) - 400))
        while start < len(src) and src[start] not in b"\r\n":
            start += 1  # start between operators, so that most cases stay well-formed
        data = bytearray(src[start:start + rng.randrange(50, 400)])
        for _ in range(rng.randrange(0, 3)):
            pos, roll = rng.randrange(len(data) + 1), rng.random()
            if roll < 0.4:
                data[pos:pos] = bytes([rng.choice(alphabet)])
            elif pos < len(data) and roll < 0.7:
                del data[pos]
            elif pos < len(data):
                data[pos] = rng.choice(alphabet)
        slow, fast, qpdf = both(bytes(data))
        assert fast == slow, bytes(data)
        fast_cases += qpdf
    assert fast_cases >= 300  # the fast path was exercised, not only the fallback


def test_parse_results_identical(generated_pdfs, monkeypatch) -> None:
    """Whole documents: sections, facts, cells, boxes' consequences, checks: identical."""
    fast = same_results_on_and_off(monkeypatch, "PDF_QPDF_LEXER",
                                   pdf_documents(generated_pdfs[:3]))
    assert "Fact(" in fast  # the last one, like every report here, has facts to compare


def test_big_stream_left_to_pdfminer(monkeypatch) -> None:
    """qpdf lexes a stream whole, where the CPU-time cap cannot stop it: past the size limit
    pdfminer's lexer, which the cap stops token by token, takes it."""
    data = b"0 0 m 1 1 l\n" * 1000
    assert both(data)[2]
    monkeypatch.setattr(settings, "PDF_QPDF_LEXER_MAX_BYTES", len(data) - 1)
    slow, fast, qpdf = both(data)
    assert not qpdf and fast == slow


def test_pages_read_are_not_kept() -> None:
    """A stream made in a PDF stays in it: reading each page in one shared scratch PDF kept
    every page a worker ever read (3,000 pages of 54 KB: +160 MB). Memory stays flat."""

    def rss_mb() -> float:
        with open("/proc/self/status") as status:
            return int(status.read().split("VmRSS:")[1].split()[0]) / 1024

    data = b"BT /F1 12 Tf (" + b"x" * 50_000 + b") Tj ET"  # 50 KB in few tokens: quick
    for _ in range(50):
        pdf_content.qpdf_tokens(data)
    before = rss_mb()
    for _ in range(2000):  # kept, they would be 100 MB
        pdf_content.qpdf_tokens(data)
    assert rss_mb() - before < 25
