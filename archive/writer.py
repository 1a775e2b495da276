"""Writing a build's parses: a `parses` row each, and the reports they file reconciled.

Reports are grouped by (publisher, report year): the same report posted twice, or edited after
publication, is one `reports` row listing every document version in `report_documents`. Its
sections, facts, checks and values come from one primary version: the one with most canonical
values, then the one seen last (an edit replaces what it corrects), then the smallest id. After
each parse the reports under its old and new key are reconciled: written, switched to another
primary, or removed. Only the build's one writer process runs this; it is apart from the parsing
(archive/parsing.py), which needs no write access and runs in other processes.

Parses are written in transactions of settings.BUILD_BATCH_DOCUMENTS documents (parsing itself
holds no lock). Transactions are `db.atomic()` (an explicit BEGIN … COMMIT), not `with
db.conn:`: the latter opens no transaction by itself, and sqlite-utils commits every write made
while none is open, so a batch would be committed statement by statement and a crash could leave
a parse recorded without its report's facts (found by killing a national-size build; see
docs/performance.md).
"""

from __future__ import annotations

import json
import time

import sqlite_utils

from archive import publishers, search, storage
from archive.build_stats import BuildStats
from archive.meta import meta_set, upsert
from archive.parsing import Parsed, parse_document, provenance, stored_url


def _write_publisher(db: sqlite_utils.Database, pub: publishers.Publisher) -> None:
    if pub.parent is not None:
        _write_publisher(db, pub.parent)
    div = publishers.divisions().get(pub.division_code or "")
    row = {
        "id": pub.id,
        "name": pub.name,
        "level": pub.level,
        "parent_id": pub.parent_id,
        "division_code": pub.division_code,
        "province": div.province if div else None,
        "city": div.city if div else None,
        "county": div.county if div else None,
        "match": pub.match,
    }
    existing = db.execute(
        "select id, name, level, parent_id, division_code, province, city, county, match "
        "from publishers where id = ?", [pub.id]
    ).fetchone()
    if existing is None or tuple(existing) != tuple(row.values()):
        upsert(db, "publishers", row, "id")


def _num(v):
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _seen_at_sql() -> str:
    return (
        "(select max(coalesce(u.fetched_at, u.recorded_at)) from document_urls u "
        "where u.document_id = p.document_id)"
    )


