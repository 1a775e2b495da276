"""Generated HTML reports (fixtures/tables) parse back to exactly the numbers they were made from.

The JSON beside each page was written by fixtures/tables/generate.py from its own input, so
these tests compare parser output with independent known values, cell by cell.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from parser.model import Document
from parser.tables.extract import extract_tables
from parser.tables.values import table_values
from xxgk.settings import FIXTURES_DIR

TABLES = FIXTURES_DIR / "tables"
VARIANTS = ["v2021_merged", "v2021_blanks", "v2021_fullwidth", "v2021_split_labels", "v2019_merged"]


def _load(html: str, name: str) -> Document:
    if importlib.util.find_spec("parser.load") is None:
        pytest.skip("parser.load (the loaders) does not exist yet")
    from parser.load import load_bytes

    return load_bytes(html.encode("utf-8"), name)


def _parse(name: str, html: str | None = None):
    html = html if html is not None else (TABLES / f"{name}.html").read_text(encoding="utf-8")
    doc = _load(html, f"{name}.html")
    facts, checks = extract_tables(doc, [])
    return doc, facts, checks


@pytest.mark.parametrize("name", VARIANTS)
def test_every_cell_parses_back_exactly(name: str) -> None:
    known = json.loads((TABLES / f"{name}.json").read_text(encoding="utf-8"))
    doc, facts, checks = _parse(name)
    unplaced = [f for f in facts if f.key is None]
    assert unplaced == []
    by_key = {f.key: f for f in facts}
    assert set(by_key) == set(known["values"])  # no cell missing, none invented
    assert len(facts) == len(known["values"])  # and none printed twice
    blank = set(known["blank_keys"])
    for key, expected in known["values"].items():
        f = by_key[key]
        assert f.version == known["version"], key
        if key in blank:
            assert (f.status, f.value, f.raw) == ("blank", None, ""), key
        else:
            assert f.status == "value", key
            assert f.value == expected and type(f.value) is type(expected), (key, f.raw)
            assert doc.text[f.start : f.end] == f.raw  # the fact points at its printed text
    values, notes = table_values(facts)
    for key, expected in known["values"].items():
        assert values[key] == expected, key
    assert {k for k, n in notes.items() if n == "blank read as 0 per template"} == blank
    assert [c for c in checks if not c.ok] == []


def test_variants_cover_what_they_claim() -> None:
    """The fixtures really contain the difficulties the tests are meant to prove."""
    split = (TABLES / "v2021_split_labels.html").read_text(encoding="utf-8")
    assert "商业 企业" in split and "结<br>果<br>维<br>持" in split
    assert "其他法律行政止公开" in split and "过程性性信息" in split
    assert split.count("申请人情况") == 2  # table 三 in two <table>s, header repeated
    wide = (TABLES / "v2021_fullwidth.html").read_text(encoding="utf-8")
    assert "１２,３４５" in wide and "１２３４．５６" in wide
    v2019 = (TABLES / "v2019_merged.html").read_text(encoding="utf-8")
    assert "-185" in v2019 and "+36" in v2019 and "251000元" in v2019
    blanks = json.loads((TABLES / "v2021_blanks.json").read_text(encoding="utf-8"))
    assert len(blanks["blank_keys"]) >= 40


def test_generator_reproduces_committed_fixtures(tmp_path) -> None:
    spec = importlib.util.spec_from_file_location("gen_tables", TABLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.generate(tmp_path):
        assert path.read_text(encoding="utf-8") == (TABLES / path.name).read_text(encoding="utf-8")


def _corrupt(html: str, old: str, new: str) -> str:
    assert html.count(old) == 1, old
    return html.replace(old, new)


def test_a_corrupted_cell_fails_the_checks() -> None:
    name = "v2021_merged"
    known = json.loads((TABLES / f"{name}.json").read_text(encoding="utf-8"))["values"]
    html = (TABLES / f"{name}.html").read_text(encoding="utf-8")
    # results.total.natural_person sits in the （七）总计 row, first value cell.
    old = f"（七）总计</p></td><td><p>{known['results.total.natural_person']}</p>"
    bad = _corrupt(html, old, "（七）总计</p></td><td><p>9999</p>")
    _, facts, checks = _parse(name, bad)
    f = next(f for f in facts if f.key == "results.total.natural_person")
    assert f.value == 9999  # read as printed, never "fixed"
    failed = {(c.rule, c.detail.split(":")[0]) for c in checks if not c.ok}
    assert failed == {
        ("table3.balance", "column natural_person"),
        ("table3.results_sum", "column natural_person"),
        ("table3.total_column", "row results.total"),
    }
    bal = next(c for c in checks if c.rule == "table3.balance" and not c.ok)
    assert bal.values["results.total.natural_person"] == 9999


def test_a_corrupted_table4_total_fails() -> None:
    name = "v2021_merged"
    html = (TABLES / f"{name}.html").read_text(encoding="utf-8")
    # review: 5 2 1 3 total 11 -> print 12
    bad = _corrupt(
        html, "<td><p>11</p></td><td><p>7</p></td>", "<td><p>12</p></td><td><p>7</p></td>"
    )
    _, _, checks = _parse(name, bad)
    failed = [c for c in checks if not c.ok]
    assert [(c.rule, c.values["review.total"]) for c in failed] == [("table4.group_total", 12)]


def test_unknown_row_label_is_unplaced_not_guessed() -> None:
    name = "v2021_merged"
    html = (TABLES / f"{name}.html").read_text(encoding="utf-8")
    bad = _corrupt(html, "7.属于行政执法案卷", "7.属于某种新设的情形")
    _, facts, checks = _parse(name, bad)
    unplaced = [f for f in facts if f.key is None]
    assert len(unplaced) == 7
    assert all("unknown row label" in (f.note or "") for f in unplaced)
    assert not any(f.key and f.key.startswith("results.withheld.enforcement_file") for f in facts)
    rule = next(c for c in checks if c.rule == "table.unplaced_cells" and "三" in c.detail)
    assert rule.ok is False
