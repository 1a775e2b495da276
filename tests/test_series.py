"""Series across eras: the concordance (data/concordance.tsv) and the `series` saved query, one
row per year from a publisher's first report to its last, with a status for every year."""

from __future__ import annotations

import csv

import pytest
import sqlite_utils

from archive import reference
from archive.reference import indicators_csv
from archive.serve import _yaml
from testkit.archives import corpus_archive

SERIES = _yaml("queries.yaml")["series"]["sql"]


def test_concordance_names_only_canonical_keys():
    with indicators_csv().open(encoding="utf-8") as fh:
        canonical = {r["key"]: r["formats"] for r in csv.DictReader(fh)}
    rows = reference.concordance_rows()
    assert rows and len({r["concept"] for r in rows}) == len(rows)
    for r in rows:
        for era in reference.ERAS:
            if r[era]:
                assert r[era] in canonical, (r["concept"], r[era])
                assert era in canonical[r[era]], (r["concept"], era, r[era])
        assert r["note_zh"], r["concept"]  # every row says what changed, or that nothing did
    received = next(r for r in rows if r["concept"] == "requests_received")
    assert (received["legacy"], received["v2019"], received["v2021"], received["comparable"]) \
        == ("legacy.apply.received.total", "applications.new.total",
            "applications.new.total", 1)
    assert "受理" in received["note_zh"] and "本年新收" in received["note_zh"]


@pytest.fixture(scope="module")
def db(corpus, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    return sqlite_utils.Database(corpus_archive(base, base / "series" / "archive.db"))


def series(db, publisher: str, indicator: str) -> list[dict]:
    cur = db.execute(SERIES, {"publisher": publisher, "indicator": indicator})
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


# What the Pingtan reports of the corpus say (read in the documents): no requests in 2012,
# 2016 and 2018 (未收到…申请, legacy prose), table 三 本年新收 from 2019 on; no report in the
# corpus for 2013, 2015, 2017 and 2022; the 2014 report's 统计表 prints 受理依申请公开信息总数 1.
PINGTAN = [
    (2012, 0, "legacy.apply.received.total", "stated_zero"),
    (2013, None, "legacy.apply.received.total", "no_report"),
    (2014, 1, "legacy.apply.received.total", "stated"),
    (2015, None, "legacy.apply.received.total", "no_report"),
    (2016, 0, "legacy.apply.received.total", "stated_zero"),
    (2017, None, "legacy.apply.received.total", "no_report"),
    (2018, 0, "legacy.apply.received.total", "stated_zero"),
    (2019, 23, "applications.new.total", "stated"),
    (2020, 21, "applications.new.total", "stated"),
    (2021, 70, "applications.new.total", "stated"),
    (2022, None, "applications.new.total", "no_report"),
    (2023, 81, "applications.new.total", "stated"),
    (2024, 218, "applications.new.total", "stated"),
    (2025, 154, "applications.new.total", "stated"),
]


@pytest.mark.parametrize("name", ["平潭综合实验区管理委员会", "平潭综合实验区管委会",
                                  "福建省平潭综合实验区管委会", "平潭综合实验区"])
def test_pingtan_requests_across_eras(db, name):
    rows = series(db, name, "applications.new.total")
    assert {r["publisher"] for r in rows} == {"平潭综合实验区管理委员会"}
    assert [(r["year"], r["value"], r["key"], r["status"]) for r in rows] == PINGTAN
    for r in rows:
        if r["status"] == "no_report":
            assert r["report_id"] is None and r["fact_link"] is None and r["evidence"]
        else:
            assert r["report_id"] and r["fact_link"].startswith(f"/-/xxgk/report/{r['report_id']}")
            assert r["evidence"]
        if r["status"] in ("stated", "stated_zero"):
            assert "?fact=" in r["fact_link"]
    by_year = {r["year"]: r for r in rows}
    assert by_year[2019]["evidence"] == "表三：一、本年新收政府信息公开申请数量 × 总计 = 23"
    # 2016: the prose says 未收到…申请 and the 统计表 prints 0; the table's cell is the value's source
    assert by_year[2016]["evidence"] == "统计表：受理依申请公开信息总数 × 2016年度 = 0"
    assert "受理" in by_year[2016]["note"]  # the legacy key's meaning, said beside it
    # asked by the legacy key, the same series
    legacy = series(db, name, "legacy.apply.received.total")
    assert [(r["year"], r["value"], r["status"]) for r in legacy] == [
        (y, v, s) for y, v, _, s in PINGTAN]


def test_a_code_matches_every_body_of_the_division_separately(db):
    rows = series(db, "350128", "applications.new.total")
    by_pub: dict[str, list] = {}
    for r in rows:
        by_pub.setdefault(r["publisher"], []).append(r["year"])
    # the county government (2011) and the zone's committee: two bodies, never one line
    assert by_pub == {"平潭综合实验区管理委员会": list(range(2012, 2026)),
                      "福建省福州市平潭县人民政府": [2011]}


def test_part_of_a_name_lists_each_match_and_nothing_matched_is_empty(db):
    pubs = {r["publisher"] for r in series(db, "平潭", "applications.new.total")}
    assert pubs == {"平潭综合实验区管理委员会", "福建省福州市平潭县人民政府",
                    "平潭综合实验区地方税务局"}
    assert series(db, "没有这个单位", "applications.new.total") == []


def test_unreadable_when_the_parser_says_it_could_not_read_the_cell(db):
    rows = {r["year"]: r for r in series(db, "平潭综合实验区管理委员会",
                                         "active.licensing.decisions")}
    # 2019 and 2020: table 二 v2019 came as a run of digits the parser could not split
    # (table.unplaced_cells / table.missing_cells name this cell); 2012: legacy prose has no
    # such key, so nothing says it was unreadable
    assert rows[2019]["status"] == rows[2020]["status"] == "unreadable"
    assert "未能" in rows[2019]["evidence"]
    assert rows[2012]["status"] == "not_stated"
    assert rows[2013]["status"] == "no_report"


def test_a_key_outside_the_concordance_is_followed_as_itself(db):
    rows = series(db, "江苏省淮安市洪泽区人民政府", "applications.new.natural_person")
    # table 三 of the 2023 and 2024 PDFs: 自然人 21 and 95
    assert [(r["year"], r["value"], r["key"], r["status"]) for r in rows] == [
        (2023, 21, "applications.new.natural_person", "stated"),
        (2024, 95, "applications.new.natural_person", "stated")]
    assert rows[0]["evidence"] == "表三：一、本年新收政府信息公开申请数量 × 自然人 = 21"
    assert rows[0]["note"] is None
