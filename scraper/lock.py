"""One crawl at a time per archive: an exclusive flock next to the database.

The kernel releases a flock when its process dies, so a run killed by cron's timeout, the OOM
killer or a reboot never leaves a stale lock that would block the next run.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any


class Locked(Exception):
    """Another crawl holds the database's lock."""


class CrawlLock:
    """An exclusive flock on `<db>.lock`: released by the kernel when the process dies, so a
    killed run never leaves a stale lock behind."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self.fh: Any = None

    def __enter__(self) -> CrawlLock:
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self.fh.close()
            raise Locked(f"another crawl holds {self.path}") from exc
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()
