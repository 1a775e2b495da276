"""Old Office files (issue 15): .doc and .wps read through LibreOffice and the DOCX reader.

The .doc files are made here by LibreOffice itself from corpus reports: the 淮安市 2024 report
as a page whose tables are real Word tables, and a legacy-era text report. Each must give the
same values as the original. A .wps in the Word 97 format (what WPS has written since 2005) is
read the same way; an OLE2 file that is no Word document is refused with the reason.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import HUAIAN_2024, report_page_html

from parser.evaluate import score_document
from parser.load import load_bytes, read_file
from parser.model import DocumentError
from parser.office_convert import soffice
from parser.pipeline import parse_path
from xxgk import settings

pytestmark = pytest.mark.skipif(
    soffice() is None, reason="LibreOffice not installed (bash scripts/ensure_libreoffice.sh)")


def _to_doc(src, folder, infilter: str | None = None):
    """The file converted to Word 97 .doc by LibreOffice (what an office saved it as)."""
    cmd = [soffice(), f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
           "--convert-to", "doc:MS Word 97", "--outdir", str(folder), str(src)]
    if infilter:
        cmd[3:3] = [f"--infilter={infilter}"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, cwd=folder)
    out = folder / (src.stem + ".doc")
    assert out.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 Word 97 file
    return out


@pytest.fixture(scope="module")
def huaian_doc(corpus, tmp_path_factory):
    src = corpus / HUAIAN_2024
    folder = tmp_path_factory.mktemp("doc")
    page = folder / "huaian.html"
    page.write_text(report_page_html(load_bytes(read_file(src), str(src)), None),
                    encoding="utf-8")
    return src, _to_doc(page, folder, "HTML (StarWriter)")


def test_doc_with_word_tables_gives_the_values_of_the_original(huaian_doc):
    original, doc = huaian_doc
    a, b = parse_path(original), parse_path(doc)
    assert b.error is None and b.kind == "doc"
    assert (b.report_year, b.format, b.is_report) == (2024, "v2021", True)
    assert b.values == a.values
    # the tables came through as Word tables, cell by cell: the gold's 200 cells exact
    gold = json.loads((settings.GOLD_DIR / "003_huaian-city_2024.json").read_text("utf-8"))
    s = score_document(gold, b)
    assert (s.cells_exact, s.cells_expected, s.cells_wrong) == (200, 200, 0)
    assert {f.method for f in b.facts if f.table} == {"table"}


def test_legacy_text_report_as_doc(corpus, tmp_path):
    src = corpus / "reports/004_pingtan-county_2011.txt"
    doc = _to_doc(src, tmp_path, "Text (encoded):UTF8,LF,,,")
    a, b = parse_path(src), parse_path(doc)
    assert b.error is None and b.values == a.values and b.values
    assert (b.report_year, b.format) == (2011, "legacy")


def test_wps_in_word_97_format_is_read_the_same_way(huaian_doc, tmp_path):
    original, doc = huaian_doc
    wps = tmp_path / "report.wps"
    wps.write_bytes(doc.read_bytes())
    result = parse_path(wps)
    assert result.error is None and result.values == parse_path(original).values


def test_ole2_file_that_is_no_word_document_is_refused(huaian_doc, tmp_path):
    _, doc = huaian_doc
    data = doc.read_bytes()
    name = "WordDocument".encode("utf-16-le")
    assert name in data
    other = tmp_path / "old.wps"
    other.write_bytes(data.replace(name, "WpsxDocument".encode("utf-16-le")))
    result = parse_path(other)
    assert result.error == ("not a text, HTML, PDF or Word document: an OLE2 file without a "
                            "WordDocument stream (an old WPS 2000 file or other)")


def test_converter_missing_names_the_file_and_how_to_install(huaian_doc, monkeypatch):
    _, doc = huaian_doc
    monkeypatch.setattr(settings, "SOFFICE", "/nonexistent/soffice")
    result = parse_path(doc)
    assert result.error.startswith(f"{doc}: a Word 97-2003/WPS file is read by converting it "
                                   "with LibreOffice, which is not installed: install")
    assert "apt-get install libreoffice-writer-nogui" in result.error


def test_conversion_is_stopped_at_its_time_limit(huaian_doc, monkeypatch):
    _, doc = huaian_doc
    monkeypatch.setattr(settings, "OFFICE_CONVERT_SECONDS", 0.05)
    with pytest.raises(DocumentError, match=r"took over 0 s: stopped"):
        load_bytes(doc.read_bytes(), str(doc))
    monkeypatch.setattr(settings, "OFFICE_CONVERT_SECONDS", 60.0)
    monkeypatch.setattr(settings, "OFFICE_MAX_BYTES", 1000)
    with pytest.raises(DocumentError, match="over the 0 MB limit for converting"):
        load_bytes(doc.read_bytes(), str(doc))
