"""Fault-injection crawl: 2,000 report URLs on ten loopback hosts with 5xx, timeouts,
connections closed mid-body, wrong charsets, redirect loops and off-site redirects, 200
"页面不存在" stubs, gzip bombs and endless bodies (testkit/fault_site.py), crawled twice (the
transient faults healed for the second run). Prints the counts the closing note quotes and
the guarantees' verdict; tests/test_fault_crawl.py asserts the same on the same site.

    .venv/bin/python benchmarks/fault_crawl.py [--hosts 10] [--per-host 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # testkit/ is not installed: it is found at the repository root

from scraper.crawl import crawl  # noqa: E402
from scraper.fetch import FetchConfig  # noqa: E402
from testkit.fault_site import FAST_CONFIG, FaultSites, analyse_run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--per-host", type=int, default=200)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FaultSites(args.hosts, args.per_host) as sites:
        db = Path(tmp) / "archive.db"
        out = {}
        for name in ("run1", "run2"):
            result = crawl(db, sites.sources(), FetchConfig(**FAST_CONFIG))
            a = analyse_run(str(db), sites, result.run_id)
            con = sqlite3.connect(db)
            retried = {u for (u,) in con.execute(
                "select url from fetch_log where run_id = ? and purpose = 'report' and "
                "attempt = 1 and conditional = 0 and url in (select url from crawl_pages "
                "where kind = 'report')", [result.run_id])}
            docs = con.execute("select count(*) from documents").fetchone()[0]
            con.close()
            out[name] = {"elapsed_s": round(result.elapsed, 1), "requests":
                         result.counts["requests"], "new": result.counts["new"],
                         "not_modified": result.counts["not_modified"],
                         "failed": result.counts["failed"], "failed_kinds": a["failed_kinds"],
                         "fetched_unconditionally": len(retried), "documents": docs,
                         "problems": a["problems"]}
            if name == "run1":
                out["urls"], out["behaviours"] = a["urls"], a["behaviours"]
                first_failed = set(a["failed"])
                sites.heal()
            else:
                out[name]["retried_exactly_the_failures"] = retried == first_failed
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
