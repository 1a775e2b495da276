"""Crash safety (issue 7.2): kill -9 the crawler and the build at random moments.

Ten crawls of the demo website and ten builds of the crawled archive are started as
subprocesses and killed with SIGKILL after a random delay (the seed is printed; set
XXGK_CRASH_SEED to replay a run). After every kill: `PRAGMA integrity_check` is ok, every
stored document's bytes hash to its id and have its size (nothing half-written), and no
document stored before the kill is gone. Then one more run without a kill must converge to
the archive of a run that was never interrupted: the same `documents`, the same document
URLs and crawl pages, and (for the build) the same `facts`, `reports` and `parses`.
The build runs with a batch of one document, so that kills land inside write transactions.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from archive.importer import import_paths
from archive.store import unpack
from scraper.demo_site import DemoServer, demo_sources
from xxgk import settings

ROOT = settings.ROOT
KILLS = 10  # per phase: 10 crawls + 10 builds = 20 kills
SEED = int(os.environ.get("XXGK_CRASH_SEED") or time.time_ns() % 1_000_000)
BUILD = ("import sys; from xxgk import settings; settings.BUILD_BATCH_DOCUMENTS = 1; "
         "import sqlite_utils; from archive.build import build; "
         "build(sqlite_utils.Database(sys.argv[1]), progress=False)")


def registry(path: Path, base_url: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "url", "parent", "notes", "allow_private"])
        for s in demo_sources(base_url):
            w.writerow([s.name, s.url, s.parent, "crash-test copy of the demo registry", "yes"])
    return path


def crawl_cmd(reg: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "xxgk.cli", "crawl", "--sources", str(reg), "--db", str(db),
            "--delay", "0.05"]


def build_cmd(db: Path) -> list[str]:
    return [sys.executable, "-c", BUILD, str(db)]


def timed(cmd: list[str]) -> float:
    t = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return time.monotonic() - t


def kill_after(cmd: list[str], seconds: float) -> bool:
    """Start `cmd`, SIGKILL it after `seconds`; True when it was still running then."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def check_intact(db: Path, before: set[str]) -> set[str]:
    """integrity_check ok, every document whole, none lost; returns the document ids."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert con.execute("pragma foreign_key_check").fetchall() == []
        ids = set()
        for doc_id, size, data, compression in con.execute(
                "select d.id, d.size, b.data, b.compression from documents d left join blobs b "
                "on b.sha256 = d.id"):
            assert data is not None, f"document {doc_id} has no bytes"
            data = unpack(data, compression)  # stored compressed where that saves space
            assert len(data) == size and hashlib.sha256(data).hexdigest() == doc_id, doc_id
            ids.add(doc_id)
        assert before <= ids, f"documents lost: {before - ids}"
        return ids
    finally:
        con.close()


def path_of(url: str) -> str:
    return url.split("/", 3)[3]


def crawl_state(db: Path) -> dict[str, set]:
    con = sqlite3.connect(db)
    out = {
        "documents": set(con.execute("select id, size, media_type, origin from documents")),
        "document_urls": {(d, path_of(u), s) for d, u, s in con.execute(
            "select document_id, url, status from document_urls")},
        "crawl_pages": {(path_of(u), *r) for u, *r in con.execute(
            "select url, kind, document_id, report_year, publisher, skip_reason, versions "
            "from crawl_pages")},
    }
    con.close()
    return out


def build_state(db: Path) -> dict[str, list]:
    con = sqlite3.connect(db)
    fact_cols = ("seq, f.key, value, unit, label, evidence, section, method, status, start, "
                 "f.end, raw, percent_of, table_name, row_label, column_label, version, note")
    out = {
        "documents": sorted(con.execute("select * from documents")),
        "parses": sorted(con.execute("select * from parses")),
        "reports": sorted(con.execute(
            "select key, publisher_id, report_year, title, era, url, document_id, n_documents,"
            " n_sections, n_facts, n_failed_checks, text from reports")),
        "facts": sorted(con.execute(
            f"select r.key, {fact_cols} from facts f join reports r on r.id = f.report_id"),
            key=repr),
        "checks": sorted(con.execute(
            "select r.key, c.seq, rule, ok, detail, numbers from checks c join reports r on "
            "r.id = c.report_id"), key=repr),
    }
    con.close()
    return out


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """An uninterrupted crawl (the reference) and ten killed crawls resumed to the end."""
    rng = random.Random(SEED)
    tmp = tmp_path_factory.mktemp("crash")
    with DemoServer(fails_once=()) as server:
        reg = registry(tmp / "sources.csv", server.base_url)
        whole = tmp / "whole.db"
        duration = timed(crawl_cmd(reg, whole))
        ids: set[str] = set()
        moments, mid_run, chains = [], 0, []
        killed = tmp / "killed-0.db"
        for _ in range(KILLS):
            moment = rng.uniform(0.3, 1.0) * duration
            moments.append(round(moment, 2))
            if kill_after(crawl_cmd(reg, killed), moment):
                mid_run += 1
                if killed.exists():
                    ids = check_intact(killed, ids)
            else:  # the run ended before its kill: this chain is done, start another
                check_intact(killed, ids)
                chains.append(killed)
                killed, ids = tmp / f"killed-{len(chains)}.db", set()
        timed(crawl_cmd(reg, killed))
        check_intact(killed, ids)
        chains.append(killed)
    return tmp, whole, chains, moments, mid_run, duration


def test_killed_crawls_converge_to_the_uninterrupted_archive(crawled) -> None:
    _, whole, chains, moments, mid_run, duration = crawled
    print(f"crash seed {SEED}: crawl {duration:.1f} s, kills at {moments}, {mid_run} mid-run, "
          f"{len(chains)} chains")
    assert mid_run >= KILLS // 2, f"seed {SEED}: only {mid_run} kills landed in a run"
    a = crawl_state(whole)
    for killed in chains:
        b = crawl_state(killed)
        for table in a:
            assert a[table] == b[table], f"seed {SEED}: {table} differs in {killed.name}"


def test_killed_builds_converge_to_the_uninterrupted_build(crawled) -> None:
    tmp, whole, _, _, _, _ = crawled
    rng = random.Random(SEED + 1)
    source = tmp / "to-build.db"
    shutil.copyfile(whole, source)
    db = sqlite_utils.Database(source)  # more documents to parse: the parser's demo pages
    import_paths(db, [settings.DEMO_DIR, settings.FIXTURES_DIR / "tables"])
    db.close()
    reference = tmp / "built.db"
    shutil.copyfile(source, reference)
    duration = timed(build_cmd(reference))
    startup = timed(build_cmd(reference))  # nothing to do: start-up and the final checks
    n_docs = sqlite3.connect(source).execute("select count(*) from documents").fetchone()[0]
    per_doc = max(0.01, (duration - startup) / n_docs)
    expected = build_state(reference)
    killed = tmp / "build-killed.db"
    moments, mid_write, chains, left = [], 0, 0, 0
    for _ in range(KILLS):
        if left == 0:  # a new chain of killed builds from the unbuilt archive
            shutil.copyfile(source, killed)
            ids = check_intact(killed, set())
            chains += 1
        # a moment within what is left of the work, start-up included
        moment = rng.uniform(0.6 * startup, startup + per_doc * (left or n_docs))
        moments.append(round(moment, 2))
        if kill_after(build_cmd(killed), moment):
            mid_write += 1
        ids = check_intact(killed, ids)
        con = sqlite3.connect(killed)
        (left,) = con.execute("select count(*) from documents where id not in "
                              "(select document_id from parses)").fetchone()
        con.close()
        if left == 0:  # the chain's last kill came after the parsing: finish and compare
            timed(build_cmd(killed))
            check_intact(killed, ids)
            got = build_state(killed)
            for table in expected:
                assert expected[table] == got[table], f"seed {SEED}: {table} differs"
    if left:
        timed(build_cmd(killed))
        check_intact(killed, ids)
    print(f"crash seed {SEED}: build {duration:.1f} s ({n_docs} documents), kills at {moments}, "
          f"{mid_write} mid-run, {chains} chains")
    assert mid_write >= KILLS // 2, f"seed {SEED}: only {mid_write} kills landed in a build"
    got = build_state(killed)
    for table in expected:
        assert expected[table] == got[table], f"seed {SEED}: {table} differs after killed builds"
