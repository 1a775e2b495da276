"""A real headless browser (Debian's chromium) on `xxgk serve`: home page, a saved query and a
report page render, and their screenshots are kept in settings.TEST_ARTIFACTS_DIR.

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
from archive.testing import corpus_archive
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


def test_pages_render_in_a_real_browser(server):
    browser = _browser()
    base, report_id = server
    pages = {
        "home": f"{base}/",
        "saved_query": f"{base}/archive/requests_over_years?publisher={quote('平潭综合实验区')}",
        "report": f"{base}/-/xxgk/report/{report_id}",
        "chart": f"{base}/-/xxgk/chart?publisher={quote('平潭综合实验区')}&key=applications.new.total",
    }
    expected = {
        "home": "政府信息公开工作年度报告 archive",
        "saved_query": "new_requests",
        "report": "洪泽区人民政府2023年政府信息公开工作年度报告",
        "chart": "<svg",
    }
    out_dir = settings.TEST_ARTIFACTS_DIR / "browser"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, url in pages.items():
        assert urlopen(url, timeout=10).status == 200
        dom = _chromium(browser, "--dump-dom", url)
        assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
        assert expected[name] in dom.stdout.decode("utf-8"), name
        shot = out_dir / f"{name}.png"
        shot.unlink(missing_ok=True)
        result = _chromium(browser, f"--screenshot={shot}", "--window-size=1280,1400", url)
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
