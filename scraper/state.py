"""The crawler's own tables in the archive database: runs, requests, known pages, frontier.

crawl_runs      one row per run: start, end, counts (pages fetched, new, changed, unchanged,
                failed), errors by kind, exit code; a row with no `ended_at` is a run that was
                killed, and the next run resumes it.
fetch_log       one row per HTTP request (every attempt): url, status, bytes, elapsed,
                error kind, whether it was conditional, whether the body came from the archive
                (a 304 answered from the stored version).
crawl_pages     every URL the crawler knows: what it is (listing, report, attachment), its
                title, year and publisher, its validators (ETag, Last-Modified) for conditional
                requests, the last document stored for it, and when it vanished.
crawl_links     which page linked to which: on a 304 the children of an unchanged page are
                known without its body.
crawl_frontier  the work list of a run, written before the work is done, so a killed run
                resumes where it stopped.
"""

from __future__ import annotations

import sqlite_utils

TABLES: dict[str, tuple[dict[str, type], str | tuple[str, ...]]] = {
    "crawl_runs": ({
        "id": int, "started_at": str, "ended_at": str, "status": str, "exit_code": int,
        "sources": int, "requests": int, "pages_fetched": int, "not_modified": int,
        "new": int, "changed": int, "unchanged": int, "failed": int, "vanished": int,
        "skipped": int, "reports_found": int, "errors": str, "resumed": int, "elapsed_s": float,
        "pid": int,
    }, "id"),
    "fetch_log": ({
        "id": int, "run_id": int, "url": str, "purpose": str, "attempt": int, "status": int,
        "bytes": int, "elapsed_ms": float, "error_kind": str, "error": str, "conditional": int,
        "from_cache": int, "started_at": float,
    }, "id"),
    "crawl_pages": ({
        "url": str, "source": str, "kind": str, "title": str, "report_year": int,
        "publisher": str, "etag": str, "last_modified": str, "sha256": str, "document_id": str,
        "status": int, "first_seen_at": str, "last_fetched_at": str, "last_changed_at": str,
        "vanished_at": str, "versions": int, "skip_reason": str,
    }, "url"),
    "crawl_links": ({"parent": str, "child": str}, ("parent", "child")),
    "crawl_frontier": ({
        "run_id": int, "url": str, "kind": str, "source": str, "meta": str, "state": str,
        "seq": int,
    }, ("run_id", "url")),
}


def ensure_crawl_schema(db: sqlite_utils.Database) -> None:
    """Create the crawler's tables and indexes when missing (safe on every run)."""
    for name, (columns, pk) in TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(columns, pk=pk)  # type: ignore[arg-type]
        else:
            for col, typ in columns.items():
                if col not in table.columns_dict:
                    table.add_column(col, typ)
    db.execute("create index if not exists fetch_log_run on fetch_log (run_id)")
    db.execute("create index if not exists crawl_pages_source on crawl_pages (source, kind)")
    db.execute("create index if not exists crawl_frontier_state on crawl_frontier (run_id, state)")
    # a run reads its work list back in frontier order when a host's queue in memory runs low
    db.execute("create index if not exists crawl_frontier_seq on crawl_frontier (run_id, seq)")
