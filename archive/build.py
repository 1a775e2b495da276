"""`xxgk build`: parse every stored document that is new or stale, and file it as a report.

The build in order, each step in the module that owns it:

- which documents to parse: those without a parse, or parsed under another build version
  (archive/version.py), or all with --force;
- parse them, outside any transaction, in settings.BUILD_WORKERS processes that read the
  archive read-only, or on a Dask cluster (archive/parse_pool.py, archive/parsing.py,
  archive/distributed.py); the results come back in document order;
- one writer (this process) records each parse and reconciles the reports it files, in
  transactions of settings.BUILD_BATCH_DOCUMENTS documents (archive/writer.py), so the archive
  does not depend on the number of workers;
- then the reports a force rebuild or a changed key left stale, and the summary tables
  (archive/summaries.py).

`xxgk build --per-year` (archive/per_year.py) runs the same steps with one archive file per
report year.
"""

from __future__ import annotations

import contextlib
import os
import time

import sqlite_utils

from archive import reference, storage
from archive.build_stats import BuildStats
from archive.meta import meta_set
from archive.parse_pool import parse_stream
from archive.parsing import Parsed
from archive.schema import ensure_schema
from archive.summaries import refresh_summaries
from archive.version import build_version
from archive.writer import reconcile, write_batch
from xxgk import settings
from xxgk.gc_freeze import frozen_heap


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
    reference.load(db)
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
    # Parsing happens outside any transaction: no lock held while the parser runs. The heap
    # this process starts with stays out of the garbage collector's walks while it writes.
    with frozen_heap() if todo else contextlib.nullcontext():
        stream = parse_stream(db, todo, stats.workers, scheduler, stats)
        try:
            for parsed, parse_seconds in stream:
                bar.update(1)
                stats.parse_seconds += parse_seconds
                batch.append((parsed, count_parse(db, parsed, stats)))
                if len(batch) >= settings.BUILD_BATCH_DOCUMENTS:
                    write_batch(db, batch, version, stats)
                    batch = []
            write_batch(db, batch, version, stats)
        finally:
            stream.close()  # stops the worker pool at once when writing failed or was stopped
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
        # `+status`: by report_key, not by the status index (archive/writer.py, _primary_for)
        stale = [r[0] for r in db.execute(
            "select key from reports where parser_version is not ? or document_id not in "
            "(select document_id from parses where report_key = reports.key "
            "and +status = 'report')", [version])]
        if stale:
            meta_set(db, "summaries_stale", "1")
        for key in stale:
            reconcile(db, key, version, {}, stats)
    refresh_summaries(db)
