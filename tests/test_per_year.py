"""`xxgk build --per-year`: one archive file per report year (archive/per_year.py), served
together with the series and ranking queries working across the files (archive/across.py)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlite_utils
from click.testing import CliRunner

from archive import per_year
from archive.build import build
from archive.serve import make_datasette
from archive.store import add_document, get_bytes, sha256
from testkit.synth import load_synth
from xxgk import settings
from xxgk.cli import cli

ROOT = Path(__file__).resolve().parent.parent
YEARS = (2018, 2022)
NEW = {2018: "legacy.apply.received.total", 2022: "applications.new.total"}


synth = load_synth()


def _three_districts() -> list[int]:
    """Indexes of three district governments of one city (synth.publisher_of)."""
    divs = synth._divisions()
    for i in range(len(divs) - 2):
        trio = divs[i:i + 3]
        if all(d.level == "county" and d.city and d.city_code == trio[0].city_code
               and "区" in d.county for d in trio):
            return [i, i + 1, i + 2]
    raise AssertionError("no city with three districts")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Three districts of one city, each with a 2018 (legacy prose) and a 2022 (table)
    report, and a notice: one store, built into per-year files through the command line."""
    base = tmp_path_factory.mktemp("per-year")
    store = base / "store.db"
    db = sqlite_utils.Database(store)
    gold: dict[tuple[str, int], tuple[str, object]] = {}  # (division, year) -> (doc, value)
    for index in _three_districts():
        for year in YEARS:
            r = synth.generate(index, year, seed=9, kind="html")
            add_document(db, r.data, url=None, path=f"/synth/{r.filename}",
                         filename=r.filename, origin="import")
            gold[(r.division_code, year)] = (sha256(r.data), r.gold.get(NEW[year]))
    add_document(db, "关于召开政府信息公开工作会议的通知\n各单位：定于下周召开会议。".encode(),
                 url=None, path="/synth/notice.txt", filename="notice.txt", origin="import")
    db.close()
    out = base / "years"
    result = CliRunner().invoke(cli, ["build", "--db", str(store), "--per-year", str(out),
                                      "--json"])
    assert result.exit_code == 0, result.output
    return store, out, json.loads(result.output), gold


def _plain_build(store: Path, docs: set[str], path: Path) -> sqlite_utils.Database:
    """An archive of these documents of the store, built the usual way (ids from 1)."""
    plain = sqlite_utils.Database(path)
    src = sqlite_utils.Database(store)
    for doc in sorted(docs):
        add_document(plain, get_bytes(src, doc), url=None, path=f"/synth/{doc}", origin="import")
    build(plain, progress=False)
    return plain


def test_each_year_is_its_own_complete_archive(built):
    store, out, summary, gold = built
    files = per_year.year_files(out, "store")
    assert sorted(files) == ["2018", "2022", "undated"]
    assert summary["parsed"] == 7 and summary["reports"] == 6
    for year in YEARS:
        db = sqlite_utils.Database(files[str(year)])
        ids = [r[0] for r in db.execute("select id from reports order by id")]
        assert len(ids) == 3 and all(year * settings.PER_YEAR_REPORT_ID_SPAN < i
                                     < (year + 1) * settings.PER_YEAR_REPORT_ID_SPAN for i in ids)
        assert {r[0] for r in db.execute("select report_year from reports")} == {year}
        # its documents came with it: the report's bytes and provenance
        docs = {r[0] for r in db.execute("select id from documents")}
        assert docs == {doc for (_, y), (doc, _) in gold.items() if y == year}
        assert db.execute("select count(*) from document_urls").fetchone()[0] == 3
        # and it holds what a plain build of that year's documents holds
        plain = _plain_build(store, docs, out.parent / f"plain-{year}.db")
        values = "select r.key, v.key, v.value from report_indicator_values v join reports r " \
                 "on r.id = v.report_id order by 1, 2"
        assert db.execute(values).fetchall() == plain.execute(values).fetchall()
        facts = "select r.key, f.seq, f.value, f.evidence from facts f join reports r on " \
                "r.id = f.report_id order by 1, 2"
        assert db.execute(facts).fetchall() == plain.execute(facts).fetchall()
    undated = sqlite_utils.Database(files["undated"])
    assert undated.execute("select status from parses").fetchall() == [("not_report",)]
    assert undated["reports"].count == 0


