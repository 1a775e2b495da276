"""The build's parse workers take their own SQLite locks and start warm (archive/parse_pool.py).

The pool replaces a worker every BUILD_WORKER_MAX_TASKS documents, at any moment of the
writer's transactions. A worker forked from the writer while it held a write lock inherited
SQLite's record of that lock, read without a lock of its own, and the writer committed pages
under it ("database disk image is malformed" at ~24,600 of 130,000 reports). Here the writer
holds its lock while a worker starts and opens a read transaction: the writer's commit must
wait for that reader. Workers are forked from a fork server that has loaded the readers and
jieba's dictionary once (parser/warm.py), so a worker has them before its first document.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import parse_pool


def _hold_a_read(path: str, started, release) -> None:
    """In a worker: open a read transaction, say so, keep it open until released."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, isolation_level=None)
    conn.execute("begin")
    started.put(conn.execute("select count(*) from t").fetchone()[0])
    release.wait(30)
    conn.close()


def test_a_worker_started_during_a_write_holds_a_real_read_lock(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    writer = sqlite3.connect(path, timeout=0.3, isolation_level=None)
    writer.execute("create table t (x)")
    writer.execute("insert into t values (1)")
    writer.execute("begin immediate")  # the writer's RESERVED lock, as inside a write batch
    writer.execute("insert into t values (2)")
    ctx = parse_pool.pool_context()
    started, release = ctx.Queue(), ctx.Event()
    worker = ctx.Process(target=_hold_a_read, args=(str(path), started, release))
    worker.start()
    try:
        assert started.get(timeout=60) == 1  # the worker sees the last committed state
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            writer.execute("commit")  # a forked worker let this through
    finally:
        release.set()
        worker.join(30)
    writer.execute("commit")  # the reader is gone: now it goes through
    assert writer.execute("select count(*) from t").fetchone()[0] == 2


def _loaded(out) -> None:
    """In a worker, before any document: what is loaded already, and how much of the heap
    the garbage collector skips."""
    import gc
    import sys

    from parser import labels

    out.put((labels._segmenter.cache_info().currsize,
             sorted(m for m in ("docx", "pdfplumber", "parser.pdf_text") if m in sys.modules),
             gc.get_freeze_count() > 10_000))


@pytest.mark.skipif("forkserver" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="no fork server on this platform: workers are spawned and warm up "
                           "in their initializer")
def test_a_worker_starts_with_the_parser_loaded() -> None:
    """The fork server warms up once (archive/parse_preload.py): a worker forked from it has
    jieba's dictionary and the PDF and DOCX readers before its first document, frozen out of
    the garbage collector's walks."""
    ctx = parse_pool.pool_context()
    out = ctx.Queue()
    worker = ctx.Process(target=_loaded, args=(out,))
    worker.start()
    try:
        assert out.get(timeout=60) == (1, ["docx", "parser.pdf_text", "pdfplumber"], True)
    finally:
        worker.join(30)
