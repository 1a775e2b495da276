"""Flattened table rows (cells run together) split only where the arithmetic proves it.

Values asserted for the pingtan reports were checked by reading each page.txt: the digit runs
quoted in the comments are copied from the documents, and where the report's prose states a
count (收到申请 81 件 …) it is compared with the solved cell.
"""

from __future__ import annotations

import pytest

from parser.tables.flat_rows import (
    find_flattened_rows,
    label_regex,
    layout_labels,
    layout_widths,
)
from parser.tables.flat_solve import solve_simple_row, solve_table3, solve_table4
from parser.tables.flat_split import SplitLimitError, split_row
from xxgk import settings


def report_text(prefix: str) -> str:
    found = sorted((settings.CORPUS_DIR / "reports").glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"corpus report {prefix} is absent (the shared corpus is not mounted)")
    return found[0].read_text(encoding="utf-8")


def table3(prefix: str):
    text = report_text(prefix)
    version = "v2021" if "逾期不补正" in text else "v2019"
    rows = find_flattened_rows(text, layout_labels("三", version), start=text.find("申请人情况"))
    return rows, solve_table3({k: r.run for k, r in rows.items()})


def table4(prefix: str):
    text = report_text(prefix)
    [(_, row)] = find_flattened_rows(
        text, [("四", r"行政复议\D*?尚未审结\D*总计")], start=text.find("申请人情况")
    ).items()
    return row.run, solve_table4(row.run)


# --- split_row ---------------------------------------------------------------------------


def test_split_row_enumerates_without_leading_zeros() -> None:
    assert split_row("801000081", 7) == [
        ["8", "0", "10", "0", "0", "0", "81"],
        ["8", "0", "100", "0", "0", "8", "1"],
        ["80", "1", "0", "0", "0", "0", "81"],
        ["80", "10", "0", "0", "0", "8", "1"],
        ["801", "0", "0", "0", "0", "8", "1"],
    ]
    assert split_row("0000000", 7) == [["0"] * 7]
    assert split_row("05", 2) == [["0", "5"]]  # "05" is not a cell, "0" is
    assert split_row("050", 2) == [["0", "50"]]
    assert split_row("123", 4) == []
    assert split_row("", 1) == []


def test_split_row_keeps_spaces_as_boundaries() -> None:
    # 007: "230 000023" - the space is a cell boundary; 230 may still hold two cells
    assert split_row("230 000023", 7) == [
        ["2", "30", "0", "0", "0", "0", "23"],
        ["23", "0", "0", "0", "0", "0", "23"],
        ["230", "0", "0", "0", "0", "2", "3"],
    ]
    assert split_row("4 0 0 0 0 0 4", 7) == [["4", "0", "0", "0", "0", "0", "4"]]
    assert split_row("1 2", 1) == []


def test_split_row_decimals_and_signs() -> None:
    assert split_row("5949.088667", 1) == [["5949.088667"]]
    assert ["12", "-5"] in split_row("12-5", 2)
    assert split_row("0.5", 1) == [["0.5"]] and split_row("00.5", 1) == []


def test_split_row_is_capped() -> None:
    with pytest.raises(SplitLimitError):
        split_row("1" * 40, 7, limit=1000)


def test_solver_reports_broken_rules_and_ambiguity_without_guessing() -> None:
    # every row splits one way, but 结转 breaks 新收 + 上年结转 = 总计 + 结转下年度
    rows = {
        "applications.new": "1000001",
        "applications.carried_over": "0000000",
        "results.disclosed": "1000001",
        "results.total": "1000001",
        "applications.carried_forward": "1000001",
    }
    res = solve_table3(rows)
    assert res.status == "no_solution" and "新收 + 上年结转" in res.reason
    assert res.values == {} and res.fixed["applications.new"] == [1, 0, 0, 0, 0, 0, 1]
    # a lone row "101000011" adds up two ways (10,1,0,0,0,0,11 and 1,0,10,0,0,0,11) and no
    # column rule can decide between them
    res = solve_table3({"applications.new": "101000011"})
    assert res.status == "ambiguous" and res.values == {}
    assert res.candidates["applications.new"] == 2
    # a row no split of which adds up
    res = solve_table3({"applications.new": "1000005"})
    assert res.status == "no_solution" and "applications.new" in res.reason


