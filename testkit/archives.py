"""Test helper: an archive built from the real corpus once per test session, copied per use.

Building the corpus takes a few seconds; several test files need it, so the first one builds
it into pytest's session base directory and later ones copy that file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlite_utils

from archive.build import build
from archive.importer import import_paths
from xxgk import settings


def corpus_archive(base: Path, dest: Path) -> Path:
    """Copy of an archive with ../shared/corpus reports and excerpts imported and built."""
    cached = base / "corpus-archive" / "archive.db"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        db = sqlite_utils.Database(tmp)
        import_paths(db, [settings.CORPUS_DIR / "reports", settings.CORPUS_DIR / "excerpts"])
        build(db, progress=False)
        db.close()
        tmp.rename(cached)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, dest)
    return dest
