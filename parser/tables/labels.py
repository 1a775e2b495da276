"""Label normalisation and conservative fuzzy matching for the standard tables.

Reports print the same label in many ways: half- or full-width brackets, 1、 or 1. or 1．,
spaces and line breaks inside words (商业 企业, 结\\n果\\n维\\n持), curly or straight quotes,
and typos (其他法律行政止公开). Matching compares a normalised copy, never the printed text,
and falls back to similarity only within a numbered slot or with a clear margin, so that a
label is never forced onto a row it does not name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from xxgk.settings import (
    TABLE_LABEL_FUZZY_MARGIN,
    TABLE_LABEL_FUZZY_THRESHOLD,
    TABLE_LABEL_MATCH_CACHE,
)

# NFKC folds ① into 1, which would turn "①予以公开" into a numbered "1予以公开"; circled
# numbers are protected from NFKC and kept as printed.
_CIRCLED = {chr(c) for c in range(0x2460, 0x2474)}
_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_QUOTES_RE = re.compile(r"[\"'“”‘’「」『』]")
_TRAIL_RE = re.compile(r"[。;；:：,，]+$")
# After NFKC: "1、" "1," "1．"(->"1.") unify to "1."; "一." / "一，" unify to "一、".
_ARABIC_NUM_RE = re.compile(r"^(\d{1,2})\s*[、.,]")
_CJK_NUM_RE = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.,]")
# A number glued before a numbered label ("859 二、上年结转…"): a value of the row above that
# a text-rebuilt grid put into this row's label. Such a row is misaligned; it names no row.
_GLUED_RE = re.compile(r"^[+-]?\d[\d,.]*(?:[一二三四五六七八九十]{1,3}、|\()")
_PAREN_NUM_RE = re.compile(r"^\(([一二三四五六七八九十]{1,3}|\d{1,2})\)")

# Similarity needed for a label that is not a known variant, and the margin over the second
# best candidate (see xxgk.settings for why these values).
FUZZY_THRESHOLD = TABLE_LABEL_FUZZY_THRESHOLD
FUZZY_MARGIN = TABLE_LABEL_FUZZY_MARGIN


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    """A comparable form of a printed label: width, brackets, numbering and spaces unified."""
    if _CIRCLED.isdisjoint(text):
        protected = unicodedata.normalize("NFKC", text)
    else:
        protected = "".join(
            ch if ch in _CIRCLED else unicodedata.normalize("NFKC", ch) for ch in text)
    s = _SPACE_RE.sub("", protected)
    s = _QUOTES_RE.sub("", s)
    s = s.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    s = s.replace("﹙", "(").replace("﹚", ")")
    s = _TRAIL_RE.sub("", s)
    s = _ARABIC_NUM_RE.sub(lambda m: m.group(1) + ".", s)
    s = _CJK_NUM_RE.sub(lambda m: m.group(1) + "、", s)
    return s


def is_glued(text: str) -> bool:
    """True when a number stands glued before a numbered label (a misaligned text row)."""
    return bool(_GLUED_RE.match(normalize_label(text)))


def split_numbering(norm: str) -> tuple[str, str]:
    """Split a normalised label into its numbering ("三、", "(一)", "1.") and its body."""
    for rx in (_PAREN_NUM_RE, _ARABIC_NUM_RE, _CJK_NUM_RE):
        m = rx.match(norm)
        if m:
            return m.group(0), norm[m.end():]
    return "", norm


def _without_explanation(norm: str) -> str:
    """A normalised label without the bracketed explanation that ends it, if any (local
    templates add them: 规范性文件（行政机关制定发布的决定、公告…一般情况下属于规范性文件）)."""
    if not norm.endswith(")"):
        return norm
    depth = 0
    for i in range(len(norm) - 1, -1, -1):
        if norm[i] == ")":
            depth += 1
        elif norm[i] == "(":
            depth -= 1
            if depth == 0:
                return norm[:i] if i > 0 else norm
    return norm


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Match:
    """A label matched to an id; `how` says how sure: exact, numbered-prefix or fuzzy."""

    id: str
    how: str
    score: float


class LabelMatcher:
    """Matches printed labels to ids, given each id's known variants (from the layout data)."""

    def __init__(self, entries: list[tuple[str, list[str]]]) -> None:
        self.variants: dict[str, list[str]] = {}
        self._longest = 0
        self._exact: dict[str, list[str]] = {}
        for ident, labels in entries:
            norms = [normalize_label(lab) for lab in labels]
            self.variants[ident] = norms
            self._longest = max([self._longest, *map(len, norms)])
            for n in norms:
                ids = self._exact.setdefault(n, [])
                if ident not in ids:
                    ids.append(ident)
        # Every report prints the same few hundred labels: the fuzzy comparison (difflib, most
        # of the parse time of a table report) is done once per (label, candidates) and kept.
        self._memo: dict[tuple[str, frozenset[str] | None], Match | None] = {}

    def exact(self, text: str, among: set[str] | None = None) -> list[str]:
        ids = self._exact.get(normalize_label(text), [])
        return [i for i in ids if among is None or i in among]

    def match(self, text: str, among: set[str] | None = None) -> Match | None:
        """Best id for `text` restricted to `among` (see `_match`), remembered per matcher."""
        key = (text, frozenset(among) if among is not None else None)
        try:
            return self._memo[key]
        except KeyError:
            pass
        if len(self._memo) >= TABLE_LABEL_MATCH_CACHE:
            self._memo.clear()  # bounded: a stream of odd labels cannot grow it without end
        found = self._memo[key] = self._match(text, among)
        return found

    def _match(self, text: str, among: set[str] | None = None) -> Match | None:
        """Best id for `text` restricted to `among`, or None when no id is clearly named.

        Order: exact variant; then, when the label carries a numbering that a candidate shares,
        a body that is a prefix of the candidate's body (a label cut by a page break, or printed
        without its parenthetical) or similar to it; then plain similarity with a margin.
        """
        norm = normalize_label(text)
        if not norm or _GLUED_RE.match(norm):
            return None
        hits = self.exact(norm, among)
        if len(hits) == 1:
            return Match(hits[0], "exact", 1.0)
        if len(hits) > 1:
            return None
        bare = _without_explanation(norm)
        if bare != norm:  # 规章（设区的市、自治州人民政府应提供相关数据）: the label before it
            hits = self.exact(bare, among)
            return Match(hits[0], "exact", 1.0) if len(hits) == 1 else None
        if len(norm) > self._longest * 2 + 10:
            return None  # far longer than any label: prose, and too costly to compare
        num, body = split_numbering(norm)
        scored: list[tuple[float, str, str]] = []
        for ident, norms in self.variants.items():
            if among is not None and ident not in among:
                continue
            best = 0.0
            how = "fuzzy"
            for v in norms:
                vnum, vbody = split_numbering(v)
                same_slot = bool(num) and vnum == num and bool(body)
                if same_slot and (vbody.startswith(body) or body.startswith(vbody)):
                    best, how = 0.99, "numbered-prefix"
                    break
                score = similarity(norm, v)
                if num and vnum and num != vnum:
                    score = min(score, similarity(body, vbody)) - 0.2  # numbering disagrees
                if score > best:
                    best = score
            scored.append((best, ident, how))
        if not scored:
            return None
        scored.sort(reverse=True)
        best, ident, how = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        if how == "numbered-prefix":
            if second >= 0.99:
                return None
            return Match(ident, how, best)
        if best >= FUZZY_THRESHOLD and best - second >= FUZZY_MARGIN:
            return Match(ident, "fuzzy", round(best, 3))
        return None
