"""Parsed documents in document order, from worker processes (or a Dask cluster).

Parsing is pure CPU on bytes read from the archive, so it spreads over processes: each worker
opens the database read-only and parses document ids in the order given; `imap` hands the
results back in that same order, so the single writer writes exactly what a sequential build
writes (same ids, byte-identical tables) and keeps the transactions and their crash safety.
`parse_stream` chooses between this pool and the workers of a Dask cluster
(archive/distributed.py). The pool is apart from the parsing itself (archive/parsing.py), which
the cluster's workers run without it, and from the writer, which only consumes the stream.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import time

import sqlite_utils

from archive.build_stats import BuildStats
from archive.parsing import Parsed, parse_document, slim
from xxgk import settings

_worker_db: sqlite_utils.Database | None = None


def db_file(db: sqlite_utils.Database) -> str | None:
    """The file behind a connection (None for an in-memory or temporary database)."""
    for _seq, name, file in db.execute("pragma database_list").fetchall():
        if name == "main":
            return file or None
    return None


def pool_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: from a fork server where the platform has one (Linux), else
    spawned; never forked from the writer.

    A child forked from a process with an open SQLite connection inherits SQLite's record of
    the locks that process holds on the file (SQLite: do not carry a connection across
    fork()). A connection the child then opens to the same file shares that record: forked
    while the writer held its RESERVED lock (a write transaction not yet committed), the child
    read without taking a real lock, and the writer committed pages under it. The pool replaces
    a worker every BUILD_WORKER_MAX_TASKS documents, at any moment of the writer's
    transactions, so at national size a worker read a half-written page: "database disk image
    is malformed" after ~24,600 of 130,000 reports, twice (tests/test_parse_pool.py shows the
    lock). The fork server is a fresh interpreter with the parser imported and warmed up
    (archive/parse_preload.py), so a worker starts in milliseconds with its libraries loaded."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["archive.parse_pool", "archive.parse_preload"])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker_init(path: str) -> None:
    global _worker_db
    import sqlite3

    from parser.warm import start_parse_process

    start_parse_process()  # done already in a worker forked from the fork server; spawned: now

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    _worker_db = sqlite_utils.Database(conn)


def _worker_parse(document_id: str) -> tuple[Parsed, float]:
    assert _worker_db is not None
    t0 = time.perf_counter()
    parsed = parse_document(_worker_db, document_id)
    return slim(parsed), time.perf_counter() - t0


def _parsed_stream(db: sqlite_utils.Database, todo: list[str], workers: int):
    """Yield (Parsed, parse seconds) for `todo` in order, in `workers` processes when useful."""
    path = db_file(db)
    if workers <= 1 or path is None or len(todo) < settings.BUILD_PARALLEL_MIN_DOCUMENTS:
        for document_id in todo:
            t0 = time.perf_counter()
            parsed = parse_document(db, document_id)
            yield parsed, time.perf_counter() - t0
        return
    import threading

    # Back pressure: imap's feeder thread pulls document ids as fast as the workers take them,
    # and results wait in this process until the writer gets to them. The feeder may only run
    # BUILD_PARSE_WINDOW documents ahead of what has been handed to the writer. It waits with a
    # timeout so that a closed stream (an error in the writer) never leaves it blocked, which
    # would hang the pool's shutdown.
    window = threading.Semaphore(max(settings.BUILD_PARSE_WINDOW,
                                     2 * workers * settings.BUILD_PARSE_CHUNK))
    closed = threading.Event()

    def feed():
        for document_id in todo:
            while not window.acquire(timeout=0.1):
                if closed.is_set():
                    return
            if closed.is_set():
                return
            _window_fed[0] += 1
            yield document_id

    _window_fed[0] = 0
    ctx = pool_context()
    with ctx.Pool(workers, initializer=_worker_init, initargs=(path,),
                  maxtasksperchild=settings.BUILD_WORKER_MAX_TASKS) as pool:
        try:
            for result in pool.imap(_worker_parse, feed(), chunksize=settings.BUILD_PARSE_CHUNK):
                window.release()
                yield result
        finally:  # before the pool's exit, which waits for the feeder
            closed.set()


# How many document ids the last parallel stream handed to its workers (read by a test that
# checks the window holds).
_window_fed = [0]


def parse_stream(db: sqlite_utils.Database, todo: list[str], workers: int,
                 scheduler: str | None = None, stats: BuildStats | None = None):
    """(Parsed, parse seconds) for `todo` in document order: from local processes, or from
    the workers of the Dask cluster at `scheduler` (archive/distributed.py)."""
    if scheduler and todo:
        from archive import distributed

        return distributed.parsed_stream(db, todo, scheduler, stats)
    return _parsed_stream(db, todo, workers)
