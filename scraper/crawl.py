"""One crawl run over a sources registry: discover, fetch politely, store, record, resume.

The run's work list (`crawl_frontier`) is in the database and every page's outcome is
committed together with the links it produced, so a run killed at any point resumes where it
stopped and ends with the same archive as a run that was never interrupted. A file lock next
to the database keeps two runs (two cron jobs) from overlapping. Counts and errors by kind go
to `crawl_runs`, each request to `fetch_log`, and each event to the log as one line.

Exit codes (what cron and CI see): 0 success; 1 partial failure (some pages or sources
failed, or a source gave no report); 2 total failure (no source gave a report); 3 another run
holds the lock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any, overload
from urllib.parse import urlsplit

import sqlite_utils

from scraper import discover
from scraper.fetch import FetchConfig, Fetcher, Response
from scraper.lock import CrawlLock
from scraper.registry import Source
from scraper.state import ensure_crawl_schema
from xxgk import settings

log = logging.getLogger("xxgk.crawl")

EXIT_SUCCESS, EXIT_PARTIAL, EXIT_FAILURE, EXIT_LOCKED = 0, 1, 2, 3
DOC_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # PDF, DOCX/zip, DOC/WPS (OLE)


def site_of(host: str) -> str:
    """The site a host belongs to: for x.gov.cn hosts the domain under gov.cn (xxgk.a.gov.cn
    -> a.gov.cn), for any other host the host itself (mirrors and lookalikes stay apart)."""
    host = host.lower().rstrip(".")
    if host.endswith(".gov.cn"):
        return ".".join(host.split(".")[-3:])
    return host


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """One log line per event: `name key=value ...` (values with spaces are quoted)."""
    parts = [name]
    for k, v in fields.items():
        if v is None or v == "":
            continue
        s = str(v)
        parts.append(f"{k}={json.dumps(s, ensure_ascii=False) if ' ' in s else s}")
    log.log(level, " ".join(parts))


# The reports a run saw: its frontier's stored report pages and attachments, one entry per
# report_key (publisher and year), in the order they were first queued. `first` puts the rows
# of one key together, so they can be grouped while streaming.
_REPORT_ROWS = (
    "select url, source, meta, key from (select url, source, meta, key, seq, min(seq) over "
    "(partition by key) as first from (select f.url, f.source, f.meta, f.seq, "
    "json_extract(f.meta, '$.report_key') as key from crawl_frontier f join crawl_pages p on "
    "p.url = f.url where f.run_id = ? and f.state = 'done' and f.kind in ('report', "
    "'attachment') and p.document_id is not null) where key is not null and key != '') "
    "order by first, seq")
_REPORT_COUNT = (
    "select count(distinct key) from (select json_extract(f.meta, '$.report_key') as key from "
    "crawl_frontier f join crawl_pages p on p.url = f.url where f.run_id = ? and f.state = "
    "'done' and f.kind in ('report', 'attachment') and p.document_id is not null) where key "
    "!= ''")


class RunReports(Sequence[dict[str, Any]]):
    """The reports a run found ({publisher, year, title, source, urls}), read from the
    archive when iterated instead of held in memory: a list of them grew with the site (a
    100,000-page crawl would keep 100,000 dicts until the process ends). Its length is counted
    once, when the run ends. It reads the run's `crawl_frontier` rows, which the next run
    deletes when it finishes: iterate it before starting another run on the same archive."""

    def __init__(self, db_path: Path, run_id: int, count: int) -> None:
        self.db_path, self.run_id, self._count = Path(db_path), run_id, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        conn = sqlite3.connect(self.db_path)
        try:
            report: dict[str, Any] | None = None
            key = None
            for url, source, meta, k in conn.execute(_REPORT_ROWS, [self.run_id]):
                if k != key:
                    if report is not None:
                        yield report
                    m = json.loads(meta)
                    key, report = k, {"publisher": m.get("publisher"), "year": m.get("year"),
                                      "title": m.get("title"), "source": source, "urls": []}
                assert report is not None
                report["urls"].append(url)
            if report is not None:
                yield report
        finally:
            conn.close()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._count
        found = next(islice(self, index, None), None) if index >= 0 else None
        if found is None:
            raise IndexError(index)
        return found

    def __repr__(self) -> str:
        return f"<RunReports run={self.run_id} reports={self._count}>"


@dataclass
class CrawlResult:
    run_id: int
    status: str
    exit_code: int
    counts: dict[str, int]
    errors: dict[str, int]
    reports: Sequence[dict[str, Any]]
    elapsed: float
    resumed: bool = False
    sources_without_reports: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        return (f"crawl run {self.run_id} {self.status}: {len(self.reports)} reports found, "
                f"{c.get('pages_fetched', 0)} pages fetched ({c.get('requests', 0)} requests, "
                f"{c.get('not_modified', 0)} not modified), new {c.get('new', 0)}, changed "
                f"{c.get('changed', 0)}, unchanged {c.get('unchanged', 0)}, failed "
                f"{c.get('failed', 0)}, vanished {c.get('vanished', 0)}, skipped "
                f"{c.get('skipped', 0)} in {self.elapsed:.1f} s"
                + (f"; errors {dict(self.errors)}" if self.errors else ""))


@dataclass
class Item:
    url: str
    kind: str  # listing | report | attachment
    source: str
    meta: dict[str, Any]
    seq: int = 0  # its place in the run's frontier (set when it is added or read back)


COUNTS = ("requests", "pages_fetched", "not_modified", "new", "changed", "unchanged", "failed",
          "vanished", "skipped")


class Crawl:
    """A crawl of `sources` into the archive at `db_path` (see the module docstring)."""

    def __init__(self, db_path: Path, sources: list[Source], config: FetchConfig | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.db_path = Path(db_path)
        self.sources = {s.name: s for s in sources}
        config = config or FetchConfig()
        # Non-public addresses only for the hosts of sources that explicitly allow them.
        self.config = replace(config, private_hosts=frozenset(config.private_hosts) | {
            s.host.lower() for s in sources if s.allows_private})
        self.site_pages: Counter[str] = Counter()  # pages fetched per site in this process
        self.progress = progress
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
        self.listings: Counter[str] = Counter()
        self.documents: Counter[str] = Counter()  # report links queued per source (capped)
        self.run_id = 0
        self.seq = 0  # order of the frontier (kept in memory: max(seq) per insert is O(n))
        # Each host's queue holds at most `_per_host()` items; the rest of its work stays in
        # crawl_frontier only (state 'pending'), and `spilled[host]` is the seq from which
        # the host's pending items are not in memory (see `_refill`). Without this, a
        # listing of 100,000 links put 100,000 Items in memory at once.
        self.queues: dict[str, asyncio.Queue[Item | None]] = {}
        self.spilled: dict[str, int] = {}
        self.workers: list[asyncio.Task[None]] = []
        self.outstanding = 0
        self.done_count = 0
        self.total_count = 0
        self.finished: asyncio.Event | None = None
        self.fetcher: Fetcher | None = None
        # url -> its last fetch_log row, for the pages being handled now only (an entry per
        # URL ever fetched grew with the site)
        self.last_log: dict[str, int | None] = {}

    # ------------------------------------------------------------------ hosts and sources
    def allowed_host(self, host: str) -> bool:
        """Where a redirect may lead: a source's site (see `site_of`) or a configured suffix."""
        host = host.lower()
        sites = {site_of(s.host) for s in self.sources.values()}
        return site_of(host) in sites or host.endswith(
            settings.CRAWL_ALLOWED_HOST_SUFFIXES or ("\0",))

    def link_allowed(self, url: str, source: Source) -> bool:
        """A link is followed when it stays on the source's site: the same host, or another
        host of the same .gov.cn domain (www.x.gov.cn and xxgk.x.gov.cn are one publisher's),
        or when the registry's url_pattern for the source matches it."""
        host = (urlsplit(url).hostname or "").lower()
        if site_of(host) == site_of(source.host):
            return True
        if source.url_pattern and re.search(source.url_pattern, url):
            return True
        return bool(settings.CRAWL_ALLOWED_HOST_SUFFIXES) and host.endswith(
            settings.CRAWL_ALLOWED_HOST_SUFFIXES)

    # ------------------------------------------------------------------ run bookkeeping
    def _start_run(self) -> bool:
        """Open a new run, or take up the last one if it never ended (it was killed)."""
        row = self.db.execute(
            "select id, resumed from crawl_runs where ended_at is null order by id desc limit 1"
        ).fetchone()
        if row:
            self.run_id = row[0]
            full = next(self.db["crawl_runs"].rows_where("id = ?", [self.run_id]))
            for k in COUNTS:
                self.counts[k] = full.get(k) or 0
            self.errors.update(json.loads(full.get("errors") or "{}"))
            self.db["crawl_runs"].update(self.run_id, {"resumed": (row[1] or 0) + 1,
                                                       "pid": os.getpid()})
            self.sources_with_reports.update(r[0] for r in self.db.execute(
                "select distinct source from crawl_frontier where run_id = ? and state = 'done' "
                "and kind != 'listing' and json_extract(meta, '$.report_key') != ''",
                [self.run_id]))
            for r in self.db.execute(
                "select source, count(*) from crawl_frontier where run_id = ? and kind = "
                "'listing' group by source", [self.run_id]).fetchall():
                self.listings[r[0]] = r[1]
            self.seq = self.db.execute("select coalesce(max(seq), 0) from crawl_frontier where "
                                       "run_id = ?", [self.run_id]).fetchone()[0]
            event("crawl.resume", run=self.run_id)
            return True
        self.run_id = self.db["crawl_runs"].insert({
            "started_at": utc_now(), "status": "running", "sources": len(self.sources),
            "resumed": 0, "pid": os.getpid(), **dict.fromkeys(COUNTS, 0),
        }).last_pk
        with self.db.conn:
            for s in self.sources.values():
                self._add_frontier(Item(s.url, "listing", s.name, {"title": s.name}))
                self.listings[s.name] += 1
                # Every known report page of the source gets its conditional request, even
                # when the listing no longer links to it: that is how vanished reports show.
                for p in self.db.execute(  # streamed: a site's known pages can be many
                    "select url, kind, title, report_year, publisher from crawl_pages where "
                    "source = ? and kind in ('report', 'attachment') and vanished_at is null "
                    "and document_id is not null", [s.name]
                ):
                    self._add_frontier(Item(p[0], p[1], s.name, {
                        "title": p[2], "year": p[3], "publisher": p[4], "known": True}))
        event("crawl.start", run=self.run_id, sources=len(self.sources))
        return False

    def _add_frontier(self, item: Item) -> bool:
        cur = self.db.conn.execute(
            "insert or ignore into crawl_frontier (run_id, url, kind, source, meta, state, seq) "
            "values (?, ?, ?, ?, ?, 'pending', ?)",
            [self.run_id, item.url, item.kind, item.source,
             json.dumps(item.meta, ensure_ascii=False), self.seq + 1])
        if cur.rowcount > 0:
            self.seq += 1
            item.seq = self.seq
            return True
        return False

    def _save_counts(self) -> None:
        self.db.conn.execute(
            "update crawl_runs set " + ", ".join(f"{k} = ?" for k in COUNTS) + ", errors = ? "
            "where id = ?", [*(self.counts[k] for k in COUNTS), json.dumps(dict(self.errors)),
                             self.run_id])

    def _on_attempt(self, row: dict[str, Any]) -> None:
        self.counts["requests"] += 1
        log_id = self._insert("fetch_log", {"run_id": self.run_id, "from_cache": 0, **row})
        if row["url"] in self.last_log:  # a page being handled (not robots.txt, not a hop)
            self.last_log[str(row["url"])] = log_id
        event("fetch", logging.DEBUG, url=row["url"], status=row.get("status"),
              bytes=row.get("bytes"), ms=row.get("elapsed_ms"),
              attempt=row["attempt"] if row["attempt"] > 1 else None,
              conditional=1 if row.get("conditional") else None, error=row.get("error_kind"))

    # ------------------------------------------------------------------ scheduling
    def _per_host(self) -> int:
        """How many queued items of one host are kept in memory (at least 2: refills start
        at half of it)."""
        return max(2, settings.CRAWL_FRONTIER_MEMORY_PER_HOST)

    def _admit(self, host: str, seq: int) -> bool:
        """Count a pending frontier item (already in the database) of `host`; True when it
        goes to the host's queue in memory, False when it stays in the database only (the
        queue is full, or older items of the host already wait there)."""
        if host not in self.queues:
            self.queues[host] = asyncio.Queue()
            for _ in range(max(1, self.config.concurrency_per_host)):
                self.workers.append(asyncio.create_task(self._worker(host)))
        self.outstanding += 1
        self.total_count += 1
        if host in self.spilled or self.queues[host].qsize() >= self._per_host():
            self.spilled.setdefault(host, seq)
            return False
        return True

    def _enqueue(self, item: Item) -> None:
        host = urlsplit(item.url).netloc
        if self._admit(host, item.seq):
            self.queues[host].put_nowait(item)

    def _refill(self, host: str) -> None:
        """Move the host's next pending items, in frontier order, from the database to its
        queue, up to `_per_host()`; when none is left there, the host is no longer spilled.
        Items are read from `spilled[host]` on (the crawl_frontier_seq index), so each row is
        read once per host over the run, and those of other hosts are skipped."""
        queue = self.queues[host]
        need = self._per_host() - queue.qsize()
        cur = self.db.conn.execute(
            "select url, kind, source, meta, seq, state from crawl_frontier where run_id = ? "
            "and seq >= ? order by seq", [self.run_id, self.spilled[host]])
        try:
            for url, kind, source, meta, seq, state in cur:
                if state != "pending" or urlsplit(url).netloc != host:
                    continue
                if need <= 0:
                    self.spilled[host] = seq
                    return
                queue.put_nowait(Item(url, kind, source, json.loads(meta), seq))
                need -= 1
        finally:
            cur.close()
        del self.spilled[host]

    async def _worker(self, host: str) -> None:
        queue = self.queues[host]
        while True:
            item = await queue.get()
            if item is None:
                return
            if host in self.spilled and queue.qsize() < self._per_host() // 2:
                self._refill(host)
            self.last_log[item.url] = None
            try:
                await self._handle(item)
            except Exception as exc:  # a bug must not stop the other sites; it is recorded
                log.exception("crawl.bug url=%s", item.url)
                self._fail(item, "internal", repr(exc), None)
            self.last_log.pop(item.url, None)
            self.outstanding -= 1
            self.done_count += 1
            if self.progress:
                self.progress(self.done_count, self.total_count)
            if self.outstanding == 0 and self.finished:
                self.finished.set()

    async def run_async(self) -> CrawlResult:
        started = time.monotonic()
        resumed = self._start_run()
        self.finished = asyncio.Event()
        self.fetcher = Fetcher(self.config, on_attempt=self._on_attempt,
                               allowed_host=self.allowed_host)
        try:
            # streamed, and only the first `_per_host()` items of each host become Items
            for url, kind, source, meta, seq in self.db.execute(
                "select url, kind, source, meta, seq from crawl_frontier where run_id = ? and "
                "state = 'pending' order by seq", [self.run_id]
            ):
                host = urlsplit(url).netloc
                if self._admit(host, seq):
                    self.queues[host].put_nowait(Item(url, kind, source, json.loads(meta), seq))
            if self.outstanding:
                await self.finished.wait()
            for q in self.queues.values():
                for _ in range(self.config.concurrency_per_host):
                    q.put_nowait(None)
            await asyncio.gather(*self.workers)
        finally:
            await self.fetcher.close()
        return self._finish(started, resumed)

    def _finish(self, started: float, resumed: bool) -> CrawlResult:
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
        found = self.db.execute(_REPORT_COUNT, [self.run_id]).fetchone()[0]
        row = self.db["crawl_runs"].get(self.run_id)
        first = row["started_at"]
        elapsed = time.monotonic() - started
        with self.db.conn:
            self._save_counts()
            self.db["crawl_runs"].update(self.run_id, {
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
    def _page(self, url: str) -> dict[str, Any] | None:
        cur = self.db.conn.execute("select * from crawl_pages where url = ?", [url])
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def _insert(self, table: str, values: dict[str, Any]) -> int | None:
        """Plain SQL: sqlite-utils' helpers introspect the table on every call."""
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        return self.db.conn.execute(f"insert into {table} ({cols}) values ({marks})",
                                    list(values.values())).lastrowid

    def _update_page(self, url: str, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.conn.execute(f"update crawl_pages set {sets} where url = ?",
                             [*values.values(), url])

    def _fail(self, item: Item, kind: str, message: str, resp: Response | None) -> None:
        known = self._page(item.url)
        status = resp.status if resp else None
        with self.db.conn:
            if status in (404, 410) and known and known.get("document_id"):
                self.counts["vanished"] += 1
                self._update_page(item.url, {
                    "status": status, "last_fetched_at": utc_now(),
                    "vanished_at": known.get("vanished_at") or utc_now()})
                event("report.vanished", url=item.url, status=status,
                      document=known["document_id"][:12])
            else:
                self.counts["failed"] += 1
                self.errors[kind] += 1
                # the request that ended the page carries the failure's kind (a stub page
                # answered 200, a redirect that led off the site or in a loop)
                self.db.conn.execute(
                    "update fetch_log set error_kind = ?, error = coalesce(error, ?) where id = ?"
                    " and run_id = ? and (error_kind is null or error_kind != ?)",
                    [kind, message[:500], self.last_log.get(item.url), self.run_id, kind])
                self._upsert_page(item, {"status": status, "last_fetched_at": utc_now()})
                event("page.failed", url=item.url, kind=item.kind, error=kind, detail=message)
            self._mark(item, "failed")
            self._save_counts()

    def _mark(self, item: Item, state: str) -> None:
        self.db.conn.execute("update crawl_frontier set state = ?, kind = ?, meta = ? where "
                             "run_id = ? and url = ?",
                             [state, item.kind, json.dumps(item.meta, ensure_ascii=False),
                              self.run_id, item.url])

    def _upsert_page(self, item: Item, values: dict[str, Any]) -> None:
        meta = item.meta
        base = {"url": item.url, "source": item.source, "kind": item.kind,
                "title": meta.get("title"), "report_year": meta.get("year"),
                "publisher": meta.get("publisher")}
        if self._page(item.url) is None:
            self._insert("crawl_pages", {**base, "first_seen_at": utc_now(), "versions": 0,
                                         **values})
        else:
            self._update_page(item.url, {k: v for k, v in {**base, **values}.items()
                                         if v is not None or k in values})

    async def _handle(self, item: Item) -> None:
        assert self.fetcher is not None
        source = self.sources.get(item.source)
        if source is None:  # a source removed from the registry since the run began
            with self.db.conn:
                self._mark(item, "skipped")
            return
        site = site_of(urlsplit(item.url).hostname or "")
        if self.site_pages[site] >= settings.CRAWL_MAX_PAGES_PER_SITE:
            self._fail(item, "site_cap", f"over {settings.CRAWL_MAX_PAGES_PER_SITE} pages for "
                       f"{site} in one run: left for the next run", None)
            return
        rules = await self.fetcher.robots_for(item.url)
        if rules.unreachable:
            self._fail(item, rules.kind, f"robots.txt: {rules.unreachable}", None)
            return
        if not rules.allowed(item.url, self.config.user_agent):
            self.counts["skipped"] += 1
            with self.db.conn:
                self._upsert_page(item, {"skip_reason": "robots.txt"})
                self._mark(item, "skipped")
                self._save_counts()
            event("page.skipped", url=item.url, reason="robots.txt disallows it")
            return
        known = self._page(item.url)
        if known and item.kind == "listing" and known["kind"] in ("report", "attachment"):
            item.kind = known["kind"]  # a source URL that turned out to be a report page
            item.meta.update(title=known["title"], year=known["report_year"],
                             publisher=known["publisher"])
        conditional = known is not None and not known.get("vanished_at") and (
            known.get("document_id") or (item.kind == "listing" and known.get("sha256")))
        cap = self.config.max_html_bytes if item.kind == "listing" else self.config.max_bytes
        resp = await self.fetcher.fetch(
            item.url, etag=known.get("etag") if conditional and known else None,
            last_modified=known.get("last_modified") if conditional and known else None,
            max_bytes=cap, purpose=item.kind)
        if not resp.not_modified:  # the cap counts downloads; a 304 costs the site little
            self.site_pages[site] += 1
        if resp.error_kind:
            self._fail(item, resp.error_kind, resp.error or "", resp)
            return
        if resp.not_modified and known:
            self._not_modified(item, known, resp)
            return
        if resp.status != 200:
            self._fail(item, f"http_{resp.status}", f"HTTP {resp.status}", resp)
            return
        self.counts["pages_fetched"] += 1
        if item.kind == "listing":
            self._listing(item, source, resp)
        else:
            self._document(item, source, known, resp)

    def _validators(self, resp: Response) -> dict[str, Any]:
        return {"etag": resp.headers.get("etag"), "last_modified":
                resp.headers.get("last-modified"), "status": resp.status,
                "last_fetched_at": utc_now()}

    def _children(self, item: Item, children: list[Item], replace: bool = True) -> list[Item]:
        """Record a page's links (replacing those of its previous version) and queue the
        children not yet in this run's frontier."""
        if replace:
            self.db.conn.execute("delete from crawl_links where parent = ?", [item.url])
        fresh = []
        for child in children:
            self.db.conn.execute("insert or ignore into crawl_links (parent, child) values (?, ?)",
                                 [item.url, child.url])
            if self._add_frontier(child):
                fresh.append(child)
        return fresh

    def _not_modified(self, item: Item, known: dict[str, Any], resp: Response) -> None:
        self.counts["not_modified"] += 1
        self.db.conn.execute("update fetch_log set from_cache = 1 where id = ?",
                             [self.last_log.get(item.url)])
        children: list[Item] = []
        for r in self.db.execute(
            "select p.url, p.kind, p.title, p.report_year, p.publisher from crawl_links l join "
            "crawl_pages p on p.url = l.child where l.parent = ? and p.kind in "
            "('listing', 'report', 'attachment') and p.skip_reason is null", [item.url]
        ).fetchall():
            meta = {"title": r[2], "year": r[3], "publisher": r[4]}
            children.append(Item(r[0], r[1], item.source, meta))
        if item.kind != "listing":
            self.counts["unchanged"] += 1
            self._report_seen(item)
        with self.db.conn:
            self._upsert_page(item, {"last_fetched_at": utc_now(), "status": 304})
            fresh = self._children(item, children, replace=False)
            self._mark(item, "done")
            self._save_counts()
        event("page.not_modified", url=item.url, kind=item.kind, children=len(children))
        for child in fresh:
            self._enqueue(child)

    def _report_seen(self, item: Item) -> None:
        m = item.meta
        # One report per publisher and year (a report posted twice, or as a page and its
        # attachment, is one report); the title decides only when the year is unknown.
        key = m.get("report_key") or (f"{m.get('publisher')}|{m.get('year')}" if m.get("year")
                                      else f"{m.get('publisher')}|{m.get('title')}")
        m["report_key"] = key
        self.sources_with_reports.add(item.source)

    def _decode(self, resp: Response) -> str | None:
        from parser.encoding import decode
        from parser.model import DocumentError

        try:
            return decode(resp.body, resp.headers.get("content-type")).text
        except DocumentError:
            return None

    def _listing(self, item: Item, source: Source, resp: Response) -> None:
        html = self._decode(resp)
        if html is None:
            self._fail(item, "decode", "listing page does not decode as text", resp)
            return
        links = discover.listing_links(html, resp.final_url)
        if not any(link.kind == "report" for link in links) and item.url == source.url:
            title = discover.page_title(html)
            if discover.classify_title(title)[0]:
                # The registry names a report page, not a column (a publisher known only by
                # one report, or a Hanweb xxgkAnnualReport.jsp page): store it as a report.
                item.kind = "report"
                item.meta.update(title=title, year=discover.report_year(title),
                                 publisher=discover.title_publisher(title) or source.name)
                self._document(item, source, self._page(item.url), resp)
                return
        children: list[Item] = []
        skipped = capped = 0
        for link in links:
            if not self.link_allowed(link.url, source):
                event("link.offsite", url=link.url, title=link.title, source=source.name)
                continue
            if link.kind == "skipped":
                skipped += 1
                self.db.conn.execute(
                    "insert into crawl_pages (url, source, kind, title, skip_reason, "
                    "first_seen_at) values (?, ?, 'skipped', ?, ?, ?) on conflict (url) do "
                    "update set title = excluded.title, skip_reason = excluded.skip_reason",
                    [link.url, source.name, link.title, link.reason, utc_now()])
                event("link.skipped", url=link.url, title=link.title, reason=link.reason)
            elif link.kind == "pager":
                if discover.same_page(source.url, link.url) or (
                        self.listings[source.name] >= settings.CRAWL_MAX_LISTING_PAGES):
                    continue
                self.listings[source.name] += 1
                children.append(Item(link.url, "listing", source.name, {"title": link.title}))
            else:
                if self.documents[source.name] >= settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE:
                    capped += 1
                    continue
                self.documents[source.name] += 1
                kind = "attachment" if discover.is_attachment_url(link.url) else "report"
                children.append(Item(link.url, kind, source.name, {
                    "title": link.title, "year": link.year,
                    "publisher": link.publisher or source.name}))
        with self.db.conn:
            self._upsert_page(item, {**self._validators(resp), "sha256": _sha(resp.body)})
            fresh = self._children(item, children)
            self._mark(item, "done")
            self._save_counts()
        if capped:
            event("source.capped", source=source.name, dropped=capped,
                  cap=settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE)
        event("listing", url=item.url, source=source.name, links=len(children), skipped=skipped)
        for child in fresh:
            self._enqueue(child)

    def _document(self, item: Item, source: Source, known: dict[str, Any] | None,
                  resp: Response) -> None:
        from archive.store import add_document

        body = resp.body
        html = None
        if not body.startswith(DOC_MAGIC):
            html = self._decode(resp)
            # cheap test on the markup first; the text is extracted only when a phrase shows
            if html and discover.is_stub(html):
                text = discover.visible_text(html)
                stub = discover.is_stub(text)
                if stub and len(text) < settings.CRAWL_STUB_MAX_CHARS:
                    self._fail(item, "stub", f"200 page says {stub!r}", resp)
                    return
            if html and not item.meta.get("title"):
                item.meta["title"] = discover.page_title(html)
        fetched_at = utc_now()
        doc_id, is_new = add_document(
            self.db, body, url=item.url, final_url=resp.final_url,
            media_type=resp.headers.get("content-type"), status=resp.status,
            headers=resp.headers, fetched_at=fetched_at, origin="crawl",
            publisher_hint=item.meta.get("publisher") or source.name)
        previous = known.get("document_id") if known else None
        if previous and previous != doc_id:
            what = "changed"
        elif is_new:
            what = "new"
        else:
            what = "unchanged"
        self.counts[what] += 1
        self._report_seen(item)
        children: list[Item] = []
        if html is not None and item.kind == "report" and discover.may_have_attachments(html):
            for link in discover.detail_links(html, resp.final_url):
                if not self.link_allowed(link.url, source):
                    event("link.offsite", url=link.url, source=source.name)
                    continue
                children.append(Item(link.url, "attachment", source.name, {
                    "title": link.title or item.meta.get("title"),
                    "year": link.year or item.meta.get("year"),
                    "publisher": item.meta.get("publisher"),
                    "report_key": item.meta.get("report_key")}))
        if html is not None and item.kind == "report":
            for url in discover.body_images(html, resp.final_url):
                if self.link_allowed(url, source):  # a table as a picture, for OCR
                    children.append(Item(url, "attachment", source.name, {
                        "title": item.meta.get("title"), "year": item.meta.get("year"),
                        "publisher": item.meta.get("publisher"), "image_of": item.url,
                        "report_key": item.meta.get("report_key")}))
        values = {**self._validators(resp), "sha256": doc_id, "document_id": doc_id,
                  "vanished_at": None}
        if what != "unchanged" or not known or not known.get("document_id"):
            values["last_changed_at"] = fetched_at
            # counted from document_urls, which add_document wrote with the bytes: a run
            # killed between that write and this one must not lose the version on resume
            values["versions"] = self.db.execute(
                "select count(distinct document_id) from document_urls where url = ?",
                [item.url]).fetchone()[0]
        with self.db.conn:
            self._upsert_page(item, values)
            fresh = self._children(item, children)
            self._mark(item, "done")
            self._save_counts()
        event(f"document.{what}", url=item.url, id=doc_id[:12], bytes=len(body),
              year=item.meta.get("year"), publisher=item.meta.get("publisher"))
        for child in fresh:
            self._enqueue(child)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def crawl(db_path: Path, sources: list[Source], config: FetchConfig | None = None,
          progress: Callable[[int, int], None] | None = None) -> CrawlResult:
    """Run one crawl under the database's lock (raises Locked when another run holds it)."""
    with CrawlLock(Path(db_path)):
        return asyncio.run(Crawl(Path(db_path), sources, config, progress).run_async())
