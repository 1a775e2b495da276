"""The prose of a report cut into sentences, and where each offset's section is.

A sentence of running text ends at 。；! ? or a blank line, and also where a heading starts
or ends, even inline ("…运行正常 二、政府信息主动公开情况 (一)公开的主要内容: 2016年度…"), so
that a sentence never spans two sections and a heading's words never label a number. Table
text (flattened or not) and statistics sections are not prose: their numbers belong to the
table stage.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from parser.model import Section
from parser.numerals import ARABIC
from parser.quantities import CLAUSE_END, SENTENCE_END, SPACE, Span, spans

_DOC_END_MARKS = "。；;！!？?）)」”\"'|"
_SIGNED_DATE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")


@cache
def _table_markers() -> re.Pattern[str]:
    path = resources.files("parser") / "data" / "table_markers.txt"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return re.compile("|".join(f"(?:{m})" for m in lines if m and not m.startswith("#")))


def prose_sentences(
    text: str, view: str, sections: list[Section], skip: list[tuple[int, int]]
) -> Iterator[Span]:
    """Sentences of running text: not in a statistics section, a table, or table rows.

    A heading starts a new sentence even where it runs inline ("…运行正常 二、政府信息主动
    公开情况 (一)公开的主要内容: 2016年度共主动公开…"), and its text ends one, so that a
    sentence never spans two sections and a heading's words are never a label's."""
    markers = _table_markers()
    tops = [s for s in sections if s.level == 1]
    stats = [(s.start, s.end) for s in tops if s.key == "statistics"]
    cuts = sorted({s.start for s in sections if s.level <= 2} | set(heading_ends(text, sections)))
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


def heading_ends(text: str, sections: list[Section]) -> list[int]:
    """Where each heading's text ends: a label never starts inside a heading."""
    ends = []
    for sec in sections:
        at = text.find(sec.heading, sec.start) if sec.heading else -1
        ends.append(at + len(sec.heading) if at >= 0 else sec.start + len(sec.number) + 1)
    return sorted(ends)


class Outline:
    """The top-level section at any offset."""

    def __init__(self, sections: list[Section]):
        self.tops = [s for s in sections if s.level == 1]
        self.starts = [s.start for s in self.tops]

    def at(self, offset: int) -> Section | None:
        i = bisect.bisect_right(self.starts, offset)
        top = self.tops[i - 1] if i else None
        return top if top is not None and offset < top.end else None


def open_end(view: str) -> int:
    """Where the last clause starts when the text ends in the middle of it (an excerpt cut
    at a byte limit); len(view) when the text ends at a sentence end."""
    tail = view.rstrip()
    if not tail or tail[-1] in _DOC_END_MARKS or _SIGNED_DATE.search(tail):
        return len(view)
    last = max((m.end() for m in CLAUSE_END.finditer(tail)), default=0)
    return last
