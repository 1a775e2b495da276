"""The archive's shape, created and migrated idempotently.

`ensure_schema(db)` is safe to call on every open: it creates what is missing, adds columns
that a newer version of this module declares (sqlite-utils `add_column`), and (re)creates
views and indexes (dropping only indexes that newer ones replace). It never drops data.
Tables are declared as data (`TABLES`) so that the Datasette metadata can check that every
column has a description.
"""

from __future__ import annotations

import sqlite_utils

from archive import evidence, search, storage

# 2: facts, sections, checks and values are views over compact rows (archive/storage.py).
SCHEMA_VERSION = 2

# table -> (columns in order with SQLite-ish python types, primary key, foreign keys)
TABLES: dict[str, dict] = {
    "blobs": {
        # data is the raw bytes, or compressed as `compression` says (archive/store.py)
        "columns": {"sha256": str, "data": bytes, "size": int, "compression": str},
        "pk": "sha256",
    },
    "documents": {
        "columns": {
            "id": str,
            "size": int,
            "media_type": str,
            "kind": str,
            "encoding": str,
            "filename": str,
            "origin": str,
            "first_seen_at": str,
        },
        "pk": "id",
        "fks": [("id", "blobs", "sha256")],
    },
    "document_urls": {
        "columns": {
            "id": int,
            "document_id": str,
            "url": str,
            "final_url": str,
            "path": str,
            "origin": str,
            "status": int,
            "headers": str,
            "fetched_at": str,
            "recorded_at": str,
            "publisher_hint": str,
        },
        "pk": "id",
        "fks": [("document_id", "documents", "id")],
    },
    "divisions": {
        "columns": {
            "code": str,
            "name": str,
            "level": str,
            "province_code": str,
            "city_code": str,
            "province": str,
            "city": str,
            "county": str,
        },
        "pk": "code",
    },
    "publishers": {
        "columns": {
            "id": str,
            "name": str,
            "level": str,
            "parent_id": str,
            "division_code": str,
            "province": str,
            "city": str,
            "county": str,
            "match": str,
        },
        "pk": "id",
        "fks": [("parent_id", "publishers", "id"), ("division_code", "divisions", "code")],
    },
    "publisher_names": {
        "columns": {"name": str, "publisher_id": str},
        "pk": "name",
        "fks": [("publisher_id", "publishers", "id")],
    },
    "parses": {
        "columns": {
            "document_id": str,
            "parser_version": str,
            "status": str,
            "reason": str,
            "report_key": str,
            "title": str,
            "publisher_raw": str,
            "report_year": int,
            "format": str,
            "n_facts": int,
            "n_values": int,
        },
        "pk": "document_id",
        "fks": [("document_id", "documents", "id")],
    },
    "reports": {
        "columns": {
            "id": int,
            "key": str,
            "publisher_id": str,
            "report_year": int,
            "report_year_source": str,
            "publisher_source": str,
            "title": str,
            "era": str,
            "published": str,
            "url": str,
            "document_id": str,
            "n_documents": int,
            "parser_version": str,
            "n_sections": int,
            "n_facts": int,
            "n_failed_checks": int,
            "text": str,
        },
        "pk": "id",
        "fks": [
            ("publisher_id", "publishers", "id"),
            ("document_id", "documents", "id"),
        ],
    },
    "report_documents": {
        "columns": {"report_id": int, "document_id": str, "is_primary": int, "seen_at": str},
        "pk": ("report_id", "document_id"),
        "fks": [("report_id", "reports", "id"), ("document_id", "documents", "id")],
    },
    "indicators": {
        "columns": {
            "key": str,
            "table_name": str,
            "formats": str,
            "label_zh": str,
            "unit": str,
            "description": str,
        },
        "pk": "key",
    },
    # Which parts of a report were read by OCR (issue 15), shown on the report page.
    "ocr_regions": {
        "columns": {
            "report_id": int,
            "seq": int,
            "document_id": str,
            "page": int,
            "image": str,
            "image_document_id": str,
            "start": int,
            "end": int,
            "chars": int,
            "mean_confidence": float,
            "low_confidence_chars": int,
            "seconds": float,
            "engine": str,
        },
        "pk": ("report_id", "seq"),
        "fks": [("report_id", "reports", "id")],
    },
    "meta": {"columns": {"name": str, "value": str}, "pk": "name"},
    # Reference tables from archive/data (archive/reference.py loads them).
    "check_rules": {
        "columns": {"rule": str, "kind": str, "kind_zh": str, "name_zh": str,
                    "explanation_zh": str},
        "pk": "rule",
    },
    "concordance": {
        "columns": {"concept": str, "legacy": str, "v2019": str, "v2021": str,
                    "comparable": int, "label_zh": str, "note_zh": str},
        "pk": "concept",
    },
    "concordance_keys": {
        "columns": {"concept": str, "key": str, "formats": str, "priority": int,
                    "comparable": int},
        "pk": ("concept", "key"),
        "fks": [("concept", "concordance", "concept")],
    },
    "publisher_aliases": {
        "columns": {"alias": str, "division_code": str, "canonical": str, "prefix": str,
                    "level": str, "note": str, "relation": str, "valid_from": str,
                    "valid_to": str},
        "pk": "alias",
    },
}

