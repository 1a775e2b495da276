"""Tables whose text puts one cell per line: what many CMS pages give when copied as text.

Two shapes are seen in real pages:

* cells on lines of their own, often with blank lines between them and padded with spaces
  ("规章\\n\\n  0\\n\\n 0\\n\\n0"): a label line, then one line per value;
* the same with a trailing ` |` after each cell, and lines of bars alone ("|||", "||") where
  a row's remaining cells were empty ("行政许可 |\\n182 |\\n||").

Lines are cells; a run of label cells followed by a run of value cells is a row (the labels
before the row's own label are a header or a caption); a line of bars alone ends a row. A
block counts only where lines carrying a single value stand among label lines: a line with a
label and its numbers, or several numbers, is a row-per-line table (pdf_lines.py), and a
sentence ends the block. An empty cell leaves no line, so a row shorter than its table is
never read as having blanks at some place: the mapper leaves such a row unplaced.
"""

from __future__ import annotations

import re

from parser.tables.pipe_rows import cells_to_rows
from parser.tables.text_rows import LEVEL1, MARKER, Row

_VALUE = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?\s*(?:万元|元|件|项|条|个)?|[-－—–/／]|无")
_BARS = re.compile(r"\|{2,}")
_SENTENCE_END = re.compile(r"[。；;!?！？]\s*$")
MAX_LABEL_CHARS = 160  # the longest bracketed row labels (规范性文件（…一般情况下属于规范性文件）)
MIN_VALUE_LINES = 3


def _cell(line: str) -> str:
    """A line's cell text: the line without its trailing ` |` and padding."""
    s = line.strip()
    if s.endswith("|") and not _BARS.fullmatch(s):
        s = s[:-1].rstrip()
    return s


def _outside_brackets(s: str) -> str:
    return re.sub(r"[(（][^()（）]*[)）]", "", s)


def kind(line: str) -> str:
    """value | label | bars | blank | other (a sentence, or a line of several numbers)."""
    s = line.strip()
    if not s:
        return "blank"
    if _BARS.fullmatch(s):
        return "bars"
    if "|" in s[:-1]:
        return "other"  # a pipe row, not a cell line
    c = _cell(line)
    if not c:
        return "blank"
    if _VALUE.fullmatch(c):
        return "value"
    bare = _outside_brackets(c)
    if len(c) > MAX_LABEL_CHARS or _SENTENCE_END.search(c) or re.search(r"[。；]", bare):
        return "other"
    if re.search(r"\d", re.sub(r"^\s*[(（]?\d{1,2}[)）.、．]", "", bare)):
        return "other"  # numbers inside the words: prose or a row-per-line table
    return "label"


_LONE_VALUE = re.compile(r"^[ \t\u3000\xa0]*[-+]?\d[\d,.]*[ \t\u3000\xa0]*(?:万元|元|件|项|条|个)?"
                         r"[ \t\u3000\xa0]*\|?[ \t]*$", re.M)


def blocks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Line ranges [i, j) of `spans` that are one-cell-per-line tables."""
    if not spans:
        return []
    lone = _LONE_VALUE.finditer(text, spans[0][0], spans[-1][1])
    if sum(1 for _ in zip(range(MIN_VALUE_LINES), lone, strict=False)) < MIN_VALUE_LINES:
        return []  # most text: not three lines holding a single number each
    kinds = [kind(text[a:b]) for a, b in spans]
    out = []
    i, n = 0, len(spans)
    while i < n:
        if kinds[i] not in ("label", "value", "bars"):
            i += 1
            continue
        j = i
        while j < n and kinds[j] in ("label", "value", "bars", "blank"):
            j += 1
        values = sum(1 for k in kinds[i:j] if k == "value")
        labels = sum(1 for k in kinds[i:j] if k == "label")
        if values >= MIN_VALUE_LINES and labels >= 2:
            out.append((i, j))
        i = j
    return out


def cell_rows(text: str, spans: list[tuple[int, int]]) -> list[Row]:
    """Rows of a one-cell-per-line block (see `blocks`). A section heading (三、收到和处理…,
    followed by a label that is not one of its items) is a row of its own, so that the
    tables before and after it become grids of their own."""
    cells: list[tuple[str, int, int] | None] = []  # None: a line of bars (a row ends)
    for a, b in spans:
        line = text[a:b]
        k = kind(line)
        if k == "bars":
            cells.append(None)
        elif k in ("label", "value"):
            c = _cell(line)
            lead = len(line) - len(line.lstrip())
            cells.append((c, a + lead, a + lead + len(c)))
    rows: list[Row] = []
    chunk: list[tuple[str, int, int]] = []
    for i, cell in enumerate(cells):
        if cell is None:
            rows.extend(cells_to_rows(chunk, is_value=_is_value))
            chunk = []
            continue
        nxt = next((c for c in cells[i + 1:] if c is not None), None)
        if _is_heading(cell[0], nxt[0] if nxt else None):
            rows.extend(cells_to_rows(chunk, is_value=_is_value))
            rows.append(Row([cell[0]], None, cell[1], cell[2]))
            chunk = []
            continue
        chunk.append(cell)
    rows.extend(cells_to_rows(chunk, is_value=_is_value))
    return rows


def _is_heading(cell: str, nxt: str | None) -> bool:
    """三、收到和处理政府信息公开申请情况 before a caption or a header, not 三、本年度办理结果
    before its item （一）予以公开, nor 一、本年新收… before its values."""
    if not LEVEL1.match(cell) or len(LEVEL1.sub("", cell)) < 4:
        return False
    return nxt is None or not (_is_value(nxt) or MARKER.match(nxt))


def _is_value(cell: str) -> bool:
    return bool(_VALUE.fullmatch(cell.strip()))


def is_cell_block(text: str, spans: list[tuple[int, int]]) -> bool:
    """A block of lines with bars that is one cell per line (`x |` lines, rows ended by
    lines of bars), not pipe rows and not cells between lone `|` lines (pipe_rows.py)."""
    kinds = [kind(text[a:b]) for a, b in spans]
    lone = sum(1 for a, b in spans if text[a:b].strip() == "|")
    cells = sum(1 for k in kinds if k in ("label", "value"))
    values = sum(1 for k in kinds if k == "value")
    return lone == 0 and values >= MIN_VALUE_LINES and cells >= 0.6 * len(
        [k for k in kinds if k != "blank"])

