"""Compact storage (archive/storage.py): the views give back exactly what the parser produced.

Facts, sections, checks and values are stored as interned strings and spans of the report text;
a reader must see, column by column, the facts, evidence, section texts, check details and
values the parser gave (every document kind and era of the synthetic corpus, and the real
corpus), the values must point at the fact the evidence rule names, the full-text index must
stay consistent through rewrites, and an archive of schema version 1 is migrated by a build.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive import search, storage
from archive.build import build
from archive.parsing import parse_document
from archive.store import add_document, get_bytes
from archive.writer import _num
from testkit.archives import corpus_archive
from testkit.synth import load_synth

ROOT = Path(__file__).resolve().parent.parent


synth = load_synth()
KINDS = ("html", "html-gbk", "pdf", "docx") if synth.pdf_available() else (
    "html", "html-gbk", "docx")
FACT_COLS = ("key", "value", "unit", "label", "evidence", "section", "method", "status",
             "start", "end", "raw", "percent_of", "table_name", "row_label", "column_label",
             "version", "note")


@pytest.fixture(scope="module")
def synth_archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compact") / "archive.db"
    db = sqlite_utils.Database(path)
    for year in (2016, 2020, 2023):
        for k, kind in enumerate(KINDS):
            for index in (11 + 97 * k, 2077 + 97 * k):  # other publishers: other reports
                r = synth.generate(index, year, seed=3, kind=kind)
                add_document(db, r.data, url=None, path=f"/synth/{r.filename}",
                             filename=r.filename.replace("/", "_"), origin="import")
    build(db, progress=False, workers=1)
    db.close()
    return path


def _same_as_parser(path: Path) -> int:
    """Compare every report's public rows with a fresh parse of its primary document."""
    db = sqlite_utils.Database(path)
    checked = 0
    for rid, doc_id, text in db.execute("select id, document_id, text from reports"):
        parsed = parse_document(db, doc_id)
        res = parsed.result
        assert parsed.doc is not None and parsed.doc.text == text
        facts = list(db.query(f"select seq, {', '.join(FACT_COLS)} from facts "
                              "where report_id = ? order by seq", [rid]))
        assert len(facts) == len(res.facts)
        for row, f in zip(facts, res.facts, strict=True):
            want = {"key": f.key, "value": _num(f.value), "unit": f.unit, "label": f.label,
                    "evidence": f.evidence, "section": f.section, "method": f.method,
                    "status": f.status, "start": f.start, "end": f.end, "raw": f.raw,
                    "percent_of": _num(f.percent_of), "table_name": f.table,
                    "row_label": f.row, "column_label": f.column, "version": f.version,
                    "note": f.note}
            assert {k: row[k] for k in FACT_COLS} == want, (rid, row["seq"])
        sections = list(db.query("select seq, heading, start, end, text from sections "
                                 "where report_id = ? order by seq", [rid]))
        assert [(s["heading"], s["text"]) for s in sections] == [
            (s.heading, text[s.start:s.end]) for s in res.sections]
        checks = list(db.query("select rule, ok, detail, numbers from checks "
                               "where report_id = ? order by seq", [rid]))
        assert [(c["rule"], c["ok"], c["detail"]) for c in checks] == [
            (c.rule, int(c.ok), c.detail) for c in res.checks]
        for c, want in zip(checks, res.checks, strict=True):  # failed ones keep their numbers
            if not want.ok:
                assert json.loads(c["numbers"]) == json.loads(json.dumps(want.values,
                                                                         default=str))
            else:
                assert c["numbers"] is None
        values = {v["key"]: v for v in db.query(
            "select key, value, note, fact_seq, unstated_seq from report_indicator_values "
            "where report_id = ?", [rid])}
        assert {k: v["value"] for k, v in values.items()} == {
            k: _num(v) for k, v in res.values.items()}
        for key, v in values.items():  # the evidence rule: table cell first, then first stated
            stated = [(f.method != "table", seq) for seq, f in enumerate(res.facts)
                      if f.key == key and _num(f.value) is not None]
            anyf = [(f.method != "table", seq) for seq, f in enumerate(res.facts)
                    if f.key == key]
            assert v["fact_seq"] == (min(stated)[1] if stated else None), key
            assert v["unstated_seq"] == (None if stated or not anyf else min(anyf)[1]), key
        checked += 1
    db.close()
    return checked


