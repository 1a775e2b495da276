"""Flattened tables through the whole table stage: facts, offsets, unplaced rows, checks.

The pingtan page texts print tables 二/三/四 with their cells run together. Values asserted
here were checked against fixtures/gold/*.json (written by reading the documents) and the
digit runs quoted in the comments are copied from the documents. Small synthetic texts test
what no real report here shows (a lone ambiguous row; prose that names table rows).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from parser import load
from parser.model import Check, Document, Fact
from parser.pipeline import parse_document
from parser.tables.extract import extract_tables
from parser.tables.flattened import PROVEN, flattened_tables
from xxgk import settings

COLS3 = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
         "other_org", "total")
COLS4 = ("upheld", "corrected", "other", "pending", "total")


@cache
def parsed(prefix: str) -> tuple[Document, list[Fact], list[Check]]:
    found = sorted(settings.CORPUS_DIR.glob(f"*/{prefix}_*.txt"))
    if not found:
        pytest.skip(f"corpus document {prefix} is absent (../shared/corpus is not mounted)")
    path: Path = found[0]
    doc = load.load_bytes(load.read_file(path), str(path))
    result = parse_document(doc)
    return doc, [f for f in result.facts if f.method == "table"], result.checks


def cells(prefix: str) -> dict[str, Fact]:
    return {f.key: f for f in parsed(prefix)[1] if f.key}


def row(prefix: str, key: str, cols: tuple[str, ...] = COLS3) -> list:
    got = cells(prefix)
    return [got[f"{key}.{c}"].value if f"{key}.{c}" in got else None for c in cols]


def unplaced(prefix: str) -> list[Fact]:
    return [f for f in parsed(prefix)[1] if f.key is None]


def failed(prefix: str, rule: str) -> list[Check]:
    return [c for c in parsed(prefix)[2] if c.rule == rule and not c.ok]


@pytest.mark.parametrize("prefix", ["007", "008", "010", "011", "013", "015"])
def test_every_flattened_cell_points_at_its_digits(prefix: str) -> None:
    doc, facts, _ = parsed(prefix)
    assert len(facts) > 150
    for f in facts:
        assert doc.text[f.start : f.end] == f.raw, f
        if f.key is not None:
            assert f.note.startswith(PROVEN) and f.status == "value"
            assert f.version in ("v2019", "v2021") and f.label == f"{f.row} | {f.column}"
        else:
            assert f.status == "unreadable" and f.value is None and "candidate split" in f.note


def test_008_v2021_rows_settled_by_the_column_rules() -> None:
    # "191000020" adds up as 19,1,0,0,0,0,20 and 1,9,10,0,0,0,20: the 商业企业 column decides
    assert row("008", "results.partial") == [19, 1, 0, 0, 0, 0, 20]
    assert row("008", "results.disclosed") == [22, 0, 0, 0, 0, 0, 22]
    assert row("008", "applications.new") == [80, 1, 0, 0, 0, 0, 81]
    assert row("008", "results.other.no_correction") == [1, 0, 0, 0, 0, 0, 1]
    partial = cells("008")["results.partial.natural_person"]
    assert partial.raw == "19" and "2 cut(s) of '191000020'" in partial.note
    # table 四 "110024001510102": fifteen single digits
    assert row("008", "review", COLS4) == [1, 1, 0, 0, 2]
    assert row("008", "litigation.direct", COLS4) == [4, 0, 0, 1, 5]
    assert row("008", "litigation.after_review", COLS4) == [1, 0, 1, 0, 2]
    got = cells("008")
    assert got["active.fees.amount_10k_yuan"].value == 5949.088667
    assert [got[f"active.regulations.{c}"].value for c in ("issued", "repealed", "in_force")] \
        == [0, 0, 0]
    assert {f.version for f in got.values()} == {"v2021"}


def test_ambiguous_run_stays_unplaced_with_its_reason() -> None:
    # 行政规范性文件 "77132470": three cells, no rule, 21 cuts: nothing is guessed
    [f] = unplaced("008")
    assert (f.table, f.row, f.raw) == ("二", "行政规范性文件", "77132470")
    assert "21 candidate split(s)" in f.note and "本年制发件数" in f.note
    assert "active.normative_docs.issued" not in cells("008")
    [check] = failed("008", "table.unplaced_cells")
    assert check.values["unplaced"] == ["行政规范性文件 | 77132470"]
    [missing] = failed("008", "table.missing_cells")
    assert "active.normative_docs.in_force" in missing.values["missing"]


def test_007_v2019_spaces_are_cell_boundaries() -> None:
    assert row("007", "applications.new") == [23, 0, 0, 0, 0, 0, 23]  # "230 000023"
    assert row("007", "results.total") == [23, 0, 0, 0, 0, 0, 23]  # "23 0 00 0 023"
    assert row("007", "results.other.total") == [0] * 7  # v2019: one （六） row
    assert row("007", "applications.carried_forward") == [0] * 7  # " 0 0 00 00 0"
    assert row("007", "review", COLS4) == [0] * 5
    assert {f.version for f in cells("007").values()} == {"v2019"}
    raws = {f.raw for f in unplaced("007")}
    assert raws == {"898989", "3960181", "100153", "26480430", "126025", "350",
                    "13575394432.52"}


def test_010_and_015_table_four_has_one_split() -> None:
    # "10203120001200000": 25 cuts into 15 cells, one with every group total right
    assert row("010", "review", COLS4) == [1, 0, 2, 0, 3]
    assert row("010", "litigation.direct", COLS4) == [12, 0, 0, 0, 12]
    assert row("010", "results.disclosed") == [27, 0, 0, 2, 0, 1, 30]
    assert row("015", "review", COLS4) == [25, 3, 8, 0, 36]
    assert row("015", "applications.carried_forward") == [4, 2, 0, 0, 0, 0, 6]
    assert row("011", "results.other.other") == [1, 1, 0, 0, 0, 0, 2]


def test_013_broken_totals_are_kept_as_printed_and_flagged() -> None:
    # every row adds up on its own; the result rows hold 26 natural persons, （七）总计 20
    assert row("013", "results.total") == [20, 0, 0, 0, 0, 1, 21]  # "20 0 00 0 121"
    assert row("013", "results.disclosed") == [6, 0, 0, 0, 0, 1, 7]
    assert row("013", "results.other.total") == [4, 0, 0, 0, 0, 0, 4]  # "4 0 0 0 0 0 4"
    sums = {c.detail.split(":")[0]: c for c in failed("013", "table3.results_sum")}
    assert set(sums) == {"column natural_person", "column total"}
    assert sums["column natural_person"].values["results.total.natural_person"] == 20
    assert "= 20 ≠" in sums["column natural_person"].detail and "= 26" in \
        sums["column natural_person"].detail
    # 二 "2648-18538": the sign must open 本年增/减, so 2648 is certain; the rest is not
    got = cells("013")
    assert got["active.penalty.prev_year_items"].value == 2648
    assert "active.penalty.change" not in got
    rest = next(f for f in unplaced("013") if f.row == "行政处罚")
    assert rest.raw == "-18538" and "本年增/减, 处理决定数量" in rest.note
    assert (got["active.fees.prev_year_items"].value, got["active.fees.change"].value) == \
        (35, -15)  # "35-15"


def test_105_lone_last_row_of_table_three() -> None:
    found = sorted(settings.CORPUS_DIR.glob("excerpts/105_*.txt"))
    if not found:
        pytest.skip("corpus excerpt 105 is absent (../shared/corpus is not mounted)")
    assert row("105", "applications.carried_forward") == [0] * 7


# --- synthetic texts ---------------------------------------------------------------------


def _doc(text: str) -> Document:
    return Document(source="synthetic.txt", kind="text", text=text,
                    offsets=list(range(len(text))), raw=text)


HEADER3 = ("三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构"
           "社会公益组织法律服务机构其他")


def test_row_without_a_deciding_rule_is_reported_not_guessed() -> None:
    # "101000011" adds up as 10,1,0,0,0,0,11 and 1,0,10,0,0,0,11; no other row decides
    text = HEADER3 + "一、本年新收政府信息公开申请数量101000011二、上年结转政府信息公开申请数量0000000\n"
    facts, checks = extract_tables(_doc(text), [])
    assert [f.value for f in facts if f.key and f.key.startswith("applications.carried_over")] \
        == [0] * 7
    [f] = [f for f in facts if f.key is None]
    assert f.raw == "101000011" and f.status == "unreadable"
    assert "ambiguous" in f.note and "2 candidate split(s)" in f.note
    [check] = [c for c in checks if c.rule == "table.unplaced_cells"]
    assert not check.ok and check.values["unplaced"] == [
        "一、本年新收政府信息公开申请数量 | 101000011"]


def test_prose_that_names_rows_is_not_a_table() -> None:
    text = ("全年共收到申请12件，（一）予以公开12件，其中本年新收政府信息公开申请数量12件。"
            "行政许可2629件，规章000。未发生行政复议、行政诉讼，总计0件。")
    assert flattened_tables(text, ["二", "三", "四"], {}) == []
    facts, checks = extract_tables(_doc(text), [])
    assert facts == [] and not [c for c in checks if not c.ok]
