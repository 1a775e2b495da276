"""The synthetic national corpus (benchmarks/synth.py): every cell parsed exactly, and the
parallel build writes the same archive as the sequential one.

The benchmark (benchmarks/national.py) measures speed on thousands of these reports; this
test keeps speed work honest on a small sample: all eras and document kinds, gold values
compared cell by cell, broken integrity rules flagged, publishers resolved to their real
division code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlite_utils

from archive import publishers
from archive.build import build
from archive.store import add_document
from parser import load
from parser.pipeline import parse_document
from testkit.synth import load_synth
from xxgk import settings

ROOT = Path(__file__).resolve().parent.parent


synth = load_synth()
KINDS = ("html", "html-gbk", "pdf", "docx") if synth.pdf_available() else (
    "html", "html-gbk", "docx")


@pytest.mark.parametrize("year", [2016, 2020, 2023])
@pytest.mark.parametrize("kind", KINDS)
def test_every_gold_cell_is_parsed_exactly(year, kind):
    # Indexes spread over the division list: governments, departments, municipalities.
    for index in (7, 3301, 40123):
        r = synth.generate(index, year, seed=1, kind=kind)
        assert r.era == synth.era_of(year) and r.kind == kind
        res = parse_document(load.load_bytes(r.data, r.filename))
        n, exact, wrong = synth.compare(r, res.values)
        assert exact == n - len(wrong)
        assert n > (12 if r.era == "legacy" else 100), "gold holds the report's cells"
        assert wrong == [], f"{r.publisher} {kind} {year}: {wrong[:5]}"
        assert res.report_year == year and res.format == r.era
        pub = publishers.resolve(res.publisher)
        assert pub is not None and pub.division_code == r.division_code, res.publisher


def test_values_are_mostly_zero_with_a_heavy_tail_and_some_reports_broken():
    reports = [synth.generate(i, 2023, seed=2, kind="html") for i in range(120)]
    cells = [v for r in reports for k, v in r.gold.items() if k.startswith("results.")
             and not k.endswith(".total")]
    zeros = sum(1 for v in cells if v == 0)
    assert zeros / len(cells) > 0.8 and max(cells) >= 50
    broken = [r for r in reports if r.broken]
    assert 0 < len(broken) < len(reports) / 5
    for r in broken[:3]:
        res = parse_document(load.load_bytes(r.data, r.filename))
        assert any(not c.ok and c.rule.startswith("table3") for c in res.checks), r.publisher


def _digest(db: sqlite_utils.Database) -> str:
    h = hashlib.sha256()
    for table in ("facts", "checks", "report_indicator_values", "reports", "sections"):
        for row in db.execute(f"select * from [{table}] order by rowid"):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_parallel_build_writes_the_same_archive_and_a_rebuild_changes_nothing(
        tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "BUILD_PARALLEL_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(settings, "BUILD_BATCH_DOCUMENTS", 4)
    sample = [synth.generate(i * 97, year, seed=3, kind=kind)
              for i, (year, kind) in enumerate(
                  [(y, k) for y in (2017, 2023) for k in ("html", "html-gbk", "docx")] * 2)]
    digests = []
    for workers in (1, 2):
        db = sqlite_utils.Database(tmp_path / f"w{workers}.db")
        for r in sample:
            add_document(db, r.data, url=None, path=f"/synth/{r.filename}",
                         filename=r.filename, origin="import")
        stats = build(db, progress=False, workers=workers)
        assert stats.reports == len(sample) and stats.errors == 0
        digests.append(_digest(db))
        again = build(db, progress=False, workers=workers)
        assert again.parsed == 0 and again.reports_written == 0
        assert _digest(db) == digests[-1]
        gold = {hashlib.sha256(r.data).hexdigest(): r.gold for r in sample}
        for rid, doc_id in db.execute("select id, document_id from reports"):
            values = dict(db.execute(
                "select key, value from report_indicator_values where report_id = ?", [rid]))
            assert {k: values.get(k) for k in gold[doc_id]} == gold[doc_id]
    assert digests[0] == digests[1]


def test_a_batch_that_fails_half_way_leaves_nothing_of_itself(tmp_path, monkeypatch):
    """A write batch is one transaction: a failure after some of its rows (here: the search
    index of the second report) leaves neither parses nor reports of that batch, so the next
    build redoes it. (sqlite-utils commits each write made outside an open transaction.)"""
    from archive import search

    monkeypatch.setattr(settings, "BUILD_BATCH_DOCUMENTS", 3)
    db = sqlite_utils.Database(tmp_path / "a.db")
    sample = [synth.generate(i * 31, 2023, seed=4, kind="html") for i in range(6)]
    for r in sample:
        add_document(db, r.data, url=None, path=f"/synth/{r.filename}", filename=r.filename,
                     origin="import")
    real = search.index_rows
    calls = {"n": 0}

    def failing(db_, fts, rows):
        calls["n"] += 1
        if calls["n"] == 9:  # second batch, second report's sections
            raise OSError("disk full")
        return real(db_, fts, rows)

    monkeypatch.setattr(search, "index_rows", failing)
    with pytest.raises(OSError):
        build(db, progress=False, workers=1)
    assert db["parses"].count == 3 and db["reports"].count == 3
    assert db.execute("select count(*) from reports where n_facts != (select count(*) from "
                      "facts f where f.report_id = reports.id)").fetchone()[0] == 0
    monkeypatch.setattr(search, "index_rows", real)
    stats = build(db, progress=False, workers=1)
    assert stats.parsed == 3 and db["reports"].count == 6


def test_parse_processes_run_at_most_a_window_ahead_of_the_writer(tmp_path, monkeypatch):
    """The writer holds at most BUILD_PARSE_WINDOW parsed documents it has not written: a
    slow writer no longer piles up every result in memory. A writer that stops half way
    (an error) shuts the pool down without hanging."""
    import time

    from archive import parse_pool

    monkeypatch.setattr(settings, "BUILD_PARSE_WINDOW", 4)
    monkeypatch.setattr(settings, "BUILD_PARSE_CHUNK", 1)
    monkeypatch.setattr(settings, "BUILD_PARALLEL_MIN_DOCUMENTS", 2)
    db = sqlite_utils.Database(tmp_path / "a.db")
    for i in range(24):
        r = synth.generate(i * 13, 2023, seed=5, kind="html")
        add_document(db, r.data, url=None, path=f"/synth/{r.filename}", filename=r.filename,
                     origin="import")
    todo = [row[0] for row in db.execute("select id from documents order by id")]
    stream = parse_pool._parsed_stream(db, todo, workers=2)
    ahead = []
    for taken, (parsed, _) in enumerate(stream, 1):
        time.sleep(0.05)  # a slow writer: the workers would run to the end without the window
        ahead.append(parse_pool._window_fed[0] - taken)
        assert parsed.status == "report"
    assert len(ahead) == 24 and max(ahead) <= 4 and max(ahead) >= 2, ahead
    stream = parse_pool._parsed_stream(db, todo, workers=2)
    started = time.monotonic()
    next(stream)
    stream.close()  # what build() does when writing fails
    assert time.monotonic() - started < 10
