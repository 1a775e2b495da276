"""A hard cap on the CPU time one document may take, so that a hostile file cannot hold a build.

The parser's structural limits (settings: pages, inflated bytes, glyphs, table cells) refuse
the bombs we know of before the expensive work starts, and `MAX_PDF_SECONDS` is checked between
PDF pages. Neither stops a single page whose damaged content stream makes pdfminer interpret
half a million junk operators (the mutation fuzzer found such files: 4 s for a 300 KB PDF), or
a pattern nobody has thought of yet. This cap does: an `ITIMER_PROF` timer whose
SIGPROF handler raises `ParseTimeout` in the parsing thread.

Why CPU time and not the wall clock: a build on a busy laptop must not refuse a document that
an idle machine parses, or the archive would depend on the load. Why a signal: a thread cannot
be stopped in Python, and a process per document costs more than most documents take. Python
runs signal handlers in the main thread only, which is where the CLI, the build's worker
processes and the fuzzer parse; elsewhere (a thread) the cap is not armed and the structural
limits and the between-pages deadline still hold.

`ParseTimeout` derives from BaseException on purpose: the loaders turn library exceptions into
"broken PDF: …" messages with `except Exception`, and a timeout must not be reported as damage.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ParseTimeout(BaseException):
    """The document used up its CPU-time cap."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"over the {seconds:g} s CPU-time cap for one document")
        self.seconds = seconds


def can_cap() -> bool:
    """True where the cap can be armed: a POSIX main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


# After the cap, the signal repeats this often (CPU seconds): a ParseTimeout raised where
# Python cannot propagate it (a __del__ or weakref callback run by the garbage collector only
# prints "Exception ignored") is raised again at the next tick instead of being lost.
REPEAT_SECONDS = 0.05


@contextmanager
def cpu_time_cap(seconds: float | None) -> Iterator[None]:
    """Raise ParseTimeout inside the block once it has used `seconds` of CPU time.

    A no-op when `seconds` is falsy or the cap cannot be armed here (see can_cap). Caps do not
    nest: leaving an inner cap ends an outer one (the parser arms one per document, at the top).
    """
    if not seconds or not can_cap():
        yield
        return
    armed = True

    def on_timer(signum: int, frame: object) -> None:
        if armed:  # once the block is being left (armed is False) a late tick is ignored
            raise ParseTimeout(seconds)

    previous = signal.signal(signal.SIGPROF, on_timer)
    signal.setitimer(signal.ITIMER_PROF, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        # None: a handler installed from C, which Python cannot put back; the default it is
        signal.signal(signal.SIGPROF, previous if previous is not None else signal.SIG_DFL)


def extend(seconds: float) -> None:
    """Give the cap armed in this thread `seconds` more CPU time (no-op where none is armed).

    For work that is legitimately slow and bounded by its own limits: OCR of a scanned page
    takes seconds of CPU (settings.OCR_CPU_SECONDS_PER_PAGE per page, at most
    settings.OCR_MAX_PAGES pages), where a text page takes milliseconds.
    """
    if seconds <= 0 or not can_cap():
        return
    remaining, interval = signal.getitimer(signal.ITIMER_PROF)
    if remaining > 0:
        signal.setitimer(signal.ITIMER_PROF, remaining + seconds, interval)
