"""`xxgk build --scheduler`: parsing on a Dask cluster (archive/distributed.py) writes the same
archive as a local build, byte for byte, on a local cluster of 2 worker processes."""

from __future__ import annotations

import hashlib
import io
import shutil
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from archive import distributed
from archive.build import build
from archive.store import add_document
from testkit.synth import load_synth
from xxgk import settings
from xxgk.cli import cli

pytest.importorskip("distributed", reason="the [cluster] extra (Dask distributed)")
ROOT = Path(__file__).resolve().parent.parent
PAGE_URL = "http://127.0.0.1:8765/gk/2023/report.html"


synth = load_synth()


def _cluster(daemon: bool, workers: int):
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": daemon}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=":0", host="127.0.0.1")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, started as docs/performance.md says."""
    c = _cluster(daemon=False, workers=2)
    yield c.scheduler_address
    c.close()


def _image_png() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (420, 90), "white")
    ImageDraw.Draw(image).text((20, 15), "2023 4567", fill="black",
                               font=ImageFont.load_default(size=48))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """An archive of stored, unbuilt documents: reports of all eras and kinds, a report page
    with an image that OCR reads (the image stored apart, as the crawler stores it), a
    document that is not a report and one that cannot be read."""
    path = tmp_path_factory.mktemp("dist") / "store.db"
    db = sqlite_utils.Database(path)
    for i in range(24):
        r = synth.generate(i * 89, 2014 + i % 10, seed=7, kind=("html", "html-gbk", "docx")[i % 3])
        add_document(db, r.data, url=None, path=f"/synth/{r.filename}", filename=r.filename,
                     origin="import")
    page = synth.generate(4242, 2023, seed=7, kind="html").data.decode("utf-8")
    page = page.replace("</p>", '</p><p><img src="images/t.png" alt="统计"></p>', 1)
    add_document(db, page.encode("utf-8"), url=PAGE_URL, media_type="text/html",
                 fetched_at="2024-01-10T00:00:00Z")
    add_document(db, _image_png(), url=PAGE_URL.replace("report.html", "images/t.png"),
                 media_type="image/png", fetched_at="2024-01-10T00:00:01Z")
    add_document(db, "关于召开政府信息公开工作会议的通知\n各单位：定于下周召开会议。".encode(),
                 url=None, path="/synth/notice.txt", filename="notice.txt", origin="import")
    add_document(db, b"%PDF-1.4\n broken", url=None, path="/synth/broken.pdf",
                 filename="broken.pdf", origin="import")
    db.close()
    return path


def _copy(store: Path, name: str) -> sqlite_utils.Database:
    dest = store.with_name(name)
    shutil.copyfile(store, dest)
    return sqlite_utils.Database(dest)


def _sha(db: sqlite_utils.Database) -> str:
    """The archive file's SHA-256, after setting aside the one thing two builds of the same
    documents never share, local or not: how many seconds OCR took (ocr_regions.seconds)."""
    path = Path(db.execute("pragma database_list").fetchone()[2])
    with db.conn:
        db.execute("update ocr_regions set seconds = 0")
    db.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_cluster_build_is_byte_for_byte_the_local_build(store, cluster, monkeypatch):
    monkeypatch.setattr(settings, "BUILD_PARALLEL_MIN_DOCUMENTS", 2)
    local = _copy(store, "local.db")
    local_stats = build(local, progress=False, workers=2)
    remote = _copy(store, "remote.db")
    stats = build(remote, progress=False, scheduler=cluster)
    assert stats.workers == 2  # the cluster's worker threads
    assert (stats.parsed, stats.reports, stats.not_reports, stats.errors) == (
        local_stats.parsed, local_stats.reports, local_stats.not_reports, local_stats.errors)
    assert (stats.reports, stats.errors) == (25, 1) and stats.not_reports == 2
    # the image was read by OCR on a worker, from the store's bytes sent with the page
    region = remote.execute("select r.text, o.image, o.image_document_id from ocr_regions o "
                            "join reports r on r.id = o.report_id").fetchall()
    assert len(region) == 1 and region[0][1] == "images/t.png" and region[0][2]
    assert "4567" in region[0][0]
    again = build(remote, progress=False, scheduler=cluster)
    assert again.parsed == 0 and again.reports_written == 0
    assert _sha(remote) == _sha(local)


def test_the_writer_keeps_at_most_a_window_of_documents_on_the_cluster(store, cluster,
                                                                      monkeypatch):
    monkeypatch.setattr(settings, "BUILD_PARSE_WINDOW", 4)
    monkeypatch.setattr(settings, "DISTRIBUTED_CHUNK", 1)
    db = sqlite_utils.Database(store)
    todo = [r[0] for r in db.execute("select id from documents order by id")]
    seen = []
    stream = distributed.parsed_stream(db, todo, cluster)
    for parsed, _seconds in stream:
        time.sleep(0.02)  # a slow writer
        seen.append(parsed.document_id)
        assert distributed.in_flight[0] <= 4
    assert seen == todo  # document order, whatever finished first
    stream = distributed.parsed_stream(db, todo, cluster)
    next(stream)
    stream.close()  # the writer stops (an error): what is queued is cancelled, nothing hangs


def test_a_worker_with_another_parser_is_refused_before_anything_is_written(
        store, cluster, monkeypatch):
    db = _copy(store, "other.db")
    monkeypatch.setattr(distributed, "_writer_fingerprint", lambda: "0.0.0+other")
    with pytest.raises(distributed.SchedulerError, match="same xxgk-archive"):
        build(db, progress=False, scheduler=cluster)
    assert db["parses"].count == 0 and db["reports"].count == 0


def test_daemonic_workers_are_told_how_to_start(store):
    c = _cluster(daemon=True, workers=1)
    try:
        db = _copy(store, "daemon.db")
        with pytest.raises(distributed.SchedulerError, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"):
            build(db, progress=False, scheduler=c.scheduler_address)
        assert db["parses"].count == 0
    finally:
        c.close()


def test_an_unreachable_scheduler_is_a_clear_error_and_nothing_is_written(store, monkeypatch):
    monkeypatch.setattr(settings, "DISTRIBUTED_CONNECT_SECONDS", 1.0)
    db = _copy(store, "unreachable.db")
    db.close()
    result = CliRunner().invoke(cli, ["build", "--db", str(store.with_name("unreachable.db")),
                                      "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    db = sqlite_utils.Database(store.with_name("unreachable.db"))
    assert db["parses"].count == 0
