"""HTML pages: encoding, body container, chrome, tables as Grids, offsets into the markup."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from parser.html_text.js_string import unwrap_js_string
from parser.load import load_bytes, read_file
from parser.model import Document
from xxgk import settings

SITE = settings.DEMO_DIR / "site" / "zfxxgk" / "zfxxgknb"
CASES = settings.FIXTURES_DIR / "cases" / "load"
CHROME_WORDS = (
    "登录",
    "点击数",
    "浏览次数",
    "分享到",
    "打印本页",
    "关闭窗口",
    "网站地图",
    "ICP备",
    "网站标识码",
    "当前位置",
    "您的位置",
    "全真版",
    "文件下载",
    "字号",
)


def assert_offsets(doc: Document) -> None:
    """raw[offsets[i]] == text[i] except for inserted/collapsed whitespace, entities (&…;)
    and, in a JS-wrapped page, string escapes (\\u4e00, \\")."""
    assert len(doc.offsets) == len(doc.text)
    js = doc.meta.get("wrapper") == "javascript string"
    for i, ch in enumerate(doc.text):
        src = doc.raw[doc.offsets[i]]
        assert src == ch or ch.isspace() or src == "&" or (js and src == "\\"), (
            i,
            ch,
            src,
            doc.raw[doc.offsets[i] - 20 : doc.offsets[i] + 5],
        )
    assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:], strict=False))


def load(path: Path, content_type: str | None = None) -> Document:
    return load_bytes(read_file(path), str(path), content_type=content_type)


def test_gbk_trs_page() -> None:
    doc = load(SITE / "201902" / "t20190226_1001.htm")
    assert doc.kind == "html"
    assert doc.encoding == "gb18030"
    assert doc.meta["title"] == "云溪县人民政府2018年政府信息公开工作年度报告"
    assert doc.meta["published"] == "2019-02-26"
    assert doc.meta["column"] == "政府信息公开年报"
    assert doc.text.startswith("根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定")
    for word in CHROME_WORDS:
        assert word not in doc.text, word
    assert (
        "\n三、依申请公开政府信息情况\n2018年，全县共收到政府信息公开申请40件，其中当面申请14件，占35%；"
        in doc.text
    )
    assert doc.text.endswith("云溪县人民政府办公室\n2019年2月26日")
    assert len(doc.tables) == 1  # the layout table around the body is not data
    grid = doc.tables[0]
    assert grid.source == "html"
    assert len(grid.rows) == 10 and len(grid.rows[0]) == 4
    assert grid.texts()[0] == ["指标名称", "计量单位", "本年度", "历年累计"]
    assert grid.texts()[1] == ["一、主动公开政府信息数", "条", "3218", "21546"]
    assert grid.texts()[2][0] == "其中：主动公开规范性文件数"  # ideographic indent stripped
    assert doc.text[grid.start : grid.end].startswith(
        "指标名称\t计量单位\t本年度\t历年累计\n一、主动公开政府信息数\t条\t3218\t21546"
    )
    assert doc.text[grid.start : grid.end].endswith("五、因政府信息公开提起行政诉讼数\t件\t0\t1")
    assert_offsets(doc)


