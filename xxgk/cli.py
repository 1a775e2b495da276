"""The `xxgk` command: one click command per Python function (the sqlite-utils way).

    xxgk run             the main job: crawl + build (+ serve)        scraper.jobs
    xxgk crawl           fetch the registry's reports into the archive scraper.crawl
    xxgk sources check   validate a sources registry                  scraper.registry
    xxgk import PATH...  add local files to the archive               archive.importer
    xxgk build           parse new or stale stored documents          archive.build
    xxgk serve           Datasette on the archive                     archive.serve
    xxgk parse PATH...   JSON Lines, one object per document          parser.parse_path
    xxgk eval            the parser against fixtures/gold             parser.evaluate
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from xxgk import settings


@click.group()
@click.version_option(package_name="xxgk-archive")
def cli() -> None:
    """xxgk-archive: crawl, parse and archive 政府信息公开工作年度报告."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--indent", type=int, default=None, help="Pretty-print each object (not JSON Lines).")
@click.option(
    "--summary", is_flag=True, help="Leave out facts and sections; keep values and checks."
)
def parse(paths: tuple[Path, ...], indent: int | None, summary: bool) -> None:
    """Parse report documents (HTML, text, PDF, DOCX) and print one JSON object per document.

    A document that cannot be read gives an object with "error" and the reason; the
    command goes on with the rest and exits 0.
    """
    from parser import parse_path
    from parser.load import iter_document_paths

    for path in iter_document_paths(paths):
        result = parse_path(path).to_dict()
        if summary:
            result.pop("facts")
            result.pop("sections")
        click.echo(json.dumps(result, ensure_ascii=False, indent=indent))


@cli.command("eval")
@click.option("--gold", "gold_dir", type=click.Path(path_type=Path), default=settings.GOLD_DIR)
@click.option(
    "--corpus", "corpus_dir", type=click.Path(path_type=Path), default=settings.CORPUS_DIR
)
@click.option(
    "--dev", "dev_dir", type=click.Path(path_type=Path), default=settings.DEV_DIR,
    help="The dev set (gold/ and raw/), scored too where it exists.",
)
@click.option("-v", "--verbose", is_flag=True, help="List every missed, extra and wrong item.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary figures as JSON.")
def eval_command(
    gold_dir: Path, corpus_dir: Path, dev_dir: Path, verbose: bool, as_json: bool
) -> None:
    """Score the parser against the gold files: values per era and method, sections, cells."""
    from parser.eval_report import report, summary
    from parser.evaluate import evaluate, evaluate_dev

    if not corpus_dir.is_dir():
        raise click.ClickException(f"corpus folder not found: {corpus_dir}")
    scores = evaluate(gold_dir, corpus_dir)
    if dev_dir.is_dir():
        scores += evaluate_dev(dev_dir, settings.GOLD_DIR / "dev_disputes.tsv")
    if as_json:
        click.echo(json.dumps(summary(scores), ensure_ascii=False, indent=2))
    else:
        click.echo(report(scores, verbose=verbose))


# --- crawler (scraper/) -------------------------------------------------------------------
@cli.command("crawl")
@click.option("--sources", "sources_path", type=click.Path(exists=True, path_type=Path),
              required=True, help="Registry CSV (name, region_code, level, url, ...).")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=settings.DEFAULT_DB)
@click.option("--delay", type=float, default=None,
              help=f"Seconds between requests to one host (default {settings.CRAWL_DELAY}).")
@click.option("-v", "--verbose", is_flag=True, help="Log every request too.")
def crawl_command(sources_path: Path, db_path: Path, delay: float | None, verbose: bool) -> None:
    """Crawl the registry's report columns into the archive (safe under cron).

    Exit codes: 0 success, 1 partial failure, 2 total failure, 3 another run holds the lock.
    """
    from scraper.jobs import crawl_sources, setup_logging

    setup_logging(verbose)
    outcome = crawl_sources(sources_path, db_path, delay=delay)
    click.echo(outcome.message)
    sys.exit(outcome.exit_code)


