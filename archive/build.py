"""`xxgk build`: parse every stored document that is new or stale, and file it as a report.

Each document is parsed from its stored bytes (never the network) and gets a `parses` row:
status `report`, `not_report` (ParseResult.is_report false, with the parser's reason) or
`error` (the parser's DocumentError message, or the exception it raised). Reports are grouped
by (publisher, report year): the same report posted twice, or edited after publication, is one
`reports` row listing every document version in `report_documents`. Its sections, facts,
checks and values come from one primary version: the one with most canonical values, then
the one seen last (an edit replaces what it corrects), then the smallest id.

A document is stale when its `parses.parser_version` differs from `build_version()`: the
package version plus a hash of every file of the parser (code and rule data) and of the
archive's own derivation rules. So a change of any rule reparses everything, and a build
with nothing new writes nothing at all. Parses are written in transactions of
settings.BUILD_BATCH_DOCUMENTS documents (parsing itself holds no lock). Parsing runs in
settings.BUILD_WORKERS processes that read the archive read-only; one writer writes their
results in document order, so the archive does not depend on the number of workers.

Transactions are `db.atomic()` (an explicit BEGIN … COMMIT), not `with db.conn:`: the latter
opens no transaction by itself, and sqlite-utils commits every write made while none is open,
so a batch would be committed statement by statement and a crash could leave a parse recorded
without its report's facts (found by killing a national-size build; see docs/performance.md).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlite_utils

import parser as parser_pkg
from archive import publishers, reference, search, storage
from archive.build_stats import BuildStats
from archive.schema import VIEWS, ensure_schema
from archive.store import get_bytes
from parser.model import Check, Document, ParseResult
from xxgk import settings

ARCHIVE_RULE_FILES = ("build.py", "publishers.py", "data/publisher_aliases.tsv")
VERSION_SUFFIXES = {".py", ".tsv", ".csv", ".toml", ".txt", ".json"}


def _hash_tree(root: Path, files: Iterable[Path], h: hashlib._Hash) -> None:
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")


@cache
def build_version() -> str:
    """Package version + hash of the parser's code and data and the archive's rules."""
    h = hashlib.sha256()
    parser_root = Path(parser_pkg.__file__).resolve().parent
    _hash_tree(
        parser_root,
        (
            p
            for p in parser_root.rglob("*")
            if p.is_file() and p.suffix in VERSION_SUFFIXES and "__pycache__" not in p.parts
        ),
        h,
    )
    archive_root = Path(__file__).resolve().parent
    _hash_tree(archive_root, (archive_root / f for f in ARCHIVE_RULE_FILES), h)
    try:
        pkg = importlib.metadata.version("xxgk-archive")
    except importlib.metadata.PackageNotFoundError:  # running from a bare checkout
        pkg = "0"
    return f"{pkg}+{h.hexdigest()[:12]}"


# --- reference tables ------------------------------------------------------------------------


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _meta_get(db: sqlite_utils.Database, name: str) -> str | None:
    row = db.execute("select value from meta where name = ?", [name]).fetchone()
    return row[0] if row else None


def _meta_set(db: sqlite_utils.Database, name: str, value: str) -> None:
    _upsert(db, "meta", {"name": name, "value": value}, "name")


def _upsert(db: sqlite_utils.Database, table: str, row: dict, pk: str) -> None:
    """Insert `row`, or update its columns where `pk` exists: sqlite-utils' upsert in one
    statement, without its per-call look at the schema (a tenth of the writer's time)."""
    cols = list(row)
    db.conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values "
        f"({', '.join('?' for _ in cols)}) on conflict ([{pk}]) do update set "
        + ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != pk), list(row.values()))


def indicators_csv() -> Path:
    """The canonical keys, as shipped inside the parser package (a copy of the shared spec)."""
    return Path(parser_pkg.__file__).resolve().parent / "data" / "indicators.csv"


