"""National scale, measured: build a one-year archive from generated reports and time everything.

    python benchmarks/national.py [--reports 130000] [--scale-to 130000] [--out DIR] [--json F]

1. Generates `--reports` synthetic reports of one report year (benchmarks/synth.py: every
   document kind, publishers from the real division codes, known values kept) and stores
   them in a fresh archive as `xxgk import` would (not timed as build).
2. Builds the archive in a child process (`archive.build.build`), so peak memory is the
   build's own (max RSS of the build process and of its parse workers): parse reports/s and
   MB/s, insert facts/s, total time, database size; then checks every parsed value against
   the gold (all cells exact) and the no-op rebuild.
3. Baselines on the same data: jieba segmentation alone, lxml parse alone (HTML documents),
   a plain sqlite3 executemany of the same fact rows in one transaction.
4. Latency through Datasette of every saved query, the faceted pages, the summary tables and
   search: p50/p95/max over `--runs` calls with Datasette's in-process client, then over HTTP
   on 127.0.0.1 with `--clients` concurrent clients (every page; and the news-day mix of saved
   queries, search and summaries), with the Datasette settings and facets of archive/serve.py.
5. With `--scale-to N` the built archive is replicated (SQL copies of reports, facts,
   sections, checks, values and both search indexes, publishers renamed) to N reports and
   step 4 is repeated on it: query latency measured at national size, not extrapolated.
6. Extrapolations (marked as such): 130,000 reports and 10 years from the measured
   per-report build rate and bytes per report.

Everything is printed as a table and written as JSON (`--json`). Not part of the test suite.
`--latency-only ARCHIVE` measures step 4 on an existing archive (e.g. one kept with `--out`, or
`--out DIR --no-latency --scale-to N` builds and replicates one without measuring latency).
docs/performance.md records the figures of a run and what was changed because of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

NATIONAL_REPORTS = 130_000
YEARS = 10


# --- 1. corpus -----------------------------------------------------------------------------


def _gen(args: tuple[int, int, int]) -> tuple[bytes, str, str, str, dict, str | None, str]:
    index, year, seed = args
    r = synth.generate(index, year, seed)
    return r.data, r.filename, r.kind, r.publisher, r.gold, r.broken, r.era


def generate_corpus(corpus_dir: Path, n: int, year: int, seed: int, workers: int) -> dict:
    """Generate n reports once into a folder (the documents and `gold.jsonl`, one line per
    document) and reuse it when it already holds them: at 130,000 reports generating takes
    ~45 minutes on 2 cores and the gold is ~25 million cells, streamed, never held in memory.
    """
    manifest = corpus_dir / "manifest.json"
    want = {"reports": n, "year": year, "seed": seed}
    if manifest.exists() and json.loads(manifest.read_text())["params"] == want:
        return json.loads(manifest.read_text())
    (corpus_dir / "docs").mkdir(parents=True, exist_ok=True)
    kinds: dict[str, int] = {}
    size = 0
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool, \
            (corpus_dir / "gold.jsonl").open("w", encoding="utf-8") as gold:
        for i, (data, filename, kind, publisher, g, broken, era) in enumerate(pool.map(
                _gen, [(i, year, seed) for i in range(n)], chunksize=16)):
            name = f"{i:06d}_" + filename.replace("/", "_")
            (corpus_dir / "docs" / name).write_bytes(data)
            gold.write(json.dumps({"file": name, "filename": filename, "gold": g,
                                   "broken": broken, "kind": kind,
                                   "publisher": publisher, "era": era},
                                  ensure_ascii=False) + "\n")
            kinds[kind] = kinds.get(kind, 0) + 1
            size += len(data)
    info = {"params": want, "kinds": kinds, "bytes": size,
            "seconds": time.perf_counter() - t0}
    manifest.write_text(json.dumps(info) + "\n")
    return info


def gold_lines(corpus_dir: Path):
    with (corpus_dir / "gold.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def make_corpus(db_path: Path, corpus_dir: Path) -> dict:
    """Store the generated documents as `xxgk import` stores them; gold by document id is
    written beside the corpus (`gold_ids.jsonl`: sha256 per line, in gold order)."""
    import sqlite_utils

    from archive.store import add_document

    db = sqlite_utils.Database(db_path)
    t0 = time.perf_counter()
    with (corpus_dir / "ids.txt").open("w") as ids:
        for g in gold_lines(corpus_dir):
            data = (corpus_dir / "docs" / g["file"]).read_bytes()
            filename = g["filename"]
            doc_id, _ = add_document(db, data, url=None, path=f"/synth/{filename}",
                                     filename=filename, origin="import")
            ids.write(doc_id + "\n")
    db.close()
    return {"store_seconds": time.perf_counter() - t0}


# --- 2. build ------------------------------------------------------------------------------

# The build's own peak is VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so
# a child started by this process (which holds the generated corpus: 330 MB at 10,000 reports)
# would report this process's peak as its own.
# The parse workers are forked by a fork server, not by the build, so RUSAGE_CHILDREN never
# sees them: a thread samples the VmHWM of every process below the build every 0.25 s.
BUILD_CHILD = r"""
import json, os, resource, sys, threading, time
import sqlite_utils
from archive.build import build
def hwm_mb(pid="self"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def descendants(root):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    kids.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(d)
            except (OSError, IndexError, ValueError):
                continue
    out, stack = [], [str(root)]
    while stack:
        for k in kids.get(int(stack.pop()), []):
            out.append(k)
            stack.append(k)
    return out
peaks, stop = {}, threading.Event()
def sample():
    while not stop.wait(0.25):
        for pid in descendants(os.getpid()):
            try:
                peaks[pid] = max(peaks.get(pid, 0), hwm_mb(pid))
            except (OSError, ValueError):
                continue
threading.Thread(target=sample, daemon=True).start()
def cpu():
    s, c = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
db = sqlite_utils.Database(sys.argv[1])
w = int(sys.argv[2]) if sys.argv[2] != "default" else None
t, c = time.perf_counter(), cpu()
s = build(db, progress=False, workers=w)
cpu_s = cpu() - c
stop.set()
t = time.perf_counter(); s2 = build(db, progress=False); noop = time.perf_counter() - t
print(json.dumps({"seconds": s.seconds, "cpu_seconds": cpu_s, "parse_seconds": s.parse_seconds,
  "write_seconds": s.write_seconds, "parsed": s.parsed, "reports": s.reports,
  "errors": s.errors, "error_messages": s.error_messages[:5],
  "reports_written": s.reports_written, "facts_written": s.facts_written,
  "noop_seconds": noop, "noop_parsed": s2.parsed, "workers": s.workers,
  "maxrss_self_mb": hwm_mb(),
  "maxrss_children_mb": max([*peaks.values(),
                             resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]),
  "worker_processes_seen": len(peaks)}))
"""
# Stores the corpus with the code under test (its own store: compression and all).
STORE_CHILD = r"""
import json, sys, time
import archive.store  # the code under test's store, before national.py puts its own first
sys.path.insert(0, sys.argv[3] + "/benchmarks")
from pathlib import Path
import national
print(json.dumps(national.make_corpus(Path(sys.argv[1]), Path(sys.argv[2]))))
"""


def _child_env(code: Path) -> dict[str, str]:
    """The environment of a child that runs the archive code of checkout `code`."""
    return {**os.environ, "PYTHONPATH": str(code)}


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used since boot (/proc/stat).

    The build's parse workers start from a fork server, so they are not the build's children
    and `RUSAGE_CHILDREN` never sees their CPU; on a quiet machine the machine's busy time
    during the build is the build's CPU, workers included."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_build(db_path: Path, workers: int | None, code: Path = ROOT) -> dict:
    w = "default" if workers is None else str(workers)
    busy = machine_busy_seconds()
    out = subprocess.run([sys.executable, "-c", BUILD_CHILD, str(db_path), w], cwd=code,
                         env=_child_env(code), stdout=subprocess.PIPE, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    # the child's start-up and its no-op rebuild are in it too: ~1 s of a 2,000-report build
    res["machine_cpu_seconds"] = machine_busy_seconds() - busy
    return res


def store_corpus(db_path: Path, corpus_dir: Path, code: Path = ROOT) -> dict:
    out = subprocess.run([sys.executable, "-c", STORE_CHILD, str(db_path), str(corpus_dir),
                          str(ROOT)], cwd=code, env=_child_env(code), stdout=subprocess.PIPE,
                         text=True, check=True)  # the child's errors reach this stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


# dbstat names grouped as docs/performance.md reports them (an index counts with its table).
COMPONENTS = {
    "facts": ("facts", "fact_rows"), "checks": ("checks", "check_rows"),
    "values": ("report_indicator_values", "value_rows"),
    "sections": ("sections", "section_rows"), "strings": ("strings",),
    "raw documents": ("blobs",), "reports": ("reports",),
    "full-text": ("sections_fts", "reports_fts"),
    "summaries": ("headline_values", "fact_counts", "check_counts", "check_failures",
                  "publisher_years", "coverage"),
}


def bytes_by_component(db_path: Path) -> dict[str, float]:
    """KB per report of each component (tables with their indexes), from SQLite's dbstat."""
    conn = sqlite3.connect(db_path)
    n = conn.execute("select count(*) from reports").fetchone()[0] or 1
    owner = dict(conn.execute("select name, tbl_name from sqlite_master"))
    out: dict[str, float] = {}
    for name, size in conn.execute("select name, sum(pgsize) from dbstat group by name"):
        table = owner.get(name, name)
        comp = next((c for c, tables in COMPONENTS.items()
                     if table in tables or any(table.startswith(t + "_") and t.endswith("_fts")
                                               for t in tables)), "other")
        out[comp] = out.get(comp, 0) + size / n / 1024
    out["all"] = sum(out.values())
    conn.close()
    return {k: round(v, 2) for k, v in out.items()}


def compare(baseline: Path, corpus_dir: Path, out: Path, workers: int | None,
            rounds: int) -> dict:
    """Before/after in one run: the same corpus stored and built by the baseline checkout and
    by this one, alternately (`rounds` times each), on the same machine at the same time."""
    res: dict = {"rounds": []}
    for r in range(rounds):
        for label, code in (("before", baseline), ("after", ROOT)):
            db_path = out / f"{label}.db"
            for p in out.glob(f"{label}.db*"):
                p.unlink()
            load0 = os.getloadavg()[0]
            stored = store_corpus(db_path, corpus_dir, code)
            b = run_build(db_path, workers, code)
            entry = {"label": label, "round": r, "load_before": load0,
                     "load_after": os.getloadavg()[0], "store": stored, "build": b,
                     "db_mb": db_path.stat().st_size / 1e6,
                     "kb_per_report": bytes_by_component(db_path),
                     "accuracy": accuracy(db_path, corpus_dir)}
            res["rounds"].append(entry)
            n = b["parsed"]
            a = entry["accuracy"]
            print(f"{label:6} round {r}: {n / b['seconds']:6.1f} reports/s "
                  f"({b['seconds']:.1f} s, load {load0:.1f}→{entry['load_after']:.1f}), "
                  f"CPU {1000 * b['machine_cpu_seconds'] / n:.1f} ms/report (machine; "
                  f"writer process {1000 * b['cpu_seconds'] / n:.1f}), "
                  f"{entry['kb_per_report']['all']:.1f} KB/report, peak writer "
                  f"{b['maxrss_self_mb']:.0f} MB / worker {b['maxrss_children_mb']:.0f} MB, "
                  f"gold {a['exact']}/{a['cells']}, broken flagged "
                  f"{a['broken_flagged']}/{a['broken_reports']}", flush=True)
            print("        KB/report: " + ", ".join(
                f"{k} {v}" for k, v in entry["kb_per_report"].items()), flush=True)
    return res


def accuracy(db_path: Path, corpus_dir: Path) -> dict:
    """Every gold cell against report_indicator_values; broken rules against failed checks.
    The gold is streamed from the corpus folder (ids.txt pairs each line with its document)."""
    conn = sqlite3.connect(db_path)
    with (corpus_dir / "ids.txt").open() as fh:
        ids = [line.strip() for line in fh]
    cells = exact = 0
    wrong_examples: list[str] = []
    broken = flagged = 0
    by_doc = {}
    for rid, doc_id in conn.execute("select id, document_id from reports"):
        by_doc[doc_id] = rid
    missing_reports = 0
    for doc_id, g in zip(ids, gold_lines(corpus_dir), strict=True):
        rid = by_doc.get(doc_id)
        if rid is None:
            missing_reports += 1
            cells += len(g["gold"])
            continue
        values = dict(conn.execute(
            "select key, value from report_indicator_values where report_id = ?", [rid]))
        for k, x in g["gold"].items():
            cells += 1
            v = values.get(k)
            if synth.same(v, x):
                exact += 1
            elif len(wrong_examples) < 10:
                wrong_examples.append(f"{g['kind']} {g['publisher']} {k}: {v} != {x}")
        if g["broken"]:
            broken += 1
            failed = conn.execute("select count(*) from checks where report_id = ? and ok = 0 "
                                  "and rule != 'table.not_found'", [rid]).fetchone()[0]
            flagged += failed > 0
    return {"cells": cells, "exact": exact, "accuracy": exact / cells if cells else 0,
            "missing_reports": missing_reports, "broken_reports": broken,
            "broken_flagged": flagged, "wrong_examples": wrong_examples}


# --- 3. baselines ------------------------------------------------------------------------


def baselines(db_path: Path, sample: int) -> dict:
    import jieba
    import lxml.html

    from archive.store import unpack

    jieba.setLogLevel(60)
    jieba.initialize()
    conn = sqlite3.connect(db_path)
    texts = [r[0] for r in conn.execute("select text from reports limit ?", [sample])]
    t = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    jieba_s = time.perf_counter() - t
    htmls = [unpack(bytes(r[0]), r[1]) for r in conn.execute(
        "select b.data, b.compression from blobs b join documents d on d.id = b.sha256 "
        "where d.kind = 'html' limit ?", [sample])]
    t = time.perf_counter()
    for h in htmls:
        lxml.html.fromstring(h)
    lxml_s = time.perf_counter() - t
    # the facts of the sample's reports (all 25 million of a national year would not fit)
    rows = conn.execute("select * from facts where report_id in (select id from reports "
                        "order by id limit ?)", [sample]).fetchall()
    cols = len(rows[0]) if rows else 0
    with tempfile.TemporaryDirectory() as tmp:
        plain = sqlite3.connect(Path(tmp) / "plain.db")
        plain.execute(f"create table facts ({', '.join(f'c{i}' for i in range(cols))}, "
                      "primary key (c0, c1))")
        t = time.perf_counter()
        with plain:
            plain.executemany(f"insert into facts values ({', '.join('?' * cols)})", rows)
        insert_s = time.perf_counter() - t
        plain.close()
    return {
        "jieba": {"texts": len(texts), "seconds": jieba_s, "texts_per_s": len(texts) / jieba_s,
                  "mb_per_s": sum(len(x.encode()) for x in texts) / 1e6 / jieba_s},
        "lxml": {"documents": len(htmls), "seconds": lxml_s, "docs_per_s": len(htmls) / lxml_s,
                 "mb_per_s": sum(len(h) for h in htmls) / 1e6 / lxml_s},
        "sqlite_executemany": {"rows": len(rows), "seconds": insert_s,
                               "rows_per_s": len(rows) / insert_s if insert_s else 0},
    }


# --- 4. latency ----------------------------------------------------------------------------


def sample_params(db_path: Path) -> dict[str, dict[str, str]]:
    """Parameters for each saved query taken from the archive itself (a real publisher…)."""
    conn = sqlite3.connect(db_path)
    year = conn.execute("select max(report_year) from reports").fetchone()[0]
    pub = conn.execute("select p.name from reports r join publishers p on p.id = r.publisher_id "
                       "where p.level = '县/区' order by r.id limit 1").fetchone()[0]
    city = conn.execute("select p.city from publishers p where p.level = '县/区' and "
                        "p.city is not null group by p.city order by count(*) desc limit 1"
                        ).fetchone()[0]
    rid = conn.execute("select min(id) from reports").fetchone()[0]
    key = "applications.new.total"
    return {
        "series": {"publisher": pub, "indicator": key},
        "contradictions": {"rule": ""},
        "unread_checks": {"rule": ""},
        "requests_over_years": {"publisher": pub},
        "indicator_over_years": {"publisher": pub, "key": key},
        "districts_ranked": {"city": city, "year": str(year), "key": key},
        "failing_checks": {"rule": ""},
        "missing_reports": {"year": str(year)},
        "report_text_and_facts": {"report": str(rid)},
        "search_sections": {"q": "复议"},
        "search_reports": {"q": "信息处理费"},
    }, {"year": year, "city": city, "publisher": pub, "report": rid}


def pages(db_name: str, db_path: Path) -> dict[str, str]:
    """Every saved query, the faceted table pages and the search box, as relative URLs."""
    from archive.serve import _yaml

    params, extra = sample_params(db_path)
    out = {}
    for name in _yaml("queries.yaml"):
        out[f"query:{name}"] = f"/{db_name}/{name}.json?_shape=array&" + urlencode(
            params.get(name, {}))
    out["facet:report_values"] = (f"/{db_name}/report_values.json?_facet=report_year"
                                  "&_facet=province&_facet=city&_facet=level&_facet=era")
    out["facet:report_values_city"] = f"/{db_name}/report_values.json?" + urlencode(
        {"city": extra["city"], "report_year": extra["year"]})
    out["facet:reports"] = f"/{db_name}/reports.json?_facet=report_year&_facet=era"
    out["facet:facts"] = f"/{db_name}/facts.json?_facet=key&_facet=method&_facet=status"
    out["facet:checks"] = f"/{db_name}/checks.json?_facet=rule&_facet=ok"
    out["table:facts"] = f"/{db_name}/facts.json"
    out["table:report_values"] = f"/{db_name}/report_values.json"
    out["table:checks"] = f"/{db_name}/checks.json"
    out["summary:headline_values"] = (f"/{db_name}/headline_values.json?_facet=report_year"
                                      "&_facet=province&_facet=city&_facet=level&_facet=era")
    out["summary:headline_values_city"] = f"/{db_name}/headline_values.json?" + urlencode(
        {"city": extra["city"], "report_year": extra["year"], "_sort_desc": "new_requests"})
    out["summary:fact_counts"] = f"/{db_name}/fact_counts.json?_facet=method&_facet=status"
    out["summary:check_counts"] = f"/{db_name}/check_counts.json?ok=0&_sort_desc=n_reports"
    out["summary:check_failures"] = f"/{db_name}/check_failures.json"
    out["table:failed_checks"] = f"/{db_name}/failed_checks.json"
    out["table:indicator_values"] = f"/{db_name}/indicator_values.json"
    out["table:reports"] = f"/{db_name}/reports"  # the HTML page: text hidden, newest first
    out["page:report"] = f"/-/xxgk/report/{extra['report']}?fact=3"
    out["page:chart"] = "/-/xxgk/chart?" + urlencode(
        {"publisher": extra["publisher"], "key": "applications.new.total"})
    out["query:series (csv, excel)"] = f"/{db_name}/series.csv?_bom=1&" + urlencode(
        params["series"])
    out["page:index"] = "/"
    out["page:database"] = f"/{db_name}"
    out["search:reports_box"] = f"/{db_name}/reports.json?_search=" + "复议"
    out["search:sections_box"] = f"/{db_name}/sections.json?_search=" + "信息处理费"
    return out


def _stats(times: list[float]) -> dict:
    ts = sorted(times)
    p95 = ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))]
    return {"n": len(ts), "p50_ms": statistics.median(ts) * 1000, "p95_ms": p95 * 1000,
            "max_ms": ts[-1] * 1000}


