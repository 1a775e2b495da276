"""Ten report years: per-year files against one archive, and the Parquet export of them.

Generates N synthetic reports per year for ten years (benchmarks/synth.py, HTML and DOCX, all
three eras), stores them once, then measures:

- the build of one archive holding every year, and `build --per-year` into ten files;
- the saved queries through Datasette: on the one archive, and on `_memory` across the ten
  files (archive/across.py), median and worst of a few calls each;
- `xxgk export --parquet` of the one archive (seconds, MB) and DuckDB's ten-year statement
  of docs/export.md on it.

    .venv/bin/python benchmarks/per_year.py --per-year 200
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEARS = range(2014, 2024)


def _latency(client, path: str, runs: int = 5) -> tuple[float, float, list]:
    times, rows = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = asyncio.run(client.get(path))
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, (path, r.text[:300])
        # report ids differ between the one archive and the per-year files
        rows = [{k: v for k, v in x.items() if k not in ("report_id", "fact_link")}
                for x in r.json()]
    return statistics.median(times) * 1000, max(times) * 1000, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-year", type=int, default=200, help="reports per year")
    args = ap.parse_args()

    import duckdb
    import sqlite_utils

    from archive.build import build
    from archive.export import export_parquet
    from archive.per_year import build_per_year, year_files
    from archive.serve import make_datasette
    from archive.store import add_document
    from testkit.synth import load_synth  # the repository root is on the path from here

    synth = load_synth()
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-years-"))
    store = tmp / "store.db"
    db = sqlite_utils.Database(store)
    # the same publishers every year (a series has ten points); governments and departments
    for year in YEARS:
        for i in range(args.per_year):
            r = synth.generate(i * 7, year, seed=year, kind="html" if i % 4 else "docx")
            add_document(db, r.data, url=None, path=f"/synth/{year}/{r.filename}",
                         filename=r.filename, origin="import")
    db.close()
    n = args.per_year * len(YEARS)
    print(f"{n} reports, {args.per_year} a year, {len(YEARS)} years")

    one = tmp / "all.db"
    shutil.copyfile(store, one)
    s = build(sqlite_utils.Database(one), progress=False)
    print(f"build, one archive:        {s.seconds:6.1f} s ({s.reports / s.seconds:.1f} reports/s)"
          f", {one.stat().st_size / 1e6:.0f} MB")
    s = build_per_year(sqlite_utils.Database(store), tmp / "years", progress=False)
    files = year_files(tmp / "years", "store")
    size = sum(p.stat().st_size for p in files.values())
    print(f"build --per-year, {len(files)} files: {s.seconds:6.1f} s "
          f"({s.reports / s.seconds:.1f} reports/s), {size / 1e6:.0f} MB")

    con = sqlite_utils.Database(one)
    pub, city = con.execute(
        "select p.name, p.city from publishers p join reports r on r.publisher_id = p.id "
        "where p.level = '县/区' group by p.id order by count(*) desc, p.name limit 1").fetchone()
    params = {
        "series": f"publisher={quote(pub)}&indicator=applications.new.total",
        "requests_over_years": f"publisher={quote(pub)}",
        "districts_ranked": f"city={quote(city)}&year=2022&key=applications.new.total",
        "contradictions": "rule=",
    }
    single = make_datasette([one])
    asyncio.run(single.invoke_startup())
    across = make_datasette([files[str(y)] for y in YEARS])
    asyncio.run(across.invoke_startup())
    print(f"{'saved query':<22} {'one archive ms (p50/max)':>26} {'10 files ms (p50/max)':>24}"
          f"  rows")
    for name, qs in params.items():
        a = _latency(single.client, f"/all/{name}.json?_shape=array&{qs}")
        b = _latency(across.client, f"/_memory/{name}.json?_shape=array&{qs}")
        same = sorted(map(repr, a[2])) == sorted(map(repr, b[2]))
        print(f"{name:<22} {a[0]:13.1f} / {a[1]:8.1f}   {b[0]:11.1f} / {b[1]:8.1f}  "
              f"{len(b[2]):5} {'same rows' if same else 'ROWS DIFFER'}")

    t0 = time.perf_counter()
    e = export_parquet(one, tmp / "parquet")
    print(f"export --parquet: {time.perf_counter() - t0:.1f} s, {e.bytes / 1e6:.1f} MB "
          f"({', '.join(f'{k} {v}' for k, v in e.rows.items())} rows)")
    sql = f"""select report_year, count(distinct report_id) as reports, sum(value) as requests
      from read_parquet('{tmp}/parquet/values/*/*/*.parquet', hive_partitioning = true)
      where key in ('applications.new.total', 'legacy.apply.received.total')
      group by report_year order by report_year"""
    with duckdb.connect() as dconn:
        t0 = time.perf_counter()
        rows = dconn.execute(sql).fetchall()
        print(f"DuckDB, ten years in one statement: {1000 * (time.perf_counter() - t0):.0f} ms,"
              f" {len(rows)} years")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