def load_reference_tables(db: sqlite_utils.Database) -> None:
    """(Re)load `indicators` and `divisions` when their source files changed."""
    ind = indicators_csv()
    if _meta_get(db, "indicators_hash") != _file_hash(ind):
        with ind.open(encoding="utf-8") as fh:
            rows = [
                {
                    "key": r["key"],
                    "table_name": r["table"],
                    "formats": r["formats"],
                    "label_zh": r["label_zh"],
                    "unit": r["unit"],
                    "description": r["description"],
                }
                for r in csv.DictReader(fh)
            ]
        with db.atomic():
            db.table("indicators").upsert_all(rows, pk="key")
            _meta_set(db, "indicators_hash", _file_hash(ind))
    src = publishers.adcodes_path()
    if _meta_get(db, "divisions_hash") != _file_hash(src):
        rows = [
            {
                "code": d.code,
                "name": d.name,
                "level": publishers.LEVEL_NAMES[d.level],
                "province_code": d.province_code,
                "city_code": d.city_code,
                "province": d.province,
                "city": d.city,
                "county": d.county,
            }
            for d in sorted(publishers.divisions().values(), key=lambda d: d.code)
        ]
        with db.atomic():
            db.table("divisions").upsert_all(rows, pk="code")
            _meta_set(db, "divisions_hash", _file_hash(src))
            _meta_set(db, "divisions_source", f"cpca {importlib.metadata.version('cpca')} "
                      "resources/adcodes.csv (GB/T 2260 codes)")
    reference.load(db)  # check kinds, concordance, publisher aliases (archive/data)


# --- parsing -----------------------------------------------------------------------------------


@dataclass
class Parsed:
    document_id: str
    doc: Document | None
    result: ParseResult
    publisher: publishers.Publisher | None
    key: str | None
    status: str
    reason: str | None


def _provenance(db: sqlite_utils.Database, document_id: str) -> dict:
    """Where a document came from: its latest URL/path, hint, content type, last seen."""
    row = db.execute(
        """select d.media_type, d.filename,
             (select url from document_urls u where u.document_id = d.id and url is not null
               order by coalesce(fetched_at, recorded_at) desc limit 1) as url,
             (select final_url from document_urls u where u.document_id = d.id
               and final_url is not null order by coalesce(fetched_at, recorded_at) desc
               limit 1) as final_url,
             (select path from document_urls u where u.document_id = d.id and path is not null
               order by recorded_at desc limit 1) as path,
             (select publisher_hint from document_urls u where u.document_id = d.id
               and publisher_hint is not null limit 1) as hint,
             (select headers from document_urls u where u.document_id = d.id
               and headers is not null limit 1) as headers
           from documents d where d.id = ?""",
        [document_id],
    ).fetchone()
    media_type, filename, url, final_url, path, hint, headers = row
    content_type = media_type
    if not content_type and headers:
        hdrs = {k.lower(): v for k, v in json.loads(headers).items()}
        content_type = hdrs.get("content-type")
    return {
        "source": url or path or filename or document_id,
        "url": final_url or url,
        "path": path or filename,
        "content_type": content_type,
        "hint": hint,
    }


def _stored_url(db: sqlite_utils.Database, base: str | None, src: str | None) -> str | None:
    """The stored document a page's link names (its `<img src>`, resolved against the page's
    URL): the latest version fetched from that URL, or None."""
    if not base or not src or src.startswith("data:"):
        return None
    from urllib.parse import urljoin

    row = db.execute(
        "select document_id from document_urls where url = ? or final_url = ?"
        " order by coalesce(fetched_at, recorded_at) desc limit 1",
        [urljoin(base, src)] * 2).fetchone()
    return row[0] if row else None


def stored_resources(db: sqlite_utils.Database, base: str | None):
    """What a page's `<img src>` names, from the store (never the network): the crawler
    fetched the images inside report bodies, and OCR reads them when the page is parsed."""

    def get(src: str) -> bytes | None:
        found = _stored_url(db, base, src)
        return get_bytes(db, found) if found else None

    return get


def parse_document(db: sqlite_utils.Database, document_id: str) -> Parsed:
    """Parse one stored document. Never raises for a bad document: the reason is recorded."""
    prov = _provenance(db, document_id)
    return parse_stored(document_id, get_bytes(db, document_id), prov,
                        stored_resources(db, prov["url"]))


