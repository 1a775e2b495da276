"""The `xxgk` command: one click command per Python function (the sqlite-utils way).

    xxgk run             the main job: crawl + build (+ serve)        xxgk.jobs
    xxgk crawl           fetch the registry's reports into the archive scraper.crawl
    xxgk sources check   validate a sources registry                  scraper.registry
    xxgk import PATH...  add local files to the archive, then parse   archive.importer
    xxgk build           parse new or stale stored documents          archive.build
    xxgk serve           Datasette on the archive                     archive.serve
    xxgk parse PATH...   JSON Lines, one object per document          parser.parse_path
    xxgk eval            the parser against fixtures/gold             parser.evaluate

Every option shows its default and unit in --help, and docs/cli.md documents each one (a
test checks). Which archive a command may read or create is decided in xxgk/archive_file.py;
the closing summaries and exit codes in xxgk/output.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from xxgk import settings
from xxgk.archive_file import ArchiveError, archive_to_write, created_message, existing_archive
from xxgk.output import finish, json_option, quiet_option


def db_option(help_text: str, **kwargs):
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        default=settings.DEFAULT_DB, envvar=settings.DB_ENVVAR, show_envvar=True,
        show_default="archive.db in the current folder", help=help_text, **kwargs)


def _archive(check, path: Path):
    """Run an archive_file check; its failure is a message and exit code, not a traceback."""
    try:
        return check(path)
    except ArchiveError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)


@click.group(context_settings={"max_content_width": 100})
@click.version_option(package_name="xxgk-archive")
def cli() -> None:
    """xxgk-archive: crawl, parse and archive 政府信息公开工作年度报告.

    Every command that works on an archive takes --db (default: archive.db in the current
    folder, or $XXGK_DB). Only run, crawl and import create an archive; build and serve
    refuse a path where there is none. docs/cli.md has every option and exit code.

    \b
    Examples:
      xxgk run --serve                      the demo: crawl, build, serve on :8001
      xxgk import ~/Downloads/reports/      add your own files and parse them
      xxgk serve --db mine.db               browse an archive
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--indent", type=click.IntRange(min=0), default=None, metavar="N",
              help="Indent each object by N spaces (pretty-printed, so no longer one object "
                   "per line).  [default: none, JSON Lines]")
@click.option("--summary", is_flag=True,
              help="Leave out facts and sections; keep metadata, values and checks.")
