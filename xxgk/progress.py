"""Progress bars for the long commands (crawl, import, build): click's own progressbar.

A bar is drawn on stderr only when stderr is a terminal: under cron, in a pipe or in a log
file it writes nothing at all (click's bar alone would still print its label once there), so
stdout carries only the summary, and `--json` output stays one JSON object.
"""

from __future__ import annotations

import sys
from typing import Any

import click


def on_terminal() -> bool:
    stream = sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def bar(length: int, label: str, enabled: bool = True) -> Any:
    """A click progress bar of `length` steps, hidden unless enabled and on a terminal.
    Use it as a context manager and call `update(1)` per step."""
    return click.progressbar(length=max(length, 0), label=label, show_pos=True,
                             show_eta=True, file=sys.stderr,
                             hidden=not (enabled and on_terminal()))


class CallbackBar:
    """A bar driven by a `progress(done, total)` callback (the crawler's), whose total grows
    as listing pages reveal more documents."""

    def __init__(self, label: str, enabled: bool = True) -> None:
        self.label = label
        self.enabled = enabled
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = bar(total, self.label, self.enabled)
            self._bar.__enter__()
        self._bar.length = max(total, done, 1)
        if done > self._bar.pos:
            self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