def parse_stored(document_id: str, data: bytes, prov: dict, resources) -> Parsed:
    """Parse a stored document's bytes, given its provenance (`_provenance`) and what its
    `<img src>` names (`stored_resources`): no database needed, so it runs on any machine
    (archive/distributed.py sends these to a cluster's workers)."""
    from parser.load import image_kind
    from parser.pipeline import load_and_parse
    from parser.provenance import Hints

    image = image_kind(data[:16])
    if image:  # fetched for the report page that shows it, and read by OCR with that page
        reason = f"{image}: read by OCR as part of the report page that shows it"
        return Parsed(document_id, None, ParseResult(source=prov["source"], is_report=False,
                                                     not_report_reason=reason),
                      None, None, "not_report", reason)
    hints = Hints(url=prov["url"], path=prov["path"], publisher=prov["hint"])
    doc, result = load_and_parse(data, prov["source"], prov["content_type"], hints, resources)
    if result.error:
        return Parsed(document_id, doc, result, None, None, "error", result.error)
    if not result.is_report:
        reason = result.not_report_reason or "the parser found no report in it"
        return Parsed(document_id, doc, result, None, None, "not_report", reason)
    pub = publishers.resolve(result.publisher, prov["hint"])
    if pub is not None and result.report_year:
        key = f"{pub.id}/{result.report_year}"
    else:
        # Without both a publisher and a year the document is a report of its own, and the
        # failed checks below say which is missing (never a publisher named after the key).
        key = f"document/{document_id[:16]}"
        result.checks.extend(filing_checks(result, pub))
    return Parsed(document_id, doc, result, pub, key, "report", None)


# A report the archive cannot file under a publisher and a year is kept, with a failed check
# naming what is missing; the archive counts such reports as unread, not as publishers.
PUBLISHER_UNKNOWN = "report.publisher_unknown"
YEAR_UNKNOWN = "report.year_unknown"


def filing_checks(result: ParseResult, pub: publishers.Publisher | None) -> list[Check]:
    checks = []
    if pub is None:
        checks.append(Check(
            PUBLISHER_UNKNOWN, False,
            "未能确定发布机关：标题和正文中没有可识别的机关名称，来源也没有提供"
            "（xxgk import --publisher-hint 可指定）。The publisher was found neither in the "
            "report nor in its source (xxgk import --publisher-hint names it).",
            {"publisher_printed": result.publisher}))
    if not result.report_year:
        checks.append(Check(
            YEAR_UNKNOWN, False,
            "未能确定报告年度：标题、统计期限和发布日期中都没有年份。The report year was found "
            "neither in the title, nor in the statistics period, nor in the publication date.",
            {"report_year": result.report_year}))
    return checks


# --- parallel parsing ---------------------------------------------------------------------------
# Parsing is pure CPU on bytes read from the archive, so it spreads over processes: each worker
# opens the database read-only and parses document ids in the order given; `imap` hands the
# results back in that same order, so the single writer writes exactly what a sequential build
# writes (same ids, byte-identical tables) and keeps the transactions and their crash safety.

_worker_db: sqlite_utils.Database | None = None


def _db_file(db: sqlite_utils.Database) -> str | None:
    """The file behind a connection (None for an in-memory or temporary database)."""
    for _seq, name, file in db.execute("pragma database_list").fetchall():
        if name == "main":
            return file or None
    return None


def _worker_init(path: str) -> None:
    global _worker_db
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    _worker_db = sqlite_utils.Database(conn)


def _slim(parsed: Parsed) -> Parsed:
    """What the writer needs of the Document (text, meta, kind): the offsets map, raw markup and
    grids are dropped, so results cross the process boundary cheaply."""
    if parsed.doc is not None:
        from dataclasses import replace

        parsed.doc = replace(parsed.doc, offsets=[], raw="", tables=[], pages=[], ocr=[])
    return parsed


def _worker_parse(document_id: str) -> tuple[Parsed, float]:
    assert _worker_db is not None
    t0 = time.perf_counter()
    parsed = parse_document(_worker_db, document_id)
    return _slim(parsed), time.perf_counter() - t0


