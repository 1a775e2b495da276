"""Archive benchmark: build throughput over the real corpus and the latency of each saved query.

    python benchmarks/build_throughput.py [--repeat 3] [--runs 20] [--db EXISTING.db]

Imports ../shared/corpus (reports and excerpts) into a fresh temporary archive, builds it
(`--repeat` times, fresh each time; the best run is reported), then runs every saved query of
the Datasette metadata through Datasette's own client with sample parameters, `--runs` times
each, and prints the median and worst latency. Also times a no-op rebuild. With `--db`, only
the query latencies of an existing archive are measured; with `--scale N` the corpus archive is
also replicated N times (publishers renamed, values shifted) to time the queries and the
faceted report_values page at a national size.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlite_utils

from archive.build import build
from archive.importer import import_paths
from archive.serve import _yaml, make_datasette
from xxgk import settings

SAMPLE_PARAMS = {
    "series": {"publisher": "平潭综合实验区管委会", "indicator": "applications.new.total"},
    "contradictions": {"rule": ""},
    "unread_checks": {"rule": ""},
    "requests_over_years": {"publisher": "平潭综合实验区"},
    "indicator_over_years": {"publisher": "洪泽区", "key": "applications.new.total"},
    "districts_ranked": {"city": "淮安市", "year": "2024", "key": "applications.new.total"},
    "failing_checks": {"rule": ""},
    "missing_reports": {"year": "2017"},
    "report_text_and_facts": {"report": "1"},
    "search_sections": {"q": "复议"},
    "search_reports": {"q": "信息处理费"},
}


def build_once(tmp: Path) -> tuple[float, int, int, int, float]:
    db_path = tmp / "archive.db"
    db_path.unlink(missing_ok=True)
    db = sqlite_utils.Database(db_path)
    import_paths(db, [settings.CORPUS_DIR / "reports", settings.CORPUS_DIR / "excerpts"])
    started = time.perf_counter()
    stats = build(db, progress=False)
    seconds = time.perf_counter() - started
    facts = db.execute("select count(*) from facts").fetchone()[0]
    sections = db.execute("select count(*) from sections").fetchone()[0]
    return seconds, stats.reports_written, facts, sections, stats.parse_seconds


async def query_latencies(db_path: Path, runs: int) -> dict[str, tuple[float, float, int]]:
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    name_of_db = db_path.stem
    out = {}
    for name in _yaml("queries.yaml"):
        params = SAMPLE_PARAMS.get(name, {})
        url = f"/{name_of_db}/{name}.json?_shape=array&" + urlencode(params)
        times = []
        n_rows = 0
        for _ in range(runs):
            started = time.perf_counter()
            response = await ds.client.get(url)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code} {response.text[:200]}")
            n_rows = len(response.json())
        out[name] = (statistics.median(times) * 1000, max(times) * 1000, n_rows)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--db", type=Path, default=None, help="Measure queries on this archive only.")
    ap.add_argument("--scale", type=int, default=0, help="Also time an archive N times larger.")
    args = ap.parse_args()
    if args.db:
        print_latencies(args.db, args.runs)
        return
    if not settings.CORPUS_DIR.is_dir():
        sys.exit(f"corpus not found at {settings.CORPUS_DIR}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        best = min((build_once(tmp) for _ in range(args.repeat)), key=lambda r: r[0])
        seconds, reports, facts, sections, parsing = best
        print(f"build (best of {args.repeat}): {reports} reports, {facts} facts, "
              f"{sections} sections in {seconds:.2f} s ({parsing:.2f} s in the parser, "
              f"{seconds - parsing:.2f} s archive writes and search index)")
        print(f"  {reports / seconds:.1f} reports/s, {facts / seconds:.0f} facts/s")
        db = sqlite_utils.Database(tmp / "archive.db")
        started = time.perf_counter()
        build(db, progress=False)
        print(f"no-op rebuild: {(time.perf_counter() - started) * 1000:.0f} ms")
        print(f"database size: {(tmp / 'archive.db').stat().st_size / 1e6:.1f} MB")
        print_latencies(tmp / "archive.db", args.runs)
        if args.scale > 1:
            big = tmp / "scaled.db"
            big.write_bytes((tmp / "archive.db").read_bytes())
            replicate(big, args.scale)
            n = sqlite_utils.Database(big)["reports"].count
            print(f"replicated x{args.scale}: {n} reports")
            print_latencies(big, args.runs)
            for page, ms in asyncio.run(page_latencies(big)):
                print(f"  page {page:70s} {ms:7.1f} ms")


def replicate(db_path: Path, copies: int) -> None:
    """Grow an archive to `copies` times its reports (same text, new publishers and values)."""
    db = sqlite_utils.Database(db_path)
    c = db.conn
    c.execute("create temp table n(i integer)")
    c.executemany("insert into n values (?)", [(i,) for i in range(1, copies)])
    c.execute(
        "insert into publishers select p.id || '#' || n.i, p.name || '#' || n.i, p.level,"
        " p.parent_id, p.division_code, p.province, p.city, p.county, p.match"
        " from publishers p, n")
    c.execute(
        "insert into reports (key, publisher_id, report_year, title, era, published, url,"
        " document_id, n_documents, parser_version, n_sections, n_facts, n_failed_checks, text)"
        " select r.key || '#' || n.i, r.publisher_id || '#' || n.i, r.report_year, r.title,"
        " r.era, r.published, r.url, r.document_id, 1, r.parser_version, 0, 0, 0, ''"
        " from reports r, n where r.publisher_id is not null")
    join = " from reports r join n join reports r2 on r2.key = r.key || '#' || n.i"
    c.execute("insert into report_indicator_values select r2.id, v.key, v.value + n.i, v.note"
              + join + " join report_indicator_values v on v.report_id = r.id")
    c.execute("insert into checks select r2.id, k.seq, k.rule, k.ok, k.detail, k.numbers"
              + join + " join checks k on k.report_id = r.id")
    c.commit()
    c.execute("analyze")
    c.commit()


async def page_latencies(db_path: Path) -> list[tuple[str, float]]:
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    name = db_path.stem
    pages = [
        f"/{name}/report_values.json?_facet=report_year&_facet=province&_facet=city"
        "&_facet=level&_facet=era",
        f"/{name}/report_values.json?city=淮安市&report_year=2024",
        f"/{name}/reports?_search=复议",
    ]
    out = []
    for page in pages:
        started = time.perf_counter()
        response = await ds.client.get(page)
        assert response.status_code == 200, page
        out.append((page.split("/", 2)[2], (time.perf_counter() - started) * 1000))
    return out


def print_latencies(db_path: Path, runs: int) -> None:
    print(f"saved queries on {db_path.name} ({runs} runs each, via Datasette's client):")
    for name, (median, worst, n_rows) in asyncio.run(query_latencies(db_path, runs)).items():
        print(f"  {name:24s} median {median:7.1f} ms  max {worst:7.1f} ms  ({n_rows} rows)")


if __name__ == "__main__":
    main()
