"""`build`: reports from stored documents; idempotent; versions; non-reports and errors."""

from __future__ import annotations

import hashlib

import pytest
import sqlite_utils

from archive import build as build_module
from archive.build import build
from archive.store import add_document
from testkit.archives import corpus_archive


@pytest.fixture()
def corpus_db(corpus, tmp_path_factory, tmp_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(corpus_archive(tmp_path_factory.getbasetemp(), tmp_path / "a.db"))


def _facts_digest(db: sqlite_utils.Database) -> str:
    h = hashlib.sha256()
    for row in db.execute("select * from facts order by report_id, seq"):
        h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_corpus_builds_one_report_per_publisher_and_year(corpus, corpus_db):
    db = corpus_db
    n_docs = db["documents"].count
    files = [p for d in ("reports", "excerpts") for p in (corpus / d).iterdir() if p.is_file()]
    assert n_docs == len(files) and db["parses"].count == n_docs
    # every corpus file is a report; reports share a row only where publisher and year agree
    assert db.execute("select count(*) from parses where status = 'report'").fetchone()[0] == n_docs
    assert db["reports"].count == n_docs
    pingtan = [r[0] for r in db.execute(
        "select report_year from reports where publisher_id = '平潭综合实验区管理委员会' "
        "order by report_year")]
    assert pingtan == [2012, 2014, 2016, 2018, 2019, 2020, 2021, 2023, 2024, 2025]
    row = next(db.query("select * from reports where key = '江苏省淮安市洪泽区人民政府/2023'"))
    assert row["era"] in {"mixed", "v2021"} and row["n_facts"] > 100
    # every report row carries its facts, sections and checks
    assert db.execute("select count(*) from reports where n_facts != (select count(*) from "
                      "facts f where f.report_id = reports.id)").fetchone()[0] == 0
    assert db.execute("select count(*) from sections").fetchone()[0] > 100


def test_same_query_gives_requests_across_legacy_and_v2021_years(corpus_db):
    rows = {r["report_year"]: r for r in corpus_db.query(
        "select report_year, era, new_requests from report_values "
        "where publisher_id = '平潭综合实验区管理委员会'")}
    # As the reports state them (and the gold files record): 2012 and 2018 未收到…申请 (zeros in
    # words), 2020 受理…申请21件, 2021 共收到70件申请, 2023 共计81件, 2025 申请154件.
    years = (2012, 2018, 2020, 2021, 2023, 2025)
    assert {y: rows[y]["new_requests"] for y in years} == {
        2012: 0, 2018: 0, 2020: 21, 2021: 70, 2023: 81, 2025: 154}
    assert rows[2012]["era"] == "legacy" and rows[2023]["era"] == "v2021"


def test_headline_columns_from_the_tables(corpus_db):
    row = next(corpus_db.query(
        "select * from report_values where report_key = '江苏省淮安市人民政府/2024'"))
    assert (row["new_requests"], row["disclosed"], row["partly_disclosed"]) == (3119, 1362, 454)
    assert row["withheld"] == 2 + 31 + 5 + 6 + 8 + 12 + 9 + 105
    assert row["litigation_total"] == 26 + 20 and row["review_total"] == 351
    assert row["values_era"] == "v2021" and row["province"] == "江苏省"


def test_rebuild_changes_nothing(corpus_db):
    db = corpus_db
    before = _facts_digest(db)
    stats = build(db, progress=False)
    assert (stats.parsed, stats.reports_written, stats.facts_written) == (0, 0, 0)
    assert _facts_digest(db) == before
    forced = build(db, progress=False, force=True)
    assert forced.parsed == db["documents"].count and _facts_digest(db) == before


def test_new_parser_version_reparses_everything(corpus_db, monkeypatch):
    db = corpus_db
    before = _facts_digest(db)
    monkeypatch.setattr(build_module, "build_version", lambda: "9.9+test")
    stats = build(db, progress=False)
    n = db["documents"].count
    assert stats.parsed == n and stats.reports_written == db["reports"].count == n
    assert {r[0] for r in db.execute("select distinct parser_version from reports")} == {"9.9+test"}
    assert _facts_digest(db) == before  # same parser code: same facts


def test_a_second_version_of_a_report_joins_it(corpus, tmp_path):
    db = sqlite_utils.Database(tmp_path / "a.db")
    text = (corpus / "reports" / "000_changchun-luyuan_2018.txt").read_bytes()
    url = "http://www.luyuan.gov.cn/nb/2018.html"
    first, _ = add_document(db, text, url=url, fetched_at="2019-03-15T00:00:00Z")
    build(db, progress=False)
    edited = text + b"\n"
    second, _ = add_document(db, edited, url=url, fetched_at="2019-04-01T00:00:00Z")
    stats = build(db, progress=False)
    assert stats.parsed == 1
    report = next(db.query("select * from reports"))
    assert db["reports"].count == 1 and report["n_documents"] == 2
    assert report["document_id"] == second  # the later edit is the primary version
    docs = {r["document_id"]: r["is_primary"] for r in db["report_documents"].rows}
    assert docs == {first: 0, second: 1}
    assert report["url"] == url


def test_non_reports_and_unreadable_files_are_recorded_not_reported(tmp_path):
    db = sqlite_utils.Database(tmp_path / "a.db")
    add_document(db, b"%PDF-1.4\n" + bytes(200), url="https://x.gov.cn/a.pdf")
    add_document(db, "<html><body><p>通知公告：关于开展植树活动的通知</p></body></html>".encode(),
                 url="https://x.gov.cn/notice.html", media_type="text/html")
    # an image is read by OCR with the page that shows it (issue 15), not parsed on its own
    add_document(db, b"\x89PNG\r\n\x1a\n" + bytes(200), url="https://x.gov.cn/a.png")
    stats = build(db, progress=False)
    rows = {(r["status"], "PNG" in (r["reason"] or "")): r for r in db["parses"].rows}
    assert stats.parsed == 3 and db["reports"].count == 0
    assert rows["error", False]["reason"].startswith("broken PDF")
    assert rows["not_report", False]["reason"]
    assert rows["not_report", True]["reason"] == ("PNG image: read by OCR as part of the "
                                                  "report page that shows it")
