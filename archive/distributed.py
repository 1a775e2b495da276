"""`xxgk build --scheduler ADDRESS`: parse on the workers of a Dask distributed cluster.

The local build parses in worker processes and writes in document order (archive/parse_pool.py);
this module keeps that contract with a cluster in place of the process pool. The writer (this
process) reads each document's bytes and provenance from the archive and submits them, a few
documents per task, to the cluster; it keeps at most a window of documents in flight and takes
the results back in document order, so the one writer writes exactly what a local build writes,
byte for byte. Workers need no access to the archive file: everything a parse reads travels with
the task (`parsing.parse_stored`).

Three things a thread pool on a remote machine would otherwise change, and how they are kept:

- The per-document CPU-time cap (parser/time_cap.py) is a signal, armed only in a main thread;
  a Dask worker runs tasks in threads. Each worker therefore hands its tasks to a small process
  pool of its own (one process per worker thread), where the parse runs in the main thread
  under the cap, as in the local build's worker processes.
- A report page's `<img src>` is read by OCR from the archive's store. A worker cannot read the
  store, so it records what the parser asked for; when the store holds any of it, the writer
  sends the document again with those bytes (a few pages in a hundred carry images).
- A worker with another parser, other rule data or other settings would file different
  results. Every task returns the worker's fingerprint (build version, settings, whether the
  cap is armed), and the build stops before writing a result whose fingerprint is not this
  process's own.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlite_utils

from archive.parsing import Parsed, parse_stored, provenance, slim, stored_resources
from archive.store import get_bytes
from archive.version import build_version
from xxgk import settings


class SchedulerError(RuntimeError):
    """The cluster cannot be used (unreachable, no workers, another parser on a worker)."""


@dataclass
class Job:
    """One document as a worker parses it: its bytes, provenance and the images it names."""

    document_id: str
    data: bytes
    prov: dict
    resources: dict[str, bytes | None] | None = None


@cache
def fingerprint() -> str:
    """What must be equal on the writer and every worker for their parses to be the same."""
    from parser.time_cap import can_cap

    settings_hash = hashlib.sha256(Path(settings.__file__).read_bytes()).hexdigest()[:12]
    return f"{build_version()} settings {settings_hash} cap {int(can_cap())}"


def _writer_fingerprint() -> str:
    """The fingerprint a worker process reports: the cap is armed there (a main thread)."""
    return fingerprint().rsplit(" cap ", 1)[0] + " cap 1"


def parse_jobs(jobs: list[Job]) -> tuple[str, list[tuple[Parsed, float, list[str]]]]:
    """Parse jobs in this process (a worker's pool process): (fingerprint, [(slim Parsed,
    parse seconds, the srcs the parser asked the store for)])."""
    out = []
    for job in jobs:
        asked: list[str] = []

        def get(src: str, job: Job = job, asked: list[str] = asked) -> bytes | None:
            asked.append(src)
            return (job.resources or {}).get(src)

        t0 = time.perf_counter()
        parsed = parse_stored(job.document_id, job.data, job.prov, get)
        out.append((slim(parsed), time.perf_counter() - t0, asked))
    return fingerprint(), out


_pool = None
_pool_lock = threading.Lock()


def _process_pool():
    """This worker's parse processes (one per worker thread), made on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            try:
                from distributed import get_worker

                size = get_worker().state.nthreads
            except (ImportError, ValueError):
                size = 1
            # spawn: forking a process that runs an event loop and threads is unsafe, and a
            # spawned process's parent is this worker, so it can die with it (_start_process)
            _pool = ProcessPoolExecutor(
                size, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_process,
                max_tasks_per_child=settings.BUILD_WORKER_MAX_TASKS)
        return _pool


def _start_process() -> None:
    """A new parse process: tied to its worker's life, and with the parser's libraries loaded
    before its first document, outside that document's CPU-time cap, and frozen out of the
    garbage collector's walks (parser/warm.py)."""
    from parser.warm import start_parse_process

    _die_with_parent()
    start_parse_process()


def _die_with_parent() -> None:
    """Linux: end this parse process when its worker ends, even when the worker is killed
    (the nanny kills a worker that does not stop in time); an orphan would wait forever."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _close_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


try:  # the [cluster] extra; without it connect() says what to install
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover
    WorkerPlugin = object  # type: ignore[misc,assignment]  # a stand-in: no plugin is made


class PoolPlugin(WorkerPlugin):
    """Dask worker plugin: stops the worker's parse processes when the worker closes."""

    name = "xxgk-parse-pool"

    def teardown(self, worker) -> None:
        _close_pool()


class WorkerSetupError(RuntimeError):
    """A worker cannot start its parse processes (raised on the worker, re-raised here)."""


