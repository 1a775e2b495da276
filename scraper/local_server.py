"""A threaded HTTP server on 127.0.0.1 run in the background: the base of the demo website
and of the hostile test site, which tests and benchmarks start and stop around a crawl."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Self


class BackgroundServer(ThreadingHTTPServer):
    """Serves in a daemon thread between start() and stop(), or inside a `with` block."""

    daemon_threads = True
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
