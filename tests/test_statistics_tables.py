"""Legacy statistics tables (统计表, 2008–2018): every rendering, the layout data, the checks.

Expected values were read in the case files (fixtures/cases/statistics, see its README) and in
the corpus reports themselves; none was produced by running the parser.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from parser.load import load_bytes
from parser.model import Fact, ParseResult
from parser.pipeline import parse_bytes, parse_path
from parser.tables.stat_layout import canonical, load_statistics
from parser.tables.statistics import cumulative_key, is_cumulative
from xxgk import settings

CASES = settings.FIXTURES_DIR / "cases" / "statistics"

# The 2015 table of the text cases: row label as printed -> (key, 2015年度, 历年累计).
TABLE_2015 = [
    ("主动公开信息数", "条", "legacy.active.total", 186, 1432),
    ("其中：1、政府网站公开数", "条", "legacy.active.via.website", 171, 1290),
    ("2、政府公报公开数", "条", "legacy.active.via.gazette", 15, 142),
    ("受理依申请公开信息总数", "条", "legacy.apply.received.total", 12, 57),
    ("其中：1、当面申请数", "条", "legacy.apply.received.in_person", 3, 20),
    ("2、网上申请数", "条", "legacy.apply.received.online", 7, 28),
    ("3、信函申请数", "条", "legacy.apply.received.letter", 2, 9),
    ("对申请的答复总数", "条", "legacy.apply.replies.total", 12, 57),
    ("其中：1、同意公开答复数", "条", "legacy.apply.replies.disclosed", 8, 41),
    ("2、同意部分公开答复数", "条", "legacy.apply.replies.partial", 1, 6),
    ("3、不予公开答复数", "条", "legacy.apply.replies.denied", 3, 10),
    ("政府信息公开收费金额", "元", "legacy.fees.amount_yuan", 0, 0),
    ("行政复议数", "件", "legacy.review.total", 0, 1),
    ("行政诉讼数", "件", "legacy.litigation.total", 0, 0),
    ("行政申诉数", "件", "legacy.complaints.total", 1, 2),
]
YEAR_2015 = {key: year for _, _, key, year, _ in TABLE_2015}
CUMULATIVE_2015 = {key: cum for _, _, key, _, cum in TABLE_2015}


def stat_facts(result: ParseResult) -> list[Fact]:
    return [f for f in result.facts if f.table == "统计表"]


def year_cells(result: ParseResult) -> dict[str, float]:
    return {f.key: f.value for f in stat_facts(result) if f.key and f.status == "value"}


def cumulative_cells(result: ParseResult) -> dict[str, float]:
    return {cumulative_key(f): f.value for f in stat_facts(result) if cumulative_key(f)}


def failed(result: ParseResult, rule: str) -> list:
    return [c for c in result.checks if c.rule == rule and not c.ok]


@pytest.mark.parametrize("name", [
    "run_together_line.txt", "one_cell_per_line.txt", "cell_bar_lines.txt",
    "space_separated.txt", "pipe_rows.txt",
])
def test_every_text_rendering_gives_every_cell(name: str) -> None:
    path = CASES / name
    result = parse_path(path)
    assert year_cells(result) == YEAR_2015
    assert cumulative_cells(result) == CUMULATIVE_2015
    for key, value in YEAR_2015.items():
        assert result.values[key] == value
    text = load_bytes(path.read_bytes(), str(path)).text
    for f in stat_facts(result):  # every cell points at its own digits in the text
        assert text[f.start:f.end] == f.raw
        assert f.method == "table" and f.version == "legacy" and f.row and f.column
    assert not failed(result, "legacy_table.unplaced_cells")
    assert not [c for c in result.checks if c.rule.startswith("legacy_table.") and not c.ok]
    by_row = {f.row: f for f in stat_facts(result) if f.column == "2015年度"}
    assert by_row["3、信函申请数"].label == "3、信函申请数 | 2015年度"


def test_cumulative_cells_are_facts_without_key_never_values() -> None:
    result = parse_path(CASES / "run_together_line.txt")
    cum = [f for f in stat_facts(result) if is_cumulative(f)]
    assert len(cum) == 15
    assert all(f.key is None and f.column == "历年累计" for f in cum)
    assert all(f.note.startswith("cumulative (历年累计) of legacy.") for f in cum)
    assert 1432 not in result.values.values()  # no key holds a 历年累计 number
    assert 57 not in result.values.values()


def test_glued_runs_split_only_where_proven() -> None:
    path = CASES / "glued_runs.txt"
    result = parse_path(path)
    proven = {k: v for k, v in YEAR_2015.items() if not k.startswith("legacy.active.")}
    # requests and replies: the sums of their parts leave one cut of every run
    assert year_cells(result) == proven
    assert cumulative_cells(result) == {k: CUMULATIVE_2015[k] for k in proven}
    total = next(f for f in stat_facts(result) if f.key == "legacy.apply.received.total")
    assert total.note.startswith("split of a run-together row proven unique")
    # 主动公开: 1861432 can be 1|861432, 18|61432 or 186|1432 under part ≤ total: not guessed
    unread = {f.row: f for f in stat_facts(result) if f.status == "unreadable"}
    assert set(unread) == {"主动公开信息数", "其中：1、政府网站公开数", "2、政府公报公开数"}
    row = unread["主动公开信息数"]
    assert row.key is None and row.value is None and row.raw == "1861432"
    assert "1 | 861432; 18 | 61432; 186 | 1432" in row.note
    # the value of legacy.active.total is the prose's ("主动公开政府信息186条"), not the table's
    assert not [f for f in result.facts if f.method == "table" and f.key == "legacy.active.total"]
    [check] = failed(result, "legacy_table.unplaced_cells")
    assert "主动公开信息数 | 1861432" in check.values["unplaced"]
    text = load_bytes(path.read_bytes(), str(path)).text
    assert text[row.start:row.end] == "1861432"


def test_glued_numbering_that_cannot_be_told_apart_leaves_the_row_unread() -> None:
    # "29." would be the numbering of the next row only if it were 2 (after 1.): here 9 is
    # printed, so the digits of 1.当面申请数's run and the numbering cannot be told apart
    text = ("统计表\n指标名称计量单位2012年度历年累计受理依申请公开信息总数件00"
            "其中：1.当面申请数件009.传真申请数件00")
    result = parse_bytes(text.encode(), "glue.txt")
    rows = {f.row: f for f in stat_facts(result) if f.status == "unreadable"}
    assert "glued to the next row's numbering" in rows["其中：1.当面申请数"].note
    assert "legacy.apply.received.in_person" not in result.values


def test_html_table_with_merged_cells_blank_and_dash() -> None:
    result = parse_path(CASES / "merged_cells_2013.html")
    assert year_cells(result) == {
        "legacy.active.total": 83, "legacy.active.via.website": 80,
        "legacy.active.via.gazette": 3, "legacy.apply.received.total": 6,
        "legacy.apply.received.in_person": 2, "legacy.apply.received.fax": 0,
        "legacy.apply.received.email": 0, "legacy.apply.received.online": 4,
        "legacy.apply.received.letter": 0, "legacy.apply.replies.total": 6,
        "legacy.apply.replies.disclosed": 5, "legacy.apply.replies.partial": 1,
        "legacy.apply.replies.denied": 0, "legacy.review.total": 0,
        "legacy.litigation.total": 0,
    }
    assert cumulative_cells(result)["legacy.active.total"] == 512
    blank = [f for f in stat_facts(result) if f.status == "blank"]
    assert {f.row for f in blank} == {"其中 / 6.其它形式申请数"}
    dash = [f for f in stat_facts(result) if f.status == "dash"]
    assert [f.raw for f in dash] == ["—", "—"]
    # a blank or dash cell states nothing: it gives no value (and erases no prose value)
    assert "legacy.apply.received.other" not in result.values
    assert "legacy.complaints.total" not in result.values
    assert result.format == "legacy"


def test_national_form_of_2016_keys_no_keys_and_a_broken_sum() -> None:
    result = parse_path(CASES / "national_form_2016.html")
    cells = year_cells(result)
    assert cells["legacy.active.total"] == 356
    assert cells["legacy.active.normative_docs"] == 12
    assert cells["legacy.active.via.website"] == 341
    assert cells["legacy.response.interpretations"] == 8
    assert cells["legacy.apply.replies.not_gov_info"] == 1
    assert cells["legacy.review.corrected"] == 0  # 被依法纠错数 under 四、行政复议数量
    assert cells["legacy.litigation.corrected"] == 1  # the same label under 五、行政诉讼数量
    assert cells["legacy.fees.amount_yuan"] == 0  # 万元 row, normalised to 元
    assert cells["legacy.staff.total"] == 5
    assert "legacy.active.via.new_media" not in cells  # 微博 and 微信 are separate rows
    weibo = next(f for f in stat_facts(result) if f.row == "3.政务微博公开政府信息数")
    assert weibo.key is None and weibo.value == 120 and "new_media" in weibo.note
    budget = next(f for f in stat_facts(result) if f.row.startswith("（四）政府信息公开专项经费"))
    assert budget.value == 2.5 and budget.key is None
    [check] = failed(result, "legacy_table.parts_sum")
    assert "= 14 ≠ （一）收到申请数 15" in check.detail
    assert check.values["legacy.apply.received.total"] == 15
    assert check.values["legacy.apply.received.online"] == 9


def test_coded_form_with_year_to_date_column() -> None:
    result = parse_path(CASES / "coded_form_2015.html")
    cells = year_cells(result)
    assert cells["legacy.active.total"] == 64
    assert cells["legacy.apply.received.total"] == 3
    assert cells["legacy.apply.replies.denied"] == 1
    assert cells["legacy.apply.replies.not_exist"] == 1  # (2)“信息不存在”数 under 否决
    ytd = [f for f in stat_facts(result) if f.column == "本年累计"]
    assert ytd and all(f.key is None and "year to date" in f.note for f in ytd)
    assert not any(f.raw in ("01", "02", "甲") for f in stat_facts(result))  # codes: not cells


ROWS_2015 = [["指标名称", "计量单位", "2015年度", "历年累计"]] + [
    [label, unit, str(year), str(cum)] for label, unit, _, year, cum in TABLE_2015]


def _docx(rows: list[list[str]]) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("永泰县国土资源局2015年度政府信息公开工作年度报告")
    d.add_paragraph("一、概述")
    d.add_paragraph("2015年，我局主动公开政府信息186条。")
    d.add_paragraph("附表：政府信息公开情况统计表")
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            t.cell(i, j).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf(rows: list[list[str]], ruled: bool) -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=10.5, leading=16,
                           wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1)
    table = Table([[Paragraph(c, style) for c in row] for row in rows],
                  colWidths=[200, 60, 80, 80])
    if ruled:
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    doc.build([Paragraph("永泰县国土资源局2015年度政府信息公开工作年度报告", style),
               Paragraph("2015年，我局主动公开政府信息186条。", style),
               Paragraph("附表：政府信息公开情况统计表", style), table])
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["docx", "pdf-ruled", "pdf-text"])
def test_docx_and_pdf_tables(kind: str) -> None:
    if kind == "docx":
        data, name = _docx(ROWS_2015), "r.docx"
    else:
        data, name = _pdf(ROWS_2015, ruled=kind == "pdf-ruled"), "r.pdf"
    result = parse_bytes(data, name)
    assert result.error is None
    assert year_cells(result) == YEAR_2015
    assert cumulative_cells(result) == CUMULATIVE_2015
    assert not [c for c in result.checks if c.rule.startswith("legacy_table.") and not c.ok]


def test_checks_record_a_year_above_its_cumulative_and_a_part_above_its_total() -> None:
    text = ("附表\n指标名称 | 计量单位 | 2013年度 | 历年累计\n"
            "主动公开信息数 | 条 | 50 | 40\n"
            "其中：1.政府网站公开数 | 条 | 60 | 40\n"
            "受理依申请公开信息总数 | 件 | 3 | 9\n")
    result = parse_bytes(text.encode(), "broken.txt")
    [order] = failed(result, "legacy_table.year_le_cumulative")
    assert "主动公开信息数: 2013年度 50 > 历年累计 40" in order.detail
    assert order.values["legacy.active.total"] == [50, 40]
    [part] = failed(result, "legacy_table.part_le_total")
    assert "其中：1.政府网站公开数 60 > 主动公开信息数 50" in part.detail
    # the numbers are recorded as printed, never fixed
    assert result.values["legacy.active.total"] == 50
    assert result.values["legacy.active.via.website"] == 60


def test_prose_that_names_the_columns_is_not_a_table() -> None:
    text = "本报告附有政府信息公开情况统计表，列出2014年度及历年累计数量。全年公开信息25条。"
    result = parse_bytes(text.encode(), "prose.txt")
    assert stat_facts(result) == []


def test_pingtan_2014_statistics_table(corpus: Path) -> None:
    result = parse_path(corpus / "reports" / "014_pingtan_2014.txt")
    assert result.values["legacy.apply.received.total"] == 1
    assert result.values["legacy.apply.replies.total"] == 1
    assert result.values["legacy.active.total"] == 2543
    assert cumulative_cells(result)["legacy.active.total"] == 78967
    assert 78967 not in result.values.values()
    assert len(stat_facts(result)) == 32  # 16 rows, two cells each, all read
    letter_fax = [f for f in stat_facts(result) if f.row == "3、信函、传真申请数"]
    assert [f.value for f in letter_fax] == [1, 1]
    assert all(f.key is None for f in letter_fax)


@pytest.mark.parametrize("name,active,unread", [
    ("004_pingtan-county_2011.txt", 425, set()),  # proven by 政府公报 7 ≤ the year's total
    ("009_pingtan_2012.txt", 739, set()),  # spaces between cells
    ("006_pingtan_2018.txt", None, {"主动公开文件数", "其中：1.政府网站公开数"}),
    ("012_pingtan_2016.txt", None, {"主动公开文件数", "其中：1、政府网站公开数"}),
])
def test_pingtan_run_together_tables(corpus: Path, name: str, active: int | None,
                                     unread: set[str]) -> None:
    result = parse_path(corpus / "reports" / name)
    cells = year_cells(result)
    assert cells.get("legacy.active.total") == active
    assert cells["legacy.apply.received.total"] == 0
    assert cells["legacy.review.total"] == 0
    assert {f.row for f in stat_facts(result) if f.status == "unreadable"} == unread


def test_layout_data_is_consistent() -> None:
    layout = load_statistics()
    with open(settings.ROOT / "parser" / "data" / "indicators.csv", encoding="utf-8") as fh:
        keys = {r["key"] for r in csv.DictReader(fh)}
    for row in layout.rows.values():
        assert sum([row.key is not None, row.no_key is not None, row.heading]) == 1, row.id
        if row.key:
            assert row.key.startswith("legacy.") and row.key in keys, row.id
        if row.part_of:
            assert row.part_of in layout.rows, row.id
        if row.parts:
            assert row.parts in ("sum", "le"), row.id
    # a label shared by two rows must be told apart by the rows above it (their totals)
    seen: dict[str, list[str]] = {}
    for row in layout.rows.values():
        for lab in row.labels:
            ids = seen.setdefault(canonical(lab), [])
            if row.id not in ids:
                ids.append(row.id)
    for label, ids in seen.items():
        if len(ids) > 1:
            owners = [layout.rows[i].part_of for i in ids]
            assert None not in owners and len(set(owners)) == len(owners), label


def test_text_cells_printed_as_dashes_and_headings_run_into_labels() -> None:
    text = ("附表\n指标名称 计量单位 2013年度 历年累计\n主动公开信息数 条 12 30\n"
            "行政申诉数 件 — —\n行政复议数 件 0 无\n")
    result = parse_bytes(text.encode(), "dashes.txt")
    by = {(f.row, f.column): f for f in stat_facts(result)}
    assert by[("行政申诉数", "2013年度")].status == "dash"
    assert by[("行政复议数", "历年累计")].raw == "无"
    assert result.values["legacy.review.total"] == 0
    assert "legacy.complaints.total" not in result.values
    national = ("统计指标 单位 统计数 一、主动公开情况 （一）主动公开政府信息数 条 356 "
                "二、回应解读情况 （一）回应公众关注热点或重大舆情数 次 3")
    result = parse_bytes(national.encode(), "national.txt")
    rows = {f.row: f.value for f in stat_facts(result)}
    assert rows == {"（一）主动公开政府信息数": 356, "（一）回应公众关注热点或重大舆情数": 3}
    assert year_cells(result) == {"legacy.active.total": 356}


def test_a_label_the_form_does_not_know_is_recorded_and_flagged() -> None:
    text = "附表\n指标名称 计量单位 2013年度 历年累计\n主动公开信息数 条 12 30\n微信公众号关注人数 人 800 2100\n"
    result = parse_bytes(text.encode(), "unknown.txt")
    strange = [f for f in stat_facts(result) if f.row == "微信公众号关注人数"]
    assert [f.value for f in strange] == [800, 2100]
    assert all(f.key is None for f in strange)
    [check] = failed(result, "legacy_table.unplaced_cells")
    assert "微信公众号关注人数: row label names no row" in check.detail
