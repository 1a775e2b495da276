"""Prose of 2019-and-later reports: 总体情况 states the year's figures in sentences, and they
take the keys of the standard tables (applications.*, results.*, review.*, active.*) of the
report's format, never legacy.* keys. Sentences shaped like the ones real reports print."""

import pytest

from parser.facts import extract_facts
from parser.metadata import prose_era
from parser.sections import find_sections


def keyed(text: str, era: str = "v2021", year: int = 2023) -> dict[str, float]:
    facts = extract_facts(text, find_sections(text), era=era, report_year=year)
    return {f.key: f.value for f in facts if f.key}


def test_the_era_of_the_prose_is_the_report_year_s():
    assert prose_era(2016, "legacy") == "legacy"
    assert prose_era(2019, "legacy") == "v2019"  # a 2019 report written as free text
    assert prose_era(2020, "v2021") == "v2021"
    assert prose_era(2023, "v2019") == "v2021"  # a 2023 report with a one-row （六）
    assert prose_era(None, "v2019") == "v2019"
    assert prose_era(None, "legacy") == "legacy"


def test_requests_received_handled_carried():
    text = ("（二）依申请公开情况。2022年，收到政府信息公开申请44件（其中：网上申请42件，信函申请"
            "2件），上年度结转0件，本年度办结39件，结转下年度继续办理5件。")
    assert keyed(text) == {
        "applications.new.total": 44,
        "applications.carried_over.total": 0,
        "results.total.total": 39,
        "applications.carried_forward.total": 5,
    }


def test_results_by_kind_and_group_totals_without_a_key():
    text = ("本年度共受理政府信息公开申请37件，其中，依法予以公开5件，部分公开9件，不予公开4件，"
            "无法提供（本机关不掌握相关政府信息）14件，不予处理（信访举报投诉类申请）1件，其他4件，"
            "结转至下年度继续办理4件。")
    assert keyed(text) == {
        "applications.new.total": 37,
        "results.disclosed.total": 5,
        "results.partial.total": 9,
        "results.unavailable.not_held.total": 14,
        "results.not_processed.petition.total": 1,
        "results.other.total.total": 4,
        "applications.carried_forward.total": 4,
    }


def test_all_of_them_were_natural_persons():
    text = "全县共受理政府信息公开申请5件（全部为自然人申请），予以公开4件，部分公开0件。"
    assert keyed(text) == {
        "applications.new.total": 5,
        "applications.new.natural_person": 5,
        "results.disclosed.total": 4,
        "results.partial.total": 0,
    }
    text = "2023年收到政府信息公开申请1件，为本机关不掌握的政府信息。"
    assert keyed(text) == {
        "applications.new.total": 1, "results.unavailable.not_held.total": 1,
    }


def test_no_review_and_no_lawsuit_at_all():
    assert keyed("2022年，未发生政府信息公开行政复议、行政诉讼。") == {
        "review.total": 0, "litigation.direct.total": 0, "litigation.after_review.total": 0,
    }
    # An undivided lawsuit count fits no key: 直接起诉 and 复议后起诉 are apart in table 四.
    assert keyed("因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。") == {"review.total": 2}


def test_review_outcomes_stated_after_the_count():
    text = ("2025年，共收到政府信息公开申请24件，其中：线下申请15件，在线申请9件。规范办理答复"
            "完成24件，因不服答复引起行政复议3件，1件结果维持，2件结果纠正。")
    assert keyed(text, year=2025) == {
        "applications.new.total": 24,
        "results.total.total": 24, "review.total": 3, "review.upheld": 1, "review.corrected": 2,
    }


def test_the_year_carried_over_from_is_a_year_not_a_count():
    text = "办结依申请公开件177件（含2022年结转的3件），其中，予以公开60件。"
    assert keyed(text) == {
        "results.total.total": 177,
        "applications.carried_over.total": 3,
        "results.disclosed.total": 60,
    }


def test_a_sub_count_in_brackets_is_not_another_key():
    text = "本年度制发规章0件，废止规章2件，现行有效规章9件（含2件待修改）。"
    assert keyed(text, year=2025) == {
        "active.regulations.issued": 0,
        "active.regulations.repealed": 2,
        "active.regulations.in_force": 9,
    }


