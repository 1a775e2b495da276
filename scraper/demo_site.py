"""The demo website's server: fixtures/site/www/ on 127.0.0.1, with the behaviour of a real
government site that static files alone cannot show.

- URLs with a query string map to files named `<path>@<query>` (Hanweb `?pageNum=2`,
  hand-made `?page=2`).
- `edition`: at 2, a file `X.v2` is served in place of `X` (the report edited after
  publication, same URL).
- `fails_once`: paths that answer 500 the first time they are asked for, then work.
- ETag and Last-Modified on every file; If-None-Match / If-Modified-Since answer 304.
- Content types as such sites send them: PDF as application/octet-stream, HTML mostly
  without a charset, and one GBK page with a wrong `charset=UTF-8` header.
- `slow`: paths that answer only after a wait (timeouts).
- `redirects`: paths that answer 302 to a given Location.
- `gone`: paths that answer 404 (a report taken down, a column moved).
- Every request is recorded (time, path, conditional headers) so tests can check politeness.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scraper.local_server import BackgroundServer
from xxgk import settings

WWW = settings.DEMO_SITE_DIR / "www"
EXPECTED = settings.DEMO_SITE_DIR / "expected.json"
# Files served with a charset header that contradicts their bytes (as some Hanweb servers do).
WRONG_CHARSET = {"/art/2023/1/18/art_1229001_4001.html": "text/html; charset=UTF-8"}
TYPES = {".html": "text/html", ".htm": "text/html", ".shtml": "text/html",
         ".txt": "text/plain; charset=utf-8", ".pdf": "application/octet-stream",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".doc": "application/msword", ".js": "application/javascript"}


@dataclass
class Hit:
    at: float
    path: str
    status: int
    conditional: bool
    user_agent: str


class DemoHandler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without TCP_NODELAY each small response
        # waits ~40 ms for the client's delayed ACK (Nagle), which measures the kernel, not us
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read `hits`
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        target = path + ("@" + unquote(parts.query) if parts.query else "")
        status, body, headers = self.server.respond(target, path, self.headers)
        self.server.record(Hit(time.monotonic(), self.path, status,
                               bool(self.headers.get("If-None-Match")
                                    or self.headers.get("If-Modified-Since")),
                               self.headers.get("User-Agent", "")))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # a client that hangs up mid-body (its size cap, a timeout, a stopped crawl) is no
        # server error
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class DemoServer(BackgroundServer):
    """The demo site on a background thread. `port=0` picks a free port."""

    request_queue_size = 128  # the default backlog of 5 drops connections under concurrency

    def __init__(self, root: Path = WWW, host: str = settings.DEMO_HOST, port: int = 0,
                 fails_once: tuple[str, ...] | None = None) -> None:
        super().__init__((host, port), DemoHandler)
        self.root = root
        self.edition = 1
        if fails_once is None:
            fails_once = tuple(json.loads(EXPECTED.read_text(encoding="utf-8"))["fails_once"])
        self.fails_once = set(fails_once)
        self.gone: set[str] = set()  # paths that now answer 404 (a report taken down)
        self.redirects: dict[str, str] = {}  # path -> Location of a 302
        self.slow: dict[str, float] = {}  # path -> seconds to wait before answering
        self.hits: list[Hit] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"  # host: a str for a TCP server

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def file_for(self, target: str) -> Path | None:
        rel = target.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            return None
        if self.edition >= 2 and path.with_name(path.name + ".v2").is_file():
            return path.with_name(path.name + ".v2")
        return path if path.is_file() else None

    def respond(self, target: str, path: str, req: object) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            if path in self.fails_once:
                self.fails_once.discard(path)
                return 500, b"<h1>500 Internal Server Error</h1>", {"Content-Type": "text/html"}
        if path in self.slow:
            time.sleep(self.slow[path])
        if path in self.redirects:
            return 302, b"", {"Location": self.redirects[path]}
        file = None if path in self.gone else self.file_for(target)
        if file is None:
            return 404, "<h1>404 页面不存在</h1>".encode(), {
                "Content-Type": "text/html; charset=utf-8"}
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = formatdate(file.stat().st_mtime, usegmt=True)
        ext = "." + file.name.removesuffix(".v2").rsplit(".", 1)[-1]
        ctype = WRONG_CHARSET.get(path) or TYPES.get(ext, "application/octet-stream")
        headers = {"Content-Type": ctype, "ETag": etag, "Last-Modified": modified}
        inm = req.get("If-None-Match")  # type: ignore[attr-defined]
        ims = req.get("If-Modified-Since")  # type: ignore[attr-defined]
        if (inm and inm == etag) or (not inm and ims and ims == modified):
            return 304, b"", headers
        return 200, body, headers


def demo_sources(base_url: str, registry: Path = settings.DEMO_SOURCES) -> list:
    """The demo registry with its 127.0.0.1 URLs pointed at `base_url` (the port may differ)."""
    from dataclasses import replace

    from scraper.registry import read_sources

    out = []
    for s in read_sources(registry):
        parts = urlsplit(s.url)
        rest = s.url[len(f"{parts.scheme}://{parts.netloc}"):]
        out.append(replace(s, url=base_url + rest))
    return out