DAEMON_HELP = ("the Dask worker processes are daemonic, and a daemonic process may not start "
               "the parse processes that arm the CPU-time cap: start the workers with "
               "DASK_DISTRIBUTED__WORKER__DAEMON=False (docs/performance.md, 'Parsing on a "
               "cluster')")


def run_chunk(jobs: list[Job]) -> tuple[str, list[tuple[Parsed, float, list[str]]]]:
    """The Dask task: parse `jobs` in this worker's process pool (see the module docstring)."""
    global _pool
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    if multiprocessing.current_process().daemon:
        raise WorkerSetupError(DAEMON_HELP)
    try:
        return _process_pool().submit(parse_jobs, jobs).result()
    except BrokenProcessPool:  # a parse process died (out of memory, a crash in a library)
        with _pool_lock:
            _pool = None
        raise  # the task fails; Dask retries it (settings.DISTRIBUTED_RETRIES)


def connect(address: str):
    """A client of the scheduler at `address`, with at least one worker; SchedulerError else."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise SchedulerError(
            "--scheduler needs Dask distributed: pip install 'xxgk-archive[cluster]'") from exc
    timeout = settings.DISTRIBUTED_CONNECT_SECONDS
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise SchedulerError(f"the Dask scheduler at {address} has no workers "
                             f"(waited {timeout:g} s)") from exc
    client.register_plugin(PoolPlugin(), name=PoolPlugin.name)
    return client


def cluster_threads(client) -> int:
    """Worker threads in the cluster now (each parses one document at a time)."""
    return sum(client.nthreads().values()) or 1


# Documents submitted to the cluster and not yet handed to the writer (a test reads it).
in_flight = [0]


def parsed_stream(db: sqlite_utils.Database, todo: list[str], address: str,
                  stats=None) -> Iterator[tuple[Parsed, float]]:
    """Yield (Parsed, parse seconds) for `todo` in order, parsed on the cluster at `address`.

    At most settings.BUILD_PARSE_WINDOW documents (or 2 chunks per worker thread, if more)
    are in flight ahead of the writer; closing the generator cancels what is still queued."""
    client = connect(address)
    futures: deque = deque()
    try:
        threads = cluster_threads(client)
        if stats is not None:
            stats.workers = threads
        chunk = settings.DISTRIBUTED_CHUNK
        window = max(settings.BUILD_PARSE_WINDOW, 2 * threads * chunk)
        run = uuid.uuid4().hex[:12]
        want = _writer_fingerprint()
        pending = iter(range(0, len(todo), chunk))
        in_flight[0] = 0

        def submit(ids: list[str], resources: dict | None = None):
            jobs = [_job(db, d, resources) for d in ids]
            return client.submit(run_chunk, jobs, key=f"xxgk-parse-{run}-{ids[0][:16]}-"
                                 f"{uuid.uuid4().hex[:6]}", pure=False,
                                 retries=settings.DISTRIBUTED_RETRIES)

        def fill() -> None:
            while in_flight[0] < window:
                start = next(pending, None)
                if start is None:
                    return
                ids = todo[start:start + chunk]
                futures.append((ids, submit(ids)))
                in_flight[0] += len(ids)

        fill()
        while futures:
            ids, future = futures.popleft()
            try:
                results = _checked(future.result(), want)
            except WorkerSetupError as exc:
                raise SchedulerError(str(exc)) from None
            in_flight[0] -= len(ids)
            fill()
            for parsed, seconds, asked in results:
                yield _with_resources(db, parsed, seconds, asked, submit, want)
    finally:
        if futures:
            client.cancel([f for _, f in futures])
        client.close()


def _job(db: sqlite_utils.Database, document_id: str, resources: dict | None) -> Job:
    return Job(document_id, get_bytes(db, document_id), provenance(db, document_id),
               resources)


def _checked(answer, want: str) -> list:
    got, results = answer
    if got != want:
        raise SchedulerError(
            f"a worker parses with {got!r}, this build with {want!r}: install the same "
            "xxgk-archive (code, rule data and settings) on every worker")
    return results


def _with_resources(db, parsed: Parsed, seconds: float, asked: list[str], submit,
                    want: str) -> tuple[Parsed, float]:
    """The parse a local build makes: again with the store's bytes when the page named
    images that the store holds (the worker had none of them)."""
    if not asked:
        return parsed, seconds
    prov = provenance(db, parsed.document_id)
    lookup = stored_resources(db, prov["url"])
    resources: dict[str, bytes | None] = {}
    for _round in range(3):  # the second parse asks for the same images, in the same order
        missing = [src for src in dict.fromkeys(asked) if src not in resources]
        if not missing:
            break
        resources.update({src: lookup(src) for src in missing})
        if not any(resources.values()):
            break  # nothing stored: the first parse had the right answer (None) for each
        (parsed, seconds, asked), = _checked(submit([parsed.document_id], resources).result(),
                                             want)
    return parsed, seconds