INDEXES: list[tuple[str, list[str]]] = [
    ("document_urls", ["document_id"]),
    ("document_urls", ["url"]),
    ("publishers", ["division_code"]),
    ("publishers", ["parent_id"]),
    ("publishers", ["level"]),
    ("publishers", ["province", "city"]),
    ("divisions", ["province_code"]),
    ("divisions", ["city_code"]),
    ("parses", ["report_key"]),
    ("parses", ["status"]),
    ("reports", ["publisher_id", "report_year"]),
    ("reports", ["report_year"]),
    ("reports", ["era"]),
    ("report_documents", ["document_id"]),
    ("concordance_keys", ["key"]),
    ("publisher_aliases", ["canonical"]),
]

UNIQUE_INDEXES: list[tuple[str, list[str]]] = [("reports", ["key"])]

# One row per (document, where it came from): importing the same file twice records it once.
# An expression index, because NULLs never collide in a plain UNIQUE index.
RAW_INDEXES = [
    "create unique index if not exists document_urls_source on document_urls"
    " (document_id, coalesce(url, ''), coalesce(path, ''))",
    # A report's row holds its whole text (10 KB and more, on overflow pages), so a join or
    # a search that reaches many reports by id read a page per report: counting the 93,000
    # reports that contain 复议 took 200 ms at 130,000 reports. This narrow copy of the
    # columns such joins use answers them from a few MB (70 ms; docs/performance.md).
    "create index if not exists reports_by_id on reports"
    " (id, report_year, era, publisher_id, key)",
]
# Failed checks are reached by storage.STORAGE_INDEXES' check_rows_failed (the planner judged an
# index on (ok, rule) no better than scanning every check: a page of failed_checks took 5 s at
# 130,000 reports, 0.13 s with a partial index on the failed ones).
# Indexes an earlier version created that the ones above replace (dropped, not data).
OBSOLETE_INDEXES = ["idx_checks_ok_rule"]

