"""No statement the build runs for each document reads a whole table (archive/writer.py).

A statement run once a document that scans a table growing with the archive makes a build
quadratic: SQLite, without statistics, once looked parses up by the index on `status` (nearly
every parse is a report) instead of the one on `report_key`, and read every parse for every
report written; a national build slowed from 40 to 20 reports/s by 40,000 reports. Here every
statement of a small build is traced, and each that ran once a document or more is explained.
"""

from __future__ import annotations

import re
from collections import Counter

import sqlite_utils

from archive.build import build
from archive.store import add_document
from testkit.synth import load_synth

DOCUMENTS = 12
# tables that grow with the archive, and the low-selectivity index that caused the scan
GROWING = ("parses", "reports", "fact_rows", "section_rows", "check_rows", "value_rows",
           "documents", "document_urls", "blobs", "report_documents", "strings")
BAD_PLAN = re.compile(r"USING (?:COVERING )?INDEX idx_parses_status|^SCAN (?:"
                      + "|".join(GROWING) + r")\b")
# transaction control, and the "-- TRIGGER name" lines SQLite traces for trigger bodies
NOT_QUERIES = ("begin", "commit", "rollback", "savepoint", "release", "pragma", "--")


def _shape(sql: str) -> str:
    """The statement with its literal values taken out."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"X'[0-9A-Fa-f]*'", "?", sql)
    return re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)


def test_no_statement_run_for_each_document_scans_a_growing_table(tmp_path) -> None:
    synth = load_synth()
    db = sqlite_utils.Database(tmp_path / "archive.db")
    for i in range(DOCUMENTS):
        r = synth.generate(i, 2023, seed=5, kind="html")
        add_document(db, r.data, url=None, path=f"/synth/{r.filename}", filename=r.filename,
                     origin="import")
    seen: Counter[str] = Counter()
    example: dict[str, str] = {}

    def trace(sql: str) -> None:
        shape = _shape(sql)
        seen[shape] += 1
        example.setdefault(shape, sql)

    db.conn.set_trace_callback(trace)
    stats = build(db, progress=False, workers=1)
    db.conn.set_trace_callback(None)
    assert stats.reports == DOCUMENTS
    per_document = [s for s, n in seen.items() if n >= DOCUMENTS
                    and not s.lstrip().lower().startswith(NOT_QUERIES)]
    assert any("report_key" in s for s in per_document)  # the lookups in question are traced
    # Explained as the planner saw them in this build (statistics taken at its end, by the
    # summaries) and as a first build sees them: no statistics at all.
    bad = _bad_plans(db, per_document, example)
    db.execute("delete from sqlite_stat1")
    db.execute("analyze sqlite_master")  # reloads the (now empty) statistics
    bad.update(_bad_plans(db, per_document, example))
    assert bad == {}


def _bad_plans(db: sqlite_utils.Database, shapes: list[str],
               example: dict[str, str]) -> dict[str, list[str]]:
    bad = {}
    for shape in shapes:
        plan = [row[3] for row in db.execute("explain query plan " + example[shape])]
        if any(BAD_PLAN.search(step) for step in plan):
            bad[shape[:160]] = plan
    return bad
