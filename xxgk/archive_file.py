"""Which file is the archive, and whether a command may read or create it.

A typo in `--db` must not look like success: the commands that read an archive (`build`,
`serve`) refuse a path where there is none, and every command refuses a file that is not an
xxgk archive (another SQLite database, a PDF given by mistake) before writing a byte to it.
Only `run`, `crawl` and `import` create an archive, and they say so. The checks open the file
read-only, so a refused file is left exactly as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

# Exit code of a command that did nothing because of its archive (click's usage errors use
# the same code): a missing archive, a file that is not one, a folder that does not exist.
EXIT_NO_ARCHIVE = 2


class ArchiveError(Exception):
    """The archive path cannot be used; the message names the path and says why."""

    exit_code = EXIT_NO_ARCHIVE


@dataclass(frozen=True)
class ArchivePath:
    path: Path  # absolute
    exists: bool


def shown(path: Path) -> str:
    """The path as messages print it: absolute, so that the user sees which folder it is in."""
    return str(Path(path).expanduser().absolute())


EMPTY = "empty"


def _inspect(path: Path) -> str | None:
    """Why the existing file at `path` is not an archive: None when it is one, EMPTY when it
    is an empty SQLite file (0 bytes, or no table at all: nothing in it to lose)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return f"cannot be opened ({exc})"
    try:
        names = {r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError:
        return "not a SQLite database"
    finally:
        conn.close()
    if not names:
        return EMPTY
    if "documents" not in names:
        return "a SQLite database without the archive's documents table"
    return None


def existing_archive(path: Path) -> ArchivePath:
    """An archive that must already exist (`build`, `serve`)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ArchiveError(
            f"no archive at {shown(path)}; create one with xxgk run or xxgk import")
    if _checked(path) == EMPTY:
        raise ArchiveError(f"no archive at {shown(path)} (an empty file); create one with "
                           "xxgk run or xxgk import")
    return ArchivePath(path.absolute(), True)


def archive_to_write(path: Path) -> ArchivePath:
    """An archive that may be created (`run`, `crawl`, `import`): an existing file must be
    an archive (or an empty file, made into one), and a new one needs an existing folder."""
    path = Path(path).expanduser()
    if path.exists():
        return ArchivePath(path.absolute(), _checked(path) != EMPTY)
    if not path.absolute().parent.is_dir():
        raise ArchiveError(
            f"cannot create an archive at {shown(path)}: the folder "
            f"{shown(path.absolute().parent)} does not exist")
    return ArchivePath(path.absolute(), False)


def _checked(path: Path) -> str | None:
    if path.is_dir():
        raise ArchiveError(f"{shown(path)} is a folder, not an archive file")
    why = _inspect(path)
    if why not in (None, EMPTY):
        raise ArchiveError(
            f"{shown(path)} is not an xxgk archive ({why}); nothing was changed")
    return why


def created_message(path: Path) -> str:
    return f"created a new archive at {shown(path)}"