async def inprocess_latency(db_path: Path, runs: int, budget_s: float = 30.0) -> dict:
    """p50/p95/max of each page; a page stops after `budget_s` (at least 3 runs).

    The "startup" entry is make_datasette's time: the row counts of every table when the
    archive changed since they were last taken (archive.serve.table_counts), else reading them."""
    from archive.serve import make_datasette

    t = time.perf_counter()
    ds = make_datasette(db_path)
    startup = time.perf_counter() - t
    await ds.invoke_startup()
    out = {"startup": {"n": 1, "p50_ms": startup * 1000, "p95_ms": startup * 1000,
                       "max_ms": startup * 1000}}
    for name, url in pages(db_path.stem, db_path).items():
        times: list[float] = []
        for i in range(runs):
            if i >= 3 and sum(times) > budget_s:
                break
            t = time.perf_counter()
            r = await ds.client.get(url)
            times.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise SystemExit(f"{name}: HTTP {r.status_code} {r.text[:300]}")
        out[name] = _stats(times)
    return out


SERVE_CHILD = r"""
import sys, uvicorn
from archive.serve import make_datasette
uvicorn.run(make_datasette(sys.argv[1]).app(), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning")
"""


async def _http_load(base: str, urls: list[str], clients: int, per_client: int) -> dict:
    import httpx

    times: list[float] = []
    errors = 0

    async def client(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            for j in range(per_client):
                url = urls[(i + j) % len(urls)]
                t = time.perf_counter()
                r = await c.get(url)
                times.append(time.perf_counter() - t)
                errors += r.status_code != 200

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - t0
    return {**_stats(times), "clients": clients, "errors": errors,
            "requests_per_s": len(times) / wall}


# The pages a news day hits: saved queries, search and the summary tables (not the faceted
# pages of the raw 10^7-row tables, measured separately in "all pages").
NEWS_DAY = ("query:", "search:", "summary:")


def http_latency(db_path: Path, clients: int, per_client: int) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", SERVE_CHILD, str(db_path), str(port)],
                            cwd=ROOT)
    try:
        import httpx

        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        for _ in range(6000):  # counts every table if the archive changed (serve.table_counts)
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        startup = time.perf_counter() - t0
        all_pages = pages(db_path.stem, db_path)
        news = [u for n, u in all_pages.items() if n.startswith(NEWS_DAY)]
        out = asyncio.run(_http_load(base, list(all_pages.values()), clients, per_client))
        out["news_day"] = asyncio.run(_http_load(base, news, clients, per_client))
        return {**out, "startup_s": startup}
    finally:
        proc.terminate()
        proc.wait(10)


