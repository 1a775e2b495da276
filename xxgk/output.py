"""How a command ends: a summary for a person, one JSON object for a script, or silence
for cron unless something went wrong; and the exit code that says which.

    (default)  the summary on stdout
    --quiet    nothing on success; the summary on stderr when the exit code is not 0
    --json     one JSON object on stdout (the same figures, every name listed), nothing else
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

quiet_option = click.option(
    "-q", "--quiet", is_flag=True,
    help="Print nothing (no progress bar either) unless something went wrong; then the "
         "summary goes to stderr. For cron.")
json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="Print the summary as one JSON object on stdout (every name listed), and nothing "
         "else there; no progress bar.")


def finish(text: str, data: dict[str, Any], exit_code: int, *, quiet: bool, as_json: bool,
           problems: str) -> None:
    """Print the command's summary the way it was asked for and exit with `exit_code`."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    elif not quiet:
        click.echo(text)
    elif exit_code:
        click.echo(problems, err=True)
    sys.exit(exit_code)


def no_reports_warning(path: Path) -> str | None:
    """What `xxgk serve` says about an archive with nothing to show (None when it has
    reports)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        has_table = conn.execute("select 1 from sqlite_master where type = 'table' "
                                 "and name = 'reports'").fetchone()
        reports = conn.execute("select count(*) from reports").fetchone()[0] if has_table else 0
        documents = conn.execute("select count(*) from documents").fetchone()[0]
    finally:
        conn.close()
    if reports:
        return None
    if documents:
        return (f"warning: {path} holds {documents} documents but no reports: run "
                "`xxgk build` on it, or see table parses for why none is a report")
    return (f"warning: {path} holds no reports yet: add some with `xxgk import PATH...` "
            "or `xxgk run`")
