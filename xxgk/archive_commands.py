"""The archive's commands: `xxgk import`, `xxgk build`, `xxgk export` and `xxgk serve`.

Apart from the other commands because each works on an archive that exists (or, for import,
is created) and calls one function of archive/.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from xxgk import settings
from xxgk.archive_file import archive_to_write, created_message, existing_archive
from xxgk.db_option import checked_archive, db_option
from xxgk.output import finish, json_option, quiet_option


@click.command("import")
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
    target = checked_archive(archive_to_write, db_path)
    stats = import_paths(sqlite_utils.Database(target.path), paths,
                         publisher_hint=publisher_hint, progress=not (quiet or as_json),
                         build=True)
    text = stats.summary()
    if not target.exists:
        text = created_message(target.path) + "\n" + text
    data = {"archive": str(target.path), "created": not target.exists, **stats.to_dict()}
    finish(text, data, stats.exit_code, quiet=quiet, as_json=as_json, problems=text)


@click.command("build")
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
    from archive.build_stats import BuildStats
    from archive.per_year import build_per_year

    target = checked_archive(existing_archive, db_path)
    stats: BuildStats  # a PerYearStats with --per-year
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


@click.command("export")
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

    target = checked_archive(existing_archive, db_path)
    stats = export_parquet(target.path, parquet_dir)
    finish(stats.summary(parquet_dir), {"archive": str(target.path), "out": str(parquet_dir),
                                        "rows": stats.rows, "files": stats.files,
                                        "bytes": stats.bytes}, 0,
           quiet=quiet, as_json=as_json, problems="")


@click.command("serve")
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

    paths = [checked_archive(existing_archive, p).path for p in db_paths]
    for path in paths:
        if warning := no_reports_warning(path):
            click.echo(warning, err=True)
    checked_port(host, port)  # before "serving …" is printed
    click.echo(f"serving {', '.join(map(str, paths))} at http://{host}:{port}/ (Ctrl-C stops)")
    checked_port(host, port, lambda: serve(paths, port=port, host=host,
                                           immutable=not mutable))


def checked_port(host: str, port: int, server: Callable[[], None] | None = None) -> None:
    """Check that nothing listens on host:port, or run `server` (archive.serve.serve, which
    checks the port itself as it starts): a busy port ends the command with a message that
    says what to do (archive.serve.check_port) instead of the server's log line."""
    from archive.serve import PortInUse, check_port

    try:
        if server is None:
            check_port(host, port)
        else:
            server()
    except PortInUse as exc:
        raise click.ClickException(str(exc)) from exc
