"""Numeric facts stated in running text, with their label, evidence and canonical key.

A fact is a number followed by a unit of quantity (件, 条, 人次, 万元, % …), or a zero stated
in words (未收到…申请). Dates, years, document numbers, phone numbers, postcodes and 第N条
have no unit of quantity after them, so requiring one keeps them out; the few forms that do
look like quantities are excluded by name below. Which key a label means is decided by the
rule tables in parser/data (legacy_labels.tsv, zero_phrases.tsv), not here.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from parser.indicators import unit_of
from parser.labels import clean_label
from parser.model import Fact, Section
from parser.numerals import ARABIC, CN_NUMERAL_CHARS, match_view, parse_number

# Units of quantity, longest first so that 人次 wins over 人 and 万元 over 元.
UNITS = sorted(
    "人次 件次 家次 万元 亿元 元 件 条 个 次 项 篇 期 场 人 名 家 户 份 类 批 起 宗 册 本 张 部 "
    "处 所 台 套 位 组 轮 页 栏 余件 %".split(),
    key=len,
    reverse=True,
)
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

QUANTITY_RE = re.compile(
    rf"(?P<num>{ARABIC}|[{CN_NUMERAL_CHARS}]+)"
    r"(?:\s?(?P<approx>余|多))?(?P<mult>[万亿](?!元))?(?P<approx2>余|多)?"
    rf"\s?(?P<unit>{_UNIT_RE})?"
)
# Clause and sentence ends: a label never reaches across them.
# A line break ends a sentence only before a blank line or a numbered heading: PDF text
# breaks lines inside sentences ("…主动公开政府信息 1136\n条").
SENTENCE_END = re.compile(
    r"[。；;！!？?]|\n(?=\s*\n)|\n(?=\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．]\D))"
)
CLAUSE_END = re.compile(r"[。；;！!？?，,：:（(）)【】]")
_SPACE = re.compile(r"\s+")
# Numbers that are never facts however they are followed.
_NOT_BEFORE = re.compile(r"(?:第|No\.?|编号|邮编|电话|传真|QQ|〔|\[|［|[“「‘\"])\s?$")
_NOT_AFTER = re.compile(r"^\s?(?:[年月日号时分秒]|周年|世纪|届|\.\d|@|-\d|/\d|\d)")
_EXPLICIT_ZERO_BEFORE = re.compile(r"(?:为|是|均为|都为|计|共)\s?$")
# 一 alone is far more often a word (一是, 一条龙, 一次性) than a count.
_LONE_WORDS = {"一", "两", "十", "万", "亿", "千", "百"}
MAX_LABEL = 40


@dataclass(frozen=True)
class LabelRule:
    """One row of data/legacy_labels.tsv: when a label means a key.

    `pattern` and `exclude` are searched in the label text "before□after" (□ stands for
    the number, so a pattern can ask for a word right before it); `context` and
    `context_exclude` in the sentence up to the number; `sections` limits the rule to
    top-level sections with those keys; `when` = "zero" applies the rule to 0 only.
    """

    keys: tuple[str, ...]
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None
    units: frozenset[str]
    context: re.Pattern[str] | None
    context_exclude: re.Pattern[str] | None
    sections: frozenset[str] | None
    when: (
        str  # "" always; "zero": only a 0; "sole": the first keys only if nothing else states them
    )


def _opt(pattern: str) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _data_rows(name: str) -> list[dict[str, str]]:
    path = resources.files("parser") / "data" / name
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _lines(name: str) -> list[str]:
    path = resources.files("parser") / "data" / name
    text = path.read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def label_rules() -> tuple[LabelRule, ...]:
    """Label -> key rules from data/legacy_labels.tsv, in priority order."""
    return tuple(
        LabelRule(
            keys=tuple(row["key"].split("+")),
            pattern=re.compile(row["pattern"]),
            exclude=_opt(row["exclude"]),
            units=frozenset(row["units"].split()),
            context=_opt(row["context"]),
            context_exclude=_opt(row["context_exclude"]),
            sections=frozenset(row["sections"].split()) if row["sections"] else None,
            when=row["when"],
        )
        for row in _data_rows("legacy_labels.tsv")
    )


@cache
def zero_rules() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]:
    return tuple(
        (r["key"], re.compile(r["pattern"]), re.compile(r["exclude"]) if r["exclude"] else None)
        for r in _data_rows("zero_phrases.tsv")
    )


@cache
def table_markers() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{m})" for m in _lines("table_markers.txt")))


# A quantity of the report's own structure ("八个部分", "三个方面") is never an indicator.
# Marks a key that a "sole" rule gives only where no other fact of the report states it.
SOLE_MARK = "?sole"
_STRUCTURE_NOUN = re.compile(r"^(?:部分|方面|环节|阶段|层面|层次)")


def keys_for(
    label: str,
    unit: str | None,
    value: float | None,
    context: str = "",
    section_key: str | None = None,
    near: str = "",
) -> tuple[str, ...]:
    """The canonical keys a label ("before□after") means, by the first matching rule.

    `context` (the sentence before, this one up to the number, and the label's tail) must
    match a rule's `context`; `near` (this sentence up to the number) must not match its
    `context_exclude`.
    """
    after = label.partition("□")[2]
    if _STRUCTURE_NOUN.match(after):
        return ()
    for rule in label_rules():
        if unit not in rule.units or not rule.pattern.search(label):
            continue
        if rule.exclude and rule.exclude.search(label):
            continue
        if rule.context and not rule.context.search(context):
            continue
        if rule.context_exclude and rule.context_exclude.search(near):
            continue
        if rule.sections is not None and section_key not in rule.sections:
            continue
        if rule.when == "zero" and value != 0:
            continue
        if rule.when == "sole":
            return tuple(f"{k}{SOLE_MARK}" for k in rule.keys[:-1]) + rule.keys[-1:]
        return rule.keys
    return ()


@dataclass
class _Span:
    start: int
    end: int


def _spans(pattern: re.Pattern[str], text: str) -> list[_Span]:
    """Split text into spans ending at each match of `pattern` (the mark stays in the span)."""
    spans, start = [], 0
    for m in pattern.finditer(text):
        spans.append(_Span(start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append(_Span(start, len(text)))
    return spans


def _prose_sentences(text: str, sections: list[Section], skip: list[tuple[int, int]]):
    """Sentences of running text: not in a statistics section, a table, or table rows."""
    markers = table_markers()
    tops = [s for s in sections if s.level == 1]
    top_starts = [s.start for s in tops]
    for span in _spans(SENTENCE_END, text):
        sentence = text[span.start : span.end]
        if not sentence.strip():
            continue
        if markers.search(_SPACE.sub("", sentence)) and _looks_tabular(sentence):
            continue
        if any(a < span.end and span.start < b for a, b in skip):
            continue
        i = bisect.bisect_right(top_starts, span.start)
        top = tops[i - 1] if i and span.start < tops[i - 1].end else None
        if top is not None and top.key == "statistics":
            continue
        yield span, top


_NUMBER_TOKEN = re.compile(rf"{ARABIC}")
_UNIT_AFTER = re.compile(rf"\s?(?:余|多)?(?:{_UNIT_RE}|[年月日号])")


def _looks_tabular(sentence: str) -> bool:
    """Table rows (flattened or not) print numbers without units; prose puts a unit after
    each ("结果维持 259 件"). A sentence with a table label and mostly bare numbers is a
    table's text."""
    view = match_view(sentence)
    numbers = list(_NUMBER_TOKEN.finditer(view))
    bare = sum(1 for m in numbers if not _UNIT_AFTER.match(view, m.end()))
    return bare >= 2 and bare * 2 >= len(numbers)


def _label_context(
    view: str, s: _Span, num_start: int, num_end: int, floor: int
) -> tuple[str, str]:
    """The clause text before a number and after its unit, within the sentence.

    The text before never reaches back past `floor` (the end of the previous number or of
    a heading) and the text after stops at an enumeration comma or the next digit, so that
    in "规范性文件2条、部门预决算信息4条" the 4 is not labelled 规范性文件.
    """
    before_start = max(s.start, floor)
    for m in CLAUSE_END.finditer(view, before_start, num_start):
        before_start = m.end()
    after_end = s.end
    m = CLAUSE_END.search(view, num_end, s.end)
    if m:
        after_end = m.start()
    digit = re.compile(r"\d").search(view, num_end, after_end)
    if digit:  # the next number starts the next item: stop at the last 、 before it
        after_end = view.rfind("、", num_end, digit.start())
        after_end = after_end if after_end >= 0 else digit.start()
    # Line breaks and spaces inside a clause are layout (PDF lines, "商业 企业"), not words.
    before = _SPACE.sub("", view[max(before_start, num_start - MAX_LABEL) : num_start])
    after = _SPACE.sub("", view[num_end : min(after_end, num_end + MAX_LABEL)])
    return before, after


def _heading_ends(text: str, sections: list[Section]) -> list[int]:
    """Where each heading's text ends: a label never starts inside a heading."""
    ends = []
    for sec in sections:
        at = text.find(sec.heading, sec.start) if sec.heading else -1
        ends.append(at + len(sec.heading) if at >= 0 else sec.start + len(sec.number) + 1)
    return sorted(ends)


def _quantities(view: str, s: _Span) -> Iterator[re.Match[str]]:
    for m in QUANTITY_RE.finditer(view, s.start, s.end):
        num = m.group("num")
        unit = m.group("unit")
        before = view[max(0, m.start() - 6) : m.start()]
        if _NOT_BEFORE.search(before) or _NOT_AFTER.match(view[m.end("num") : m.end("num") + 3]):
            continue
        if num[0] in CN_NUMERAL_CHARS and (num in _LONE_WORDS or num[0] in "万亿千百" or not unit):
            continue
        if not unit:
            # A bare number counts only as an explicit total: 件数为0, 总数是12.
            tail = view[m.end() : m.end() + 1]
            if not (_EXPLICIT_ZERO_BEFORE.search(before) and (not tail or tail in "。；;，,\n ")):
                continue
        if m.start() > 0 and re.match(r"[\d.]", view[m.start() - 1]):
            continue
        yield m


def _normalise(value: float | int, unit: str | None, key_unit: str | None):
    """Express a money amount in the unit its key is defined in (万元 -> 元)."""
    if key_unit == "元" and unit == "万元":
        value = value * 10_000
        return (int(value) if float(value).is_integer() else round(value, 2)), "元"
    if key_unit == "元" and unit == "亿元":
        return int(value * 100_000_000), "元"
    return value, unit


def extract_facts(
    text: str, sections: list[Section], skip: list[tuple[int, int]] | None = None
) -> list[Fact]:
    """Every quantity stated in the prose of `text`, keyed where a rule says what it means.

    `skip` lists spans (tables) whose numbers belong to the table extractor.
    """
    view = match_view(text)
    heading_ends = _heading_ends(text, sections)
    facts: list[Fact] = []
    previous_end = 0
    for span, top in _prose_sentences(text, sections, skip or []):
        previous_start, previous_end = previous_end, span.start
        # What a rule's context may see: this paragraph or the previous sentence, whichever
        # starts earlier, and never more than 200 characters back.
        paragraph_start = view.rfind("\n", 0, span.start) + 1
        context_start = max(span.start - 200, min(previous_start, paragraph_start))
        evidence = text[span.start : span.end].strip()
        section = top.number if top else None
        sentence_facts: list[Fact] = []
        i = bisect.bisect_right(heading_ends, span.end)
        floor = heading_ends[i - 1] if i and heading_ends[i - 1] >= span.start else span.start
        for m in _quantities(view, span):
            value = parse_number(m.group("num") + (m.group("mult") or ""))
            if value is None:
                continue
            unit = m.group("unit")
            start_floor = floor if floor <= m.start() else span.start
            before, after = _label_context(view, span, m.start(), m.end(), start_floor)
            floor = m.end()
            keys: tuple[str, ...] = ()
            if unit != "%":
                label_text = f"{before}□{after}"
                keys = keys_for(
                    label_text,
                    unit or _implied_unit(label_text),
                    value,
                    context=_SPACE.sub("", view[context_start : m.start()]) + after,
                    near=_SPACE.sub("", view[span.start : m.start()]),
                    section_key=top.key if top else None,
                )
            approx = bool(m.group("approx") or m.group("approx2"))
            base = Fact(
                key=None,
                value=value,
                unit=unit,
                label=clean_label(before, after),
                evidence=evidence,
                section=section,
                method="text",
                start=m.start(),
                end=m.end(),
                raw=text[m.start() : m.end()],
                note="approximate (余/多)" if approx else None,
            )
            if unit == "%":
                base.percent_of = _percent_base(sentence_facts)
            if not keys:
                sentence_facts.append(base)
                continue
            for key in keys:
                val, unit_out = _normalise(value, unit, unit_of(key.removesuffix(SOLE_MARK)))
                sentence_facts.append(
                    Fact(**{**base.__dict__, "key": key, "value": val, "unit": unit_out or unit})
                )
        sentence_facts.extend(_zero_facts(text, view, span, section, evidence, sentence_facts))
        facts.extend(sentence_facts)
    return _resolve_sole(facts)


def _resolve_sole(facts: list[Fact]) -> list[Fact]:
    """Keep a "sole" key (a website count read as the total) only where no other fact of
    the document states that key; say so in the fact's note."""
    stated = {f.key for f in facts if f.key and not f.key.endswith(SOLE_MARK)}
    out = []
    for f in facts:
        if f.key and f.key.endswith(SOLE_MARK):
            key = f.key.removesuffix(SOLE_MARK)
            if key in stated:
                continue
            f.key = key
            f.note = "the report's only count of this kind: taken as the total"
        out.append(f)
    return out


def _implied_unit(label: str) -> str | None:
    """The unit of a bare number from its label: 件数为0 counts 件."""
    for word, unit in (
        ("件数", "件"),
        ("条数", "条"),
        ("次数", "次"),
        ("人数", "人"),
        ("数量", "件"),
    ):
        if word in label:
            return unit
    return None


def _percent_base(previous: list[Fact]) -> int | float | None:
    """A percentage describes the last count stated before it in the same sentence."""
    for fact in reversed(previous):
        if fact.unit != "%" and fact.value is not None:
            return fact.value
    return None


def _zero_facts(
    text: str, view: str, span: _Span, section: str | None, evidence: str, found: list[Fact]
) -> Iterator[Fact]:
    """Zeros stated in words: 未收到…申请, 没有发生…行政复议, 未发生…收费."""
    have = {f.key for f in found if f.key}
    for clause in _spans(CLAUSE_END, view[span.start : span.end]):
        a, b = span.start + clause.start, span.start + clause.end
        chunk = view[a:b]
        if any(a <= f.start < b for f in found):
            continue  # a clause with its own number states that number instead
        for key, pattern, exclude in zero_rules():
            m = pattern.search(chunk)
            if not m or key in have or (exclude and exclude.search(chunk)):
                continue
            have.add(key)
            yield Fact(
                key=key,
                value=0,
                unit=unit_of(key),
                label=m.group(),
                evidence=evidence,
                section=section,
                method="text",
                start=a + m.start(),
                end=a + m.end(),
                raw=text[a + m.start() : a + m.end()],
                status="zero_word",
            )
