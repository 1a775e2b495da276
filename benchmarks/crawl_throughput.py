"""Crawl throughput and memory, against local servers (no network beyond 127.0.0.1).

1. The demo website (fixtures/site/) with politeness off (no delay, no robots, 16 requests
   at a time): pages/s of the whole crawler (discovery, storage, logs) next to a bare httpx
   client fetching the same URLs at the same concurrency: the gap is our overhead.
2. A synthetic site of N report pages (+ TRS listing pages) generated on the fly by a server
   in another process: pages/s, and the crawler process's resident memory every
   `--rss-every` pages handled and at its peak, to show that memory stays flat as the site
   grows (issue 6: flat over a 100,000-page local site).

    .venv/bin/python benchmarks/crawl_throughput.py [--pages 10000] [--repeat 5]
    .venv/bin/python benchmarks/crawl_throughput.py --pages 100000 --repeat 0  # memory curve
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from scraper.crawl import crawl  # noqa: E402
from scraper.demo_site import DemoServer, demo_sources  # noqa: E402
from scraper.fetch import FetchConfig  # noqa: E402
from scraper.registry import Source  # noqa: E402
from xxgk import settings  # noqa: E402

# The synthetic site is one source with up to 500 listing pages (the most a TRS pager script
# names, see scraper.discover._trs_pages) of 100 or more reports each: lift the per-source
# caps that protect real runs from runaway columns (main() raises them to the site's size).
settings.CRAWL_MAX_LISTING_PAGES = 1_000
settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE = 100_000
MAX_LISTINGS = 500


def per_listing(pages: int) -> int:
    """Report links per listing page: 100, more when 500 listing pages would not hold all."""
    return max(100, math.ceil(pages / MAX_LISTINGS))


def rss_mb() -> float:
    """The process's resident memory now (Linux /proc), else its peak so far."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class SyntheticHandler(BaseHTTPRequestHandler):
    """/syn/index.html, index_N.html: `per_listing(pages)` links each; /syn/r/N.html: a small
    report page."""

    protocol_version = "HTTP/1.1"
    pages = 10_000

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without TCP_NODELAY each small response
        # waits ~40 ms for the client's delayed ACK (Nagle), which measures the kernel, not us
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path
        each = per_listing(self.pages)
        listings = max(1, math.ceil(self.pages / each))
        if path in ("/syn/", "/syn/index.html") or path.startswith("/syn/index_"):
            n = 0 if not path.startswith("/syn/index_") else int(path[11:].split(".")[0])
            items = "".join(
                f'<li><a href="r/{i}.html">合成县第{i}局2023年政府信息公开工作年度报告</a></li>'
                for i in range(n * each, min((n + 1) * each, self.pages)))
            body = (f"<html><head><meta charset='utf-8'><title>年报</title></head><body><ul>"
                    f"{items}</ul><script>createPageHTML({listings}, {n}, \"index\", \"html\");"
                    "</script></body></html>")
        elif path.startswith("/syn/r/"):
            i = int(path[7:].split(".")[0])
            para = (f"<p>本机关主动公开政府信息{1000 + i}条，"
                    f"收到政府信息公开申请{i % 97}件。</p>") * 20
            body = (f"<html><head><meta charset='utf-8'><title>合成县第{i}局2023年政府信息公开工作"
                    f"年度报告</title></head><body><div id='zoom'>{para}</div></body></html>")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _serve(port_queue: multiprocessing.Queue, pages: int) -> None:
    SyntheticHandler.pages = pages
    ThreadingHTTPServer.request_queue_size = 128  # the default backlog of 5 drops connections
    server = ThreadingHTTPServer(("127.0.0.1", 0), SyntheticHandler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


async def bare_fetch(urls: list[str], concurrency: int) -> float:
    """The network alone: the same URLs with a bare httpx client, no parsing or storage."""
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient() as client:
        async def one(u: str) -> None:
            async with sem:
                r = await client.get(u)
                r.read()
        started = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return time.perf_counter() - started


def demo_benchmark(repeat: int) -> None:
    config = FetchConfig.impolite()
    times, pages = [], 0
    with DemoServer(fails_once=()) as server, tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            result = crawl(Path(tmp) / f"demo{i}.db", demo_sources(server.base_url), config)
            times.append(result.elapsed)
            pages = result.counts["pages_fetched"]
        urls = sorted({server.base_url + h.path for h in server.hits})
        bare = min(asyncio.run(bare_fetch(urls, config.concurrency_per_host))
                   for _ in range(repeat))
    best = min(times)
    print(f"demo site: {pages} pages, best of {repeat}: {best:.2f} s = {pages / best:.0f} pages/s "
          f"(crawler); bare httpx on the same {len(urls)} URLs: {len(urls) / bare:.0f} pages/s")


def synthetic_benchmark(pages: int, rss_every: int) -> None:
    q: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_serve, args=(q, pages), daemon=True)
    proc.start()
    port = q.get(timeout=10)
    base = f"http://127.0.0.1:{port}"
    try:
        sample = [f"{base}/syn/r/{i}.html" for i in range(min(pages, 2000))]
        bare = asyncio.run(bare_fetch(sample, 16))
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if rss_every and done % rss_every == 0:
                print(f"  {done:>7} pages handled  RSS {rss_mb():6.1f} MB  "
                      f"({time.monotonic() - started:.0f} s)", flush=True)

        with tempfile.TemporaryDirectory() as tmp:
            rss_start = rss_mb()
            peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"synthetic site of {pages} report pages: RSS at the start {rss_start:.1f} MB "
                  f"(process peak so far {peak_before:.0f} MB)", flush=True)
            result = crawl(Path(tmp) / "syn.db",
                           [Source("合成县", f"{base}/syn/", allow_private="yes")],
                           FetchConfig.impolite(), progress=progress)
            rss_end = rss_mb()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            size = sum(f.stat().st_size for f in Path(tmp).iterdir())
        n = result.counts["pages_fetched"]
        print(f"synthetic site: {n} pages ({len(result.reports)} reports) in {result.elapsed:.1f} s"
              f" = {n / result.elapsed:.0f} pages/s (bare httpx: {len(sample) / bare:.0f} "
              f"pages/s); RSS at the end {rss_end:.0f} MB, process peak {peak:.0f} MB (at the "
              f"start {rss_start:.0f} MB); archive {size / 1e6:.1f} MB; status {result.status}")
    finally:
        proc.terminate()
        proc.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5,
                    help="crawls of the demo site (0: skip that part)")
    ap.add_argument("--rss-every", type=int, default=10_000,
                    help="print the RSS every N pages handled (0: never)")
    args = ap.parse_args()
    # The per-site page cap guards real crawls; this synthetic site is meant to be crawled whole,
    # so the caps are lifted to its size (listing pages included).
    settings.CRAWL_MAX_PAGES_PER_SITE = max(settings.CRAWL_MAX_PAGES_PER_SITE, 2 * args.pages)
    settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE = max(settings.CRAWL_MAX_DOCUMENTS_PER_SOURCE,
                                                  args.pages)
    if args.repeat:
        demo_benchmark(args.repeat)
    synthetic_benchmark(args.pages, args.rss_every)


if __name__ == "__main__":
    main()
