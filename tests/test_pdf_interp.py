"""parser/pdf_interp.py runs pdfminer's content streams exactly as pdfminer's own loop does.

Every page of the real PDFs, the fixtures and generated reports gives the same layout objects
(characters with their boxes, fonts and colours; lines, rects, curves) with either loop, with
qpdf's lexer and with pdfminer's; the debug messages, the strict-mode error, an operator
missing its operands and a subclass behave as pdfminer says; whole parse results do not change.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from pdfminer import settings as pdfminer_settings
from pdfminer.pdfinterp import PDFInterpreterError, PDFPageInterpreter
from pdfplumber.utils.exceptions import PdfminerException

from parser import pdf_interp
from parser.pdf_guard import open_pdf
from testkit.pdf_switches import (
    LEAST_CHARS,
    PDF_SOURCES,
    check_install,
    pdf_documents,
    pdfs_from,
    same_results_on_and_off,
)
from xxgk import settings

FAST, PDFMINER = pdf_interp.execute, pdf_interp.PDFMINER_EXECUTE


def _page_objects(data: bytes, execute) -> list[str]:
    """repr of every object pdfplumber reads off every page, run by `execute`."""
    pdf = open_pdf(data)  # installs the fast loop; replaced below for this read
    PDFPageInterpreter.execute = execute
    try:
        return [repr(page.objects) for page in pdf.pages]
    finally:
        pdf_interp.install()
        pdf.close()


def _same_both_ways(data: bytes) -> int:
    fast, slow = _page_objects(data, FAST), _page_objects(data, PDFMINER)
    assert fast == slow
    return sum(page.count("'object_type': 'char'") for page in fast)


@pytest.mark.parametrize("lexer", [True, False], ids=["qpdf-lexer", "pdfminer-lexer"])
@pytest.mark.parametrize("source", PDF_SOURCES)
def test_every_pdf(generated_pdfs, monkeypatch, source, lexer) -> None:
    """Generated reports, the real ones (CID fonts, marked content, forms, colour spaces) and
    the fixtures, with either lexer."""
    monkeypatch.setattr(settings, "PDF_QPDF_LEXER", lexer)
    for data, name in pdfs_from(source, generated_pdfs):
        assert _same_both_ways(data) >= LEAST_CHARS[source], name


def _one_page_pdf(content: bytes) -> bytes:
    """A page whose content stream is `content`, with one standard font (F1)."""
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    page = pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 200, 200],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(content)))
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


# An operator missing its operands (Td with one), an unknown operator (xx), a starred and a
# quoted operator (T*, '), a path, a rectangle and text.
ODD_PAGE = (b"BT /F1 12 Tf 10 150 Td (ab) Tj 5 Td T* (cd) ' 1 2 xx ET "
            b"0 0 m 50 50 l S 10 10 30 30 re f BT /F1 9 Tf 20 20 Td (ef) Tj ET")


def test_odd_operators_run_the_same(monkeypatch) -> None:
    data = _one_page_pdf(ODD_PAGE)
    for lexer in (True, False):
        monkeypatch.setattr(settings, "PDF_QPDF_LEXER", lexer)
        assert _same_both_ways(data) == 6


def _debug_lines(data: bytes, execute, caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="pdfminer.pdfinterp"):
        _page_objects(data, execute)
    return [r.getMessage() for r in caplog.records
            if r.name == "pdfminer.pdfinterp" and r.getMessage().startswith("exec:")]


def test_debug_messages_as_pdfminer_writes_them(caplog) -> None:
    data = _one_page_pdf(ODD_PAGE)
    fast = _debug_lines(data, FAST, caplog)
    assert fast == _debug_lines(data, PDFMINER, caplog)
    assert "exec: Tj [b'ab']" in fast and "exec: T*" in fast


def test_strict_mode_refuses_an_unknown_operator(monkeypatch) -> None:
    data = _one_page_pdf(ODD_PAGE)
    monkeypatch.setattr(pdfminer_settings, "STRICT", True)
    for execute in (FAST, PDFMINER):
        with pytest.raises(PdfminerException) as raised:  # pdfplumber wraps pdfminer's error
            _page_objects(data, execute)
        assert isinstance(raised.value.args[0], PDFInterpreterError)
        assert str(raised.value.args[0]) == "Unknown operator: 'xx'"


def test_a_subclass_keeps_pdfminers_loop(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(pdf_interp, "PDFMINER_EXECUTE", lambda self, s: calls.append(s))

    class Mine(PDFPageInterpreter):
        pass

    FAST(Mine.__new__(Mine), [])
    assert calls == [[]]


def test_operator_table_is_bounded() -> None:
    interp = PDFPageInterpreter.__new__(PDFPageInterpreter)
    from pdfminer.psparser import KWD

    for i in range(pdf_interp._MAX_OPERATORS + 50):
        assert pdf_interp._operator(interp, KWD(f"op{i}".encode()))[1] is None
        assert len(pdf_interp._OPERATORS) <= pdf_interp._MAX_OPERATORS
    assert pdf_interp._operator(interp, KWD(b"T*")) == ("T*", "do_T_a", 0)
    assert pdf_interp._operator(interp, KWD(b"'")) == ("'", "do__q", 1)


def test_install_switch_and_version(monkeypatch) -> None:
    check_install(monkeypatch, pdf_interp.install, lambda: PDFPageInterpreter.execute,
                  FAST, PDFMINER, "PDF_FAST_INTERPRETER",
                  (pdf_interp, "PDFMINER_VERSION", "20990101"))


def test_parse_results_identical(generated_pdfs, monkeypatch) -> None:
    """Whole documents, with the fast loop and without: identical results."""
    last = same_results_on_and_off(monkeypatch, "PDF_FAST_INTERPRETER",
                                   pdf_documents(generated_pdfs[:2]))
    assert "Fact(" in last


def _page_with_form_and_inline_image() -> bytes:
    """A page that draws a Form XObject (run by a sub-interpreter) holding text, and an inline
    image (which only pdfminer's lexer reads)."""
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    form = pdf.make_stream(b"BT /F1 10 Tf 5 5 Td (in form) Tj ET 0 0 m 20 0 l S")
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = [0, 0, 100, 100]
    form.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    content = (b"BT /F1 12 Tf 10 150 Td (page) Tj ET q 1 0 0 1 30 40 cm /X1 Do Q "
               b"q 8 0 0 8 100 100 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q "
               b"BT /F1 9 Tf 20 20 Td (after) Tj ET")
    page = pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 200, 200],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font),
                                     XObject=pikepdf.Dictionary(X1=form)),
        Contents=pdf.make_stream(content)))
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_forms_and_inline_images_run_the_same() -> None:
    """pdfminer names an inline image by the id() of its stream object, which differs from
    one run to the next whichever loop runs it: the names are left out of the comparison."""
    data = _page_with_form_and_inline_image()

    def unnamed(pages: list[str]) -> list[str]:
        return [re.sub(r"'name': '\d+'", "'name': 'inline'", page) for page in pages]

    fast = unnamed(_page_objects(data, FAST))
    assert fast == unnamed(_page_objects(data, PDFMINER))
    assert "'text': 'i'" in fast[0] and "'name': 'inline'" in fast[0]
    assert fast[0].count("'object_type': 'char'") == len("page" "in form" "after")
