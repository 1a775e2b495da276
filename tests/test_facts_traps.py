"""What real reports do to a prose parser (issue 11, corpus/dev/TRAPS.md): each trap on a
sentence shaped like the real one, with the exact keys and values it must (not) give."""

import pytest

from parser.facts import extract_facts
from parser.sections import find_sections


def keyed(text: str, era: str = "legacy", year: int | None = 2014) -> dict[str, float]:
    facts = extract_facts(text, find_sections(text), era=era, report_year=year)
    return {f.key: f.value for f in facts if f.key}


def notes(text: str, era: str = "legacy", year: int | None = 2014) -> list[tuple]:
    facts = extract_facts(text, find_sections(text), era=era, report_year=year)
    return [(f.value, f.note) for f in facts if not f.key]


def test_a_citation_of_articles_is_not_a_count():
    text = "按照《条例》第9至12条规定的内容，全年主动公开政府信息300条。"
    assert keyed(text) == {"legacy.active.total": 300}
    assert [v for v, _ in notes(text)] == []  # 12条 is not even a fact
    assert keyed("依据《条例》第九、十条规定公开政府信息50条。") == {"legacy.active.total": 50}


def test_a_channel_is_not_the_total_when_the_total_follows():
    text = "官网发布信息1887条，在省政府网站发布信息514条，总计2401条。"
    assert keyed(text)["legacy.active.total"] == 2401


def test_a_catalogue_count_in_active_disclosure_is_not_a_reply():
    text = (
        "二、主动公开政府信息情况\n2011年制作、获取政府信息总数1873条，其中主动公开政府信息425条，"
        "作为依申请公开信息数46条，不予公开信息数1854条。"
    )
    got = keyed(text, year=2011)
    assert got == {"legacy.active.total": 425}


def test_a_free_service_is_not_the_year_s_fees():
    text = "四、其他需要报告的事项\n在行政服务中心窗口都备有统一印制的办事指南免费提供。"
    assert keyed(text, year=2016) == {}
    assert keyed("依申请提供政府信息暂不收费。") == {"legacy.fees.amount_yuan": 0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年因政府信息公开申请行政复议12起。", {"legacy.review.total": 12}),
        ("全年收到政府信息公开申请12起，其中网上申请12起。",
         {"legacy.apply.received.total": 12, "legacy.apply.received.online": 12}),
        ("行政许可决定150起，其他对外服务事项共计995起。", {}),  # legacy: no key for these
    ],
)
def test_units_seen_in_real_reports(text, expected):
    assert keyed(text) == expected


def test_previous_year_figures_are_not_this_year_s():
    assert keyed("2014年主动公开政府信息1500条，比2013年的1128条增长33%。") == {
        "legacy.active.total": 1500
    }
    # "增加到2014年的1500条" has lost its words to the figure before it: no key, not a guess.
    assert keyed("主动公开政府信息由2013年的1128条增加到2014年的1500条。") == {}


def test_a_change_is_not_a_count():
    assert keyed("本年度共受理政府信息公开申请15件，比上年增加3件。") == {
        "legacy.apply.received.total": 15
    }


@pytest.mark.parametrize(
    "text",
    [
        "根据《关于做好政府信息公开工作的通知》（平政办〔2014〕130号）要求，编制本报告。",
        "联系电话：0591-24336240，邮编：350400，传真：24336410。",
        "本报告所列数据的统计期限自2014年1月1日起至2014年12月31日止。",
        "全文电子化率达100%。",
    ],
)
def test_never_facts(text):
    assert keyed(text) == {}


def test_annual_next_to_cumulative():
    assert keyed("2013年我镇新增公开政府信息86条，历年累计信息公开170条。", year=2013) == {
        "legacy.active.total": 86
    }
    assert keyed("2014年，共主动公开、更新各类信息222条，累计主动公开信息2382条。") == {
        "legacy.active.total": 222
    }


def test_cumulative_that_is_still_annual():
    assert keyed("2013年累计主动公开政府信息35条，全文电子化率达100%。", year=2013) == {
        "legacy.active.total": 35
    }


def test_as_of_without_a_year_is_a_stock():
    text = "截至目前，通过袁州区政府部门公开网站主动公开政府信息32条。"
    assert keyed(text, year=2018) == {}
    assert notes(text, year=2018)[0][1].startswith("as of a date")


def test_an_estimate_gets_no_key():
    text = "截至2017年底，我局共公布政府信息、工作动态信息128余条。"
    assert keyed(text, year=2017) == {}
    assert keyed("发布不动产登记等各类信息近5000条。", era="v2021", year=2023) == {}


