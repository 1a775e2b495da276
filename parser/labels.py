"""A fact's label: the words of its clause that say what is counted.

jieba segments the clause with a domain dictionary (data/jieba_dict.txt) so that the label
is trimmed at word boundaries: time expressions and counting words at its edges
(data/label_stopwords.txt) go, the noun phrase stays ("2018年共收到政府信息公开申请" ->
"收到政府信息公开申请").
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from importlib import resources

_TIME = re.compile(
    r"^(?:\d{4}|[一二三四五六七八九〇零]{4})年(?:度)?|^\d{1,2}月(?:份)?|^截至.*?日|^截止.*?日"
)


@cache
def _segmenter():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(resources.files("parser") / "data" / "jieba_dict.txt"))
    return tokenizer


def warm_up() -> None:
    """Load jieba's dictionary now (~0.5 s CPU, once per process), so that the per-document
    CPU-time cap (parser/time_cap.py) does not charge it to the first document parsed."""
    _segmenter()


@cache
def _stopwords() -> frozenset[str]:
    path = resources.files("parser") / "data" / "label_stopwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=16384)
def clean_label(before: str, after: str = "") -> str:
    """The label of a quantity from the clause text around it. Cached: the same labels
    (当面申请, 主动公开政府信息 …) recur in report after report, and segmenting is the
    costliest step of reading prose."""
    text = (before.strip() or after.strip()).strip(" 　、")
    while (m := _TIME.match(text)) and m.end() < len(text):
        text = text[m.end() :].lstrip(" ，,")
    words = [w for w in _segmenter().lcut(text) if w.strip()]
    stop = _stopwords()
    while words and words[0] in stop:
        words.pop(0)
    while words and words[-1] in stop:
        words.pop()
    return "".join(words) or text
