"""One crawl run over a sources registry: discover, fetch politely, store, record, resume.

The run's work list (`crawl_frontier`) is in the database and every page's outcome is
committed together with the links it produced, so a run killed at any point resumes where it
stopped and ends with the same archive as a run that was never interrupted. A file lock next
to the database keeps two runs (two cron jobs) from overlapping. Counts and errors by kind go
to `crawl_runs`, each request to `fetch_log`, and each event to the log as one line. Exit
codes and what a run returns: scraper/result.py.

A run is put together here from its parts: its record in the archive
(scraper/run_record.py), its work list and workers (frontier.py), the fetcher (fetch.py), and
what each page becomes (pages.py); which hosts and links belong to it is scope.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from scraper.fetch import FetchConfig, Fetcher
from scraper.lock import CrawlLock
from scraper.pages import PageHandler
from scraper.registry import Source
from scraper.result import CrawlResult
from scraper.run_record import RunRecord
from scraper.scope import allowed_host


class Crawl:
    """A crawl of `sources` into the archive at `db_path` (see the module docstring)."""

    def __init__(self, db_path: Path, sources: list[Source], config: FetchConfig | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        config = config or FetchConfig()
        # Non-public addresses only for the hosts of sources that explicitly allow them.
        self.config = replace(config, private_hosts=frozenset(config.private_hosts) | {
            s.host.lower() for s in sources if s.allows_private})
        self.record = RunRecord(Path(db_path), sources, self.config.concurrency_per_host,
                                progress)

    async def run_async(self) -> CrawlResult:
        started = time.monotonic()
        resumed = self.record.start()
        fetcher = Fetcher(self.config, on_attempt=self.record.on_attempt,
                          allowed_host=partial(allowed_host,
                                               sources=self.record.sources.values()))
        pages = PageHandler(self.record, fetcher, self.config)
        try:
            await self.record.frontier.run(pages.work)
        finally:
            await fetcher.close()
        return self.record.finish(started, resumed)


def crawl(db_path: Path, sources: list[Source], config: FetchConfig | None = None,
          progress: Callable[[int, int], None] | None = None) -> CrawlResult:
    """Run one crawl under the database's lock (raises Locked when another run holds it)."""
    with CrawlLock(Path(db_path)):
        return asyncio.run(Crawl(Path(db_path), sources, config, progress).run_async())
