"""Numeric facts stated in running text, with their label, evidence and canonical key.

A fact is a number with a unit of quantity (parser/quantities.py) or a zero stated in words
(未收到…申请). Which key it means is decided by the rule tables of its report's era
(parser/keyrules.py). The steps, each in its module:
- parser/prose_spans.py: the sentences of running text, and each offset's section;
- parser/quantities.py: the numbers with a unit, and the clause that labels each;
- parser/readings.py: what the words around a number say (estimate, cumulative, change,
  another year, one number for several things) and which keys that gives;
- parser/implied_facts.py: zeros stated in words, and clauses that say what all of a count were.
Here, per sentence: a key given two different values is ambiguous and kept by neither (a later
part introduced by 其中 loses it instead); a second 累计 after the year's figure is cumulative.
"""

from __future__ import annotations

import bisect

from parser.implied_facts import echo_facts, zero_facts
from parser.indicators import unit_of
from parser.keyrules import LEGACY, SOLE_MARK, label_rules, zero_rules
from parser.labels import clean_label
from parser.model import Fact, Section
from parser.numerals import match_view, parse_number
from parser.prose_spans import Outline, heading_ends, open_end, prose_sentences
from parser.quantities import CLAUSE_END, SPACE, label_context, quantities, spans
from parser.readings import keys_of, normalise, read

__all__ = ["extract_facts", "label_rules", "zero_rules"]

_SHORT = 24  # characters: a heading cut off as a sentence of its own


def extract_facts(
    text: str,
    sections: list[Section],
    skip: list[tuple[int, int]] | None = None,
    era: str = LEGACY,
    report_year: int | None = None,
) -> list[Fact]:
    """Every quantity stated in the prose of `text`, keyed where a rule of `era` says what
    it means. `skip` lists spans (tables) whose numbers belong to the table extractor;
    `report_year` lets figures of other years be told apart."""
    view = match_view(text)
    ends = heading_ends(text, sections)
    outline = Outline(sections)
    cut_at = open_end(view)
    facts: list[Fact] = []
    starts = [0, 0]  # where the last two sentences of some length started
    for span in prose_sentences(text, view, sections, skip or []):
        previous_start = starts[-1]
        if span.end - span.start > _SHORT:  # a heading alone is no sentence of context
            starts = [starts[-1], span.start]
        # What a rule's context may see: this paragraph or the previous sentence, whichever
        # starts earlier, and never more than 200 characters back.
        paragraph_start = view.rfind("\n", 0, span.start) + 1
        context_start = max(span.start - 200, min(previous_start, paragraph_start))
        evidence = text[span.start : span.end].strip()
        earlier = SPACE.sub("", view[context_start : span.start])
        parts: set[int] = set()
        sentence_facts: list[Fact] = []
        i = bisect.bisect_right(ends, span.end)
        floor = ends[i - 1] if i and ends[i - 1] >= span.start else span.start
        for m in quantities(view, span):
            value = parse_number(m.group("num") + (m.group("mult") or ""))
            if value is None:
                continue
            unit = m.group("unit")
            start_floor = floor if floor <= m.start() else span.start
            before, after = label_context(view, span, m.start(), m.end(), start_floor)
            floor = m.end()
            top = outline.at(m.start())
            reading = read(view, span, m, before, after, report_year, earlier)
            if before.startswith("其中"):
                parts.add(m.start())
            keys, why_not = keys_of(reading, unit, value, era, top.key if top else None)
            if keys and "累计" in before and any(f.key in keys for f in sentence_facts):
                # "共主动公开信息222条，累计主动公开信息2382条": the year's figure came first
                keys, why_not = (), "cumulative (累计) after the year's figure: no key"
            base = Fact(
                key=None,
                value=value,
                unit=unit,
                label=clean_label(before, after),
                evidence=evidence,
                section=top.number if top else None,
                method="text",
                start=m.start(),
                end=m.end(),
                raw=text[m.start() : m.end()],
                note=why_not or ("approximate (余/多/近/约)" if reading.approx else None),
            )
            if unit == "%":
                base.percent_of = _percent_base(sentence_facts)
            if not keys:
                sentence_facts.append(base)
                continue
            for key in keys:
                val, unit_out = normalise(value, unit, unit_of(key.removesuffix(SOLE_MARK)))
                sentence_facts.append(
                    Fact(**{**base.__dict__, "key": key, "value": val, "unit": unit_out or unit})
                )
        sentence_facts = _ambiguous(sentence_facts, parts)
        clauses = spans(CLAUSE_END, view, span.start, span.end)
        sentence_facts.extend(zero_facts(
            text, view, span, clauses, outline, evidence, sentence_facts, era, cut_at
        ))
        if sentence_facts:
            sentence_facts.extend(
                echo_facts(text, view, clauses, evidence, sentence_facts, era)
            )
        facts.extend(sentence_facts)
    return _resolve_sole(facts)