def _parsed_stream(db: sqlite_utils.Database, todo: list[str], workers: int):
    """Yield (Parsed, parse seconds) for `todo` in order, in `workers` processes when useful."""
    path = _db_file(db)
    if workers <= 1 or path is None or len(todo) < settings.BUILD_PARALLEL_MIN_DOCUMENTS:
        for document_id in todo:
            t0 = time.perf_counter()
            parsed = parse_document(db, document_id)
            yield parsed, time.perf_counter() - t0
        return
    import multiprocessing
    import threading

    # Back pressure: imap's feeder thread pulls document ids as fast as the workers take them,
    # and results wait in this process until the writer gets to them. The feeder may only run
    # BUILD_PARSE_WINDOW documents ahead of what has been handed to the writer. It waits with a
    # timeout so that a closed stream (an error in the writer) never leaves it blocked, which
    # would hang the pool's shutdown.
    window = threading.Semaphore(max(settings.BUILD_PARSE_WINDOW,
                                     2 * workers * settings.BUILD_PARSE_CHUNK))
    closed = threading.Event()

    def feed():
        for document_id in todo:
            while not window.acquire(timeout=0.1):
                if closed.is_set():
                    return
            if closed.is_set():
                return
            _window_fed[0] += 1
            yield document_id

    _window_fed[0] = 0
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(path,),
                  maxtasksperchild=settings.BUILD_WORKER_MAX_TASKS) as pool:
        try:
            for result in pool.imap(_worker_parse, feed(), chunksize=settings.BUILD_PARSE_CHUNK):
                window.release()
                yield result
        finally:  # before the pool's exit, which waits for the feeder
            closed.set()


# How many document ids the last parallel stream handed to its workers (read by a test that
# checks the window holds).
_window_fed = [0]


# --- writing ----------------------------------------------------------------------------------


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
        db.table("publishers").upsert(row, pk="id")


def _num(v):
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _seen_at_sql() -> str:
    return (
        "(select max(coalesce(u.fetched_at, u.recorded_at)) from document_urls u "
        "where u.document_id = p.document_id)"
    )