# `+p.status` keeps SQLite off the index on status: without statistics it preferred that index
# (nearly every parse is a report) to the one on report_key, and read every parse for every
# report written: 34 MB a report, a build that slowed from 40 to 20 reports/s by 40,000
# reports (tests/test_build_queries.py).
def _primary_for(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute(
        f"""select p.document_id from parses p where p.report_key = ? and +p.status = 'report'
            order by p.n_values desc, {_seen_at_sql()} desc, p.document_id limit 1""",
        [key],
    ).fetchone()
    return row[0] if row else None


def _write_report(db: sqlite_utils.Database, parsed: Parsed, version: str) -> int:
    """Replace the report `parsed.key` with the content of `parsed` (its primary version).

    Facts, sections, checks and values go to the compact rows of archive/storage.py: repeated
    text as `strings` ids, a fact's evidence and a section's text as spans of the report's text,
    passing checks without their JSON numbers."""
    res, doc = parsed.result, parsed.doc
    assert doc is not None and parsed.key is not None
    strings = storage.Strings.of(db)
    sid = strings.id
    cached = strings.cache.get  # most strings are cached: a dict look-up, not a call of sid
    if parsed.publisher is not None:
        _write_publisher(db, parsed.publisher)
        if res.publisher:
            upsert(db, "publisher_names",
                    {"name": res.publisher, "publisher_id": parsed.publisher.id}, "name")
    prov = provenance(db, parsed.document_id)
    text = doc.text
    row = {
        "key": parsed.key,
        "publisher_id": parsed.publisher.id if parsed.publisher else None,
        "report_year": res.report_year,
        "report_year_source": res.report_year_source,
        "publisher_source": res.publisher_source,
        "title": res.title,
        "era": res.format,
        "published": res.published,
        "url": prov["url"] or doc.meta.get("url"),
        "document_id": parsed.document_id,
        "parser_version": version,
        "n_sections": len(res.sections),
        "n_facts": len(res.facts),
        "n_failed_checks": sum(1 for c in res.checks if not c.ok),
        "text": text,
    }
    found = db.execute("select id from reports where key = ?", [parsed.key]).fetchone()
    cols = ", ".join(f"[{c}]" for c in row)
    if found:
        report_id = found[0]
        _unindex_report(db, report_id)
        db.conn.execute(f"update reports set ({cols}) = ({', '.join('?' for _ in row)})"
                        " where id = ?", [*row.values(), report_id])
        for table in ("section_rows", "fact_rows", "check_rows", "value_rows", "ocr_regions"):
            db.execute(f"delete from [{table}] where report_id = ?", [report_id])
    else:
        report_id = db.conn.execute(
            f"insert into reports ({cols}) values ({', '.join('?' for _ in row)})",
            list(row.values())).lastrowid
    # section ids as SQLite would give them one insert at a time (max + 1), in one statement
    first = db.execute("select coalesce(max(id), 0) + 1 from section_rows").fetchone()[0]
    db.conn.executemany(
        "insert into section_rows (id, report_id, seq, number, heading, level, key, parent_seq,"
        " start, end) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[first + seq, report_id, seq, s.number, s.heading, s.level, s.key, s.parent, s.start,
          s.end] for seq, s in enumerate(res.sections)])
    sec_rows = [{"id": first + seq, "heading": s.heading, "text": text[s.start : s.end]}
                for seq, s in enumerate(res.sections)]
    search.index_rows(db, "sections_fts", sec_rows)
    search.index_rows(db, "reports_fts", [{"id": report_id, "title": res.title, "text": text}])
    fact_rows = []
    for seq, f in enumerate(res.facts):
        form, ev_start, ev_end, ev_text = storage.evidence_form(text, f.evidence, f.start, f.end)
        value = f.value  # a number (int or float) as it is, anything else through _num
        fact_rows.append([
            report_id, seq, cached(f.key) or sid(f.key),
            value if (kind := type(value)) is int or kind is float else _num(value),
            cached(f.unit) or sid(f.unit), cached(f.label) or sid(f.label),
            form, ev_start, ev_end, cached(ev_text) or sid(ev_text),
            cached(f.section) or sid(f.section), cached(f.method) or sid(f.method),
            cached(f.status) or sid(f.status), f.start, f.end, f.raw, _num(f.percent_of),
            cached(f.table) or sid(f.table), cached(f.row) or sid(f.row),
            cached(f.column) or sid(f.column), cached(f.version) or sid(f.version), f.note,
            round(f.confidence, 4) if f.confidence is not None else None])
    db.conn.executemany(
        "insert into fact_rows (report_id, seq, key_id, value, unit_id, label_id,"
        " evidence_form, evidence_start, evidence_end, evidence_id, section_id, method_id,"
        " status_id, start, end, raw, percent_of, table_id, row_id, column_id, version_id,"
        " note, confidence)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        fact_rows)
    db.conn.executemany(
        "insert into ocr_regions (report_id, seq, document_id, page, image, image_document_id,"
        " start, end, chars, mean_confidence, low_confidence_chars, seconds, engine)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [report_id, seq, parsed.document_id, r["page"], r["image"],
             stored_url(db, prov["url"], r["image"]), r["start"], r["end"], r["chars"],
             r["mean_confidence"], r["low_confidence_chars"], r["seconds"], r["engine"]]
            for seq, r in enumerate(res.ocr)
        ],
    )
    # A passing check keeps its rule and formula (its numbers are in the formula and in the
    # report's values); a failed one also its numbers as JSON, which explanations read.
    db.conn.executemany(
        "insert into check_rows (report_id, seq, rule_id, ok, detail_id, numbers)"
        " values (?, ?, ?, ?, ?, ?)",
        [
            [report_id, seq, sid(c.rule), int(c.ok), sid(c.detail),
             None if c.ok else json.dumps(c.values, ensure_ascii=False, sort_keys=True,
                                          default=str)]
            for seq, c in enumerate(res.checks)
        ],
    )
    sources = storage.fact_sources(res.facts, _num)
    db.conn.executemany(
        "insert into value_rows (report_id, key_id, value, note, fact_seq, unstated_seq)"
        " values (?, ?, ?, ?, ?, ?)",
        [[report_id, sid(k), _num(v), res.values_notes.get(k), *sources.get(k, (None, None))]
         for k, v in sorted(res.values.items())],
    )
    return report_id


