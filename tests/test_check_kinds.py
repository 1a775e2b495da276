"""Two kinds of failed check: every rule the parser can emit has a kind in
archive/data/check_rules.tsv, unknown rules fall to a safe default that this file flags, and on
the real corpus the contradiction list holds only the reports that disagree with themselves."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest
import sqlite_utils

from archive import check_kinds
from testkit.archives import corpus_archive

PARSER = Path(__file__).resolve().parent.parent / "parser"


def parser_rule_names() -> set[str]:
    """Rule names the parser's code can emit today: the first argument (or `rule=`) of every
    `Check(...)` and of the table rules' `equal(...)`, plus parser/data/legacy_checks.tsv."""
    names: set[str] = set()
    for path in PARSER.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if fname not in ("Check", "equal"):
                continue
            arg = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "rule"), None)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    with (PARSER / "data" / "legacy_checks.tsv").open(encoding="utf-8") as fh:
        names |= {r["rule"] for r in csv.DictReader(fh, delimiter="\t")}
    return names


def test_the_scan_finds_the_parsers_rules():
    found = parser_rule_names()
    # a few that must be there, so that a broken scan cannot pass the test below vacuously
    assert {"table3.balance", "table.unplaced_cells", "prose_vs_table",
            "legacy.channels_sum", "legacy.percent_matches_count"} <= found
    assert len(found) >= 13


def test_every_rule_the_parser_can_emit_has_a_kind():
    unclassified = sorted(r for r in parser_rule_names() if not check_kinds.rule(r).classified)
    assert not unclassified, (
        f"rules without a kind in archive/data/check_rules.tsv: {unclassified} "
        "(classify each as contradiction or unread)")


def test_an_unknown_rule_is_unread_and_flagged():
    r = check_kinds.rule("legacy.statistics_table.row_sum")
    assert r.kind == "unread" and not r.classified  # accuses no report until classified
    text = check_kinds.explain(r.rule, "a + b = 3, stated 4", '{"x": 1}')
    assert "legacy.statistics_table.row_sum" in text and "a + b = 3, stated 4" in text


def test_explanations_are_chinese_with_the_numbers():
    labels = {"legacy.apply.received.total": "收到申请总数",
              "legacy.apply.received.online": "网上申请"}
    text = check_kinds.explain(
        "legacy.channels_sum", "5 + 3 = 8, stated 9",
        {"legacy.apply.received.total": 9, "legacy.apply.received.online": 5}, labels)
    assert "8" in text and "9" in text and "收到申请总数（legacy.apply.received.total）= 9" in text
    text = check_kinds.explain(
        "table4.group_total",
        "group review: review.total = 0 ≠ review.upheld + review.corrected = 11",
        {"review.total": 0, "review.upheld": 10, "review.corrected": 1})
    assert text.startswith("表四 行政复议：总计为 0") and "相加为 11" in text
    text = check_kinds.explain(
        "legacy.percent_matches_count",
        "legacy.apply.replies.disclosed 5 of legacy.apply.replies.total 20 is 25.00%, "
        "printed 30% (tolerance 0.5 point)", {})
    assert "25.00%" in text and "30%" in text
    # a detail in a shape the template does not know still shows its numbers
    text = check_kinds.explain("table3.balance", "something new", {"a.b": 1})
    assert "a.b = 1" in text and "something new" in text


@pytest.fixture(scope="module")
def db(corpus, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    return sqlite_utils.Database(corpus_archive(base, base / "kinds" / "archive.db"))


def test_every_failed_check_in_the_corpus_has_a_kind(db):
    rules = [r[0] for r in db.execute("select distinct rule from checks")]
    assert rules and all(check_kinds.rule(r).classified for r in rules), rules
    kinds = dict(db.execute("select kind, count(*) from failed_checks group by kind").fetchall())
    assert set(kinds) == {"contradiction", "unread"}
    assert db.execute("select count(*) from check_failures where kind is null or explanation "
                      "is null").fetchone()[0] == 0


def test_the_contradiction_list_holds_only_real_contradictions(db):
    got = sorted(tuple(r) for r in db.execute(
        "select publisher, report_year, rule from check_failures where kind = 'contradiction'"))
    # Read in the documents: 洪泽区 2023 prints a review total of 0 over 10 upheld and 1
    # corrected (and 0 over 5 for 复议后起诉); 洪泽区 2024's prose says 17 requests where its
    # table 三 has 95; 平潭 2020's table 三 results add up to 27 (26 for 自然人) against a
    # total of 21 (20).
    # and 平潭 2012's prose says 1913 disclosed, 3636 of them on the website, where its 统计表
    # prints 739 for both.
    assert got == [
        ("平潭综合实验区管理委员会", 2012, "prose_vs_table"),
        ("平潭综合实验区管理委员会", 2012, "prose_vs_table"),
        ("平潭综合实验区管理委员会", 2020, "table3.results_sum"),
        ("平潭综合实验区管理委员会", 2020, "table3.results_sum"),
        ("江苏省淮安市洪泽区人民政府", 2023, "table4.group_total"),
        ("江苏省淮安市洪泽区人民政府", 2023, "table4.group_total"),
        ("江苏省淮安市洪泽区人民政府", 2024, "prose_vs_table"),  # 17 received against 95
        ("江苏省淮安市洪泽区人民政府", 2024, "prose_vs_table"),  # 17 answered against 95
    ]
    unread = {r[0] for r in db.execute("select rule from check_failures where kind = 'unread'")}
    assert unread and unread <= {"table.unplaced_cells", "table.missing_cells",
                                 "table.not_found", "table.text_grid_error",
                                 "legacy_table.unplaced_cells", "report.publisher_unknown"}
    text = db.execute("select explanation from check_failures where rule = 'prose_vs_table' "
                      "and report_year = 2024").fetchone()[0]
    assert "17" in text and "95" in text and "正文" in text
