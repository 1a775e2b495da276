"""The pages a journalist opens speak Chinese first (a scan lists any English-only text left),
the home page leads with search, questions and coverage, the reports table reads well, and
every CSV link has an Excel-ready twin (UTF-8 with BOM) beside the plain CSV."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

import lxml.html
import pytest
import sqlite_utils

from archive.serve import make_datasette
from testkit.archives import corpus_archive

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that are names, not interface language: formats and file types, the software, units.
ALLOWED = {"CSV", "JSON", "SQL", "SQLite", "Excel", "UTF", "BOM", "Datasette", "PDF", "HTML",
           "DOCX", "GB", "Apache", "ISO", "ms"}
# Where English is data or a secondary label: code and SQL, the English names kept beside the
# Chinese ones (class "en"), data cells of result tables and facet values, scripts and styles.
SKIP_XPATH = ("//script | //style | //code | //pre | //textarea | //*[contains(@class, 'en')]"
              " | //table[contains(@class, 'rows-and-columns')]//td"
              " | //div[contains(@class, 'facet-info')]//li | //option")


def english_only(html: str) -> list[str]:
    """Text a reader sees that has Latin words and no Chinese at all."""
    doc = lxml.html.fromstring(html)
    for el in doc.xpath(SKIP_XPATH):
        el.drop_tree() if el.getparent() is not None else None
    found = []
    for text in doc.xpath("//body//text()"):
        t = " ".join(text.split())
        if not t or CJK.search(t):
            continue
        words = [w for w in LATIN_WORD.findall(t) if w not in ALLOWED]
        if words:
            found.append(t)
    return found


@pytest.fixture(scope="module")
def served(corpus, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    path = corpus_archive(base, base / "pages" / "archive.db")
    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    rid = sqlite_utils.Database(path).execute(
        "select id from reports where key = '江苏省淮安市洪泽区人民政府/2023'").fetchone()[0]
    return ds.client, rid


def get(client, path: str):
    r = asyncio.run(client.get(path))
    assert r.status_code == 200, (path, r.text[:300])
    return r


def pages(rid: int) -> list[str]:
    pingtan = quote("平潭综合实验区管理委员会")
    return [
        "/", "/archive", "/archive/reports", "/archive/report_values", "/archive/headline_values",
        "/archive/check_failures", "/archive/failed_checks", "/archive/indicator_values",
        "/archive/publisher_identity", "/archive/concordance", "/archive/indicators",
        "/archive/facts?report_id=1", f"/archive/reports/{rid}",
        f"/archive/series?publisher={pingtan}&indicator=applications.new.total",
        "/archive/contradictions?rule=", "/archive/unread_checks?rule=",
        f"/archive/requests_over_years?publisher={pingtan}",
        "/archive/districts_ranked?city=" + quote("淮安市") + "&year=2024&key=applications.new.total",
        "/archive/missing_reports?year=2022", "/archive/search_reports?q=" + quote("复议"),
        "/archive/sections?_search=" + quote("复议"),
        f"/-/xxgk/report/{rid}", f"/-/xxgk/report/{rid}?fact=3",
        f"/-/xxgk/chart?publisher={pingtan}&key=applications.new.total",
        "/-/xxgk/chart?publisher=" + quote("平潭") + "&key=applications.new.total",
        "/-/xxgk/chart?publisher=" + quote("无此单位") + "&key=applications.new.total",
        "/-/xxgk/chart?city=" + quote("淮安市") + "&year=2024&key=applications.new.total",
        "/-/xxgk/chart",
    ]


def test_no_english_only_text_on_the_pages_a_journalist_opens(served):
    client, rid = served
    left = {}
    for path in pages(rid):
        found = english_only(get(client, path).text)
        if found:
            left[path] = found
    assert not left, f"English-only text left on the pages: {left}"


def test_the_scan_catches_english(served):
    assert english_only("<html><body><p>Next page</p><p>下一页</p></body></html>") == [
        "Next page"]


def test_home_page_leads_with_search_questions_and_coverage(served):
    client, _ = served
    home = get(client, "/").text
    order = [home.index(s) for s in ("在全部报告中搜索", "<h2>常用问题", "<h2>档案覆盖情况",
                                     "<h2>数据表")]
    assert order == sorted(order)
    assert 'action="/archive/search_reports"' in home
    for title in ("某单位历年收到的申请数", "某市各区县某年的排名", "哪些报告自相矛盾"):
        assert title in home
    assert "共 22 份报告" in home  # the 16 reports and 6 excerpts of the corpus
    row = re.search(r'report_year=2024">2024</a></td><td>(\d+)</td><td>([^<]+)</td>', home)
    assert row and row.groups() == ("3", "mixed 1，v2021 2")  # 洪泽区; 淮安市, 平潭


def test_chart_says_when_a_name_matches_several_publishers_or_none(served):
    client, _ = served
    several = get(client, "/-/xxgk/chart?publisher=" + quote("平潭")).text
    assert "对应 3 个不同的单位" in several and "xxgk-chart" not in several
    for name in ("平潭综合实验区管理委员会", "福建省福州市平潭县人民政府", "平潭综合实验区地方税务局"):
        assert name in several
    none = get(client, "/-/xxgk/chart?publisher=" + quote("无此单位")).text
    assert "没有找到" in none and "xxgk-chart\"" not in none
    one = get(client, "/-/xxgk/chart?publisher=" + quote("平潭综合实验区管委会")
              + "&key=applications.new.total").text
    assert "<svg" in one and "本年新收" in one and "（件）" not in one.split("<svg")[0][-5:]
    assert one.count('class="xxgk-gap"') >= 5  # 2013, 2014, 2015, 2017, 2022: gaps, not zeros
    assert "无报告" in one and "applications.new.total" in one


def test_reports_table_reads_well(served):
    client, rid = served
    page = get(client, "/archive/reports").text
    assert 'data-column="text"' not in page  # the whole text stays on the report page
    years = re.findall(r'class="col-report_year type-int">(\d{4})<', page)
    assert years and years == sorted(years, reverse=True)  # newest first
    assert f'href="/-/xxgk/report/{rid}"' in page
    assert "facet-archive-reports-era" in page and "facet-archive-reports-report_year" in page
    # programs still get every column, and a search keeps its own order
    full = get(client, "/archive/reports.json?_shape=array&_size=1").json()
    assert "text" in full[0]
    assert get(client, "/archive/reports?_search=" + quote("复议")).status_code == 200


def test_every_csv_link_has_an_excel_twin_with_a_bom(served):
    client, _ = served
    for path in ("/archive/report_values", "/archive/contradictions?rule="):
        page = get(client, path).text
        excel = re.search(r'class="xxgk-excel" href="([^"]+)"', page)[1].replace("&amp;", "&")
        assert "_bom=1" in excel
        got = get(client, excel)
        assert got.content.startswith(b"\xef\xbb\xbf"), path
        assert "attachment" in got.headers.get("content-disposition", "")
        plain = get(client, excel.replace("_bom=1", "_bom=0").replace("&_dl=1", ""))
        assert got.content[3:] == plain.content  # the same CSV, only the BOM in front
        assert not plain.content.startswith(b"\xef\xbb\xbf")
        assert "发布单位" not in got.content.decode("utf-8-sig").splitlines()[0]  # column names
