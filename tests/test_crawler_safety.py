"""Crawler safety (issue 7.5): no connection to loopback, private or link-local addresses
unless the source allows it; caps on pages per site; robots.txt as RFC 9309 says when it
fails to load (4xx: allow all; 5xx or unreachable: disallow all, and the next run asks again);
a robots.txt over 500 KiB is cut, not refused. Sizes, redirects, gzip bombs and endless
bodies are in tests/test_fault_crawl.py."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from test_scraper_fetch import fetch_all  # fetch paths of a local server

from scraper import netguard
from scraper.crawl import crawl
from scraper.demo_site import DemoServer
from scraper.fetch import FetchConfig, Fetcher
from scraper.netguard import address_kind, literal_kind
from scraper.registry import Source, check_sources
from testkit.fault_site import FAST_CONFIG, FaultSites
from xxgk import settings

LOCAL = frozenset({"127.0.0.1"})


@pytest.mark.parametrize(("ip", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
    ("192.168.1.1", "private"), ("fd00::1", "private"), ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
    ("100.64.0.1", "non-global"), ("8.8.8.8", None), ("2001:4860:4860::8888", None),
])
def test_address_kinds(ip: str, kind: str | None) -> None:
    assert address_kind(ip) == kind
    assert literal_kind(f"[{ip}]" if ":" in ip else ip) == kind
    assert literal_kind("www.gov.cn") is None


def _fetch(server: DemoServer, paths: list[str], config: FetchConfig):
    return fetch_all(server, paths, config, allowed=lambda host: True)


def test_loopback_is_refused_unless_allowed_and_nothing_is_sent() -> None:
    with DemoServer(fails_once=()) as server:
        (refused,) = _fetch(server, ["/sjj/gknb.html"], FetchConfig(delay=0.0, retry_times=0))
        assert refused.error_kind == "private_address" and "loopback" in refused.error
        assert server.hits == []  # not even robots.txt was asked for
        (allowed,) = _fetch(server, ["/sjj/gknb.html"],
                            FetchConfig(delay=0.0, retry_times=0, private_hosts=LOCAL))
        assert allowed.ok


def test_redirect_to_a_loopback_name_is_refused() -> None:
    """An allowed host redirects to `localhost` (a name that resolves to 127.0.0.1, not the
    allowed host): the hop is refused before any connection, even where the site rules
    would let it through."""
    with DemoServer(fails_once=()) as server:
        port = server.server_address[1]
        server.redirects["/go.html"] = f"http://localhost:{port}/sjj/gknb.html"
        (resp,) = _fetch(server, ["/go.html"],
                         FetchConfig(delay=0.0, retry_times=0, private_hosts=LOCAL,
                                     obey_robots=False))
        assert resp.error_kind == "private_address", resp.error
        assert [h.path for h in server.hits] == ["/go.html"]


def test_dns_rebinding_is_refused_at_connection_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile name server answers the crawler's check with a public address and, a moment
    later, the connection's own lookup with 127.0.0.1. The connection is opened only to an
    address checked at that moment, so it is refused and nothing reaches the local server."""
    answers = iter([["8.8.8.8"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers, ["127.0.0.1"])

    monkeypatch.setattr(netguard, "resolve", rebinding)
    with DemoServer(fails_once=()) as server:
        port = server.server_address[1]
        url = f"http://localhost:{port}/sjj/gknb.html"

        async def go():
            f = Fetcher(FetchConfig(delay=0.0, retry_times=0, obey_robots=False))
            try:
                return await f.fetch(url)
            finally:
                await f.close()

        resp = asyncio.run(go())
        assert resp.error_kind == "private_address", resp.error
        assert "localhost resolves to 127.0.0.1, which is loopback" in resp.error
        assert server.hits == []


def test_crawl_of_a_source_without_the_allowance_logs_private_address(tmp_path) -> None:
    with DemoServer(fails_once=()) as server:
        result = crawl(tmp_path / "a.db", [Source("云溪县审计局", server.base_url + "/sjj/gknb.html")],
                       FetchConfig(delay=0.0, retry_times=0))
        assert server.hits == []
    assert result.errors.get("private_address") == 1, result.errors
    con = sqlite3.connect(tmp_path / "a.db")
    kinds = {r[0] for r in con.execute("select error_kind from fetch_log")}
    assert kinds == {"private_address"}


def test_registry_checks_the_allowance_column(tmp_path) -> None:
    reg = tmp_path / "s.csv"
    reg.write_text("name,url,allow_private\na,http://a.gov.cn/nb/,maybe\nb,http://127.0.0.1/,yes\n",
                   encoding="utf-8")
    problems = [str(p) for p in check_sources(reg)]
    assert any("bad allow_private 'maybe'" in p for p in problems), problems
    assert not any("line 3" in p and "allow_private" in p for p in problems)
    demo = settings.DEMO_SOURCES.read_text(encoding="utf-8").splitlines()
    assert demo[0].endswith(",allow_private") and all(r.endswith(",yes") for r in demo[1:])


def test_pages_per_site_are_capped_and_the_rest_waits_for_the_next_run(tmp_path,
                                                                       monkeypatch) -> None:
    monkeypatch.setattr(settings, "CRAWL_MAX_PAGES_PER_SITE", 10)
    with FaultSites(hosts=1, per_host=30, seed=3) as sites:
        sites.heal()
        for srv in sites.servers:  # only good pages: the cap is the one thing to see
            for page in srv.site.pages.values():
                page.behaviour = "good"
        db = tmp_path / "cap.db"
        first = crawl(db, sites.sources(), FetchConfig(**FAST_CONFIG))
        assert first.counts["pages_fetched"] == 10  # the listing and nine reports
        assert first.errors == {"site_cap": 21}
        second = crawl(db, sites.sources(), FetchConfig(**FAST_CONFIG))
        # 304s for the listing and the nine (not counted: no download), then ten more
        assert second.counts["not_modified"] == 10 and second.counts["new"] == 10
        assert second.errors == {"site_cap": 11}


class _Robots(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, body = self.answers.get(self.path, (200, b"<html>page</html>"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _robots(status: int, body: bytes = b"") -> tuple[object, list]:
    handler = type("H", (_Robots,), {"answers": {"/robots.txt": (status, body)}})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"

    async def go():
        f = Fetcher(FetchConfig(delay=0.0, retry_times=0, backoff_base=0.01,
                                private_hosts=LOCAL))
        try:
            rules = await f.robots_for(base + "/a.html")
            return rules, [rules.allowed(base + p, "xxgk-archive/0.1") for p in
                           ("/a.html", "/private/b.html")]
        finally:
            await f.close()
    try:
        return asyncio.run(go())
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize("status", [401, 403, 404, 410, 429])
def test_robots_4xx_allows_everything(status: int) -> None:
    rules, allowed = _robots(status)
    assert rules.unreachable is None and allowed == [True, True]


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_disallows_everything(status: int) -> None:
    rules, allowed = _robots(status)
    assert rules.unreachable == f"HTTP {status}" and allowed == [False, False]


def test_unreachable_robots_disallows_the_host_and_is_asked_again_next_run(tmp_path) -> None:
    with DemoServer(fails_once=()) as server:
        base = server.base_url
    # the server is gone: connection refused, robots.txt unreachable
    source = Source("云溪县审计局", base + "/sjj/gknb.html", allow_private="yes")
    config = FetchConfig(delay=0.0, retry_times=0, backoff_base=0.01)
    first = crawl(tmp_path / "r.db", [source], config)
    assert first.errors.get("host_unreachable") == 1
    second = crawl(tmp_path / "r.db", [source], config)
    con = sqlite3.connect(tmp_path / "r.db")
    runs = {r[0] for r in con.execute("select run_id from fetch_log where purpose = 'robots'")}
    assert runs == {first.run_id, second.run_id}


def test_robots_over_500_kib_is_cut_not_refused() -> None:
    body = b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 100_000  # ~1 MB
    rules, allowed = _robots(200, body)
    assert rules.unreachable is None and allowed == [True, False]