def test_one_number_for_two_channels():
    text = "依申请公开7件，其中当面申请1件、网络和信函申请各3件，受理并答复3件。"
    assert keyed(text, year=2013) == {
        "legacy.apply.received.total": 7,
        "legacy.apply.received.in_person": 1,
        "legacy.apply.received.online": 3,
        "legacy.apply.received.letter": 3,
        "legacy.apply.replies.total": 3,
    }


def test_one_zero_for_several_kinds_and_a_combined_count():
    text = "我局2017年度共受理有关政府信息公开工作的行政复议、行政诉讼和申诉案件0件。"
    assert keyed(text, year=2017) == {
        "legacy.review.total": 0, "legacy.litigation.total": 0, "legacy.complaints.total": 0,
    }
    assert keyed("因政府信息公开申请行政复议和行政诉讼3件。") == {}


def test_a_chinese_numeral_with_a_unit():
    assert keyed("指定两名工作人员（均为兼职）负责具体事务。", year=2015) == {
        "legacy.staff.total": 2
    }


def test_a_clause_cut_by_the_end_of_an_excerpt_states_nothing():
    text = "四、政府信息公开的收费及减免情况\n2018年度未发生信息公开的收费和"
    assert keyed(text, year=2018) == {}
    assert keyed(text + "减免情况。", year=2018) == {
        "legacy.fees.amount_yuan": 0, "legacy.fees.waived_yuan": 0,
    }


def test_a_sentence_that_gives_one_key_two_values_gives_it_none():
    text = ("本年度新制发行政规范性文件14件，宣布废止、失效行政规范性文件32件，失效行政规范性文件"
            "23件，提前废止行政规范性文件3件。")
    assert keyed(text, era="v2021", year=2025) == {"active.normative_docs.issued": 14}


def test_all_of_a_count_answered_in_the_same_sentence():
    text = "2018年度我镇共收到4件信息公开申请，其中网络申请2件，信函申请2件，均已及时受理并已按时办结。"
    assert keyed(text, year=2018) == {
        "legacy.apply.received.total": 4,
        "legacy.apply.received.online": 2,
        "legacy.apply.received.letter": 2,
        "legacy.apply.replies.total": 4,
    }
    # In another paragraph, "上述申请已全部按时答复" gives no number.
    text = "二是依申请公开情况。2025年度接收到申请书55份。\n上述申请已全部按时答复到位。"
    assert keyed(text, era="v2021", year=2025) == {
        "applications.new.total": 55
    }


