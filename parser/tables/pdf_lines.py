"""Table rows in PDF-like text: one row per line, `label n n n …`, with the PDF's quirks.

A long label wraps and its numbers land on a line of their own, before or between the
label's lines (the numbers are vertically centred in the row); vertical labels leave single
characters on lines of their own or in front of the next label (三 2.其他…); table 四 is a
line of 15 numbers under stacked header characters. Lines are classified, then bound into
rows; prose lines end a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parser.model import Grid
from parser.tables.text_rows import (
    BLANK,
    LEVEL1,
    MARKER,
    MARKER_BODY,
    SECOND_MARKER,
    Row,
    grids_from_rows,
    is_num,
)

_VERTICAL_PREFIX = re.compile(r"^[\u4e00-\u9fff、，]\s+(?=" + MARKER_BODY + ")")
_FOOTER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页.*|P\.\s*\d+)\s*$")
_SENTENCE = re.compile(r"[。；;]|[，,].{6,}[，,]")

# Lines between two data rows of one table; farther apart, they are two tables.
MAX_GAP_LINES = 12


def _split_labels(label: str) -> list[str]:
    """'（三）不 4.保护第三方合法权益': a narrow group cell's line beside the row's own label."""
    m = SECOND_MARKER.search(label)
    if m and m.start() > 0:
        return [label[: m.start()], label[m.end() :]]
    return [label]


def _short_fragment(text: str) -> bool:
    return len(text) <= 4 and not MARKER.match(text)


@dataclass
class _Line:
    kind: str  # row | nums | label | head | frag | prose
    start: int
    end: int
    label: str = ""
    values: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


def _classify(text: str, start: int, end: int) -> _Line:
    s = text[start:end].strip()
    if not s:
        return _Line("frag", start, end)
    if _FOOTER.match(s):
        return _Line("frag", start, end)
    s = _VERTICAL_PREFIX.sub("", s)
    raw = text[start:end].strip(" \r\n")
    if "\t" in raw:
        # cells separated by tabs (a table the loader wrote as text): blanks are cells too
        cells = [t.strip() for t in raw.split("\t")]
        k = len(cells)
        while k > 0 and (is_num(cells[k - 1]) or cells[k - 1] in BLANK):
            k -= 1
        words = [t for t in cells[:k] if t]
        toks = words + cells[k:]
        k = len(words)
    else:
        toks = s.split()
        k = len(toks)
        while k > 0 and (is_num(toks[k - 1]) or toks[k - 1] in ("-", "－", "—", "/")):
            k -= 1
    values = toks[k:]
    nnum = sum(1 for v in values if is_num(v))
    label = " ".join(toks[:k])
    if any(is_num(t) for t in toks[:k]):
        return _Line("prose", start, end)  # numbers inside the words: a sentence, not a row
    if values and nnum >= 1 and (nnum >= 2 or k > 0):
        if k == 0:
            return _Line("nums", start, end, values=values)
        if not _SENTENCE.search(label) and len(label) <= 60 and not re.search(r"\d", label[-1:]):
            return _Line("row", start, end, label=label, values=values)
    if re.search(r"\d", s) and not MARKER.match(s):
        return _Line("prose", start, end)
    if len(s) == 1 or re.fullmatch(r"[\u4e00-\u9fff、]", s):
        return _Line("frag", start, end, tokens=[s])
    if s.endswith(("。", "；", ";")) or (
        _SENTENCE.search(s) and not MARKER.match(s) and len(s) > 20
    ):
        return _Line("prose", start, end)
    if LEVEL1.match(s) and len(LEVEL1.sub("", s)) <= 1:
        return _Line("frag", start, end, tokens=[s])  # 三、 of a vertical label
    if MARKER.match(s):
        return _Line("label", start, end, label=s)
    if len(toks) >= 2 and all(len(t) <= 16 for t in toks):
        return _Line("head", start, end, tokens=toks)
    if len(s) <= 40:
        return _Line("label", start, end, label=s)
    return _Line("prose", start, end)


def _bind(lines: list[_Line]) -> list[Row]:
    """Attach numbers to labels: the rules for wrapped labels and numbers printed before them."""
    rows: list[Row] = []
    orphan: _Line | None = None  # numbers waiting for the label on the next line
    prev_kind = ""
    for i, ln in enumerate(lines):
        nxt = next((x for x in lines[i + 1 :] if x.kind != "frag"), None)
        last = rows[-1] if rows else None
        if ln.kind == "label":
            marker = bool(MARKER.match(ln.label))
            group = _group_row(rows)
            if orphan is not None and marker:
                rows.append(Row(_split_labels(ln.label), orphan.values, orphan.start, ln.end))
                orphan = None
            elif not marker and _short_fragment(ln.label) and group is not None:
                group.labels[0] += ln.label  # （六）其 … 他处理: the narrow group cell wraps
            elif (
                not marker
                and last is not None
                and not last.header
                and last.marker
                and (
                    (prev_kind in ("nums", "row") and last.values is not None)
                    or (prev_kind == "label" and nxt is not None and nxt.kind == "nums")
                )
            ):
                last.labels[-1] += ln.label  # the wrapped end of the label above
                last.end = ln.end
            else:
                rows.append(Row(_split_labels(ln.label), None, ln.start, ln.end))
        elif ln.kind == "nums":
            if orphan is not None:
                rows.append(Row([""], orphan.values, orphan.start, orphan.end))
                orphan = None
            open_last = (
                last is not None
                and last.values is None
                and not last.header
                and (prev_kind == "label")
            )
            if (
                open_last
                and last is not None  # open_last says so; mypy does not read it through
                and nxt is not None
                and nxt.kind == "label"
                and not MARKER.match(nxt.label)
            ):
                last.values, last.end = ln.values, ln.end
            elif nxt is not None and nxt.kind == "label" and MARKER.match(nxt.label):
                orphan = ln
            elif open_last and last is not None and last.marker:
                last.values, last.end = ln.values, ln.end
            else:
                rows.append(Row([""], ln.values, ln.start, ln.end))
        elif ln.kind == "row":
            if orphan is not None:
                rows.append(Row([""], orphan.values, orphan.start, orphan.end))
                orphan = None
            if (
                last is not None
                and last.values is None
                and not last.header
                and last.marker
                and prev_kind == "label"
                and not MARKER.match(ln.label)
            ):
                last.labels[-1] += ln.label
                last.values, last.end = ln.values, ln.end
            else:
                rows.append(Row(_split_labels(ln.label), ln.values, ln.start, ln.end))
        elif ln.kind == "head":
            rows.append(Row(list(ln.tokens), None, ln.start, ln.end, header=True))
        if ln.kind != "frag":
            prev_kind = ln.kind
    if orphan is not None:
        rows.append(Row([""], orphan.values, orphan.start, orphan.end))
    return rows


def _group_row(rows: list[Row]) -> Row | None:
    """A recent row whose first label cell is a cut group label (（四）无, （六）其)."""
    for r in rows[-3:][::-1]:
        if r.header:
            continue
        cut = len(r.labels) == 2 or (r.values is None and re.match(r"^\s*[（(]", r.labels[0]))
        if cut and len(MARKER.sub("", r.labels[0])) <= 3:
            return r
    return None

def plain_grids(text: str, spans: list[tuple[int, int]]) -> list[Grid]:
    lines = [_classify(text, s, e) for s, e in spans]
    anchors = [
        k
        for k, ln in enumerate(lines)
        if ln.kind in ("row", "nums") and sum(map(is_num, ln.values)) >= 2
    ]
    if not anchors:
        return []
    blocks: list[list[int]] = [[anchors[0]]]
    for a in anchors[1:]:
        last = blocks[-1][-1]
        if a - last > MAX_GAP_LINES or any(lines[x].kind == "prose" for x in range(last, a)):
            blocks.append([])
        blocks[-1].append(a)
    grids: list[Grid] = []
    floor = 0
    for block in blocks:
        lo, hi = _block_span(lines, block, floor)
        floor = hi
        grids.extend(grids_from_rows(_bind([ln for ln in lines[lo:hi] if ln.kind != "prose"])))
    return grids


def _block_span(lines: list[_Line], anchors: list[int], floor: int) -> tuple[int, int]:
    """A table's lines: context above its first data row (captions, headers, labels printed
    before their numbers), everything to its last data row, and what continues it below
    (single-value rows of table 二, the wrapped end of the last label, stacked headers)."""
    lo = anchors[0]
    while lo > floor and anchors[0] - lo < MAX_GAP_LINES and lines[lo - 1].kind != "prose":
        lo -= 1
    hi = anchors[-1] + 1
    last_data = anchors[-1]
    while hi < len(lines) and hi - last_data <= MAX_GAP_LINES and lines[hi].kind != "prose":
        ln = lines[hi]
        if ln.kind == "label" and LEVEL1.match(ln.label):
            break
        if ln.kind in ("row", "nums"):
            last_data = hi
        hi += 1
    return lo, last_data + 1 + _continuation(lines, last_data + 1)


def _continuation(lines: list[_Line], at: int) -> int:
    """How many lines after the last data row still belong to its label (wrapped text)."""
    k = 0
    while at + k < len(lines) and lines[at + k].kind in ("label", "frag") and k < 2:
        ln = lines[at + k]
        if ln.kind == "label" and MARKER.match(ln.label):
            break
        k += 1
    return k