# --- 5. scale up -----------------------------------------------------------------------------


def replicate(db_path: Path, target: int) -> int:
    """Copy the archive's reports (with facts, sections, checks, values and search index rows)
    under renamed publishers until it holds about `target` reports."""
    conn = sqlite3.connect(db_path)
    n = conn.execute("select count(*) from reports").fetchone()[0]
    copies = max(1, -(-target // n))
    c = conn
    c.execute("pragma journal_mode = off")
    c.execute("pragma synchronous = off")
    cols = [r[1] for r in c.execute("pragma table_info(reports)") if r[1] != "id"]
    for i in range(1, copies):
        off_r = c.execute("select max(id) from reports").fetchone()[0]
        off_s = c.execute("select max(id) from sections").fetchone()[0]
        c.execute(
            "insert or ignore into publishers select id || '#' || ?1, name || '#' || ?1, level,"
            " parent_id, division_code, province, city, county, match from publishers"
            " where id not like '%#%'", [i])
        sel = ", ".join(
            "key || '#' || ?1" if col == "key" else
            "publisher_id || '#' || ?1" if col == "publisher_id" else col for col in cols)
        c.execute(f"insert into reports (id, {', '.join(cols)}) select id + ?2, {sel} "
                  "from reports where id <= ?3", [i, off_r, n])
        for table in ("fact_rows", "check_rows", "value_rows"):  # archive/storage.py
            cols_t = [r[1] for r in c.execute(f"pragma table_info({table})")]
            sel_t = ", ".join("report_id + ?1" if col == "report_id" else col for col in cols_t)
            c.execute(f"insert into {table} select {sel_t} from {table} where report_id <= ?2",
                      [off_r, n])
        c.execute("insert into section_rows select id + ?1, report_id + ?2, seq, number, "
                  "heading, level, key, parent_seq, start, end from section_rows "
                  "where report_id <= ?3", [off_s, off_r, n])
        # the full-text index is contentless: the copies are indexed from their texts
        from archive import search

        for fts, sql in (("reports_fts", "select id, title, text from reports "
                          "where id > ?1 and id <= ?1 + ?2"),
                         ("sections_fts", "select id, heading, text from sections "
                          "where report_id > ?1 and report_id <= ?1 + ?2")):
            cols_f = search.FTS_TABLES[fts][1]
            rows = [dict(zip(("id", *cols_f), r, strict=True))
                    for r in c.execute(sql, [off_r, n])]
            c.executemany(f"insert into {fts} (rowid, {', '.join(cols_f)}) values "
                          f"(?, {', '.join('?' for _ in cols_f)})",
                          [[r["id"], *(search.index_text(r[k]) for k in cols_f)]
                           for r in rows])
        c.commit()
    import sqlite_utils

    from archive.summaries import refresh_summaries

    # The summaries and planner statistics exactly as a build leaves them (sampled ANALYZE, exact
    # for the tables the saved queries start from): a full ANALYZE here hid a plan that the
    # build's statistics got wrong (districts_ranked, docs/performance.md).
    refresh_summaries(sqlite_utils.Database(db_path), force=True)
    total = c.execute("select count(*) from reports").fetchone()[0]
    conn.close()
    return total


# --- report ------------------------------------------------------------------------------------


def print_table(res: dict) -> None:
    b, c = res["build"], res["corpus"]
    print("\n== build (measured) ==")
    print(f"reports {b['parsed']}  kinds {c['kinds']}  corpus {c['bytes'] / 1e6:.1f} MB")
    print(f"end to end   {b['parsed'] / b['seconds']:8.1f} reports/s   {b['seconds']:.1f} s "
          f"(workers {b['workers']})")
    print(f"parse        {b['parsed'] / b['parse_seconds']:8.1f} reports/s per process   "
          f"{c['bytes'] / 1e6 / b['parse_seconds']:.2f} MB/s per process")
    print(f"insert       {b['facts_written'] / b['write_seconds']:8.0f} facts/s   "
          f"({b['write_seconds']:.1f} s writing)")
    print(f"no-op rebuild {b['noop_seconds']:.2f} s   db size {res['db_mb']:.1f} MB   "
          f"peak RSS build {b['maxrss_self_mb']:.0f} MB, worker {b['maxrss_children_mb']:.0f} MB")
    a = res["accuracy"]
    print(f"accuracy     {a['exact']}/{a['cells']} cells exact ({100 * a['accuracy']:.3f}%), "
          f"broken reports flagged {a['broken_flagged']}/{a['broken_reports']}")
    bl = res["baselines"]
    print(f"baselines    jieba {bl['jieba']['texts_per_s']:.0f} texts/s "
          f"({bl['jieba']['mb_per_s']:.2f} MB/s); lxml {bl['lxml']['docs_per_s']:.0f} docs/s "
          f"({bl['lxml']['mb_per_s']:.1f} MB/s); sqlite3 executemany "
          f"{bl['sqlite_executemany']['rows_per_s']:.0f} rows/s")
    for label, lat in res["latency"].items():
        _print_latency(label, lat)
    print("\n== extrapolated (from the measured per-report rates) ==")
    for k, v in res["extrapolated"].items():
        print(f"{k:44} {v}")


def _print_latency(label: str, lat: dict) -> None:
    print(f"\n== latency: {label} ==")
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, s in lat["inprocess"].items():
        print(f"{name:34} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} {s['max_ms']:8.1f}")
    h = lat["http"]
    print(f"{'HTTP, ' + str(h['clients']) + ' clients, all pages':34} {h['p50_ms']:8.1f} "
          f"{h['p95_ms']:8.1f} {h['max_ms']:8.1f}   {h['requests_per_s']:.1f} req/s, "
          f"{h['errors']} errors; server ready after {h['startup_s']:.1f} s")
    if "news_day" in h:
        n = h["news_day"]
        print(f"{'HTTP, ' + str(n['clients']) + ' clients, queries+search':34} "
              f"{n['p50_ms']:8.1f} {n['p95_ms']:8.1f} {n['max_ms']:8.1f}   "
              f"{n['requests_per_s']:.1f} req/s, {n['errors']} errors")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=NATIONAL_REPORTS)
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale-to", type=int, default=0)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-client", type=int, default=25)
    ap.add_argument("--scaled-per-client", type=int, default=6,
                    help="requests per client on the replicated archive (pages take seconds)")
    ap.add_argument("--workers", type=int, default=None, help="build parse processes")
    ap.add_argument("--no-latency", action="store_true", help="build figures only")
    ap.add_argument("--out", type=Path, default=None, help="keep the archive here")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--corpus", type=Path, default=None,
                    help="folder of the generated corpus: generated once, reused after "
                         "(default: OUT/corpus)")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="another checkout (e.g. `git worktree` or `git archive` of main): "
                         "store and build the same corpus with it and with this one, "
                         "alternately, and print both")
    ap.add_argument("--rounds", type=int, default=1, help="with --baseline: rounds")
    ap.add_argument("--generate-only", action="store_true",
                    help="generate the corpus folder (--corpus) and stop")
    ap.add_argument("--latency-only", type=Path, default=None,
                    help="measure the latencies of this existing archive only")
    args = ap.parse_args()
    if args.latency_only:
        lat = {"inprocess": asyncio.run(inprocess_latency(args.latency_only, args.runs)),
               "http": http_latency(args.latency_only, args.clients, args.scaled_per_client)}
        n = sqlite3.connect(args.latency_only).execute("select count(*) from reports")
        res = {"latency": {f"{n.fetchone()[0]} reports": lat}}
        for label, lat in res["latency"].items():
            _print_latency(label, lat)
        if args.json:
            args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
        return
    tmp = tempfile.TemporaryDirectory()
    out = args.out or Path(tmp.name)
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "national.db"
    for p in out.glob("national.db*"):
        p.unlink()
    corpus_dir = args.corpus or out / "corpus"
    res: dict = {"host": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                 "reports_requested": args.reports}
    print(f"generating {args.reports} reports (or reusing {corpus_dir}) …", flush=True)
    corpus = generate_corpus(corpus_dir, args.reports, args.year, args.seed,
                             os.cpu_count() or 1)
    if args.generate_only:
        print(json.dumps(corpus))
        return
    if args.baseline:
        res["compare"] = compare(args.baseline, corpus_dir, out, args.workers, args.rounds)
        if args.json:
            args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
        return
    corpus.update(make_corpus(db_path, corpus_dir))
    res["corpus"] = corpus
    print(f"  {corpus['seconds']:.0f} s; building …", flush=True)
    res["build"] = b = run_build(db_path, args.workers)
    res["db_mb"] = db_path.stat().st_size / 1e6
    blob_mb = sqlite3.connect(db_path).execute(
        "select sum(size) from blobs").fetchone()[0] / 1e6
    res["blobs_mb"] = blob_mb
    res["accuracy"] = accuracy(db_path, corpus_dir)
    print("  baselines …", flush=True)
    res["baselines"] = baselines(db_path, 500)
    res["latency"] = {}
    n = b["reports_written"]
    print("  latency …", flush=True)
    if not args.no_latency:
        res["latency"][f"{n} reports (built)"] = {
            "inprocess": asyncio.run(inprocess_latency(db_path, args.runs)),
            "http": http_latency(db_path, args.clients, args.per_client)}
    if args.scale_to > n:
        print(f"  replicating to {args.scale_to} reports …", flush=True)
        t = time.perf_counter()
        total = replicate(db_path, args.scale_to)
        res["replicated"] = {"reports": total, "seconds": time.perf_counter() - t,
                             "db_mb": db_path.stat().st_size / 1e6}
    if args.scale_to > n and not args.no_latency:
        res["latency"][f"{total} reports (replicated)"] = {
            "inprocess": asyncio.run(inprocess_latency(db_path, args.runs)),
            "http": http_latency(db_path, args.clients, args.scaled_per_client)}
    rate = b["parsed"] / b["seconds"]
    per_report_mb = res["db_mb"] / n
    res["extrapolated"] = {
        "build 130,000 reports (min)": round(NATIONAL_REPORTS / rate / 60, 1),
        "db 130,000 reports (GB)": round(per_report_mb * NATIONAL_REPORTS / 1e3, 2),
        "of which raw documents (GB)": round(blob_mb / n * NATIONAL_REPORTS / 1e3, 2),
        "facts 130,000 reports (M)": round(b["facts_written"] / n * NATIONAL_REPORTS / 1e6, 1),
        "build 10 years (h)": round(YEARS * NATIONAL_REPORTS / rate / 3600, 1),
        "db 10 years (GB)": round(YEARS * per_report_mb * NATIONAL_REPORTS / 1e3, 1),
        "cores for 200 reports/s": round(200 / (b["parsed"] / b["parse_seconds"]), 1),
    }
    res["peak_rss_benchmark_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print_table(res)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
    tmp.cleanup()


if __name__ == "__main__":
    main()
