"""Grid -> standard-table facts, on hand-made grids shaped like each source kind."""

from __future__ import annotations

import pytest

from parser.model import Cell, Document, Grid
from parser.tables.extract import extract_tables
from parser.tables.mapper import map_tables
from parser.tables.values import parse_cell, table_values

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
COLS6 = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def grid(rows: list[list[str | None]], source: str = "html") -> Grid:
    """Rows of texts; "<" repeats the cell on the left (colspan), "^" the one above (rowspan)."""
    out: list[list[Cell]] = []
    for r, row in enumerate(rows):
        cells: list[Cell] = []
        for c, text in enumerate(row):
            if text == "<":
                left = cells[c - 1]
                cells.append(Cell(left.text, left.origin, True))
            elif text == "^":
                up = out[r - 1][c]
                cells.append(Cell(up.text, up.origin, True))
            else:
                cells.append(Cell(text or "", (r, c)))
        out.append(cells)
    return Grid(out, source)


def facts_by_key(grids: list[Grid]) -> dict:
    tables = map_tables(grids)
    return {f.key: f for t in tables for f in t.facts if f.key}, tables


def table3_rows(split: bool) -> list[list[str | None]]:
    rows: list[list[str | None]] = [
        [NOTE, "<", "<", "申请人情况", "<", "<", "<", "<", "<", "<"],
        ["^", "^", "^", "自然人", "法人或其他组织", "<", "<", "<", "<", "总计"],
        ["^", "^", "^", "^", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "^"],
        ["一、本年新收政府信息公开申请数量", "<", "<", "10", "2", "0", "0", "1", "0", "13"],
        ["二、上年结转政府信息公开申请数量", "<", "<", "1", "0", "0", "0", "0", "0", "1"],
        ["三、本年度办理结果", "（一）予以公开", "<", "5", "1", "0", "0", "1", "0", "7"],
        ["^", "（三）不予公开", "1.属于国家秘密", "2", "0", "0", "0", "0", "0", "2"],
    ]
    if split:
        rows += [
            [
                "^",
                "（六）其他处理",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "1",
                "0",
                "0",
                "0",
                "0",
                "0",
                "1",
            ],
            [
                "^",
                "^",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
            ],
            ["^", "^", "3.其他", "1", "1", "0", "0", "0", "0", "2"],
        ]
    else:
        rows += [["^", "（六）其他处理", "<", "2", "1", "0", "0", "0", "0", "3"]]
    rows += [
        ["^", "（七）总计", "<", "9", "2", "0", "0", "1", "0", "12"],
        ["四、结转下年度继续办理", "<", "<", "2", "0", "0", "0", "0", "0", "2"],
    ]
    return rows


def test_merged_labels_group_and_item_give_the_key() -> None:
    got, tables = facts_by_key([grid(table3_rows(split=False))])
    assert tables[0].version == "v2019"  # single （六） row
    assert got["results.withheld.state_secret.natural_person"].value == 2
    assert got["results.other.total.total"].value == 3
    assert got["results.total.commercial"].value == 2
    f = got["applications.new.legal_service"]
    assert (f.row, f.column, f.table, f.section) == (
        "一、本年新收政府信息公开申请数量",
        "法律服务机构",
        "三",
        "三",
    )
    assert f.evidence.startswith("一、本年新收政府信息公开申请数量 | 10 | 2")


def test_split_other_rows_make_v2021() -> None:
    got, tables = facts_by_key([grid(table3_rows(split=True))])
    assert tables[0].version == "v2021"
    assert got["results.other.no_correction.total"].value == 1
    assert got["results.other.other.commercial"].value == 1
    assert "results.other.total.total" not in got
    values, notes = table_values(list(got.values()))
    assert "results.other.total.total" not in values  # a total the table does not print...
    assert notes["results.other.total.total"].endswith("sum to 3")  # ...is only noted


