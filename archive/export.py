"""`xxgk export --parquet DIR`: the archive as Parquet files that DuckDB, pandas, R (arrow),
Spark or Excel's Power Query load as they are.

Five tables (and two small reference tables, indicators and concordance_keys), each a folder
of Hive-style partitions (`report_year=2023/province=江苏省/…`), so that a reader of one year or
one province reads only those files, and a statement over `DIR/values/*/*/*.parquet` reads ten
years at once:

- reports: one row per report, with its publisher's division and the full text;
- values: one row per canonical value, with its evidence (the sentence, or "表三：row × column
  = printed number") and the link to the report page at that fact;
- facts: every number the parser read, with its evidence as a reader checks it;
- checks: every integrity check, passed or failed, with its kind (contradiction or unread,
  archive/check_kinds.py) and, when failed, its Chinese explanation;
- publishers: partitioned by province only (a publisher has no year).

Columns are typed (integers, floats, booleans, strings) and carry their Chinese and English
description (archive/metadata/tables.yaml) as Parquet field metadata (`description`); the same
is written to `DIR/schema.json` for tools that do not read field metadata. Rows are read
through the archive's views and helpers (indicator_values, evidence.fact_text, check_kinds)
and written in batches, so memory stays flat whatever the archive's size. A new export
replaces the old one table by table (written beside it, then moved into place).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from archive import check_kinds, evidence

BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # int, float, bool, str
    doc: str  # "table.column" in tables.yaml, or the description itself after "="


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    sql: str
    columns: tuple[Column, ...]
    partition: tuple[str, ...]
    rows: Callable[[sqlite_utils.Database, Table], Iterator[tuple]] | None = field(
        default=None, compare=False)


def _cols(spec: str) -> tuple[Column, ...]:
    """'name:type:doc, …' (doc defaults to the same column of the table's own docs)."""
    out = []
    for item in spec.split(","):
        name, typ, doc = [*item.strip().split(":", 2), ""][:3]
        out.append(Column(name, typ, doc))
    return tuple(out)


REPORT_PROVINCE = "(select p.province from publishers p where p.id = r.publisher_id)"

TABLES: tuple[Table, ...] = (
    Table(
        "reports",
        "报告：每份报告一行（一个单位一个年度），含发布单位的行政区划和全文。",
        """select r.id, r.key, r.publisher_id, p.name, p.level, p.division_code, p.city,
             p.county, r.era, r.title, r.published, r.url, r.document_id, r.n_documents,
             r.n_sections, r.n_facts, r.n_failed_checks, r.report_year_source,
             r.publisher_source, r.parser_version, r.text, r.report_year, p.province
           from reports r left join publishers p on p.id = r.publisher_id order by r.id""",
        _cols("report_id:int:reports.id, key:str:reports.key,"
              "publisher_id:str:reports.publisher_id,"
              "publisher:str:headline_values.publisher, level:str:publishers.level,"
              "division_code:str:publishers.division_code, city:str:publishers.city,"
              "county:str:publishers.county, era:str:reports.era, title:str:reports.title,"
              "published:str:reports.published, url:str:reports.url,"
              "document_id:str:reports.document_id, n_documents:int:reports.n_documents,"
              "n_sections:int:reports.n_sections, n_facts:int:reports.n_facts,"
              "n_failed_checks:int:reports.n_failed_checks,"
              "report_year_source:str:reports.report_year_source,"
              "publisher_source:str:reports.publisher_source,"
              "parser_version:str:reports.parser_version, text:str:reports.text,"
              "report_year:int:reports.report_year, province:str:publishers.province"),
        ("report_year", "province"),
    ),
    Table(
        "values",
        "指标数值：每份报告的每个规范指标一行，附出处（原句，或“表X：行 × 列 = 印出的数字”）。",
        """select v.report_id, v.publisher, v.era, v.key, v.label_zh, v.value, v.unit, v.note,
              v.evidence, v.fact_link, v.report_year,
              (select p.province from reports r join publishers p on p.id = r.publisher_id
               where r.id = v.report_id) as province
            from indicator_values v order by v.report_id, v.key""",
        _cols("report_id:int:indicator_values.report_id, publisher:str:indicator_values.publisher,"
              "era:str:indicator_values.era, key:str:indicator_values.key,"
              "label_zh:str:indicator_values.label_zh, value:float:indicator_values.value,"
              "unit:str:indicator_values.unit, note:str:indicator_values.note,"
              "evidence:str:indicator_values.evidence, fact_link:str:indicator_values.fact_link,"
              "report_year:int:reports.report_year, province:str:publishers.province"),
        ("report_year", "province"),
    ),
    Table(
        "facts",
        "数字：报告所载的每个数字，附指标键（规则能确定时）、单位、标签和出处。",
        f"""select f.report_id, f.seq, f.key, f.value, f.unit, f.label,
              {evidence.fact_text('f')} as evidence, f.section, f.method, f.status, f.start,
              f.end, f.raw, f.percent_of, f.table_name, f.row_label, f.column_label, f.version,
              f.note, f.confidence, r.report_year, {REPORT_PROVINCE} as province
            from facts f join reports r on r.id = f.report_id
            order by f.report_id, f.seq""",
        _cols("report_id:int, seq:int, key:str, value:float, unit:str, label:str,"
              "evidence:str:indicator_values.evidence, section:str, method:str, status:str,"
              "start:int, end:int, raw:str, percent_of:float, table_name:str, row_label:str,"
              "column_label:str, version:str, note:str, confidence:float,"
              "report_year:int:reports.report_year, province:str:publishers.province"),
        ("report_year", "province"),
    ),
    Table(
        "checks",
        "完整性核对：每项核对（通过与未通过），附类别（contradiction 自相矛盾 / unread 未能读取）"
        "和未通过时的中文说明。",
        f"""select c.report_id, c.seq, c.rule, c.ok, c.detail, c.numbers, r.report_year,
              {REPORT_PROVINCE} as province
            from checks c join reports r on r.id = c.report_id order by c.report_id, c.seq""",
        _cols("report_id:int, seq:int, rule:str, ok:bool, kind:str:failed_checks.kind,"
              "name_zh:str:failed_checks.name_zh, explanation:str:check_failures.explanation,"
              "detail:str, numbers:str, report_year:int:reports.report_year,"
              "province:str:publishers.province"),
        ("report_year", "province"),
        rows=lambda db, t: _check_rows(db, t),
    ),
    Table(
        "publishers",
        "发布单位：规范名称、级别、上级政府和 GB/T 2260 行政区划。",
        """select id, name, level, parent_id, division_code, city, county, match, province
           from publishers order by id""",
        _cols("id:str, name:str, level:str, parent_id:str, division_code:str, city:str,"
              "county:str, match:str, province:str"),
        ("province",),
    ),
    # Reference: what each key means, and which keys of the three eras count the same thing
    # (a ten-year series joins legacy.* and the table keys through concordance_keys).
    Table(
        "indicators",
        "指标：规范指标键（公开约定），含中文名称、单位和英文说明。",
        """select key, table_name, formats, label_zh, unit, description from indicators
           order by key""",
        _cols("key:str, table_name:str, formats:str, label_zh:str, unit:str, description:str"),
        (),
    ),
    Table(
        "concordance_keys",
        "新旧指标对照（逐键）：同一概念在三种格式中的指标键；comparable 为 1 时可跨格式连接。",
        """select concept, key, formats, priority, comparable from concordance_keys
           order by concept, priority, key""",
        _cols("concept:str, key:str, formats:str, priority:int, comparable:int"),
        (),
    ),
)


def _check_rows(db: sqlite_utils.Database, table: Table) -> Iterator[tuple]:
    """Checks with their kind and, when failed, the explanation a reader sees on the site."""
    labels = dict(db.execute("select key, label_zh from indicators").fetchall())
    for report_id, seq, rule, ok, detail, numbers, year, province in db.execute(table.sql):
        r = check_kinds.rule(rule)
        explanation = None if ok else check_kinds.explain(rule, detail, numbers, labels)
        yield (report_id, seq, rule, bool(ok), r.kind, r.name_zh, explanation, detail, numbers,
               year, province)


def describe(table: Table, column: Column) -> str:
    """The column's description, from archive/metadata/tables.yaml (Chinese, then English)."""
    from archive.serve import table_docs

    if column.doc.startswith("="):
        return column.doc[1:]
    source, _, name = (column.doc or f"{table.name}.{column.name}").partition(".")
    docs = table_docs()
    return str(docs.get(source, {}).get("columns", {}).get(name, ""))


def arrow_schema(table: Table):
    """The table's Arrow schema: types, and each column's description as field metadata."""
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema(
        [pa.field(c.name, types[c.type], metadata={"description": describe(table, c)})
         for c in table.columns],
        metadata={"description": table.description,
                  "partitioned_by": ",".join(table.partition)})


def _number(v):
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _batches(db: sqlite_utils.Database, table: Table, schema) -> Iterator:
    import pyarrow as pa

    rows = table.rows(db, table) if table.rows else db.execute(table.sql)
    floats = [i for i, c in enumerate(table.columns) if c.type == "float"]
    while True:
        chunk = []
        for row in rows:
            row = list(row)
            for i in floats:  # SQLite's ANY columns: a number, else nothing
                row[i] = _number(row[i])
            chunk.append(row)
            if len(chunk) >= BATCH_ROWS:
                break
        if not chunk:
            return
        yield pa.RecordBatch.from_arrays(
            [pa.array([r[i] for r in chunk], type=f.type) for i, f in enumerate(schema)],
            schema=schema)
        if len(chunk) < BATCH_ROWS:
            return


@dataclass
class ExportStats:
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    bytes: int = 0

    def summary(self, out: Path) -> str:
        parts = ", ".join(f"{name} {n:,} rows in {self.files[name]} "
                          f"file{'s' if self.files[name] != 1 else ''}"
                          for name, n in self.rows.items())
        return f"exported to {out}: {parts}; {self.bytes / 1e6:.1f} MB"


def _read_only(archive: Path) -> sqlite_utils.Database:
    """The archive opened read-only; Arrow's writer pulls the rows from a thread of its own."""
    import sqlite3

    conn = sqlite3.connect(f"{Path(archive).resolve().as_uri()}?mode=ro", uri=True,
                           check_same_thread=False)
    return sqlite_utils.Database(conn)


def export_parquet(archive: Path, out: Path) -> ExportStats:
    """Write the reports, values, facts, checks and publishers of the archive file `archive`
    to `out` as Parquet (see the module docstring); returns row and file counts."""
    import pyarrow.dataset as ds

    db = _read_only(archive)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".export-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    stats = ExportStats()
    schema_doc: dict = {"format": "parquet", "partitioning": "hive", "tables": {}}
    try:
        for table in TABLES:
            schema = arrow_schema(table)
            counted = _counting(_batches(db, table, schema), stats, table.name)
            # Folder names are URI-encoded (province=%E6%B1%9F%E8%8B%8F%E7%9C%81: portable to
            # any file system and zip tool); DuckDB, pyarrow and pandas decode them to 江苏省.
            # A null (a report with no publisher) is __HIVE_DEFAULT_PARTITION__, read as null.
            partitioning = ds.partitioning(
                schema.empty_table().select(list(table.partition)).schema,
                flavor="hive") if table.partition else None
            (staging / table.name).mkdir(parents=True)
            ds.write_dataset(
                counted, staging / table.name, schema=schema, format="parquet",
                partitioning=partitioning, basename_template="part-{i}.parquet",
                existing_data_behavior="overwrite_or_ignore",
                file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"))
            files = list((staging / table.name).rglob("*.parquet"))
            stats.files[table.name] = len(files)
            stats.bytes += sum(f.stat().st_size for f in files)
            schema_doc["tables"][table.name] = {
                "description": table.description,
                "path": "/".join([table.name, *(f"{p}=*" for p in table.partition),
                                  "*.parquet"]),
                "partitioned_by": list(table.partition),
                "columns": [{"name": c.name, "type": str(schema.field(c.name).type),
                             "description": describe(table, c)} for c in table.columns],
            }
        for table in TABLES:  # replace the previous export table by table
            shutil.rmtree(out / table.name, ignore_errors=True)
            (staging / table.name).rename(out / table.name)
        (out / "schema.json").write_text(json.dumps(schema_doc, ensure_ascii=False, indent=2),
                                         "utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        db.close()
    return stats


def _counting(batches: Iterator, stats: ExportStats, name: str) -> Iterator:
    stats.rows[name] = 0
    for batch in batches:
        stats.rows[name] += batch.num_rows
        yield batch
