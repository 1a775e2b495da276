"""Grids rebuilt from text: PDF text layers, pipe dumps, and prose that must stay prose.

Expected rows were read in the texts themselves (fixtures/cases/tables_text, the corpus
PDFs' pdfplumber text, excerpts 101-106).
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from parser.model import Grid
from parser.tables.text_grid import text_grids
from xxgk import settings

CASES = settings.FIXTURES_DIR / "cases" / "tables_text"


def corpus_text(rel: str) -> str:
    path: Path = settings.CORPUS_DIR / rel
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the shared corpus is not mounted)")
    if path.suffix == ".pdf":
        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    return path.read_text(encoding="utf-8")


def row(grid: Grid, label: str) -> list[str]:
    """The row whose label cells include `label`, as [label cells…, values…] without padding."""
    for r in grid.texts():
        if label in r:
            i = r.index(label)
            vals = r[i + 1 :]
            while vals and vals[-1] == "" and len(vals) > 7:
                vals.pop()
            return vals
    raise AssertionError(f"no row {label!r} in {grid.texts()}")


def test_prose_with_numbers_is_not_a_table() -> None:
    assert text_grids((CASES / "prose_only.txt").read_text(encoding="utf-8")) == []


def test_pdf_text_wrapped_labels_numbers_before_labels_and_offsets() -> None:
    text = (CASES / "pdf_wrapped.txt").read_text(encoding="utf-8")
    [g] = text_grids(text)
    assert g.source == "text"
    assert text[g.start :].startswith("三、收到和处理政府信息公开申请情况")
    assert text[: g.end].endswith("四、结转下年度继续办理 0 0 0 0 0 0 0")
    labels = [r[0] for r in g.texts()]
    # the wrapped label is rejoined and keeps the numbers printed between its two lines
    assert row(g, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == [
        "3",
        "1",
        "0",
        "0",
        "0",
        "0",
        "4",
    ]
    # numbers printed before their label (and a page footer between) go to that label
    assert row(g, "1.属于国家秘密") == ["4", "0", "0", "0", "0", "0", "4"]
    assert row(g, "3.危及“三安全一稳定”") == ["2", "0", "0", "0", "0", "0", "2"]
    # the vertical label's characters (三 / 、) are not rows, nor is the footer
    assert row(g, "2.其他法律行政法规禁止公开") == ["0"] * 7
    assert "、" not in labels and "- 3 -" not in labels and "三" not in labels
    # a header line with one word per value column is aligned over the values
    assert g.texts()[1] == [
        "",
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    # the next section's heading and prose are not part of the table
    assert not any("存在的主要问题" in t for r in g.texts() for t in r)


def test_condensed_pipe_rows_with_blanks() -> None:
    text = (CASES / "pipe_rows.txt").read_text(encoding="utf-8")
    [g] = text_grids(text)
    assert g.texts()[0] == ["", "一、本年新收政府信息公开申请数量", "7", "", "", "", "1", "", "8"]
    assert g.texts()[2][:3] == ["三、本年度办理结果", "（一）予以公开", "6"]
    assert text[g.start : g.end].count("\n") == 3  # the four rows, not the headings


def test_001_pdf_text_layer() -> None:
    grids = text_grids(corpus_text("reports/001_huaian-hongze_2023.pdf"))
    assert len(grids) == 3
    t2, t3, t4 = grids
    assert row(t2, "行政规范性文件") == ["0", "5", "5"]
    assert row(t2, "行政许可")[:1] == ["550"] and row(t2, "行政事业性收费")[:1] == ["7730.28"]
    assert row(t3, "（七）总计") == ["21", "0", "0", "0", "0", "0", "21"]
    # numbers above their label in the text layer: "10 0 0 0 0 0 10\n1.本机关不掌握…"
    assert row(t3, "1.本机关不掌握相关政府信息") == ["10", "0", "0", "0", "0", "0", "10"]
    assert row(t3, "2.没有现成信息需要另行制作") == ["3", "0", "0", "0", "0", "0", "3"]
    assert row(t3, "5.要求行政机关确认或重 新出具已获取信息") == ["0"] * 7
    assert row(t3, "2.其他法律行政止公开") == ["0"] * 7  # after the vertical 三 is stripped
    data = [r for r in t3.texts() if r[-1].isdigit()]
    # 新收, 结转 + （一）（二） + 8 + 3 + 5 + single-row （六） + （七）总计 + 结转下年度
    assert len(data) == 23
    # table 四: one line of 15 numbers under stacked headers
    assert t4.texts()[-1] == [
        "",
        "10",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "5",
        "0",
        "0",
        "0",
        "0",
    ]
    assert t4.texts()[0][0] == "四、政府信息公开行政复议、行政诉讼情况"


def test_003_pdf_text_layer_interleaved_group_labels() -> None:
    grids = text_grids(corpus_text("reports/003_huaian-city_2024.pdf"))
    assert len(grids) == 3
    t3 = grids[1]
    assert row(t3, "4.保护第三方合法权益") == ["6", "0", "0", "0", "0", "0", "6"]
    assert next(r for r in t3.texts() if "4.保护第三方合法权益" in r)[:2] == [
        "（三）不予公开",
        "4.保护第三方合法权益",
    ]
    assert row(t3, "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请") == [
        "67",
        "3",
        "0",
        "0",
        "1",
        "0",
        "71",
    ]
    assert row(t3, "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请") == [
        "6",
        "0",
        "0",
        "0",
        "0",
        "0",
        "6",
    ]
    assert [r[0] for r in t3.texts() if r[0].startswith("（六）")] == ["（六）其他处理"]
    assert row(t3, "（七）总计") == ["2932", "53", "0", "0", "61", "4", "3050"]
    data = [r for r in t3.texts() if r[-1].isdigit()]
    assert len(data) == 25
    assert grids[2].texts()[-1][1:] == [
        "72",
        "64",
        "178",
        "37",
        "351",
        "13",
        "4",
        "8",
        "1",
        "26",
        "12",
        "1",
        "1",
        "6",
        "20",
    ]


def test_101_condensed_rows() -> None:
    [g] = text_grids(corpus_text("excerpts/101_shanghai-gov-office_2019.js.txt"))
    assert row(g, "一、本年新收政府信息公开申请数量") == ["821", "35", "", "", "2", "1", "859"]
    assert row(g, "（一）予以公开") == ["258", "12", "", "", "1", "1", ""]  # the one blank 总计
    assert row(g, "（七）总计") == ["767", "35", "", "", "2", "1", "805"]


def test_102_pipe_rows_table_two() -> None:
    [g] = text_grids(corpus_text("excerpts/102_yangling-audit_2022.txt"))
    assert g.texts()[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert g.texts()[3] == ["行政规范性文件", "0", "0", "0"]
    assert g.texts()[-1] == ["行政事业性收费", "0", "", ""]


def test_103_one_cell_per_line() -> None:
    text = corpus_text("excerpts/103_taojiang-audit_2020.txt")
    t2, t3 = text_grids(text)
    assert t2.texts()[0] == [
        "第二十条第(一)项",
        "信息内容",
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
    ]
    assert t2.texts()[2][:4] == ["规范性文件", "2", "2", "2"]
    assert t2.texts()[-1][:3] == ["政府集中采购", "0", "0"]
    assert t3.texts()[0][0] == "三、收到和处理政府信息公开申请情况"
    assert row(t3, "一、本年新收政府信息公开申请数量") == ["0"] * 7
    assert t3.texts()[4][:3] == ["三、本年度办理结果", "(一)予以公开", "0"]
    assert text[t2.start : t2.end].startswith("第二十条第(一)项")


def test_104_rows_started_by_a_lone_pipe() -> None:
    t2, t3 = text_grids(corpus_text("excerpts/104_wuhan-hanyang-office_2022.txt"))
    # the line before the first lone "|" (the section heading) is taken as the first cell
    assert t2.texts()[0] == ["二、主动公开政府信息情况", "", "", ""]
    assert t2.texts()[3] == ["规章", "0", "0", ""]  # the blank 现行有效件数 stays blank
    assert t2.texts()[4] == ["行政规范性文件", "5", "12", "8"]
    assert t2.texts()[6] == ["信息内容", "本年处理决定数量", "", ""]
    assert row(t3, "一、本年新收政府信息公开申请数量") == ["8", "0", "0", "0", "0", "0", "8"]


@pytest.mark.parametrize(
    "name", ["105_weihai-wendeng-audit_2020.txt", "106_weihai-wendeng-xinfang_2022.txt"]
)
def test_table_four_single_line_after_stacked_headers(name: str) -> None:
    text = corpus_text(f"excerpts/{name}")
    [g] = text_grids(text)
    assert g.texts()[-1] == [""] + ["0"] * 15
    assert any("行政复议" in r for r in g.texts())
    # the lone last row of table 三 on 105's page has no table context: not a grid
    assert "四、结转下年度继续办理" not in text[g.start : g.end]


def test_condensed_rows_run_together_on_one_line() -> None:
    text = (CASES / "run_together.txt").read_text(encoding="utf-8")
    [g] = text_grids(text)
    assert g.texts() == [
        ["", "一、本年新收政府信息公开申请数量", "9", "1", "", "", "", "", "10"],
        ["", "二、上年结转政府信息公开申请数量", "", "", "", "", "", "", ""],
        # the blank 总计 of （一） was swallowed with the line break before （二）
        ["三、本年度办理结果", "（一）予以公开", "8", "1", "", "", "", "", ""],
        ["", "（二）部分公开", "1", "", "", "", "", "", "1"],
    ]


def test_tab_separated_cells_keep_blank_positions() -> None:
    text = (CASES / "tabs.txt").read_text(encoding="utf-8")
    [g] = text_grids(text)
    assert g.texts()[-1] == ["", "3", "", "", "1", "4"] + [""] * 10
    assert g.texts()[0][0] == "四、政府信息公开行政复议、行政诉讼情况"
