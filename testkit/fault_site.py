"""A hostile local website for the fault-injection crawl (tests and benchmarks/fault_crawl.py).

Several hosts (127.0.0.2, 127.0.0.3, … — all of 127.0.0.0/8 is loopback, so each is a site
of its own with its own per-host delay), each a report column of `per_host` report pages
behind a paged listing. Every report URL is given one behaviour, drawn once from a seeded
random generator in exact proportions (FAULT_SHARES), so the test knows for each URL what the
crawler must end with:

- good pages (plain, gzip-compressed, behind a same-site redirect, answered 503 once then
  fine, or GBK bytes under a `charset=UTF-8` header): archived byte for byte;
- failures, each with the kind the crawler must log: 5xx every time (`http_5xx`), no answer
  within the timeout (`timeout`), connection closed half way through the body
  (`connection_closed`), redirect loops (`redirects`), redirects to another host
  (`offsite_redirect`), 200 "页面不存在" stubs (`stub`), gzip bombs and endless bodies
  (`too_large`).

`heal()` turns the transient faults (5xx, timeouts, closed connections) into good pages, as a
site that was down for the first run and is back for the second. Every server-side loop is
bounded (sleeps, endless bodies stop after ENDLESS_MAX_BYTES), so nothing here can hang a test.
Only loopback addresses are ever used.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

from scraper.local_server import BackgroundServer

# Behaviour -> share of the report URLs (the rest are plain good pages).
FAULT_SHARES: dict[str, float] = {
    "server_error": 0.10,
    "timeout": 0.05,
    "closed": 0.02,
    "wrong_charset": 0.02,
    "redirect_loop": 0.01,
    "offsite_redirect": 0.01,
    "soft_404": 0.02,
    "gzip_bomb": 0.005,
    "endless": 0.005,
    "flaky": 0.02,
    "gzip_ok": 0.03,
    "redirect_ok": 0.02,
}
# What the crawler must log for each failing behaviour (None: a good document).
EXPECTED_KIND: dict[str, str | None] = {
    "server_error": "http_5xx", "timeout": "timeout", "closed": "connection_closed",
    "redirect_loop": "redirects", "offsite_redirect": "offsite_redirect", "soft_404": "stub",
    "gzip_bomb": "too_large", "endless": "too_large",
    "wrong_charset": None, "flaky": None, "gzip_ok": None, "redirect_ok": None, "good": None,
}
TRANSIENT = ("server_error", "timeout", "closed")  # what heal() repairs
ENDLESS_MAX_BYTES = 64 * 1024 * 1024  # the server stops an endless body here in any case
BOMB_BYTES = 256 * 1024 * 1024  # a gzip bomb inflates to this (about 250 KB on the wire)
LINKS_PER_LISTING = 50
_BOMB: bytes | None = None
_BOMB_LOCK = threading.Lock()


def gzip_bomb() -> bytes:
    """BOMB_BYTES of zeros, gzip-compressed (made once per process, in 1 MB steps)."""
    global _BOMB
    with _BOMB_LOCK:
        if _BOMB is None:
            c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            block = b"\0" * (1024 * 1024)
            parts = [c.compress(block) for _ in range(BOMB_BYTES // len(block))]
            parts.append(c.flush())
            _BOMB = b"".join(parts)
        return _BOMB


@dataclass
class Page:
    path: str
    behaviour: str
    title: str
    body: bytes  # what a good answer carries (and what must be archived)
    content_type: str = "text/html; charset=utf-8"

    @property
    def kind(self) -> str | None:
        return EXPECTED_KIND[self.behaviour]


@dataclass
class Site:
    """One host's column: listing pages and report pages."""

    host: str
    number: int
    pages: dict[str, Page] = field(default_factory=dict)
    listings: dict[str, bytes] = field(default_factory=dict)


def _report_html(title: str, host: int, index: int, charset: str = "utf-8") -> bytes:
    body = (
        f"<!DOCTYPE html><html><head><meta charset=\"{charset}\"><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>一、总体情况</p><p>本单位（编号{host}-{index}）本年度主动公开"
        f"政府信息{100 + index}条，收到政府信息公开申请{index % 37}件。</p>"
        f"<p>二、主动公开政府信息情况</p><p>文号：测试〔{2000 + index}〕{host}号</p></body></html>"
    )
    return body.encode(charset)