def _primary_for(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute(
        f"""select p.document_id from parses p where p.report_key = ? and p.status = 'report'
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
    sid = storage.Strings.of(db).id
    if parsed.publisher is not None:
        _write_publisher(db, parsed.publisher)
        if res.publisher:
            _upsert(db, "publisher_names",
                    {"name": res.publisher, "publisher_id": parsed.publisher.id}, "name")
    prov = _provenance(db, parsed.document_id)
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
        fact_rows.append([
            report_id, seq, sid(f.key), _num(f.value), sid(f.unit), sid(f.label),
            form, ev_start, ev_end, sid(ev_text), sid(f.section), sid(f.method), sid(f.status),
            f.start, f.end, f.raw, _num(f.percent_of), sid(f.table), sid(f.row),
            sid(f.column), sid(f.version), f.note,
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
             _stored_url(db, prov["url"], r["image"]), r["start"], r["end"], r["chars"],
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
                where p.report_key = ? and p.status = 'report' order by p.document_id""",
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
    _upsert(
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


def _reconcile(db: sqlite_utils.Database, key: str, version: str, cache: dict[str, Parsed],
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


def _write_batch(db: sqlite_utils.Database, batch: list[tuple[Parsed, str | None]],
                 version: str, stats: BuildStats) -> None:
    """Record parses and update their reports: one transaction for the batch."""
    if not batch:
        return
    started = time.perf_counter()
    with storage.Strings.of(db).guard(), db.atomic():
        # cleared by refresh_summaries, even after a crash
        _meta_set(db, "summaries_stale", "1")
        for parsed, old_key in batch:
            _record_parse(db, parsed, version)
            for key in sorted({k for k in (parsed.key, old_key) if k}):
                _reconcile(db, key, version, {parsed.document_id: parsed}, stats)
    stats.write_seconds += time.perf_counter() - started


def parse_stream(db: sqlite_utils.Database, todo: list[str], workers: int,
                 scheduler: str | None = None, stats: BuildStats | None = None):
    """(Parsed, parse seconds) for `todo` in document order: from local processes, or from
    the workers of the Dask cluster at `scheduler` (archive/distributed.py)."""
    if scheduler and todo:
        from archive import distributed

        return distributed.parsed_stream(db, todo, scheduler, stats)
    return _parsed_stream(db, todo, workers)


def build(
    db: sqlite_utils.Database, progress: bool = True, force: bool = False,
    workers: int | None = None, scheduler: str | None = None,
) -> BuildStats:
    """Parse every stored document that is new or stale; idempotent (a re-run writes nothing).

    `workers` parse processes (default settings.BUILD_WORKERS, 0 = one per CPU), or the
    workers of the Dask cluster at `scheduler`; the results are written in document order by
    this process alone, so the outcome is the same for any number of workers."""
    started = time.perf_counter()
    storage.Strings.of(db).forget()  # another process may have written since the last build
    ensure_schema(db)
    load_reference_tables(db)
    version = build_version()
    stats = BuildStats(version=version, forced=force)
    if workers is None:
        workers = settings.BUILD_WORKERS
    stats.workers = workers or os.cpu_count() or 1
    stats.documents_seen = db.execute("select count(*) from documents").fetchone()[0]
    todo = [
        r[0]
        for r in db.execute(
            "select d.id from documents d left join parses p on p.document_id = d.id "
            "where p.document_id is null or p.parser_version is not ? or ? order by d.id",
            [version, int(force)],
        )
    ]
    from xxgk.progress import bar as progress_bar

    bar = progress_bar(len(todo), "parsing", enabled=progress)
    bar.__enter__()
    batch: list[tuple[Parsed, str | None]] = []
    # Parsing happens outside any transaction: no lock held while the parser runs.
    stream = parse_stream(db, todo, stats.workers, scheduler, stats)
    try:
        for parsed, parse_seconds in stream:
            bar.update(1)
            stats.parse_seconds += parse_seconds
            batch.append((parsed, count_parse(db, parsed, stats)))
            if len(batch) >= settings.BUILD_BATCH_DOCUMENTS:
                _write_batch(db, batch, version, stats)
                batch = []
        _write_batch(db, batch, version, stats)
    finally:
        stream.close()  # stops the worker pool at once when writing failed or was interrupted
        bar.__exit__(None, None, None)
    finish_build(db, version, stats)
    stats.seconds = time.perf_counter() - started
    return stats


def count_parse(db: sqlite_utils.Database, parsed: Parsed, stats: BuildStats) -> str | None:
    """Count a parse in the build's summary; return the report key its document had in `db`
    before (None for a document new there)."""
    stats.parsed += 1
    source = parsed.result.source or parsed.document_id
    if parsed.status == "report":
        stats.reports += 1
    elif parsed.status == "error":
        stats.errors += 1
        stats.error_messages.append(f"{parsed.document_id[:12]}: {parsed.reason}")
        stats.unreadable.append((source, parsed.reason or ""))
    else:
        stats.not_reports += 1
        stats.not_report_list.append((source, parsed.reason or ""))
    old = db.execute("select report_key, status from parses where document_id = ?",
                     [parsed.document_id]).fetchone()
    stats.status_changed += bool(old) and old[1] != parsed.status
    return old[0] if old else None


def finish_build(db: sqlite_utils.Database, version: str, stats: BuildStats) -> None:
    """After the parses are written: reports whose primary was reparsed under another key, or
    that a force rebuild left stale, are reconciled; then the summary tables."""
    with db.atomic(), storage.Strings.of(db).guard():
        stale = [r[0] for r in db.execute(
            "select key from reports where parser_version is not ? or document_id not in "
            "(select document_id from parses where report_key = reports.key "
            "and status = 'report')", [version])]
        if stale:
            _meta_set(db, "summaries_stale", "1")
        for key in stale:
            _reconcile(db, key, version, {}, stats)
    refresh_summaries(db)


# --- summary tables ------------------------------------------------------------------------
# At national size (10^5 reports, 10^7 facts) a facet or a headline page computed from the raw
# tables on every request takes seconds (docs/performance.md has the figures). These tables are
# computed once per build that wrote anything, in one transaction; the `summaries_stale` mark
# is set in the same transaction as every write, so a build interrupted before the refresh
# leaves it set and the next build refreshes. A build that writes nothing refreshes nothing.

SUMMARIES: dict[str, tuple[str, list[list[str]]]] = {
    # table -> (select that fills it, indexes)
    "headline_values": (
        # the values without their evidence columns (the view and the report page have them)
        "select {headline_columns} from report_values order by report_id",
        # One index per default facet (a facet is then a scan of a small index: province and
        # city took 45 ms each at 130,000 reports through the (year, province, city) index).
        [["report_year", "province", "city"], ["province"], ["city", "report_year"],
         ["publisher"], ["level"], ["era"], ["values_era"], ["report_id"]],
    ),
    # Counted on the compact rows by string id, then named (the same rows as a GROUP BY over
    # the facts and checks views, without looking up four strings for each of 10^7 facts).
    "fact_counts": (
        "select k.text as key, m.text as method, st.text as status, s.text as section, "
        "c.n_facts from (select key_id, method_id, status_id, section_id, count(*) as n_facts "
        "from fact_rows group by key_id, method_id, status_id, section_id) c "
        "left join strings k on k.id = c.key_id left join strings m on m.id = c.method_id "
        "left join strings st on st.id = c.status_id "
        "left join strings s on s.id = c.section_id order by key, method, status, section",
        [["key"]],
    ),
    "check_counts": (
        "select c.report_year, ru.text as rule, c.ok, c.n_checks, c.n_reports from ("
        "select r.report_year, c.rule_id, c.ok, count(*) as n_checks, "
        "count(distinct c.report_id) as n_reports from check_rows c "
        "join reports r on r.id = c.report_id group by r.report_year, c.rule_id, c.ok) c "
        "left join strings ru on ru.id = c.rule_id order by c.report_year, rule, c.ok",
        [["rule", "ok"]],
    ),
    # The failed_checks view, stored in the failing_checks query's order: listing every failed
    # check by rule and publisher sorted ~50,000 rows a year on each call (260 ms at 130,000
    # reports); read in index order, the first page is ready at once.
    "check_failures": (
        # kind and the Chinese explanation with the numbers (archive/check_kinds.py, data in
        # check_rules.tsv) are computed here once, not on each page.
        "select kind, name_zh, rule, publisher, report_year, era, "
        "xxgk_check_explain(rule, detail, numbers) as explanation, detail, numbers, report_id,"
        " report_key from failed_checks order by kind, rule, publisher, report_year, report_id",
        [["kind", "rule", "publisher", "report_year", "report_id"], ["rule"], ["report_year"],
         ["report_id"]],
    ),
    # The years each publisher has a report for: missing_reports probed the reports of every
    # publisher (10^5 index lookups, then a sort) on each call; this is one short row each.
    "publisher_years": (
        "select p.id as publisher_id, p.name as publisher, p.level, p.province, p.city, "
        "p.division_code, (select group_concat(report_year, ', ') from "
        "(select distinct report_year from reports r where r.publisher_id = p.id "
        "order by report_year)) as years_in_archive, "
        "(select count(*) from reports r where r.publisher_id = p.id) as n_reports "
        "from publishers p order by p.province, p.city, p.name",
        [["province", "city", "publisher"], ["publisher_id"]],
    ),
    # Coverage at a glance for the home page: reports and publishers per year and era.
    "coverage": (
        "select report_year, era, count(*) as n_reports, count(distinct publisher_id) as "
        "n_publishers from reports group by report_year, era order by report_year, era",
        [],
    ),
}


def _summaries_current(db: sqlite_utils.Database) -> tuple[bool, str]:
    from archive import headline

    # the summaries' SQL and the views they read (report_values, failed_checks …)
    want = hashlib.sha256("\n".join(
        [headline.view_sql(), *VIEWS.values(), reference.data_hash()]
        + [sql for sql, _ in SUMMARIES.values()]
    ).encode()).hexdigest()[:16]
    current = (_meta_get(db, "summaries_stale") != "1"
               and _meta_get(db, "summaries_sql") == want
               and all(db[t].exists() for t in SUMMARIES))
    return current, want


def refresh_summaries(db: sqlite_utils.Database, force: bool = False) -> bool:
    """Recompute the summary tables when a build wrote something (or their SQL changed)."""
    current, want = _summaries_current(db)
    if current and not force:
        return False
    from archive import check_kinds, headline

    labels = dict(db.execute("select key, label_zh from indicators").fetchall())
    db.conn.create_function("xxgk_check_explain", 3,
                            lambda r, d, n: check_kinds.explain(r, d, n, labels))
    with db.atomic():
        for table, (sql, indexes) in SUMMARIES.items():
            sql = sql.replace("{headline_columns}", ", ".join(headline.value_columns()))
            db.execute(f"drop table if exists [{table}]")
            db.execute(f"create table [{table}] as {sql}")
            for cols in indexes:
                db[table].create_index(cols)
        # Planner statistics for the grown tables (sampled: quick even at 10^7 rows) ...
        db.execute("pragma analysis_limit = 1000")
        db.execute("analyze")
        # ... but exact for the tables the saved queries start from: a sample of 1,000 rows
        # sees one report year and told the planner that a year selects 1,000 of 130,000
        # reports, so districts_ranked scanned every report of the year (0.5 s instead of 40
        # ms). Exact statistics of these take 0.5 s at 130,000 reports.
        db.execute("pragma analysis_limit = 0")
        for table in ("reports", "publishers", *SUMMARIES):
            db.execute(f"analyze [{table}]")
        _meta_set(db, "summaries_sql", want)
        _meta_set(db, "summaries_stale", "0")
    return True
