"""What a crawl run returns: its status and exit code, counts and errors by kind, and the
reports it found, read back from the archive when iterated.

Exit codes (what cron and CI see): 0 success; 1 partial failure (some pages or sources
failed, or a source gave no report); 2 total failure (no source gave a report); 3 another run
holds the lock.

Apart from the crawl because those who call it (the jobs, the tests, the benchmarks) need the
result and its exit codes, not the crawling machinery, and `RunReports` reads the archive on
its own, after the run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, overload

EXIT_SUCCESS, EXIT_PARTIAL, EXIT_FAILURE, EXIT_LOCKED = 0, 1, 2, 3

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


def count_reports(conn: sqlite3.Connection, run_id: int) -> int:
    """How many reports run `run_id` found (the length of its `RunReports`)."""
    return conn.execute(_REPORT_COUNT, [run_id]).fetchone()[0]
