"""Which canonical key a quantity in prose means: the rule tables of parser/data, read here.

The rules are data, one table per era of the report format, because the same words mean
different keys in different eras: "收到政府信息公开申请24件" is `legacy.apply.received.total`
in a 2015 report and `applications.new.total` in a 2023 one.
- legacy_labels.tsv, standard_labels.tsv: label -> key rules (a number with its words);
- zero_phrases.tsv: zeros stated in words (未收到…申请), with the era each applies to;
- echo_phrases.tsv: clauses that say what all of a count just stated were ("均为自然人申请").
A rule gives a key only where the key is valid for the report's format
(spec/indicators.csv `formats`): a v2021 key is never given in a 2019 report.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from parser.indicators import indicators

LEGACY = "legacy"
ERAS = ("legacy", "v2019", "v2021")
# Marks a key that a "sole" rule gives only where no other fact of the report states it.
SOLE_MARK = "?sole"
# A quantity of the report's own structure ("八个部分", "三个方面") is never an indicator.
_STRUCTURE_NOUN = re.compile(r"^(?:部分|方面|环节|阶段|层面|层次)")


@dataclass(frozen=True)
class LabelRule:
    """One row of a label table: when a label means a key.

    `pattern` and `exclude` are searched in the label text "before□after" (□ stands for
    the number, so a pattern can ask for a word right before it); `near` must match the
    sentence up to the number; `context` the sentence and the one before it;
    `context_exclude` must not match the sentence up to the number; `sections` limits the rule to
    top-level sections with those keys; `when` holds flags: "zero" applies the rule to 0
    only, "sole" gives the first keys only where nothing else states them, "other_year"
    lets the label name a year other than the report's (上年 figures are otherwise refused).
    """

    keys: tuple[str, ...]
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None
    units: frozenset[str]
    near: re.Pattern[str] | None
    context: re.Pattern[str] | None
    context_exclude: re.Pattern[str] | None
    sections: frozenset[str] | None
    when: frozenset[str]
    eras: frozenset[str]


def _opt(pattern: str) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _data_rows(name: str) -> list[dict[str, str]]:
    path = resources.files("parser") / "data" / name
    with path.open(encoding="utf-8") as fh:
        rows = (ln for ln in fh if ln.strip() and not ln.startswith("#"))
        return list(csv.DictReader(rows, delimiter="\t"))


def _eras(spec: str) -> frozenset[str]:
    """"legacy" / "standard" (= v2019 and v2021) / a comma list of eras."""
    if spec.strip() == "standard":
        return frozenset({"v2019", "v2021"})
    return frozenset(e.strip() for e in spec.split(",") if e.strip())


def valid_keys(keys: tuple[str, ...], era: str) -> tuple[str, ...]:
    """The keys of `keys` that a report of format `era` can state."""
    known = indicators()
    return tuple(
        k for k in keys if k.removesuffix(SOLE_MARK) in known
        and era in known[k.removesuffix(SOLE_MARK)].formats
    )


@cache
def label_rules(era: str | None = None) -> tuple[LabelRule, ...]:
    """Label -> key rules in priority order; for one era when `era` is given."""
    rules = []
    for name, default in (("legacy_labels.tsv", LEGACY), ("standard_labels.tsv", "standard")):
        for row in _data_rows(name):
            rules.append(LabelRule(
                keys=tuple(row["key"].split("+")),
                pattern=re.compile(row["pattern"]),
                exclude=_opt(row["exclude"]),
                units=frozenset(row["units"].split()),
                near=_opt(row["near"]),
                context=_opt(row["context"]),
                context_exclude=_opt(row["context_exclude"]),
                sections=frozenset(row["sections"].split()) if row["sections"] else None,
                when=frozenset(w.strip() for w in row["when"].split(",") if w.strip()),
                eras=_eras(default),
            ))
    if era is None:
        return tuple(rules)
    return tuple(r for r in rules if era in r.eras)


@dataclass(frozen=True)
class ZeroRule:
    keys: tuple[str, ...]
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None
    context: re.Pattern[str] | None
    eras: frozenset[str]


@cache
def zero_rules(era: str | None = None) -> tuple[ZeroRule, ...]:
    rules = tuple(
        ZeroRule(
            keys=tuple(r["key"].split("+")),
            pattern=re.compile(r["pattern"]),
            exclude=_opt(r["exclude"]),
            context=_opt(r["context"]),
            eras=_eras(r["era"]),
        )
        for r in _data_rows("zero_phrases.tsv")
    )
    return rules if era is None else tuple(r for r in rules if era in r.eras)


@dataclass(frozen=True)
class EchoRule:
    """A clause without a number of its own that says what all of a count were."""

    of_key: str  # the count's key, anywhere before the clause in the sentence; or
    of_label: re.Pattern[str] | None  # the label of the count right before the clause
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None
    key: str
    eras: frozenset[str]


@cache
def echo_rules(era: str | None = None) -> tuple[EchoRule, ...]:
    rules = tuple(
        EchoRule(
            of_key=r["of_key"],
            of_label=_opt(r["of_label"]),
            pattern=re.compile(r["pattern"]),
            exclude=_opt(r["exclude"]),
            key=r["key"],
            eras=_eras(r["era"]),
        )
        for r in _data_rows("echo_phrases.tsv")
    )
    return rules if era is None else tuple(r for r in rules if era in r.eras)


def keys_for(
    label: str,
    unit: str | None,
    value: float | None,
    era: str = LEGACY,
    context: str = "",
    section_key: str | None = None,
    near: str = "",
    other_year: bool = False,
) -> tuple[str, ...]:
    """The canonical keys a label ("before□after") means, by the first matching rule.

    `context` (the sentence before, this one up to the number, and the label's tail) must
    match a rule's `context`; `near` (this sentence up to the number) must not match its
    `context_exclude`. `other_year` says that the label names a year other than the
    report's: only rules flagged "other_year" may then give a key.
    """
    after = label.partition("□")[2]
    if _STRUCTURE_NOUN.match(after):
        return ()
    for rule in label_rules(era):
        if unit not in rule.units or not rule.pattern.search(label):
            continue
        if rule.exclude and rule.exclude.search(label):
            continue
        if rule.near and not rule.near.search(near):
            continue
        if rule.context and not rule.context.search(context):
            continue
        if rule.context_exclude and rule.context_exclude.search(near):
            continue
        if rule.sections and section_key is not None and section_key not in rule.sections:
            continue
        if "zero" in rule.when and value != 0:
            continue
        if other_year and "other_year" not in rule.when:
            return ()
        keys = valid_keys(rule.keys, era)
        if not keys:
            return ()
        if "sole" in rule.when:
            return tuple(f"{k}{SOLE_MARK}" for k in keys[:-1]) + keys[-1:]
        return keys
    return ()
