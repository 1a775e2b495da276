"""Hostile documents (issue 7.3), the bounded CI version: hypothesis-generated documents and
1,500 mutated real documents (testkit/fuzzing.py, fixed seed) through `parse_bytes`. No
exception may come out, no bug may be caught by the pipeline's last-resort handler, no input
may take a second, and memory stays bounded. benchmarks/fuzz_parser.py runs the same loop on
100,000 inputs for the closing note."""

from __future__ import annotations

import resource
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parser.pipeline import parse_bytes
from testkit.fuzzing import fuzz, load_seeds

# Pieces a report is made of: headings, numerals in every notation, table markup, chrome.
PIECES = [
    "一、总体情况", "（二）", "1.", "第三章", "二〇二三年", "本年度", "收到政府信息公开申请",
    "件", "条", "万", "亿", "余", "%", "％", "１２３", "0", "12,345", "3.5", "-", "—", "……",
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td colspan="3">',
    '<td rowspan="99999">', "<p>", "</p>", "<div>", "<br>", "<script>", "&nbsp;", "\u3000",
    "\n", "\t", " ", "政府信息公开工作年度报告", "行政复议", "行政诉讼", "依申请公开",
    "主动公开", "合计", "总计", "予以公开", "不予公开", "信息处理费", "<meta charset=gbk>",
]
report_like = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20),
                                 st.integers(-10**12, 10**12).map(str)),
                       max_size=300).map("".join)


@pytest.fixture(scope="module", autouse=True)
def warm_parser() -> None:
    """The first parse of a process loads jieba's dictionary (about a second): not an input's
    cost, so it happens before anything is timed."""
    parse_bytes("一、总体情况\n本年度主动公开政府信息100条。".encode(), "warm-up")


def _parse_quickly(data: bytes) -> None:
    started = time.process_time()  # CPU time: the input's own cost on a shared machine
    result = parse_bytes(data, "hypothesis")  # must not raise
    elapsed = time.process_time() - started
    assert elapsed < 1.0, f"{elapsed:.2f} s for {data[:200]!r}"
    assert not (result.error or "").startswith(("parser failed", "parser gave up")), result.error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like, st.sampled_from(["utf-8", "gbk", "utf-16"]))
def test_generated_report_text_never_breaks_the_parser(text: str, encoding: str) -> None:
    _parse_quickly(text.encode(encoding, errors="replace"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096), st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04",
                                                   b"<html>", b"\xef\xbb\xbf"]))
def test_arbitrary_bytes_never_break_the_parser(data: bytes, head: bytes) -> None:
    _parse_quickly(head + data)


def test_mutated_real_documents() -> None:
    seeds = load_seeds()
    assert len(seeds) >= 20, "the fixtures alone give more seeds than this"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats = fuzz(1500, seed=20261127, seeds=seeds)
    assert stats.inputs == 1500
    assert stats.uncaught == [], stats.uncaught[:3]
    assert stats.parser_failed == [], stats.parser_failed[:3]
    # CPU time: the input's own cost (wall time also counts whatever else runs on a shared
    # 2-core machine; it is printed, and benchmarks/fuzz_parser.py reports both)
    assert stats.max_cpu_seconds < 1.0, f"{stats.max_cpu_seconds:.2f} s: {stats.slowest_cpu}"
    # memory: the loop may not grow the process by more than a few hundred MB
    assert stats.peak_rss_mb - rss_before < 400, (rss_before, stats.peak_rss_mb)
    print(f"fuzz: {stats.inputs} inputs, max {stats.max_cpu_seconds:.3f} s CPU "
          f"({stats.slowest_cpu}), {stats.max_seconds:.3f} s wall, "
          f"{stats.errors} refused with a reason, peak RSS {stats.peak_rss_mb:.0f} MB")