def parse(paths: tuple[Path, ...], indent: int | None, summary: bool) -> None:
    """Parse report documents (HTML, text, PDF, DOCX) and print one JSON object per document.

    Folders are searched. Nothing is written to any archive. A document that cannot be read
    gives an object with "error" and the reason; the command goes on with the rest and
    exits 0.

    \b
    Examples:
      xxgk parse report.pdf
      xxgk parse ~/Downloads/reports/ --summary | jq .values
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
@click.option("--gold", "gold_dir", type=click.Path(file_okay=False, path_type=Path),
              default=settings.GOLD_DIR, show_default=True,
              help="Folder of gold files (one JSON answer key per corpus document).")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path),
              default=settings.CORPUS_DIR, show_default=True,
              help="Folder of the documents the gold files name.")
@click.option("--dev", "dev_dir", type=click.Path(file_okay=False, path_type=Path),
              default=settings.DEV_DIR, show_default=True,
              help="The dev set (gold/ and raw/: excerpts of other publishers), scored too "
                   "where it exists.")
@click.option("--heldout", "heldout_dirs", type=click.Path(file_okay=False, path_type=Path),
              multiple=True,
              help="Also score a hand-written set in the dev format (fixtures/heldout, "
                   "fixtures/heldout2); repeatable. [default: none]")
@click.option("-v", "--verbose", is_flag=True, help="List every missed, extra and wrong item.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary figures as JSON.")
def eval_command(
    gold_dir: Path, corpus_dir: Path, dev_dir: Path, heldout_dirs: tuple[Path, ...],
    verbose: bool, as_json: bool,
) -> None:
    """Score the parser against the gold files: values per era and method, sections, cells.

    Reads no archive: it parses the corpus documents afresh.

    \b
    Examples:
      xxgk eval
      xxgk eval -v --corpus ../shared/corpus
      xxgk eval --json | jq .eras
      xxgk eval --heldout fixtures/heldout --heldout fixtures/heldout2
    """
    from parser.eval_report import report, summary
    from parser.evaluate import evaluate, evaluate_dev

    for name, folder in (("gold", gold_dir), ("corpus", corpus_dir)):
        if not folder.is_dir():
            raise click.ClickException(f"{name} folder not found: {folder}")
    scores = evaluate(gold_dir, corpus_dir)
    if dev_dir.is_dir():
        scores += evaluate_dev(dev_dir, gold_dir / "dev_disputes.tsv")
    for folder in heldout_dirs:
        scores += evaluate_dev(folder, source="heldout")
    if as_json:
        click.echo(json.dumps(summary(scores), ensure_ascii=False, indent=2))
    else:
        click.echo(report(scores, verbose=verbose))


# --- crawler (scraper/) -------------------------------------------------------------------
DELAY_HELP = (f"Seconds between two requests to one host (never less than robots.txt's "
              f"Crawl-delay).  [default: {settings.CRAWL_DELAY} s; "
              f"{settings.DEMO_CRAWL_DELAY} s for the demo site]")


@cli.command("crawl")
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

    target = _archive(archive_to_write, db_path)
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


@cli.group("sources")
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


@cli.command("run")
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
    from xxgk.jobs import run_job, serve_archive, setup_logging

    target = _archive(archive_to_write, db_path)
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
        serve_archive(outcome.archive, port)
    sys.exit(outcome.exit_code)


# --- archive (archive/) ------------------------------------------------------------------
@cli.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@db_option("The archive to add to; created if it does not exist.")
@click.option("--publisher-hint", default=None, metavar="NAME",
              help="The government the files come from (e.g. 淮安市洪泽区人民政府), for "
                   "reports that name only a department or nobody.  [default: none]")
@quiet_option
@json_option
def import_command(paths: tuple[Path, ...], db_path: Path, publisher_hint: str | None,
                   quiet: bool, as_json: bool) -> None:
    """Add local files (a folder imports every document in it) and parse them.

    Every file is stored with its provenance (the same bytes once). Then the archive is
    built and the summary says what each file is: a report, not a report (a notice, a blank
    template, a listing page …, with the reason: kept, but never filed as a report), or
    unreadable.

    \b
    Exit codes: 0 nothing lost, 1 some files unreadable (named), 2 none readable, no
    documents found, or an unusable --db.

    \b
    Examples:
      xxgk import ~/Downloads/reports/
      xxgk import 2023.pdf --publisher-hint 淮安市洪泽区人民政府 --db hongze.db
    """
    import sqlite_utils

    from archive.importer import import_paths
    from parser.load import DOCUMENT_SUFFIXES, iter_document_paths

    if not any(True for _ in iter_document_paths(paths)):
        click.echo(f"Error: no documents found in {', '.join(map(str, paths))} (read: "
                   f"{' '.join(sorted(DOCUMENT_SUFFIXES))}); nothing was imported", err=True)
        sys.exit(2)
    target = _archive(archive_to_write, db_path)
    stats = import_paths(sqlite_utils.Database(target.path), paths,
                         publisher_hint=publisher_hint, progress=not (quiet or as_json),
                         build=True)
    text = stats.summary()
    if not target.exists:
        text = created_message(target.path) + "\n" + text
    data = {"archive": str(target.path), "created": not target.exists, **stats.to_dict()}
    finish(text, data, stats.exit_code, quiet=quiet, as_json=as_json, problems=text)


@cli.command("build")
@db_option("The archive to build; it must exist.")
@click.option("--force", is_flag=True,
              help="Re-parse every stored document, not only new or stale ones.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Parse on the workers of this Dask distributed scheduler (e.g. "
                   "tcp://10.0.0.5:8786; the [cluster] extra); the archive is the same as a "
                   "local build's.  [default: none, local processes]")
@click.option("--per-year", "per_year_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR",
              help="Write each report year to its own archive, DIR/<name>-<year>.db "
                   "(DIR/<name>-undated.db for the rest), reading the documents of --db; "
                   "serve them together with xxgk serve --db … --db ….  [default: none, "
                   "build --db itself]")
@quiet_option
@json_option
def build_command(db_path: Path, force: bool, scheduler: str | None, per_year_dir: Path | None,
                  quiet: bool, as_json: bool) -> None:
    """Parse every stored document that is new or whose parser version changed.

    Re-running it with nothing new changes nothing. Documents that are not reports are
    counted by reason and named; those that cannot be read are named (table `parses`
    keeps both, with the reason).

    \b
    Exit codes: 0 nothing lost, 1 some documents unreadable, 2 none readable or no
    archive at --db.

    \b
    Examples:
      xxgk build
      xxgk build --db 2024.db --quiet        (cron: prints only what went wrong)
      xxgk build --scheduler tcp://127.0.0.1:8786     (parse on a Dask cluster)
      xxgk build --db store.db --per-year years/      (years/store-2023.db, …)
    """
    import sqlite_utils

    from archive.build import build
    from archive.per_year import build_per_year

    target = _archive(existing_archive, db_path)
    try:
        if per_year_dir is not None:
            stats = build_per_year(sqlite_utils.Database(target.path), per_year_dir,
                                   progress=not (quiet or as_json), force=force,
                                   scheduler=scheduler)
        else:
            stats = build(sqlite_utils.Database(target.path), progress=not (quiet or as_json),
                          force=force, scheduler=scheduler)
    except (RuntimeError, ValueError) as exc:
        from archive.distributed import SchedulerError
        from archive.per_year import PerYearError

        if not isinstance(exc, SchedulerError | PerYearError):
            raise
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    finish(stats.summary(), stats.to_dict(), stats.exit_code, quiet=quiet, as_json=as_json,
           problems=stats.summary())


@cli.command("export")
@db_option("The archive to export; it must exist.")
@click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, metavar="DIR",
              help="Folder to write: reports/, values/, facts/, checks/, publishers/ as "
                   "Parquet partitioned by report_year and province, and schema.json.")
@quiet_option
@json_option
def export_command(db_path: Path, parquet_dir: Path, quiet: bool, as_json: bool) -> None:
    """Export the archive as Parquet for DuckDB, pandas, R or Spark (docs/export.md).

    Reports, values with their evidence, facts, checks with their kind, and publishers;
    every column typed and described (Parquet field metadata and DIR/schema.json). A new
    export replaces the previous one in DIR table by table.

    \b
    Examples:
      xxgk export --parquet export/
      duckdb -c "select report_year, count(*) from read_parquet('export/reports/*/*/*.parquet',
        hive_partitioning = true) group by 1"
    """
    from archive.export import export_parquet

    target = _archive(existing_archive, db_path)
    stats = export_parquet(target.path, parquet_dir)
    finish(stats.summary(parquet_dir), {"archive": str(target.path), "out": str(parquet_dir),
                                        "rows": stats.rows, "files": stats.files,
                                        "bytes": stats.bytes}, 0,
           quiet=quiet, as_json=as_json, problems="")


@cli.command("serve")
@click.option("--db", "db_paths", type=click.Path(dir_okay=False, path_type=Path),
              multiple=True, default=[settings.DEFAULT_DB], envvar=settings.DB_ENVVAR,
              show_envvar=True, show_default="archive.db in the current folder",
              help="The archive (it must exist); repeat it to serve several (one per year) "
                   "with SQL across them.")
@click.option("--port", type=click.IntRange(1, 65535), metavar="PORT",
              default=settings.DATASETTE_PORT,
              show_default=True, help="TCP port to listen on.")
@click.option("--host", default=settings.DATASETTE_HOST, show_default=True,
              help="Address to listen on (loopback only by default; put a reverse proxy in "
                   "front to publish).")
@click.option("--mutable", is_flag=True,
              help="Open read-only but not immutable (while a build may still write to it).")
def serve_command(db_paths: tuple[Path, ...], port: int, host: str, mutable: bool) -> None:
    """Serve the archive with Datasette (read-only): saved queries, report pages, charts.

    Warns when an archive holds no reports yet.

    \b
    Examples:
      xxgk serve
      xxgk serve --db 2023.db --db 2024.db --port 8002
    """
    from archive.serve import serve
    from xxgk.output import no_reports_warning

    paths = [_archive(existing_archive, p).path for p in db_paths]
    for path in paths:
        if warning := no_reports_warning(path):
            click.echo(warning, err=True)
    click.echo(f"serving {', '.join(map(str, paths))} at http://{host}:{port}/ (Ctrl-C stops)")
    serve(paths, port=port, host=host, immutable=not mutable)


if __name__ == "__main__":
    cli()
