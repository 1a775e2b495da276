"""PDF tables as grids: rulings vs. text-background boxes, merged cells, page breaks.

Expected rows were read off the corpus PDFs (001, 002, 003) page by page.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from parser.model import Grid
from parser.tables.pdf_grid import clean_cell_text, pdf_grids
from xxgk import settings

REPORTS = settings.CORPUS_DIR / "reports"


def grids_of(name: str) -> list[Grid]:
    path: Path = REPORTS / name
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the shared corpus is not mounted)")
    with pdfplumber.open(path) as pdf:
        return pdf_grids(pdf)


def row_with(grid: Grid, label: str) -> list[str]:
    """The first row with an origin cell `label`; positions a merged cell covers show "^"."""
    for row in grid.rows:
        if any(c.text == label and not c.span_copy for c in row):
            return ["^" if c.span_copy else c.text for c in row]
    raise AssertionError(f"no row labelled {label!r}")


def numbers(row: list[str]) -> list[str]:
    return [t for t in row if t.replace(".", "", 1).isdigit()]


def test_clean_cell_text_rejoins_vertical_and_wrapped_labels() -> None:
    assert clean_cell_text("三\n、\n本\n年\n度\n办\n理\n结\n果") == "三、本年度办理结果"
    assert clean_cell_text("商业\n企业") == "商业企业"
    assert clean_cell_text("总 计") == "总计"
    assert clean_cell_text("Total\nsum") == "Total sum"
    assert clean_cell_text(None) == ""


def test_001_three_tables_and_table_three_rows() -> None:
    grids = grids_of("001_huaian-hongze_2023.pdf")
    # table 二 (pages 2-3, one grid), table 三 (pages 3-4, one grid), table 四; the boxed
    # paragraphs WPS draws behind body text are not tables
    assert [(g.page, len(g.rows), len(g.rows[0])) for g in grids] == [
        (2, 14, 4),
        (3, 26, 10),
        (4, 4, 15),
    ]
    t2, t3, t4 = grids
    assert all(g.source == "pdf" and g.start == -1 and g.end == -1 for g in grids)
    # the page-3 part of table 二 lost the left half of its top border: still found
    assert [c.text for c in t2.rows[8]] == [
        "信息内容",
        "本年处理决定数量",
        "本年处理决定数量",
        "本年处理决定数量",
    ]
    assert [c.span_copy for c in t2.rows[8]] == [False, False, True, True]
    assert numbers(row_with(t2, "行政事业性收费")) == ["7730.28"]
    assert numbers(row_with(t3, "（七）总计")) == ["21", "0", "0", "0", "0", "0", "21"]
    assert row_with(t3, "2.其他法律行政止公开")[2] == "2.其他法律行政止公开"  # typo kept
    assert numbers(row_with(t3, "1.本机关不掌握相关政府信息")) == [
        "10",
        "0",
        "0",
        "0",
        "0",
        "0",
        "10",
    ]
    # header rows with their stacked labels rejoined; 三、本年度办理结果 spans rows 5-24
    assert [c.text for c in t3.rows[2]][4:9] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert t3.rows[5][0].text == "三、本年度办理结果" and not t3.rows[5][0].span_copy
    assert t3.rows[24][0].text == "三、本年度办理结果" and t3.rows[24][0].origin == (5, 0)
    # （四）无法提供 spans 1.–3. across the page break 3 -> 4
    assert [t3.rows[r][1].origin for r in (15, 16, 17)] == [(15, 1)] * 3
    assert t3.rows[17][2].text == "3.补正后申请内容仍不明确"
    # table 四: review total (0) disagrees with its parts (10 1 0 0): kept as printed
    assert [c.text for c in t4.rows[3]] == [
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
    assert [c.text for c in t4.rows[1][:5]] == [
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    ]


def test_002_single_row_other_and_page_break_in_table_two() -> None:
    grids = grids_of("002_huaian-hongze_2024.pdf")
    assert [(g.page, len(g.rows)) for g in grids] == [(2, 14), (3, 26), (4, 4)]
    t2, t3, t4 = grids
    # the break falls between 行政许可 9487 and the caption 第二十条第（六）项: not merged
    assert numbers(row_with(t2, "行政许可")) == ["9487"]
    assert t2.rows[7][0].text == "第二十条第（六）项"
    assert numbers(row_with(t3, "（六）其他处理")) == ["0"] * 7
    assert numbers(row_with(t3, "（七）总计")) == ["95", "0", "0", "0", "0", "0", "95"]
    assert numbers(row_with(t3, "2.没有现成信息需要另行制作")) == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]
    assert [c.text for c in t4.rows[3]] == [
        "1",
        "1",
        "0",
        "0",
        "2",
        "1",
        "0",
        "0",
        "0",
        "1",
        "2",
        "0",
        "1",
        "0",
        "3",
    ]


def test_003_tables_across_page_breaks_and_all_200_cells() -> None:
    grids = grids_of("003_huaian-city_2024.pdf")
    assert [(g.page, len(g.rows), len(g.rows[0])) for g in grids] == [
        (3, 14, 4),
        (4, 28, 10),
        (5, 4, 15),
    ]
    t2, t3, t4 = grids
    # table 二 runs from page 3 (4 columns) onto page 4 (2 columns): one grid
    assert [
        numbers(row_with(t2, lab))
        for lab in ("规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费")
    ] == [
        ["1", "0", "11"],
        ["8", "26", "66"],
        ["447228"],
        ["3985758"],
        ["88283"],
        ["96171.6"],
    ]
    # table 三: pages 4-5; the merged （四）无法提供 is cut by the break as "（四）无" | "法提供"
    assert t3.rows[17][1].text == "（四）无法提供" and t3.rows[17][1].origin == (15, 1)
    assert numbers(row_with(t3, "2.没有现成信息需要另行制作")) == [
        "11",
        "0",
        "0",
        "0",
        "0",
        "0",
        "11",
    ]
    assert row_with(t3, "（七）总计")[3:] == ["2932", "53", "0", "0", "61", "4", "3050"]
    assert row_with(t3, "四、结转下年度继续办理")[3:] == ["103", "0", "0", "0", "0", "0", "103"]
    assert numbers(row_with(t3, "3、其他")) == ["108", "2", "0", "0", "0", "0", "110"]
    # every value of the 25 data rows x 7 columns is a number: 175 cells
    data = [r for r in t3.rows if r[3].text.isdigit()]
    assert len(data) == 25 and all(c.text.isdigit() for r in data for c in r[3:])
    # 10 cells of table 二 + 175 of table 三 + 15 of table 四 = 200
    t2_values = sum(len(numbers([c.text for c in r if not c.span_copy])) for r in t2.rows)
    assert t2_values + 25 * 7 + len(numbers([c.text for c in t4.rows[3]])) == 200
    assert [c.text for c in t4.rows[3]] == [
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


def test_speed_on_corpus_pdfs() -> None:
    """pdf_grids must stay well under a second per page (measured: about 20 pages/s)."""
    import time

    pages = 0
    t0 = time.perf_counter()
    for name in (
        "001_huaian-hongze_2023.pdf",
        "002_huaian-hongze_2024.pdf",
        "003_huaian-city_2024.pdf",
    ):
        path = REPORTS / name
        if not path.exists():
            pytest.skip("corpus absent")
        with pdfplumber.open(path) as pdf:
            pdf_grids(pdf)
            pages += len(pdf.pages)
    assert pages / (time.perf_counter() - t0) > 2


def _cells(top: float, rows: list[list[str]], xs: list[float], h: float = 20.0):
    """Cells of a simple ruled table: one cell per text, row height h, column lines xs."""
    out = []
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            out.append(((xs[c], top + r * h, xs[c + 1], top + (r + 1) * h), text))
    return out


def test_continuation_drops_repeated_header_and_footer_and_mends_a_split_row() -> None:
    from parser.tables.pdf_grid import _build, _Piece, _Table

    xs = [50.0, 200.0, 260.0, 320.0]
    first = _Piece(
        1,
        (50, 600, 320, 700),
        _cells(
            600,
            [
                ["信息内容", "本年制发件数", "现行有效件数"],
                ["规章", "1", "2"],
                ["（二）部分公开（区分处理的，只计这一情", "3", "4"],
            ],
            xs,
        ),
    )
    second = _Piece(
        2,
        (50, 80, 320, 200),
        _cells(
            80,
            [
                ["信息内容", "本年制发件数", "现行有效件数"],  # the header repeated on the new page
                ["形，不计其他情形）", "", ""],  # the rest of the row cut by the break
                ["行政规范性文件", "5", "6"],
                ["- 2 -", "", ""],  # a footer caught inside the ruled area
            ],
            xs,
        ),
    )
    grid = _build(_Table([first, second]))
    assert grid.texts() == [
        ["信息内容", "本年制发件数", "现行有效件数"],
        ["规章", "1", "2"],
        ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3", "4"],
        ["行政规范性文件", "5", "6"],
    ]
    assert grid.page == 1 and all(not c.span_copy for r in grid.rows for c in r)
