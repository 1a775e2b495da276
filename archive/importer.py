"""`xxgk import PATH...`: add local files (a PDF a researcher downloaded, a folder of them).

Each file is stored by `archive.store.add_document` with origin `import`, its absolute path
and file name as provenance and its modification time as `fetched_at` (when the researcher
got it, as near as the file system knows). A folder imports every document in it, recursively,
by the suffixes `xxgk parse` reads. Importing the same file twice stores it once.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from archive.schema import ensure_schema
from archive.store import add_document
from parser.load import iter_document_paths


@dataclass
class ImportStats:
    files: int = 0
    new: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.files} files: {self.new} new documents, {self.already} already stored"
            + (f", {len(self.skipped)} skipped" if self.skipped else "")
        )


def import_paths(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    *,
    publisher_hint: str | None = None,
    progress: bool = False,
) -> ImportStats:
    """Store every file under `paths` with its provenance; unreadable paths are listed."""
    ensure_schema(db)
    stats = ImportStats()
    files = list(iter_document_paths(Path(p) for p in paths))
    iterator: Iterable[Path] = files
    bar = None
    if progress and files:
        import click

        bar = click.progressbar(files, label="importing", show_pos=True)
        iterator = bar.__enter__()
    try:
        for path in iterator:
            try:
                data = path.read_bytes()
                mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except OSError as exc:
                stats.skipped.append(f"{path}: {exc.strerror or exc}")
                continue
            stats.files += 1
            media_type, _ = mimetypes.guess_type(path.name)
            _, is_new = add_document(
                db,
                data,
                url=None,
                path=str(path.resolve()),
                filename=path.name,
                media_type=media_type if media_type != "text/plain" else None,
                fetched_at=mtime.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                origin="import",
                publisher_hint=publisher_hint,
            )
            stats.new += is_new
            stats.already += not is_new
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return stats
