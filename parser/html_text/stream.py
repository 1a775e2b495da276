"""The markup's text as a browser sees it, with the source position of every character.

lxml does not say where a text node sits in the source. So a second, linear pass tokenises
the markup into its text stream (tags and comments skipped, entities decoded, line ends read
as the parser reads them) and `Aligner` finds every text node of the tree in that stream in
document order; that gives each character of the clean text its position in the markup,
which is what evidence display needs. Apart from the tree because it never looks at one.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

# Text-node alignment tolerates this many unexpected characters before it re-synchronises.
MAX_ALIGN_GAP = 64
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^>]*>?"
    r"|</?[A-Za-z][^>]*>?"
    r"|&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)",
    re.S,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_OPEN_RAWTEXT = re.compile(r"<(script|style|textarea|xmp|title)\b", re.I)
_RAWTEXT_INITIALS = frozenset("sStTxX")


@dataclass
class Stream:
    """The text of the markup as a browser would see it, with the source position of each part."""

    text: str
    seg_start: list[int]  # stream index where each segment starts
    seg_raw: list[int]  # source index of that segment
    seg_entity: list[bool]  # an entity: every character maps to the "&"

    def raw_pos(self, k: int) -> int:
        i = bisect.bisect_right(self.seg_start, k) - 1
        if self.seg_entity[i]:
            return self.seg_raw[i]
        return self.seg_raw[i] + (k - self.seg_start[i])

    def raw_range(self, a: int, b: int) -> list[int]:
        """[raw_pos(k) for k in range(a, b)], a segment at a time rather than a bisection per
        character (every character of the page's text goes through here)."""
        out: list[int] = []
        if a >= b:
            return out
        starts = self.seg_start
        n = len(starts)
        i = bisect.bisect_right(starts, a) - 1
        if (i + 1 >= n or b <= starts[i + 1]) and not self.seg_entity[i]:
            shift = self.seg_raw[i] - starts[i]  # most text nodes: inside one plain segment
            return list(range(a + shift, b + shift))
        pos = a
        while pos < b:
            stop = min(b, starts[i + 1]) if i + 1 < n else b
            if stop > pos:
                if self.seg_entity[i]:
                    out.extend([self.seg_raw[i]] * (stop - pos))
                else:
                    shift = self.seg_raw[i] - starts[i]
                    out.extend(range(pos + shift, stop + shift))
                pos = stop
            i += 1
        return out


def _unescape(token: str) -> str:
    """html.unescape, except that a numeric reference to a control or non-character (&#1;,
    &#x7f;) gives the character, as lxml's parser does: html.unescape drops it, and the
    stream must read what lxml read or the text's offsets slip past it."""
    decoded = html.unescape(token)
    if decoded or not token.startswith("&#"):
        return decoded
    body = token[2:].rstrip(";")
    try:
        n = int(body[1:], 16) if body[:1] in "xX" else int(body)
    except ValueError:  # not a number, or more digits than int() reads
        return decoded
    return chr(n) if 0 < n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else decoded


class _StreamBuilder:
    """Collects the stream's parts and their source positions."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.parts: list[str] = []
        self.seg_start: list[int] = []
        self.seg_raw: list[int] = []
        self.seg_entity: list[bool] = []
        self.length = 0

    def _push(self, text: str, raw: int, entity: bool) -> None:
        self.parts.append(text)
        self.seg_start.append(self.length)
        self.seg_raw.append(raw)
        self.seg_entity.append(entity)
        self.length += len(text)

    def text(self, a: int, b: int) -> None:
        """Source text [a, b); the parser reads \\r\\n and \\r as \\n, so the stream does too."""
        src = self.src
        while a < b:
            cr = src.find("\r", a, b)
            stop = b if cr < 0 else cr
            if stop > a:
                self._push(src[a:stop], a, False)
            if cr < 0:
                break
            if cr + 1 < b and src[cr + 1] == "\n":
                a = cr + 1
            else:
                self._push("\n", cr, True)
                a = cr + 1

    def entity(self, a: int, token: str) -> None:
        decoded = _unescape(token)
        if decoded == token:
            self.text(a, a + len(token))
        else:
            self._push(decoded, a, True)

    def rcdata(self, a: int, b: int) -> None:
        """Text of <title>/<textarea>: no tags, but entities are decoded."""
        pos = a
        for m in _ENTITY.finditer(self.src, a, b):
            if m.start() > pos:
                self.text(pos, m.start())
            self.entity(m.start(), m.group())
            pos = m.end()
        if pos < b:
            self.text(pos, b)

    def build(self) -> Stream:
        if not self.seg_start:
            return Stream("", [0], [0], [False])
        return Stream("".join(self.parts), self.seg_start, self.seg_raw, self.seg_entity)


def text_stream(src: str) -> Stream:
    """Tokenise the markup linearly: the text a parser would see, with source positions."""
    sb = _StreamBuilder(src)
    pos = 0
    n = len(src)
    while pos < n:
        m = _MARKUP.search(src, pos)
        if not m:
            sb.text(pos, n)
            break
        a, b = m.span()
        if a > pos:
            sb.text(pos, a)
        token = m.group()
        pos = b
        if token.startswith("&"):
            sb.entity(a, token)
            continue
        # only <script>, <style>, <textarea>, <xmp> and <title> hold raw text: most tags are
        # told apart by their first letter, without the pattern
        raw_open = _OPEN_RAWTEXT.match(token) if token[1:2] in _RAWTEXT_INITIALS else None
        if raw_open:
            name = raw_open.group(1).lower()
            close = re.compile(rf"</{name}\s*>", re.I).search(src, pos)
            end = close.start() if close else n
            if name in ("textarea", "title"):
                sb.rcdata(pos, end)
            else:
                sb.text(pos, end)
            pos = close.end() if close else n
    return sb.build()


class Aligner:
    """Finds each text node of the tree in the markup's text stream, in document order."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.cursor = 0

    def _find(self, s: str) -> int:
        """Where `s` continues the stream; -1 when only a distant, unrelated match exists.

        Between two consecutive text nodes the stream holds at most whitespace the parser
        dropped, so a match after a long run of other text means the parser changed `s`.
        """
        k = self.stream.text.find(s, self.cursor)
        if k < 0 or k - self.cursor <= MAX_ALIGN_GAP:
            return k
        return k if not self.stream.text[self.cursor : k].strip() else -1

    def skip(self, s: str) -> None:
        """Move past a text node whose offsets are not needed (scripts, chrome)."""
        k = self._find(s)
        if k >= 0:
            self.cursor = k + len(s)

    def locate(self, s: str) -> list[int]:
        """Source offsets of each character of the text node `s`."""
        st = self.stream
        k = self._find(s)
        if k >= 0:
            self.cursor = k + len(s)
            return st.raw_range(k, k + len(s))
        # The parser changed the text (line ends, odd entities): map character by character.
        out: list[int] = []
        cur = self.cursor
        last = st.raw_pos(min(cur, len(st.text) - 1)) if st.text else 0
        for ch in s:
            j = st.text.find(ch, cur, cur + MAX_ALIGN_GAP) if not ch.isspace() else -1
            if j >= 0:
                last = st.raw_pos(j)
                cur = j + 1
            out.append(last)
        self.cursor = cur
        return out
