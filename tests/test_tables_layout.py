"""The layout data (parser/tables/layouts.toml) agrees with the canonical keys and the spec."""

from __future__ import annotations

import csv

import pytest

from parser.tables.labels import LabelMatcher, normalize_label, split_numbering
from parser.tables.layout import layout_keys, load_layouts
from xxgk.settings import INDICATORS_CSV

TABLE_PREFIXES = ("active.", "applications.", "results.", "review.", "litigation.")


def _indicators() -> dict[str, dict[str, str]]:
    if not INDICATORS_CSV.exists():
        pytest.skip(f"spec/indicators.csv not found at {INDICATORS_CSV}")
    with open(INDICATORS_CSV, encoding="utf-8") as fh:
        return {row["key"]: row for row in csv.DictReader(fh)}


def test_every_layout_key_exists_in_indicators() -> None:
    keys = _indicators()
    assert sorted(layout_keys() - set(keys)) == []


def test_every_table_key_in_indicators_is_reachable() -> None:
    keys = _indicators()
    table_keys = {k for k in keys if k.startswith(TABLE_PREFIXES)}
    assert sorted(table_keys - layout_keys()) == []


def test_version_keys_follow_the_spec_formats() -> None:
    """A v2019 column never yields a v2021 key and vice versa (formats column of the spec)."""
    keys = _indicators()
    for layout in load_layouts().values():
        for version in layout.versions:
            if layout.id == "四":
                continue
            for key in layout.all_keys(version):
                assert version in keys[key]["formats"], (layout.id, version, key)


def test_cell_counts() -> None:
    layouts = load_layouts()
    assert len(layouts["二"].all_keys("v2021")) == 10
    assert len(layouts["二"].all_keys("v2019")) == 22
    assert len(layouts["三"].all_keys("v2021")) == 25 * 7  # （六） as three sub-rows
    assert len(layouts["三"].all_keys("v2019")) == 23 * 7  # （六） as one row
    assert len(layouts["四"].all_keys("v2021")) == 15


def test_normalisation_keeps_circled_numbers_and_unifies_numbering() -> None:
    assert normalize_label("①予以公开") == "①予以公开"
    assert (
        normalize_label("1、属于国家秘密") == normalize_label("1．属于国家秘密") == "1.属于国家秘密"
    )
    assert normalize_label("（一）予以公开") == normalize_label("(一) 予以公开") == "(一)予以公开"
    assert normalize_label("商业 企业") == normalize_label("商业\n企业") == "商业企业"
    assert normalize_label("3.危及“三安全一稳定”") == "3.危及三安全一稳定"
    assert split_numbering(normalize_label("（三）不予公开")) == ("(三)", "不予公开")
    assert split_numbering(normalize_label("三、本年度办理结果")) == ("三、", "本年度办理结果")


def test_typos_match_by_data_and_by_conservative_similarity() -> None:
    layout = load_layouts()["三"]
    m = layout.row_matcher("v2021")
    assert m.match("2.其他法律行政止公开").id == "withheld.law_prohibited"
    assert m.match("6、属于四类过程性性信息").id == "withheld.process_info"
    assert m.match("（四）无").id == "unavailable"  # label cut by a page break
    # two different labels of the template never match each other
    assert m.match("5.属于四类过程性信息", among={"withheld.internal_affairs"}) is None
    assert m.match("合计") is None
    # a number glued before the label means the row was rebuilt out of line: no match
    assert m.match("859 二、上年结转政府信息公开申请数量") is None
    assert m.match("二、上年结转政府信息公开申请数量") is not None
    cols = LabelMatcher([(c.id, c.labels) for c in layout.columns("v2021")])
    assert cols.match("商 业\n企 业").id == "commercial"
    assert cols.match("法人或其他组织") is None


def test_version_markers_are_disjoint() -> None:
    for layout in load_layouts().values():
        seen: dict[str, str] = {}
        for v, d in layout.versions.items():
            for m in d.markers + d.weak_markers:
                assert seen.setdefault(normalize_label(m), v) == v, (layout.id, m)
