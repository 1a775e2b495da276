"""Text with a source offset for every character, and a builder that keeps the two in step.

Every loader turns its source (HTML markup, a PDF text layer, DOCX XML) into clean text, but
facts must point back into the source so a reader can see the evidence where it was printed.
`TextBuilder` appends pieces of text together with their source positions and applies the
whitespace rules that every format shares (runs of spaces become one space, separators do not
pile up); `MappedText.select` cuts chrome out of a text without losing the map.

Offset rule (tested): for every i, `raw[offsets[i]] == text[i]` unless text[i] is
whitespace that the builder inserted or collapsed ("\\n", "\\t", " "), or a character decoded
from an HTML entity (then `raw[offsets[i]] == "&"`) or from a JavaScript string escape in a
JS-wrapped page (then `raw[offsets[i]]` is its backslash). Inserted separators map to the source
position just after the previous character, so offsets never decrease.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters that render as blank space in the documents we read. U+3000 (ideographic
# space) is how Chinese pages indent paragraphs; U+00A0 is &nbsp;.
SPACE_CHARS = " \t\r\n\f\v\xa0\u3000\u2002\u2003\u2009\u202f\u205f"
# Characters that render as nothing: dropped from the text altogether.
INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\xad"
_SPACE_OR_INVISIBLE = re.compile(f"[{SPACE_CHARS}{INVISIBLE_CHARS}]+")
_INVISIBLE = set(INVISIBLE_CHARS)
_VISIBLE_SPACE = re.compile(f"[{SPACE_CHARS}]")


def _one_space(match: re.Match) -> str:
    return " " if _VISIBLE_SPACE.search(match.group()) else ""


def is_blank(text: str) -> bool:
    """Only blank space and invisible characters (a piece the builder keeps nothing of but a
    separating space)."""
    return _SPACE_OR_INVISIBLE.fullmatch(text) is not None


def collapse_space(text: str) -> str:
    """`text` as a fresh `TextBuilder` gives it back (`add(text)`, then `build()`), stripped:
    each run of blank space one space, invisible characters gone. Offsets are not kept.

    A table cell's text is read this way for every cell with no child elements, most of a
    page's cells; the builder's character-by-character offsets would be thrown away."""
    if _SPACE_OR_INVISIBLE.search(text) is None:
        return text.strip()
    return _SPACE_OR_INVISIBLE.sub(_one_space, text).strip()


@dataclass
class MappedText:
    """A text and, for each character, its position in the source string."""

    text: str
    offsets: list[int]

    def __post_init__(self) -> None:
        if len(self.text) != len(self.offsets):
            raise ValueError("text and offsets differ in length")

    def __len__(self) -> int:
        return len(self.text)

    def select(self, spans: Iterable[tuple[int, int]]) -> tuple[MappedText, IndexMap]:
        """Keep only the given [start, end) spans (sorted, disjoint) of this text.

        Returns the new text and an `IndexMap` that turns an index of this text into an index
        of the new one, so that table spans recorded before cleaning can follow the cut.
        """
        parts: list[str] = []
        offs: list[int] = []
        old_starts: list[int] = []
        new_starts: list[int] = []
        pos = 0
        for start, end in spans:
            if end <= start:
                continue
            old_starts.append(start)
            new_starts.append(pos)
            parts.append(self.text[start:end])
            offs.extend(self.offsets[start:end])
            pos += end - start
        return MappedText("".join(parts), offs), IndexMap(old_starts, new_starts, pos)


@dataclass
class IndexMap:
    """Maps an index of a text to the index of the same place after `MappedText.select`.

    An index inside a dropped span maps to the start of the next kept span.
    """

    old_starts: list[int]
    new_starts: list[int]
    new_len: int

    def __call__(self, index: int) -> int:
        if index < 0:
            return index
        k = bisect.bisect_right(self.old_starts, index) - 1
        if k < 0:
            return 0
        span_len = (self.new_starts[k + 1] if k + 1 < len(self.new_starts) else self.new_len) - (
            self.new_starts[k]
        )
        delta = index - self.old_starts[k]
        if delta < span_len:
            return self.new_starts[k] + delta
        return self.new_starts[k] + span_len


class TextBuilder:
    """Appends text pieces with their source offsets, collapsing whitespace as it goes.

    Whitespace inside a piece becomes at most one space; `newline()` and `tab()` add
    separators that swallow a space before them and never repeat (no blank lines, no space at
    a line start). This is the HTML rendering rule, and it suits PDF and DOCX text as well.
    """

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._offsets: list[int] = []
        self._last = "\n"  # behaves as if at the start of a line
        self._len = 0
        self._soft = False  # a soft break is pending (see soft_break)

    def __len__(self) -> int:
        return self._len

    @property
    def last_offset(self) -> int:
        return self._offsets[-1] if self._offsets else -1

    def _push(self, text: str, offsets: list[int]) -> None:
        if self._soft:
            self._soft = False
            if (
                self._last.isascii()
                and self._last.isalnum()
                and text[0].isascii()
                and text[0].isalnum()
            ):
                self._chunks.append(" ")
                self._offsets.append(offsets[0])
                self._len += 1
        self._chunks.append(text)
        self._offsets.extend(offsets)
        self._len += len(text)
        self._last = text[-1]

    def _retract_space(self) -> None:
        if self._last == " " and self._chunks:
            chunk = self._chunks[-1]
            self._chunks[-1] = chunk[:-1]
            if not self._chunks[-1]:
                self._chunks.pop()
            self._offsets.pop()
            self._len -= 1
            self._last = self._chunks[-1][-1] if self._chunks else "\n"

    def add(self, text: str, offsets: list[int] | None = None, start: int = 0) -> None:
        """Append `text`; its characters come from `offsets` or else from start, start+1, …"""
        if not text:
            return
        if offsets is None:
            offsets = list(range(start, start + len(text)))
        if _SPACE_OR_INVISIBLE.search(text) is None:  # most pieces: nothing to collapse
            self._push(text, offsets)
            return
        pos = 0
        for match in _SPACE_OR_INVISIBLE.finditer(text):
            a, b = match.span()
            if a > pos:
                self._push(text[pos:a], offsets[pos:a])
            ws = match.group()
            visible = next((i for i, ch in enumerate(ws) if ch not in _INVISIBLE), -1)
            if visible >= 0 and self._last not in " \n\t":
                self._push(" ", [offsets[a + visible]])
            pos = b
        if pos < len(text):
            self._push(text[pos:], offsets[pos:])

    def soft_break(self) -> None:
        """A line break inside a table cell: nothing between CJK (本年新<br>制作数量 reads
        本年新制作数量), one space between two ASCII words or numbers."""
        self._soft = True

    def _separator(self, char: str, offset: int | None) -> None:
        self._soft = False
        self._retract_space()
        if offset is None:
            offset = self.last_offset + 1 if self._offsets else 0
        self._push(char, [offset])

    def newline(self, offset: int | None = None) -> None:
        """End the current line (no-op at the start of a line)."""
        if self._last == "\n":
            return
        self._separator("\n", offset)

    def tab(self, offset: int | None = None) -> None:
        """Separate two table cells. Tabs are never collapsed: an empty cell stays visible."""
        if self._last == "\n" and not self._chunks:
            return
        self._separator("\t", offset)

    def build(self) -> MappedText:
        """The text so far, with a trailing space or newline removed."""
        text = "".join(self._chunks)
        offsets = list(self._offsets)
        while text and text[-1] in " \n":
            text = text[:-1]
            offsets.pop()
        return MappedText(text, offsets)


@dataclass
class ChainedMap:
    """Index maps applied one after another (a text cleaned in several steps)."""

    maps: list[IndexMap | ChainedMap]

    def __call__(self, index: int) -> int:
        for m in self.maps:
            index = m(index)
        return index


def line_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each line of `text`, the end including its "\\n" if there is one."""
    spans = []
    start = 0
    while start < len(text):
        nl = text.find("\n", start)
        end = len(text) if nl < 0 else nl + 1
        spans.append((start, end))
        start = end
    return spans


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping or touching spans."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def subtract_spans(
    keep: list[tuple[int, int]], drop: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`keep` minus `drop` (both sorted and disjoint)."""
    out: list[tuple[int, int]] = []
    j = 0
    for a, b in keep:
        cur = a
        while j < len(drop) and drop[j][1] <= cur:
            j += 1
        k = j
        while k < len(drop) and drop[k][0] < b:
            da, db = drop[k]
            if da > cur:
                out.append((cur, da))
            cur = max(cur, db)
            k += 1
        if cur < b:
            out.append((cur, b))
    return out


def cap_text(text: str, offsets: list[int], meta: dict[str, str]) -> tuple[str, list[int]]:
    """Cut a document's clean text at settings.MAX_TEXT_CHARS, saying so in its meta, so that
    one enormous page costs bounded time in every later stage."""
    from xxgk import settings

    limit = settings.MAX_TEXT_CHARS
    if len(text) <= limit:
        return text, offsets
    meta["truncated"] = f"text cut at {limit} of {len(text)} characters"
    return text[:limit], offsets[:limit]

