"""Fetching one URL politely: slot wait, robots.txt, conditional headers, retries with
backoff, manual redirects that stay on allowed hosts, size cap and timeouts.

httpx does the HTTP; tenacity does the retry loop; `politeness` does the timing and robots.
Every attempt, successful or not, is reported to `on_attempt` so that the crawl can write
one `fetch_log` row per request.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from scraper.netguard import GuardedBackend, PrivateAddress, resolve_kind
from scraper.politeness import HostSlot, Robots
from xxgk import settings


@dataclass
class FetchConfig:
    """The crawler's knobs; defaults come from xxgk.settings."""

    user_agent: str = settings.CRAWL_USER_AGENT
    delay: float = settings.CRAWL_DELAY
    concurrency_per_host: int = settings.CRAWL_CONCURRENCY_PER_HOST
    concurrency_total: int = settings.CRAWL_CONCURRENCY_TOTAL
    autothrottle: bool = settings.CRAWL_AUTOTHROTTLE
    autothrottle_target: float = settings.CRAWL_AUTOTHROTTLE_TARGET_CONCURRENCY
    max_delay: float = settings.CRAWL_MAX_DELAY
    timeout_connect: float = settings.CRAWL_TIMEOUT_CONNECT
    timeout_read: float = settings.CRAWL_TIMEOUT_READ
    timeout_total: float = settings.CRAWL_TIMEOUT_TOTAL
    max_html_bytes: int = settings.CRAWL_MAX_HTML_BYTES
    max_bytes: int = settings.CRAWL_MAX_BYTES
    max_redirects: int = settings.CRAWL_MAX_REDIRECTS
    retry_times: int = settings.CRAWL_RETRY_TIMES
    backoff_base: float = settings.CRAWL_RETRY_BACKOFF_BASE
    backoff_max: float = settings.CRAWL_RETRY_BACKOFF_MAX
    retry_codes: tuple[int, ...] = settings.CRAWL_RETRY_HTTP_CODES
    obey_robots: bool = True
    # Hosts (names or IP literals) that may resolve to loopback/private/link-local addresses:
    # only the sources that explicitly allow it (registry column allow_private).
    private_hosts: frozenset[str] = frozenset()
    # robots.txt beyond this size is cut (RFC 9309 §2.5: parse at least 500 KiB), not refused.
    robots_max_bytes: int = settings.CRAWL_ROBOTS_MAX_BYTES

    @classmethod
    def impolite(cls, **kw: object) -> FetchConfig:
        """No delay, no robots, many requests per host: for the benchmark only."""
        base: dict[str, object] = dict(delay=0.0, concurrency_per_host=16,
                                       concurrency_total=16, autothrottle=False,
                                       obey_robots=False)
        base.update(kw)
        return cls(**base)  # type: ignore[arg-type]


@dataclass
class Response:
    """What a fetch ended with. `error_kind` is set on failure (the body is then empty)."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error_kind: str | None = None
    error: str | None = None
    conditional: bool = False
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Retryable(Exception):
    """A transient failure: worth another try after a backoff."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None,
                 response: Response | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after
        self.response = response


class Final(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# Headers worth keeping with a document (the rest is noise that changes on every request).
KEPT_HEADERS = ("etag", "last-modified", "content-type", "content-length", "content-disposition",
                "content-encoding", "date", "server")

AttemptHook = Callable[[dict[str, object]], None]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def guarded_transport(private_hosts: frozenset[str], max_connections: int,
                      ) -> httpx.AsyncHTTPTransport:
    """httpx's transport with a connection pool whose every connection goes through
    netguard.GuardedBackend (DNS rebinding: see scraper/netguard.py).

    httpx has no public hook for httpcore's network backend, so the pool is built here with
    httpcore's public API and the same settings httpx would give it. An explicit transport
    also means proxies from the environment are not used: through a proxy the crawler could
    not see, let alone check, the address it connects to.
    """
    transport = httpx.AsyncHTTPTransport()
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        max_keepalive_connections=min(max_connections, 20),
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(private_hosts),
    )
    return transport


