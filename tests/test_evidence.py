"""Evidence beside every value: the values views and every saved query that returns values give
the sentence or table cell a value was read from and a link to the report page at that fact,
where the page highlights it."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

import pytest
import sqlite_utils

from archive import headline
from archive.serve import make_datasette
from testkit.archives import corpus_archive


@pytest.fixture(scope="module")
def path(corpus, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    return corpus_archive(base, base / "evidence" / "archive.db")


@pytest.fixture(scope="module")
def client(path):
    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    return ds.client


def every_row(path, sql: str) -> list[dict]:
    db = sqlite_utils.Database(path)
    return [dict(r) for r in db.query(sql)]


def get(client, path: str):
    return asyncio.run(client.get(path))


def rows(client, path: str) -> list[dict]:
    r = get(client, path + ("&" if "?" in path else "?") + "_shape=array&_size=max")
    assert r.status_code == 200, (path, r.text[:500])
    return r.json()


def test_every_canonical_value_has_its_evidence_and_link(path):
    got = every_row(path, "select * from indicator_values")
    assert len(got) > 1500
    for r in got:
        assert r["evidence"], r
        assert r["fact_link"].startswith(f"/-/xxgk/report/{r['report_id']}"), r
    linked = [r for r in got if "?fact=" in r["fact_link"]]
    assert len(linked) >= 0.9 * len(got)  # the rest were derived: their note says how
    cell = next(r for r in got if r["key"] == "applications.new.total"
                and r["publisher"] == "江苏省淮安市人民政府")
    assert cell["value"] == 3119
    assert cell["evidence"] == "表三：一、本年新收政府信息公开申请数量 × 总计 = 3119"


def test_every_headline_value_has_its_evidence(path):
    got = every_row(path, "select * from report_values")
    n = 0
    for r in got:
        for col in headline.columns():
            if r[col.name] is not None:
                n += 1
                assert r[col.evidence_name], (r["report_key"], col.name)
            else:  # no evidence for a value that is not there
                assert r[col.evidence_name] is None, (r["report_key"], col.name)
    assert n > 100


QUERIES = {
    "series": {"publisher": "平潭综合实验区管理委员会", "indicator": "applications.new.total"},
    "indicator_over_years": {"publisher": "平潭综合实验区", "key": "legacy.active.total"},
    "districts_ranked": {"city": "淮安市", "year": 2024, "key": "applications.new.total"},
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_saved_queries_return_evidence_and_link(client, name):
    qs = "&".join(f"{k}={quote(str(v))}" for k, v in QUERIES[name].items())
    got = rows(client, f"/archive/{name}.json?{qs}")
    valued = [r for r in got if r["value"] is not None]
    assert valued, name
    for r in valued:
        assert r["evidence"] and "?fact=" in r["fact_link"], (name, r)


def test_requests_over_years_gives_each_value_its_evidence(client):
    got = rows(client, "/archive/requests_over_years.json?publisher=" + quote("平潭综合实验区"))
    assert got
    for r in got:
        for col in ("new_requests", "results_total", "review_total", "litigation_total"):
            if r[col] is not None:
                assert r[f"{col}_evidence"], (r["report_year"], col)


def test_the_report_page_highlights_the_linked_fact(client):
    r = rows(client, "/archive/series.json?publisher=" + quote("平潭综合实验区管理委员会")
             + "&indicator=applications.new.total")
    year2016 = next(x for x in r if x["year"] == 2016)
    page = get(client, year2016["fact_link"].split("#")[0])
    assert page.status_code == 200
    seq = re.search(r"fact=(\d+)", year2016["fact_link"])[1]
    assert f'<tr id="fact-{seq}" class="xxgk-hl">' in page.text
    assert "您要核对的数字" in page.text
    marked = re.findall(r'<mark class="xxgk-hl">(.*?)</mark>', page.text)
    assert marked and all("未收到" in m or m.strip() for m in marked)
    assert 'id="section-highlight"' in page.text  # its section is open, the number marked
    assert "xxgk-hl" not in get(client, year2016["fact_link"].split("?")[0]).text.replace(
        ".xxgk-hl", "")