def _ambiguous(facts: list[Fact], parts: set[int]) -> list[Fact]:
    """A key given two different values in one sentence is kept by neither, unless the later
    ones are parts (`parts`: offsets of numbers introduced by 其中), which lose it instead."""
    values: dict[str, set] = {}
    for f in facts:
        if f.key:
            values.setdefault(f.key, set()).add(f.value)
    clash = {k for k, v in values.items() if len(v) > 1}
    if not clash:
        return facts
    firsts: dict[str, Fact] = {}
    for f in facts:
        if f.key is not None and f.key in clash:
            firsts.setdefault(f.key, f)
    for key in list(clash):
        later = [f for f in facts if f.key == key and f is not firsts[key]]
        if all(f.start in parts or f.value == firsts[key].value for f in later):
            # "复议2件，其中1件被撤销": a part after 其中 is not a second total; it loses the key
            for f in later:
                if f.value != firsts[key].value:
                    f.key, f.note = None, f"a part (其中) of {key} {firsts[key].value}: no key"
            clash.discard(key)
    if not clash:
        return _dedupe(facts)
    out: list[Fact] = []
    seen: set[tuple[int, str]] = set()
    for f in facts:
        if f.key in clash:
            if (f.start, f.key) in seen:
                continue
            seen.add((f.start, f.key))
            others = sorted(str(v) for v in values[f.key])
            f = Fact(**{**f.__dict__, "key": None,
                        "note": f"{f.key} stated as {' and '.join(others)} in one sentence: "
                                "ambiguous, no key"})
            if any(o.start == f.start and o.key is None for o in out):
                continue
        out.append(f)
    return out


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One unkeyed fact per number where several keyed copies of it lost their keys."""
    out, seen = [], set()
    for f in facts:
        if f.key is None:
            if f.start in seen:
                continue
            seen.add(f.start)
        out.append(f)
    return out


def _resolve_sole(facts: list[Fact]) -> list[Fact]:
    """Keep a "sole" key (a website count read as the total) only where no other fact of
    the document states that key or another channel; say so in the fact's note."""
    stated = {f.key for f in facts if f.key and not f.key.endswith(SOLE_MARK)}
    sole_sources = {f.start for f in facts if f.key and f.key.endswith(SOLE_MARK)}
    channels = {
        f.key for f in facts
        if f.key and f.key.startswith("legacy.active.via.") and f.start not in sole_sources
    }
    out = []
    for f in facts:
        if f.key and f.key.endswith(SOLE_MARK):
            key = f.key.removesuffix(SOLE_MARK)
            if key in stated or channels:
                continue
            f.key = key
            f.note = "the report's only count of this kind: taken as the total"
        out.append(f)
    return out


def _percent_base(previous: list[Fact]) -> int | float | None:
    """A percentage describes the last count stated before it in the same sentence."""
    for fact in reversed(previous):
        if fact.unit != "%" and fact.value is not None:
            return fact.value
    return None