@cli.group("sources")
def sources_group() -> None:
    """The sources registry (sources.csv)."""


@sources_group.command("check")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def sources_check(path: Path) -> None:
    """Validate a registry: duplicates, bad region codes, bad URLs (exit 1 on errors)."""
    from scraper.jobs import check_registry

    problems = check_registry(path)
    for p in problems:
        click.echo(f"{path}:{p}")
    errors = sum(p.fatal for p in problems)
    click.echo(f"{path}: {errors} errors, {len(problems) - errors} warnings")
    sys.exit(1 if errors else 0)


@cli.command("run")
@click.option("--sources", "sources_path", type=click.Path(exists=True, path_type=Path),
              default=settings.DEMO_SOURCES, show_default=True)
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=settings.DEFAULT_DB)
@click.option("--serve", is_flag=True, help="Serve the archive with Datasette afterwards.")
@click.option("--port", type=int, default=settings.DATASETTE_PORT, show_default=True)
@click.option("--delay", type=float, default=None, help="Seconds between requests to one host.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request too.")
def run_command(sources_path: Path, db_path: Path, serve: bool, port: int, delay: float | None,
                verbose: bool) -> None:
    """The main job: crawl (the demo site when the registry is the demo's), build, serve."""
    from scraper.jobs import run, setup_logging

    setup_logging(verbose)
    sys.exit(run(sources_path, db_path, serve=serve, delay=delay, port=port, echo=click.echo))


# --- archive (archive/) ------------------------------------------------------------------
@cli.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=settings.DEFAULT_DB,
              show_default=True)
@click.option("--publisher-hint", default=None,
              help="The government the files come from, for reports that name only a department.")
def import_command(paths: tuple[Path, ...], db_path: Path, publisher_hint: str | None) -> None:
    """Add local files (a folder imports every document in it) to the archive, with provenance.

    The same file imported twice is stored once. Run `xxgk build` afterwards to parse them.
    """
    import sqlite_utils

    from archive.importer import import_paths

    stats = import_paths(sqlite_utils.Database(db_path), paths, publisher_hint=publisher_hint,
                         progress=True)
    for line in stats.skipped:
        click.echo(f"skipped {line}", err=True)
    click.echo(stats.summary())


@cli.command("build")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=settings.DEFAULT_DB,
              show_default=True)
@click.option("--force", is_flag=True, help="Reparse every document, not only new or stale ones.")
def build_command(db_path: Path, force: bool) -> None:
    """Parse every stored document that is new or whose parser version changed.

    Re-running it with nothing new changes nothing. Documents that are not reports or
    cannot be read are recorded with the reason (table `parses`).
    """
    import sqlite_utils

    from archive.build import build

    stats = build(sqlite_utils.Database(db_path), progress=True, force=force)
    for line in stats.error_messages:
        click.echo(f"error {line}", err=True)
    click.echo(stats.summary())


@cli.command("serve")
@click.option("--db", "db_paths", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True, default=[settings.DEFAULT_DB], show_default=True,
              help="The archive; repeat it to serve several (one per year) with SQL across them.")
@click.option("--port", type=int, default=settings.DATASETTE_PORT, show_default=True)
@click.option("--host", default=settings.DATASETTE_HOST, show_default=True)
@click.option("--mutable", is_flag=True,
              help="Open read-only but not immutable (while a build may still write to it).")
def serve_command(db_paths: tuple[Path, ...], port: int, host: str, mutable: bool) -> None:
    """Serve the archive with Datasette (read-only): saved queries, report pages, charts."""
    from archive.serve import serve

    click.echo(f"serving {', '.join(map(str, db_paths))} at http://{host}:{port}/ (Ctrl-C stops)")
    serve(list(db_paths), port=port, host=host, immutable=not mutable)


if __name__ == "__main__":
    cli()
