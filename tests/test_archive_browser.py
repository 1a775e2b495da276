"""A real headless browser (Debian's chromium) on `xxgk serve`: the home page, a saved query, a
report page with its evidence highlighted and the series chart with a gap render in Chinese,
and their screenshots are kept in settings.TEST_ARTIFACTS_DIR.

Chromium is installed by scripts/ensure_chromium.sh (called from .ci/run); where it cannot be
installed the test skips and says so.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from urllib.parse import quote
from urllib.request import urlopen

import pytest
import sqlite_utils

from archive.serve import make_datasette
from testkit.archives import corpus_archive
from xxgk import settings

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium on PATH: run scripts/ensure_chromium.sh (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(corpus, tmp_path_factory):
    import uvicorn

    base = tmp_path_factory.getbasetemp()
    path = corpus_archive(base, base / "browser" / "archive.db")
    port = _free_port()
    config = uvicorn.Config(make_datasette(path).app(), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the Datasette server did not start within 20 s")
        time.sleep(0.05)
    db = sqlite_utils.Database(path)
    report_id = db.execute("select id from reports where key = "
                           "'江苏省淮安市洪泽区人民政府/2023'").fetchone()[0]
    yield f"http://127.0.0.1:{port}", report_id
    srv.should_exit = True
    thread.join(timeout=10)


def _chromium(browser: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--hide-scrollbars", *args],
        capture_output=True, timeout=60, check=False,
    )


def _report_fact(base: str, report_id: int) -> str:
    """The report page at the fact behind 平潭's 2016 value in the series (a legacy sentence)."""
    import json

    url = (f"{base}/archive/series.json?_shape=array&publisher="
           + quote("平潭综合实验区管理委员会") + "&indicator=applications.new.total")
    rows = json.loads(urlopen(url, timeout=10).read())
    link = next(r["fact_link"] for r in rows if r["year"] == 2016)
    return base + link


def test_pages_render_in_a_real_browser(server):
    """Home page, a saved query, a report page with its evidence highlighted and the series
    chart with gaps, as Chromium renders them, in Chinese. The screenshots of docs/journalists.md
    are these (copied from settings.TEST_ARTIFACTS_DIR / "browser")."""
    browser = _browser()
    base, report_id = server
    pages = {
        "home": f"{base}/",
        "saved_query": f"{base}/archive/series?publisher={quote('平潭综合实验区管委会')}"
                       "&indicator=applications.new.total",
        "report": f"{base}/-/xxgk/report/{report_id}",
        "report_evidence": _report_fact(base, report_id),
        "chart": f"{base}/-/xxgk/chart?publisher={quote('平潭综合实验区管委会')}"
                 "&key=applications.new.total",
    }
    expected = {
        "home": ["政府信息公开工作年度报告档案", "在全部报告中搜索", "常用问题", "档案覆盖情况"],
        "saved_query": ["某单位历年的某项指标", "无报告", "载明为零", "查看出处"],
        "report": ["洪泽区人民政府2023年政府信息公开工作年度报告", "自相矛盾", "主要数字及出处"],
        "report_evidence": ["您要核对的数字", '<mark class="xxgk-hl">', 'class="xxgk-hl"'],
        "chart": ["<svg", "历年走势图", "无报告", 'class="xxgk-gap"', "报告年度"],
    }
    out_dir = settings.TEST_ARTIFACTS_DIR / "browser"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, url in pages.items():
        assert urlopen(url, timeout=10).status == 200
        dom = _chromium(browser, "--dump-dom", url)
        assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
        text = dom.stdout.decode("utf-8")
        for want in expected[name]:
            assert want in text, (name, want)
        shot = out_dir / f"{name}.png"
        shot.unlink(missing_ok=True)
        result = _chromium(browser, f"--screenshot={shot}", "--window-size=1200,1100", url)
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
