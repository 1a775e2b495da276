"""A mutation fuzzer for the parser: real documents, cut and damaged, fed to `parse_bytes`.

Seeds are the real reports of the shared corpus (when present) and the project's fixtures
(HTML, text, PDF and DOCX). Each input is one seed, or a window of it, damaged by a few
random mutations that imitate what the web does to documents and what an attacker would
try: flipped and replaced bytes, cut and doubled ranges, pieces spliced in from another
document, markup and numerals inserted (huge colspans, unclosed tags, full-width digits,
万/亿, numbered headings), re-encoding (GBK, UTF-16, BOMs, a lying <meta charset>), and for
DOCX files the same damage inside word/document.xml, re-zipped.

`fuzz()` runs the parser on each input and measures it: an exception out of parse_bytes (it
promises never to raise for bad input), a result whose error says the parser itself failed
(a bug the pipeline caught), the slowest input, and the peak memory. benchmarks/fuzz_parser.py
runs it at scale (≥ 100,000 inputs); tests/test_fuzz_parser.py runs a bounded sample in CI.
It lives in testkit/ rather than in the parser package because only those two use it:
it is a tool for testing the parser, not part of it, and is not installed.
"""

from __future__ import annotations

import io
import logging
import random
import resource
import time
import traceback
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xxgk import settings

TEXT_SUFFIXES = {".html", ".htm", ".shtml", ".txt", ".js"}
BINARY_SUFFIXES = {".pdf", ".docx"}
MAX_BINARY_SEED = 400_000  # bigger PDFs make each input slow without finding more
# Inputs are cut to this size: a report page is 20-100 KB, and the time a bigger page takes
# is measured by tests/test_load_hostile.py (a 5 MB page) rather than here.
MAX_INPUT = 64 * 1024
# PDFs are cut here too: pdfminer lexes junk at about 1 MB/s in Python, so a multi-megabyte
# junk trailer costs seconds before any cap of ours can act (see docs/reliability.md).
MAX_BINARY_INPUT = MAX_BINARY_SEED
TOKENS = [
    b"<table>", b"</table>", b"<tr>", b"<td colspan=\"99999\" rowspan=\"99999\">", b"</td>",
    b"<div>", b"</div>" * 50, b"<script>", b"<!--", b"<![CDATA[", b"<meta charset=\"gbk\">",
    b"<br>", b"&nbsp;", b"&#0;", b"&#x10FFFF;", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    "一、".encode(), "（二）".encode(), "第三章".encode(), "１２３４５".encode(),
    "万".encode(), "亿".encode(), "余件".encode(), b"%", "．".encode(),
    "政府信息公开工作年度报告".encode(), "二〇二三年".encode(), "\u3000".encode(),
    b"9" * 400, b"1.2.3.4.5.6", b"-" * 200, b"|" * 100, b"\t" * 50, b"\n" * 200,
    "收到政府信息公开申请".encode() * 20, b"<td>1</td>" * 500,
]


@dataclass
class Seed:
    name: str
    data: bytes
    kind: str  # text | pdf | docx


def load_seeds(extra_dirs: tuple[Path, ...] = ()) -> list[Seed]:
    """Corpus reports and excerpts (when the corpus is there) and every fixture document."""
    dirs = [settings.CORPUS_DIR / "reports", settings.CORPUS_DIR / "excerpts",
            settings.FIXTURES_DIR, *extra_dirs]
    seeds = []
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.rglob("*")):
            suffix = path.suffix.lower()
            if not path.is_file():
                continue
            if suffix in TEXT_SUFFIXES:
                seeds.append(Seed(str(path), path.read_bytes(), "text"))
            elif suffix in BINARY_SUFFIXES and path.stat().st_size <= MAX_BINARY_SEED:
                seeds.append(Seed(str(path), path.read_bytes(), suffix[1:]))
    return seeds


