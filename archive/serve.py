"""`xxgk serve`: Datasette on the archive, read-only, with metadata, saved queries and facets.

The metadata is assembled here from three sources that each have one owner: table and column
descriptions (`metadata/tables.yaml`), saved queries (`metadata/queries.yaml`) and the
headline columns of `report_values` (`data/headline.toml`), plus the indicator definitions
from the `indicators` table's source file. The database is served immutable by default (no
write can reach it, and Datasette may cache counts); `immutable=False` still opens it read-only.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from archive import headline
from xxgk import settings

TITLE = "政府信息公开工作年度报告档案"
DESCRIPTION = (
    "各级政府及其部门的政府信息公开工作年度报告，拆分为章节、带出处的数字和完整性核对，"
    "可跨年度、跨格式、跨地区比较。每个数字都链接到它所在的原句和存档的原始文件。"
)
# Default facets (each one is a GROUP BY over the table on every page view). At national size
# facts, checks and report_values hold 10^5-10^7 rows and a facet over them takes seconds, so
# their facets are on the summary tables that `xxgk build` computes (headline_values,
# fact_counts, check_counts; docs/performance.md has the figures). A reader can still ask
# for a facet on a raw table: it stops after FACET_TIME_LIMIT_MS.
FACETS = {
    # One facet on reports: with a search box query each facet counts the matches again
    # (90 ms for a word in most reports, at 130,000 reports); era is on headline_values.
    "reports": ["report_year", "era"],
    "publishers": ["level", "province", "city"],
    "parses": ["status", "format"],
    "headline_values": ["report_year", "province", "city", "level", "era", "values_era"],
    "fact_counts": ["method", "status"],
    "check_counts": ["rule", "ok"],
    "check_failures": ["kind", "rule", "report_year"],
}
# Where each raw table's facets went, said in its description.
SUMMARY_OF = {
    "report_values": "headline_values",
    "facts": "fact_counts",
    "checks": "check_counts",
    "failed_checks": "check_failures",
}
FACET_TIME_LIMIT_MS = 200
# The views that show the compact rows of archive/storage.py, and their tables (one row each).
STORED_AS = {"facts": "fact_rows", "sections": "section_rows", "checks": "check_rows",
             "report_indicator_values": "value_rows"}
# Row counts of the tables, kept beside the archive (see `table_counts`); named like SQLite's
# own -wal and -journal files, so .gitignore's archive.db-* covers it.
COUNTS_SUFFIX = "-counts.json"


def _yaml(name: str) -> dict[str, Any]:
    text = resources.files("archive.metadata").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


@cache
def table_docs() -> dict[str, Any]:
    """Descriptions of every table and column, including the headline columns."""
    docs = _yaml("tables.yaml")
    for table in ("report_values", "headline_values"):
        cols = docs[table]["columns"]
        for col in headline.columns():
            cols[col.name] = (f"{col.label_zh}：{col.description_zh}（单位：{col.unit}）"
                              f" — {col.description}")
            if table == "report_values":
                cols[col.evidence_name] = (f"{col.label_zh}的出处：原句，或“表X：行 × 列 = "
                                           "印出的数字”；几项之和时逐项列出")
    for raw, summary in SUMMARY_OF.items():
        if summary in docs:
            docs[raw]["description"] += (
                f" 全国规模下对全部行分面统计很慢：请用 `xxgk build` 预先算好的 {summary}。")
    return docs


@cache
def column_labels() -> dict[str, str]:
    """Chinese label of every column name the pages show (tables, views, saved queries)."""
    labels: dict[str, str] = {}
    for doc in table_docs().values():
        for name, text in doc["columns"].items():
            labels.setdefault(name, str(text).split("：")[0])
    labels.update(_yaml("columns_zh.yaml"))
    return labels


def indicator_definitions_html() -> str:
    """The canonical keys with unit, Chinese label and meaning, as escaped HTML for metadata."""
    from markupsafe import escape

    from archive.reference import indicators_csv

    with indicators_csv().open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    items = "".join(
        f"<li>{escape(r['label_zh'])}（{escape(r['unit'] or '—')}，{escape(r['formats'])}）"
        f" <code>{escape(r['key'])}</code> <small class=\"en\">{escape(r['description'])}</small>"
        "</li>"
        for r in rows
    )
    return (
        "<p>规范指标键（公开约定，含义永不改变），共 "
        f"{len(rows)} 个。</p><details><summary>全部定义</summary><ul>{items}</ul>"
        "</details>"
    )


def metadata(db_name: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under the name `db_name`."""
    tables: dict[str, Any] = {}
    for table, doc in table_docs().items():
        entry: dict[str, Any] = {
            "title": doc.get("title") or table,
            "description": doc["description"],
            "columns": dict(doc["columns"]),
        }
        if table in FACETS:
            entry["facets"] = FACETS[table]
        tables[table] = entry
    for name in ("sections", "reports"):
        tables[name].update({"fts_table": f"{name}_fts", "fts_pk": "id"})
    # No default sort on reports: the search box then lists matches in report order and stops
    # at the first page (35 ms for 复议, in 93,000 of 130,000 reports), where sorting by year
    # read every matching report's text first (0.7 s). A click on a column still sorts.
    tables["reports"]["label_column"] = "key"
    tables["indicators"]["description_html"] = indicator_definitions_html()
    for fts in ("sections_fts", "reports_fts"):
        tables[fts] = {"hidden": True}
    for name in (*STORED_AS.values(), "strings"):  # read through the views
        tables[name]["hidden"] = True
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": "代码 Apache-2.0；报告为公开的政府信息",
        "license_url": "https://www.apache.org/licenses/LICENSE-2.0",
        "source": "各级政府网站的政府信息公开专栏（每份报告附原网址），依据《政府信息公开条例》"
        "（国令第711号）",
        "source_url": "https://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm",
        "databases": {
            db_name: {
                "description_html": None,
                "description": DESCRIPTION + "指标定义见“指标”表与 docs/journalists.md。",
                "tables": tables,
                # a reader sees the question, its parameters and the answer; the SQL is one
                # click away (显示 SQL)
                "queries": {name: {**q, "hide_sql": True}
                            for name, q in _yaml("queries.yaml").items()},
            }
        },
        "plugins": {"xxgk": {"database": db_name}},
    }


