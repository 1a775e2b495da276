"""The saved queries across per-year archive files served together (`xxgk serve --db a --db b`).

Per-year files (`xxgk build --per-year`, archive/per_year.py) each hold one report year, but a
series runs over years and a question may be asked of any year. Datasette attaches the files to
its `_memory` database (`crossdb`); here the saved queries listed in
metadata/queries_across.yaml are given again on `_memory`: each runs, unchanged, once per file
with its tables named in that file (`from reports r` → `from [archive-2023].reports r`), the
parts are joined with UNION ALL and sorted in the order the list gives. Each part is the
single-file query with that file's indexes, so a query across ten files costs about ten
single-file queries of one year each.

A first version put the files' tables behind `WITH reports AS NOT MATERIALIZED (… UNION ALL
…)` and ran each query once: SQLite does not push a correlated lookup (a value by report id)
into a compound view, so every lookup scanned every file, and a series over ten files of 150
reports each passed Datasette's 5 s limit (docs/performance.md).

The series (`fill_years`) is the one query whose rows span files: each file gives the years it
holds, and the years between that no file holds are listed as `no_report`, as over one archive.
The queries need one report year per file, in different files (what --per-year writes);
otherwise none is offered. Report links need ids that do not repeat across files (also what
--per-year writes), so that a report page can find the file that holds an id.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

TITLE_SUFFIX = "（跨所有档案）"
SERIES_FILL = """
with rows as materialized ({parts}),
concept as (select concept from [{first}].concordance_keys where key = :indicator
  and comparable = 1 limit 1),
ck as (
  select key, formats, priority from [{first}].concordance_keys
  where concept = (select concept from concept)
  union all
  select key, formats, 1 from [{first}].indicators
  where key = :indicator and not exists (select 1 from concept)
),
span as (select publisher, min(year) as lo, max(year) as hi from rows group by publisher),
years(publisher, year, hi) as (
  select publisher, lo, hi from span
  union all select publisher, year + 1, hi from years where year < hi
),
filled as (
  select y.publisher, y.year, r.value, r.unit, coalesce(r.key, (select substr(min((instr(
    ck.formats, case when y.year <= 2018 then 'legacy' when y.year <= 2020 then 'v2019'
    else 'v2021' end) = 0) || ck.priority || ck.key), 3) from ck)) as key, r.status,
    r.status_zh, r.evidence, r.report_id, r.fact_link, r.era, r.note
  from years y left join rows r on r.publisher = y.publisher and r.year = y.year
)
select f.publisher, f.year, f.value,
  coalesce(f.unit, (select unit from [{first}].indicators i where i.key = f.key)) as unit,
  f.key, coalesce(f.status, 'no_report') as status, coalesce(f.status_zh, '无报告') as status_zh,
  coalesce(f.evidence, case when f.status is null then '档案中没有该单位该年度的报告' end)
    as evidence,
  f.report_id, f.fact_link, f.era,
  case when f.status is null and f.key != :indicator then (select note_zh from
    [{first}].concordance_keys k join [{first}].concordance c on c.concept = k.concept
    where k.key = f.key limit 1) else f.note end as note
from filled f
order by {order}
"""


@cache
def plans() -> dict[str, dict]:
    """metadata/queries_across.yaml: which saved queries run across files, and how."""
    text = resources.files("archive.metadata").joinpath("queries_across.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _names(path: Path) -> set[str]:
    conn = _ro(path)
    try:
        return {r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view')")}
    finally:
        conn.close()


def _years_and_ids(path: Path) -> tuple[list, tuple[int, int] | None]:
    """The report years an archive holds, and its lowest and highest report id."""
    conn = _ro(path)
    try:
        years = [r[0] for r in conn.execute("select distinct report_year from reports")]
        lo, hi = conn.execute("select min(id), max(id) from reports").fetchone()
    finally:
        conn.close()
    return years, (None if lo is None else (lo, hi))


def per_year_files(paths: list[Path]) -> tuple[bool, bool]:
    """(one report year per file and no year in two files, report ids never repeated)."""
    found = [_years_and_ids(p) for p in paths]
    years = [y for ys, _ in found for y in ys]
    one_year_each = all(len(ys) <= 1 for ys, _ in found) and len(years) == len(set(years))
    ranges = sorted(r for _, r in found if r)
    return one_year_each, all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


def in_file(sql: str, db: str, tables: set[str]) -> str:
    """The query with every table or view it reads named in the attached archive `db`."""
    def qualify(m: re.Match) -> str:
        name = m.group(2)
        return f"{m.group(1)} [{db}].[{name}]" if name in tables else m.group(0)

    return re.sub(r"(?i)\b(from|join)\s+([A-Za-z_][A-Za-z0-9_]*)\b", qualify, sql)


def cross_sql(sql: str, names: list[str], tables: set[str], plan: dict) -> str:
    """One saved query across the archives `names` (see the module docstring)."""
    parts = " union all ".join(f"select * from ({in_file(sql, n, tables)})" for n in names)
    if plan.get("fill_years"):
        return SERIES_FILL.format(parts=parts, first=names[0], order=plan["order"]).strip()
    return f"select * from ({parts})\norder by {plan['order']}"


def cross_queries(names: list[str], paths: list[Path], queries: dict[str, dict]) -> dict:
    """The saved queries of queries_across.yaml, across the archives; {} unless they are
    per-year files (one year each, different years)."""
    if len(paths) < 2 or not per_year_files(paths)[0]:
        return {}
    tables = set.intersection(*(_names(p) for p in paths))
    out = {}
    for name, plan in plans().items():
        query = queries[name]
        out[name] = {**query, "sql": cross_sql(query["sql"], names, tables, plan),
                     "title": query.get("title", name) + TITLE_SUFFIX,
                     "description": (query.get("description", "") + " 本查询跨越同时提供的所有"
                                     f"档案（{'、'.join(names)}），每个档案一个年度。")}
    return out
