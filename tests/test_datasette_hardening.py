"""Datasette hardening (issue 7.4): the archive is served immutable and read-only, with a SQL
time limit and a row limit, no write or upload endpoint, and scraped text never executes.

The end-to-end test crawls a report from a local site (scraper, 127.0.0.1 allowed by the
source's allow_private) whose title, headings and text carry <script>, onerror= and
javascript: payloads, builds it, serves it, and loads every page that shows it in headless
Chromium: had any payload run, it would have set document.title to "1Z2Z3" (a string that is
not in the page's source, only in what the script computes).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import threading
import time
from urllib.parse import quote
from urllib.request import urlopen

import pytest
import sqlite_utils

from archive.build import build
from archive.serve import make_datasette
from scraper.crawl import crawl
from scraper.demo_site import DemoServer
from scraper.fetch import FetchConfig
from scraper.registry import Source
from xxgk import settings

RUN = "document.title=[1,2,3].join('Z')"  # would leave "1Z2Z3" in the DOM
MARKER = "1Z2Z3"
TITLE = (f"&lt;script&gt;{RUN}&lt;/script&gt;云溪县安全局2023年政府信息公开工作年度报告"
         f"&lt;img src=x onerror=\"{RUN}\"&gt;")
FILLER = "本机关严格落实《中华人民共和国政府信息公开条例》，持续推进决策、执行、管理、服务、结果公开。" * 4
REPORT = (
    f"<html><head><meta charset=\"utf-8\"><title>{TITLE}</title></head><body>"
    f"<div class='TRS_Editor'><h1>{TITLE}</h1>"
    f"<p>一、总体情况&lt;script&gt;{RUN}&lt;/script&gt;</p>"
    f"<p>本年度主动公开政府信息120条，收到政府信息公开申请12件&lt;img src=x onerror={RUN}&gt;。"
    f"&lt;a href=\"javascript:{RUN}\"&gt;点此查看&lt;/a&gt;{FILLER}</p>"
    f"<p>二、主动公开政府信息情况&lt;svg onload=\"{RUN}\"&gt;</p><p>主动公开政府信息100条。{FILLER}</p>"
    f"<p>三、收到和处理政府信息公开申请情况</p><p>javascript:{RUN} {FILLER}</p>"
    f"<script>{RUN}</script><img src=x onerror=\"{RUN}\">"
    f"<a href=\"javascript:{RUN}\">javascript 链接</a></div></body></html>"
)
LISTING = (f"<html><head><meta charset=\"utf-8\"><title>年报</title></head><body>"
           f"<a href=\"r2023.html\">{TITLE}</a></body></html>")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The hostile report crawled from a local site and built into an archive."""
    tmp = tmp_path_factory.mktemp("hostile")
    www = tmp / "www"
    (www / "nb").mkdir(parents=True)
    (www / "nb" / "index.html").write_text(LISTING, encoding="utf-8")
    (www / "nb" / "r2023.html").write_text(REPORT, encoding="utf-8")
    db_path = tmp / "archive.db"
    with DemoServer(root=www, fails_once=()) as server:
        source = Source("云溪县安全局", server.base_url + "/nb/", allow_private="yes")
        result = crawl(db_path, [source], FetchConfig(delay=0.0, backoff_base=0.01))
    assert result.counts["new"] == 1, result.summary()
    db = sqlite_utils.Database(db_path)
    build(db, progress=False)
    report = db.execute("select id, title, publisher_id from reports").fetchone()
    assert report is not None and "<script>" in report[1]  # the payload reached the archive
    # (the parser ends a heading at its words; the payload after them is the section's text)
    texts = [r[0] for r in db.execute("select text from sections")]
    assert any("<script>" in t for t in texts) and any("<svg onload" in t for t in texts)
    db.close()
    return db_path, report[0], report[2]


@pytest.fixture(scope="module")
def ds(archive):
    ds = make_datasette(archive[0])
    asyncio.run(ds.invoke_startup())
    return ds


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def test_database_is_immutable_with_time_and_row_limits(ds) -> None:
    db = ds.get_database("archive")
    assert db.is_mutable is False
    assert ds.setting("sql_time_limit_ms") == settings.DATASETTE_SQL_TIME_LIMIT_MS
    assert ds.setting("max_returned_rows") == settings.DATASETTE_MAX_RETURNED_ROWS
    # more rows than the limit: cut, and said so
    n = settings.DATASETTE_MAX_RETURNED_ROWS + 500
    sql = f"with recursive c(x) as (select 1 union all select x + 1 from c where x < {n}) " \
          "select x from c"
    body = get(ds, f"/archive.json?sql={quote(sql)}&_shape=objects").json()
    assert body["truncated"] is True and len(body["rows"]) == settings.DATASETTE_MAX_RETURNED_ROWS


