"""`xxgk build --per-year DIR`: one archive file per report year, from one store.

A national year is ~30 GB (docs/performance.md); ten of them in one file make every copy,
backup and cold query pay for all ten. Here the archive given with --db is the store (the
crawler's and `xxgk import`'s documents, never changed by this); each document is parsed once
(local processes or a Dask cluster, as `xxgk build`) and filed in `DIR/<store>-<year>.db`,
the year its report covers, or `DIR/<store>-undated.db` (documents that are not reports,
unreadable ones, and reports without a year). Each file is a complete archive: the documents
of its reports are copied into it with their provenance (and the images a report page shows),
it has its own summaries, search index and saved queries, and can be served alone. (An image
copied with its report page has its parse in the undated file, so `xxgk build --db` on a year's
file alone records it there too, as not a report.) The same writer as `xxgk build` writes every
file (archive/writer.py), so a year's file holds exactly what a build of that year's documents
holds.

Report ids do not repeat across the files: a year's file numbers its reports from
year × settings.PER_YEAR_REPORT_ID_SPAN (its `reports` table is AUTOINCREMENT), so `xxgk serve`
can union the files for queries across years (archive/across.py) and a report page can find
the file that holds an id.

Running it again parses only documents that are new or stale in every file; a document whose
year changed (a parser fix) moves to its new file and leaves the old one.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from archive import reference
from archive.build import count_parse, finish_build
from archive.build_stats import BuildStats
from archive.meta import meta_set
from archive.parse_pool import db_file, parse_stream
from archive.parsing import Parsed, provenance, stored_url
from archive.schema import ensure_schema
from archive.version import build_version
from archive.writer import reconcile, write_batch
from xxgk import settings

UNDATED = "undated"
# The store's tables a document lives in, and the column naming it (archive/store.py).
STORE_TABLES = (("blobs", "sha256"), ("documents", "id"), ("document_urls", "document_id"))
SOURCE = "xxgk_store"


class PerYearError(ValueError):
    """A file in DIR that --per-year would have to rewrite (not one it wrote)."""


def file_name(stem: str, year: int | None) -> str:
    return f"{stem}-{year if year else UNDATED}.db"


def year_files(out_dir: Path, stem: str) -> dict[str, Path]:
    """The files of an earlier run: {'2023': path, 'undated': path}."""
    pattern = re.compile(rf"^{re.escape(stem)}-(\d{{4}}|{UNDATED})\.db$")
    return {m.group(1): p for p in sorted(Path(out_dir).glob(f"{stem}-*.db"))
            if (m := pattern.match(p.name))}


def id_base(year: int | None) -> int:
    """The first report id of a year's file (0 for the undated file)."""
    return (year or 0) * settings.PER_YEAR_REPORT_ID_SPAN


def open_year_file(path: Path, year: int | None, store: Path) -> sqlite_utils.Database:
    """A year's archive, created with report ids from id_base(year), the store attached."""
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    sql = db.execute("select sql from sqlite_master where name = 'reports'").fetchone()[0]
    if "AUTOINCREMENT" not in sql.upper():
        if db.execute("select count(*) from reports").fetchone()[0]:
            raise PerYearError(f"{path} holds reports numbered from 1: not a file of "
                               "`xxgk build --per-year` (move it away); nothing was parsed")
        auto = re.sub(r'(\[id\]|"id") INTEGER PRIMARY KEY', r"\1 INTEGER PRIMARY KEY AUTOINCREMENT",
                      sql, count=1)
        with db.conn:
            db.execute("drop table reports")
            db.execute(auto)
            db.execute("insert into sqlite_sequence (name, seq) values ('reports', ?)",
                       [id_base(year)])
        ensure_schema(db)  # the indexes went with the table
    reference.load(db)
    db.execute(f"attach database ? as {SOURCE}", [str(store)])
    return db


def _columns(db: sqlite_utils.Database, schema: str, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"pragma {schema}.table_info([{table}])")]


def copy_document(db: sqlite_utils.Database, document_id: str) -> None:
    """Copy a document's bytes, row and provenance from the attached store (nothing when the
    file has them already)."""
    for table, column in STORE_TABLES:
        cols = ", ".join(f"[{c}]" for c in _columns(db, "main", table)
                         if c in set(_columns(db, SOURCE, table)))
        db.execute(f"insert or ignore into main.[{table}] ({cols}) select {cols} from "
                   f"{SOURCE}.[{table}] where [{column}] = ?", [document_id])


