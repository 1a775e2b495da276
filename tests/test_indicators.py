"""The package's copy of the canonical keys keeps every key of the shared spec, unchanged."""

import csv

import pytest

from parser.indicators import indicators
from xxgk import settings


def test_copy_matches_the_shared_spec():
    if not settings.INDICATORS_CSV.is_file():
        pytest.skip(f"shared spec not found at {settings.INDICATORS_CSV}")
    with settings.INDICATORS_CSV.open(encoding="utf-8") as fh:
        shared = list(csv.DictReader(fh))
    ours = indicators()
    for row in shared:
        assert row["key"] in ours, row["key"]
        assert ours[row["key"]].label_zh == row["label_zh"]
        assert ours[row["key"]].unit == row["unit"]


def test_rule_tables_use_only_canonical_keys():
    from parser.facts import label_rules, zero_rules

    keys = set(indicators())
    for rule in label_rules():
        assert set(rule.keys) <= keys, rule.keys
    for rule in zero_rules():
        assert set(rule.keys) <= keys, rule.keys
