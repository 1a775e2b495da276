"""OCR where a document has no text (issue 15): scanned PDF pages and a table as an image.

The documents are made from the real 淮安市 2024 report (../shared/corpus) and scored against
the project's gold (fixtures/gold/003_huaian-city_2024.json) with parser.evaluate, as `xxgk
eval` scores the original: at least 98% of the table cells exact, and no wrong cell without a
failed check or a low-confidence flag naming it.
"""

from __future__ import annotations

import json

from conftest import mixed_pdf

from parser.evaluate import score_document
from parser.model import Check, Document, Fact, OcrRegion
from parser.ocr_facts import review
from parser.pipeline import parse_path
from parser.tables.checks import table_checks
from xxgk import settings

GOLD = settings.GOLD_DIR / "003_huaian-city_2024.json"


def _score(result):
    return score_document(json.loads(GOLD.read_text(encoding="utf-8")), result)


def _assert_scores(result, minimum=0.98):
    s = _score(result)
    assert s.error is None
    assert s.cells_expected == 200
    assert s.cells_exact / s.cells_expected >= minimum, s.cell_errors
    assert s.cells_wrong_unflagged == 0, s.cell_errors
    return s


def test_image_only_pdf_reads_as_the_original(scanned_huaian):
    _, result = scanned_huaian
    s = _assert_scores(result)
    # the prose facts too: the same as the parser reads from the original's text layer
    original = _score(parse_path(settings.CORPUS_DIR / "reports/003_huaian-city_2024.pdf"))
    assert (s.true_facts, s.gold_facts) == (original.true_facts, original.gold_facts)
    assert s.true_facts >= 9
    assert (result.report_year, result.format) == (2024, "v2021")
    assert [r["page"] for r in result.ocr] == [1, 2, 3, 4, 5, 6]
    assert all(r["engine"].startswith("rapidocr-onnxruntime") for r in result.ocr)
    # every fact was read by OCR and says how sure the engine was
    assert {f.method for f in result.facts} == {"ocr"}
    cells = [f for f in result.facts if f.table and f.status == "value"]
    assert len(cells) >= 190
    assert all(0 < f.confidence <= 1 for f in cells)
    assert result.values["applications.new.total"] == 3119
    assert result.values["active.fees.amount_10k_yuan"] == 96171.6
    # the table totals were checked on the OCR values, as on printed ones
    rules = {c.rule for c in result.checks if c.ok}
    assert {"table3.balance", "table3.results_sum", "table3.total_column",
            "table4.group_total"} <= rules


def test_report_page_with_table_three_as_png(table3_png_page):
    _, result = table3_png_page
    _assert_scores(result)
    assert [(r["page"], r["image"]) for r in result.ocr] == [(None, "images/table3.png")]
    methods = {(f.table, f.method) for f in result.facts if f.table}
    assert methods == {("二", "table"), ("三", "ocr"), ("四", "table")}
    assert result.values["results.total.total"] == 3050


def test_ocr_only_where_no_text_layer(corpus, tmp_path):
    """Page 4 (tables 二 and 三) scanned, the rest text: only page 4 is OCR'd, and table 三,
    half OCR (page 4) and half text layer (page 5), is read whole."""
    path = mixed_pdf(corpus / "reports/003_huaian-city_2024.pdf", 4, tmp_path / "mixed.pdf")
    result = parse_path(path)
    assert [r["page"] for r in result.ocr] == [4]
    _assert_scores(result)
    by_key = {f.key: f for f in result.facts if f.key}
    assert by_key["applications.new.total"].method == "ocr"  # page 4
    assert by_key["results.total.total"].method == "table"  # page 5, text layer
    assert by_key["active.regulations.issued"].method == "table"  # page 3
    assert all(f.method != "ocr" for f in result.facts if f.table is None and f.start < 1000)


def _doc_with_region(text: str, confidences: list[float | None]) -> Document:
    doc = Document(source="t", kind="pdf", text=text, offsets=list(range(len(text))), raw=text)
    doc.ocr.append(OcrRegion(page=1, image=None, start=0, end=len(text),
                             confidences=confidences))
    return doc