def test_pdf_continuation_without_header_and_cut_group_label() -> None:
    """pdfplumber-like pieces: empty strings for merged cells, a page break inside （四）."""
    head = table3_rows(split=False)[:5]
    first = [
        *head,
        ["三、本年度办理结果", "（一）予以公开", "", "5", "1", "0", "0", "1", "0", "7"],
        ["", "（四）无", "1.本机关不掌握相关政府信息", "3", "0", "0", "0", "0", "0", "3"],
    ]
    second = [
        ["", "法提供", "2.没有现成信息需要另行制作", "4", "0", "0", "0", "0", "0", "4"],
        ["", "", "3.补正后申请内容仍不明确", "5", "0", "0", "0", "0", "0", "5"],
        ["", "（五）不予处理", "1.信访举报投诉类申请", "6", "0", "0", "0", "0", "0", "6"],
    ]
    got, tables = facts_by_key([grid(first, "pdf"), grid(second, "pdf")])
    assert [f for t in tables for f in t.facts if f.key is None] == []
    assert got["results.unavailable.not_held.total"].value == 3
    assert got["results.unavailable.needs_creation.natural_person"].value == 4
    assert got["results.unavailable.unclear.total"].value == 5
    assert got["results.not_processed.petition.natural_person"].value == 6


def test_text_grid_with_unaligned_header_uses_template_order_only_when_complete() -> None:
    rows = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        ["商业 企业", "科研 机构", "社会公益组织", "法律服务机构", "其他"],
        ["一、本年新收政府信息公开申请数量", "8", "0", "0", "0", "0", "0", "8"],
        ["二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0", "1"],
    ]
    rows = [r + [""] * (9 - len(r)) for r in rows]  # grids are rectangular
    got, tables = facts_by_key([grid(rows, "text")])
    assert got["applications.new.total"].value == 8
    assert "template order" in (got["applications.new.total"].note or "")
    unplaced = [f for f in tables[0].facts if f.key is None]
    assert len(unplaced) == 8 and "8 values where the template has 7" in unplaced[0].note
    assert not any(f.key and f.key.startswith("applications.carried_over") for f in got.values())


def test_stacked_vertical_headers_of_table_four() -> None:
    """Table 四 headers one character per row (PDF text), one data row of 15 numbers."""
    rows = [
        ["行政复议", "<", "<", "<", "<", "行政诉讼", "<", "<", "<", "<", "<", "<", "<", "<", "<"],
        [
            "结",
            "结",
            "其",
            "尚",
            "总",
            "未经复议直接起诉",
            "<",
            "<",
            "<",
            "<",
            "复议后起诉",
            "<",
            "<",
            "<",
            "<",
        ],
        ["果", "果", "他", "未", "计", "结", "结", "其", "尚", "总", "结", "结", "其", "尚", "总"],
        ["维", "纠", "结", "审", "", "果", "果", "他", "未", "计", "果", "果", "他", "未", "计"],
        ["持", "正", "果", "结", "", "维", "纠", "结", "审", "", "维", "纠", "结", "审", ""],
        ["", "", "", "", "", "持", "正", "果", "结", "", "持", "正", "果", "结", ""],
        [str(n) for n in (1, 2, 3, 4, 10, 5, 6, 7, 8, 26, 9, 0, 0, 0, 9)],
    ]
    got, tables = facts_by_key([grid(rows, "pdf")])
    assert [f for f in tables[0].facts if f.key is None] == []
    assert got["review.total"].value == 10
    assert got["litigation.direct.pending"].value == 8
    assert got["litigation.after_review.upheld"].value == 9
    assert got["litigation.direct.total"].column == "未经复议直接起诉 / 总 / 计"


def v2021_table2(head: str = "本年制发件数") -> list[list[str | None]]:
    return [
        ["第二十条第（一）项", "<", "<", "<"],
        ["信息内容", head, "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"],
        ["第二十条第（八）项", "<", "<", "<"],
        ["信息内容", "本年收费金额（单位：万元）", "<", "<"],
        ["行政事业性收费", "96171.60", "<", "<"],
    ]


def test_table2_v2021_and_decimal_fee() -> None:
    got, tables = facts_by_key([grid(v2021_table2())])
    assert tables[0].version == "v2021"
    assert got["active.regulations.in_force"].value == 11
    fee = got["active.fees.amount_10k_yuan"]
    assert fee.value == 96171.6 and isinstance(fee.value, float) and fee.unit == "万元"


