"""The per-document CPU-time cap (parser/time_cap.py): a document that would keep pdfminer
busy for seconds is refused at the cap with the reason, the build goes on, and the cap
leaves no timer or handler behind."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from test_hostile_bombs import one_page_pdf  # the hand-written PDF builder

from parser.pipeline import load_and_parse, parse_bytes
from parser.time_cap import ParseTimeout, can_cap, cpu_time_cap
from xxgk import settings

pytestmark = pytest.mark.skipif(not can_cap(), reason="the cap needs POSIX setitimer")

# One page of 400,000 path operators and no text: under every structural limit (3.2 MB of
# drawing instructions, no glyphs) but seconds of pdfminer's interpreter, which is what a
# damaged content stream found by the fuzzer looked like.
JUNK_PAGE = one_page_pdf(b"0 0 m 1 1 l\n" * 200_000)


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_cap_raises_inside_the_block_and_disarms() -> None:
    before = signal.getsignal(signal.SIGPROF)
    with pytest.raises(ParseTimeout, match=r"over the 0.2 s CPU-time cap"), cpu_time_cap(0.2):
        burn(2.0)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) is before
    with cpu_time_cap(0.2):  # a block that ends in time is left alone
        burn(0.05)
    burn(0.3)  # and nothing fires after it


def test_cap_is_not_armed_outside_the_main_thread() -> None:
    seen: list[bool] = []

    def run() -> None:
        with cpu_time_cap(0.01):
            seen.append(can_cap())
            burn(0.05)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [False]


def test_slow_pdf_is_refused_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PARSE_MAX_CPU_SECONDS", 0.5)
    started = time.process_time()
    result = parse_bytes(JUNK_PAGE, "junk.pdf")
    spent = time.process_time() - started
    assert result.error == "refused: over the 0.5 s CPU-time cap for one document"
    assert not result.is_report and result.facts == []
    assert spent < 1.5  # the cap, plus the unwinding


def test_timeout_is_not_reported_as_a_broken_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF loader turns library exceptions into 'broken PDF' messages; the timeout must
    pass through those handlers as what it is."""
    monkeypatch.setattr(settings, "PARSE_MAX_CPU_SECONDS", 0.3)
    doc, result = load_and_parse(JUNK_PAGE, "junk.pdf", "application/pdf")
    assert doc is None
    assert "broken" not in result.error and "CPU-time cap" in result.error


def test_build_records_the_refusal_and_goes_on(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite_utils

    from archive.build import build
    from archive.store import add_document

    monkeypatch.setattr(settings, "PARSE_MAX_CPU_SECONDS", 0.5)
    db = sqlite_utils.Database(tmp_path / "a.db")
    junk, _ = add_document(db, JUNK_PAGE, url="https://x.gov.cn/junk.pdf",
                           media_type="application/pdf")
    report = (settings.ROOT / "fixtures/demo/site/zfxxgk/zfxxgknb/201902/t20190226_1001.htm"
              ).read_bytes()
    add_document(db, report, url="https://x.gov.cn/report.html", media_type="text/html")
    stats = build(db, progress=False, workers=1)
    rows = {r["document_id"]: r for r in db["parses"].rows}
    assert stats.parsed == 2
    assert rows[junk]["status"] == "error"
    assert rows[junk]["reason"] == "refused: over the 0.5 s CPU-time cap for one document"
    assert [r["status"] for r in rows.values()].count("report") == 1, rows


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_swallowed_by_a_finaliser_is_raised_again() -> None:
    """Python prints and drops an exception raised inside __del__; the cap's signal repeats,
    so the block is still stopped soon after."""
    import gc

    class Slow:
        def __del__(self) -> None:
            burn(0.3)  # the cap runs out in here; the raise is lost

    started = time.process_time()
    with pytest.raises(ParseTimeout), cpu_time_cap(0.1):
        Slow()  # dropped at once: __del__ runs inside the block
        gc.collect()
        burn(2.0)
    assert time.process_time() - started < 1.0


def test_first_document_of_a_process_is_not_charged_for_jieba(tmp_path) -> None:
    """In a fresh process, loading jieba's dictionary (~0.5 s) happens before the cap is
    armed: a report parsed first under a 0.3 s cap is not refused."""
    import subprocess
    import sys

    page = settings.ROOT / "fixtures/demo/site/zfxxgk/zfxxgknb/201902/t20190226_1001.htm"
    code = ("import sys; from xxgk import settings; settings.PARSE_MAX_CPU_SECONDS = 0.3; "
            "from parser.pipeline import parse_path; r = parse_path(sys.argv[1]); "
            "print(r.error or ('report' if r.is_report else 'not a report'))")
    done = subprocess.run([sys.executable, "-c", code, str(page)], capture_output=True,
                          text=True, timeout=60, cwd=settings.ROOT)
    assert done.stdout.strip() == "report", done.stdout + done.stderr[-2000:]
