"""One crawl run's record in the archive: its `crawl_runs` row (opened, or taken up again
after a kill, and closed with its status and exit code), its counts and errors by kind, the
request log, and the rows of the pages it handled (`crawl_pages`, `crawl_links`).

Apart from the crawl because it is the run's bookkeeping in SQL, with no network and no
judgement of pages: scraper/pages.py decides what a page is and writes it here, and the run's
work list is scraper/frontier.py.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from scraper.events import event, utc_now
from scraper.frontier import Frontier, Item
from scraper.registry import Source
from scraper.result import (
    EXIT_FAILURE,
    EXIT_PARTIAL,
    EXIT_SUCCESS,
    CrawlResult,
    RunReports,
    count_reports,
)
from scraper.state import ensure_crawl_schema

COUNTS = ("requests", "pages_fetched", "not_modified", "new", "changed", "unchanged", "failed",
          "vanished", "skipped")


class RunRecord:
    """The record of a crawl of `sources` in the archive at `db_path`, and its frontier
    (`concurrency_per_host` workers per host, `progress(done, total)` after each item)."""

    def __init__(self, db_path: Path, sources: list[Source], concurrency_per_host: int,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.db_path = Path(db_path)
        self.sources = {s.name: s for s in sources}
        self.db = sqlite_utils.Database(self.db_path)
        # WAL + synchronous=NORMAL: a commit per page stays cheap, and a killed process
        # (not a power cut) loses nothing that was committed.
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        from archive.schema import ensure_schema

        ensure_schema(self.db)
        ensure_crawl_schema(self.db)
        self.counts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        # sources that gave at least one report this run (the report keys themselves are in
        # the frontier's meta; a set of them grew with the site)
        self.sources_with_reports: set[str] = set()
        self.listings: Counter[str] = Counter()  # listing pages queued per source (capped)
        self.run_id = 0
        self.frontier = Frontier(self.db, concurrency_per_host, progress)
        # url -> its last fetch_log row, for the pages being handled now only (an entry per
        # URL ever fetched grew with the site)
        self.last_log: dict[str, int | None] = {}

    # ------------------------------------------------------------------ the run
    def start(self) -> bool:
        """Open a new run, or take up the last one if it never ended (it was killed)."""
        row = self.db.execute(
            "select id, resumed from crawl_runs where ended_at is null order by id desc limit 1"
        ).fetchone()
        if row:
            self.run_id = self.frontier.run_id = row[0]
            full = next(self.db.table("crawl_runs").rows_where("id = ?", [self.run_id]))
            for k in COUNTS:
                self.counts[k] = full.get(k) or 0
            self.errors.update(json.loads(full.get("errors") or "{}"))
            self.db.table("crawl_runs").update(self.run_id, {"resumed": (row[1] or 0) + 1,
                                                       "pid": os.getpid()})
            self.sources_with_reports.update(r[0] for r in self.db.execute(
                "select distinct source from crawl_frontier where run_id = ? and state = 'done' "
                "and kind != 'listing' and json_extract(meta, '$.report_key') != ''",
                [self.run_id]))
            for r in self.db.execute(
                "select source, count(*) from crawl_frontier where run_id = ? and kind = "
                "'listing' group by source", [self.run_id]).fetchall():
                self.listings[r[0]] = r[1]
            self.frontier.seq = self.db.execute(
                "select coalesce(max(seq), 0) from crawl_frontier where run_id = ?",
                [self.run_id]).fetchone()[0]
            event("crawl.resume", run=self.run_id)
            return True
        run_id = self.db.table("crawl_runs").insert({
            "started_at": utc_now(), "status": "running", "sources": len(self.sources),
            "resumed": 0, "pid": os.getpid(), **dict.fromkeys(COUNTS, 0),
        }).last_pk
        assert isinstance(run_id, int)  # the rowid of the row just inserted
        self.run_id = self.frontier.run_id = run_id
        with self.db.conn:
            for s in self.sources.values():
                self.frontier.add(Item(s.url, "listing", s.name, {"title": s.name}))
                self.listings[s.name] += 1
                # Every known report page of the source gets its conditional request, even
                # when the listing no longer links to it: that is how vanished reports show.
                for p in self.db.execute(  # streamed: a site's known pages can be many
                    "select url, kind, title, report_year, publisher from crawl_pages where "
                    "source = ? and kind in ('report', 'attachment') and vanished_at is null "
                    "and document_id is not null", [s.name]
                ):
                    self.frontier.add(Item(p[0], p[1], s.name, {
                        "title": p[2], "year": p[3], "publisher": p[4], "known": True}))
        event("crawl.start", run=self.run_id, sources=len(self.sources))
        return False

    def save_counts(self) -> None:
        self.db.conn.execute(
            "update crawl_runs set " + ", ".join(f"{k} = ?" for k in COUNTS) + ", errors = ? "
            "where id = ?", [*(self.counts[k] for k in COUNTS), json.dumps(dict(self.errors)),
                             self.run_id])

    def on_attempt(self, row: dict[str, Any]) -> None:
        """The fetcher's report of one request: counted, and a row of `fetch_log`."""
        self.counts["requests"] += 1
        log_id = self._insert("fetch_log", {"run_id": self.run_id, "from_cache": 0, **row})
        if row["url"] in self.last_log:  # a page being handled (not robots.txt, not a hop)
            self.last_log[str(row["url"])] = log_id
        event("fetch", logging.DEBUG, url=row["url"], status=row.get("status"),
              bytes=row.get("bytes"), ms=row.get("elapsed_ms"),
              attempt=row["attempt"] if row["attempt"] > 1 else None,
              conditional=1 if row.get("conditional") else None, error=row.get("error_kind"))

    def finish(self, started: float, resumed: bool) -> CrawlResult:
        """Close the run: its status and exit code, sources without a report logged, the
        work lists of earlier runs deleted."""
        empty = [name for name in self.sources if name not in self.sources_with_reports]
        for name in empty:
            had = self.db.execute("select count(*) from crawl_pages where source = ? and kind in "
                                  "('report', 'attachment') and document_id is not null",
                                  [name]).fetchone()[0]
            self.errors["empty_source"] += 1
            event("source.empty", source=name, known_reports=had,
                  note="no report found: the listing failed, moved or changed shape")
        failures = self.counts["failed"] + len(empty)
        if failures == 0:
            status, code = "success", EXIT_SUCCESS
        elif len(empty) < len(self.sources):
            status, code = "partial", EXIT_PARTIAL
        else:
            status, code = "failed", EXIT_FAILURE
        found = count_reports(self.db.conn, self.run_id)
        row = self.db.table("crawl_runs").get(self.run_id)
        first = row["started_at"]
        elapsed = time.monotonic() - started
        with self.db.conn:
            self.save_counts()
            self.db.table("crawl_runs").update(self.run_id, {
                "ended_at": utc_now(), "status": status, "exit_code": code,
                "reports_found": found, "elapsed_s": round(elapsed, 2)})
            # the work lists of earlier, finished runs are no longer needed (the last is kept
            # for inspection); crawl_pages and fetch_log keep the history
            self.db.conn.execute("delete from crawl_frontier where run_id < ?", [self.run_id])
        result = CrawlResult(self.run_id, status, code, {k: self.counts[k] for k in COUNTS},
                             dict(self.errors),
                             RunReports(self.db_path, self.run_id, found), elapsed, resumed,
                             empty)
        event("crawl.end", run=self.run_id, status=status, exit=code, started=first,
              reports=found, pages=self.counts["pages_fetched"],
              requests=self.counts["requests"], new=self.counts["new"],
              changed=self.counts["changed"], unchanged=self.counts["unchanged"],
              failed=self.counts["failed"], seconds=round(elapsed, 1))
        return result

    # ------------------------------------------------------------------ one page
    def page(self, url: str) -> dict[str, Any] | None:
        """What the archive knows of `url` (its crawl_pages row), or None."""
        cur = self.db.conn.execute("select * from crawl_pages where url = ?", [url])
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def _insert(self, table: str, values: dict[str, Any]) -> int | None:
        """Plain SQL: sqlite-utils' helpers introspect the table on every call."""
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        return self.db.conn.execute(f"insert into {table} ({cols}) values ({marks})",
                                    list(values.values())).lastrowid

    def update_page(self, url: str, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.conn.execute(f"update crawl_pages set {sets} where url = ?",
                             [*values.values(), url])

    def upsert_page(self, item: Item, values: dict[str, Any]) -> None:
        meta = item.meta
        base = {"url": item.url, "source": item.source, "kind": item.kind,
                "title": meta.get("title"), "report_year": meta.get("year"),
                "publisher": meta.get("publisher")}
        if self.page(item.url) is None:
            self._insert("crawl_pages", {**base, "first_seen_at": utc_now(), "versions": 0,
                                         **values})
        else:
            self.update_page(item.url, {k: v for k, v in {**base, **values}.items()
                                        if v is not None or k in values})

    def children(self, item: Item, children: list[Item], replace: bool = True) -> list[Item]:
        """Record a page's links (replacing those of its previous version) and add the
        children not yet in this run's frontier; those are returned, to be queued."""
        if replace:
            self.db.conn.execute("delete from crawl_links where parent = ?", [item.url])
        fresh = []
        for child in children:
            self.db.conn.execute("insert or ignore into crawl_links (parent, child) values (?, ?)",
                                 [item.url, child.url])
            if self.frontier.add(child):
                fresh.append(child)
        return fresh

    def report_seen(self, item: Item) -> None:
        m = item.meta
        # One report per publisher and year (a report posted twice, or as a page and its
        # attachment, is one report); the title decides only when the year is unknown.
        key = m.get("report_key") or (f"{m.get('publisher')}|{m.get('year')}" if m.get("year")
                                      else f"{m.get('publisher')}|{m.get('title')}")
        m["report_key"] = key
        self.sources_with_reports.add(item.source)