class Fetcher:
    """Fetch URLs with per-host slots and robots.txt; one instance per crawl run."""

    def __init__(self, config: FetchConfig, on_attempt: AttemptHook | None = None,
                 allowed_host: Callable[[str], bool] | None = None) -> None:
        self.config = config
        self.on_attempt = on_attempt or (lambda row: None)
        self.allowed_host = allowed_host or (lambda host: True)
        self.slots: dict[str, HostSlot] = {}
        self.robots: dict[str, Robots] = {}
        self._robots_lock: dict[str, asyncio.Lock] = {}
        self.total = asyncio.Semaphore(max(1, config.concurrency_total))
        self._address_ok: dict[tuple[str, int], str | None] = {}
        self.client = httpx.AsyncClient(
            # gzip and deflate only, decoded here under the size cap (see `_decoded_chunks`)
            headers={"User-Agent": config.user_agent, "Accept-Language": "zh-CN,zh;q=0.9",
                     "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(config.timeout_read, connect=config.timeout_connect),
            follow_redirects=False,
            transport=guarded_transport(config.private_hosts,
                                        max(4, config.concurrency_total * 2)),
        )

    async def close(self) -> None:
        await self.client.aclose()

    def slot(self, host: str) -> HostSlot:
        if host not in self.slots:
            c = self.config
            self.slots[host] = HostSlot(delay=c.delay, concurrency=c.concurrency_per_host,
                                        autothrottle=c.autothrottle,
                                        target_concurrency=c.autothrottle_target,
                                        max_delay=c.max_delay)
        return self.slots[host]

    async def robots_for(self, url: str) -> Robots:
        """The host's robots.txt, fetched once per run through the host's slot."""
        parts = urlsplit(url)
        host = parts.netloc
        if not self.config.obey_robots:
            return Robots(None)
        lock = self._robots_lock.setdefault(host, asyncio.Lock())
        async with lock:
            if host in self.robots:
                return self.robots[host]
            robots_url = f"{parts.scheme}://{host}/robots.txt"
            cap = self.config.robots_max_bytes
            resp = await self._fetch_once_with_retries(robots_url, {}, cap, purpose="robots",
                                                       truncate=True)
            for _hop in range(self.config.max_redirects):  # http -> https and the like
                if resp.status not in (301, 302, 303, 307, 308) or "location" not in resp.headers:
                    break
                robots_url = urljoin(robots_url, resp.headers["location"])
                if not self.allowed_host(urlsplit(robots_url).hostname or ""):
                    break  # robots.txt moved off the site: treated as missing (4xx)
                resp = await self._fetch_once_with_retries(robots_url, {}, cap,
                                                           purpose="robots", truncate=True)
            # RFC 9309 §2.3.1: 2xx -> the rules; 4xx ("unavailable") -> allow all; 5xx or no
            # answer ("unreachable") -> disallow all for this run (the next run asks again).
            if resp.status == 200 and not resp.error_kind:
                rules = Robots(resp.body.decode("utf-8", errors="replace"))
            elif resp.status is not None and 300 <= resp.status < 500 and (
                    resp.error_kind in (None, "redirects") or resp.error_kind.startswith("http_")):
                # missing (4xx) or redirected nowhere useful: no rules, as Google and Scrapy do
                rules = Robots(None)
            elif resp.error_kind == "private_address":
                rules = Robots(None, unreachable=resp.error, kind="private_address")
            else:
                rules = Robots(None, unreachable=resp.error or f"HTTP {resp.status}")
            delay = rules.crawl_delay(self.config.user_agent)
            if delay:
                self.slot(host).raise_floor(delay)
            self.robots[host] = rules
            return rules

    async def allowed(self, url: str) -> bool:
        return (await self.robots_for(url)).allowed(url, self.config.user_agent)

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    max_bytes: int | None = None, purpose: str = "page") -> Response:
        """GET `url` (conditionally when validators are given), following redirects by hand so
        that each hop is checked against the allowed hosts and robots.txt."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = max_bytes or self.config.max_bytes
        current = url
        for _hop in range(self.config.max_redirects + 1):
            resp = await self._fetch_once_with_retries(current, headers, cap, purpose=purpose)
            resp.url = url
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
                nxt = urljoin(current, resp.headers["location"])
                host = urlsplit(nxt).hostname or ""
                if not self.allowed_host(host):
                    resp.error_kind, resp.error = "offsite_redirect", f"redirect to {nxt}"
                    return resp
                if not await self.allowed(nxt):
                    resp.error_kind, resp.error = "robots", f"redirect to {nxt} (robots.txt)"
                    return resp
                current = nxt
                continue
            resp.final_url = current
            return resp
        return Response(url, current, error_kind="redirects", error="too many redirects")

    async def _fetch_once_with_retries(self, url: str, headers: dict[str, str], cap: int,
                                       purpose: str, truncate: bool = False) -> Response:
        c = self.config

        def wait(state: object) -> float:
            exc = state.outcome.exception()  # type: ignore[attr-defined]
            n = state.attempt_number  # type: ignore[attr-defined]
            backoff = min(c.backoff_max, c.backoff_base * 2 ** (n - 1))
            after = getattr(exc, "retry_after", None)
            return max(backoff, min(after, c.backoff_max)) if after else backoff

        last: Response | None = None
        attempt = 0
        try:
            async for retry in AsyncRetrying(stop=stop_after_attempt(c.retry_times + 1),
                                             wait=wait, reraise=True,
                                             retry=retry_if_exception_type(Retryable)):
                with retry:
                    attempt += 1
                    last = await self._attempt(url, headers, cap, attempt, purpose, truncate)
        except Retryable as exc:
            resp = exc.response or Response(url, url)
            resp.error_kind, resp.error, resp.attempts = exc.kind, str(exc), attempt
            return resp
        except Final as exc:
            return Response(url, url, error_kind=exc.kind, error=str(exc), attempts=attempt,
                            conditional=bool(headers))
        assert last is not None
        last.attempts = attempt
        return last

    async def _check_address(self, url: str) -> None:
        """Refuse (Final 'private_address') a URL whose host is or resolves to a loopback,
        private, link-local or other non-public address, unless its host is allowed."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self.config.private_hosts:
            return
        if parts.scheme not in ("http", "https"):
            raise Final("scheme", f"not an http(s) URL: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (host, port)
        if key not in self._address_ok:
            found = await resolve_kind(host, port)
            self._address_ok[key] = f"{found[0]} is {found[1]}" if found else None
        if self._address_ok[key]:
            raise Final("private_address", f"{host}: {self._address_ok[key]}; the source does "
                        "not allow non-public addresses")

    async def _attempt(self, url: str, headers: dict[str, str], cap: int, attempt: int,
                       purpose: str, truncate: bool = False) -> Response:
        host = urlsplit(url).netloc
        slot = self.slot(host)
        row: dict[str, object] = {"url": url, "attempt": attempt, "purpose": purpose,
                                  "conditional": int(bool(headers)), "status": None,
                                  "bytes": 0, "error_kind": None, "error": None}
        async with self.total:
            await slot.acquire()
            started = time.monotonic()
            row["started_at"] = time.time()
            resp = Response(url, url, conditional=bool(headers))
            status: int | None = None
            try:
                await self._check_address(url)  # before any connection is made
                resp = await asyncio.wait_for(self._get(url, headers, cap, resp, truncate),
                                              timeout=self.config.timeout_total)
                status = resp.status
                if status is not None and status >= 400:
                    row.update(error_kind=f"http_{status}")
            except (httpx.TimeoutException, TimeoutError) as exc:
                row.update(error_kind="timeout", error=repr(exc))
                raise Retryable("timeout", f"timeout: {exc!r}") from exc
            except PrivateAddress as exc:  # the connection-time check (DNS rebinding)
                row.update(error_kind="private_address", error=str(exc))
                raise Final("private_address", f"{exc}; the source does not allow "
                            "non-public addresses") from exc
            except httpx.RemoteProtocolError as exc:  # the server closed mid-answer
                row.update(error_kind="connection_closed", error=repr(exc))
                raise Retryable("connection_closed", f"connection closed: {exc!r}") from exc
            except httpx.TransportError as exc:
                row.update(error_kind="network", error=repr(exc))
                raise Retryable("network", f"network error: {exc!r}") from exc
            except Final as exc:
                row.update(error_kind=exc.kind, error=str(exc))
                raise
            finally:
                elapsed = time.monotonic() - started
                slot.release(elapsed, status)
                row["elapsed_ms"] = round(elapsed * 1000, 1)
                row.setdefault("status", status)
                if status is not None:
                    row["status"] = status
                    row["bytes"] = len(resp.body)
                self.on_attempt(row)
            resp.elapsed = elapsed
        if resp.status in self.config.retry_codes:
            raise Retryable(f"http_{resp.status}", f"HTTP {resp.status}",
                            _retry_after(resp.headers.get("retry-after")), response=resp)
        return resp

    async def _get(self, url: str, headers: dict[str, str], cap: int, resp: Response,
                   truncate: bool = False) -> Response:
        """One GET; the body is read (and decompressed) only up to `cap` bytes: past it the
        answer is refused ('too_large'), or cut when `truncate` (robots.txt)."""
        async with self.client.stream("GET", url, headers=headers) as r:
            resp.status = r.status_code
            resp.headers = {k: v for k, v in r.headers.items() if k.lower() in KEPT_HEADERS}
            if r.headers.get("location"):
                resp.headers["location"] = r.headers["location"]
            declared = r.headers.get("content-length")
            encoding = r.headers.get("content-encoding", "").strip().lower()
            if (declared and declared.isdigit() and int(declared) > cap and not truncate
                    and encoding in ("", "identity")):
                raise Final("too_large", f"Content-Length {declared} over the cap of {cap} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in _decoded_chunks(r, encoding, cap):
                size += len(chunk)
                if size > cap:
                    if truncate:
                        chunks.append(chunk[: len(chunk) - (size - cap)])
                        break
                    raise Final("too_large", f"body over the cap of {cap} bytes"
                                + (f" (after {encoding} decoding)" if encoding else ""))
                chunks.append(chunk)
            resp.body = b"".join(chunks)
        return resp


async def _decoded_chunks(r: httpx.Response, encoding: str, cap: int):
    """The body decoded from gzip/deflate by hand, never more than cap + 1 bytes from one
    network chunk: httpx's own decoder inflates a whole chunk at once, so a 64 KB chunk of a
    gzip bomb could become gigabytes before any size check could see it."""
    if encoding in ("", "identity"):
        async for chunk in r.aiter_raw():
            yield chunk
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise Final("bad_encoding", f"Content-Encoding {encoding!r} is not gzip or deflate")
    wbits = 16 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
    d = zlib.decompressobj(wbits)
    produced = 0
    try:
        async for raw in r.aiter_raw():
            data = raw
            while data:
                out = d.decompress(data, max(1, cap + 1 - produced))
                produced += len(out)
                if out:
                    yield out
                if produced > cap:
                    return
                data = d.unconsumed_tail
                if d.eof and d.unused_data:  # a second gzip member follows
                    data, d = d.unused_data, zlib.decompressobj(wbits)
    except zlib.error as exc:
        if encoding == "deflate" and produced == 0 and wbits > 0:  # raw deflate, no zlib header
            raise Final("bad_encoding", f"deflate body not in zlib format: {exc}") from exc
        raise Final("bad_encoding", f"{encoding} body does not decode: {exc}") from exc
