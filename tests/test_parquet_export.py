"""`xxgk export --parquet`: ten years of reports as Parquet, read back by DuckDB in one statement
(docs/export.md shows the same statement), with types and column descriptions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from archive import check_kinds
from archive.build import build
from archive.store import add_document, sha256
from testkit.synth import load_synth
from xxgk.cli import cli

duckdb = pytest.importorskip("duckdb", reason="duckdb (the [test] extra) reads the export")
pq = pytest.importorskip("pyarrow.parquet")
ROOT = Path(__file__).resolve().parent.parent
YEARS = range(2014, 2024)
NEW_REQUESTS = ("applications.new.total", "legacy.apply.received.total")
NO_PUBLISHER = ("2023年政府信息公开工作年度报告\n一、总体情况\n"
                "本年度共收到政府信息公开申请12件，全部按时办结。主动公开政府信息350条。\n"
                "二、存在的主要问题及改进情况\n公开内容还不够全面，下一步将进一步加强。\n" * 3)


def q(sql: str) -> list[tuple]:
    """Rows of one DuckDB statement (the connection API: duckdb 1.x and 2.x alike)."""
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Two publishers' reports for each of ten years (three eras), one report whose
    publisher is unknown, built and exported through the command line."""
    synth = load_synth()
    base = tmp_path_factory.mktemp("export")
    db = sqlite_utils.Database(base / "archive.db")
    gold = {}
    for year in YEARS:
        for index in (1207, 30555):
            r = synth.generate(index, year, seed=5, kind="html" if year % 2 else "docx")
            add_document(db, r.data, url=None, path=f"/synth/{r.filename}",
                         filename=r.filename, origin="import")
            gold[sha256(r.data)] = (year, next(
                (r.gold[k] for k in NEW_REQUESTS if r.gold.get(k) is not None), None))
    add_document(db, NO_PUBLISHER.encode(), url=None, path="/synth/excerpt.txt",
                 filename="excerpt.txt", origin="import")
    build(db, progress=False)
    db.close()
    out = base / "parquet"
    result = CliRunner().invoke(cli, ["export", "--db", str(base / "archive.db"),
                                      "--parquet", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return base / "archive.db", out, json.loads(result.output), gold


def test_duckdb_reads_ten_years_in_one_statement(exported):
    archive, out, summary, gold = exported
    rows = q(f"""
        select report_year, report_id, value, evidence, fact_link
        from read_parquet('{out}/values/*/*/*.parquet', hive_partitioning = true)
        where key in ('applications.new.total', 'legacy.apply.received.total')
        order by report_year, report_id""")
    assert sorted({r[0] for r in rows}) == list(YEARS)
    db = sqlite_utils.Database(archive)
    document = dict(db.execute("select id, document_id from reports"))
    got = {}
    for year, report_id, value, evidence, link in rows:
        assert evidence and link.startswith(f"/-/xxgk/report/{report_id}")
        got[document[report_id]] = (year, value)
    # what each report printed (the generator's gold), read back from Parquet
    stated = {doc: yv for doc, yv in gold.items() if yv[1] is not None}
    assert len(stated) >= 15
    assert {doc: got.get(doc) for doc in stated} == stated
    sqlite_total = db.execute(
        "select count(*) from report_indicator_values where key in (?, ?)", NEW_REQUESTS
    ).fetchone()[0]
    assert len(rows) == sqlite_total
    assert summary["rows"]["reports"] == 21 and summary["rows"]["values"] == db.execute(
        "select count(*) from report_indicator_values").fetchone()[0]


def test_every_table_is_typed_and_described_and_partitioned(exported):
    _archive, out, summary, _gold = exported
    schema_doc = json.loads((out / "schema.json").read_text("utf-8"))
    assert set(schema_doc["tables"]) == {"reports", "values", "facts", "checks", "publishers",
                                         "indicators", "concordance_keys"}
    for name, table in schema_doc["tables"].items():
        files = sorted((out / name).rglob("*.parquet"))
        assert len(files) == summary["files"][name] and files
        schema = pq.read_schema(files[0])
        for col in table["columns"]:
            if col["name"] in table["partitioned_by"]:
                continue  # in the folder names
            field = schema.field(col["name"])
            assert field.metadata[b"description"].decode() == col["description"] != ""
            assert str(field.type) == col["type"]
    assert [d.name for d in (out / "reports").iterdir()] and all(
        d.name.startswith("report_year=") for d in (out / "reports").iterdir())
    desc = schema_doc["tables"]["checks"]["columns"]
    assert next(c for c in desc if c["name"] == "kind")["description"].startswith("类别")
    types = {r[0]: r[1] for r in q(f"describe select * from read_parquet("
                                   f"'{out}/facts/*/*/*.parquet', hive_partitioning = true)")}
    assert (types["value"], types["report_id"], types["report_year"], types["province"]) == (
        "DOUBLE", "BIGINT", "BIGINT", "VARCHAR")


def test_checks_carry_their_kind_and_facts_their_evidence(exported):
    archive, out, _summary, _gold = exported
    db = sqlite_utils.Database(archive)
    checks = q(f"""
        select kind, ok, count(*) from read_parquet('{out}/checks/*/*/*.parquet',
          hive_partitioning = true) group by all order by all""")
    expected = Counter((check_kinds.rule(rule).kind, bool(ok))
                       for rule, ok in db.execute("select rule, ok from checks"))
    assert {(kind, ok): n for kind, ok, n in checks} == expected
    assert {kind for kind, _ in expected} == {"contradiction", "unread"}
    explained = q(f"""select count(*) from read_parquet(
        '{out}/checks/*/*/*.parquet', hive_partitioning = true)
        where not ok and explanation is null""")[0][0]
    assert explained == 0
    cell = q(f"""select evidence from read_parquet('{out}/facts/*/*/*.parquet',
        hive_partitioning = true) where method = 'table' and table_name = '三'
        and report_year = 2023 limit 1""")[0][0]
    assert cell.startswith("表三：") and " × " in cell
    # the report with no publisher has no province: its partition is read back as null
    unknown = q(f"""select count(*), min(report_year) from read_parquet(
        '{out}/reports/*/*/*.parquet', hive_partitioning = true)
        where province is null and publisher_id is null""")[0]
    assert unknown == (1, 2023)
    # pandas through pyarrow.dataset, as docs/export.md says
    import pyarrow.dataset as ds

    frame = ds.dataset(out / "reports", partitioning="hive").to_table().to_pandas()
    assert len(frame) == 21 and frame["province"].isna().sum() == 1
    provinces = q(f"""select distinct province from read_parquet(
        '{out}/publishers/*/*.parquet', hive_partitioning = true)""")
    expected = {r[0] for r in db.execute("select distinct province from publishers")}
    assert {p for (p,) in provinces} == expected and any("省" in (p or "") for p in expected)


def test_a_new_export_replaces_the_old_one(exported, tmp_path):
    archive, out, _summary, _gold = exported
    stale = out / "reports" / "report_year=1999"
    stale.mkdir()
    (stale / "part-0.parquet").write_bytes(b"not parquet")
    result = CliRunner().invoke(cli, ["export", "--db", str(archive), "--parquet", str(out),
                                      "--quiet"])
    assert result.exit_code == 0 and result.output == ""
    assert not stale.exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".export")]
