"""Legacy integrity rules: they pass on the real 绿园区 2018 report and fail on an altered copy."""

from parser.checks import legacy_checks, percent_tolerance
from parser.facts import extract_facts
from parser.pipeline import parse_bytes, parse_path
from parser.sections import find_sections

REPORT_000 = "reports/000_changchun-luyuan_2018.txt"


def checks_of(text: str):
    return legacy_checks(extract_facts(text, find_sections(text)))


def test_luyuan_2018_values_and_checks(corpus):
    result = parse_path(corpus / REPORT_000)
    assert (result.publisher, result.report_year, result.published, result.format) == (
        "绿园区",
        2018,
        "2019-03-15",
        "legacy",
    )
    v = result.values
    assert v["legacy.active.total"] == 5303
    assert v["legacy.apply.received.total"] == 24
    assert (
        v["legacy.apply.received.in_person"],
        v["legacy.apply.received.online"],
        v["legacy.apply.received.letter"],
    ) == (11, 5, 8)
    assert v["legacy.fees.amount_yuan"] == 0
    assert v["legacy.review.total"] == 0
    assert v["legacy.litigation.total"] == 0
    rules = [(c.rule, c.ok) for c in result.checks]
    assert ("legacy.channels_sum", True) in rules
    assert rules.count(("legacy.percent_matches_count", True)) == 6
    assert all(ok for _, ok in rules)
    letter = next(
        c
        for c in result.checks
        if c.rule == "legacy.percent_matches_count" and "legacy.apply.received.letter" in c.values
    )
    assert "8 of legacy.apply.received.total 24 is 33.33%, printed 33.4%" in letter.detail


def test_altered_copy_fails_its_checks(corpus):
    text = (corpus / REPORT_000).read_text(encoding="utf-8")
    altered = text.replace("当面申请11件", "当面申请13件")
    assert altered != text
    result = parse_bytes(altered.encode("utf-8"), "altered-000.txt")
    failed = {c.rule: c for c in result.checks if not c.ok}
    assert failed["legacy.channels_sum"].detail == "13 + 5 + 8 = 26, stated 24"
    assert failed["legacy.percent_matches_count"].values["legacy.apply.received.in_person"] == 13
    assert result.values["legacy.apply.received.in_person"] == 13  # recorded, never fixed


def test_percent_tolerance_is_one_unit_of_the_last_printed_digit():
    assert percent_tolerance("33.4%") == 0.1
    assert percent_tolerance("4.34%") == 0.1
    assert percent_tolerance("96%") == 1.0


def test_replies_sum_rule():
    ok = checks_of("共答复政府信息公开申请10件，其中同意公开7件，不予公开3件。")
    assert [(c.rule, c.ok) for c in ok] == [("legacy.replies_sum", True)]
    bad = checks_of("共答复政府信息公开申请10件，其中同意公开7件，不予公开2件。")
    assert [(c.rule, c.ok, c.detail) for c in bad] == [
        ("legacy.replies_sum", False, "7 + 2 = 9, stated 10")
    ]


def test_percentage_far_from_its_count_fails():
    checks = checks_of("共收到政府信息公开申请20件，其中网络申请5件，占50%。")
    assert [(c.rule, c.ok) for c in checks] == [("legacy.percent_matches_count", False)]


def test_prose_count_against_table_three(corpus):
    result = parse_path(corpus / "reports/002_huaian-hongze_2024.pdf")
    check = next(c for c in result.checks if c.rule == "prose_vs_table" and not c.ok)
    assert check.values["prose"] == 17 and check.values["table"] == 95
    assert check.detail.startswith("applications.new.total: the prose states 17 (section 一: ")
    assert result.values["applications.new.total"] == 95  # the table's value is the report's
    agrees = parse_path(corpus / "reports/001_huaian-hongze_2023.pdf")
    both = [c for c in agrees.checks if c.rule == "prose_vs_table"]
    assert [(c.ok, c.values.get("agree")) for c in both] == [
        (True, ["applications.new.total", "results.total.total"])
    ]
