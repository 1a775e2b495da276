"""Integrity rules of tables 三 and 四 over facts: pass, fail, and skip for missing cells."""

from __future__ import annotations

import importlib.util

from parser.model import Fact
from parser.tables.checks import table_checks
from xxgk.settings import FIXTURES_DIR


def _known(version: str) -> dict:
    spec = importlib.util.spec_from_file_location(
        "gen_tables", FIXTURES_DIR / "tables" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.known_values(version)


def _fact(key: str, value, status: str = "value") -> Fact:
    table = "四" if key.startswith(("review", "litigation")) else (
        "二" if key.startswith("active") else "三")
    return Fact(key=key, value=value, unit="件", label=key, evidence="", section=table,
                method="table", start=0, end=0, raw="" if value is None else str(value),
                status=status, table=table)


def _facts(values: dict) -> list[Fact]:
    return [_fact(k, v) for k, v in values.items()]


def _failed(checks) -> set[tuple[str, str]]:
    return {(c.rule, c.detail.split(":")[0]) for c in checks if not c.ok}


def test_consistent_tables_pass_every_rule() -> None:
    for version in ("v2019", "v2021"):
        checks = table_checks(_facts(_known(version)))
        assert _failed(checks) == set()
        counts = {}
        for c in checks:
            counts[c.rule] = counts.get(c.rule, 0) + 1
        other_rows = 3 if version == "v2021" else 1
        assert counts == {"table3.balance": 7, "table3.results_sum": 7,
                          "table3.total_column": 22 + other_rows, "table4.group_total": 3}


def test_each_rule_fails_on_its_own_corruption() -> None:
    vals = _known("v2021")
    vals["results.withheld.third_party.commercial"] += 1  # breaks its row and its column
    failed = _failed(table_checks(_facts(vals)))
    assert failed == {("table3.results_sum", "column commercial"),
                      ("table3.total_column", "row results.withheld.third_party")}

    vals = _known("v2021")
    vals["applications.carried_forward.research"] += 2
    vals["applications.carried_forward.total"] += 2  # row stays consistent
    assert _failed(table_checks(_facts(vals))) == {("table3.balance", "column research"),
                                                   ("table3.balance", "column total")}

    vals = _known("v2021")
    vals["litigation.direct.total"] = 0  # printed 0 beside non-zero parts (as in a real report)
    checks = table_checks(_facts(vals))
    assert _failed(checks) == {("table4.group_total", "group litigation.direct")}
    bad = next(c for c in checks if not c.ok)
    assert bad.values == {"litigation.direct.total": 0, "litigation.direct.upheld": 7,
                          "litigation.direct.corrected": 4, "litigation.direct.other": 6,
                          "litigation.direct.pending": 9}
    assert "≠" in bad.detail


def test_v2021_other_is_the_sum_of_its_three_sub_rows() -> None:
    vals = _known("v2021")
    vals["results.other.fee_unpaid.natural_person"] += 5
    vals["results.other.fee_unpaid.total"] += 5
    assert _failed(table_checks(_facts(vals))) == {("table3.results_sum", "column natural_person"),
                                                   ("table3.results_sum", "column total")}


def test_missing_and_dash_cells_skip_the_instance_and_say_so() -> None:
    vals = _known("v2021")
    facts = [f for f in _facts(vals) if f.key != "results.disclosed.research"]
    facts.append(_fact("review.pending", None, status="dash"))
    facts = [f for f in facts if f.key != "review.pending" or f.status == "dash"]
    checks = table_checks(facts)
    assert _failed(checks) == set()
    skipped = [c for c in checks if c.rule == "table.checks_skipped"]
    assert len(skipped) == 1 and skipped[0].ok
    assert skipped[0].values["missing"] == ["results.disclosed.research", "review.pending"]
    assert "table3.results_sum column research" in skipped[0].detail
    assert "table4.group_total group review" in skipped[0].detail
    assert not any(c.rule == "table3.results_sum" and "research" in c.detail.split(":")[0]
                   for c in checks)


def test_blank_counts_as_zero_in_table_three_applicant_columns_only() -> None:
    vals = _known("v2021")
    facts = _facts(vals)
    for f in facts:
        if f.key == "results.disclosed.total":  # a blank 总计 beside filled parts
            f.value, f.status, f.raw = None, "blank", ""
        if f.key == "review.other":
            f.value, f.status, f.raw = None, "blank", ""
        if f.key == "results.disclosed.commercial":  # a blank applicant cell: 0 per template
            f.value, f.status, f.raw = None, "blank", ""
    checks = table_checks(facts)
    assert _failed(checks) == {("table3.results_sum", "column commercial")}
    skipped = next(c for c in checks if c.rule == "table.checks_skipped")
    assert skipped.values["missing"] == ["results.disclosed.total", "review.other"]
    assert "table3.total_column row results.disclosed" in skipped.detail


def test_no_table_no_checks() -> None:
    assert table_checks([_fact("active.regulations.issued", 3)]) == []