def test_v2019_column_in_a_v2021_table_is_never_mapped() -> None:
    rows = v2021_table2()
    rows.insert(5, ["第二十条第（五）项", "<", "<", "<"])
    rows[1][1] = "本年新制作数量"  # a v2019 header inside a table with v2021 markers
    _, tables = facts_by_key([grid(rows)])
    t = tables[0]
    assert t.version == "v2021"
    keys = {f.key for f in t.facts}
    assert not any(k and ("new_made" in k or k.endswith(".issued")) for k in keys)
    unplaced = [f for f in t.facts if f.key is None]
    assert {f.raw for f in unplaced} == {"1", "8"}


def test_mixed_version_markers_leave_table_unplaced() -> None:
    rows = [
        *v2021_table2(),
        ["第二十条第（九）项", "<", "<", "<"],
        ["信息内容", "采购项目数量", "采购总金额", "<"],
        ["政府集中采购", "3", "251000元", "<"],
        ["信息内容", "上一年项目数量", "本年增/减", "<"],
    ]
    _, tables = facts_by_key([grid(rows)])
    assert tables[0].version is None and tables[0].facts == []
    assert "several versions" in tables[0].problems[0]


def test_v2019_table2_signed_changes_and_amount_with_unit() -> None:
    rows = [
        ["第二十条第（五）项", "<", "<", "<"],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "396", "<", "+1036"],  # value spans two columns: order decides
        ["第二十条第（九）项", "<", "<", "<"],
        ["信息内容", "采购项目数量", "采购总金额", "<"],
        ["政府集中采购", "39", "251000元", "<"],
    ]
    rows[2] = ["行政许可", "396", "<", "+1036", "2,278"]
    rows = [[*r, "<"] if len(r) == 4 else r for r in rows]
    rows[1] = ["信息内容", "上一年项目数量", "<", "本年增/减", "处理决定数量"]
    rows[2] = ["行政许可", "396", "<", "+1036", "2,278"]
    rows[4] = ["信息内容", "采购项目数量", "<", "采购总金额", "<"]
    rows[5] = ["政府集中采购", "39", "<", "25.1万元", "<"]
    got, tables = facts_by_key([grid(rows)])
    assert tables[0].version == "v2019"
    assert got["active.licensing.change"].value == 1036
    assert got["active.licensing.decisions"].value == 2278
    amount = got["active.procurement.amount_yuan"]
    assert amount.value == 251000 and amount.unit == "元" and "normalised" in amount.note


def test_amount_in_a_column_whose_header_states_10k_yuan() -> None:
    rows = [
        ["第二十条第（九）项", "<", "<"],
        ["信息内容", "采购项目数量", "采购总金额（万元）"],
        ["政府集中采购", "39", "25.1"],
    ]
    got, _ = facts_by_key([grid(rows)])
    amount = got["active.procurement.amount_yuan"]
    assert (amount.value, amount.unit, amount.raw) == (251000, "元", "25.1")
    assert "header unit 万元" in amount.note


def test_compound_group_and_item_label_in_one_cell() -> None:
    rows = table3_rows(split=False)
    rows[6] = ["（三）不予公开1.属于国家秘密", "<", "<", "2", "0", "0", "0", "0", "0", "2"]
    got, _ = facts_by_key([grid(rows)])
    assert got["results.withheld.state_secret.total"].value == 2


def test_one_label_column_holding_every_level() -> None:
    """A flat grid (one label cell per row, as PDF attachments made from spreadsheets print
    it) runs 三、本年度办理结果, the group and the item together."""
    cols = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    rows = [
        ["申请人情况", *cols],
        ["一、本年新收政府信息公开申请数量", "3", "1", "0", "0", "0", "0", "4"],
        ["三、本年度办理结果（一）予以公开", "1", "0", "0", "0", "0", "0", "1"],
        ["三、本年度办理结果（三）不予公开1.属于国家秘密", "2", "0", "0", "0", "0", "1", "3"],
        ["三、本年度办理结果（七）总计", "3", "1", "0", "0", "0", "0", "4"],
    ]
    got, _ = facts_by_key([grid(rows, "pdf")])
    assert got["results.disclosed.natural_person"].value == 1
    assert got["results.withheld.state_secret.other_org"].value == 1
    assert got["results.withheld.state_secret.total"].value == 3
    assert got["results.total.commercial"].value == 1