def test_table_two_figures_written_as_prose_in_any_unit():
    text = ("截至2021年12月31日，累计主动公开政府规章0件、规范性文件0件；行政许可处理决定数量324宗；"
            "行政处罚处理决定数量31宗、行政强制处理决定数量0宗；行政事业性收费金额0万元。")
    assert keyed(text, year=2021) == {
        "active.licensing.decisions": 324,
        "active.penalty.decisions": 31,
        "active.coercion.decisions": 0,
        "active.fees.amount_10k_yuan": 0,
    }
    # v2019 keys in a 2019 report; 行政许可决定150起 counts decisions in 起.
    text = "（三）主动公开政府信息情况。2019年，行政许可决定150起，其他对外服务事项如盖章等共计995起。"
    assert keyed(text, era="v2019", year=2019) == {
        "active.licensing.decisions": 150, "active.other_services.decisions": 995,
    }


@pytest.mark.parametrize(
    "text",
    [
        "2022年，主动公开政府信息3030条，其中政策解读10条，新闻1317条。",
        "受理网民留言111条，公开答复41条、电话答复70条，办结率100%。",
        "全年共受理人大代表建议和政协委员提案45件，均已按时办结。",
        "2022年，我局共受理行政许可申请1200件，办结1200件。",
        "全年收取信息处理费0元。",
        "全年公开各类信息165条。其中，行政规范性文件0条，行政许可类信息10条。",
    ],
)
def test_figures_with_no_key_of_the_standard_tables(text):
    assert keyed(text) == {}


def test_legacy_keys_are_never_given_to_a_standard_report():
    text = "2023年，我区主动公开政府信息1136条，收到政府信息公开申请21件，未收取任何费用。"
    got = keyed(text)
    assert got == {"applications.new.total": 21}
    assert not any(k.startswith("legacy.") for k in got)


def test_a_v2021_key_is_not_given_in_a_2019_report():
    assert keyed("本年度制发规章2件。", era="v2019", year=2019) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年共收到政府信息公开申请86件，同比增长15.2%，已办结84件，2件结转至2024年办理。",
         {"applications.new.total": 86, "results.total.total": 84,
          "applications.carried_forward.total": 2}),
        # 166 includes the 12 carried over: it is not the year's new requests (本年新收)
        ("2023年度，收到政府信息公开申请166件（含上年度结转12件），已办结157件，结转下年度9件。",
         {"applications.carried_over.total": 12, "results.total.total": 157,
          "applications.carried_forward.total": 9}),
        # a bare 结转 after the year's handled requests is what goes on to next year
        ("（二）依申请公开。本级全年新收申请39件，上年结转3件，办结40件，结转2件。",
         {"applications.new.total": 39, "applications.carried_over.total": 3,
          "results.total.total": 40, "applications.carried_forward.total": 2}),
        ("在依申请公开方面，我局收到政府信息公开申请3件；全部均已办结，其中予以公开2件，因申请人要求"
         "提供公开出版物，依法不予处理1件。",
         {"applications.new.total": 3, "results.disclosed.total": 2,
          "results.not_processed.publication.total": 1}),
        ("新收政府信息公开申请6件，无上年结转。办理结果为：予以公开2件；其他处理1件，系申请人逾期未"
         "补正，本机关不再处理。",
         {"applications.new.total": 6, "applications.carried_over.total": 0,
          "results.disclosed.total": 2, "results.other.total.total": 1,
          "results.other.no_correction.total": 1}),
        ("（二）依申请公开。严格依法依规办理依申请公开事项，2023年共收到依申请公开件4件，"
         "均在法定期限内答复。", {"applications.new.total": 4, "results.total.total": 4}),
        # 书面申请7件 is one channel, not the total (and channels have no 2019/2021 key)
        ("全年共接收政府信息公开申请书面申请7件，网上申请22件。", {}),
        ("2023年，区政府共收到政府信息公开申请321件，办结321件，办结率100%。因政府信息公开工作"
         "被申请行政复议5件、提起行政诉讼3件，均维持原行政行为。",
         # 均维持 speaks of the reviews and the lawsuits together: no key from it
         {"applications.new.total": 321, "results.total.total": 321, "review.total": 5}),
    ],
)
def test_phrasings_of_other_reports(text, expected):
    assert keyed(text) == expected
