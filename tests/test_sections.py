"""The numbered outline: levels, run-in headings, one-line reports, wrong numbers."""

from parser.sections import find_sections, section_key


def outline(text: str, level: int | None = None):
    return [
        (s.number, s.key, s.heading)
        for s in find_sections(text)
        if level is None or s.level == level
    ]


def test_levels_and_parents():
    text = (
        "一、概述\n（一）完善公开制度机制提高政务公开工作整体水平。一是严格落实条例。\n"
        "1、互联网:在门户网站设置专栏。\n（1）加强政策解读。\n①予以公开。\n"
        "二、主动公开政府信息情况\n正文。"
    )
    secs = find_sections(text)
    assert [(s.number, s.level, s.heading) for s in secs] == [
        ("一", 1, "概述"),
        ("（一）", 2, "完善公开制度机制提高政务公开工作整体水平"),
        ("1", 3, "互联网"),
        ("（1）", 4, "加强政策解读"),
        ("①", 5, "予以公开"),
        ("二", 1, "主动公开政府信息情况"),
    ]
    assert [s.parent for s in secs] == [None, 0, 1, 2, 3, None]
    assert secs[0].end == secs[5].start


def test_whole_report_on_one_line():
    text = (
        "报告如下。一、 概述 推进政府信息公开工作是重要举措。二、主动公开政府信息情况（一）主动公开政府信息的数量"
        "各单位进行了梳理。三、政府信息依申请公开工作情况 2011年全县未收到申请。"
        "四、政府信息公开工作存在的主要问题及改进情况目前仍存在不足。"
    )
    assert outline(text, 1) == [
        ("一", "overview", "概述"),
        ("二", "active", "主动公开政府信息情况"),
        ("三", "requests", "政府信息依申请公开工作情况"),
        ("四", "problems", "政府信息公开工作存在的主要问题及改进情况"),
    ]


def test_table_rows_numbered_like_headings_are_not_sections():
    text = (
        "三、收到和处理政府信息公开申请情况申请人情况自然人一、本年新收政府信息公开申请数量801000081"
        "二、上年结转政府信息公开申请数量0000000三、本年度办理结果（一）予以公开220000022"
        "四、结转下年度继续办理0000000四、政府信息公开行政复议、行政诉讼情况000000000000000"
        "五、存在的主要问题及改进情况不足。"
    )
    assert [(n, k) for n, k, _ in outline(text, 1)] == [
        ("三", "requests"),
        ("四", "review_litigation"),
        ("五", "problems"),
    ]


def test_heading_after_a_number_in_a_flattened_page():
    text = "一、总体情况概况。二、主动公开政府信息情况采购总金额394432.52元三、收到和处理政府信息公开申请情况正文"
    assert [n for n, _, _ in outline(text, 1)] == ["一", "二", "三"]


def test_repeated_and_skipped_numbers_are_kept_as_printed():
    text = (
        "一、概述\n正文。\n二、主动公开情况\n正文。\n二、依申请公开情况\n正文。\n四、其他事项\n无。"
    )
    assert [(n, k) for n, k, _ in outline(text, 1)] == [
        ("一", "overview"),
        ("二", "active"),
        ("二", "requests"),
        ("四", "other"),
    ]


def test_excerpt_starting_mid_report():
    text = "四、结转下年度继续办理 0 0 0\n四、政府信息公开行政复议、行政诉讼情况\n表。\n五、存在的主要问题及改进情况\n不足。"
    assert [(n, k) for n, k, _ in outline(text, 1)] == [
        ("四", "review_litigation"),
        ("五", "problems"),
    ]


def test_ordinals_inside_prose_are_not_headings():
    text = "一、概述\n我们做好第一、二季度的工作，落实一、二级责任。"
    assert len(outline(text, 1)) == 1


def test_section_keys_from_rules():
    assert section_key("因政府信息公开申请行政复议、提起行政诉讼的情况") == "review_litigation"
    assert section_key("依申请公开、不予公开及咨询政府信息情况") == "requests"
    assert section_key("政府信息公开的收费及减免情况") == "fees"
    assert section_key("政府信息公开情况统计表") == "statistics"
    assert section_key("审批事项及处理情况") is None


def test_corpus_reports_have_all_gold_sections(corpus):
    import json

    from parser.pipeline import parse_path
    from xxgk import settings

    for gold_path in sorted(settings.GOLD_DIR.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        result = parse_path(corpus / gold["file"])
        found = [(s.number, s.key) for s in result.sections if s.level == 1]
        expected = [(s["number"], s["key"]) for s in gold["sections"]]
        assert all(e in found for e in expected), (gold["file"], expected, found)


# The facts an archive of the corpus once filed under the section before theirs, because the
# heading runs inline into its text on these one-line pages (issue 13, point 5).
INLINE = [
    ("009_pingtan_2012.txt", "legacy.active.via.website", 3636, "二"),
    ("009_pingtan_2012.txt", "legacy.active.total", 1913, "三"),
    ("009_pingtan_2012.txt", "legacy.apply.received.total", 0, "四"),
    ("009_pingtan_2012.txt", "legacy.review.total", 0, "四"),
    ("014_pingtan_2014.txt", "legacy.active.total", 2543, "二"),
    ("014_pingtan_2014.txt", "legacy.apply.received.letter", 1, "三"),
    ("014_pingtan_2014.txt", "legacy.fees.amount_yuan", 0, "四"),
    ("005_pingtan-dishuiju_2013.txt", "legacy.active.total", 45, "二"),
    ("005_pingtan-dishuiju_2013.txt", "legacy.apply.received.total", 0, "三"),
    ("005_pingtan-dishuiju_2013.txt", "legacy.review.total", 0, "五"),
    ("005_pingtan-dishuiju_2013.txt", "legacy.staff.total", 1, "六"),
]


def test_facts_after_an_inline_heading_belong_to_it(corpus):
    from parser.pipeline import parse_path

    parsed = {}
    for name, key, value, section in INLINE:
        result = parsed.setdefault(name, parse_path(corpus / "reports" / name))
        found = {(f.value, f.section) for f in result.facts if f.key == key and f.is_prose}
        assert (value, section) in found, (name, key, found)