def test_ambiguous_header_is_reported() -> None:
    rows = table3_rows(split=False)
    rows[2][5] = "商业企业"  # printed twice
    _, tables = facts_by_key([grid(rows)])
    t = tables[0]
    assert any("ambiguous header" in p for p in t.problems)
    assert not any(f.key and f.key.endswith((".commercial", ".research")) for f in t.facts)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("12", "件", (12, "value")),
        ("１２,３４５", "件", (12345, "value")),
        ("", "件", (None, "blank")),
        ("\u3000", "件", (None, "blank")),
        ("\xa0", "件", (None, "blank")),
        ("-", "件", (None, "dash")),
        ("/", "件", (None, "dash")),
        ("—", "件", (None, "dash")),
        ("无", "件", (None, "dash")),
        ("-185", "项", (-185, "value")),
        ("+1036", "项", (1036, "value")),
        ("7730.28", "万元", (7730.28, "value")),
        ("251000元", "元", (251000, "value")),
        ("394432.52元", "元", (394432.52, "value")),
        ("25.1万元", "元", (251000, "value")),
        ("0.07万元", "元", (700, "value")),
        ("1234元", "万元", (0.1234, "value")),
        ("12 件", "件", (12, "value")),
        ("约12", "件", (None, "unreadable")),
        ("二十四", "件", (24, "value")),
        ("零", "件", (0, "zero_word")),
        ("万", "件", (None, "unreadable")),
    ],
)
def test_parse_cell(text: str, unit: str, expected: tuple) -> None:
    value, status, _ = parse_cell(text, unit)
    assert (value, status) == expected
    assert type(value) is type(expected[0])


def test_extract_tables_on_a_document_with_prose_grids() -> None:
    layout_grid = grid([["这是一个版式表格", "发布日期"], ["2024-01-01", "点击数"]])
    doc = Document("x.html", "html", "", [], "", tables=[layout_grid, grid(table3_rows(False))])
    facts, checks = extract_tables(doc, [])
    assert {f.table for f in facts} == {"三"}
    assert all(f.method == "table" and f.version == "v2019" for f in facts)
    rules = {c.rule for c in checks}
    assert {"table.unplaced_cells", "table.missing_cells", "table3.balance"} <= rules
    assert next(c for c in checks if c.rule == "table.unplaced_cells").ok


def test_table4_words_on_lines_header_uses_template_order() -> None:
    """106-like PDF text: the header words do not line up with the 15 numbers."""
    rows = [
        ["行政复议", "行政诉讼"],
        ["未经复议直接起诉", "复议后起诉"],
        ["结果", "结果", "其他", "尚未", "总", "结果", "结果", "其他", "尚未", "总"],
        ["维持", "纠正", "结果", "审结", "计", "维持", "纠正", "结果", "审结", "计"],
        [str(n) for n in (1, 0, 0, 0, 1, 2, 0, 0, 1, 3, 0, 0, 0, 0, 0)],
    ]
    rows = [r + [""] * (15 - len(r)) for r in rows]
    got, tables = facts_by_key([grid(rows, "text")])
    assert [f for f in tables[0].facts if f.key is None] == []
    assert got["litigation.direct.total"].value == 3
    assert got["review.upheld"].value == 1
    assert "template order" in got["review.upheld"].note


def test_header_grid_then_condensed_text_rows() -> None:
    """101-like: table 三's header survives as a grid, its rows only as 'label | v1 | … | v7'."""
    header = grid(table3_rows(split=False)[:3])
    body = grid(
        [
            ["一、本年新收政府信息公开申请数量", "821", "35", "", "", "2", "1", "859"],
            ["二、上年结转政府信息公开申请数量", "18", "", "", "", "", "", "18"],
            ["（七）总计", "767", "35", "", "", "2", "1", "805"],
        ],
        "text",
    )
    got, _tables = facts_by_key([header, body])
    assert _vals(got, "applications.new") == [821, 35, None, None, 2, 1, 859]
    assert got["applications.new.research"].status == "blank"
    assert got["results.total.total"].value == 805