def test_label_regex_accepts_printed_variants() -> None:
    rx = label_regex(["（一）予以公开", "2.其他法律行政法规禁止公开"])
    import re

    assert re.fullmatch(rx, "(一)予以公开") and re.fullmatch(rx, "2、其他法律 行政法规禁止公开")


def test_find_rows_with_own_label_list_and_digit_labels() -> None:
    text = "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开1000001（四）无法提供"
    rows = find_flattened_rows(
        text, [("a", r"1\.属于国家秘密"), ("b", r"2\.其他法律行政法规禁止公开")]
    )
    assert (rows["a"].run, rows["b"].run) == ("0000000", "1000001")
    assert text[rows["b"].start : rows["b"].end] == "2.其他法律行政法规禁止公开1000001"


# --- real reports ------------------------------------------------------------------------


def test_007_v2019_unique() -> None:
    rows, res = table3("007")
    assert rows["applications.new"].run == "230 000023"
    assert res.status == "unique", res.reason
    # 230 000023: of the three cuts only 23,0,0,0,0,0,23 adds up (row rule); 总计 row
    # "23 0 00 0 023" and the result rows 7+1+7+5+3 = 23 agree.
    assert res.values["applications.new"] == [23, 0, 0, 0, 0, 0, 23]
    assert res.values["results.total"] == [23, 0, 0, 0, 0, 0, 23]
    assert res.values["results.unavailable.unclear"] == [5, 0, 0, 0, 0, 0, 5]
    assert res.values["applications.carried_forward"] == [0] * 7  # " 0 0 00 00 0"
    run, r4 = table4("007")
    assert run == "000000000000000" and r4.values["review"] == [0] * 5


def test_008_v2021_unique_and_consistent_with_prose() -> None:
    _, res = table3("008")
    assert res.status == "unique", res.reason
    # prose: 接收…政府信息公开申请共计81件; 办结依申请公开81件
    assert res.values["applications.new"] == [80, 1, 0, 0, 0, 0, 81]
    assert res.values["results.total"] == [80, 1, 0, 0, 0, 0, 81]
    # "191000020" also cuts as 1,9,10,0,0,0,20 (which adds up): only the column rules
    # (the one 商业企业 application must be a result somewhere) leave 19,1,…,20
    assert res.candidates["results.partial"] == 2
    assert res.values["results.partial"] == [19, 1, 0, 0, 0, 0, 20]
    assert res.values["results.unavailable.not_held"] == [31, 0, 0, 0, 0, 0, 31]
    assert res.values["results.other.no_correction"] == [1, 0, 0, 0, 0, 0, 1]
    # prose: 行政复议案件2件、行政诉讼案件7件 (= 5 direct + 2 after review)
    run, r4 = table4("008")
    assert run == "110024001510102"
    assert r4.values == {
        "review": [1, 1, 0, 0, 2],
        "litigation.direct": [4, 0, 0, 1, 5],
        "litigation.after_review": [1, 0, 1, 0, 2],
    }


def test_010_v2021_unique_and_consistent_with_prose() -> None:
    _, res = table3("010")
    assert res.status == "unique", res.reason
    # prose: 共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理
    assert res.values["applications.new"] == [64, 0, 0, 2, 0, 4, 70]
    assert res.values["results.total"] == [63, 0, 0, 2, 0, 4, 69]
    assert res.values["applications.carried_forward"] == [1, 0, 0, 0, 0, 0, 1]
    assert res.values["results.partial"] == [5, 0, 0, 0, 0, 0, 5]  # "500000 5"
    run, r4 = table4("010")
    # 17 digits, 25 cuts into 15 cells; only one has all three group totals right
    assert run == "10203120001200000" and r4.candidates["四"] == 25
    assert r4.values["review"] == [1, 0, 2, 0, 3]
    assert r4.values["litigation.direct"] == [12, 0, 0, 0, 12]


