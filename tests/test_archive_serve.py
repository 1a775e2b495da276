"""Datasette on the archive, through Datasette's own test client: saved queries, facets,
search, the report page, charts, exports, metadata, and escaping of scraped HTML."""

from __future__ import annotations

import asyncio
import json
import shutil
from urllib.parse import quote

import pytest
import sqlite_utils

from archive.build import build
from archive.serve import make_datasette, metadata, table_docs
from archive.store import add_document
from testkit.archives import corpus_archive

FILLER = "本机关严格落实《中华人民共和国政府信息公开条例》，持续推进决策、执行、管理、服务、结果公开。" * 6
HOSTILE = (
    "<html><head><title>恶意<script>alert('t')</script>淮安市淮阴区人民政府2022年政府信息公开工作年度报告"
    "</title></head><body><div class='TRS_Editor'>"
    "<p>淮安市淮阴区人民政府2022年政府信息公开工作年度报告</p>"
    "<p>一、总体情况</p><p>本年度收到政府信息公开申请12件"
    "&lt;script&gt;alert(1)&lt;/script&gt;，<img src=x onerror=alert(2)>行政复议0件。</p>"
    f"<p>{FILLER}</p>"
    f"<p>二、主动公开政府信息情况</p><p>主动公开政府信息100条。{FILLER}</p>"
    f"<p>三、收到和处理政府信息公开申请情况</p><p>{FILLER}</p>"
    f"<p>五、存在的主要问题及改进情况</p><p>恶意测试。{FILLER}</p>"
    "</div></body></html>"
)