def test_utf8_page_without_charset_and_its_tables() -> None:
    doc = load(SITE / "202402" / "t20240129_2001.html")
    assert doc.encoding == "utf-8"
    assert doc.meta["title"] == "云溪县交通运输局2023年政府信息公开工作年度报告"
    assert doc.meta["published"] == "2024-01-29"
    assert doc.meta["url"] == "zfxxgk/zfxxgknb/202402/t20240129_2001.html"
    assert doc.meta["source_org"] == "云溪县交通运输局"
    assert doc.text.startswith("本报告根据《中华人民共和国政府信息公开条例》")
    assert doc.text.endswith("六、其他需要报告的事项\n2023年，我局未收取信息处理费。")
    for word in CHROME_WORDS:
        assert word not in doc.text, word
    assert [(len(g.rows), len(g.rows[0])) for g in doc.tables] == [(14, 4), (28, 10), (4, 15)]
    t2, t3, t4 = doc.tables
    assert t2.texts()[6] == ["行政许可", "1,523", "1,523", "1,523"]
    assert [c.span_copy for c in t2.rows[6]] == [False, False, True, True]
    assert t2.rows[6][3].origin == (6, 1)
    assert t3.texts()[2][3:] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert t3.texts()[3] == ["一、本年新收政府信息公开申请数量"] * 3 + [
        "30",
        "5",
        "",
        "1",
        "2",
        "0",
        "38",
    ]
    # 三、本年度办理结果 spans 22 rows: rows 5..26 of column 0 share one origin.
    assert {t3.rows[r][0].origin for r in range(5, 27)} == {(5, 0)}
    assert [t3.rows[r][0].span_copy for r in (5, 6, 26)] == [False, True, True]
    assert t3.rows[27][0].text == "四、结转下年度继续办理"
    assert t3.texts()[26][3:] == ["29", "5", "", "1", "1", "0", "36"]
    assert t4.texts()[1][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert t4.texts()[3] == [
        "1",
        "0",
        "0",
        "1",
        "2",
        "1",
        "0",
        "0",
        "0",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    # A table row stays one line of tab-separated cells in the text.
    assert "\n一、本年新收政府信息公开申请数量\t30\t5\t\t1\t2\t0\t38\n" in doc.text
    for grid in doc.tables:
        assert 0 <= grid.start < grid.end <= len(doc.text)
        assert doc.text[grid.start : grid.end].split("\n")[0].split("\t")[0] == grid.rows[0][0].text
    assert (
        doc.tables[0].end
        < doc.text.index("三、收到和处理政府信息公开申请情况")
        < doc.tables[1].start
    )
    assert_offsets(doc)


def test_gbk_bytes_under_a_wrong_utf8_declaration() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<title>某县2015年政府信息公开年报</title></head><body><div id="zoom">'
        "<p>2015年共收到政府信息公开申请24件，其中当面申请11件，占45.8%。</p>"
        "<p>同意公开的23件；未发生政府信息公开的收费及减免情况。</p></div></body></html>"
    )
    doc = load_bytes(page.encode("gbk"), "gbk-page")
    assert doc.encoding == "gb18030"
    assert doc.text == (
        "2015年共收到政府信息公开申请24件，其中当面申请11件，占45.8%。\n同意公开的23件；未发生政府信息公开的收费及减免情况。"
    )
    assert doc.meta["title"] == "某县2015年政府信息公开年报"
    assert_offsets(doc)
    # The same bytes with a wrong HTTP header charset decode the same way.
    doc2 = load_bytes(page.encode("gbk"), "gbk-page", content_type="text/html; charset=UTF-8")
    assert doc2.text == doc.text


def test_utf8_bytes_under_a_gb2312_declaration() -> None:
    page = (
        '<html><head><meta charset="gb2312"></head><body><div class="TRS_Editor">'
        "<p>收到申请8件，均为自然人申请，其中予以公开2件。</p></div></body></html>"
    )
    doc = load_bytes(page.encode("utf-8"), "x")
    assert doc.encoding == "utf-8"
    assert doc.text == "收到申请8件，均为自然人申请，其中予以公开2件。"


def test_declared_gb2312_decodes_as_gb18030() -> None:
    # 镕 is not in GB2312 but is in GBK/GB18030: pages labelled gb2312 use it anyway.
    page = (
        '<html><head><meta charset="gb2312"></head><body><div id="zoom">'
        "<p>朱镕基同志关于政府信息公开工作的讲话精神共三十条。</p></div></body></html>"
    )
    doc = load_bytes(page.encode("gb18030"), "x")
    assert doc.encoding == "gb18030"
    assert doc.text == "朱镕基同志关于政府信息公开工作的讲话精神共三十条。"


def test_layout_tables_entities_and_fallback_body() -> None:
    doc = load(CASES / "layout_tables.html")
    assert doc.text == (
        "示例镇2019年政府信息公开工作年度报告\n一、总体情况\n"
        "2019年，示例镇主动公开政府信息 86 条，R&D 经费公开 2 条，一站式服务平台运行良好。\n"
        "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年新制作数量\t本年新公开数量\n"
        "规章\t\t0\n规范性文件\t3\t3\n三、其他需要报告的事项\n无。"
    )
    assert len(doc.tables) == 1
    assert doc.tables[0].texts() == [
        ["第二十条第（一）项"] * 3,
        ["信息内容", "本年新制作数量", "本年新公开数量"],
        ["规章", "", "0"],
        ["规范性文件", "3", "3"],
    ]
    assert_offsets(doc)
    i = doc.text.index("R&D")
    assert doc.raw[doc.offsets[i + 1] : doc.offsets[i + 1] + 5] == "&amp;"
    i = doc.text.index("一站式")
    assert doc.raw[doc.offsets[i] : doc.offsets[i] + 8] == "&#x4E00;"


def test_densest_block_without_known_container() -> None:
    doc = load(CASES / "no_container.html")
    assert doc.text == (
        "示例街道2020年政府信息公开工作年度报告\n一、总体情况\n"
        "2020年，示例街道办事处认真贯彻《中华人民共和国政府信息公开条例》，全年主动公开政府信息64条，"
        "收到政府信息公开申请2件，均按期答复。\n二、存在的主要问题及改进情况\n公开内容的及时性有待提高，下一步将加强日常检查。"
    )
    assert doc.meta["published"] == "2021-01-28"
    assert doc.meta["title"] == "示例街道2020年政府信息公开工作年度报告"
    assert_offsets(doc)


def test_container_priority_and_longest_match() -> None:
    page = (
        "<html><body><div class='view'>短摘要</div>"
        "<div class='TRS_Editor'>摘要</div>"
        "<div class='TRS_Editor'><p>"
        + "本年度共收到政府信息公开申请十二件，全部按期答复。"
        * 3
        + "</p></div>"
        "<div id='zoom'><p>"
        + "这是另一个容器里的文字，不应被选中。" * 3
        + "</p></div></body></html>"
    )
    doc = load_bytes(page.encode(), "x")
    assert doc.text == "本年度共收到政府信息公开申请十二件，全部按期答复。" * 3


def test_nested_data_table_in_a_data_cell_and_hostile_spans() -> None:
    page = (
        "<html><body><div id='zoom'><table border=1>"
        "<tr><td>项目</td><td>数量</td></tr>"
        "<tr><td>申请</td><td><table><tr><td>当面</td><td>3</td></tr><tr><td>网络</td><td>4</td></tr></table></td></tr>"
        "<tr><td colspan='100000'>合计7</td></tr>"
        "<tr><td rowspan='0'>甲</td><td>1</td></tr><tr><td>2</td></tr>"
        "</table></div></body></html>"
    )
    doc = load_bytes(page.encode(), "x")
    outer, inner = doc.tables
    assert inner.texts() == [["当面", "3"], ["网络", "4"]]
    assert outer.texts()[0][:2] == ["项目", "数量"]
    assert len(outer.rows[0]) == settings.MAX_TABLE_SPAN  # colspan="100000" is capped
    assert (
        outer.rows[3][0].text == "甲"
        and outer.rows[4][0].origin == (3, 0)
        and outer.rows[4][0].span_copy
    )
    assert outer.rows[4][1].text == "2"


def test_js_wrapped_html_from_corpus() -> None:
    path = settings.CORPUS_DIR / "excerpts" / "101_shanghai-gov-office_2019.js.txt"
    if not path.exists():
        pytest.skip(f"corpus file {path} is absent (the shared corpus is not mounted)")
    doc = load(path)
    assert doc.kind == "html"
    assert doc.meta["wrapper"] == "javascript string"
    assert doc.meta["published"] == "2020-01-31"
    assert doc.raw.startswith("let content = \"<p style='text-align: center;font-weight: bold;'>")
    assert doc.text.startswith("2019年上海市人民政府办公厅政府信息公开工作年度报告\n本年度报告根据")
    assert "发布日期" not in doc.text and '\\"' not in doc.text and "<p" not in doc.text[:2000]
    assert doc.text.endswith("六、其他需要报告的事项\n无。")
    t2 = doc.tables[0]
    assert t2.texts()[1] == [
        "信息内容",
        "本年新制作数量",
        "本年新公开数量",
        "本年新公开数量",
        "对外公开总数量",
    ]
    assert t2.texts()[2] == ["规章", "13", "13", "13", "524"]
    assert t2.texts()[-1] == ["政府集中采购", "6", "6", "251000元", "251000元"]
    t4 = doc.tables[-1]
    assert t4.texts()[3] == ["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", ""]
    assert "\n规章\t13\t13\t524\n" in doc.text
    assert_offsets(doc)
    # An offset points into the JavaScript file itself.
    i = doc.text.index("251000元")
    assert doc.raw[doc.offsets[i] : doc.offsets[i] + 7] == "251000元"


def test_js_escapes_map_to_their_backslash() -> None:
    src = 'let content = "<p>\\u6536\\u5230\\u7533\\u8bf7<b>3</b>\\u4ef6</p>";'
    doc = load_bytes(src.encode(), "x.js")
    assert doc.text == "收到申请3件"
    assert_offsets(doc)
    assert [doc.raw[o] for o in doc.offsets] == ["\\"] * 4 + ["3", "\\"]


def test_unwrap_js_string_escapes() -> None:
    src = 'var content = "<p class=\\"a\\">\\u4e00\\u4e8c</p>\\n<p>\\x41</p>";'
    html, pos = unwrap_js_string(src)
    assert html == '<p class="a">一二</p>\n<p>A</p>'
    assert len(pos) == len(html)
    assert src[pos[html.index("一")]] == "\\"
    assert src[pos[html.index("</p>")]] == "<"


def test_random_offsets_into_markup() -> None:
    doc = load(SITE / "202402" / "t20240129_2001.html")
    rng = random.Random(3)
    for i in rng.sample(range(len(doc.text)), 300):
        ch = doc.text[i]
        if not ch.isspace():
            assert doc.raw[doc.offsets[i]] == ch


def test_html_pages_load_fast() -> None:
    import time

    page = (SITE / "202402" / "t20240129_2001.html").read_bytes()
    start = time.perf_counter()
    for _ in range(20):
        load_bytes(page, "x")
    assert time.perf_counter() - start < 5


def test_comments_scripts_and_crlf_do_not_break_offsets() -> None:
    page = (
        "<html>\r\n<head><style>p{color:red}</style><script>var s = '<p>不是正文</p>';</script></head>\r\n"
        "<body><div id='zoom'>\r\n<p>收到申请<!-- 编辑注释：\r\n旧数字 99 -->三件，\r\n全部答复。</p>"
        "<?php echo 1 ?><script>document.write('点击数');</script>"
        "<!--[if IE]><p>请升级浏览器</p><![endif]--><p>答复&nbsp;二件&lt;三件</p>\r\n</div></body></html>"
    )
    doc = load_bytes(page.encode("utf-8"), "x")
    assert doc.text == "收到申请三件， 全部答复。\n答复 二件<三件"
    assert_offsets(doc)
    i = doc.text.index("三件")
    assert doc.raw[doc.offsets[i] : doc.offsets[i] + 2] == "三件"
    assert (
        doc.raw[doc.offsets[doc.text.index("<")] : doc.offsets[doc.text.index("<")] + 4] == "&lt;"
    )


# --- `Stream.raw_range` pinned to the per-character `raw_pos` it replaced -----------------

STREAM_PAGES = [
    # an entity that decodes to nothing (&#1;), at the start, in the middle, twice in a row
    # and at the very end; &amp; and &nbsp;; entities of two characters (&nge; &fjlig;);
    # CRLF and a lone CR; CJK; nested inline tags
    "&#1;<html>\r\n<body><div id='zoom'>\r\n<p>收到<b>申请<i>三&#1;件</i></b>，"
    "答复&amp;办结&nbsp;二件&#1;&#1;。</p>\r\n<p><span><a href='#'>公开<em>（一）"
    "</em></a>主动</span>\r\rlone CR&lt;&#x4e00;&#20108;&unknown;&amp&nge;x&fjlig;</p>\r\n</div>"
    "</body></html>&#1;",
    "&#1;",
    "",
    "a&#1;",
    "&nbsp;&#1;&amp;\r\n",
]


@pytest.mark.parametrize("page", STREAM_PAGES, ids=range(len(STREAM_PAGES)))
def test_stream_raw_range_equals_per_character_raw_pos(page: str) -> None:
    from parser.html_text.stream import text_stream

    st = text_stream(page)
    n = len(st.text)
    # every character's raw position is its own source character, or the "&" of its entity
    # (a CR read as a newline maps to the CR, the LF of a CRLF to itself)
    for k, ch in enumerate(st.text):
        src = page[st.raw_pos(k)]
        assert src == ch or src == "&" or (ch == "\n" and src == "\r"), (k, ch, src)
    for a in range(n + 2):
        for b in range(a - 2, n + 2):
            want = [st.raw_pos(k) for k in range(a, min(b, n))] if b > a else []
            if b <= n:
                assert st.raw_range(a, b) == want, (a, b)


def test_stream_raw_range_maps_entities_to_their_ampersand() -> None:
    """&#1; reads as the character (as lxml reads it), &amp; as "&": every character of an
    entity maps to its "&", and the text around it to itself."""
    from parser.html_text.stream import text_stream

    page = STREAM_PAGES[0]
    st = text_stream(page)
    assert "\r" not in st.text and "&" in st.text and "\xa0" in st.text
    assert st.text.endswith("\x01")  # the trailing &#1;
    i = st.text.index("三\x01件")
    assert st.raw_range(i, i + 3) == [page.index("三&#1;件"), page.index("&#1;件"),
                                      page.index("件</i>")]
    j = st.text.index("&办")
    assert st.raw_range(j, j + 2) == [page.index("&amp;"), page.index("办结")]


def test_document_offsets_same_with_per_character_raw_pos(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """End to end: the loader gives the same text and offsets when `raw_range` is replaced by
    the per-character mapping it stands for (the markup above, every demo/fixture HTML page
    and the generated table pages)."""
    from parser.html_text.stream import Stream

    pages = [STREAM_PAGES[0].encode("utf-8")]
    for root in (
        settings.DEMO_DIR,
        settings.FIXTURES_DIR / "cases",
        settings.FIXTURES_DIR / "tables",
    ):
        pages += [p.read_bytes() for p in sorted(root.glob("**/*.htm*"))]
    assert len(pages) > 5
    fast = [load_bytes(p, "x") for p in pages]
    monkeypatch.setattr(
        Stream, "raw_range", lambda self, a, b: [self.raw_pos(k) for k in range(a, b)]
    )
    slow = [load_bytes(p, "x") for p in pages]
    for i, (f, s) in enumerate(zip(fast, slow, strict=True)):
        assert (f.text, f.offsets) == (s.text, s.offsets), i
    assert "答复&办结 二件" in fast[0].text  # the body was found: offsets were exercised


@pytest.mark.parametrize("ref", ["&#1;", "&#x1f;", "&#127;", "&#65534;"])
def test_control_character_references_keep_their_offsets(ref: str) -> None:
    """lxml keeps a reference to a control or non-character as the character, while
    html.unescape drops it: the text stream reads it the way lxml does, so the evidence
    offsets of what follows stay on the right source characters."""
    page = f"<html><body><p>收到<b>申请<i>三{ref}件</i></b>，答复二件。</p></body></html>"
    doc = load_bytes(page.encode(), "refs.html", "text/html")
    assert_offsets(doc)
    at = doc.text.index("件")
    assert doc.raw[doc.offsets[at - 1]] == "&" and doc.raw[doc.offsets[at]] == "件"