# The public faces of the compact rows first (the views below read them), then publishers
# joined with their division, for the "all districts of a city" questions.
VIEWS: dict[str, str] = {
    **storage.VIEWS,
    "url_versions": """
select u.url, u.document_id, d.size, d.media_type, u.fetched_at, u.recorded_at,
  row_number() over (partition by u.url order by coalesce(u.fetched_at, u.recorded_at),
    u.document_id) as version
from document_urls u join documents d on d.id = u.document_id
where u.url is not null
""",
    # The kind comes from check_rules (data/check_rules.tsv); a rule nobody classified yet is
    # 'unread' (it accuses no report) until it is.
    "failed_checks": """
select r.id as report_id, r.key as report_key, p.name as publisher, r.report_year, r.era,
  coalesce(k.kind, 'unread') as kind, coalesce(k.name_zh, '未分类的检查') as name_zh,
  c.rule, c.detail, c.numbers
from checks c join reports r on r.id = c.report_id
left join publishers p on p.id = r.publisher_id
left join check_rules k on k.rule = c.rule
where c.ok = 0
""",
    # Every canonical value with its evidence and a link to the report page at that fact. The
    # fact is read by a scalar subquery: as the right side of a LEFT JOIN the facts view (itself
    # a join) would be materialized whole.
    "indicator_values": f"""
select v.report_id, p.name as publisher, r.report_year, r.era, v.key, i.label_zh, v.value,
  i.unit, v.note,
  coalesce((select {evidence.fact_text('f')} from facts f where f.report_id = v.report_id
    and f.seq = coalesce(v.fact_seq, v.unstated_seq)), case when v.value is null then '未载明：'
    else '由其他数字推算：' end || v.note) as evidence,
  {evidence.link('v.report_id', 'coalesce(v.fact_seq, v.unstated_seq)')} as fact_link
from report_indicator_values v
join reports r on r.id = v.report_id
left join publishers p on p.id = r.publisher_id
left join indicators i on i.key = v.key
""",
    # Every name of a publisher: canonical, as printed in reports, from the alias table.
    "publisher_identity": """
select p.id as publisher_id, p.name as name, '规范名称' as source, null as relation,
  null as valid_from, null as valid_to, p.division_code, p.level, null as note
from publishers p
union all
select n.publisher_id, n.name, '报告所用名称', null, null, null, p.division_code, p.level, null
from publisher_names n left join publishers p on p.id = n.publisher_id where n.name != p.name
union all
select a.canonical, a.alias, '别名表', case a.relation when 'same' then '同一机关'
  when 'related' then '相关的另一机关（不合并）' when 'successor' then '前身机关（不合并）'
  else a.relation end, a.valid_from, a.valid_to, a.division_code,
  a.level, a.note
from publisher_aliases a
""",
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or migrate every table, index and view. Idempotent; never drops a document.

    An archive of schema version 1 (facts, sections, checks and values as tables) is brought to
    version 2 in one transaction: those derived rows are dropped and every report is marked for
    reparsing, so the next `xxgk build` rewrites them compactly from the stored documents under
    the same report ids (archive/storage.py `migrate_v1`)."""
    if storage.is_v1(db):
        with db.atomic():
            storage.migrate_v1(db)
            db.execute("update meta set value = ? where name = 'schema_version'",
                       [str(SCHEMA_VERSION)])
    with db.conn:
        for name, spec in TABLES.items():
            table = db.table(name)
            if not table.exists():
                table.create(
                    spec["columns"],
                    pk=spec["pk"],
                    foreign_keys=spec.get("fks"),
                    not_null={"key"} if name == "reports" else None,
                )
            else:
                existing = set(table.columns_dict)
                for col, typ in spec["columns"].items():
                    if col not in existing:
                        table.add_column(col, typ)
        for sql in storage.STORAGE_TABLES.values():
            db.execute(sql)
        for name, cols in INDEXES:
            db.table(name).create_index(cols, if_not_exists=True)
        for name, cols in UNIQUE_INDEXES:
            db.table(name).create_index(cols, unique=True, if_not_exists=True)
        for sql in RAW_INDEXES + storage.STORAGE_INDEXES:
            db.execute(sql)
        for name in OBSOLETE_INDEXES:
            db.execute(f"drop index if exists [{name}]")
        from archive import headline

        for name, sql in {**VIEWS, "report_values": headline.view_sql()}.items():
            _ensure_view(db, name, sql.strip())
        for name, sql in storage.TRIGGERS.items():
            db.execute(f"create trigger if not exists [{name}] {sql}")
        search.ensure_fts(db)  # after the views: a re-index reads `sections`
        if db.table("meta").count_where("name = 'schema_version'") == 0:
            db.table("meta").insert({"name": "schema_version", "value": str(SCHEMA_VERSION)})


def _ensure_view(db: sqlite_utils.Database, name: str, sql: str) -> None:
    """Create a view, or replace it when its definition changed (so a no-op run writes nothing)."""
    want = f"CREATE VIEW [{name}] AS {sql}"
    row = db.execute(
        "select sql from sqlite_master where type = 'view' and name = ?", [name]
    ).fetchone()
    if row and row[0] == want:
        return
    if row:
        db.execute(f"drop view [{name}]")
    db.execute(want)