def test_011_v2021_unique() -> None:
    _, res = table3("011")
    assert res.status == "unique", res.reason
    # prose: 全年办理政府信息公开申请218件
    assert res.values["applications.new"] == [217, 1, 0, 0, 0, 0, 218]
    assert res.values["results.other.other"] == [1, 1, 0, 0, 0, 0, 2]
    _, r4 = table4("011")
    assert r4.status == "unique"
    assert r4.values["review"] == [2, 1, 3, 1, 7]


def test_013_v2019_table_breaks_the_total_rule() -> None:
    _, res = table3("013")
    # Read in the page: 予以公开 6000017 (6 natural persons, 1 other org), 部分公开 6000006,
    # 不掌握 4000004, 不明确 3000003, 重复 3000003, 其他处理 "4 0 0 0 0 0 4": 26 natural
    # persons in the result rows, but （七）总计 "20 0 00 0 121" prints 20 (prose: 受理…21件).
    assert res.status == "no_solution"
    assert "（七）总计 = Σ result rows" in res.reason
    assert res.values == {}
    # rows their own 总计 fixes stay placeable (no rule across rows used)
    assert res.fixed["results.disclosed"] == [6, 0, 0, 0, 0, 1, 7]
    # "20 0 00 0 121" cuts three ways; only 20,0,0,0,0,1,21 has 总计 = the sum of the row
    assert res.fixed["results.total"] == [20, 0, 0, 0, 0, 1, 21]
    assert res.fixed["applications.new"] == [20, 0, 0, 0, 0, 1, 21]  # "200 000121"


def test_015_v2021_unique_and_consistent_with_prose() -> None:
    _, res = table3("015")
    assert res.status == "unique", res.reason
    # prose: 共收到…申请154件，共办结148件，结转至2026年6件
    assert res.values["applications.new"] == [151, 3, 0, 0, 0, 0, 154]
    assert res.values["results.total"] == [147, 1, 0, 0, 0, 0, 148]
    assert res.values["applications.carried_forward"] == [4, 2, 0, 0, 0, 0, 6]
    # prose: 行政复议36起、行政诉讼9起 (6 direct + 3 after review)
    _, r4 = table4("015")
    assert r4.values == {
        "review": [25, 3, 8, 0, 36],
        "litigation.direct": [3, 3, 0, 0, 6],
        "litigation.after_review": [3, 0, 0, 0, 3],
    }


def test_table_two_rows_placed_only_when_unique() -> None:
    text = report_text("008")
    rows = find_flattened_rows(text, layout_labels("二", "v2021"), start=text.find("第二十条"))
    widths = layout_widths("二", "v2021")
    got = {rid: solve_simple_row(r.run, widths[rid]) for rid, r in rows.items()}
    assert got["regulations"].values == {"row": [0, 0, 0]}  # "规章000"
    assert got["normative_docs"].status == "ambiguous"  # "77132470": no rule, no guess
    assert got["licensing"].values == {"row": [2629]}  # one cell
    assert got["fees"].values == {"row": [5949.088667]}
    text = report_text("007")
    rows = find_flattened_rows(text, layout_labels("二", "v2019"), start=text.find("第二十条"))
    widths = layout_widths("二", "v2019")
    assert rows["normative_docs"].run == "898989"
    assert solve_simple_row("898989", widths["normative_docs"]).status == "ambiguous"
    assert solve_simple_row(rows["procurement"].run, widths["procurement"]).status == "ambiguous"


def test_search_gives_up_past_the_cap_instead_of_guessing() -> None:
    # 25 rows that each add up two ways: 2**25 combinations is past the cap
    rows = {f"results.row{i}": "101000011" for i in range(25)}
    res = solve_table3(rows)
    assert res.status == "gave_up" and "exceed the cap" in res.reason
    assert res.values == {}