def build_sites(hosts: int, per_host: int, seed: int = 7) -> list[Site]:
    """The sites' content: `hosts` × `per_host` report URLs, behaviours in exact shares."""
    total = hosts * per_host
    rng = random.Random(seed)
    behaviours: list[str] = []
    for name, share in FAULT_SHARES.items():
        behaviours += [name] * round(total * share)
    behaviours += ["good"] * (total - len(behaviours))
    rng.shuffle(behaviours)
    sites = []
    for h in range(hosts):
        site = Site(host=f"127.0.0.{h + 2}", number=h + 2)
        links = []
        for i in range(per_host):
            n = h * per_host + i
            behaviour = behaviours[n]
            year = 2008 + n % 17
            title = f"测试{site.number}县第{i}号单位{year}年政府信息公开工作年度报告"
            path = f"/nb/{year}/t{n:05d}.html"
            charset = "gbk" if behaviour == "wrong_charset" else "utf-8"
            page = Page(path, behaviour, title, _report_html(title, site.number, i, charset))
            if behaviour == "wrong_charset":
                page.content_type = "text/html; charset=UTF-8"  # the bytes are GBK
            site.pages[path] = page
            links.append(f'<li><a href="{path}">{title}</a></li>')
        chunks = [links[i:i + LINKS_PER_LISTING] for i in range(0, len(links),
                                                                  LINKS_PER_LISTING)]
        for k, chunk in enumerate(chunks):
            name = "/nb/index.html" if k == 0 else f"/nb/index_{k}.html"
            nxt = (f'<a href="/nb/index_{k + 1}.html">下一页</a>' if k + 1 < len(chunks) else "")
            site.listings[name] = (
                f"<html><head><meta charset=\"utf-8\"><title>测试{site.number}县 政府信息公开年报"
                f"</title></head><body><ul>{''.join(chunk)}</ul>{nxt}</body></html>"
            ).encode()
        sites.append(site)
    return sites


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _good(self, body: bytes, ctype: str, gz: bool = False) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", {"ETag": etag})
            return
        headers = {"Content-Type": ctype, "ETag": etag,
                   "Last-Modified": formatdate(1_700_000_000, usegmt=True)}
        if gz:
            headers["Content-Encoding"] = "gzip"
            body = gzip.compress(body, mtime=0)
        self._send(200, body, headers)

    def do_GET(self) -> None:
        srv = self.server
        path = self.path.split("?", 1)[0]
        srv.count(path)
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
            return
        if path in srv.site.listings:
            self._good(srv.site.listings[path], "text/html; charset=utf-8")
            return
        if path.startswith("/moved/"):  # target of the good same-site redirects
            page = srv.site.pages.get(path[len("/moved"):])
            if page:
                self._good(page.body, page.content_type)
                return
        if path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", {"Location": f"/loop/{(n + 1) % 2}"})
            return
        page = srv.site.pages.get(path)
        if page is None:
            self._send(404, b"<h1>404</h1>", {"Content-Type": "text/html"})
            return
        b = page.behaviour
        if srv.healed and b in TRANSIENT:
            b = "good"
        if b == "server_error":
            code = (500, 502, 503, 504)[int(hashlib.md5(path.encode()).hexdigest(), 16) % 4]
            self._send(code, b"<h1>Server Error</h1>", {"Content-Type": "text/html"})
        elif b == "timeout":
            time.sleep(srv.timeout_sleep)  # longer than the crawler's timeout, bounded
            self._send(504, b"late", {"Content-Type": "text/html"})
        elif b == "closed":
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body[: len(page.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.request.shutdown(socket.SHUT_RDWR)
        elif b == "redirect_loop":
            self._send(302, b"", {"Location": "/loop/0"})
        elif b == "offsite_redirect":
            self._send(302, b"", {"Location": f"http://mirror.example.invalid{path}"})
        elif b == "redirect_ok":
            self._send(301, b"", {"Location": "/moved" + path})
        elif b == "soft_404":
            self._send(200, "<html><body><div>网站首页</div><p>对不起，您访问的页面不存在！</p>"
                       "</body></html>".encode(), {"Content-Type": "text/html; charset=utf-8"})
        elif b == "gzip_bomb":
            self._send(200, gzip_bomb(), {"Content-Type": "text/html; charset=utf-8",
                                          "Content-Encoding": "gzip"})
        elif b == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + "无尽".encode() * 10_000 + b"</p>"
            sent = 0
            try:
                while sent < ENDLESS_MAX_BYTES:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
            except OSError:  # the crawler hung up at its size cap
                pass
            self.close_connection = True
        elif b == "flaky" and srv.first_time(path):
            self._send(503, b"busy", {"Content-Type": "text/html", "Retry-After": "0"})
        else:
            self._good(page.body, page.content_type, gz=(b == "gzip_ok"))


class FaultServer(BackgroundServer):
    """One host of the hostile site on a background thread."""

    request_queue_size = 128

    def __init__(self, site: Site, timeout_sleep: float = 1.5) -> None:
        super().__init__((site.host, 0), FaultHandler)
        self.site = site
        self.timeout_sleep = timeout_sleep
        self.healed = False
        self.hits: dict[str, int] = {}
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: the crawler hanging up on a timeout or at its size cap is expected here."""

    def count(self, path: str) -> None:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def first_time(self, path: str) -> bool:
        with self._lock:
            if path in self._seen:
                return False
            self._seen.add(path)
            return True



class FaultSites:
    """All hosts of the hostile site, started and stopped together."""

    def __init__(self, hosts: int = 10, per_host: int = 200, seed: int = 7,
                 timeout_sleep: float = 1.5) -> None:
        self.sites = build_sites(hosts, per_host, seed)
        self.servers = [FaultServer(s, timeout_sleep) for s in self.sites]

    def __enter__(self) -> FaultSites:
        gzip_bomb()
        for s in self.servers:
            s.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for s in self.servers:
            s.stop()

    def heal(self) -> None:
        for s in self.servers:
            s.healed = True

    def sources(self) -> list:
        """One registry row per host, allowed to be on loopback (allow_private)."""
        from scraper.registry import Source

        return [Source(f"测试{srv.site.number}县", f"{srv.base_url}/nb/index.html",
                       allow_private="yes") for srv in self.servers]

    def pages(self) -> dict[str, Page]:
        """Every report page by its full URL."""
        return {srv.base_url + p.path: p for srv in self.servers for p in srv.site.pages.values()}


# --- checking a crawl of the fault sites ------------------------------------------------------

# The read and total timeouts leave a loaded machine's server threads time to answer (at 0.3 s
# a page that closes its connection half way was once logged as a timeout under a load of 5 on
# 2 cores) and stay below the timeout pages' sleep (FaultServer.timeout_sleep, 1.5 s).
FAST_CONFIG = dict(delay=0.01, concurrency_total=16, timeout_connect=1.0, timeout_read=0.6,
                   timeout_total=1.2, retry_times=1, backoff_base=0.01, backoff_max=0.05,
                   max_bytes=2 * 1024 * 1024, max_html_bytes=2 * 1024 * 1024,
                   autothrottle=False)


def analyse_run(db_path: str, sites: FaultSites, run_id: int) -> dict:
    """What a crawl run did with each report URL, against what the site makes it do.

    Returns counts by behaviour, the failed URLs with the kind logged for them, and a list
    of `problems` (empty when every guarantee holds): a good page not archived byte for
    byte, a failure without its kind in fetch_log, a document stored twice.
    """
    import sqlite3
    from collections import Counter

    from archive.store import unpack

    con = sqlite3.connect(db_path)
    pages = sites.pages()
    problems: list[str] = []
    frontier = dict(con.execute("select url, state from crawl_frontier where run_id = ?",
                                [run_id]).fetchall())
    stored = {u: d for u, d in con.execute("select url, document_id from crawl_pages where "
                                           "document_id is not null")}
    last_kind: dict[str, str | None] = {}
    for url, kind in con.execute("select url, error_kind from fetch_log where run_id = ? "
                                 "order by id", [run_id]):
        last_kind[url] = kind
    failed: dict[str, str | None] = {}
    counts: Counter[str] = Counter()
    for url, page in pages.items():
        state = frontier.get(url)
        counts[f"{page.behaviour}"] += 1
        expected = page.kind
        if sites.servers[0].healed and page.behaviour in TRANSIENT:
            expected = None
        if expected is None:
            doc = stored.get(url)
            if state != "done" or doc is None:
                problems.append(f"good page not archived: {url} ({page.behaviour}, {state})")
                continue
            blob = con.execute("select data, compression from blobs where sha256 = ?",
                               [doc]).fetchone()
            raw = unpack(blob[0], blob[1]) if blob is not None else None
            if raw is None or hashlib.sha256(raw).hexdigest() != doc or raw != page.body:
                problems.append(f"archived bytes differ from the page: {url}")
        else:
            if state == "failed":
                kind = last_kind.get(url)
                failed[url] = kind
                ok = kind == expected or (expected == "http_5xx" and (kind or "").startswith(
                    "http_5"))
                if not ok:
                    problems.append(f"{url} ({page.behaviour}) logged as {kind}, "
                                    f"expected {expected}")
            elif state is not None:
                problems.append(f"{url} ({page.behaviour}) ended {state}, expected a failure")
    dup = con.execute("select count(*) - count(distinct sha256) from blobs").fetchone()[0]
    dup += con.execute("select count(*) from (select document_id, url, count(*) c from "
                       "document_urls group by document_id, url having c > 1)").fetchone()[0]
    if dup:
        problems.append(f"{dup} duplicate documents or provenance rows")
    kinds = Counter(k for k in failed.values())
    run = con.execute("select elapsed_s, requests, new, failed, status, errors from crawl_runs "
                      "where id = ?", [run_id]).fetchone()
    con.close()
    return {"urls": len(pages), "behaviours": dict(counts), "failed": failed,
            "failed_kinds": dict(kinds), "problems": problems,
            "run": dict(zip(("elapsed_s", "requests", "new", "failed", "status", "errors"),
                            run, strict=True))}
