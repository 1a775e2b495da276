"""The work list of one crawl run: its rows in `crawl_frontier`, and for each host a bounded
queue in memory with the host's workers.

Every item is written to the database before it is worked on, so a killed run resumes where
it stopped. Only the first `CRAWL_FRONTIER_MEMORY_PER_HOST` pending items of a host are held
in memory; the rest wait in the database and are read back, in frontier order, when the
host's queue runs low. Apart from the crawl because it decides only the order of the work and
when the run is over; what an item becomes is scraper/pages.py, and the run it belongs to is
scraper/run_record.py (which sets `run_id` when it opens or takes up the run).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from xxgk import settings


@dataclass
class Item:
    url: str
    kind: str  # listing | report | attachment
    source: str
    meta: dict[str, Any]
    seq: int = 0  # its place in the run's frontier (set when it is added or read back)


class Frontier:
    """The frontier of run `run_id` in the archive `db`, worked on by `concurrency_per_host`
    workers per host; `progress(done, total)` is called after each item."""

    def __init__(self, db: sqlite_utils.Database, concurrency_per_host: int,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.db = db
        # at least one worker a host: with none, nothing would ever take the host's items
        self.concurrency_per_host = max(1, concurrency_per_host)
        self.progress = progress
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
        self.work: Callable[[Item], Awaitable[None]] | None = None

    # ------------------------------------------------------------------ in the database
    def add(self, item: Item) -> bool:
        """Write `item` to the run's frontier; False when its URL is there already."""
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

    def mark(self, item: Item, state: str) -> None:
        self.db.conn.execute("update crawl_frontier set state = ?, kind = ?, meta = ? where "
                             "run_id = ? and url = ?",
                             [state, item.kind, json.dumps(item.meta, ensure_ascii=False),
                              self.run_id, item.url])

    # ------------------------------------------------------------------ in memory
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
            for _ in range(self.concurrency_per_host):
                self.workers.append(asyncio.create_task(self._worker(host)))
        self.outstanding += 1
        self.total_count += 1
        if host in self.spilled or self.queues[host].qsize() >= self._per_host():
            self.spilled.setdefault(host, seq)
            return False
        return True

    def enqueue(self, item: Item) -> None:
        """Queue an item just added to the frontier (it waits in the database when its host's
        queue is full)."""
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
        assert self.work is not None
        queue = self.queues[host]
        while True:
            item = await queue.get()
            if item is None:
                return
            if host in self.spilled and queue.qsize() < self._per_host() // 2:
                self._refill(host)
            await self.work(item)
            self.outstanding -= 1
            self.done_count += 1
            if self.progress:
                self.progress(self.done_count, self.total_count)
            if self.outstanding == 0 and self.finished:
                self.finished.set()

    async def run(self, work: Callable[[Item], Awaitable[None]]) -> None:
        """Work on every pending item of the run, and on those that the work queues, until
        none is left; `work` must not raise (a page's failure is recorded, not raised)."""
        self.work = work
        self.finished = asyncio.Event()
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
            for _ in range(self.concurrency_per_host):
                q.put_nowait(None)
        await asyncio.gather(*self.workers)
