"""Discovery rules on the demo website's pages and on small hand-written cases (no network)."""

from __future__ import annotations

from scraper import discover
from xxgk import settings

WWW = settings.DEMO_SITE_DIR / "www"
BASE = "http://127.0.0.1:9"


def read(rel: str) -> str:
    return (WWW / rel).read_text(encoding="utf-8")


def by_kind(links: list[discover.Link], kind: str) -> list[discover.Link]:
    return [link for link in links if link.kind == kind]


def test_trs_listing_reports_notice_and_create_page_html() -> None:
    links = discover.listing_links(read("zfxxgk/zfxxgknb/index.html"), f"{BASE}/zfxxgk/zfxxgknb/")
    reports = by_kind(links, "report")
    assert [(r.url.removeprefix(BASE), r.year, r.publisher) for r in reports] == [
        ("/zfxxgk/zfxxgknb/202403/t20240308_2003.html", 2023, "云溪县人民政府"),
        ("/zfxxgk/zfxxgknb/202402/t20240129_2001.html", 2023, "云溪县交通运输局"),
        ("/private/zfxxgknb/t20240101_9999.html", 2023, "云溪县人民政府"),
    ]
    skipped = by_kind(links, "skipped")
    assert [s.title for s in skipped] == ["云溪县2024年政务公开工作要点"]
    assert "工作要点" in skipped[0].reason
    # createPageHTML(3, 0, "index", "html") names index_1 and index_2; index.html is this page
    assert [p.url.removeprefix(BASE) for p in by_kind(links, "pager")] == [
        "/zfxxgk/zfxxgknb/index_1.html", "/zfxxgk/zfxxgknb/index_2.html"]


def test_hanweb_listing_reads_records_inside_script_and_page_num_pager() -> None:
    url = f"{BASE}/col/col1229001/index.html"
    links = discover.listing_links(read("col/col1229001/index.html"), url)
    assert [(r.url.removeprefix(BASE), r.year) for r in by_kind(links, "report")] == [
        ("/art/2024/1/20/art_1229001_5001.html", 2023), ("/art/2023/1/18/art_1229001_4001.html", 2022)]
    pagers = [p.url.removeprefix(BASE) for p in by_kind(links, "pager")]
    assert "/col/col1229001/index.html?uid=5001&pageNum=2" in pagers


def test_jiyuehua_listing_next_page_link_and_pdf_named_by_title() -> None:
    links = discover.listing_links(read("xxgk/xxgknb/index.html"), f"{BASE}/xxgk/xxgknb/")
    reports = by_kind(links, "report")
    assert len(reports) == 3
    pdf = reports[2]
    assert pdf.url.endswith(".pdf") and discover.is_attachment_url(pdf.url)
    assert (pdf.year, pdf.publisher) == (2023, "云溪县教育局")
    assert [p.url.removeprefix(BASE) for p in by_kind(links, "pager")] == ["/xxgk/xxgknb/index_2.html"]


def test_query_string_pager_of_a_hand_made_page() -> None:
    links = discover.listing_links(read("sjj/gknb.html"), f"{BASE}/sjj/gknb.html")
    assert [p.url for p in by_kind(links, "pager")] == [f"{BASE}/sjj/gknb.html?page=2"]
    (report,) = by_kind(links, "report")
    assert (report.title, report.year, report.publisher) == (
        "云溪县审计局2023年度信息公开年报", 2023, "云溪县审计局")


def test_detail_page_pdfjs_viewer_file_parameter() -> None:
    url = f"{BASE}/zfxxgk/zfxxgknb/202403/t20240308_2003.html"
    (att,) = discover.detail_links(read("zfxxgk/zfxxgknb/202403/t20240308_2003.html"), url)
    assert att.url == f"{BASE}/zfxxgk/zfxxgknb/202403/P020240308512345.pdf"


def test_detail_page_attachment_link_and_encoded_viewer_url() -> None:
    html = ('<a href="/module/download/downfile.jsp?filename=a.wps">附件：报告.wps</a>'
            '<iframe src="/pdfjs/web/viewer.html?file=%2Fupload%2F2024%2Fnb.pdf"></iframe>'
            '<a href="/zwgk/list.html">返回列表</a><a href="W020240101.docx">下载</a>')
    urls = [a.url for a in discover.detail_links(html, "http://x.gov.cn/art/1.html")]
    assert urls == ["http://x.gov.cn/module/download/downfile.jsp?filename=a.wps",
                    "http://x.gov.cn/art/W020240101.docx", "http://x.gov.cn/upload/2024/nb.pdf"]


def test_titles_years_and_publishers() -> None:
    assert discover.report_year("二〇二三年度政府信息公开工作年度报告") == 2023
    assert discover.report_year("政府信息公开工作年度报告") is None
    assert discover.title_publisher("《北京市西城区政务服务管理局2023年政府信息公开工作年度报告》") == (
        "北京市西城区政务服务管理局")
    assert discover.title_publisher("关于2023年政府信息公开工作年度报告") is None
    assert discover.classify_title("2023年政府信息公开工作年度报告")[0]
    assert discover.classify_title("市政府办公室2021年度政府信息公开工作报告")[0]
    assert not discover.classify_title("关于印发2024年政务公开工作要点的通知")[0]
    assert not discover.classify_title("2023年部门预算公开")[0]


def test_stub_pages() -> None:
    assert discover.is_stub("对不起，该信息已删除或不存在！ 返回首页") == "该信息已删除"
    assert discover.is_stub("一、总体情况 " * 50) is None


def test_links_off_the_listing_column_are_not_pagers() -> None:
    html = ('<a href="http://mirror.example/zfxxgknb/index_1.html">下一页</a>'
            '<a href="/other/index_2.html">2</a><a href="index_3.html">3</a>')
    links = discover.listing_links(html, "http://x.gov.cn/zwgk/nb/index.html")
    assert [link.url for link in links] == ["http://x.gov.cn/zwgk/nb/index_3.html"]