def test_a_second_data_row_under_table4_header_is_not_placed() -> None:
    rows = [
        ["行政复议", "<", "<", "<", "<", "行政诉讼", "<", "<", "<", "<", "<", "<", "<", "<", "<"],
        [
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "未经复议直接起诉",
            "<",
            "<",
            "<",
            "<",
            "复议后起诉",
            "<",
            "<",
            "<",
            "<",
        ],
        [
            "^",
            "^",
            "^",
            "^",
            "^",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
        ],
        ["1"] * 15,
        ["2"] * 15,
    ]
    got, tables = facts_by_key([grid(rows)])
    assert got["review.total"].value == 1
    unplaced = [f for f in tables[0].facts if f.key is None]
    assert len(unplaced) == 15 and all(f.raw == "2" for f in unplaced)


def test_an_unrelated_grid_after_a_table_is_not_absorbed() -> None:
    contact = grid([["联系人", "电话"], ["张三", "12345"]])
    _got, tables = facts_by_key([grid(table3_rows(split=False)), contact])
    assert [f for f in tables[0].facts if f.key is None] == []
    assert not any(f.raw == "12345" for t in tables for f in t.facts)


def test_number_glued_to_the_next_label_unplaces_the_blank_it_left() -> None:
    """Text rows cut one cell early: 805 ends up before the next label, 总计 reads empty."""
    header = grid(table3_rows(split=False)[:3])
    body = grid(
        [
            ["（七）总计", "767", "35", "", "", "2", "1", ""],
            ["805 四、结转下年度继续办理", "72", "", "", "", "", "", "72"],
        ],
        "text",
    )
    got, tables = facts_by_key([header, body])
    assert got["results.total.natural_person"].value == 767
    assert "results.total.total" not in got  # not read as an empty 总计
    assert "applications.carried_forward.total" not in got  # label with a glued number
    notes = {f.note for f in tables[0].facts if f.key is None}
    assert any(n.startswith("row boundary unclear") for n in notes)


def test_text_table2_caption_and_header_on_one_line() -> None:
    """103-like text rows: caption + header in one row, shifted one cell from the values."""
    rows = [
        ["第二十条第(五)项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "396", "-185", "2278", ""],
        ["第二十条第(八)项", "信息内容", "上一年项目数量", "本年增/减", ""],
        ["行政事业性收费", "35", "", "", ""],
    ]
    got, tables = facts_by_key([grid(rows, "text")])
    assert tables[0].version == "v2019"
    assert [
        got[f"active.licensing.{c}"].value for c in ("prev_year_items", "change", "decisions")
    ] == [396, -185, 2278]
    assert got["active.fees.prev_year_items"].value == 35
    assert got["active.fees.change"].status == "blank"
    assert "block's header" in got["active.fees.change"].note


def test_an_unknown_all_blank_row_does_not_reset_the_header() -> None:
    rows = table3_rows(split=False)
    rows.insert(5, ["某种新设的统计行", "<", "<", "", "", "", "", "", "", ""])
    got, tables = facts_by_key([grid(rows)])
    unplaced = [f for f in tables[0].facts if f.key is None]
    assert len(unplaced) == 7 and all("unknown row label" in f.note for f in unplaced)
    assert got["results.withheld.state_secret.natural_person"].value == 2  # rows below still map
    assert got["applications.carried_forward.total"].value == 2


# ----------------------------------------------------------------- real corpus documents


def _corpus(rel: str):
    import importlib.util

    from xxgk.settings import CORPUS_DIR

    path = CORPUS_DIR / rel
    if not path.exists():
        pytest.skip(f"corpus file not found: {path} (the shared corpus is not mounted)")
    if importlib.util.find_spec("parser.load") is None:
        pytest.skip("parser.load (the loaders) does not exist yet")
    from parser.load import load_bytes

    doc = load_bytes(path.read_bytes(), str(path))
    facts, checks = extract_tables(doc, [])
    return doc, {f.key: f for f in facts if f.key}, facts, checks


# Table 三's applicant columns, in printed order (their canonical key suffixes).
APPLICANT_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)


