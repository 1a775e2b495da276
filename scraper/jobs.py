"""The scheduled jobs as Python functions: `xxgk crawl`, `xxgk sources check`, `xxgk run`.

The command line (xxgk/cli.py) only parses options and calls these. `run` is the main job:
crawl the registry's sites (starting the local demo website first when the registry is the
demo's), build the archive, and optionally serve it with Datasette.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scraper.crawl import EXIT_LOCKED, CrawlResult, crawl
from scraper.fetch import FetchConfig
from scraper.lock import Locked
from scraper.registry import Problem, Source, check_sources, read_sources
from xxgk import settings


def setup_logging(verbose: bool = False) -> None:
    """One line per event on stderr: time, level, event and its fields (cron-friendly).
    Per-request `fetch` lines are DEBUG (shown with -v); they are always in `fetch_log`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                           "%Y-%m-%dT%H:%M:%S"))
    logger = logging.getLogger("xxgk")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    logging.getLogger("httpx").setLevel(logging.WARNING)


def is_demo(sources: list[Source]) -> bool:
    """A registry whose every row is marked demo and points at 127.0.0.1."""
    return bool(sources) and all(
        s.is_demo and urlsplit(s.url).hostname == settings.DEMO_HOST for s in sources)


def progress_printer(label: str) -> Callable[[int, int], None] | None:
    """A one-line progress bar on a terminal (nothing when stderr is a log file)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        fill = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * fill}{'.' * (width - fill)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


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
        try:
            result = crawl(db_path, sources, cfg,
                           progress=progress_printer("crawl") if progress else None)
        except Locked as exc:
            return CrawlOutcome(None, EXIT_LOCKED, f"not started: {exc}")
    return CrawlOutcome(result, result.exit_code, result.summary())


def check_registry(path: Path) -> list[Problem]:
    return check_sources(path)


def run(sources_path: Path, db_path: Path, *, serve: bool = False, delay: float | None = None,
        port: int = settings.DATASETTE_PORT, echo: Callable[[str], None] = print) -> int:
    """The main job: crawl, build, print the numbers, and serve with Datasette if asked."""
    import sqlite_utils

    from archive.build import build

    started = time.monotonic()
    outcome = crawl_sources(sources_path, db_path, delay=delay, progress=True)
    echo(outcome.message)
    if outcome.result is None:
        return outcome.exit_code
    db = sqlite_utils.Database(db_path)
    stats = build(db, progress=True)
    echo(stats.summary() if hasattr(stats, "summary") else str(stats))
    r = outcome.result
    reports = db.execute("select count(*) from reports").fetchone()[0] if db[
        "reports"].exists() else 0
    echo(f"done: {len(r.reports)} reports found by the crawler, {r.counts['pages_fetched']} "
         f"pages fetched ({r.counts['requests']} requests), {reports} reports in {db_path}, "
         f"{time.monotonic() - started:.1f} s in all; crawl status {r.status} "
         f"(exit {r.exit_code})")
    if serve:
        echo(f"serving the archive at http://{settings.DATASETTE_HOST}:{port}/ (Ctrl-C stops)")
        serve_archive(db_path, port)
    return outcome.exit_code


def serve_archive(db_path: Path, port: int) -> None:
    """Datasette on the archive (archive.serve: the project's metadata, pages and queries)."""
    from archive.serve import serve

    serve(db_path, port=port, host=settings.DATASETTE_HOST)
