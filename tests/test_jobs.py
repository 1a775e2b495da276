"""The crawl as a scheduled job: lock, exit codes, a killed run resumed, the main job."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from scraper.crawl import crawl
from scraper.demo_site import EXPECTED, DemoServer, demo_sources
from scraper.fetch import FetchConfig
from scraper.lock import CrawlLock, Locked
from scraper.result import EXIT_FAILURE, EXIT_LOCKED, EXIT_SUCCESS
from xxgk import settings
from xxgk.cli import cli
from xxgk.jobs import crawl_sources, run

ROOT = settings.ROOT


def write_registry(path: Path, base_url: str, demo: bool) -> Path:
    """The demo registry pointed at a test server; `demo=False` drops the marker so that the
    crawl does not start a server of its own."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "region_code", "level", "url", "parent", "url_pattern", "notes",
                    "allow_private"])
        for s in demo_sources(base_url):
            w.writerow([s.name, "", s.level, s.url, s.parent, "",
                        s.notes if demo else "test copy of the demo registry", "yes"])
    return path


def archive_state(db_path: Path) -> tuple[set, set, set]:
    db = sqlite3.connect(db_path)
    docs = {r[0] for r in db.execute("select id from documents")}
    urls = {r for r in db.execute("select document_id, url, status from document_urls")}
    pages = {r for r in db.execute("select url, kind, document_id, report_year, publisher, "
                                   "skip_reason from crawl_pages")}
    return docs, urls, pages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lock_stops_an_overlapping_run(tmp_path) -> None:
    db_path = tmp_path / "a.db"
    with CrawlLock(db_path):
        with pytest.raises(Locked):
            crawl(db_path, demo_sources("http://127.0.0.1:9"), FetchConfig())
        registry = write_registry(tmp_path / "s.csv", "http://127.0.0.1:9", demo=False)
        result = CliRunner().invoke(cli, ["crawl", "--sources", str(registry), "--db",
                                          str(db_path)])
        assert result.exit_code == EXIT_LOCKED, result.output
        assert "another crawl holds" in result.output
    assert not sqlite_utils.Database(db_path)["crawl_runs"].exists()


def test_total_failure_exit_code_when_no_site_answers(tmp_path) -> None:
    port = free_port()  # nothing listens there
    registry = write_registry(tmp_path / "s.csv", f"http://127.0.0.1:{port}", demo=False)
    out = crawl_sources(registry, tmp_path / "a.db",
                        config=FetchConfig(delay=0.0, retry_times=1, backoff_base=0.01))
    assert out.exit_code == EXIT_FAILURE
    db = sqlite_utils.Database(tmp_path / "a.db")
    run_row = db.execute("select status, exit_code, errors from crawl_runs").fetchone()
    assert run_row[0] == "failed" and run_row[1] == EXIT_FAILURE and "empty_source" in run_row[2]
    assert "host_unreachable" in run_row[2]


def test_killed_run_resumes_to_the_same_archive(tmp_path) -> None:
    """SIGKILL a crawl half way, start it again: the archive equals an uninterrupted crawl's."""
    with DemoServer() as server:
        whole = tmp_path / "whole.db"
        assert crawl(whole, demo_sources(server.base_url),
                     FetchConfig(delay=0.02, backoff_base=0.05)).exit_code == EXIT_SUCCESS
    with DemoServer() as server:
        registry = write_registry(tmp_path / "s.csv", server.base_url, demo=False)
        db_path = tmp_path / "killed.db"
        cmd = [sys.executable, "-m", "xxgk.cli", "crawl", "--sources", str(registry), "--db",
               str(db_path), "--delay", "0.1"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        fetched = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            try:
                con = sqlite3.connect(db_path, timeout=1)
                fetched = con.execute("select count(*) from fetch_log").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if fetched >= 12:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert fetched >= 12, "the crawl did not get half way"
        con = sqlite3.connect(db_path)
        assert con.execute("select ended_at from crawl_runs").fetchone()[0] is None
        con.close()
        again = subprocess.run([*cmd[:-1], "0.02"], cwd=ROOT, capture_output=True, text=True,
                               timeout=60)
    assert again.returncode == EXIT_SUCCESS, again.stdout + again.stderr
    assert "crawl.resume" in again.stderr
    db = sqlite_utils.Database(db_path)
    (runs,) = db.execute("select count(*) from crawl_runs").fetchone()
    assert runs == 1 and db.execute("select resumed from crawl_runs").fetchone()[0] == 1
    a, b = archive_state(whole), archive_state(db_path)
    assert a[0] == b[0]  # same documents
    strip = lambda rows: {(d, u.split("/", 3)[3], s) for d, u, s in rows}  # noqa: E731
    assert strip(a[1]) == strip(b[1])  # same URLs for each, ports aside
    pages = lambda rows: {(u.split("/", 3)[3], *rest) for u, *rest in rows}  # noqa: E731
    assert pages(a[2]) == pages(b[2])


def test_main_job_crawls_the_demo_site_and_builds(tmp_path) -> None:
    registry = write_registry(tmp_path / "s.csv", f"http://127.0.0.1:{free_port()}", demo=True)
    lines: list[str] = []
    code = run(registry, tmp_path / "archive.db", echo=lines.append)
    assert code == EXIT_SUCCESS, lines
    db = sqlite_utils.Database(tmp_path / "archive.db")
    got = {(r[0], r[1]) for r in db.execute("select publisher_id, report_year from reports")}
    assert len(got) == 13 and ("云溪县财政局", 2022) in got
    assert lines[-1].startswith("done: 13 reports found by the crawler")
    # the numbers one can check: table 三 totals of the generated reports, read back
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    want = {(r["publisher"], r["year"]): expected["table3_totals"][r["id"]]
            for r in expected["reports"] if r["id"] in expected["table3_totals"]}
    got_values = {(r[0], r[1]): (r[2], r[3]) for r in db.execute(
        "select publisher_id, report_year, new_requests, results_total from report_values")}
    for key, totals in want.items():
        assert got_values[key] == (totals["applications.new.total"],
                                   totals["results.total.total"]), key


def test_sources_check_command(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,region_code,level,url,parent,url_pattern,notes\n"
                   "甲,1101,county,http://a.gov.cn/nb/,,,\n"
                   "乙,990100,county,http://b.gov.cn/nb/,,,\n"
                   "丙,,county,ftp://c.gov.cn/nb/,,,\n"
                   "丁,,county,http://a.gov.cn/nb,,,\n"
                   "戊,,village,http://e.example.com/nb/,丑,(,\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sources", "check", str(bad)])
    assert result.exit_code == 1
    out = result.output
    for needle in ["line 2: error: bad region_code '1101'", "line 3: error: bad region_code 990100",
                   "line 4: error: bad url 'ftp://c.gov.cn/nb/'",
                   "line 5: error: duplicate url http://a.gov.cn/nb (first on line 2)",
                   "line 6: error: unknown level 'village'", "line 6: error: bad url_pattern",
                   "line 6: warning: parent '丑'", "line 6: warning: host e.example.com"]:
        assert needle in out, (needle, out)
    for shipped in (ROOT / "sources.csv", settings.DEMO_SOURCES):
        ok = CliRunner().invoke(cli, ["sources", "check", str(shipped)])
        assert ok.exit_code == 0, ok.output
