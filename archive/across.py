"""The saved queries across archives served together (`xxgk serve --db a --db b …`).

Per-year files (`xxgk build --per-year`, archive/per_year.py) each hold one year, but a series
runs over years and a ranking may be asked of any year. Datasette attaches the files to its
`_memory` database (`crossdb`); here each saved query of metadata/queries.yaml is given again
on `_memory`, unchanged, behind common table expressions that stand for the tables it reads:

    with reports as not materialized (select … from [archive-2022].reports
                                      union all select … from [archive-2023].reports), …

Tables of reports (those with a report id: reports, facts, checks, report_indicator_values,
the views and the summaries per report) are the union of all files: report ids never repeat
across per-year files, so a query's joins by report id stay right. Tables of things every file
shares (publishers, indicators, concordance, check rules, aliases) are the union without
repeats. `not materialized` lets SQLite push a query's conditions (a publisher, a year, a
report id) into each file's part, where that file's indexes answer them. A query that reads a
per-file aggregate (fact_counts, check_counts, publisher_years, coverage) or the full-text
index is not offered across files: its answer cannot be a union.

Files whose report ids overlap (copies, archives built without --per-year) get no queries
across them: their joins would mix reports.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from pathlib import Path

# Aggregates computed per file by `xxgk build`: a union of them is not the aggregate of the union.
PER_FILE = {"fact_counts", "check_counts", "publisher_years", "coverage"}
TITLE_SUFFIX = "（跨所有档案）"


def _names(path: Path) -> dict[str, list[str]]:
    """Tables and views of an archive, with their columns."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'sqlite_%'")]
        return {n: [r[1] for r in conn.execute(f"pragma table_info([{n}])")] for n in names}
    finally:
        conn.close()


def report_id_ranges(paths: list[Path]) -> list[tuple[int, int] | None]:
    """(lowest, highest) report id of each archive (None for one without reports)."""
    out = []
    for path in paths:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            lo, hi = conn.execute("select min(id), max(id) from reports").fetchone()
        finally:
            conn.close()
        out.append(None if lo is None else (lo, hi))
    return out


def disjoint(paths: list[Path]) -> bool:
    """True when no report id is in two of the archives (per-year files)."""
    ranges = sorted(r for r in report_id_ranges(paths) if r)
    return all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


def _tables_read(sql: str, known: set[str]) -> list[str]:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql))
    return sorted(words & known)


def _with_tables(sql: str, ctes: list[str]) -> str:
    """The query with `ctes` put in front of its own WITH list (or as a new one)."""
    body = sql.strip()
    match = re.match(r"(?is)^with\s+(recursive\s+)?", body)
    if match:
        return "with " + ",\n".join(ctes) + ",\n" + body[match.end():]
    return "with " + ",\n".join(ctes) + "\n" + body


def cross_queries(names: list[str], paths: list[Path], queries: dict[str, dict]) -> dict:
    """The saved queries rewritten to read every archive (see the module docstring); {} when
    the archives' report ids overlap."""
    if len(paths) < 2 or not disjoint(paths):
        return {}
    per_file = [_names(p) for p in paths]
    shared = set.intersection(*(set(n) for n in per_file))
    out = {}
    for name, query in queries.items():
        tables = _tables_read(query["sql"], shared)
        if any(t in PER_FILE or t.endswith("_fts") for t in tables):
            continue
        ctes = []
        for table in tables:
            cols = [c for c in per_file[0][table] if all(c in f[table] for f in per_file)]
            union = " union all " if ("report_id" in cols or table == "reports") else " union "
            select = ", ".join(f"[{c}]" for c in cols)
            parts = union.join(f"select {select} from [{db}].[{table}]" for db in names)
            ctes.append(f"[{table}] as not materialized ({parts})")
        out[name] = {**query, "sql": _with_tables(query["sql"], ctes),
                     "title": query.get("title", name) + TITLE_SUFFIX,
                     "description": (query.get("description", "") + " 本查询跨越同时提供的所有"
                                     f"档案（{'、'.join(names)}）。")}
    return out
