"""Integrity rules over the numbers a report states in prose (formats.md, "Legacy").

A check records the rule, whether the report's own numbers satisfy it and the numbers
involved; it never changes a number. The rules are data (legacy_checks.tsv for sums,
percent_bases.tsv for what a percentage is a share of). Table rules live in
parser/tables/checks.py.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from parser.model import Check, Fact


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("parser") / "data" / name
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@cache
def sum_rules() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple(
        (r["rule"], r["total"], tuple(r["parts"].split())) for r in _rows("legacy_checks.tsv")
    )


@cache
def percent_bases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((r["prefix"], tuple(r["bases"].split())) for r in _rows("percent_bases.tsv"))


def first_values(facts: list[Fact]) -> dict[str, Any]:
    """Each key's first stated value, in document order."""
    out: dict[str, Any] = {}
    for f in sorted(facts, key=lambda f: f.start):
        if f.key and f.value is not None and f.key not in out:
            out[f.key] = f.value
    return out


def percent_tolerance(printed: str) -> float:
    """One unit of the last printed digit, at least 0.1 point: 33.4% may stand for 8/24
    (33.33%) and 96% for 23/24 (95.83%), as reports round and adjust shares to sum to 100."""
    digits = printed.rstrip("%％ ").split(".")
    if len(digits) == 2 and digits[1]:
        return max(0.1, float(Decimal(1).scaleb(-len(digits[1]))))
    return 1.0


def legacy_checks(facts: list[Fact]) -> list[Check]:
    """Sum rules and percentage rules over prose facts."""
    values = first_values(facts)
    checks: list[Check] = []
    for rule, total_key, part_keys in sum_rules():
        parts = {k: values[k] for k in part_keys if k in values}
        if total_key not in values or len(parts) < 2:
            continue
        total = values[total_key]
        got = sum(parts.values())
        checks.append(
            Check(
                rule=rule,
                ok=got == total,
                detail=f"{' + '.join(str(v) for v in parts.values())} = {got}, stated {total}",
                values={total_key: total, **parts},
            )
        )
    checks.extend(_percent_checks(facts, values))
    return checks


def _percent_checks(facts: list[Fact], values: dict[str, Any]) -> list[Check]:
    checks = []
    ordered = sorted(facts, key=lambda f: f.start)
    for i, pct in enumerate(ordered):
        if pct.unit != "%" or pct.percent_of is None or pct.value is None:
            continue
        count = next(
            (
                f
                for f in reversed(ordered[:i])
                if f.evidence == pct.evidence and f.key and f.value == pct.percent_of
            ),
            None,
        )
        if count is None or count.key is None or count.value is None:  # keyed, valued: above
            continue
        base_key = _base_key(count.key, values)
        if base_key is None or not values.get(base_key):
            continue
        base = values[base_key]
        share = 100 * count.value / base
        tol = percent_tolerance(pct.raw)
        ok = abs(share - pct.value) <= tol + 1e-9
        checks.append(
            Check(
                rule="legacy.percent_matches_count",
                ok=ok,
                detail=(
                    f"{count.key} {count.value} of {base_key} {base} is {share:.2f}%, "
                    f"printed {pct.raw.strip()} (tolerance {tol:g} point)"
                ),
                values={count.key: count.value, base_key: base, "printed_percent": pct.value},
            )
        )
    return checks


def _base_key(key: str | None, values: dict[str, Any]) -> str | None:
    if not key:
        return None
    for prefix, bases in percent_bases():
        if key.startswith(prefix) and key not in bases:
            return next((b for b in bases if b in values), None)
    return None


def prose_vs_table(facts: list[Fact], table_vals: dict[str, Any]) -> list[Check]:
    """Every key that both the prose and a table state, compared: the table's value is the
    report's value (parser/values.py), and a prose figure that differs is a failed check
    naming both numbers and both places. Keys that agree are listed in one passing check.

    The prose count of requests may include the requests carried over from the year before
    ("共受理申请20件（含上年结转2件）"), so for applications.new.total the table's new plus
    carried-over requests also agrees."""
    checks: list[Check] = []
    agree: list[str] = []
    seen: set[tuple[str, Any]] = set()
    for f in sorted(facts, key=lambda f: f.start):
        if not f.is_prose or not f.key or f.value is None or f.unit == "%":
            continue
        table = table_vals.get(f.key)
        if table is None or (f.key, f.value) in seen:
            continue
        seen.add((f.key, f.value))
        accepted = {table}
        if f.key == "applications.new.total":
            accepted.add(table + (table_vals.get("applications.carried_over.total") or 0))
        if any(abs(float(f.value) - float(a)) < 1e-6 for a in accepted):
            agree.append(f.key)
            continue
        where = f"section {f.section}" if f.section else "the text"
        checks.append(Check(
            rule="prose_vs_table",
            ok=False,
            detail=(f"{f.key}: the prose states {f.value} ({where}: \"{_short(f.evidence)}\"), "
                    f"the table states {table}"),
            values={f.key: table, "prose": f.value, "table": table, "evidence": f.evidence},
        ))
    if agree:
        checks.append(Check(
            rule="prose_vs_table",
            ok=True,
            detail=f"{len(agree)} figure(s) stated in both prose and table agree: "
                   + ", ".join(sorted(set(agree))),
            values={"agree": sorted(set(agree))},
        ))
    return checks


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
