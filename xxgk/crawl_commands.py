"""The crawler's commands: `xxgk crawl`, `xxgk sources check` and the main job `xxgk run`.

Apart from the other commands because they share the crawl's options (--sources, --delay,
-v) and call the jobs of xxgk/jobs.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from xxgk import settings
from xxgk.archive_file import archive_to_write, created_message
from xxgk.db_option import checked_archive, db_option
from xxgk.output import finish, json_option, quiet_option

DELAY_HELP = (f"Seconds between two requests to one host (never less than robots.txt's "
              f"Crawl-delay).  [default: {settings.CRAWL_DELAY} s; "
              f"{settings.DEMO_CRAWL_DELAY} s for the demo site]")


@click.command("crawl")
@click.option("--sources", "sources_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), required=True,
              help="Registry CSV (name, region_code, level, url, ...): see sources.csv.")
@db_option("The archive to crawl into; created if it does not exist.")
@click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help=DELAY_HELP)
@click.option("-v", "--verbose", is_flag=True, help="Log every request too (stderr).")
@quiet_option
@json_option
def crawl_command(sources_path: Path, db_path: Path, delay: float | None, verbose: bool,
                  quiet: bool, as_json: bool) -> None:
    """Crawl the registry's report columns into the archive (safe under cron).

    Stores what it fetches; run `xxgk build` afterwards to parse it (or use `xxgk run`).

    \b
    Exit codes: 0 success, 1 partial failure, 2 total failure (or an unusable --db),
    3 another run holds the lock.

    \b
    Examples:
      xxgk crawl --sources sources.csv --db archive.db
      XXGK_CONTACT=me@example.org xxgk crawl --sources sources.csv --quiet   (cron)
    """
    from xxgk.jobs import crawl_sources, setup_logging

    target = checked_archive(archive_to_write, db_path)
    setup_logging(verbose, quiet=quiet or as_json)
    outcome = crawl_sources(sources_path, target.path, delay=delay, progress=not (quiet or as_json))
    data = {"archive": str(target.path), "created": not target.exists,
            "message": outcome.message, "exit_code": outcome.exit_code}
    if outcome.result is not None:
        r = outcome.result
        data.update(run_id=r.run_id, status=r.status, reports_found=len(r.reports),
                    counts=dict(r.counts), errors=dict(r.errors), seconds=round(r.elapsed, 3))
    text = outcome.message
    if not target.exists and target.path.exists():
        text = created_message(target.path) + "\n" + text
    finish(text, data, outcome.exit_code, quiet=quiet, as_json=as_json,
           problems=outcome.message)


@click.group("sources")
def sources_group() -> None:
    """The sources registry (sources.csv)."""


@sources_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sources_check(path: Path) -> None:
    """Validate a registry: duplicates, bad region codes, bad URLs (exit 1 on errors).

    \b
    Examples:
      xxgk sources check sources.csv
    """
    from xxgk.jobs import check_registry

    problems = check_registry(path)
    for p in problems:
        click.echo(f"{path}:{p}")
    errors = sum(p.fatal for p in problems)
    click.echo(f"{path}: {errors} errors, {len(problems) - errors} warnings")
    sys.exit(1 if errors else 0)


@click.command("run")
@click.option("--sources", "sources_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=settings.DEMO_SOURCES,
              show_default="the demo site's registry, fixtures/site/sources.csv",
              help="Registry CSV; the demo's starts the bundled demo website on "
                   f"{settings.DEMO_HOST}:{settings.DEMO_PORT} first.")
@db_option("The archive to write; created if it does not exist (the path is printed).")
@click.option("--serve", is_flag=True, help="Serve the archive with Datasette afterwards "
              "(Ctrl-C stops).")
@click.option("--port", type=click.IntRange(1, 65535), metavar="PORT",
              default=settings.DATASETTE_PORT,
              show_default=True, help="Port for --serve (TCP, on 127.0.0.1).")
@click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help=DELAY_HELP)
@click.option("-v", "--verbose", is_flag=True, help="Log every request too (stderr).")
@quiet_option
@json_option
def run_command(sources_path: Path, db_path: Path, serve: bool, port: int, delay: float | None,
                verbose: bool, quiet: bool, as_json: bool) -> None:
    """The main job: crawl (the demo site when the registry is the demo's), build, serve.

    Prints the absolute path of the archive it writes. Exit codes as for crawl, or 1 when
    some documents could not be read.

    \b
    Examples:
      xxgk run --serve                          the demo, then http://127.0.0.1:8001
      xxgk run --sources sources.csv --db 2024.db --json
    """
    from xxgk.archive_commands import checked_port
    from xxgk.jobs import run_job, serve_archive, setup_logging

    target = checked_archive(archive_to_write, db_path)
    if serve:  # before the crawl, not after it: a busy port is known now
        checked_port(settings.DATASETTE_HOST, port)
    setup_logging(verbose, quiet=quiet or as_json)
    echo = (lambda _line: None) if quiet or as_json else click.echo
    outcome = run_job(sources_path, target.path, delay=delay, progress=not (quiet or as_json),
                      echo=echo)
    problems = "\n".join([outcome.crawl.message]
                         + ([outcome.build.summary()] if outcome.build
                            and outcome.build.exit_code else []))
    if as_json:
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False))
    elif quiet and outcome.exit_code:
        click.echo(problems, err=True)
    if serve and outcome.build is not None:
        if not (quiet or as_json):
            click.echo(f"serving the archive at http://{settings.DATASETTE_HOST}:{port}/ "
                       "(Ctrl-C stops)")
        checked_port(settings.DATASETTE_HOST, port, lambda: serve_archive(outcome.archive, port))
    sys.exit(outcome.exit_code)
