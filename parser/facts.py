"""Numeric facts stated in running text, with their label, evidence and canonical key.

A fact is a number with a unit of quantity (parser/quantities.py) or a zero stated in words
(未收到…申请). Which key it means is decided by the rule tables of its report's era
(parser/keyrules.py); this module applies the rules and the judgements that hold for every
rule, because they are about how reports speak, not about one indicator:
- an estimate (近5000条, 128余条) gets no key: the key's value would be a guess;
- a cumulative figure (历年累计, 截至目前, a second 累计 after the year's figure) is not the
  year's value;
- a change (比上年增加3件) and a figure of another year (2013年的1128条) are not this year's;
- one number for several things: "网络和信函申请各3件" is 3 for each, "行政复议、行政诉讼和
  申诉案件0件" is 0 for each, but "行政复议和行政诉讼3件" is a combined count with no key;
- a clause that says what all of a count were ("收到申请5件，均为自然人申请") states that
  part too (parser/data/echo_phrases.tsv);
- a sentence that gives one key two different values is ambiguous: neither gets the key;
- a clause cut by the end of an excerpt ("未发生信息公开的收费和") states nothing.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from parser.indicators import unit_of
from parser.keyrules import (
    LEGACY,
    SOLE_MARK,
    echo_rules,
    keys_for,
    label_rules,
    valid_keys,
    zero_rules,
)
from parser.labels import clean_label
from parser.model import Fact, Section
from parser.numerals import ARABIC, match_view, parse_number
from parser.quantities import (
    CLAUSE_END,
    SENTENCE_END,
    SPACE,
    Span,
    is_approximate,
    label_context,
    quantities,
    spans,
)

__all__ = ["extract_facts", "label_rules", "zero_rules"]

_COORDINATOR = re.compile(r"以及|[、和及与或]")
# Cumulative words: 历年累计 and its kin always; 截至/截止 for stocks of disclosed information.
_CUMULATIVE = re.compile(
    r"历年|累计至今|迄今|至今|以来累计|自\d{4}年.{0,12}以来|实施以来|运行以来|开通以来|近[二三四五六七八九十\d]年"
)
_AS_OF = re.compile(r"截至|截止|截至目前|截止目前")
_RUNNING_TOTAL = re.compile(r"累计")
_YEAR_SCOPE = re.compile(r"全年|本年|今年|年内|一年来|本年度")  # and the report year itself
_YEAR = re.compile(r"((?:19|20)\d{2})\s?年")
# Words of the label itself that restrict a figure to the year ("其中2016年新增…386条"),
# whatever a 截至 or 累计 earlier in the statement says.
_ANNUAL_LABEL = re.compile(r"新增|全年|本年|今年|年内|当年")
_CHANGE_BEFORE = re.compile(r"(?:增加|增长|减少|下降|提高|上升|增|减|多|少)了?$")
_OTHER_YEAR_WORDS = re.compile(r"上年|去年|上一年|前年|上年度")
_YEAR_IN_LABEL = re.compile(r"((?:19|20)\d{2})\s?年")
_STOCK_KEYS = ("legacy.active.",)
_NEGATION = re.compile(r"[未无不没免0零]")  # every zero phrase denies something
_DIGIT = re.compile(r"\d")
# Keys that count everything of a kind: in a coordination they are not one more category.
_TOTALS = frozenset({
    "applications.new.total", "results.total.total", "legacy.apply.received.total",
    "legacy.apply.replies.total", "legacy.active.total",
})
_SHORT = 24  # characters: a heading cut off as a sentence of its own
_DOC_END_MARKS = "。；;！!？?）)」”\"'|"
_SIGNED_DATE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")


@cache
def _table_markers() -> re.Pattern[str]:
    path = resources.files("parser") / "data" / "table_markers.txt"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return re.compile("|".join(f"(?:{m})" for m in lines if m and not m.startswith("#")))


def _prose_sentences(
    text: str, view: str, sections: list[Section], skip: list[tuple[int, int]]
) -> Iterator[Span]:
    """Sentences of running text: not in a statistics section, a table, or table rows.

    A heading starts a new sentence even where it runs inline ("…运行正常 二、政府信息主动
    公开情况 (一)公开的主要内容: 2016年度共主动公开…"), and its text ends one, so that a
    sentence never spans two sections and a heading's words are never a label's."""
    markers = _table_markers()
    tops = [s for s in sections if s.level == 1]
    stats = [(s.start, s.end) for s in tops if s.key == "statistics"]
    cuts = sorted({s.start for s in sections if s.level <= 2} | set(_heading_ends(text, sections)))
    for sentence in spans(SENTENCE_END, view):
        for span in _cut(sentence, cuts):
            piece = text[span.start : span.end]
            if not piece.strip():
                continue
            if markers.search(SPACE.sub("", piece)) and _looks_tabular(view[span.start : span.end]):
                continue
            if any(a < span.end and span.start < b for a, b in skip):
                continue
            if any(a <= span.start < b for a, b in stats):
                continue
            yield span


def _cut(s: Span, cuts: list[int]) -> list[Span]:
    inner = [c for c in cuts[bisect.bisect_right(cuts, s.start) :] if c < s.end]
    bounds = [s.start, *inner, s.end]
    return [Span(a, b) for a, b in itertools.pairwise(bounds) if b > a]


_NUMBER_TOKEN = re.compile(rf"{ARABIC}")
_UNIT_AFTER = re.compile(
    r"\s?(?:余|多)?(?:人次|件次|万元|亿元|[件条个次项篇期场人名家户份类批起宗册本张部处所台套位组轮页栏元%年月日号])"
)


def _looks_tabular(sentence: str) -> bool:
    """Table rows (flattened or not) print numbers without units; prose puts a unit after
    each ("结果维持 259 件"). A sentence with a table label and mostly bare numbers is a
    table's text."""
    numbers = list(_NUMBER_TOKEN.finditer(sentence))
    bare = sum(1 for m in numbers if not _UNIT_AFTER.match(sentence, m.end()))
    return bare >= 2 and bare * 2 >= len(numbers)


def _heading_ends(text: str, sections: list[Section]) -> list[int]:
    """Where each heading's text ends: a label never starts inside a heading."""
    ends = []
    for sec in sections:
        at = text.find(sec.heading, sec.start) if sec.heading else -1
        ends.append(at + len(sec.heading) if at >= 0 else sec.start + len(sec.number) + 1)
    return sorted(ends)


class _Outline:
    """The top-level section at any offset."""

    def __init__(self, sections: list[Section]):
        self.tops = [s for s in sections if s.level == 1]
        self.starts = [s.start for s in self.tops]

    def at(self, offset: int) -> Section | None:
        i = bisect.bisect_right(self.starts, offset)
        top = self.tops[i - 1] if i else None
        return top if top is not None and offset < top.end else None


def _normalise(value: float | int, unit: str | None, key_unit: str | None):
    """Express a money amount in the unit its key is defined in (万元 -> 元, 元 -> 万元)."""
    if key_unit == "元" and unit == "万元":
        value = value * 10_000
        return (int(value) if float(value).is_integer() else round(value, 2)), "元"
    if key_unit == "元" and unit == "亿元":
        return int(value * 100_000_000), "元"
    if key_unit == "万元" and unit == "元":
        value = value / 10_000
        return (int(value) if float(value).is_integer() else round(value, 6)), "万元"
    return value, unit


@dataclass
class _Reading:
    """What the words around one number say about it, before any rule is applied."""

    label: str  # "before□after"
    context: str
    near: str
    approx: bool
    cumulative: bool
    stock_only: bool  # cumulative for stocks of disclosed information only (截至…)
    change: bool
    other_year: bool


def _read(
    view: str, span: Span, m: re.Match[str], before: str, after: str, report_year: int | None,
    earlier: str,
) -> _Reading:
    """`earlier`: the context before this sentence, spaces removed (computed once for it)."""
    near = SPACE.sub("", view[span.start : m.start()])
    statement = near[near.rfind("；") + 1 :] if "；" in near or ";" in near else near
    if ";" in statement:
        statement = statement[statement.rfind(";") + 1 :]
    for mark in ("。", "！", "？", "!", "?"):
        if mark in statement:
            statement = statement[statement.rfind(mark) + 1 :]
    running = "累计" in before and not _in_year(near.split("累计")[0], report_year)
    other_year = bool(_OTHER_YEAR_WORDS.search(before))
    if report_year and "年" in before:
        other_year |= any(int(y) != report_year for y in _YEAR_IN_LABEL.findall(before))
    cumulative = running or bool(_CUMULATIVE.search(statement))
    stock_only = bool(_AS_OF.search(statement))
    if (cumulative or stock_only) and not re.search(r"历年|累计", before) and (
        _ANNUAL_LABEL.search(before) or (report_year and f"{report_year}年" in before)
    ):
        cumulative = stock_only = False  # "截至…累计2,117条，其中2016年新增…386条"
    return _Reading(
        label=f"{before}□{after}",
        context=earlier + near + after,
        near=near,
        approx=is_approximate(view, m),
        cumulative=cumulative,
        stock_only=stock_only,
        change=bool(_CHANGE_BEFORE.search(before)),
        other_year=other_year,
    )


def _in_year(text: str, report_year: int | None) -> bool:
    """Does `text` restrict what follows to the report year (2013年, 全年, 本年度…)?"""
    if _YEAR_SCOPE.search(text):
        return True
    return report_year is not None and any(int(y) == report_year for y in _YEAR.findall(text))


def _keys(
    r: _Reading, unit: str | None, value: float, era: str, section_key: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The keys of one number, and why it has none where a rule matched but a judgement
    above refused it."""
    if unit == "%":
        return (), None
    unit = unit or _implied_unit(r.label)
    kwargs = {"era": era, "context": r.context, "section_key": section_key, "near": r.near}
    keys = _coordinated(r, unit, value, kwargs)
    if keys is None:
        keys = keys_for(r.label, unit, value, other_year=r.other_year, **kwargs)
    if not keys:
        return (), None
    if r.approx:
        return (), "approximate (余/多/近/约): no key"
    if r.change:
        return (), "a change against another year: no key"
    if r.cumulative:
        return (), "cumulative (历年/累计): not the year's value"
    if r.stock_only and any(k.startswith(_STOCK_KEYS) for k in keys):
        return (), "as of a date (截至): a stock, not the year's value"
    return keys, None


def _coordinated(r: _Reading, unit, value, kwargs) -> tuple[str, ...] | None:
    """Keys of a number shared by coordinated things, or None where nothing is coordinated.

    "网络和信函申请各3件" gives 3 to each; a zero ("行政复议、行政诉讼和申诉案件0件") is 0 for
    each; any other shared number is a combined count, with no key ()."""
    before, _, after = r.label.partition("□")
    parts = [p for p in _COORDINATOR.split(before) if p]
    if len(parts) < 2:
        return None
    found: list[str] = []
    for i, part in enumerate(parts):
        keys = _part_keys(part, after, unit, value, kwargs)
        if not keys and i < len(parts) - 1:
            # "行政处罚、行政强制处理决定各0件": the last part's words belong to every part
            keys = _part_keys(part + parts[-1], after, unit, value, kwargs)
        for key in keys:
            if key not in found:
                found.append(key)
    # "属于信访举报投诉类申请、已转相关部门办理的4件": 办理 is not another category beside the
    # petitions; a total is dropped where a key of its own family names the category.
    families = {_family(k) for k in found if k.removesuffix(SOLE_MARK) not in _TOTALS}
    found = [k for k in found
             if k.removesuffix(SOLE_MARK) not in _TOTALS or _family(k) not in families]
    if len({k.removesuffix(SOLE_MARK) for k in found}) < 2:
        return None
    if value == 0 or before.endswith("各"):
        return tuple(k.removesuffix(SOLE_MARK) for k in found)
    return ()


def _family(key: str) -> str:
    """results.total.total and results.not_processed.petition.total are one family."""
    parts = key.split(".")
    return ".".join(parts[:2]) if parts[0] == "legacy" else parts[0]


def _part_keys(part: str, after: str, unit, value, kwargs) -> tuple[str, ...]:
    keys = keys_for(f"{part}□{after}", unit, value, **kwargs)
    if not keys and value == 0:
        # A zero shared by things counted in different units ("收费及减免、行政复议…件数均为0")
        # is a zero of each: try the part in the units its rules count in.
        for other in ("元", "件", "条", "人次"):
            keys = keys or keys_for(f"{part}□{after}", other, value, **kwargs)
    return keys


def _implied_unit(label: str) -> str | None:
    """The unit of a bare number from its label: 件数为0 counts 件."""
    for word, unit in (("件数", "件"), ("条数", "条"), ("次数", "次"), ("人数", "人"),
                       ("数量", "件")):
        if word in label:
            return unit
    return None


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
    heading_ends = _heading_ends(text, sections)
    outline = _Outline(sections)
    open_end = _open_end(view)
    facts: list[Fact] = []
    starts = [0, 0]  # where the last two sentences of some length started
    for span in _prose_sentences(text, view, sections, skip or []):
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
        i = bisect.bisect_right(heading_ends, span.end)
        floor = heading_ends[i - 1] if i and heading_ends[i - 1] >= span.start else span.start
        for m in quantities(view, span):
            value = parse_number(m.group("num") + (m.group("mult") or ""))
            if value is None:
                continue
            unit = m.group("unit")
            start_floor = floor if floor <= m.start() else span.start
            before, after = label_context(view, span, m.start(), m.end(), start_floor)
            floor = m.end()
            top = outline.at(m.start())
            reading = _read(view, span, m, before, after, report_year, earlier)
            if before.startswith("其中"):
                parts.add(m.start())
            keys, why_not = _keys(reading, unit, value, era, top.key if top else None)
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
                val, unit_out = _normalise(value, unit, unit_of(key.removesuffix(SOLE_MARK)))
                sentence_facts.append(
                    Fact(**{**base.__dict__, "key": key, "value": val, "unit": unit_out or unit})
                )
        sentence_facts = _ambiguous(sentence_facts, parts)
        clauses = spans(CLAUSE_END, view, span.start, span.end)
        sentence_facts.extend(_zero_facts(
            text, view, span, clauses, outline, evidence, sentence_facts, era, open_end
        ))
        if sentence_facts:
            sentence_facts.extend(
                _echo_facts(text, view, clauses, evidence, sentence_facts, era)
            )
        facts.extend(sentence_facts)
    return _resolve_sole(facts)


def _open_end(view: str) -> int:
    """Where the last clause starts when the text ends in the middle of it (an excerpt cut
    at a byte limit); len(view) when the text ends at a sentence end."""
    tail = view.rstrip()
    if not tail or tail[-1] in _DOC_END_MARKS or _SIGNED_DATE.search(tail):
        return len(view)
    last = max((m.end() for m in CLAUSE_END.finditer(tail)), default=0)
    return last


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
    firsts = {}
    for f in facts:
        if f.key in clash:
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


def _zero_facts(
    text: str, view: str, span: Span, clauses: list[Span], outline: _Outline, evidence: str,
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


def _echo_facts(
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
