"""Honest imports, the parser's half: what is an annual report and what is not, with the reason.

The reference documents of the corpus (notices about the reports, the blank 2021 template, a
ruling of the State Council's disclosure office, a statistics form) are not reports; every
report, excerpt and dev excerpt is one, titles missing or not. A report wrongly refused loses
all its numbers, so realistic report shapes that look like other things are tested too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parser.pipeline import parse_bytes

REFERENCE_REASONS = {
    "dingxi-statistics-form_pre2019_excerpt.txt":
        "title names another kind of document (报表): 定西市政府信息公开情况统计报表",
    "format-2021-notice_excerpt.txt":
        "title names another kind of document (通知): 国务院办公厅政府信息与政务公开办公室关于印发"
        "《中华人民共和国政府信息公开工作年度报告格式》的通知",
    "guoban-2016-201-litigation-counting.txt": "a letter or directive (收悉, 现答复如下)",
    "putian-2009-notice-appendix_excerpt.txt":
        "title names another kind of document (通知): 莆田市人民政府办公室关于做好2009年度"
        "政府信息公开工作年度报告有关事项的通知",
    "template-2021_blank.docx": "a blank template (（文字描述）; no figures filled in)",
}


def parse_file(path: Path):
    return parse_bytes(path.read_bytes(), str(path))


@pytest.mark.parametrize("name", sorted(REFERENCE_REASONS))
def test_reference_documents_are_not_reports(corpus, name):
    result = parse_file(corpus / "reference" / name)
    assert result.error is None
    assert (result.is_report, result.not_report_reason) == (False, REFERENCE_REASONS[name])


def test_every_reference_document_has_its_expected_reason(corpus):
    assert {p.name for p in (corpus / "reference").iterdir()} == set(REFERENCE_REASONS)


def test_every_report_and_excerpt_of_the_corpus_is_a_report(corpus):
    paths = sorted((corpus / "reports").iterdir()) + sorted((corpus / "excerpts").iterdir())
    refused = {p.name: parse_file(p).not_report_reason for p in paths}
    assert len(refused) == 22
    assert {k: v for k, v in refused.items() if v} == {}


def test_every_dev_excerpt_is_a_report(corpus):
    """40 real report excerpts, many without their title (d27, d33, d36 start at 一、总体情况;
    d34, d39 open with a sentence naming the 2021 format notice)."""
    paths = sorted((corpus / "dev" / "raw").glob("*.txt"))
    assert len(paths) == 40
    refused = {p.name: parse_file(p).not_report_reason for p in paths}
    assert {k: v for k, v in refused.items() if v} == {}


def reason(text: str, name: str = "doc.txt") -> str | None:
    result = parse_bytes(text.encode("utf-8"), name)
    assert result.error is None
    return result.not_report_reason


LISTING = """<html><head><title>政府信息公开年报_云溪县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<div class="list"><ul>
<li><a href="t1.html">云溪县人民政府2023年政府信息公开工作年度报告</a><span>2024-03-08</span></li>
<li><a href="t2.html">云溪县交通运输局2023年政府信息公开工作年度报告</a><span>2024-01-29</span></li>
<li><a href="t3.html">云溪县财政局2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li>
<li><a href="t4.html">云溪县人民政府2022年政府信息公开工作年度报告</a><span>2023-03-10</span></li>
<li><a href="t5.html">云溪县教育局2022年政府信息公开工作年度报告</a><span>2023-01-30</span></li>
<li><a href="t6.html">云溪县人民政府2021年政府信息公开工作年度报告</a><span>2022-03-15</span></li>
</ul></div></body></html>"""


def test_a_listing_page_is_not_a_report():
    assert reason(LISTING, "index.html") == "a listing page (6 dated links)"


def test_a_page_of_menus_only_is_empty():
    page = ("<html><head><title>云溪县人民政府</title></head><body><div class='nav'>"
            "<a href='/'>首页</a><a href='/zwgk/'>政务公开</a><a href='/hdjl/'>互动交流</a></div>"
            "<div class='footer'>版权所有：云溪县人民政府办公室 网站标识码 1234567890</div>"
            "</body></html>")
    assert reason(page, "chrome.html") == (
        "empty text (nothing but the site's menus, or no text at all)")


RULING = """北京市第一中级人民法院
行政判决书
（2020）京01行终123号
上诉人（原审原告）张某，男，住北京市朝阳区。
被上诉人（原审被告）北京市某区人民政府。
上诉人张某因政府信息公开一案，不服北京市某区人民法院（2019）京0105行初456号行政判决，向本院提起上诉。
本院认为，根据《中华人民共和国政府信息公开条例》第三十六条的规定，被上诉人已就申请人申请公开的信息作出答复，答复内容并无不当。
综上，判决如下：驳回上诉，维持一审判决。
审判长 王某
审判员 李某
书记员 赵某
"""


def test_a_court_ruling_on_a_disclosure_case_is_not_a_report():
    assert reason(RULING) == "a court or review ruling (本院认为, 判决如下, 审判长)"


def test_a_government_work_report_is_not_a_disclosure_report():
    text = ("2023年云溪县人民政府工作报告\n——2024年1月10日在云溪县第十八届人民代表大会第三次会议上\n"
            "各位代表：现在，我代表县人民政府向大会报告工作，请予审议。\n一、2023年工作回顾\n"
            + "全县地区生产总值增长5.2%，一般公共预算收入完成12.3亿元，新增城镇就业3200人。" * 6)
    assert reason(text) == ("not about government information disclosure "
                            "(no 信息公开 or 政务公开 in its opening)")


def test_a_work_plan_named_in_its_page_title_is_not_a_report():
    page = ("<html><head><title>云溪县2024年政务公开工作要点_云溪县人民政府</title></head><body>"
            "<div class='article'><h1>云溪县2024年政务公开工作要点</h1><p>"
            + "一、加强政策解读。做好政务公开工作，推进政府信息公开标准化规范化建设。" * 8
            + "</p></div></body></html>")
    assert reason(page, "gzyd.html") == (
        "title names another kind of document (工作要点): 云溪县2024年政务公开工作要点")


def test_a_blank_template_with_placeholder_years_is_not_a_report():
    text = ("20XX年度政府信息公开工作年度报告\n一、总体情况\n（文字描述）\n二、主动公开政府信息情况\n"
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | | |\n行政规范性文件 | | |\n"
            "三、收到和处理政府信息公开申请情况\n本年新收政府信息公开申请数量 | | |\n"
            "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n（文字描述）\n")
    assert reason(text) == "a blank template (（文字描述）, 20XX年; no figures filled in)"


FILLED_BODY = ("一、总体情况\n2023年，本局主动公开政府信息105条，其中政策文件12件。\n"
               "二、主动公开政府信息情况\n通过门户网站发布信息93条，政策解读8篇。\n"
               "三、收到和处理政府信息公开申请情况\n本年新收政府信息公开申请4件，已全部按期答复，"
               "申请收悉后均在15个工作日内答复。\n四、政府信息公开行政复议、行政诉讼情况\n"
               "本年度未发生行政复议和行政诉讼。\n五、存在的主要问题及改进情况\n"
               + "进一步规范公开内容，提升公开质量，加强平台建设。" * 10)


def test_a_report_issued_by_a_notice_stays_a_report():
    """Some governments publish the report as the body of an 印发 notice: its sections and
    figures win over the notice's name and phrases."""
    text = ("云溪县人民政府办公室关于印发云溪县2023年政府信息公开工作年度报告的通知\n"
            "各乡镇人民政府，县直各单位：\n现将《云溪县2023年政府信息公开工作年度报告》印发给你们，"
            "请认真贯彻执行。\n" + FILLED_BODY)
    assert reason(text) is None


def test_a_report_page_titled_with_its_column_stays_a_report():
    page = ("<html><head><title>通知公告</title></head><body><div class='article'>"
            + "".join(f"<p>{line}</p>" for line in FILLED_BODY.splitlines())
            + "</div></body></html>")
    assert reason(page, "t20240130_1.html") is None


def test_an_excerpt_without_title_or_intro_stays_a_report():
    """The first page of a flipbook or an excerpt cut after the title: a reply 收悉 in the
    requests section is not a letter's."""
    assert reason(FILLED_BODY) is None
    excerpt = ("三、收到和处理政府信息公开申请情况\n本年新收政府信息公开申请4件，申请收悉后"
               "均在15个工作日内答复，予以公开3件，不予公开1件。" + "答复及时规范。" * 40)
    assert reason(excerpt) is None