def _vals(
    got: dict,
    prefix: str,
    cols=APPLICANT_COLUMNS,
):
    return [got[f"{prefix}.{c}"].value for c in cols]


def test_corpus_001_pdf_typo_label_single_other_and_broken_review_total() -> None:
    _, got, facts, checks = _corpus("reports/001_huaian-hongze_2023.pdf")
    assert [f for f in facts if f.key is None] == []
    assert {f.version for f in facts if f.table == "二"} == {"v2021"}
    assert {f.version for f in facts if f.table == "三"} == {"v2019"}  # single （六） row
    assert got["active.licensing.decisions"].value == 550
    assert got["active.fees.amount_10k_yuan"].value == 7730.28
    assert _vals(got, "applications.new") == [21, 0, 0, 0, 0, 0, 21]
    assert got["results.withheld.law_prohibited.total"].row.endswith("2.其他法律行政止公开")
    assert _vals(got, "results.unavailable.not_held") == [10, 0, 0, 0, 0, 0, 10]
    assert _vals(got, "results.other.total") == [0] * 7
    assert _vals(got, "results.total") == [21, 0, 0, 0, 0, 0, 21]
    outcomes = ("upheld", "corrected", "other", "pending", "total")
    assert _vals(got, "review", outcomes) == [10, 1, 0, 0, 0]
    failed = {c.detail.split(":")[0] for c in checks if not c.ok}
    assert failed == {"group review", "group litigation.after_review"}


def test_corpus_003_pdf_tables_across_page_breaks() -> None:
    doc, got, facts, checks = _corpus("reports/003_huaian-city_2024.pdf")
    assert len(facts) == 200 and [f for f in facts if f.key is None] == []
    assert {f.version for f in facts} == {"v2021"}
    assert got["active.penalty.decisions"].value == 3985758
    assert _vals(got, "applications.new") == [3001, 53, 0, 0, 61, 4, 3119]
    assert _vals(got, "results.unavailable.not_held") == [746, 12, 0, 0, 10, 1, 769]
    assert _vals(got, "results.unavailable.needs_creation") == [11, 0, 0, 0, 0, 0, 11]
    assert _vals(got, "results.other.no_correction") == [67, 3, 0, 0, 1, 0, 71]
    assert _vals(got, "results.other.other") == [108, 2, 0, 0, 0, 0, 110]
    assert _vals(got, "results.total") == [2932, 53, 0, 0, 61, 4, 3050]
    assert _vals(got, "review", ("upheld", "corrected", "other", "pending", "total")) == [
        72,
        64,
        178,
        37,
        351,
    ]
    assert [c for c in checks if not c.ok] == []
    for f in facts:
        assert doc.text[f.start : f.end] == f.raw


def test_corpus_002_pdf() -> None:
    _, got, facts, checks = _corpus("reports/002_huaian-hongze_2024.pdf")
    assert [f for f in facts if f.key is None] == []
    assert got["active.fees.amount_10k_yuan"].value == 7545
    assert _vals(got, "applications.new") == [95, 0, 0, 0, 0, 0, 95]
    assert _vals(
        got, "litigation.after_review", ("upheld", "corrected", "other", "pending", "total")
    ) == [2, 0, 1, 0, 3]
    assert [c for c in checks if not c.ok] == []