def make_datasette(db_path: str | Path | Sequence[str | Path], immutable: bool = True):
    """A Datasette instance on the archive (what `serve` runs and the tests use).

    Several archives (one per report year, say) are served side by side, each under its file
    name with the same metadata and saved queries, and attached together for SQL across them
    (`crossdb`: `select … from [archive-2022].reports union all select … from
    [archive-2023].reports` on the `_memory` database; Datasette attaches up to ten). The
    report, chart and raw-document pages read the first archive unless a link says ?db=.
    """
    from datasette.app import Datasette
    from datasette.plugins import pm

    import archive.web

    if not pm.is_registered(archive.web):
        pm.register(archive.web, name="xxgk")
    paths = [Path(db_path)] if isinstance(db_path, str | Path) else [Path(p) for p in db_path]
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise ValueError(f"archives served together need distinct file names: {names}")
    meta = metadata(names[0])
    first = meta["databases"][names[0]]
    first.pop("description_html")
    for name in names[1:]:
        meta["databases"][name] = dict(first)
    if immutable:
        for path in paths:
            checkpoint(path)
    template_dir = str(resources.files("archive.web").joinpath("templates"))
    files = [str(p) for p in paths]
    kwargs: dict[str, Any] = {"immutables": files} if immutable else {"files": files}
    if immutable:
        kwargs["inspect_data"] = {n: table_counts(p) for n, p in zip(names, paths, strict=True)}
    if len(paths) > 1:
        kwargs["crossdb"] = True
        _add_cross_queries(meta, names, paths)
    ds = Datasette(
        metadata=meta,
        template_dir=template_dir,
        # Report and section texts run to thousands of characters: table pages show the start
        # (the row page and the report page show all of it).
        # A query is stopped after DATASETTE_SQL_TIME_LIMIT_MS and returns at most
        # DATASETTE_MAX_RETURNED_ROWS rows (tests/test_datasette_hardening.py).
        settings={"default_page_size": 50,
                  "sql_time_limit_ms": settings.DATASETTE_SQL_TIME_LIMIT_MS,
                  "max_returned_rows": settings.DATASETTE_MAX_RETURNED_ROWS,
                  "facet_time_limit_ms": FACET_TIME_LIMIT_MS, "truncate_cells_html": 300,
                  # Suggestions probe every column of every page (30 columns of a view): off.
                  "suggest_facets": False},
        **kwargs,
    )
    if immutable:
        # The inspect data also counts the views of the compact rows (STORED_AS), so that their
        # table pages take the count from it like a table's; the database page lists tables
        # only, from this per-database cache (Datasette 0.65: `_cached_table_counts`).
        for name in names:
            counts = kwargs["inspect_data"][name]["tables"]
            ds.databases[name]._cached_table_counts = {
                t: c["count"] for t, c in counts.items() if t not in STORED_AS}
    return ds


def _add_cross_queries(meta: dict[str, Any], names: list[str], paths: list[Path]) -> None:
    """Saved queries across archives whose report ids do not repeat (per-year files) on
    Datasette's `_memory` database, and report links there (archive/across.py)."""
    from archive import across

    cross = across.cross_queries(names, paths, _yaml("queries.yaml"))
    if cross:
        meta["databases"]["_memory"] = {
            "description": "跨档案查询：同时提供的所有档案（每年一个文件）合在一起查询。",
            "queries": {name: {**q, "hide_sql": True} for name, q in cross.items()},
        }
    meta["plugins"]["xxgk"]["ids_across"] = across.per_year_files(paths)[1]


