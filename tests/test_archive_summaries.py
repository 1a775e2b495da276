"""Summary tables computed by `xxgk build`, the saved queries that read them, and the row
counts kept beside a served archive.

At national size some saved queries read tables that the build computes (docs/performance.md):
these tests hold them to the same rows as the original queries over the raw tables, which are
kept here as the reference, on the real corpus and after a build that adds a report.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest
import sqlite_utils

from archive.build import build
from archive.serve import COUNTS_SUFFIX, _yaml, make_datasette, table_counts, table_docs
from archive.store import add_document
from archive.summaries import SUMMARIES
from testkit.archives import corpus_archive

# The saved queries as they were written over the raw tables (same columns, same order).
REFERENCE = {
    "failing_checks": """
    select coalesce(k.kind, 'unread') as kind, coalesce(k.name_zh, '未分类的检查') as name_zh,
      c.rule, p.name as publisher, r.report_year, r.era,
      xxgk_check_explain(c.rule, c.detail, c.numbers) as explanation, c.detail, c.numbers,
      r.id as report_id
    from checks c
    join reports r on r.id = c.report_id
    left join publishers p on p.id = r.publisher_id
    left join check_rules k on k.rule = c.rule
    where c.ok = 0 and (:rule = '' or c.rule = :rule)
    order by kind, c.rule, p.name, r.report_year, r.id""",
    "missing_reports": """
    select p.name as publisher, p.level, p.province, p.city, p.division_code,
      (select group_concat(report_year, ', ') from
        (select distinct report_year from reports r where r.publisher_id = p.id
         order by report_year)) as years_in_archive
    from publishers p
    where not exists (select 1 from reports r where r.publisher_id = p.id
                      and r.report_year = cast(:year as integer))
    order by p.province, p.city, p.name""",
}

NEW_REPORT = (
    "<html><head><title>淮安市清江浦区人民政府2030年政府信息公开工作年度报告</title></head><body>"
    "<div class='TRS_Editor'><p>淮安市清江浦区人民政府2030年政府信息公开工作年度报告</p>"
    "<p>一、总体情况</p><p>本年度收到政府信息公开申请7件，行政复议1件。"
    + "本机关严格落实《中华人民共和国政府信息公开条例》，持续推进决策、执行、管理、服务、结果公开。" * 6
    + "</p></div></body></html>"
)


@pytest.fixture(scope="module")
def db(corpus, tmp_path_factory) -> sqlite_utils.Database:
    base = tmp_path_factory.getbasetemp()
    return sqlite_utils.Database(corpus_archive(base, base / "summaries" / "archive.db"))


def _rows(db: sqlite_utils.Database, sql: str, params: dict) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


def _same_as_reference(db: sqlite_utils.Database) -> None:
    from archive import check_kinds

    labels = dict(db.execute("select key, label_zh from indicators").fetchall())
    db.conn.create_function("xxgk_check_explain", 3,
                            lambda r, d, n: check_kinds.explain(r, d, n, labels))
    queries = _yaml("queries.yaml")
    rules = [r[0] for r in db.execute("select distinct rule from checks where ok = 0")]
    assert rules, "the corpus has failing checks"
    for rule in ["", *rules, "no.such.rule"]:
        got = _rows(db, queries["failing_checks"]["sql"], {"rule": rule})
        assert got == _rows(db, REFERENCE["failing_checks"], {"rule": rule}), rule
    years = [r[0] for r in db.execute("select distinct report_year from reports")]
    for year in [*years, 1999, "2017"]:
        got = _rows(db, queries["missing_reports"]["sql"], {"year": year})
        assert got == _rows(db, REFERENCE["missing_reports"], {"year": year}), year


def test_saved_queries_on_summaries_answer_as_the_raw_tables(db):
    _same_as_reference(db)
    assert _rows(db, REFERENCE["missing_reports"], {"year": 2017})  # not a vacuous comparison


def test_summaries_equal_what_they_summarise(db):
    from archive import headline

    cols = ", ".join(headline.value_columns())  # headline_values leaves the evidence out
    assert _rows(db, "select * from headline_values order by report_id", {}) == _rows(
        db, f"select {cols} from report_values order by report_id", {})
    assert sorted(_rows(db, "select report_id, report_key, publisher, report_year, era, kind, "
                        "name_zh, rule, detail, numbers from check_failures", {})) == sorted(
        _rows(db, "select * from failed_checks", {}))
    assert db.execute("select sum(n_facts) from fact_counts").fetchone()[0] == db["facts"].count
    assert db.execute("select sum(n_checks) from check_counts").fetchone()[0] == db["checks"].count
    years = dict(db.execute("select publisher_id, n_reports from publisher_years").fetchall())
    assert len(years) == db["publishers"].count
    assert sum(years.values()) == db.execute(
        "select count(*) from reports where publisher_id in (select id from publishers)"
    ).fetchone()[0]


def test_a_build_that_writes_refreshes_the_summaries(db):
    add_document(db, NEW_REPORT.encode(), url="http://www.huaian.gov.cn/nb/2030.html",
                 fetched_at="2031-01-05T00:00:00Z", publisher_hint="淮安市清江浦区人民政府")
    build(db, progress=False)
    row = db.execute("select years_in_archive, n_reports from publisher_years where publisher "
                     "like '%清江浦区%'").fetchone()
    assert row is not None and row[0].endswith("2030")
    _same_as_reference(db)
    assert db.execute("select count(*) from headline_values where report_year = 2030"
                      ).fetchone()[0] == 1


def test_every_summary_column_is_described(db):
    docs = table_docs()
    for table in SUMMARIES:
        assert set(db[table].columns_dict) == set(docs[table]["columns"]), table
        assert all(docs[table]["columns"].values()), table


def test_counts_are_kept_beside_the_archive_and_redone_after_a_write(corpus, tmp_path):
    path = corpus_archive(tmp_path, tmp_path / "served.db")
    counts_file = path.with_name(path.name + COUNTS_SUFFIX)
    ds = make_datasette(path)
    assert counts_file.exists()
    db = sqlite_utils.Database(path)
    n_facts = db["facts"].count
    assert ds.inspect_data[path.stem]["tables"]["facts"]["count"] == n_facts

    async def page_count() -> int:
        r = await ds.client.get(f"/{path.stem}/facts.json?_size=1")
        return r.json()["filtered_table_rows_count"]

    assert asyncio.run(page_count()) == n_facts
    # Reused as long as the file is unchanged: a doctored count shows it is read, not redone.
    data = json.loads(counts_file.read_text("utf-8"))
    data["inspect"]["tables"]["facts"]["count"] = -1
    counts_file.write_text(json.dumps(data), "utf-8")
    assert table_counts(path)["tables"]["facts"]["count"] == -1
    # Any write changes the file, and the counts are taken again.
    db.execute("delete from facts where (report_id, seq) in "
               "(select report_id, seq from facts limit 3)")
    db.conn.commit()
    os.utime(path, ns=(data["stamp"]["mtime_ns"] + 10**9,) * 2)
    assert table_counts(path)["tables"]["facts"]["count"] == n_facts - 3
    db.close()


def test_counts_are_redone_for_a_changed_file_with_the_same_size_and_mtime(corpus, tmp_path):
    """A write that keeps the file's size, with its mtime put back (cp -p, rsync -t, a
    coarse clock), still means a recount: the stamp holds SQLite's change counter."""
    path = corpus_archive(tmp_path, tmp_path / "served.db")
    before = table_counts(path)["tables"]["checks"]["count"]
    stat = path.stat()
    db = sqlite_utils.Database(path)
    db.execute("delete from checks where (report_id, seq) in "
               "(select report_id, seq from checks limit 2)")
    db.conn.commit()
    db.close()
    assert path.stat().st_size == stat.st_size  # freed pages stay in the file
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert table_counts(path)["tables"]["checks"]["count"] == before - 2


def test_serving_an_archive_without_current_summaries_warns(corpus, tmp_path):
    from archive.serve import summaries_warning

    path = corpus_archive(tmp_path, tmp_path / "served.db")
    assert summaries_warning(path) is None
    db = sqlite_utils.Database(path)
    db.execute("drop table check_failures")  # as in an archive built before it existed
    db.conn.commit()
    db.close()
    warning = summaries_warning(path)
    assert warning and "run `xxgk build --db` on it once" in warning
