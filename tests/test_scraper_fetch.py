"""Fetching rules on their own: redirects, size caps, AutoThrottle, robots.txt Crawl-delay."""

from __future__ import annotations

import asyncio

from scraper.demo_site import DemoServer
from scraper.fetch import FetchConfig, Fetcher
from scraper.politeness import HostSlot, Robots

# the test server is on 127.0.0.1: allowed by configuration, as the registry's allow_private
LOCAL = frozenset({"127.0.0.1"})
CFG = FetchConfig(delay=0.0, backoff_base=0.01, retry_times=1, private_hosts=LOCAL)


def fetch_all(server: DemoServer, paths: list[str], config: FetchConfig = CFG,
              allowed=lambda host: host == "127.0.0.1"):
    async def go():
        f = Fetcher(config, allowed_host=allowed)
        try:
            return [await f.fetch(server.base_url + p) for p in paths]
        finally:
            await f.close()
    return asyncio.run(go())


def test_redirects_are_followed_on_host_and_refused_off_host() -> None:
    with DemoServer(fails_once=()) as server:
        server.redirects["/old.html"] = "/sjj/gknb.html"
        server.redirects["/away.html"] = "http://localhost:1/sjj/gknb.html"
        server.redirects["/private.html"] = "/private/zfxxgknb/t20240101_9999.html"
        moved, away, private = fetch_all(server, ["/old.html", "/away.html", "/private.html"])
    assert moved.ok and moved.final_url.endswith("/sjj/gknb.html") and moved.url.endswith("/old.html")
    assert away.error_kind == "offsite_redirect"
    assert private.error_kind == "robots"


def test_size_cap_stops_a_download() -> None:
    with DemoServer(fails_once=()) as server:
        (big,) = fetch_all(server, ["/picture/0/2401201030123.docx"],
                           FetchConfig(delay=0.0, max_bytes=10_000, retry_times=0,
                                       private_hosts=LOCAL))
    assert big.error_kind == "too_large" and big.body == b""


def test_server_errors_are_retried_then_reported() -> None:
    with DemoServer(fails_once=("/sjj/gknb.html",)) as server:
        server.gone.add("/nothing.html")
        ok, missing = fetch_all(server, ["/sjj/gknb.html", "/nothing.html"])
        statuses = [(h.path, h.status) for h in server.hits if h.path != "/robots.txt"]
    assert ok.ok and ok.attempts == 2
    assert missing.status == 404 and missing.attempts == 1  # a 404 is final, not retried
    assert statuses == [("/sjj/gknb.html", 500), ("/sjj/gknb.html", 200), ("/nothing.html", 404)]


def test_autothrottle_follows_latency_but_never_under_the_delay() -> None:
    async def go() -> list[float]:
        slot = HostSlot(delay=1.0, autothrottle=True, max_delay=30)
        seen = []
        for latency, status in [(0.1, 200), (5.0, 200), (5.0, 200), (0.0, 429), (0.1, 200)]:
            slot._next_start = 0.0  # no waiting between these simulated requests
            await slot.acquire()
            slot.release(latency, status)
            seen.append(round(slot.delay, 3))
        return seen

    # (1 + 0.1) / 2 is under the 1 s floor; then halfway to 5 s twice; 429 doubles
    assert asyncio.run(go()) == [1.0, 3.0, 4.0, 8.0, 4.05]


def test_robots_crawl_delay_is_a_floor() -> None:
    rules = Robots("User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n")
    assert rules.crawl_delay("xxgk-archive/0.1") == 3.0
    assert not rules.allowed("http://a.gov.cn/private/x.html", "xxgk-archive/0.1")
    slot = asyncio.run(_slot(1.0))
    slot.raise_floor(3.0)
    slot.release(0.01, 200)
    assert slot.delay == 3.0
    assert Robots(None, unreachable="HTTP 503").allowed("http://a.gov.cn/", "x") is False


async def _slot(delay: float) -> HostSlot:
    return HostSlot(delay=delay, autothrottle=True)


def test_robots_txt_behind_a_redirect_is_followed() -> None:
    with DemoServer(fails_once=()) as server:
        server.redirects["/robots.txt"] = "/files/robots-moved.txt"
        server.gone.add("/files/robots-moved.txt")
        (page,) = fetch_all(server, ["/private/zfxxgknb/t20240101_9999.html"])
    # the moved robots.txt is missing (404): no rules, so the page is fetched
    assert page.ok


def test_robots_txt_server_error_forbids_the_host() -> None:
    with DemoServer(fails_once=("/robots.txt",)) as server:  # one 500, and no retry allowed
        async def go():
            f = Fetcher(FetchConfig(delay=0.0, backoff_base=0.01, retry_times=0,
                                    private_hosts=LOCAL))
            try:
                return await f.robots_for(server.base_url + "/sjj/gknb.html")
            finally:
                await f.close()
        rules = asyncio.run(go())
    assert rules.unreachable == "HTTP 500"


def test_a_slow_answer_times_out_and_is_retried() -> None:
    with DemoServer(fails_once=()) as server:
        server.slow["/sjj/gknb.html"] = 0.5
        (page,) = fetch_all(server, ["/sjj/gknb.html"],
                            FetchConfig(delay=0.0, timeout_total=0.1, retry_times=1,
                                        backoff_base=0.01, private_hosts=LOCAL))
    assert page.error_kind == "timeout" and page.attempts == 2