def table_counts(path: Path) -> dict[str, Any]:
    """Datasette's inspect data for the archive (row count of every table), computed once per
    version of the file and kept beside it in `<archive>-counts.json`.

    Served immutable, Datasette counts every table on its first request (15 s at 130,000
    reports, 25 million facts, on a cold cache) and hashes the whole file for the index page
    (27 GB read). With inspect data it does neither: the counts come from this file and the
    hash is a fingerprint of the file's header, size and modification time. The file is reused
    only while the archive's size, mtime, inode and change counter are those it was computed
    for, so a build or a crawl in between means a recount; where it cannot be written, the
    counts stay in memory.
    """
    import hashlib
    import json
    import sqlite3

    stat = path.stat()
    with path.open("rb") as fh:
        header = fh.read(100)  # SQLite's header holds a change counter bumped by every write
    # size, mtime, inode and SQLite's file change counter: a copy that kept the mtime
    # (cp -p, rsync -t) or a coarse clock still shows as another version
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino,
             "changes": int.from_bytes(header[24:28], "big")}
    cache_file = path.with_name(path.name + COUNTS_SUFFIX)
    try:
        cached = json.loads(cache_file.read_text("utf-8"))
        if cached.get("stamp") == stamp:
            return cached["inspect"]
    except (OSError, ValueError, KeyError):
        pass
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' order by name")]
        counts = {}
        for name in names:
            try:
                counts[name] = {"count": conn.execute(
                    f"select count(*) from [{name}]").fetchone()[0]}
            except sqlite3.DatabaseError:  # e.g. an FTS table without its extension
                counts[name] = {"count": None}
        # facts, sections, checks and values are views over compact rows (archive/storage.py),
        # one row each: counted on their tables, so that their pages need no count either
        for view, table in STORED_AS.items():
            if table in counts:
                counts[view] = counts[table]
    finally:
        conn.close()
    fingerprint = hashlib.sha256(header + json.dumps(stamp).encode()).hexdigest()
    inspect = {"hash": fingerprint, "size": stat.st_size, "file": str(path), "tables": counts}
    try:
        tmp = cache_file.with_name(f"{cache_file.name}.{os.getpid()}.tmp")  # two servers
        tmp.write_text(json.dumps({"stamp": stamp, "inspect": inspect}), "utf-8")
        tmp.replace(cache_file)
    except OSError:
        pass
    return inspect


def checkpoint(path: Path) -> None:
    """Fold a WAL file (the crawler writes in WAL mode) into the database before serving it
    immutable: an immutable open reads the main file only and would miss what is in the WAL."""
    import sqlite3

    if Path(f"{path}-wal").exists():
        conn = sqlite3.connect(path)
        try:
            conn.execute("pragma wal_checkpoint(truncate)")
        finally:
            conn.close()


def summaries_warning(path: Path) -> str | None:
    """What to tell the reader when the archive's summary tables are missing or older than
    this version's (an archive built before they existed): saved queries read them, and a
    served archive is immutable, so only `xxgk build` can refresh them."""
    import sqlite3

    import sqlite_utils

    from archive.summaries import summaries_current

    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        current, _ = summaries_current(sqlite_utils.Database(conn))
    except sqlite3.DatabaseError:
        current = False
    finally:
        conn.close()
    if current:
        return None
    return (f"warning: {path}: the summary tables are missing or out of date (an archive built "
            "by an earlier version): run `xxgk build --db` on it once; until then the saved "
            "queries failing_checks and missing_reports and the summary pages may fail")


class PortInUse(OSError):
    """The address to serve on is taken (most often by an earlier `xxgk serve` still running)."""


def check_port(host: str, port: int) -> None:
    """Refuse, with a message that says what to do, an address another server listens on.

    Uvicorn would only log "address already in use" after Datasette was set up; the probe
    binds as uvicorn does (SO_REUSEADDR, so a port left in TIME_WAIT by a stopped server is
    not taken for busy)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(
                f"cannot serve on http://{host}:{port}/: {exc.strerror or exc} (is another "
                "`xxgk serve` or `xxgk run --serve` still running? stop it, or choose another "
                "port with --port)") from exc


def serve(
    db_path: str | Path | Sequence[str | Path] = settings.DEFAULT_DB,
    port: int | None = None,
    host: str | None = None,
    immutable: bool = True,
) -> None:
    """Run Datasette on the archive (or several, see make_datasette) until interrupted.

    Raises PortInUse when another server listens on the address."""
    import uvicorn

    paths = [Path(db_path)] if isinstance(db_path, str | Path) else [Path(p) for p in db_path]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"no archive at {path}: run `xxgk import` and `xxgk build`")
    for path in paths:
        if warning := summaries_warning(path):
            print(warning, file=sys.stderr)
    host, port = host or settings.DATASETTE_HOST, port or settings.DATASETTE_PORT
    check_port(host, port)
    ds = make_datasette(paths, immutable=immutable)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
