"""Plain text documents: the crawled page.txt form, pages copied as text, chrome removal."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from parser.load import load_bytes, read_file
from parser.model import Document
from parser.text_clean import is_chrome_line, lead_chrome_end, tail_chrome_start
from xxgk import settings

CASES = settings.FIXTURES_DIR / "cases" / "load"
REPORTS = settings.CORPUS_DIR / "reports"


def corpus_file(name: str) -> Path:
    path = REPORTS / name
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the shared corpus is not mounted)")
    return path


def assert_offsets(doc: Document) -> None:
    """The offset rule of parser.textmap: a text character is its source character unless it
    is whitespace the loader inserted or collapsed (or an entity's decoded character)."""
    assert len(doc.offsets) == len(doc.text)
    for i, ch in enumerate(doc.text):
        src = doc.raw[doc.offsets[i]]
        assert src == ch or ch.isspace() or src == "&", (i, ch, src)
    assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:], strict=False))


def test_000_chrome_removed_and_date_kept() -> None:
    doc = load_bytes(read_file(corpus_file("000_changchun-luyuan_2018.txt")), "000")
    assert doc.kind == "text"
    assert doc.encoding == "utf-8"
    assert doc.text.startswith(
        "2018年政府信息公开年度报告\n根据《中华人民共和国政府信息公开条例》,"
    )
    assert "登录" not in doc.text and "点击数" not in doc.text and "注册" not in doc.text[:100]
    assert doc.meta["published"] == "2019-03-15"
    assert doc.meta["title"] == "2018年政府信息公开年度报告"
    assert doc.text.endswith("七、其他事项:无")
    # Paragraph indents are gone; each paragraph is one line.
    assert "\n  " not in doc.text
    assert "\n一、综合概述\n" in doc.text
    assert_offsets(doc)


def test_005_crawled_header_breadcrumb_and_tabs() -> None:
    doc = load_bytes(read_file(corpus_file("005_pingtan-dishuiju_2013.txt")), "005")
    assert doc.meta["title"] == "平潭综合实验区地方税务局2013年信息公开年度报告"
    assert doc.meta["published"] == "2014-02-25"
    assert doc.meta["column"] == "政府信息公开年报"
    assert (
        doc.meta["url"]
        == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201402/t20140225_80774.htm"
    )
    assert "publisher" not in doc.meta  # 发布机构 is empty in the header
    assert doc.meta["source_org"] == "平潭县人民政府"
    assert doc.text.startswith(
        "平潭综合实验区地方税务局2013年 信息公开年度报告 根据《中华人民共和国政府信息公开条例》"
    )
    for chrome in (
        "当前位置",
        "全真版",
        "文字版",
        "文件下载",
        "QQ空间",
        "-->",
        "原文链接",
        "正文 ====",
    ):
        assert chrome not in doc.text, chrome
    assert doc.text.endswith("产生的政府信息公开费用1万元。")  # the trailing 附件下载 is dropped
    assert_offsets(doc)


def test_every_corpus_text_report_loads_with_exact_offsets() -> None:
    files = sorted(corpus_file("000_changchun-luyuan_2018.txt").parent.glob("*.txt"))
    assert len(files) >= 13
    for path in files:
        doc = load_bytes(read_file(path), str(path))
        assert doc.kind == "text"
        assert doc.meta.get("published", "").startswith(("201", "202")), path.name
        assert "==== 正文" not in doc.text and "本地目录" not in doc.text
        assert not doc.text.startswith("当前位置")
        assert_offsets(doc)


def test_publisher_from_header() -> None:
    doc = load_bytes(read_file(corpus_file("008_pingtan_2023.txt")), "008")
    assert doc.meta["publisher"] == "平潭综合实验区管委会办公室"
    assert doc.text.startswith("本报告根据《中华人民共和国政府信息公开条例》（国务院令第711号")


def test_crawled_case_file() -> None:
    doc = load_bytes(read_file(CASES / "crawled_page.txt"), "case")
    assert doc.meta == {
        "title": "示例县林业局2016年政府信息公开工作年度报告",
        "published": "2017-01-20",
        "publisher": "示例县林业局",
        "column": "政府信息公开年报",
        "url": "zfxxgk/zfxxgknb/201701/t20170120_1.htm",
        "local_dir": "zfxxgk/zfxxgknb/201701/1_示例县林业局2016年政府信息公开工作年度报告",
        "source_org": "示例县人民政府",
    }
    assert doc.text == (
        "示例县林业局2016年政府信息公开工作年度报告 根据《中华人民共和国政府信息公开条例》，"
        "现公布本局2016年度报告。 一、概述 2016年，我局主动公开政府信息152条。 "
        "二、依申请公开情况 全年收到申请3件，均已答复。"
    )
    assert_offsets(doc)


def test_plain_text_with_crlf_and_chrome() -> None:
    doc = load_bytes(read_file(CASES / "plain_chrome.txt"), "case")
    assert doc.text == (
        "示例区2017年政府信息公开年度报告\n一、概述\n2017年，我区新增主动公开政府信息1024条。\n"
        "二、依申请公开情况\n全年受理申请7件，其中当面申请2件。"
    )
    assert doc.meta == {"published": "2018-03-02", "title": "示例区2017年政府信息公开年度报告"}
    assert_offsets(doc)
    start = doc.text.index("1024")
    a, b = doc.source_span(start, start + 4)
    assert doc.raw[a:b] == "1024"


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("登录| 注册", True),
        ("发布日期:2019-03-15    点击数:", True),
        ("来源：平潭县人民政府 时间：2014-02-25 00:00", True),
        ("【打印本页】【关闭窗口】", True),
        ("分享到：微信 微博", True),
        ("网站地图 | 联系我们 | 无障碍", True),
        ("当前位置：首页 > 政务公开 > 年报", True),
        ("某ICP备00000000号　网站标识码：0000000000", True),
        ("附件下载", True),
        ("2019年2月26日", False),  # a signature date is report text
        ("0\t0\t0", False),
        ("企业注册登记信息公开", False),
        ("七、其他事项:无", False),
        ("2018年,我区共收到申请24件,其中当面申请11件。", False),
    ],
)
def test_chrome_lines(line: str, chrome: bool) -> None:
    assert is_chrome_line(line) is chrome


def test_lead_prefix_stops_at_prose() -> None:
    text = (
        "当前位置： 首页 政务公开 来源：某局 时间：2020-01-02 微信 微博 正文标题 根据《条例》，"
        "现报告如下。微信公众号发布信息"
    )
    end = lead_chrome_end(text)
    assert text[end:].startswith("正文标题 根据")
    assert lead_chrome_end("根据《条例》，当前位置不变。") == 0
    assert tail_chrome_start("报告正文。 附件下载") == len("报告正文。")


def test_random_offsets_on_text_reports() -> None:
    doc = load_bytes(read_file(corpus_file("012_pingtan_2016.txt")), "012")
    rng = random.Random(7)
    for i in rng.sample(range(len(doc.text)), 200):
        if not doc.text[i].isspace():
            assert doc.raw[doc.offsets[i]] == doc.text[i]


def test_breadcrumb_line_is_dropped_whole() -> None:
    page = "登录| 注册\n当前位置：首页 > 政务公开 > 政府信息公开年报\n某局2019年政府信息公开工作年度报告\n一、总体情况\n全年公开信息20条。"
    doc = load_bytes(page.encode(), "x.txt")
    assert doc.text == "某局2019年政府信息公开工作年度报告\n一、总体情况\n全年公开信息20条。"
    assert doc.meta == {"title": "某局2019年政府信息公开工作年度报告"}