def test_a_heading_inline_with_its_text():
    text = ("截止2016年底，政府信息公开工作运行正常。 二、政府信息主动公开情况 (一)公开的主要内容: "
            "2016年度共主动公开政府信息25条。 三、回应解读情况 回应舆情2次。 四、咨询处理情况 "
            "2016年度未收到咨询。 五、行政复议、诉讼和申诉情况 2016年度未接到有关政府"
            "信息公开方面的复议、诉讼和申诉。")
    facts = extract_facts(text, find_sections(text), report_year=2016)
    assert {(f.key, f.value, f.section) for f in facts if f.key} == {
        ("legacy.active.total", 25, "二"),
        ("legacy.consultations.total", 0, "四"),
        ("legacy.review.total", 0, "五"),
        ("legacy.litigation.total", 0, "五"),
        ("legacy.complaints.total", 0, "五"),
    }


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2009年，共主动公开政府信息1846条，其中通过县政府门户网站公开1520条，通过《河阳政报》公开"
         "86条，通过公开栏等其他方式公开240条。", 2009,
         {"legacy.active.total": 1846, "legacy.active.via.website": 1520,
          "legacy.active.via.gazette": 86, "legacy.active.via.other": 240}),
        ("全年发生因政府信息公开申请行政复议1件，提起行政诉讼1件，均未被纠错。", 2012,
         {"legacy.review.total": 1, "legacy.litigation.total": 1,
          "legacy.review.corrected": 0, "legacy.litigation.corrected": 0}),
        ("三、依申请公开政府信息情况\n本年度我乡依申请公开政府信息件数为零。", 2013,
         {"legacy.apply.received.total": 0}),
        ("截至2016年12月31日，本局累计主动公开政府信息2,117条，其中2016年新增主动公开政府信息"
         "386条。", 2016, {"legacy.active.total": 386}),
        ("三、依申请公开情况\n自2008年《条例》实施以来，我局累计受理政府信息公开申请43件。2015年"
         "受理5件，其中信函申请1件、当面申请4件。", 2015,
         {"legacy.apply.received.total": 5, "legacy.apply.received.letter": 1,
          "legacy.apply.received.in_person": 4}),
        ("上述21件申请均已在规定时限内答复完毕，其中同意公开15件，告知通过其他途径办理4件。", 2010,
         {"legacy.apply.replies.total": 21, "legacy.apply.replies.disclosed": 15,
          "legacy.apply.replies.other_channel": 4}),
        ("三 依申请公开、收费及减免、复议诉讼情况\n本年度依申请公开、收费及减免、行政复议、行政诉讼、"
         "申诉件数均为0。\n", 2018,
         {"legacy.apply.received.total": 0, "legacy.fees.amount_yuan": 0,
          "legacy.fees.waived_yuan": 0, "legacy.review.total": 0, "legacy.litigation.total": 0,
          "legacy.complaints.total": 0}),
        ("本年度我局被申请行政复议2件，其中1件被复议机关撤销原答复、责令重新答复。", 2014,
         {"legacy.review.total": 2, "legacy.review.corrected": 1}),
    ],
)
def test_legacy_phrasings_of_other_reports(text, year, expected):
    assert keyed(text, year=year) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（二）依申请公开。全年新收政府信息公开申请28件。办结29件，其中：无法提供8件，均为本机关"
         "不掌握相关政府信息；不予处理2件。",
         {"applications.new.total": 28, "results.total.total": 29,
          "results.unavailable.not_held.total": 8}),
        ("本年新收政府信息公开申请73件，全年办结73件，其中不予处理4件（均为信访举报投诉类申请），"
         "其他处理3件（均为申请人无正当理由逾期不补正）。",
         {"applications.new.total": 73, "results.total.total": 73,
          "results.not_processed.petition.total": 4, "results.other.total.total": 3,
          "results.other.no_correction.total": 3}),
        ("因政府信息公开工作被提起行政诉讼4件，均为未经复议直接起诉，其中结果维持2件、其他结果1件、"
         "尚未审结1件。",
         {"litigation.direct.total": 4, "litigation.direct.upheld": 2,
          "litigation.direct.other": 1, "litigation.direct.pending": 1}),
        ("（一）主动公开。本年制发行政规范性文件3件，废止1件，现行有效12件；全年作出行政许可决定"
         "316件，未实施行政强制。",
         {"active.normative_docs.issued": 3, "active.normative_docs.repealed": 1,
          "active.normative_docs.in_force": 12, "active.licensing.decisions": 316,
          "active.coercion.decisions": 0}),
        ("全年新收政府信息公开申请60件，办理结果中，予以公开31件，其他处理7件（逾期不补正3件，"
         "其他4件）。",
         {"applications.new.total": 60, "results.disclosed.total": 31,
          "results.other.total.total": 7, "results.other.no_correction.total": 3,
          "results.other.other.total": 4}),
        ("全年未收到政府信息公开申请，亦无上年结转申请。",
         {"applications.new.total": 0, "applications.carried_over.total": 0}),
        ("县政府本级收到政府信息公开申请58件，比上年多9件，全县各部门、乡镇合计另受理申请158件。",
         {"applications.new.total": 58}),
    ],
)
def test_standard_phrasings_of_other_reports(text, expected):
    assert keyed(text, era="v2021", year=2022) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a list of channels ending in 等渠道 is the whole, not its last channel
        ("2017年全年，通过县政府网站、“宾川气象”微信公众号、电子显示屏等渠道累计主动公开政府信息"
         "137条，其中县政府网站发布61条。",
         {"legacy.active.total": 137, "legacy.active.via.website": 61}),
        ("全年通过县人民政府网站公安局专栏主动公开政府信息291条；通过报纸、电视等其他方式公开64条，"
         "全年合计355条。",
         {"legacy.active.via.website": 291, "legacy.active.via.other": 64,
          "legacy.active.total": 355}),
        ("2013年，管委会及各工作部门主动公开政府信息157条。", {"legacy.active.total": 157}),
        ("全年主动公开政府信息1,094条，其中通过青海林业网公开812条。",
         {"legacy.active.total": 1094, "legacy.active.via.website": 812}),
        ("由党政办两名同志兼职负责信息的收集、审核和发布。", {"legacy.staff.total": 2}),
    ],
)
def test_more_legacy_phrasings(text, expected):
    assert keyed(text, year=2013 if "2013" in text else 2017) == expected