def test_a_slow_query_is_stopped_by_the_time_limit(ds) -> None:
    sql = ("with recursive c(x) as (select 1 union all select x + 1 from c) "
           "select count(*) from c")  # endless without the limit
    started = time.monotonic()
    resp = get(ds, f"/archive.json?sql={quote(sql)}")
    assert resp.status_code == 400 and "interrupted" in resp.text.lower()
    assert time.monotonic() - started < settings.DATASETTE_SQL_TIME_LIMIT_MS / 1000 + 5


@pytest.mark.parametrize("sql", [
    "insert into meta (name, value) values ('x', 'y')",
    "update reports set title = 'x'",
    "delete from documents",
    "drop table facts",
    "attach database '/tmp/x.db' as x",
    "pragma writable_schema = 1",
])
def test_no_sql_can_write(ds, sql: str) -> None:
    resp = get(ds, f"/archive.json?sql={quote(sql)}")
    assert resp.status_code in (400, 403), resp.text[:300]
    assert get(ds, "/archive.json?sql=select+count(*)+from+documents").json()["rows"] == [[1]]


def test_no_write_or_upload_endpoint(ds) -> None:
    plugins = {p["name"] for p in get(ds, "/-/plugins.json").json()}
    assert plugins <= {"xxgk", "xxgk-archive"}, f"unexpected plugins (uploads? writes?): {plugins}"
    assert not any(q.get("write") for q in ds.metadata("queries", database="archive").values())
    import httpx

    async def post_all() -> dict[str, int]:
        # the app as uvicorn runs it (app errors become 500 answers, as a client sees them)
        transport = httpx.ASGITransport(app=ds.app(), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return {path: (await client.post(path, json={"row": {"title": "x"}})).status_code
                    for path in ("/archive/reports/-/insert", "/archive/-/create",
                                 "/archive/reports/-/drop", "/archive/reports/1/-/update",
                                 "/archive/reports/1/-/delete", "/-/upload-csvs", "/archive",
                                 "/archive/reports", "/archive/-/query")}

    # Datasette 0.65 has no write API: a POST to a table fails an assertion (500), the
    # others are 404/405; none is a success, and nothing changed
    codes = asyncio.run(post_all())
    assert all(code in (400, 403, 404, 405, 500) for code in codes.values()), codes
    assert get(ds, "/archive.json?sql=select+title+from+reports").json()["rows"][0][0] != "x"


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium on PATH: run scripts/ensure_chromium.sh (apt-get install chromium)")


def test_hostile_report_executes_nothing_in_a_real_browser(archive) -> None:
    import uvicorn

    browser = _browser()
    db_path, report_id, publisher_id = archive
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(make_datasette(db_path).app(), host="127.0.0.1",
                                        port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "Datasette did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    # control: the same payload where it is allowed to run does leave the marker
    control = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--virtual-time-budget=3000", "--dump-dom",
         f"data:text/html,<title>t</title><img src=x onerror=\"{RUN}\">"],
        capture_output=True, timeout=60, check=False)
    assert MARKER in control.stdout.decode("utf-8", errors="replace"), "the detector is blind"
    pages = [
        f"/-/xxgk/report/{report_id}",
        "/archive/reports",
        f"/archive/reports/{report_id}",
        "/archive/sections",
        "/archive/facts",
        "/archive/crawl_pages",
        "/archive/document_urls",
        f"/archive/reports?_search={quote('总体情况')}",
        "/archive/parses?_facet=title",
        f"/-/xxgk/chart?publisher={quote(str(publisher_id))}&key=v2021.active.total",
        f"/archive.json?sql={quote('select title from reports')}",
    ]
    try:
        for path in pages:
            assert urlopen(base + path, timeout=10).status == 200, path
            dom = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--virtual-time-budget=3000", "--dump-dom", base + path],
                capture_output=True, timeout=60, check=False)
            assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
            html = dom.stdout.decode("utf-8", errors="replace")
            assert MARKER not in html, f"a payload ran on {path}"
            if not path.endswith(".json") or "sql=" not in path:
                assert re.search(r"<a\b[^>]*href=\"\s*javascript:", html, re.I) is None, path
                assert re.search(r"<(?:img|svg)\b[^>]*\bon(?:error|load)=", html, re.I) is None, path
        report_dom = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--dump-dom", f"{base}/-/xxgk/report/{report_id}"],
            capture_output=True, timeout=60, check=False).stdout.decode("utf-8")
        # the payloads are there, shown as text
        assert "&lt;script&gt;document.title=[1,2,3].join('Z')" in report_dom
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
