"""`xxgk serve`: Datasette on the archive, read-only, with metadata, saved queries and facets.

The metadata is assembled here from three sources that each have one owner: table and column
descriptions (`metadata/tables.yaml`), saved queries (`metadata/queries.yaml`) and the
headline columns of `report_values` (`data/headline.toml`), plus the indicator definitions
from the `indicators` table's source file. The database is served immutable by default (no
write can reach it, and Datasette may cache counts); `immutable=False` still opens it read-only.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from archive import headline
from xxgk import settings

TITLE = "政府信息公开工作年度报告 archive"
DESCRIPTION = (
    "Annual government information-disclosure reports (政府信息公开工作年度报告) of Chinese "
    "governments and departments, parsed into sections, numbers with their evidence, and "
    "integrity checks, comparable across years, formats and districts. Every number links "
    "to the sentence it was read from and to the stored original document."
)
FACETS = {
    "reports": ["report_year", "era"],
    "report_values": ["report_year", "province", "city", "level", "era", "values_era"],
    "publishers": ["level", "province", "city"],
    "facts": ["key", "method", "status", "section"],
    "checks": ["rule", "ok"],
    "parses": ["status", "format"],
    "failed_checks": ["rule", "report_year"],
}


def _yaml(name: str) -> dict[str, Any]:
    text = resources.files("archive.metadata").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


@cache
def table_docs() -> dict[str, Any]:
    """Descriptions of every table and column, including the headline columns."""
    docs = _yaml("tables.yaml")
    cols = docs["report_values"]["columns"]
    for col in headline.columns():
        cols[col.name] = f"{col.description} (unit: {col.unit})"
    return docs


def indicator_definitions_html() -> str:
    """The canonical keys with unit, Chinese label and meaning, as escaped HTML for metadata."""
    from markupsafe import escape

    from archive.build import indicators_csv

    with indicators_csv().open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    items = "".join(
        f"<li><code>{escape(r['key'])}</code> ({escape(r['unit'] or '—')}, "
        f"{escape(r['formats'])}): {escape(r['label_zh'])} — {escape(r['description'])}</li>"
        for r in rows
    )
    return (
        "<p>The canonical indicator keys (a public contract: they never change meaning). "
        f"{len(rows)} keys.</p><details><summary>All definitions</summary><ul>{items}</ul>"
        "</details>"
    )


def metadata(db_name: str) -> dict[str, Any]:
    """Datasette metadata for an archive served under the name `db_name`."""
    tables: dict[str, Any] = {}
    for table, doc in table_docs().items():
        entry: dict[str, Any] = {
            "description": doc["description"],
            "columns": dict(doc["columns"]),
        }
        if table in FACETS:
            entry["facets"] = FACETS[table]
        tables[table] = entry
    for name in ("sections", "reports"):
        tables[name].update({"fts_table": f"{name}_fts", "fts_pk": "id"})
    tables["reports"]["sort_desc"] = "report_year"
    tables["reports"]["label_column"] = "key"
    tables["indicators"]["description_html"] = indicator_definitions_html()
    for fts in ("sections_fts", "reports_fts"):
        tables[fts] = {"hidden": True}
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": "Apache-2.0 (code); reports are public government information",
        "license_url": "https://www.apache.org/licenses/LICENSE-2.0",
        "source": "Government websites (政府信息公开 columns; each report links its URL), under "
        "the 政府信息公开条例 (国令第711号)",
        "source_url": "https://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm",
        "databases": {
            db_name: {
                "description_html": None,
                "description": DESCRIPTION
                + " Indicator definitions: see the indicators table and docs/journalists.md.",
                "tables": tables,
                "queries": _yaml("queries.yaml"),
            }
        },
        "plugins": {"xxgk": {"database": db_name}},
    }


def make_datasette(db_path: str | Path, immutable: bool = True):
    """A Datasette instance on the archive (what `serve` runs and the tests use)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    import archive.web

    if not pm.is_registered(archive.web):
        pm.register(archive.web, name="xxgk")
    path = str(Path(db_path))
    if immutable:
        checkpoint(Path(path))
    db_name = Path(path).stem
    meta = metadata(db_name)
    meta["databases"][db_name].pop("description_html")
    template_dir = str(resources.files("archive.web").joinpath("templates"))
    kwargs: dict[str, Any] = {"immutables": [path]} if immutable else {"files": [path]}
    return Datasette(
        metadata=meta,
        template_dir=template_dir,
        # Report and section texts run to thousands of characters: table pages show the start
        # (the row page and the report page show all of it).
        # A query is stopped after DATASETTE_SQL_TIME_LIMIT_MS and returns at most
        # DATASETTE_MAX_RETURNED_ROWS rows (tests/test_datasette_hardening.py).
        settings={"default_page_size": 50,
                  "sql_time_limit_ms": settings.DATASETTE_SQL_TIME_LIMIT_MS,
                  "max_returned_rows": settings.DATASETTE_MAX_RETURNED_ROWS,
                  "facet_time_limit_ms": 500, "truncate_cells_html": 300,
                  # Suggestions probe every column of every page (30 columns of a view): off.
                  "suggest_facets": False},
        **kwargs,
    )


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


def serve(
    db_path: str | Path = settings.DEFAULT_DB,
    port: int | None = None,
    host: str | None = None,
    immutable: bool = True,
) -> None:
    """Run Datasette on the archive until interrupted."""
    import uvicorn

    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no archive at {path}: run `xxgk import` and `xxgk build`")
    ds = make_datasette(path, immutable=immutable)
    uvicorn.run(
        ds.app(),
        host=host or settings.DATASETTE_HOST,
        port=port or settings.DATASETTE_PORT,
        log_level="warning",
    )