def _unindex_report(db: sqlite_utils.Database, report_id: int) -> None:
    """Take a report and its sections out of the (contentless) full-text index, with the texts
    they were indexed with: the stored ones, before they are replaced."""
    search.unindex(db, "sections_fts", [
        {"id": i, "heading": h, "text": t} for i, h, t in db.execute(
            "select id, heading, text from sections where report_id = ?", [report_id])])
    search.unindex(db, "reports_fts", [
        {"id": i, "title": h, "text": t} for i, h, t in db.execute(
            "select id, title, text from reports where id = ?", [report_id])])


def _sync_report_documents(db: sqlite_utils.Database, key: str) -> None:
    """Point `report_documents` at every parsed version of the report `key`."""
    found = db.execute("select id, document_id from reports where key = ?", [key]).fetchone()
    if not found:
        return
    report_id, primary = found
    want = [
        (report_id, r[0], int(r[0] == primary), r[1])
        for r in db.execute(
            f"""select p.document_id, {_seen_at_sql()} from parses p
                where p.report_key = ? and +p.status = 'report' order by p.document_id""",
            [key],
        )
    ]
    have = [tuple(r) for r in db.execute(
        "select report_id, document_id, is_primary, seen_at from report_documents "
        "where report_id = ? order by document_id", [report_id])]
    if have != want:
        db.execute("delete from report_documents where report_id = ?", [report_id])
        db.conn.executemany(
            "insert into report_documents (report_id, document_id, is_primary, seen_at)"
            " values (?, ?, ?, ?)", want)
        db.execute("update reports set n_documents = ? where id = ?", [len(want), report_id])


def _delete_report(db: sqlite_utils.Database, key: str) -> None:
    found = db.execute("select id from reports where key = ?", [key]).fetchone()
    if not found:
        return
    report_id = found[0]
    _unindex_report(db, report_id)
    for table in ("section_rows", "fact_rows", "check_rows", "value_rows", "report_documents",
                  "ocr_regions"):
        db.execute(f"delete from [{table}] where report_id = ?", [report_id])
    db.execute("delete from reports where id = ?", [report_id])


def _record_parse(db: sqlite_utils.Database, parsed: Parsed, version: str) -> None:
    res = parsed.result
    upsert(
        db, "parses", {
            "document_id": parsed.document_id,
            "parser_version": version,
            "status": parsed.status,
            "reason": parsed.reason,
            "report_key": parsed.key,
            "title": res.title,
            "publisher_raw": res.publisher,
            "report_year": res.report_year,
            "format": res.format,
            "n_facts": len(res.facts),
            "n_values": len(res.values),
        },
        "document_id",
    )
    kind = res.kind or (parsed.doc.kind if parsed.doc else None)
    db.execute(
        "update documents set kind = ?, encoding = ? where id = ? "
        "and (kind is not ? or encoding is not ?)",
        [kind, res.encoding, parsed.document_id, kind, res.encoding],
    )


def reconcile(db: sqlite_utils.Database, key: str, version: str, cache: dict[str, Parsed],
               stats: BuildStats) -> None:
    """Make report `key` reflect its best version (write, switch primary, or remove)."""
    primary = _primary_for(db, key)
    current = db.execute("select document_id, parser_version from reports where key = ?",
                         [key]).fetchone()
    if primary is None:
        if current:
            _delete_report(db, key)
            stats.reports_removed += 1
        return
    if current is None or current[0] != primary or current[1] != version:
        parsed = cache.get(primary) or parse_document(db, primary)
        _write_report(db, parsed, version)
        stats.reports_written += 1
        stats.facts_written += len(parsed.result.facts)
    _sync_report_documents(db, key)


def write_batch(db: sqlite_utils.Database, batch: list[tuple[Parsed, str | None]],
                 version: str, stats: BuildStats) -> None:
    """Record parses and update their reports: one transaction for the batch."""
    if not batch:
        return
    started = time.perf_counter()
    with storage.Strings.of(db).guard(), db.atomic():
        # cleared by refresh_summaries, even after a crash
        meta_set(db, "summaries_stale", "1")
        for parsed, old_key in batch:
            _record_parse(db, parsed, version)
            for key in sorted({k for k in (parsed.key, old_key) if k}):
                reconcile(db, key, version, {parsed.document_id: parsed}, stats)
    stats.write_seconds += time.perf_counter() - started