def test_a_second_run_parses_nothing_and_a_moved_document_leaves_its_old_year(built):
    store, out, _summary, gold = built
    again = CliRunner().invoke(cli, ["build", "--db", str(store), "--per-year", str(out),
                                     "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["parsed"] == 0
    # An earlier parser filed a 2022 report under 2018: the next run moves it out.
    files = per_year.year_files(out, "store")
    doc = next(d for (_, y), (d, _) in gold.items() if y == 2022)
    old = sqlite_utils.Database(files["2018"])
    old.execute(f"attach database ? as {per_year.SOURCE}", [str(store)])
    with old.conn:
        per_year.copy_document(old, doc)
        old.execute("insert into parses (document_id, parser_version, status, report_key) "
                    "values (?, 'old', 'report', 'gone/2018')", [doc])
    old.close()
    moved = CliRunner().invoke(cli, ["build", "--db", str(store), "--per-year", str(out),
                                     "--json"])
    result = json.loads(moved.output)
    assert moved.exit_code == 0 and result["parsed"] == 1 and result["moved"] == 1
    old = sqlite_utils.Database(files["2018"])
    assert old.execute("select count(*) from parses where document_id = ?", [doc]).fetchone() \
        == (0,)
    assert old.execute("select count(*) from documents where id = ?", [doc]).fetchone() == (0,)
    assert sqlite_utils.Database(files["2022"])["reports"].count == 3


@pytest.fixture(scope="module")
def client(built):
    _store, out, _summary, _gold = built
    files = per_year.year_files(out, "store")
    ds = make_datasette([files["2018"], files["2022"], files["undated"]])
    asyncio.run(ds.invoke_startup())
    return ds.client


def _get(client, path: str):
    return asyncio.run(client.get(path))


def test_a_series_runs_across_two_files(built, client):
    store, out, _summary, gold = built
    code, _year = next(iter(gold))
    db = sqlite_utils.Database(per_year.year_files(out, "store")["2022"])
    name = db.execute("select name from publishers where division_code = ? and level = '县/区'",
                      [code]).fetchone()[0]
    r = _get(client, f"/_memory/series.json?_shape=array&publisher={quote(name)}"
                     "&indicator=applications.new.total")
    assert r.status_code == 200, r.text[:500]
    rows = r.json()
    assert [x["year"] for x in rows] == [2018, 2019, 2020, 2021, 2022]
    assert [x["status"] for x in rows[1:4]] == ["no_report"] * 3
    for x in (rows[0], rows[4]):
        _doc, value = gold[(code, x["year"])]
        assert x["value"] == value and x["key"] == NEW[x["year"]] and x["evidence"]
        # the link to the fact finds the file that holds the report: the first archive
        # served shows it, another file's report is one redirect away
        page = _get(client, x["fact_link"].split("#")[0])
        if x["year"] == 2022:
            assert page.status_code == 302
            assert "db=store-2022" in page.headers["location"]
            page = _get(client, page.headers["location"])
        assert page.status_code == 200 and name in page.text
    # the same answer as over one archive holding both years (but for the report ids)
    plain = out.parent / "all-years.db"
    shutil.copyfile(store, plain)
    build(sqlite_utils.Database(plain), progress=False)
    one_archive = make_datasette([plain])
    asyncio.run(one_archive.invoke_startup())
    same = _get(one_archive.client, f"/all-years/series.json?_shape=array&publisher="
                                    f"{quote(name)}&indicator=applications.new.total").json()

    def strip(rows):
        return [{k: v for k, v in x.items() if k not in ("report_id", "fact_link")}
                for x in rows]

    assert strip(rows) == strip(same)
    # the page of the query links each report and its evidence, the report page finds the file
    html = _get(client, f"/_memory/series?publisher={quote(name)}"
                        "&indicator=applications.new.total").text
    assert f'href="/-/xxgk/report/{rows[4]["report_id"]}"' in html and "?db=_memory" not in html
    assert "查看出处" in html
    # the same question on one file sees its own year only
    one = _get(client, f"/store-2022/series.json?_shape=array&publisher={quote(name)}"
                       "&indicator=applications.new.total").json()
    assert [x["year"] for x in one] == [2022]


def test_rankings_and_requests_over_years_across_files(built, client):
    _store, out, _summary, gold = built
    db = sqlite_utils.Database(per_year.year_files(out, "store")["2022"])
    city = db.execute("select city from publishers where level = '县/区' limit 1").fetchone()[0]
    for year in YEARS:
        rows = _get(client, f"/_memory/districts_ranked.json?_shape=array&city={quote(city)}"
                            f"&year={year}&key={NEW[year]}").json()
        expected = sorted((v for (_, y), (_, v) in gold.items() if y == year), reverse=True)
        assert [x["value"] for x in rows] == expected and len(rows) == 3
        assert all(str(x["report_id"]).startswith(str(year)) for x in rows)
    code = next(iter(gold))[0]
    name = db.execute("select name from publishers where division_code = ? and level = '县/区'",
                      [code]).fetchone()[0]
    rows = _get(client, f"/_memory/requests_over_years.json?_shape=array"
                        f"&publisher={quote(name)}").json()
    assert [(x["report_year"], x["new_requests"]) for x in rows] == [
        (y, gold[(code, y)][1]) for y in YEARS]


def test_per_file_aggregates_and_overlapping_archives_get_no_query_across(built, tmp_path):
    from archive import across

    _store, out, _summary, _gold = built
    files = per_year.year_files(out, "store")
    from archive.serve import _yaml

    cross = across.cross_queries(["a", "b"], [files["2018"], files["2022"]], _yaml("queries.yaml"))
    assert {"series", "districts_ranked", "requests_over_years"} <= set(cross)
    assert "missing_reports" not in cross and "search_reports" not in cross
    copy = tmp_path / "copy-2022.db"
    shutil.copyfile(files["2022"], copy)
    assert across.cross_queries(["a", "b"], [files["2022"], copy], _yaml("queries.yaml")) == {}
    assert across.per_year_files([files["2022"], copy]) == (False, False)
    # years built apart (ids from 1 in each): the queries across, but no report links
    store, _out, _summary, gold = built
    apart = [_plain_build(store, {d for (_, y), (d, _) in gold.items() if y == year},
                          tmp_path / f"apart-{year}.db") for year in YEARS]
    paths = [tmp_path / f"apart-{year}.db" for year in YEARS]
    for db in apart:
        db.close()
    assert across.per_year_files(paths) == (True, False)
    assert set(across.cross_queries(["a", "b"], paths, _yaml("queries.yaml"))) == set(cross)


def test_a_file_it_did_not_write_is_refused(built, tmp_path):
    """An archive of another build under a year's name would get ids that repeat."""
    store, _out, _summary, _gold = built
    out = tmp_path / "years"
    out.mkdir()
    plain = sqlite_utils.Database(out / "store-2018.db")
    from archive.schema import ensure_schema

    ensure_schema(plain)
    plain["reports"].insert({"key": "x/2018", "report_year": 2018})
    plain.close()
    result = CliRunner().invoke(cli, ["build", "--db", str(store), "--per-year", str(out)])
    assert result.exit_code == 2
    assert "not a file of `xxgk build --per-year`" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["store-2018.db"]
