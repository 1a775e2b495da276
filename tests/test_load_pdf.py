"""PDF reports: text layer, page footers, CJK letter-spacing, page offsets, table placement."""

from __future__ import annotations

import importlib.util
import re
import time

import pytest

from parser.load import load_bytes, read_file
from parser.model import Document
from parser.pdf_text import cjk_space_drops, is_footer
from xxgk import settings

REPORTS = settings.CORPUS_DIR / "reports"


def corpus_pdf(name: str) -> Document:
    path = REPORTS / name
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the shared corpus is not mounted)")
    return load_bytes(read_file(path), str(path))


def test_001_text_footers_and_spacing() -> None:
    doc = corpus_pdf("001_huaian-hongze_2023.pdf")
    assert doc.kind == "pdf"
    assert doc.text.startswith(
        "洪泽区人民政府\n2023 年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室"
    )
    assert "收到和处理政府信息公开申请情况" in doc.text
    lines = doc.text.split("\n")
    assert not [line for line in lines if re.fullmatch(r"-\s*\d+\s*-", line.strip())]
    assert "- 3 -" not in doc.text and "- 3 -" in doc.raw  # the footer is in raw, not in text
    # Letter-spaced CJK is closed up; a space between a number and a word stays.
    assert "邮 编" not in doc.text
    assert "号，邮编： 223100 ，电话： 0517-87222589 ，电子邮箱：" in doc.text
    assert "健康发展。" in doc.text and "2023 年，我区在政" in doc.text
    assert "三 2.其他法律行政止公开 0 0 0 0 0 0 0" in doc.text  # the typo is kept as printed


def test_offsets_point_into_the_text_layer() -> None:
    for name in ("001_huaian-hongze_2023.pdf", "003_huaian-city_2024.pdf"):
        doc = corpus_pdf(name)
        assert len(doc.offsets) == len(doc.text)
        for i, ch in enumerate(doc.text):
            if ch.isspace():
                continue
            assert doc.raw[doc.offsets[i]] == ch, (name, i)
        assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:], strict=False))


def test_page_offsets() -> None:
    doc = corpus_pdf("003_huaian-city_2024.pdf")
    assert len(doc.pages) == 6
    assert doc.pages[0] == 0 and doc.pages == sorted(doc.pages)
    assert len(re.findall(r"(?m)^- \d -$", doc.raw)) == 6  # every page ends with "- N -"
    # Each page's text starts right after the previous page's footer in the text layer.
    for k, start in enumerate(doc.pages[1:], 1):
        assert doc.raw[: doc.offsets[start]].endswith(f"\n- {k} -\n"), k
    assert doc.text[doc.pages[1] :].startswith("营商环境高质量推进产业发展")


def test_tables_are_placed_in_the_text() -> None:
    doc = corpus_pdf("002_huaian-hongze_2024.pdf")
    if importlib.util.find_spec("parser.tables.pdf_grid") is None:
        pytest.skip("parser.tables.pdf_grid is not written yet")
    assert len(doc.tables) == 3
    t2, t3, t4 = doc.tables
    assert doc.text[t2.start :].startswith("第二十条第（一）项")
    assert doc.text[: t2.end].endswith("行政事业性收费 7545")
    assert doc.text[t3.start :].startswith("（本列数据的勾稽关系为")
    assert doc.text[: t3.end].endswith("四、结转下年度继续办理 0 0 0 0 0 0 0")
    assert doc.text[t4.start :].startswith("行政复议 行政诉讼")
    assert doc.text[: t4.end].endswith("1 1 0 0 2 1 0 0 0 1 2 0 1 0 3")
    for grid in doc.tables:
        assert grid.page is not None and doc.pages[grid.page - 1] <= grid.start < grid.end


def test_all_corpus_pdfs_load_quickly() -> None:
    files = sorted(REPORTS.glob("*.pdf"))
    if not files:
        pytest.skip(f"no corpus PDFs under {REPORTS}")
    for path in files:
        start = time.perf_counter()
        doc = load_bytes(read_file(path), str(path))
        assert time.perf_counter() - start < 10, path.name
        assert "收到和处理政府信息公开申请情况" in doc.text
        assert not any(is_footer(line) for line in doc.text.split("\n"))


def _apply(line: str) -> str:
    drops = set(cjk_space_drops(line))
    return "".join(ch for i, ch in enumerate(line) if i not in drops)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("号 ， 邮 编 ： 223100 ， 电 话 ：", "号，邮编： 223100 ，电话："),
        (
            "推进政府信息公开工作规范、有序、健康发展 。",
            "推进政府信息公开工作规范、有序、健康发展。",
        ),
        ("2023 年政府信息公开工作年度报告", "2023 年政府信息公开工作年度报告"),
        (
            "信息内容 本年制发件数 本年废止件数 现行有效件数",
            "信息内容 本年制发件数 本年废止件数 现行有效件数",
        ),
        ("商业 科研", "商业 科研"),
        ("行政许可 550", "行政许可 550"),
        ("（三）不予公开 1 0 0", "（三）不予公开 1 0 0"),
    ],
)
def test_cjk_spacing(line: str, expected: str) -> None:
    assert _apply(line) == expected


@pytest.mark.parametrize(
    ("line", "footer"),
    [
        ("- 4 -", True),
        ("— 12 —", True),
        ("第 4 页 共 6 页", True),
        ("第4页", True),
        ("3/6", True),
        ("4", False),
        ("0 0 0", False),
        ("第二十条第（一）项", False),
    ],
)
def test_footer_lines(line: str, footer: bool) -> None:
    assert is_footer(line) is footer


def test_page_words_grouped_once_give_pdfplumbers_text_and_words(generated_pdfs) -> None:
    """parser/pdf_words.py: one word grouping per page, for the text and for the table
    reader, gives exactly `Page.extract_text()` and `Page.extract_words()`."""
    from parser.pdf_guard import open_pdf
    from parser.pdf_words import page_text, page_words

    files = [p.read_bytes() for p in sorted((settings.CORPUS_DIR / "reports").glob("*.pdf"))]
    files += [p.read_bytes() for p in sorted(settings.FIXTURES_DIR.rglob("*.pdf"))]
    pages = 0
    for data in files + generated_pdfs:
        pdf = open_pdf(data)
        for page in pdf.pages:
            assert page_text(page) == page.extract_text()
            assert page_words(page) == page.extract_words()
            pages += 1
        pdf.close()
    assert pages > 20
