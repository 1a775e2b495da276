"""Prose facts: one test per rule family, on hand-written sentences shaped like real ones."""

import pytest

from parser.facts import extract_facts
from parser.sections import find_sections


def facts_of(text: str):
    return extract_facts(text, find_sections(text))


def keyed(text: str) -> dict[str, float]:
    return {f.key: f.value for f in facts_of(text) if f.key}


def test_active_disclosure_and_channels():
    text = (
        "二、主动公开政府信息情况\n2018年新增主动公开政府信息5303条。政府网站公开2050条，"
        "以其他有效载体方式发布信息406条，微信、微博公开信息2847条。"
    )
    assert keyed(text) == {
        "legacy.active.total": 5303,
        "legacy.active.via.website": 2050,
        "legacy.active.via.other": 406,
        "legacy.active.via.new_media": 2847,
    }


def test_requests_channels_percentages_and_replies():
    text = (
        "三、依申请公开政府信息情况\n2018年共收到政府信息公开申请24件，其中当面申请11件，占45.8%；"
        "网络申请5件，占20.8%；信函申请8件，占33.4%。在政府信息公开申请答复中，同意公开的23件，"
        "占96%；同意部分公开的1件。"
    )
    facts = facts_of(text)
    values = {f.key: f.value for f in facts if f.key}
    assert values == {
        "legacy.apply.received.total": 24,
        "legacy.apply.received.in_person": 11,
        "legacy.apply.received.online": 5,
        "legacy.apply.received.letter": 8,
        "legacy.apply.replies.disclosed": 23,
        "legacy.apply.replies.partial": 1,
    }
    percents = [(f.value, f.percent_of) for f in facts if f.unit == "%"]
    assert percents == [(45.8, 11), (20.8, 5), (33.4, 8), (96, 23)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "四、收费情况\n2018年，未发生政府信息公开的收费及减免情况。",
            {"legacy.fees.amount_yuan": 0, "legacy.fees.waived_yuan": 0},
        ),
        ("2016年全区未收到有关政府信息公开申请。", {"legacy.apply.received.total": 0}),
        ("本年度没有发生因政府信息公开引起的行政复议。", {"legacy.review.total": 0}),
        (
            "我区因政府信息公开工作被提起行政诉讼和行政复议的件数为0。",
            {"legacy.review.total": 0, "legacy.litigation.total": 0},
        ),
        ("依申请提供政府信息暂不收费。", {"legacy.fees.amount_yuan": 0}),
    ],
)
def test_zeros_stated_in_words(text, expected):
    assert keyed(text) == expected


def test_zero_words_are_marked():
    fact = next(f for f in facts_of("全年未收到政府信息公开申请。") if f.key)
    assert (fact.status, fact.value, fact.raw) == ("zero_word", 0, "未收到政府信息公开申请")


def test_chinese_fullwidth_and_wan_numerals():
    values = keyed("全年共收到政府信息公开申请二十四件。全年主动公开政府信息１２０３条。")
    assert values == {"legacy.apply.received.total": 24, "legacy.active.total": 1203}
    fact = facts_of("全年主动公开政府信息一千二百余条。")[0]
    assert (fact.key, fact.value) == (None, 1200)  # an estimate is kept, with no key
    assert fact.note.startswith("approximate")
    assert keyed("全年主动公开政府信息1.2万条。") == {"legacy.active.total": 12000}


def test_fee_in_wan_yuan_is_expressed_in_yuan():
    fact = next(f for f in facts_of("全年收取政府信息公开检索复制费用0.5万元。") if f.key)
    assert (fact.key, fact.value, fact.unit, fact.raw) == (
        "legacy.fees.amount_yuan",
        5000,
        "元",
        "0.5万元",
    )


@pytest.mark.parametrize(
    "text",
    [
        "根据《关于做好政务公开工作的通知》（国办公开办函〔2019〕60号）要求。",
        "本报告所列数据的统计期限自2018年1月1日起至2018年12月31日止。",
        "地址:长春市绿园区和平大街2288号;邮编:130062;电话:0431-87675707;电子邮箱:lyzwgk@sina.com。",
        "依据《条例》第二十条第（一）项和国令第 711 号。",
        "一是严格落实条例，二是加强制度建设，三是强化监督。",
        "坚持“三个第一时间”原则。",
    ],
)
def test_dates_numbers_and_contacts_are_not_facts(text):
    assert facts_of(text) == []


