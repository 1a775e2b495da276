"""`xxgk import PATH...`: add local files (a PDF a researcher downloaded, a folder of them).

Each file is stored by `archive.store.add_document` with origin `import`, its absolute path
and file name as provenance and its modification time as `fetched_at` (when the researcher
got it, as near as the file system knows). A folder imports every document in it, recursively,
by the suffixes `xxgk parse` reads. Importing the same file twice stores it once.

`xxgk import` then builds the archive (`build=True`), so that it ends by saying what each
file turned out to be: a report, not a report (a notice, a blank template, a listing page …, with
the reason), or unreadable. Every file is kept with its provenance whatever it is; only the
reports become rows of `reports`. A folder of downloads therefore cannot put a notice into
the rankings, and nothing is silently dropped.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.build_stats import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PARTIAL,
    BuildStats,
    count_reasons,
    named,
    reason_kind,
)
from archive.schema import ensure_schema
from archive.store import add_document
from parser.load import iter_document_paths

REPORT, NOT_REPORT, UNREADABLE = "report", "not_report", "unreadable"


@dataclass
class ImportedFile:
    """One file of an import and what it turned out to be."""

    path: str  # as found under the paths given
    document_id: str | None = None  # None when the file could not be read from disk
    new: bool = False
    status: str | None = None  # report | not_report | unreadable (None: not built yet)
    reason: str | None = None
    report_key: str | None = None


@dataclass
class ImportStats:
    items: list[ImportedFile] = field(default_factory=list)
    build: BuildStats | None = None

    @property
    def files(self) -> int:
        return len(self.items)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.items)

    @property
    def already(self) -> int:
        return sum(1 for f in self.items if f.document_id and not f.new)

    @property
    def skipped(self) -> list[str]:
        """Files that could not be read from disk (not stored)."""
        return [f"{f.path}: {f.reason}" for f in self.items if f.document_id is None]

    def of(self, status: str) -> list[ImportedFile]:
        return [f for f in self.items if f.status == status]

    @property
    def exit_code(self) -> int:
        lost = len(self.of(UNREADABLE))
        code = EXIT_OK if not lost else EXIT_FAILED if lost == len(self.items) else EXIT_PARTIAL
        return max(code, self.build.exit_code if self.build else EXIT_OK)

    def summary(self) -> str:
        lines = [f"{len(self.items)} files: {self.new} new documents, {self.already} already "
                 "stored" + (f", {len(self.skipped)} not readable from disk"
                             if self.skipped else "")]
        if self.build is None:
            lines.append("not parsed yet: run xxgk build")
            return "\n".join(lines)
        reports, others, lost = self.of(REPORT), self.of(NOT_REPORT), self.of(UNREADABLE)
        lines.append(f"{len(reports)} reports, {len(others)} not reports, "
                     f"{len(lost)} unreadable")
        if others:
            lines.append("not reports (stored, not filed as reports): "
                         + count_reasons([f.reason or "" for f in others]))
            lines += named([(f.path, f.reason or "") for f in others])
        if lost:
            lines.append(f"unreadable ({len(lost)}):")
            lines += named([(f.path, f.reason or "") for f in lost])
        lines.append("build: " + self.build.headline())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.items),
            "new_documents": self.new,
            "already_stored": self.already,
            "reports": len(self.of(REPORT)),
            "not_reports": len(self.of(NOT_REPORT)),
            "not_report_reasons": {
                kind: sum(1 for f in self.of(NOT_REPORT) if reason_kind(f.reason or "") == kind)
                for kind in sorted({reason_kind(f.reason or "") for f in self.of(NOT_REPORT)})},
            "unreadable": len(self.of(UNREADABLE)),
            "documents": [
                {"path": f.path, "document_id": f.document_id, "new": f.new,
                 "status": f.status, "reason": f.reason, "report_key": f.report_key}
                for f in self.items],
            "build": self.build.to_dict() if self.build else None,
            "exit_code": self.exit_code,
        }


def import_paths(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    *,
    publisher_hint: str | None = None,
    progress: bool = False,
    build: bool = False,
) -> ImportStats:
    """Store every file under `paths` with its provenance, and with `build` (what `xxgk
    import` does) parse what is new and say what each file is. Files that cannot be read are
    listed, never fatal."""
    from xxgk.progress import bar

    ensure_schema(db)
    stats = ImportStats()
    files = list(iter_document_paths(Path(p) for p in paths))
    with bar(len(files), "importing", enabled=progress) as shown:
        for path in files:
            stats.items.append(_store(db, path, publisher_hint))
            shown.update(1)
    if build:
        from archive.build import build as build_archive

        stats.build = build_archive(db, progress=progress)
        _classify(db, stats.items)
    return stats


def _store(db: sqlite_utils.Database, path: Path, publisher_hint: str | None) -> ImportedFile:
    item = ImportedFile(str(path))
    try:
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        item.status, item.reason = UNREADABLE, f"not stored: {exc.strerror or exc}"
        return item
    media_type, _ = mimetypes.guess_type(path.name)
    item.document_id, item.new = add_document(
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
    return item


def _classify(db: sqlite_utils.Database, files: list[ImportedFile]) -> None:
    """Each stored file's status from its document's parse."""
    for item in files:
        if item.document_id is None:
            continue
        row = db.execute("select status, reason, report_key from parses where document_id = ?",
                         [item.document_id]).fetchone()
        if row is None:  # not parsed (cannot happen after a build; said rather than hidden)
            item.status, item.reason = UNREADABLE, "stored but not parsed"
            continue
        status, reason, key = row
        item.status = {"error": UNREADABLE}.get(status, status)
        item.reason, item.report_key = reason, key
