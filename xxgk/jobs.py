"""The scheduled jobs as Python functions: `xxgk crawl`, `xxgk sources check`, `xxgk run`.

The command line (xxgk/crawl_commands.py) only parses options and calls these. `run` is the
main job: crawl the registry's sites (starting the local demo website first when the registry
is the demo's), build the archive, and optionally serve it with Datasette. It lives beside the
command line, not in scraper/, because it orchestrates the crawler, the archive's build and
Datasette rather than crawling.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.build_stats import BuildStats
from scraper.crawl import crawl
from scraper.fetch import FetchConfig
from scraper.lock import Locked
from scraper.registry import Problem, Source, check_sources, read_sources
from scraper.result import EXIT_LOCKED, CrawlResult
from xxgk import settings


def setup_logging(verbose: bool = False, quiet: bool = False) -> None:
    """One line per event on stderr: time, level, event and its fields (cron-friendly).
    Per-request `fetch` lines are DEBUG (shown with -v); they are always in `fetch_log`.
    `quiet` (--quiet, --json) keeps warnings and errors only."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                           "%Y-%m-%dT%H:%M:%S"))
    logger = logging.getLogger("xxgk")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    logging.getLogger("httpx").setLevel(logging.WARNING)


def is_demo(sources: list[Source]) -> bool:
    """A registry whose every row is marked demo and points at 127.0.0.1."""
    return bool(sources) and all(
        s.is_demo and urlsplit(s.url).hostname == settings.DEMO_HOST for s in sources)


@dataclass
class CrawlOutcome:
    result: CrawlResult | None
    exit_code: int
    message: str


def crawl_sources(sources_path: Path, db_path: Path, *, delay: float | None = None,
                  demo: bool | None = None, progress: bool = False,
                  config: FetchConfig | None = None) -> CrawlOutcome:
    """Crawl every source of a registry into the archive (the demo site is started first
    when the registry is the demo's). Never raises for a site's failures: they are counted."""
    sources = read_sources(sources_path)
    demo = is_demo(sources) if demo is None else demo
    cfg = config or FetchConfig()
    if delay is not None:
        cfg.delay = delay
    elif demo:
        cfg.delay = settings.DEMO_CRAWL_DELAY
        cfg.backoff_base = settings.DEMO_CRAWL_DELAY
    with ExitStack() as stack:
        if demo:
            from scraper.demo_site import DemoServer

            port = urlsplit(sources[0].url).port or settings.DEMO_PORT
            server = stack.enter_context(DemoServer(port=port))
            logging.getLogger("xxgk.crawl").info("demo.site url=%s root=%s", server.base_url,
                                                 server.root)
        from xxgk.progress import CallbackBar

        bar = CallbackBar("crawling", enabled=progress)
        try:
            result = crawl(db_path, sources, cfg, progress=bar)
        except Locked as exc:
            return CrawlOutcome(None, EXIT_LOCKED, f"not started: {exc}")
        finally:
            bar.close()
    return CrawlOutcome(result, result.exit_code, result.summary())


def check_registry(path: Path) -> list[Problem]:
    return check_sources(path)


@dataclass
class RunOutcome:
    """What the main job did: the crawl, the build, and the archive it wrote."""

    archive: Path  # absolute
    created: bool
    crawl: CrawlOutcome
    build: BuildStats | None
    reports_in_archive: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return max(self.crawl.exit_code, self.build.exit_code if self.build else 0)

    def to_dict(self) -> dict[str, Any]:
        r = self.crawl.result
        return {
            "archive": str(self.archive),
            "created": self.created,
            "crawl": None if r is None else {
                "run_id": r.run_id, "status": r.status, "exit_code": r.exit_code,
                "reports_found": len(r.reports), "counts": dict(r.counts),
                "errors": dict(r.errors), "seconds": round(r.elapsed, 3)},
            "crawl_message": self.crawl.message,
            "build": self.build.to_dict() if self.build else None,
            "reports_in_archive": self.reports_in_archive,
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
        }


def run_job(sources_path: Path, db_path: Path, *, delay: float | None = None,
            progress: bool = True, echo: Callable[[str], None] = print) -> RunOutcome:
    """The main job without serving: crawl, build, and say where the archive is."""
    import sqlite_utils

    from archive.build import build

    started = time.monotonic()
    archive = Path(db_path).absolute()
    created = not archive.exists() or archive.stat().st_size == 0
    echo(f"archive: {archive}" + (" (new: created by this run)" if created else ""))
    outcome = crawl_sources(sources_path, archive, delay=delay, progress=progress)
    echo(outcome.message)
    if outcome.result is None:
        return RunOutcome(archive, created, outcome, None, 0, time.monotonic() - started)
    db = sqlite_utils.Database(archive)
    stats = build(db, progress=progress)
    echo(stats.summary())
    r = outcome.result
    reports = db.execute("select count(*) from reports").fetchone()[0]
    done = RunOutcome(archive, created, outcome, stats, reports, time.monotonic() - started)
    echo(f"done: {len(r.reports)} reports found by the crawler, {r.counts['pages_fetched']} "
         f"pages fetched ({r.counts['requests']} requests), {reports} reports in {archive}, "
         f"{done.seconds:.1f} s in all; crawl status {r.status} (exit {done.exit_code})")
    return done


def run(sources_path: Path, db_path: Path, *, serve: bool = False, delay: float | None = None,
        port: int = settings.DATASETTE_PORT, echo: Callable[[str], None] = print) -> int:
    """The main job: crawl, build, print the numbers, and serve with Datasette if asked."""
    outcome = run_job(sources_path, db_path, delay=delay, echo=echo)
    if serve and outcome.build is not None:
        echo(f"serving the archive at http://{settings.DATASETTE_HOST}:{port}/ (Ctrl-C stops)")
        serve_archive(outcome.archive, port)
    return outcome.exit_code


def serve_archive(db_path: Path, port: int) -> None:
    """Datasette on the archive (archive.serve: the project's metadata, pages and queries)."""
    from archive.serve import serve

    serve(db_path, port=port, host=settings.DATASETTE_HOST)
