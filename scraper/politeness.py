"""Politeness: per-host download slots (delay, concurrency, AutoThrottle) and robots.txt.

This is the part of Scrapy's downloader that matters for a polite crawl, kept small: a slot
per host lets at most `concurrency` requests run at once and starts them at least `delay`
seconds apart, measured from the start of one request to the start of the next (as Scrapy's
DOWNLOAD_DELAY, without its random jitter, so the lower bound is a guarantee). AutoThrottle
moves the delay towards latency / target concurrency and doubles it when a server answers
429 or 503, never going under the configured delay or robots.txt's Crawl-delay.
robots.txt is parsed with Protego, the parser Scrapy uses.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from protego import Protego


@dataclass
class HostSlot:
    """Request timing for one host."""

    delay: float
    concurrency: int = 1
    autothrottle: bool = False
    target_concurrency: float = 1.0
    max_delay: float = 60.0
    min_delay: float = 0.0
    _next_start: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _sem: asyncio.Semaphore | None = None

    def __post_init__(self) -> None:
        self.min_delay = max(self.min_delay, self.delay)
        self._sem = asyncio.Semaphore(max(1, self.concurrency))

    async def acquire(self) -> None:
        """Wait for a free request slot and for the delay since the last request start."""
        assert self._sem is not None
        await self._sem.acquire()
        async with self._lock:
            wait = self._next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next_start = time.monotonic() + self.delay

    def release(self, latency: float | None = None, status: int | None = None) -> None:
        assert self._sem is not None
        self._sem.release()
        if not self.autothrottle:
            return
        if status in (429, 503):
            self.delay = min(self.max_delay, max(self.delay * 2, self.min_delay))
        elif latency is not None and status is not None and status < 400:
            target = latency / self.target_concurrency
            self.delay = min(self.max_delay, max(self.min_delay, (self.delay + target) / 2))

    def raise_floor(self, seconds: float) -> None:
        """A Crawl-delay from robots.txt: a floor AutoThrottle never goes under."""
        self.min_delay = max(self.min_delay, seconds)
        self.delay = max(self.delay, seconds)


class Robots:
    """robots.txt rules of one host. An unreachable robots.txt (5xx, network) forbids the
    host for this run, as Google does; a missing one (4xx) allows everything."""

    def __init__(self, text: str | None, *, forbid_all: bool = False,
                 unreachable: str | None = None, kind: str = "host_unreachable") -> None:
        self.forbid_all = forbid_all or unreachable is not None
        self.unreachable = unreachable  # why robots.txt could not be read (5xx, network)
        self.kind = kind  # the failure kind pages of the host are logged with
        self.parser = Protego.parse(text) if text else None

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.forbid_all:
            return False
        return True if self.parser is None else self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None