def test_corpus_101_html_v2019_table2_and_table4_blanks() -> None:
    _, got, facts, _ = _corpus("excerpts/101_shanghai-gov-office_2019.js.txt")
    t2 = {k: f.value for k, f in got.items() if k.startswith("active.")}
    assert t2["active.regulations.total_published"] == 524
    assert t2["active.normative_docs.new_made"] == 60
    assert t2["active.procurement.projects"] == 6
    assert t2["active.procurement.amount_yuan"] == 251000
    assert len(t2) == 22 and {f.version for f in facts if f.table == "二"} == {"v2019"}
    assert not any(k.endswith((".issued", ".in_force")) for k in t2)  # no v2021 key
    review = [
        (got[f"review.{o}"].status, got[f"review.{o}"].value)
        for o in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert review == [("value", 5), ("blank", None), ("blank", None), ("value", 2), ("value", 7)]
    values, notes = table_values(facts)
    assert values["review.corrected"] is None and notes["review.corrected"] == "blank cell"


def test_mixed_versions_show_as_a_failed_check() -> None:
    rows = [
        *v2021_table2(),
        ["第二十条第（九）项", "<", "<", "<"],
        ["信息内容", "采购项目数量", "采购总金额", "<"],
        ["政府集中采购", "3", "251000元", "<"],
        ["信息内容", "上一年项目数量", "本年增/减", "<"],
    ]
    doc = Document("x.html", "html", "", [], "", tables=[grid(rows), grid(table3_rows(False))])
    facts, checks = extract_tables(doc, [])
    assert {f.table for f in facts} == {"三"}
    bad = {c.rule: c for c in checks if not c.ok}
    assert "version not recognised" in bad["table.unplaced_cells"].detail
    assert bad["table.not_found"].values == {"absent": ["四"]}


def test_corpus_101_table3_from_text_is_exact_or_unplaced() -> None:
    """101 keeps table 三's header as HTML and its rows only as condensed text lines.

    Whatever the text-grid builder makes of those lines, a cell is either placed with the
    number the page prints or reported as not placed: never a number in the wrong cell.
    """
    import importlib.util

    _, got, facts, checks = _corpus("excerpts/101_shanghai-gov-office_2019.js.txt")
    if importlib.util.find_spec("parser.tables.text_grid") is None:
        missing = next(c for c in checks if c.rule == "table.not_found")
        assert missing.values == {"absent": ["三"]} and not missing.ok
        return
    printed = {  # as printed in the excerpt (None: empty cell)
        "applications.new": [821, 35, None, None, 2, 1, 859],
        "applications.carried_over": [18, None, None, None, None, None, 18],
        "results.disclosed": [258, 12, None, None, 1, 1, None],
        "results.withheld.process_info": [3, 1, None, None, None, None, None],
        "results.unavailable.not_held": [252, 12, None, None, 1, None, None],
        "results.not_processed.duplicate": [5, 4, None, None, None, None, None],
        "results.total": [767, 35, None, None, 2, 1, 805],
        "applications.carried_forward": [72, None, None, None, None, None, 72],
    }
    cols = APPLICANT_COLUMNS
    placed = 0
    for prefix, row in printed.items():
        for col, value in zip(cols, row, strict=True):
            f = got.get(f"{prefix}.{col}")
            if f is not None:
                placed += 1
                assert (f.value, f.status) == (value, "value" if value is not None else "blank")
    assert placed >= 20  # the result rows, at least, are read
    unplaced = [f for f in facts if f.table == "三" and f.key is None]
    if unplaced:
        rule = next(c for c in checks if c.rule == "table.unplaced_cells" and "三" in c.detail)
        assert not rule.ok


def _needs_text_grid() -> None:
    import importlib.util

    if importlib.util.find_spec("parser.tables.text_grid") is None:
        pytest.skip("parser.tables.text_grid (grids rebuilt from text) does not exist yet")


def test_corpus_104_in_force_with_history_note_and_split_header_words() -> None:
    _needs_text_grid()
    _, got, facts, _ = _corpus("excerpts/104_wuhan-hanyang-office_2022.txt")
    assert {f.version for f in facts if f.table == "二"} == {"v2021"}
    assert got["active.normative_docs.in_force"].value == 8
    assert got["active.normative_docs.in_force"].column.startswith("现行有效件数")
    assert got["active.regulations.in_force"].status == "blank"
    assert got["active.normative_docs.repealed"].value == 12
    assert _vals(got, "applications.new") == [8, 0, 0, 0, 0, 0, 8]
    assert [f for f in facts if f.key is None] == []


def test_corpus_103_v2019_table2_from_one_cell_per_line_text() -> None:
    _needs_text_grid()
    _, got, facts, _ = _corpus("excerpts/103_taojiang-audit_2020.txt")
    t2 = {k: f.value for k, f in got.items() if k.startswith("active.")}
    assert len(t2) == 22 and {f.version for f in facts if f.table == "二"} == {"v2019"}
    assert [
        t2[f"active.normative_docs.{c}"] for c in ("new_made", "new_published", "total_published")
    ] == [2, 2, 2]
    assert t2["active.procurement.amount_yuan"] == 0


@pytest.mark.parametrize(
    "name", ["105_weihai-wendeng-audit_2020", "106_weihai-wendeng-xinfang_2022"]
)
def test_corpus_table4_with_stacked_headers(name: str) -> None:
    _needs_text_grid()
    _, _, facts, checks = _corpus(f"excerpts/{name}.txt")
    t4 = [f for f in facts if f.table == "四"]
    assert len(t4) == 15 and all(f.key and f.value == 0 for f in t4)
    assert {f.version for f in t4} == {None}  # no table 二 on the page to take it from
    group = [c for c in checks if c.rule == "table4.group_total"]
    assert len(group) == 3 and all(c.ok for c in group)


# ------------------------------------------- `skip` maps the other tables exactly as before
#
# `map_tables(..., skip=...)` no longer maps the cells of the skipped tables (the caller
# throws them away) but still segments them and detects their version: tables 二 and 四
# must come out identical, facts, versions and problems alike.

SKIP_VARIANTS = ["v2021_merged", "v2021_blanks", "v2021_split_labels", "v2019_merged"]


def _fixture_doc(name: str) -> Document:
    import importlib.util

    from xxgk.settings import FIXTURES_DIR

    if importlib.util.find_spec("parser.load") is None:
        pytest.skip("parser.load (the loaders) does not exist yet")
    from parser.load import load_bytes

    path = FIXTURES_DIR / "tables" / f"{name}.html"
    return load_bytes(path.read_bytes(), path.name)


def _known(name: str) -> dict:
    import json

    from xxgk.settings import FIXTURES_DIR

    return json.loads((FIXTURES_DIR / "tables" / f"{name}.json").read_text(encoding="utf-8"))


def _by_table(tables: list) -> dict:
    return {t.table: t for t in tables}


@pytest.mark.parametrize("name", SKIP_VARIANTS)
def test_skip_three_leaves_tables_two_and_four_unchanged(name: str) -> None:
    doc = _fixture_doc(name)
    full = _by_table(map_tables(doc.tables, doc.text))
    skipped = map_tables(doc.tables, doc.text, skip=frozenset({"三"}))
    assert [t.table for t in skipped] == ["二", "四"]  # no 三, nothing else, in order
    assert set(full) == {"二", "三", "四"}
    part = _by_table(skipped)
    for tid in ("二", "四"):
        assert part[tid] == full[tid], tid  # dataclass equality: every fact and field
    # and the tables are the right ones: every value of 二 and 四 as the generator wrote it
    known = _known(name)
    for tid, prefixes in (("二", ("active.",)), ("四", ("review.", "litigation."))):
        got = {f.key: f.value for f in part[tid].facts if f.status == "value"}
        want = {
            k: v
            for k, v in known["values"].items()
            if k.startswith(prefixes) and k not in set(known["blank_keys"])
        }
        assert want and got == want, tid
        assert {f.version for f in part[tid].facts} == {known["version"]}


@pytest.mark.parametrize("name", ["v2021_merged", "v2021_split_labels", "v2019_merged"])
def test_skip_three_keeps_its_version_for_table_four_without_table_two(name: str) -> None:
    """With no table 二, table 四 takes its version from a skipped table 三 (v2021 by its split
    （六） rows); skipping 三 must not lose that."""
    doc = _fixture_doc(name)
    grids = [g for g in doc.tables if not any(c.text == "信息内容" for r in g.rows for c in r)]
    assert len(grids) == len(doc.tables) - 1  # table 二's grid, and only it, removed
    full = _by_table(map_tables(grids, doc.text))
    skipped = map_tables(grids, doc.text, skip=frozenset({"三"}))
    assert [t.table for t in skipped] == ["四"]
    assert skipped[0] == full["四"]
    expected = "v2021" if name.startswith("v2021") else None
    assert skipped[0].version == expected
    assert {f.version for f in skipped[0].facts} == {expected}
