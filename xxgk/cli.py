"""The `xxgk` command: one click command per Python function (the sqlite-utils way).

    xxgk run             the main job: crawl + build (+ serve)        xxgk.jobs
    xxgk crawl           fetch the registry's reports into the archive scraper.crawl
    xxgk sources check   validate a sources registry                  scraper.registry
    xxgk import PATH...  add local files to the archive, then parse   archive.importer
    xxgk build           parse new or stale stored documents          archive.build
    xxgk export          Parquet for DuckDB, pandas, R ...            archive.export
    xxgk serve           Datasette on the archive                     archive.serve
    xxgk parse PATH...   JSON Lines, one object per document          parser.parse_path
    xxgk eval            the parser against fixtures/gold             parser.evaluate

This module is the entry point (`xxgk.cli:cli`): the group, to which the commands of
xxgk/crawl_commands.py, archive_commands.py and parser_commands.py are added. Every option
shows its default and unit in --help, and docs/cli.md documents each one (a test checks).
Which archive a command may read or create is decided in xxgk/archive_file.py (the --db
option: xxgk/db_option.py); the closing summaries and exit codes in xxgk/output.py.
"""

from __future__ import annotations

import click

from xxgk.archive_commands import build_command, export_command, import_command, serve_command
from xxgk.crawl_commands import crawl_command, run_command, sources_group
from xxgk.parser_commands import eval_command, parse


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


for _command in (parse, eval_command, crawl_command, sources_group, run_command, import_command,
                build_command, export_command, serve_command):
    cli.add_command(_command)


if __name__ == "__main__":
    cli()
