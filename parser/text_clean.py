"""Remove page chrome (登录| 注册, 点击数, breadcrumbs, share bars, footers) from a text.

HTML pages, crawled page.txt files and plain text copies all carry the same chrome around
the report, so the rules live in one data file (parser/data/chrome_patterns.txt) and one
module applies them to a `MappedText`, keeping the offset map intact. Chrome is removed only
where it cannot be report text: whole lines made of chrome words and dates, a breadcrumb
prefix at the very start, and chrome words at the very end. A chrome line often states the
publication date (发布日期:2019-03-15), so the removed text is searched for metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from parser.textmap import ChainedMap, IndexMap, MappedText, line_spans, merge_spans, subtract_spans

# The longest line that a `line` rule may drop: report paragraphs are longer than footers.
MAX_CHROME_LINE = 200
# In a breadcrumb prefix, chrome words follow each other at most this far apart.
MAX_LEAD_GAP = 100
# A gap in a breadcrumb prefix never holds sentence punctuation; report prose does.
_SENTENCE_PUNCT = re.compile("[。，；！？]")

DATE_RE = (
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
_LETTER = re.compile(r"[\u4e00-\u9fffA-Za-z]")
PUBLISHED_RE = re.compile(
    r"(?:发布日期|发布时间|发文日期|成文日期|公开日期|时间|日期)\s*[:：]?\s*" + DATE_RE
)
_FIELD_META = {"来源": "source_org", "信息来源": "source_org", "发布机构": "publisher"}


@dataclass(frozen=True)
class ChromeRules:
    """The rules of chrome_patterns.txt, compiled."""

    tokens: tuple[str, ...]
    fields: tuple[str, ...]
    lines: tuple[re.Pattern[str], ...]
    leads: tuple[str, ...]
    tails: tuple[str, ...]
    attrs: tuple[str, ...]
    footers: tuple[re.Pattern[str], ...]

    @property
    def word_re(self) -> re.Pattern[str]:
        return _word_re(self)

    @property
    def lead_re(self) -> re.Pattern[str]:
        return _lead_re(self)


@lru_cache(maxsize=1)
def load_rules() -> ChromeRules:
    """Read parser/data/chrome_patterns.txt (kind, space, pattern per line)."""
    kinds: dict[str, list[str]] = {}
    text = resources.files("parser").joinpath("data/chrome_patterns.txt").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, _, pattern = line.partition(" ")
        kinds.setdefault(kind, []).append(pattern.strip())
    return ChromeRules(
        tokens=tuple(kinds.get("token", [])),
        fields=tuple(kinds.get("field", [])),
        lines=tuple(re.compile(p) for p in kinds.get("line", [])),
        leads=tuple(kinds.get("lead", [])),
        tails=tuple(kinds.get("tail", [])),
        attrs=tuple(kinds.get("attr", [])),
        footers=tuple(re.compile(p) for p in kinds.get("footer", [])),
    )


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=4)
def _word_re(rules: ChromeRules) -> re.Pattern[str]:
    """Chrome words, labelled fields with their value, and dates: what a chrome line holds."""
    fields = _alternation(list(rules.fields))
    tokens = _alternation(list(rules.tokens))
    return re.compile(rf"(?:{fields})\s*[:：]\s*[^\s:：]*|{DATE_RE}|(?:{tokens})\s*[:：]?")


@lru_cache(maxsize=4)
def _lead_re(rules: ChromeRules) -> re.Pattern[str]:
    """Like `_word_re` but without one-character tokens, which report prose is full of."""
    fields = _alternation(list(rules.fields))
    tokens = _alternation([t for t in rules.tokens if len(t) > 1])
    return re.compile(rf"(?:{fields})\s*[:：]\s*[^\s:：]*|{DATE_RE}|(?:{tokens})\s*[:：]?")


def is_chrome_line(line: str, rules: ChromeRules | None = None) -> bool:
    """True for a line that is page chrome and nothing else."""
    rules = rules or load_rules()
    stripped = line.strip()
    if not stripped:
        return False
    if len(stripped) <= MAX_CHROME_LINE and any(p.search(stripped) for p in rules.lines):
        return True
    if len(stripped) > MAX_CHROME_LINE:
        return False
    rest, n = rules.word_re.subn(" ", stripped)
    if n == 0 or len(_LETTER.findall(rest)) > 1:
        return False
    # A line of dates and numbers alone (a signature date, a table row) is not chrome.
    return any(not re.fullmatch(DATE_RE, m.group()) for m in rules.word_re.finditer(stripped))


def lead_chrome_end(text: str, rules: ChromeRules | None = None) -> int:
    """Where a breadcrumb/tool-bar prefix at the start of `text` ends (0 if there is none)."""
    rules = rules or load_rules()
    m = re.match(rf"\s*(?:{_alternation(list(rules.leads))})\s*[:：]?", text)
    if not m:
        return 0
    end = m.end()
    for w in rules.lead_re.finditer(text, end, min(len(text), end + 20 * MAX_LEAD_GAP)):
        gap = text[end : w.start()]
        if len(gap) > MAX_LEAD_GAP or _SENTENCE_PUNCT.search(gap) or "\n" in gap.strip():
            break
        end = w.end()
    while end < len(text) and text[end] in " \t":
        end += 1
    return end


def tail_chrome_start(text: str, rules: ChromeRules | None = None) -> int:
    """Where chrome words that end the text begin (len(text) if there are none)."""
    rules = rules or load_rules()
    end = len(text.rstrip())
    changed = True
    while changed:
        changed = False
        for tail in rules.tails:
            if text[:end].endswith(tail):
                end = len(text[: end - len(tail)].rstrip())
                changed = True
    return end


def meta_from_chrome(chrome: str) -> dict[str, str]:
    """Publication date and source organisation that chrome text states."""
    meta: dict[str, str] = {}
    m = PUBLISHED_RE.search(chrome)
    if m:
        meta["published"] = iso_date(m.group(1), m.group(2), m.group(3))
    for label, key in _FIELD_META.items():
        fm = re.search(rf"(?<![\u4e00-\u9fff]){label}\s*[:：]\s*([^\s:：]+)", chrome)
        if fm and key not in meta:
            meta[key] = fm.group(1)
    return meta


# A heading line that names the report: short, no sentence punctuation, ends in 报告/年报.
_TITLE_LINE = re.compile(r"^[^，。,:：；;]{4,60}(?:报告|年报)$")
# A line above it that names the organisation (洪泽区人民政府 / 2023 年…报告 in PDFs).
_ORG_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,24}$")


def title_from_text(text: str, max_lines: int = 6) -> str | None:
    """The report's title from its first lines, where the body opens with it.

    Used when a page states no title in its metadata. Spaces inside the title are
    layout (2023 年政府…) and are removed between CJK characters and digits.
    """
    lines = [line.strip() for line in text.split("\n", max_lines)[:max_lines]]
    for i, line in enumerate(lines):
        if _TITLE_LINE.match(line):
            if i > 0 and _ORG_LINE.match(lines[i - 1]) and lines[i - 1] not in line:
                line = lines[i - 1] + line
            return re.sub(r"(?<=[\u4e00-\u9fff\d]) +(?=[\u4e00-\u9fff\d])", "", line)
    return None


def iso_date(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def clean_chrome(
    mt: MappedText, rules: ChromeRules | None = None
) -> tuple[MappedText, ChainedMap, dict[str, str]]:
    """Drop chrome from `mt`; return the clean text, the index map and metadata found."""
    rules = rules or load_rules()
    text = mt.text
    drop: list[tuple[int, int]] = []
    first_kept: tuple[int, int] | None = None
    for a, b in line_spans(text):
        if is_chrome_line(text[a:b], rules):
            drop.append((a, b))
        elif first_kept is None and text[a:b].strip():
            first_kept = (a, b)
    if first_kept is not None:
        # A breadcrumb run together with the body (one-line page copies): cut the prefix.
        a, b = first_kept
        lead = lead_chrome_end(text[a:b], rules)
        if lead:
            drop.append((a, a + lead))
    tail = tail_chrome_start(text, rules)
    if tail < len(text):
        drop.append((tail, len(text)))
    drop = merge_spans(drop)
    keep = subtract_spans([(0, len(text))], drop)
    chrome = "\n".join(text[a:b] for a, b in drop)
    cleaned, index_map = mt.select(keep)
    cleaned, trim_map = _trim(cleaned)
    return cleaned, ChainedMap([index_map, trim_map]), meta_from_chrome(chrome)


def _trim(mt: MappedText) -> tuple[MappedText, IndexMap]:
    """Strip leading/trailing whitespace left after a cut."""
    a = len(mt.text) - len(mt.text.lstrip())
    b = len(mt.text.rstrip())
    return mt.select([(a, max(a, b))])