def _mutate_bytes(rng: random.Random, data: bytes, seeds: list[Seed], rounds: int) -> bytes:
    buf = bytearray(data)
    for _ in range(rounds):
        op = rng.randrange(10)
        n = len(buf)
        at = rng.randrange(n + 1) if n else 0
        if op == 0 and n:  # flip bits
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(n)
                buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # replace bytes with interesting ones
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(n)] = rng.choice(b"\x00\xff<>&;\"'0123456789\x80\xe4\n\r")
        elif op == 2:  # insert a token
            buf[at:at] = rng.choice(TOKENS)
        elif op == 3 and n:  # delete a range
            end = min(n, at + rng.randint(1, max(1, n // 4)))
            del buf[at:end]
        elif op == 4 and n:  # duplicate a range, several times
            end = min(n, at + rng.randint(1, 256))
            buf[end:end] = bytes(buf[at:end]) * rng.randint(1, 50)
        elif op == 5:  # splice a piece of another document in
            other = rng.choice(seeds).data
            if other:
                a = rng.randrange(len(other))
                buf[at:at] = other[a:a + rng.randint(1, 2048)]
        elif op == 6 and n:  # truncate
            del buf[rng.randrange(n):]
        elif op == 7:  # a run of random bytes
            buf[at:at] = rng.randbytes(rng.randint(1, 64))
        elif op == 8 and n:  # swap two ranges
            b = rng.randrange(n)
            ln = rng.randint(1, 64)
            x, y = bytes(buf[at:at + ln]), bytes(buf[b:b + ln])
            buf[at:at + len(x)], buf[b:b + len(y)] = y, x
        else:  # repeat a token many times (deep nesting, long runs)
            buf[at:at] = rng.choice(TOKENS) * rng.randint(10, 2000)
    return bytes(buf)


def _reencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(5)
    if choice == 0:
        return text.encode("gbk", errors="replace")
    if choice == 1:
        return text.encode("utf-16")
    if choice == 2:
        return b"\xef\xbb\xbf" + data
    if choice == 3:
        return b'<meta charset="big5">' + text.encode("gb18030", errors="replace")
    return text.encode("utf-8", errors="surrogatepass")


def _mutate_docx(rng: random.Random, data: bytes, seeds: list[Seed]) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            members = [(i, zin.read(i)) for i in zin.infolist()]
    except Exception:  # a damaged seed: damage it further as bytes
        return _mutate_bytes(rng, data, seeds, rng.randint(1, 4))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, content in members:
            if info.filename == "word/document.xml" or rng.random() < 0.05:
                content = _mutate_bytes(rng, content, seeds, rng.randint(1, 4))
            zout.writestr(info.filename, content)
    return out.getvalue()


def make_input(rng: random.Random, seeds: list[Seed]) -> tuple[bytes, str]:
    """One fuzz input and a note of how it was made."""
    seed = rng.choice(seeds)
    data = seed.data
    if seed.kind == "docx" and rng.random() < 0.7:
        return _mutate_docx(rng, data, seeds), f"{seed.name} docx-inner"
    if seed.kind == "text" and len(data) > 4096 and rng.random() < 0.9:
        a = rng.randrange(len(data))  # a window: most inputs stay small and fast
        data = data[a:a + rng.randint(64, 4096)]
    if seed.kind == "text" and rng.random() < 0.15:
        data = _reencode(rng, data)
    rounds = rng.randint(1, 3) if seed.kind != "text" else rng.randint(1, 6)
    data = _mutate_bytes(rng, data, seeds, rounds)
    data = data[:MAX_INPUT if seed.kind == "text" else MAX_BINARY_INPUT]
    return data, f"{seed.name} bytes"


@dataclass
class FuzzStats:
    inputs: int = 0
    seconds: float = 0.0
    max_seconds: float = 0.0  # wall clock: includes what other processes take from the CPU
    slowest: str = ""
    max_cpu_seconds: float = 0.0  # the input's own cost, whatever else runs on the machine
    slowest_cpu: str = ""
    over_1s: int = 0
    errors: int = 0  # DocumentError results: refused with a reason (expected for most)
    capped: int = 0  # of those, refused at the CPU-time cap (parser/time_cap.py)
    reports: int = 0
    uncaught: list[str] = field(default_factory=list)  # exceptions out of parse_bytes
    parser_failed: list[str] = field(default_factory=list)  # bugs the pipeline caught
    peak_rss_mb: float = 0.0
    peak_growth_mb: float = 0.0  # the most one input raised the worker's peak memory
    peak_grower: str = ""
    slow_inputs: list[bytes] = field(default_factory=list)
    failed_inputs: list[bytes] = field(default_factory=list)  # for replay, like slow_inputs

    def merge(self, other: FuzzStats) -> None:
        self.inputs += other.inputs
        self.seconds += other.seconds
        if other.max_seconds > self.max_seconds:
            self.max_seconds, self.slowest = other.max_seconds, other.slowest
        if other.max_cpu_seconds > self.max_cpu_seconds:
            self.max_cpu_seconds, self.slowest_cpu = other.max_cpu_seconds, other.slowest_cpu
        self.over_1s += other.over_1s
        self.errors += other.errors
        self.capped += other.capped
        self.reports += other.reports
        self.uncaught += other.uncaught
        self.parser_failed += other.parser_failed
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        if other.peak_growth_mb > self.peak_growth_mb:
            self.peak_growth_mb, self.peak_grower = other.peak_growth_mb, other.peak_grower
        self.slow_inputs += other.slow_inputs
        self.failed_inputs += other.failed_inputs


def inputs(n: int, seed: int, seeds: list[Seed]) -> Iterator[tuple[bytes, str]]:
    rng = random.Random(seed)
    for _ in range(n):
        yield make_input(rng, seeds)


def fuzz(n: int, seed: int = 0, seeds: list[Seed] | None = None,
         keep_slow: float = 1.0, cap: float | None = 0.9) -> FuzzStats:
    """Parse `n` mutated inputs (reproducible from `seed`) and measure every one.

    `cap` is the per-document CPU-time cap the parser runs under (settings'
    PARSE_MAX_CPU_SECONDS, lowered from its production value so that no input takes 1 s: the
    signal lands between bytecodes, up to ~50 ms after the cap); None keeps the setting. With a
    cap, a page read by OCR gets no extra time either (OCR_CPU_SECONDS_PER_PAGE is 0): a
    mutated PDF whose text layer is gone is OCR'd within the same cap, or refused at it.
    """
    production_cap = settings.PARSE_MAX_CPU_SECONDS
    production_ocr = settings.OCR_CPU_SECONDS_PER_PAGE
    if cap is not None:
        settings.PARSE_MAX_CPU_SECONDS = cap
        settings.OCR_CPU_SECONDS_PER_PAGE = 0.0
    try:
        return _fuzz(n, seed, seeds, keep_slow)
    finally:
        settings.PARSE_MAX_CPU_SECONDS = production_cap
        settings.OCR_CPU_SECONDS_PER_PAGE = production_ocr


def _fuzz(n: int, seed: int, seeds: list[Seed] | None, keep_slow: float) -> FuzzStats:
    from parser.pipeline import parse_bytes

    logging.getLogger("parser").setLevel(logging.CRITICAL)  # caught bugs are counted here
    seeds = seeds if seeds is not None else load_seeds()
    for seed_doc in seeds[:3]:  # warm up (jieba's dictionary, lazy imports): not timed
        parse_bytes(seed_doc.data, "warm-up")
    stats = FuzzStats()
    for data, note in inputs(n, seed, seeds):
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            result = parse_bytes(data, "fuzz")
        except Exception:  # the promise broken: record it, go on
            stats.uncaught.append(f"{note}: {traceback.format_exc(limit=3)}")
            if len(stats.failed_inputs) < 5:
                stats.failed_inputs.append(data)
            result = None
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        if growth > stats.peak_growth_mb:
            stats.peak_growth_mb, stats.peak_grower = growth, f"{note} ({len(data)} bytes)"
        if cpu > stats.max_cpu_seconds:
            stats.max_cpu_seconds, stats.slowest_cpu = cpu, f"{note} ({len(data)} bytes)"
        stats.inputs += 1
        stats.seconds += elapsed
        if elapsed > stats.max_seconds:
            stats.max_seconds, stats.slowest = elapsed, f"{note} ({len(data)} bytes)"
        if elapsed > keep_slow:
            stats.over_1s += 1
            if len(stats.slow_inputs) < 5:
                stats.slow_inputs.append(data)
        if result is not None:
            if result.error and result.error.startswith(("parser failed", "parser gave up")):
                stats.parser_failed.append(f"{note}: {result.error[:300]}")
                if len(stats.failed_inputs) < 5:
                    stats.failed_inputs.append(data)
            elif result.error:
                stats.errors += 1
                stats.capped += "CPU-time cap" in result.error
            elif result.is_report:
                stats.reports += 1
    stats.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return stats
