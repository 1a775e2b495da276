"""The `--db` option of the commands that work on one archive, and the archive check that
turns a refused path into a message and an exit code instead of a traceback.

Apart from the commands because the crawler's commands and the archive's use both the same
way; which path is refused, and why, is xxgk/archive_file.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from xxgk import settings
from xxgk.archive_file import ArchiveError

T = TypeVar("T")


def db_option(help_text: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        default=settings.DEFAULT_DB, envvar=settings.DB_ENVVAR, show_envvar=True,
        show_default="archive.db in the current folder", help=help_text, **kwargs)


def checked_archive(check: Callable[[Path], T], path: Path) -> T:
    """Run an archive_file check; its failure is a message and exit code, not a traceback."""
    try:
        return check(path)
    except ArchiveError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
