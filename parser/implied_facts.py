"""Facts a report states without a number of its own.

- Zeros in words: 未收到…申请, 没有发生…行政复议, 未发生…收费 (parser/data/zero_phrases.tsv).
  A clause cut by the end of an excerpt ("未发生信息公开的收费和") states nothing.
- All of a count: a clause after a count that says what all of it were ("收到申请5件，均为自然人
  申请"; "不予处理4件（均为信访举报投诉类申请）") states that part too
  (parser/data/echo_phrases.tsv), but only where "均" speaks of that count alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parser.indicators import unit_of
from parser.keyrules import echo_rules, valid_keys, zero_rules
from parser.model import Fact
from parser.prose_spans import Outline
from parser.quantities import Span

_NEGATION = re.compile(r"[未无不没免0零]")  # every zero phrase denies something
_DIGIT = re.compile(r"\d")


def zero_facts(
    text: str, view: str, span: Span, clauses: list[Span], outline: Outline, evidence: str,
    found: list[Fact], era: str, open_end: int,
) -> Iterator[Fact]:
    """Zeros stated in words: 未收到…申请, 没有发生…行政复议, 未发生…收费."""
    have = {f.key for f in found if f.key}
    sentence = view[span.start : span.end]
    if not _NEGATION.search(sentence):
        return
    for clause in clauses:
        a, b = clause.start, clause.end
        if a >= open_end:
            break  # cut by the end of the excerpt: what it denies is not known
        chunk = view[a:b]
        if not _NEGATION.search(chunk) or any(a <= f.start < b for f in found):
            continue  # no denial, or a clause with its own number (it states that number)
        top = outline.at(a)
        for rule in zero_rules(era):
            m = rule.pattern.search(chunk)
            if not m or (rule.exclude and rule.exclude.search(chunk)):
                continue
            if rule.context and not (
                rule.context.search(sentence) or (top and rule.context.search(top.heading))
            ):
                continue
            for key in rule.keys:
                if key in have or unit_of(key) is None:
                    continue
                have.add(key)
                yield Fact(
                    key=key,
                    value=0,
                    unit=unit_of(key),
                    label=m.group(),
                    evidence=evidence,
                    section=top.number if top else None,
                    method="text",
                    start=a + m.start(),
                    end=a + m.end(),
                    raw=text[a + m.start() : a + m.end()],
                    status="zero_word",
                )


def echo_facts(
    text: str, view: str, clauses: list[Span], evidence: str, found: list[Fact], era: str
) -> Iterator[Fact]:
    """A clause without a number that says what all of the count before it were:
    "收到申请5件，均为自然人申请" states 5 natural-person requests."""
    counts = [f for f in found if f.status == "value" and f.unit != "%" and f.value is not None]
    if not counts:
        return
    have = {f.key for f in found if f.key}
    for clause in clauses:
        a, b = clause.start, clause.end
        if any(a <= f.start < b for f in found) or _DIGIT.search(view, a, b):
            continue
        before = [f for f in counts if f.end <= a]
        if not before:
            continue
        for rule in echo_rules(era):
            if rule.of_label is not None:  # the count right before: "不予处理4件（均为信访…）"
                last = before[-1]
                count = last if rule.of_label.search(last.label) else None
            else:
                count = next((f for f in reversed(before) if f.key == rule.of_key), None)
                # "均…" speaks of the count right before it, or of the whole its parts (the
                # channels of received requests) belong to; after another kind of count
                # ("行政复议7件，诉讼9件，均获维持") it speaks of both, and gives neither.
                family = rule.of_key.rpartition(".")[0] + "."
                last = before[-1]
                if count is not None and last is not count and not (
                    last.key and last.key.startswith(family)
                ):
                    count = None
            if count is None or rule.key in have or not valid_keys((rule.key,), era):
                continue
            m = rule.pattern.search(view[a:b])
            if not m or (rule.exclude and rule.exclude.search(view[a:b])):
                continue
            have.add(rule.key)
            yield Fact(
                key=rule.key,
                value=count.value,
                unit=count.unit,
                label=m.group(),
                evidence=evidence,
                section=count.section,
                method="text",
                start=a + m.start(),
                end=a + m.end(),
                raw=text[a + m.start() : a + m.end()],
                note=f"all of the {count.value} stated before ({count.label})",
            )