def test_thousands_separator_and_unkeyed_facts_are_kept():
    facts = facts_of("一、概述\n受理事项总量达132,358件，办结率99.86%。")
    assert [(f.key, f.value, f.unit, f.label) for f in facts] == [
        (None, 132358, "件", "受理事项总量"),
        (None, 99.86, "%", "办结率"),
    ]


def test_structure_counts_get_no_key():
    text = "本报告由概述、主动公开、依申请公开、行政复议和行政诉讼情况共五个部分组成。"
    assert [f.key for f in facts_of(text)] == [None]


def test_sub_unit_counts_are_not_the_total():
    text = "县直各单位主动公开政府信息303条，各乡镇主动公开政府信息122条。"
    assert keyed(text) == {}


def test_circled_numbers_are_not_values():
    facts = facts_of("①予以公开5件；②部分公开2件。")
    assert [f.value for f in facts] == [5, 2]


def test_enumeration_does_not_carry_a_label_forward():
    text = "主动公开政府信息共26条。主要类别:规范性文件2条、部门预决算信息4条、审计报告8条。"
    assert keyed(text) == {"legacy.active.total": 26, "legacy.active.normative_docs": 2}


def test_review_and_litigation_results_take_their_context():
    text = "全年政府信息公开行政复议351件，结果纠正64件；政府信息公开行政诉讼46件，结果纠正5件。"
    assert keyed(text) == {
        "legacy.review.total": 351,
        "legacy.review.corrected": 64,
        "legacy.litigation.total": 46,
        "legacy.litigation.corrected": 5,
    }


def test_website_count_stands_for_total_only_when_alone():
    alone = keyed("2023年，我区在政府网站平台主动公开政府信息 1136 条。")
    assert alone == {"legacy.active.total": 1136, "legacy.active.via.website": 1136}
    with_total = keyed("全年主动公开政府信息1913条。通过门户网站公开政府信息3636条。")
    assert with_total == {"legacy.active.total": 1913, "legacy.active.via.website": 3636}


def test_pdf_line_breaks_inside_a_sentence():
    text = "2024 年，市政府网站主动公开各类政\n府信息 5500 余条，制作政策解读\n21 个。"
    assert keyed(text) == {"legacy.response.interpretations": 21}  # 5500余条 is an estimate
    assert [f.value for f in facts_of(text)] == [5500, 21]


def test_table_text_is_left_to_the_table_parser():
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21\n"
    assert [f for f in facts_of(text) if f.method == "text"] == []


def test_offsets_point_at_the_number():
    text = "一、概述\n2018年新增主动公开政府信息5303条。"
    fact = facts_of(text)[0]
    assert text[fact.start : fact.end] == "5303条"
    assert fact.section == "一"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本年度共受理政府信息公开申请15件，比上年增加3件。", {"legacy.apply.received.total": 15}),
        ("截至2018年底，累计主动公开政府信息120567条。", {}),
        ("其中，主动公开规范性文件35件。", {"legacy.active.normative_docs": 35}),
        ("申请人通过信函方式提出申请3件，通过电子邮件申请2件。",
         {"legacy.apply.received.letter": 3, "legacy.apply.received.email": 2}),
        ("因政府信息公开申请提起行政复议2件、行政诉讼1件。",
         {"legacy.review.total": 2, "legacy.litigation.total": 1}),
        ("全年收取检索、复制、邮寄等费用共计0元。", {"legacy.fees.amount_yuan": 0}),
        ("安排政府信息公开工作专项经费5万元。", {}),
        ("举办政府信息公开培训班3期，培训人员200人次。", {}),
        ("设立政府信息公开查阅点12个，发布政策解读信息45条，召开新闻发布会6场。",
         {"legacy.reading_points": 12, "legacy.response.interpretations": 45,
          "legacy.response.press_conferences": 6}),
        ("全县从事政府信息公开工作的专兼职人员共86人。", {"legacy.staff.total": 86}),
    ],
)
def test_phrasings_seen_in_other_reports(text, expected):
    assert keyed(text) == expected


def test_all_the_units_of_a_county_are_its_total():
    text = "2012年，全县各单位共主动公开政府信息8562条，其中县政府及县直部门公开6128条，乡镇公开2434条。"
    assert keyed(text) == {"legacy.active.total": 8562}
