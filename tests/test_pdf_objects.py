"""parser/pdf_objects.py makes pdfplumber's own dict of every character, key for key.

The fast `process_object` is compared with pdfplumber's on every layout object of the real
PDFs, the fixtures and generated reports (and on a shifted MediaBox, and on characters whose
attributes need pdfplumber's resolver); whole parse results must not change with it off.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdftypes import PDFObjRef

from parser import pdf_objects
from parser.pdf_guard import open_pdf
from testkit.pdf_switches import (
    LEAST_CHARS,
    PDF_SOURCES,
    check_install,
    pdf_documents,
    pdfs_from,
    same_results_on_and_off,
)

FAST, PLUMBER = pdf_objects.process_object, pdf_objects.PDFPLUMBER_PROCESS_OBJECT


def _objects(layout) -> list:
    out = []
    for obj in layout:
        if isinstance(obj, LTContainer):
            out.append(obj)
            out.extend(_objects(obj._objs))
        else:
            out.append(obj)
    return out


def compare(data: bytes) -> int:
    """Every object of every page: the same dict (keys, order, values) both ways. Returns
    how many characters took the fast path."""
    pdf = open_pdf(data)
    chars = 0
    for page in pdf.pages:
        for obj in _objects(page.layout._objs):
            assert repr(FAST(page, obj)) == repr(PLUMBER(page, obj)), (page.page_number, obj)
            chars += type(obj) is LTChar
    return chars


@pytest.mark.parametrize("source", PDF_SOURCES)
def test_every_pdf(generated_pdfs, source) -> None:
    """Generated reports, the real ones (CID fonts, tagged content: mcid, tag; colour spaces)
    and the fixtures."""
    for data, name in pdfs_from(source, generated_pdfs):
        assert compare(data) >= LEAST_CHARS[source], name


def test_shifted_mediabox(generated_pdfs) -> None:
    """A MediaBox not at (0, 0) moves x0/x1 and top/bottom: the same way both ways."""
    with pikepdf.open(io.BytesIO(generated_pdfs[0])) as pdf:
        for page in pdf.pages:
            page.MediaBox = [15, 30, 627, 822]
        out = io.BytesIO()
        pdf.save(out)
    data = out.getvalue()
    assert compare(data) > 500
    first = next(c for c in open_pdf(data).pages[0].chars)
    assert first["x0"] > 15


def test_values_the_resolver_must_walk(generated_pdfs) -> None:
    """An attribute that is not a plain scalar or a tuple of them (a list, a reference, a
    nested tuple) still goes through pdfplumber's resolver, and a bytes font name is
    decoded: the dicts stay equal."""
    pdf = open_pdf(generated_pdfs[0])
    page = pdf.pages[0]
    chars = [o for o in _objects(page.layout._objs) if type(o) is LTChar][:4]
    ref = PDFObjRef(pdf.doc, 1)
    chars[0].matrix = [1.0, 0.0, 0.0, 1.0, 5.0, 5.0]
    chars[1].mcid = (1, (2, ref))
    chars[2].tag = ref
    chars[3].fontname = b"SimSun\xb7Bold"
    for obj in chars:
        assert repr(FAST(page, obj)) == repr(PLUMBER(page, obj))
    assert FAST(page, chars[0])["matrix"] == [1.0, 0.0, 0.0, 1.0, 5.0, 5.0]


def test_colour_space_names_decoded_once_and_bounded() -> None:
    from pdfplumber.utils.pdfinternals import resolve_and_decode

    names = [f"CS{i}" for i in range(1500)] + ["DeviceRGB", b"\xfe\xff\x00A"]
    for name in names:
        assert pdf_objects._color_space(name) == resolve_and_decode(name)
        assert len(pdf_objects._COLOR_SPACES) <= pdf_objects._MAX_COLOR_SPACES
    assert pdf_objects._color_space(b"\xfe\xff\x00A") == "A"


def test_install_switch_and_version(monkeypatch) -> None:
    from pdfplumber import page as plumber_page

    check_install(monkeypatch, pdf_objects.install, lambda: plumber_page.Page.process_object,
                  FAST, PLUMBER, "PDF_FAST_OBJECTS", ("pdfplumber.__version__", "0.12.0"))


def test_parse_results_identical(generated_pdfs, monkeypatch) -> None:
    """Whole documents, with the fast dicts and without: identical results."""
    last = same_results_on_and_off(monkeypatch, "PDF_FAST_OBJECTS",
                                   pdf_documents(generated_pdfs[:2]))
    assert "Fact(" in last