def _cell(key: str, value: int | None, start: int, conf: float | None = None,
          method: str = "ocr") -> Fact:
    return Fact(key=key, value=value, unit="件", label="", evidence="", section="三",
                method=method, start=start, end=start + len(str(value)), raw=str(value),
                table="三", confidence=conf)


def test_a_doubtful_digit_leaves_the_cell_unplaced_and_the_check_says_so():
    text = "3119 58"
    doc = _doc_with_region(text, [0.99, 0.99, 0.99, 0.99, None, 0.62, 0.99])
    # a cell the text-grid builder found in OCR'd text, and one the mapper read from an OCR grid
    sure = _cell("applications.new.total", 3119, 0, method="table")
    doubtful = _cell("x.y", 58, 5, conf=0.62)
    review(doc, [sure, doubtful])
    assert (sure.key, sure.method, sure.confidence) == ("applications.new.total", "ocr", 0.99)
    assert doubtful.key is None and doubtful.value == 58  # the reading is kept, unkeyed
    assert "OCR confidence 0.62 is below 0.9" in doubtful.note
    # text read doubtfully as a cell ("1." for a 1 beside a speck of a scan) is unplaced too
    odd = _cell("results.withheld.process_info.natural_person", None, 0, conf=0.56)
    odd.raw, odd.status = "1.", "unreadable"
    review(doc, [odd])
    assert odd.key is None and "'1.' may be misread" in odd.note
    prose = Fact(key="legacy.apply.received.total", value=58, unit="件", label="申请",
                 evidence="", section=None, method="text", start=5, end=7, raw="58")
    review(doc, [prose])
    assert (prose.method, prose.key, prose.confidence) == ("ocr", None, 0.62)


def test_table_totals_are_checked_on_ocr_values():
    facts = [_cell(f"review.{o}", v, 0, 0.99)
             for o, v in zip(("upheld", "corrected", "other", "pending"), (72, 64, 178, 37),
                             strict=True)]
    facts[0].table = facts[1].table = facts[2].table = facts[3].table = "四"
    total = _cell("review.total", 357, 0, 0.97)  # misread: the report prints 351
    total.table = "四"
    checks = table_checks([*facts, total])
    failed = [c for c in checks if c.rule == "table4.group_total" and not c.ok]
    assert len(failed) == 1 and isinstance(failed[0], Check)
    assert failed[0].values["review.total"] == 357


def test_ocr_off_says_so(corpus, tmp_path, monkeypatch):
    from conftest import image_only_pdf

    monkeypatch.setattr(settings, "OCR_ENABLED", False)
    path = image_only_pdf(corpus / "reports/003_huaian-city_2024.pdf", tmp_path / "s.pdf")
    result = parse_path(path)
    assert result.error == "PDF has no text layer (scanned image?) and OCR is off (XXGK_OCR=0)"


def test_an_image_bomb_in_a_page_is_skipped_with_the_reason_and_the_text_kept():
    import base64
    import io

    from PIL import Image

    from parser.load import load_bytes

    buf = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(buf, "PNG")  # 81 MP, a few KB compressed
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    page = ("<html><body><div class='TRS_Editor'><p>一、总体情况</p><p>本年收到申请 12 件。</p>"
            f"<p><img src='{src}'></p><p>二、主动公开情况</p></div></body></html>")
    doc = load_bytes(page.encode(), "bomb.html")
    assert "本年收到申请 12 件" in doc.text and doc.ocr == []
    assert doc.meta["ocr_skipped"] == ("image (inline data: URI): image of 9000×9000 pixels is "
                                       "over the 40 MP limit for OCR")


def test_too_many_pages_without_text_are_refused(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(settings, "OCR_MAX_PAGES", 1)
    pages = [Image.new("RGB", (300, 400), "white") for _ in range(2)]
    path = tmp_path / "blank.pdf"
    pages[0].save(path, "PDF", resolution=50, save_all=True, append_images=pages[1:])
    assert parse_path(path).error == ("PDF has more than 1 pages without a text layer, over the "
                                      "limit of pages read by OCR")