def test_synthetic_reports_read_back_exactly(synth_archive):
    assert _same_as_parser(synth_archive) == 3 * len(KINDS) * 2
    con = sqlite3.connect(synth_archive)
    forms = dict(con.execute("select evidence_form, count(*) from fact_rows group by 1"))
    # prose sentences and table rows are spans of the text, not copies
    assert forms[storage.SPAN] > 0 and forms[storage.ROW_LINE] > forms.get(storage.WHOLE, 0)


def test_corpus_reports_read_back_exactly(corpus, tmp_path_factory):
    path = corpus_archive(tmp_path_factory.getbasetemp(), tmp_path_factory.mktemp("c") / "a.db")
    assert _same_as_parser(path) > 10


def test_raw_documents_are_compressed_and_read_back(synth_archive):
    db = sqlite_utils.Database(synth_archive)
    kinds = dict(db.execute("select d.kind, max(b.compression is not null) from documents d "
                            "join blobs b on b.sha256 = d.id group by d.kind").fetchall())
    assert kinds["html"] == 1  # HTML shrinks; PDF and DOCX are compressed inside already
    import hashlib

    for doc_id, size in db.execute("select id, size from documents"):
        data = get_bytes(db, doc_id)
        assert len(data) == size and hashlib.sha256(data).hexdigest() == doc_id


def _fts_ok(path: Path) -> None:
    con = sqlite3.connect(path)
    for fts in search.FTS_TABLES:
        con.execute(f"insert into [{fts}] ([{fts}]) values ('integrity-check')")
    con.close()


def test_full_text_index_stays_consistent_through_rewrites(synth_archive, tmp_path):
    path = tmp_path / "a.db"
    path.write_bytes(synth_archive.read_bytes())
    db = sqlite_utils.Database(path)
    before = db.execute("select count(*) from sections_fts where sections_fts match ?",
                        [search.fts_query("复议")]).fetchone()[0]
    assert before > 0
    build(db, progress=False, force=True, workers=1)  # every report rewritten in place
    after = db.execute("select count(*) from sections_fts where sections_fts match ?",
                       [search.fts_query("复议")]).fetchone()[0]
    assert after == before
    db.close()
    _fts_ok(path)


def test_a_version_1_archive_is_migrated_by_the_next_build(synth_archive, tmp_path):
    """An archive whose facts, sections, checks and values are tables (schema 1): ensure_schema
    drops those derived rows and marks every report for reparsing; the build rewrites them under
    the same report ids, and the views then hold what a fresh archive holds."""
    path = tmp_path / "v1.db"
    path.write_bytes(synth_archive.read_bytes())
    con = sqlite3.connect(path)
    ids = con.execute("select id, key from reports order by id").fetchall()
    for view in ("facts", "sections", "checks", "report_indicator_values", "failed_checks",
                 "indicator_values", "report_values"):
        con.execute(f"drop view [{view}]")
    con.execute("create table facts (report_id integer, seq integer, key text, value, "
                "evidence text, primary key (report_id, seq))")
    con.execute("insert into facts select report_id, seq, null, value, null from fact_rows")
    for table in ("sections", "checks", "report_indicator_values"):
        con.execute(f"create table [{table}] (report_id integer, x text)")
    for table in storage.STORAGE_TABLES:
        con.execute(f"drop table [{table}]")
    for fts in search.FTS_TABLES:
        con.execute(f"drop table [{fts}]")
        con.execute(f"create virtual table [{fts}] using fts5(a, b)")
    con.execute("update meta set value = '1' where name = 'schema_version'")
    con.commit()
    con.close()
    db = sqlite_utils.Database(path)
    stats = build(db, progress=False, workers=1)
    assert stats.reports_written == len(ids)
    assert db.execute("select id, key from reports order by id").fetchall() == ids
    assert db.execute("select value from meta where name = 'schema_version'").fetchone()[0] == "2"
    db.close()
    assert _same_as_parser(path) == len(ids)
    _fts_ok(path)
    fresh, migrated = (sqlite3.connect(p) for p in (synth_archive, path))
    q = "select count(*) from reports_fts where reports_fts match ?"
    assert (fresh.execute(q, [search.fts_query("复议")]).fetchone()
            == migrated.execute(q, [search.fts_query("复议")]).fetchone())
