"""The heap a long job starts with, frozen out of the garbage collector's walks while it runs.

CPython's cyclic collector walks every tracked object of its oldest generation at each full
collection. A build's writer process starts with tens of thousands of such objects that it
keeps to the end (its imports: sqlite-utils imports pandas and numpy), and walking them again
and again was a tenth of its CPU: 1.09 of 11.1 s on the national mix's 2,000 reports, 0.40 s
with them frozen (docs/decisions.md). `gc.freeze()` moves them to a permanent generation the
collector skips; `gc.unfreeze()` gives them back when the job ends, so a process that runs
many jobs (a test session, a server) does not keep their garbage.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze what is alive now (after collecting what is garbage now) until the block ends."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