def remove_document(db: sqlite_utils.Database, document_id: str, version: str,
                    stats: BuildStats) -> None:
    """Take a document out of a file it no longer belongs to (its year changed): its parse,
    its report (or the report's other versions take over), and its stored bytes unless a
    report page of this file shows it as an image."""
    with db.atomic():
        row = db.execute("select report_key from parses where document_id = ?",
                         [document_id]).fetchone()
        db.execute("delete from parses where document_id = ?", [document_id])
        if row and row[0]:
            meta_set(db, "summaries_stale", "1")
            reconcile(db, row[0], version, {}, stats)
        shown = db.execute("select 1 from ocr_regions where image_document_id = ? limit 1",
                           [document_id]).fetchone()
        if not shown:
            for table, column in reversed(STORE_TABLES):
                db.execute(f"delete from [{table}] where [{column}] = ?", [document_id])


@dataclass
class PerYearStats(BuildStats):
    """A build's summary, and the reports each file holds afterwards."""

    files: dict[str, int] = field(default_factory=dict)
    moved: int = 0

    def summary(self) -> str:
        lines = [super().summary()]
        lines += [f"  {path}: {n} reports" for path, n in self.files.items()]
        if self.moved:
            lines.append(f"  {self.moved} documents moved to another year's file")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "files": self.files, "moved": self.moved}


def build_per_year(store: sqlite_utils.Database, out_dir: Path, progress: bool = True,
                   force: bool = False, workers: int | None = None,
                   scheduler: str | None = None) -> PerYearStats:
    """Parse the store's new or stale documents and file each in its year's archive."""
    started = time.perf_counter()
    store_path = Path(db_file(store) or "")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = store_path.stem
    version = build_version()
    stats = PerYearStats(version=version, forced=force)
    workers = settings.BUILD_WORKERS if workers is None else workers
    stats.workers = workers or os.cpu_count() or 1
    stats.documents_seen = store.execute("select count(*) from documents").fetchone()[0]
    dbs: dict[str, sqlite_utils.Database] = {}

    def file_db(key: str) -> sqlite_utils.Database:
        if key not in dbs:
            year = None if key == UNDATED else int(key)
            dbs[key] = open_year_file(out_dir / file_name(stem, year), year, store_path)
        return dbs[key]

    where: dict[str, list[tuple[str, str]]] = {}  # document -> [(file key, parser version)]
    for key in year_files(out_dir, stem):
        for doc, v in file_db(key).execute("select document_id, parser_version from parses"):
            where.setdefault(doc, []).append((key, v))
    # new, or stale in some file (a file that an earlier parser filed it in included)
    todo = [r[0] for r in store.execute("select id from documents order by id")
            if force or not where.get(r[0]) or any(v != version for _, v in where[r[0]])]
    from xxgk.progress import bar as progress_bar

    batches: dict[str, list] = {}
    stream = parse_stream(store, todo, stats.workers, scheduler, stats)
    with progress_bar(len(todo), "parsing", enabled=progress) as bar:
        try:
            for parsed, seconds in stream:
                bar.update(1)
                stats.parse_seconds += seconds
                year = parsed.result.report_year if parsed.status == "report" else None
                key = str(year) if year else UNDATED
                for old_key, _v in where.get(parsed.document_id, []):
                    if old_key != key:
                        _flush(file_db(old_key), batches.pop(old_key, []), version, stats)
                        remove_document(file_db(old_key), parsed.document_id, version, stats)
                        stats.moved += 1
                db = file_db(key)
                batch = batches.setdefault(key, [])
                batch.append((parsed, count_parse(db, parsed, stats),
                              [parsed.document_id, *_images(store, parsed)]))
                if len(batch) >= settings.BUILD_BATCH_DOCUMENTS:
                    _flush(db, batches.pop(key), version, stats)
            for key, batch in batches.items():
                _flush(file_db(key), batch, version, stats)
        finally:
            stream.close()
    for key in sorted(dbs):
        finish_build(dbs[key], version, stats)
        stats.files[str(out_dir / file_name(stem, None if key == UNDATED else int(key)))] = (
            dbs[key].execute("select count(*) from reports").fetchone()[0])
        dbs[key].close()
    stats.seconds = time.perf_counter() - started
    return stats


def _flush(db: sqlite_utils.Database, batch: list, version: str, stats: BuildStats) -> None:
    """Copy a batch's documents into the file (one transaction), then write their parses
    (the build's own transaction). A crash in between leaves documents without a parse,
    which the next run parses again."""
    if not batch:
        return
    with db.atomic():
        for _parsed, _old, documents in batch:
            for document_id in documents:
                copy_document(db, document_id)
    write_batch(db, [(parsed, old) for parsed, old, _ in batch], version, stats)


def _images(store: sqlite_utils.Database, parsed: Parsed) -> list[str]:
    """Stored images that OCR read into this report page (the report page shows them)."""
    if not parsed.result.ocr:
        return []
    url = provenance(store, parsed.document_id)["url"]
    found = (stored_url(store, url, r.get("image")) for r in parsed.result.ocr)
    return [d for d in dict.fromkeys(found) if d]
