"""Title, publisher, report year, format era and the not-a-report flag."""

import pytest

from parser.metadata import detect_format, extract_metadata
from parser.model import Document
from parser.sections import find_sections


def meta_of(text: str, **meta):
    doc = Document(
        source="t", kind="text", text=text, offsets=list(range(len(text))), raw=text, meta=meta
    )
    return extract_metadata(doc, find_sections(text))


def test_year_reported_on_not_year_published():
    m = meta_of(
        "2018年政府信息公开年度报告\n发布日期:2019-03-15\n特向社会公布2018年绿园区政府信息公开工作年度报告。"
        + "正文。" * 100
    )
    assert (m["publisher"], m["report_year"], m["published"]) == ("绿园区", 2018, "2019-03-15")


@pytest.mark.parametrize(
    ("title", "publisher", "year"),
    [
        ("平潭县人民政府2011年政府信息公开工作年度报告", "平潭县人民政府", 2011),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
        ("洪泽区人民政府\n2023 年政府信息公开工作年度报告", "洪泽区人民政府", 2023),
        ("平潭综合实验区地方税务局2013年信息公开年度报告", "平潭综合实验区地方税务局", 2013),
    ],
)
def test_publisher_and_year_from_title(title, publisher, year):
    m = meta_of(title + "\n" + "正文。" * 100)
    assert (m["publisher"], m["report_year"]) == (publisher, year)


def test_year_from_statistics_period_when_title_has_none():
    m = meta_of(
        "政府信息公开工作年度报告\n本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。"
        + "正文。" * 100
    )
    assert m["report_year"] == 2020


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "关于做好2020年政府信息公开工作年度报告编制工作的通知\n各单位：请于1月31日前报送。"
            + "正文。" * 100,
            "title names another kind",
        ),
        ("2021年政务公开工作要点\n一、加强政策解读。" + "正文。" * 100, "title names another kind"),
        ("页面不存在或该信息已删除", "deleted"),
        ("", "empty"),
    ],
)
def test_documents_that_are_not_reports(text, reason):
    m = meta_of(text)
    assert m["is_report"] is False
    assert reason in m["not_report_reason"]


def test_format_is_decided_by_the_tables():
    assert detect_format("", {"v2021"}) == "v2021"
    assert detect_format("", {"v2021", "v2019"}) == "mixed"
    assert detect_format("信息内容 本年制发件数 本年废止件数", set()) == "v2021"
    assert detect_format("信息内容 本年新制作数量 本年新公开数量", set()) == "v2019"
    assert detect_format("收到申请24件。", set(), 2018) == "legacy"
    assert detect_format("行政复议 未经复议直接起诉 复议后起诉", set(), 2020) == "v2019"