@pytest.fixture(scope="module")
def client(corpus, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    path = corpus_archive(base, base / "serve" / "archive.db")
    db = sqlite_utils.Database(path)
    add_document(db, HOSTILE.encode(), url="javascript:alert(3)", media_type="text/html",
                 fetched_at="2024-01-05T00:00:00Z", publisher_hint="淮安市淮阴区人民政府")
    build(db, progress=False)
    db.close()
    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    return ds.client


def get(client, path: str):
    return asyncio.run(client.get(path))


def get_json(client, path: str):
    r = get(client, path)
    assert r.status_code == 200, (path, r.text[:500])
    return r.json()


def rows(client, query: str, **params) -> list[dict]:
    qs = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return get_json(client, f"/archive/{query}.json?_shape=array&{qs}")


def test_home_and_database_pages_list_the_saved_queries(client):
    home = get(client, "/")
    assert home.status_code == 200 and "政府信息公开工作年度报告档案" in home.text
    page = get(client, "/archive")
    for name in ("requests_over_years", "indicator_over_years", "districts_ranked",
                 "failing_checks", "missing_reports", "report_text_and_facts",
                 "search_sections", "search_reports"):
        assert f"/archive/{name}" in page.text
    defs = get(client, "/archive/indicators").text
    n_keys = get_json(client, "/archive/indicators.json?_shape=array&_size=max&_col=key")
    assert defs.count("</code> <small class=\"en\">") == len(n_keys) > 200  # the definitions, in the metadata
    assert "applications.new.total" in defs and "本年新收" in defs


def test_requests_over_years_spans_legacy_and_v2021(client):
    got = {r["report_year"]: r for r in rows(client, "requests_over_years",
                                             publisher="平潭综合实验区管理委员会")}
    assert got[2012]["new_requests"] == 0 and got[2012]["era"] == "legacy"
    assert got[2023]["new_requests"] == 81 and got[2023]["era"] == "v2021"


def test_indicator_over_years(client):
    got = rows(client, "indicator_over_years", publisher="洪泽区", key="applications.new.total")
    assert [(r["report_year"], r["value"], r["unit"]) for r in got] == [(2023, 21, "件"),
                                                                        (2024, 95, "件")]


def test_districts_of_a_city_ranked(client):
    got = rows(client, "districts_ranked", city="淮安市", year=2024, key="applications.new.total")
    assert [(r["rank"], r["county"], r["value"]) for r in got] == [(1, "洪泽区", 95)]
    assert rows(client, "districts_ranked", city="淮安市", year=2024, key="results.disclosed.total")


def test_failing_checks(client):
    every = rows(client, "failing_checks", rule="")
    assert every and all(r["report_id"] for r in every)
    rule = every[0]["rule"]
    one = rows(client, "failing_checks", rule=rule)
    assert one and {r["rule"] for r in one} == {rule}


def test_missing_reports_for_a_year(client):
    missing = {r["publisher"]: r for r in rows(client, "missing_reports", year=2017)}
    assert "平潭综合实验区管理委员会" in missing
    assert missing["平潭综合实验区管理委员会"]["years_in_archive"].startswith("2012, 2014")
    present = {r["publisher"] for r in rows(client, "missing_reports", year=2018)}
    assert "平潭综合实验区管理委员会" not in present


def test_full_text_with_facts(client):
    rid = rows(client, "requests_over_years", publisher="绿园区")[0]["report_id"]
    got = rows(client, "report_text_and_facts", report=rid)
    assert got[0]["kind"] == "text" and "政府信息公开" in got[0]["text_or_evidence"]
    facts = [r for r in got if r["kind"] == "fact"]
    assert any(r["key"] == "legacy.apply.received.total" and r["value"] == 24 for r in facts)


def test_search_sections_and_reports(client):
    hits = rows(client, "search_sections", q="信息处理费")
    assert hits and all("信息处理费" in h["excerpt"].replace(" ", "") for h in hits)
    assert rows(client, "search_reports", q="复议")


def test_datasette_search_box_uses_chinese_search(client):
    got = get_json(client, "/archive/sections.json?_search=复议&_shape=array&_size=max&_col=text")
    assert got and all("复议" in "".join(r["text"].split()) for r in got)
    page = get(client, "/archive/sections?_search=依申请公开")
    assert page.status_code == 200 and 'name="_search"' in page.text
    reports = get_json(client, "/archive/reports.json?_search=信息处理费&_shape=array&_col=key")
    assert reports


def test_search_pages_skip_the_match_count_unless_asked(client):
    """The count of a search's matches is what makes a common word slow on a national
    archive; search pages leave it out, and &_count=1 brings it back."""
    url = "/archive/sections.json?_search=复议&_col=text"
    plain = get_json(client, url)
    counted = get_json(client, url + "&_count=1")
    assert plain["rows"] and plain["rows"] == counted["rows"]
    assert plain["filtered_table_rows_count"] is None
    assert counted["filtered_table_rows_count"] == len(counted["rows"]) > 0
    browse = get_json(client, "/archive/sections.json?_col=text&_size=1")  # not a search
    assert browse["filtered_table_rows_count"] > 1


def test_facets(client):
    data = get_json(client, "/archive/report_values.json?_facet=report_year&_facet=province"
                    "&_facet=city&_facet=level&_facet=era")
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    assert {"report_year", "province", "city", "level", "era"} <= set(facets)
    cities = {v["value"]: v["count"] for v in facets["city"]["results"]}
    assert cities["福州市"] >= 11 and cities["淮安市"] >= 3


def test_report_page(client):
    rid = rows(client, "requests_over_years", publisher="淮安市洪泽区")[0]["report_id"]
    page = get(client, f"/-/xxgk/report/{rid}")
    assert page.status_code == 200
    text = page.text
    assert "章节" in text and "总体情况" in text
    assert "未通过的核对" in text and "xxgk-failed" in text  # 洪泽区 2023 fails a check
    assert "/-/xxgk/raw/" in text and "出处" in text
    assert get(client, "/-/xxgk/report/999999").status_code == 404


def test_report_page_links_original_url(client):
    rid = rows(client, "requests_over_years", publisher="平潭综合实验区管理委员会")[0]["report_id"]
    page = get(client, f"/-/xxgk/report/{rid}").text
    assert 'href="https://www.pingtan.gov.cn/' in page


def test_raw_document_is_a_download(client):
    doc = rows(client, "requests_over_years", publisher="绿园区")[0]["report_id"]
    report = get_json(client, f"/archive/reports/{doc}.json?_shape=array")[0]
    r = get(client, f"/-/xxgk/raw/{report['document_id']}")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "2018年政府信息公开年度报告" in r.content.decode("utf-8")


def test_charts(client):
    trend = get(client, "/-/xxgk/chart?publisher=平潭综合实验区&key=applications.new.total")
    assert trend.status_code == 200 and "<svg" in trend.text and "<polyline" in trend.text
    bars = get(client, "/-/xxgk/chart?city=淮安市&year=2024&key=applications.new.total")
    assert "<rect" in bars.text and "洪泽区" in bars.text


def test_json_and_csv_exports(client):
    csv_text = get(client, "/archive/report_values.csv?_size=max").text
    assert csv_text.splitlines()[0].startswith("report_id,report_key")
    assert "new_requests" in csv_text.splitlines()[0]
    data = get_json(client, "/archive/facts.json?key=applications.new.total&_shape=array")
    assert data and {"value", "evidence", "unit"} <= set(data[0])


def test_scraped_html_is_escaped_everywhere(client):
    rid = get_json(client, "/archive/reports.json?_search=恶意&_shape=array&_col=id")
    assert rid, "the hostile page is archived as a report"
    rid = rid[0]["id"]
    pages = [
        f"/-/xxgk/report/{rid}",
        f"/archive/reports/{rid}",
        "/archive/sections?_search=收到政府信息公开申请12件",
        "/archive/search_sections?q=" + quote("12件"),
        f"/archive/report_text_and_facts?report={rid}",
        "/archive/reports?_search=恶意",
    ]
    for path in pages:
        page = get(client, path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "<img src=x" not in page.text, path
        assert "&lt;script&gt;alert" in page.text, path
    report = get(client, f"/-/xxgk/report/{rid}").text
    assert 'href="javascript:' not in report  # a scraped javascript: URL is not a link


def test_every_column_has_a_description(tmp_path):
    db = sqlite_utils.Database(tmp_path / "archive.db")
    from archive.schema import ensure_schema

    ensure_schema(db)
    docs = table_docs()
    for name in [*db.table_names(), *db.view_names()]:
        if "_fts" in name:
            continue
        described = docs[name]["columns"]
        columns = db[name].columns_dict
        assert set(columns) == set(described), name
        assert all(described[c] for c in columns), name
    meta = metadata("archive")
    assert meta["databases"]["archive"]["tables"]["sections"]["fts_table"] == "sections_fts"
    assert json.dumps(meta)  # serialisable as Datasette metadata


def test_report_numbers_link_to_the_report_page(client):
    page = get(client, "/archive/facts?key=applications.new.total")
    assert page.status_code == 200 and "/-/xxgk/report/" in page.text


def test_a_crawler_archive_in_wal_mode_is_served_complete(corpus, tmp_path):
    path = tmp_path / "crawl.db"
    db = sqlite_utils.Database(path)
    db.execute("pragma journal_mode=wal")
    add_document(db, (corpus / "reports" / "000_changchun-luyuan_2018.txt").read_bytes(),
                 url="http://www.luyuan.gov.cn/nb/2018.html", fetched_at="2019-03-15T00:00:00Z")
    build(db, progress=False)  # db stays open: its writes may sit in the WAL file
    ds = make_datasette(path)  # immutable: the WAL is folded in first
    asyncio.run(ds.invoke_startup())
    got = asyncio.run(ds.client.get("/crawl/reports.json?_shape=array&_col=key")).json()
    assert [r["key"] for r in got] == ["吉林省长春市绿园区人民政府/2018"]
    db.close()


TESTED_QUERIES = {
    "series": {"publisher": "平潭综合实验区管委会", "indicator": "applications.new.total"},
    "contradictions": {"rule": ""},
    "unread_checks": {"rule": ""},
    "requests_over_years": {"publisher": "绿园区"},
    "indicator_over_years": {"publisher": "洪泽区", "key": "applications.new.total"},
    "districts_ranked": {"city": "淮安市", "year": 2024, "key": "applications.new.total"},
    "failing_checks": {"rule": ""},
    "missing_reports": {"year": 2017},
    "report_text_and_facts": {"report": 1},
    "search_sections": {"q": "复议"},
    "search_reports": {"q": "复议"},
}


def test_every_saved_query_is_tested_and_answers(client):
    from archive.serve import _yaml

    assert set(_yaml("queries.yaml")) == set(TESTED_QUERIES)
    for name, params in TESTED_QUERIES.items():
        assert rows(client, name, **params), name
        assert get(client, f"/archive/{name}.csv?" + "&".join(
            f"{k}={quote(str(v))}" for k, v in params.items())).status_code == 200


def test_archives_of_several_years_are_served_together(corpus, tmp_path, tmp_path_factory):
    """Per-year archives (docs/performance.md, "Beyond one machine") are served side by side:
    each with its saved queries, SQL across them on _memory, and report pages, raw
    documents and report links that stay on the archive they came from."""
    first = corpus_archive(tmp_path_factory.getbasetemp(), tmp_path / "archive-2023.db")
    second = tmp_path / "archive-2024.db"
    shutil.copyfile(first, second)
    db = sqlite_utils.Database(second)  # the second year holds one report fewer
    gone = db.execute("select id from reports order by id desc limit 1").fetchone()[0]
    for table in ("sections", "facts", "checks", "report_indicator_values", "report_documents"):
        db.execute(f"delete from [{table}] where report_id = ?", [gone])
    db.execute("delete from reports where id = ?", [gone])
    db.conn.commit()
    n = db.execute("select count(*) from reports").fetchone()[0]
    db.close()
    ds = make_datasette([first, second])
    asyncio.run(ds.invoke_startup())
    client = ds.client
    sql = ("select (select count(*) from [archive-2023].reports) as a, "
           "(select count(*) from [archive-2024].reports) as b")
    got = get_json(client, f"/_memory.json?_shape=array&sql={quote(sql)}")
    assert got == [{"a": n + 1, "b": n}]
    for name in ("archive-2023", "archive-2024"):
        assert get_json(client, f"/{name}/failing_checks.json?_shape=array") is not None
    assert get(client, f"/-/xxgk/report/{gone}").status_code == 200  # the first archive
    assert get(client, f"/-/xxgk/report/{gone}?db=archive-2024").status_code == 404
    other = get_json(client, "/archive-2024/reports.json?_shape=array&_size=1")[0]["id"]
    page = get(client, f"/-/xxgk/report/{other}?db=archive-2024")
    assert page.status_code == 200 and "/-/xxgk/raw/" in page.text
    assert "?db=archive-2024" in page.text  # its raw-document links stay on that archive
    facts = "/facts?key=applications.new.total&_size=max"
    assert "?db=archive-2024\"" in get(client, "/archive-2024" + facts).text
    assert "?db=" not in get(client, "/archive-2023" + facts).text
    assert get(client, "/-/xxgk/report/1?db=_memory").status_code == 404
