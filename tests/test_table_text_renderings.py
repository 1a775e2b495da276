"""Text renderings of the v2019/v2021 tables that real pages give, end to end (parse_path).

The cases (fixtures/cases/tables_text, see its README) are hand-written in the shapes the
dev set shows; the expected values were read in the case files themselves.
"""

from __future__ import annotations

from parser.model import ParseResult
from parser.pipeline import parse_path
from xxgk import settings

CASES = settings.FIXTURES_DIR / "cases" / "tables_text"


def cells(result: ParseResult, table: str) -> dict[str, float]:
    return {f.key: f.value for f in result.facts
            if f.method == "table" and f.table == table and f.key}


def unplaced(result: ParseResult) -> list:
    return [f for f in result.facts if f.method == "table" and f.key is None]


def test_one_cell_per_line_with_blank_lines_padding_and_damaged_headers() -> None:
    result = parse_path(CASES / "cells_blank_lines_v2019.txt")
    two = cells(result, "二")
    # 本年新制作数量 printed twice: the template's order (made, published, total)
    assert (two["active.normative_docs.new_made"], two["active.normative_docs.new_published"],
            two["active.normative_docs.total_published"]) == (3, 2, 11)
    assert two["active.licensing.change"] == -1  # a padded, signed cell
    assert two["active.procurement.projects"] == 2  # header 采购项目 / 数量 split over lines
    assert two["active.procurement.amount_yuan"] == 38600  # "38600元"
    assert len(two) == 22
    three = cells(result, "三")
    assert [three[f"applications.new.{c}"] for c in (
        "natural_person", "commercial", "research", "social_welfare", "legal_service",
        "other_org", "total")] == [3, 1, 0, 0, 0, 0, 4]
    assert three["results.disclosed.total"] == 3
    assert three["results.withheld.state_secret.total"] == 0
    # the text ends with "2", the start of the row 2.其他法律…: not a cell of row 1.
    [cut] = unplaced(result)
    assert cut.raw == "2" and "the text ends after '2'" in cut.note
    assert "results.withheld.law_prohibited.natural_person" not in result.values
    note = next(f.note for f in result.facts if f.key == "active.regulations.new_published")
    assert "damaged header" in note


def test_cell_lines_with_bars_and_an_amount_with_four_decimals() -> None:
    result = parse_path(CASES / "cell_bar_lines_v2021.txt")
    assert cells(result, "二") == {
        "active.regulations.issued": 0, "active.regulations.repealed": 0,
        "active.regulations.in_force": 0, "active.normative_docs.issued": 2,
        "active.normative_docs.repealed": 1, "active.normative_docs.in_force": 9,
        "active.licensing.decisions": 57, "active.penalty.decisions": 3,
        "active.coercion.decisions": 0, "active.fees.amount_10k_yuan": 12.5,
    }
    assert unplaced(result) == []
    fee = next(f for f in result.facts if f.key == "active.fees.amount_10k_yuan")
    assert fee.raw == "12.5000" and fee.unit == "万元"


def test_labels_with_explanations_and_a_local_row_that_shifts_nothing() -> None:
    result = parse_path(CASES / "bracketed_labels_v2019.txt")
    two = cells(result, "二")
    assert (two["active.normative_docs.new_made"], two["active.normative_docs.new_published"],
            two["active.normative_docs.total_published"]) == (6, 5, 21)
    # the local row 其他主动公开文件(…) 14 | 14 | 40 has no key and moves no row after it
    assert (two["active.licensing.prev_year_items"], two["active.licensing.change"],
            two["active.licensing.decisions"]) == (8, 2, 31)
    local = unplaced(result)
    assert [f.raw for f in local] == ["14", "14", "40"]
    assert all(f.row.startswith("其他主动公开文件") and "unknown row label" in f.note for f in local)
    [check] = [c for c in result.checks if c.rule == "table.unplaced_cells"]
    assert not check.ok
    assert 40 not in result.values.values()


def test_pipe_rows_with_a_damaged_header_and_a_row_cut_by_the_end_of_the_text() -> None:
    result = parse_path(CASES / "pipe_rows_damaged_header.txt")
    two = cells(result, "二")
    assert (two["active.regulations.new_made"], two["active.regulations.new_published"],
            two["active.regulations.total_published"]) == (1, 1, 4)
    assert (two["active.normative_docs.new_made"], two["active.normative_docs.new_published"],
            two["active.normative_docs.total_published"]) == (5, 4, 26)
    three = cells(result, "三")
    assert three["applications.new.total"] == 6
    assert three["results.partial.natural_person"] == 1
    # 2.其他法律行政法规禁止公开 prints six of its seven cells before the text ends: nothing
    # of it is placed, and no key gets a value (not even None) from it
    cut = unplaced(result)
    assert len(cut) == 6 and all("row ends after 6 of 7 cells" in f.note for f in cut)
    assert not [k for k in result.values if k.startswith("results.withheld.law_prohibited")]
    [check] = [c for c in result.checks if c.rule == "table.unplaced_cells" and "三" in c.detail]
    assert not check.ok


def test_a_text_that_stops_in_a_number_does_not_place_it():
    """An excerpt cut at a byte limit may have cut the last number ("行政许可 | 1" of 1270)."""
    from parser.pipeline import parse_bytes

    head = ("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容 | 本年处理决定数量\n"
            "行政许可 | 1")
    cut = parse_bytes(head.encode("utf-8"), "cut.txt")
    assert "active.licensing.decisions" not in cut.values
    assert any(c.rule == "table.unplaced_cells" and not c.ok for c in cut.checks)
    whole = parse_bytes((head + "270\n第二十条第（六）项\n").encode("utf-8"), "whole.txt")
    assert whole.values["active.licensing.decisions"] == 1270


def test_space_separated_cells_with_thousands_separators_and_units():
    """'行政许可 27 0 18,352' is three cells, not four; '12,580,000元' is one cell in 元."""
    from parser.pipeline import parse_bytes

    text = ("二、主动公开政府信息情况\n第二十条第（五）项 信息内容 上一年项目数量 本年增/减 处理决定数量 "
            "行政许可 27 0 18,352 其他对外管理服务事项 6 +1 41,265 第二十条第（九）项 信息内容 "
            "采购项目数量 采购总金额 政府集中采购 19 7,365,480元\n三、收到和处理政府信息公开申请情况\n")
    v = parse_bytes(text.encode("utf-8"), "t.txt").values
    assert (v["active.licensing.decisions"], v["active.other_services.decisions"]) == (18352, 41265)
    assert v["active.other_services.change"] == 1
    assert v["active.procurement.amount_yuan"] == 7365480
    piped = ("二、主动公开政府信息情况\n第二十条第（九）项 |\n信息内容 | 采购项目数量 | 采购总金额 |\n"
             "政府集中采购 | 14 | 12,580,000元 |\n三、收到和处理政府信息公开申请情况\n")
    v = parse_bytes(piped.encode("utf-8"), "p.txt").values
    assert (v["active.procurement.projects"], v["active.procurement.amount_yuan"]) == (14, 12580000)
