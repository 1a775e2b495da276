"""The numbered outline of a report as a tree of `Section`s.

Reports number their outline 一、 / （一） / 1. / （1） / ①, but real documents put a whole
report on one line, run a heading into its paragraph ("（一）完善公开制度…。一是…"), skip
or repeat numbers ("四" twice) and number table rows like headings ("一、本年新收…").
So a heading is accepted by where it stands (start of a line or after a sentence end),
by what follows it (data/not_headings.txt) and, at the top level, by a plausible sequence.
Canonical section keys come from data/section_keys.tsv.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from parser.model import Section
from parser.numerals import MAX_DIGITS, match_view

CN_ORDINALS = "一二三四五六七八九十"

# (level, pattern) — the marker alone; the heading text is read after it.
MARKERS: list[tuple[int, str]] = [
    (1, rf"(?<![第{CN_ORDINALS}])[{CN_ORDINALS}]{{1,3}}\s?[、．.](?![、．.])"
        # "一 概 述": a space for 、, only where the heading is a short line of its own
        rf"|(?<![^\n])[{CN_ORDINALS}]{{1,3}}[ \u3000]+(?=[^\s是][^\n。，,]{{1,20}}\n)"),
    (2, rf"[（(][{CN_ORDINALS}]{{1,3}}[）)]"),
    (3, r"(?<![\d.,（(])\d{1,2}\s?[、．.](?![\d、．.])"),
    (4, r"[（(]\d{1,2}[）)]"),
    (5, r"[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"),
]
# A 一、 or 1. marker counts only at the start of the text or a line, or after one of these
# (a 一、 also after a digit: flattened tables run straight into the next heading).
# Bracketed and circled markers are distinctive enough to count anywhere but after 第.
_BOUNDARY = "。；;！!？?：:）)」”\"' \t\u3000\n>|"
_BOUNDARY_BY_LEVEL = {1: _BOUNDARY + "0123456789", 3: _BOUNDARY}
_HEADING_STOP = re.compile(r"[。；;：:！!？?\n\t]|\s{2,}|\s(?=\S{12})|(?<=\S)\d{4}年")
# A heading ends after its first closing word (情况, 事项 …) when text runs on after it.
_HEADING_END = re.compile(r"^.*?(?:情况统计表|统计表|情况|事项|概述|概况|措施)")
MAX_HEADING = 40


@dataclass(frozen=True)
class SectionRule:
    key: str
    pattern: re.Pattern[str]


@cache
def section_rules() -> tuple[SectionRule, ...]:
    """Top-level section keys, in priority order, from data/section_keys.tsv."""
    path = resources.files("parser") / "data" / "section_keys.tsv"
    with path.open(encoding="utf-8") as fh:
        return tuple(
            SectionRule(r["key"], re.compile(r["pattern"]))
            for r in csv.DictReader(fh, delimiter="\t")
        )


@cache
def _not_headings() -> re.Pattern[str]:
    path = resources.files("parser") / "data" / "not_headings.txt"
    lines = [
        ln.strip()
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    return re.compile("|".join(f"(?:{ln})" for ln in lines))


_MARKER_RE = re.compile("|".join(f"(?P<l{level}>{pat})" for level, pat in MARKERS))


def section_key(heading: str) -> str | None:
    """The canonical key of a top-level heading, or None when no rule matches."""
    heading = re.sub(r"\s", "", heading)  # "概 述"
    for rule in section_rules():
        if rule.pattern.search(heading):
            return rule.key
    return None


def ordinal(number: str) -> int | None:
    """1 for 一 / （一） / 1. / ①, …; None where the marker holds no readable number."""
    core = re.sub(r"[（()）、．.\s]", "", number)
    if core.isdigit():
        return int(core) if len(core) <= MAX_DIGITS else None
    if core and core[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(core[0]) + 1
    if core and not core.strip(CN_ORDINALS):
        if core == "十":
            return 10
        if core.startswith("十"):
            return 10 + CN_ORDINALS.index(core[1]) + 1
        if len(core) == 1:
            return CN_ORDINALS.index(core) + 1
        if len(core) == 2 and core[1] == "十":
            return (CN_ORDINALS.index(core[0]) + 1) * 10
        if len(core) == 3 and core[1] == "十":
            return (CN_ORDINALS.index(core[0]) + 1) * 10 + CN_ORDINALS.index(core[2]) + 1
    return None


def _heading_text(text: str, start: int, stop: int) -> str:
    """The heading after a marker: up to the first sentence stop, the next marker or 40 chars."""
    window = text[start : min(stop, start + MAX_HEADING + 1)]
    window = window.lstrip(" \u3000")
    match = _HEADING_STOP.search(window)
    whole_line = bool(match and match.group() == "\n") or (
        not match and start + len(text[start:stop]) <= start + MAX_HEADING
    )
    if match:
        window = window[: match.start()]
    # A heading that is a line of its own is the whole line ("二、依申请公开信息情况和不予公开
    # 政府信息情况"); one that runs on into its text ends after its first closing word.
    match = None if whole_line else _HEADING_END.match(window)
    if match:
        window = match.group()
    return window.strip(" \u3000，,")


@dataclass
class _Candidate:
    level: int
    number: str
    start: int
    marker_end: int
    heading: str = ""


def _candidates(text: str) -> list[_Candidate]:
    view = match_view(text)
    found: list[_Candidate] = []
    for m in _MARKER_RE.finditer(view):
        start = m.start()
        level = int(next(name for name, val in m.groupdict().items() if val)[1:])
        before = view[start - 1] if start else "\n"
        after = re.sub(r"\s", "", view[m.end() : m.end() + 24])
        if not after or _not_headings().match(after) or after[0] in "，,、。）)":
            continue
        boundary = _BOUNDARY_BY_LEVEL.get(level)
        if before == "第":
            continue
        # Off a boundary, a 一、 still counts when a known top-level heading follows
        # ("…394432.52元三、收到和处理政府信息公开申请情况" in a flattened page).
        if (
            boundary is not None
            and before not in boundary
            and not (level == 1 and section_key(_heading_text(view, m.end(), len(view))))
        ):
            continue
        if level == 3 and re.match(r"\d", after):
            continue
        number = re.sub(r"\s", "", m.group())
        heading = _heading_text(view, m.end(), len(view)) if level == 1 else ""
        if level == 1 and len(re.sub(r"\W", "", heading)) < 2:
            continue  # a lone 三、 of a vertical table label, not a heading
        found.append(_Candidate(level, number, start, m.end(), heading))
    return found


def _plausible_top(cands: list[_Candidate]) -> list[_Candidate]:
    """Keep the top-level markers that continue a sequence: same number (repeated),
    the next one, or one skipped. A table row "一、…" inside section 三 is dropped."""
    kept: list[_Candidate] = []
    prev = 0
    for c in cands:
        if c.level != 1:
            kept.append(c)
            continue
        n = ordinal(c.number) or 0
        known = section_key(c.heading) is not None
        if (prev == 0 and (n <= 2 or known)) or (prev and prev <= n <= prev + 2):
            kept.append(c)
            prev = n
    return kept


def find_sections(text: str) -> list[Section]:
    """The outline of `text`: every accepted heading with its span and parent."""
    cands = _plausible_top(_candidates(text))
    if cands and _cut_at_the_end(text, cands[-1]):
        cands = cands[:-1]
    sections: list[Section] = []
    stack: list[int] = []  # indices of open sections, outermost first
    for i, c in enumerate(cands):
        next_start = cands[i + 1].start if i + 1 < len(cands) else len(text)
        heading = _heading_text(text, c.marker_end, next_start)
        while stack and sections[stack[-1]].level >= c.level:
            stack.pop()
        parent = stack[-1] if stack else None
        key = section_key(heading) if c.level == 1 else None
        sections.append(
            Section(
                number=c.number.rstrip("、．.") if c.level in (1, 3) else c.number,
                heading=heading,
                level=c.level,
                key=key,
                start=c.start,
                end=len(text),
                parent=parent,
            )
        )
        stack.append(len(sections) - 1)
    _close_spans(sections, len(text))
    return sections


def _cut_at_the_end(text: str, last: _Candidate) -> bool:
    """A last heading with nothing after it that does not end as headings do: an excerpt
    cut in mid-heading ("五、因政府信息公"), whose words cannot be trusted."""
    rest = text[last.marker_end :].strip()
    return (
        last.level == 1
        and 0 < len(rest) <= MAX_HEADING
        and not re.search(r"[。；;：:！!？?\n]", rest)
        and not _HEADING_END.match(rest)
    )


def _close_spans(sections: list[Section], text_end: int) -> None:
    """A section ends where the next section of the same or a higher level starts."""
    for i, sec in enumerate(sections):
        sec.end = text_end
        for later in sections[i + 1 :]:
            if later.level <= sec.level:
                sec.end = later.start
                break
