"""Table grids rebuilt from text where the markup was lost: PDF text layers and pipe dumps.

Three shapes occur in real documents:

* PDF text (pdfplumber, flipbook pages): one table row per line, `label n n n …`, but a long
  label wraps and its numbers land on a line of their own, before or between the label's
  lines (the numbers are vertically centred in the row); vertical labels leave single
  characters on lines of their own or in front of the next label (三 2.其他…); table 四 is a
  line of 15 numbers under stacked header characters.
* Rows condensed to `label | v1 | … | vn` (one row per line), blanks as `&nbsp;`.
* One cell per line with `|` lines between cells (and, in some dumps, a lone `|` that starts
  each row).

Every rebuilt row is `[label cell(s)…, v1, …, vn]`; header lines become rows of their words.
Rows are kept only in table context (a row with at least two whole numeric cells, and a
neighbour row), so prose that mentions numbers is never read as a table. Each `Grid` carries
the offsets of the text it was built from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parser.model import Cell, Grid
from xxgk import settings

_NUM = re.compile(r"[-+]?\d[\d,，]*(?:\.\d+)?%?")
_BLANK = {"", "&nbsp;", "\xa0", "-", "－", "—", "–", "/", "／", "无"}
_MARKER_BODY = (
    r"(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]"
    r"|\d{1,2}\s*[.．、](?!\d)|[①-⑳])"
)
_MARKER = re.compile(r"^\s*" + _MARKER_BODY)
_LEVEL1 = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
# a vertical label's character standing before the next label on the same line: "三 2.其他…"
_VERTICAL_PREFIX = re.compile(r"^[\u4e00-\u9fff、，]\s+(?=" + _MARKER_BODY + ")")
_FOOTER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页.*|P\.\s*\d+)\s*$")
_SENTENCE = re.compile(r"[。；;]|[，,].{6,}[，,]")
_SPAN_NOTE = re.compile(r"\s*\((?:col|row)span=\d+\)")  # "(colspan=3)" left by HTML dumps
# Lines between two data rows of one table; farther apart, they are two tables.
MAX_GAP_LINES = 12


def _is_num(tok: str) -> bool:
    return bool(_NUM.fullmatch(tok))


_SECOND_MARKER = re.compile(r"\s+(?=" + _MARKER_BODY + ")")


def _split_labels(label: str) -> list[str]:
    """'（三）不 4.保护第三方合法权益': a narrow group cell's line beside the row's own label."""
    m = _SECOND_MARKER.search(label)
    if m and m.start() > 0:
        return [label[: m.start()], label[m.end() :]]
    return [label]


def _short_fragment(text: str) -> bool:
    return len(text) <= 4 and not _MARKER.match(text)


@dataclass
class _Line:
    kind: str  # row | nums | label | head | frag | prose
    start: int
    end: int
    label: str = ""
    values: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


@dataclass
class _Row:
    labels: list[str]
    values: list[str] | None
    start: int
    end: int
    header: bool = False

    @property
    def marker(self) -> bool:
        return bool(self.labels and _MARKER.match(self.labels[-1]))


# --- classifying lines of PDF-like text --------------------------------------------------


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
        while k > 0 and (_is_num(cells[k - 1]) or cells[k - 1] in _BLANK):
            k -= 1
        words = [t for t in cells[:k] if t]
        toks = words + cells[k:]
        k = len(words)
    else:
        toks = s.split()
        k = len(toks)
        while k > 0 and (_is_num(toks[k - 1]) or toks[k - 1] in ("-", "－", "—", "/")):
            k -= 1
    values = toks[k:]
    nnum = sum(1 for v in values if _is_num(v))
    label = " ".join(toks[:k])
    if any(_is_num(t) for t in toks[:k]):
        return _Line("prose", start, end)  # numbers inside the words: a sentence, not a row
    if values and nnum >= 1 and (nnum >= 2 or k > 0):
        if k == 0:
            return _Line("nums", start, end, values=values)
        if not _SENTENCE.search(label) and len(label) <= 60 and not re.search(r"\d", label[-1:]):
            return _Line("row", start, end, label=label, values=values)
    if re.search(r"\d", s) and not _MARKER.match(s):
        return _Line("prose", start, end)
    if len(s) == 1 or re.fullmatch(r"[\u4e00-\u9fff、]", s):
        return _Line("frag", start, end, tokens=[s])
    if s.endswith(("。", "；", ";")) or (
        _SENTENCE.search(s) and not _MARKER.match(s) and len(s) > 20
    ):
        return _Line("prose", start, end)
    if _LEVEL1.match(s) and len(_LEVEL1.sub("", s)) <= 1:
        return _Line("frag", start, end, tokens=[s])  # 三、 of a vertical label
    if _MARKER.match(s):
        return _Line("label", start, end, label=s)
    if len(toks) >= 2 and all(len(t) <= 16 for t in toks):
        return _Line("head", start, end, tokens=toks)
    if len(s) <= 40:
        return _Line("label", start, end, label=s)
    return _Line("prose", start, end)


def _bind(lines: list[_Line]) -> list[_Row]:
    """Attach numbers to labels: the rules for wrapped labels and numbers printed before them."""
    rows: list[_Row] = []
    orphan: _Line | None = None  # numbers waiting for the label on the next line
    prev_kind = ""
    for i, ln in enumerate(lines):
        nxt = next((x for x in lines[i + 1 :] if x.kind != "frag"), None)
        last = rows[-1] if rows else None
        if ln.kind == "label":
            marker = bool(_MARKER.match(ln.label))
            group = _group_row(rows)
            if orphan is not None and marker:
                rows.append(_Row(_split_labels(ln.label), orphan.values, orphan.start, ln.end))
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
                rows.append(_Row(_split_labels(ln.label), None, ln.start, ln.end))
        elif ln.kind == "nums":
            if orphan is not None:
                rows.append(_Row([""], orphan.values, orphan.start, orphan.end))
                orphan = None
            open_last = (
                last is not None
                and last.values is None
                and not last.header
                and (prev_kind == "label")
            )
            if (
                open_last
                and nxt is not None
                and nxt.kind == "label"
                and not _MARKER.match(nxt.label)
            ):
                last.values, last.end = ln.values, ln.end
            elif nxt is not None and nxt.kind == "label" and _MARKER.match(nxt.label):
                orphan = ln
            elif open_last and last.marker:
                last.values, last.end = ln.values, ln.end
            else:
                rows.append(_Row([""], ln.values, ln.start, ln.end))
        elif ln.kind == "row":
            if orphan is not None:
                rows.append(_Row([""], orphan.values, orphan.start, orphan.end))
                orphan = None
            if (
                last is not None
                and last.values is None
                and not last.header
                and last.marker
                and prev_kind == "label"
                and not _MARKER.match(ln.label)
            ):
                last.labels[-1] += ln.label
                last.values, last.end = ln.values, ln.end
            else:
                rows.append(_Row(_split_labels(ln.label), ln.values, ln.start, ln.end))
        elif ln.kind == "head":
            rows.append(_Row(list(ln.tokens), None, ln.start, ln.end, header=True))
        if ln.kind != "frag":
            prev_kind = ln.kind
    if orphan is not None:
        rows.append(_Row([""], orphan.values, orphan.start, orphan.end))
    return rows


def _group_row(rows: list[_Row]) -> _Row | None:
    """A recent row whose first label cell is a cut group label (（四）无, （六）其)."""
    for r in rows[-3:][::-1]:
        if r.header:
            continue
        cut = len(r.labels) == 2 or (r.values is None and re.match(r"^\s*[（(]", r.labels[0]))
        if cut and len(_MARKER.sub("", r.labels[0])) <= 3:
            return r
    return None


# --- pipe-delimited dumps ----------------------------------------------------------------


def _pipe_rows(text: str, spans: list[tuple[int, int]]) -> list[_Row]:
    """Rows from `a | b | c` lines, from `a |` cell lines after a lone `|`, and from cells
    separated by lone `|` lines (rows then follow the label-then-numbers pattern)."""
    lines = [(s, e, text[s:e].strip()) for s, e in spans]
    lone = sum(1 for _, _, t in lines if t == "|")
    trailing = sum(1 for _, _, t in lines if t.endswith("|") and t != "|")
    cells: list[tuple[str, int, int]] = []
    rows: list[_Row] = []
    if lone and trailing >= lone:  # "|" starts a row; "x |" lines are its cells
        current: list[tuple[str, int, int]] = []
        for s, e, t in [*lines, (spans[-1][1], spans[-1][1], "|")]:
            if t == "|":
                if current:
                    rows.extend(_cells_to_rows(current, one_row=True))
                current = []
                continue
            # "x |" is one cell; further pipes on the line only pad a colspan
            current.append((t.split("|")[0].strip(), s, e))
        return rows
    if lone:  # cells separated by lone "|" lines
        buf: list[tuple[str, int, int]] = []
        for s, e, t in [*lines, (spans[-1][1], spans[-1][1], "|")]:
            if t != "|":
                buf.append((t, s, e))
                continue
            if not buf:
                continue
            head = buf[0][0]
            if len(buf) > 1 and _LEVEL1.match(head) and len(_LEVEL1.sub("", head)) >= 4:
                # a section heading run into the next cell: it ends the table before it
                rows.extend(_cells_to_rows(cells))
                rows.append(_Row([head], None, buf[0][1], buf[0][2]))
                cells, buf = [], buf[1:]
            cells.append(("".join(t for t, _, _ in buf), buf[0][1], buf[-1][2]))
            buf = []
        return rows + _cells_to_rows(cells)
    for s, e, t in lines:  # one row per line
        parts = [p.strip() for p in t.split("|")]
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        if any((m := _VALUE_THEN_LABEL.match(_clean(p))) and m.group(1) for p in parts[1:]):
            rows.extend(_run_together_rows(parts, s, e))
        else:
            rows.extend(_cells_to_rows([(p, s, e) for p in parts], one_row=True))
    return rows


# "859 二、上年结转…": a row's last cell and the next row's label, once the line break
# between two condensed rows was turned into a space
_VALUE_THEN_LABEL = re.compile(r"^(?:(" + _NUM.pattern + r")\s+)?(" + _MARKER_BODY + r".*)$")


def _run_together_rows(parts: list[str], start: int, end: int) -> list[_Row]:
    """Condensed rows joined on one line: 'a | 1 | 2 b | 3 | 4 c | …'.

    Each row's last cell shares its segment with the next row's label; where that segment
    holds only the label, the last cell was blank ('1 | &nbsp;\nb' became '1 | b').
    """
    rows: list[_Row] = []
    current: _Row | None = None
    head: list[str] = []
    width = 0

    def start_row(label: str) -> None:
        nonlocal current
        if current is not None and current.values is not None:
            width_now = max(width, len(current.values))
            if len(current.values) < width_now:
                current.values.append("")  # the blank cell the joined line break swallowed
        labels = [x.strip() for x in _clean(label).split(" / ")]
        cut = _SECOND_MARKER.search(labels[0])
        if cut and not _MARKER.match(labels[0]):
            head.append(labels[0][: cut.start()])
            labels[0] = labels[0][cut.end() :]
        if head:
            rows.append(_Row(list(head), None, start, end, header=len(head) > 1))
            head.clear()
        current = _Row(labels, [], start, end)
        rows.append(current)

    for i, part in enumerate(parts):
        cell = _clean(part)
        m = _VALUE_THEN_LABEL.match(cell) if i else None
        if _value_cell(cell) and current is not None:
            current.values.append(cell if cell not in _BLANK else "")
            width = max(width, len(current.values))
        elif m and not m.group(1) and current is not None and not current.values:
            current.labels.append(m.group(2))  # a second label cell: 三、… | （一）…
        elif m:
            if m.group(1) and current is not None:
                current.values.append(m.group(1))
                width = max(width, len(current.values))
            start_row(m.group(2))
        elif current is None or not current.values:
            if _MARKER.match(cell) or _SECOND_MARKER.search(cell):
                start_row(cell)
            else:
                head.append(cell)
        else:
            start_row(cell)
    return rows


def _clean(cell: str) -> str:
    cell = _SPAN_NOTE.sub("", cell.replace("&nbsp;", " ").replace("\xa0", " ")).strip()
    return re.sub(r"\s+", " ", cell)


def _cells_to_rows(cells: list[tuple[str, int, int]], one_row: bool = False) -> list[_Row]:
    """Split a run of cells into rows: label cell(s), then the values; header cells apart."""
    rows: list[_Row] = []
    i = 0
    n = len(cells)
    while i < n:
        j = i
        while j < n and not _value_cell(cells[j][0]):
            j += 1
        k = j
        while k < n and _value_cell(cells[k][0]):
            k += 1
        texts = [_clean(c[0]) for c in cells[i:j]]
        values = [_clean(c[0]) for c in cells[j:k]]
        if k == j:  # no values: a header or caption row
            if texts:
                rows.append(_Row(texts, None, cells[i][1], cells[j - 1][2], header=len(texts) > 1))
            break
        labels = texts[-1:] or [""]
        lead = len(texts) - 1
        while lead > 0 and _MARKER.match(texts[lead - 1]):
            lead -= 1
        head = texts[:lead]
        if one_row:
            labels = texts
            head = []
        else:
            labels = texts[lead:] or [""]
        if head:
            rows.append(_Row(head, None, cells[i][1], cells[i + lead - 1][2], header=len(head) > 1))
        labels = [p for lab in labels for p in lab.split(" / ")] if one_row else labels
        rows.append(
            _Row(
                labels, values, cells[i + lead][1] if i + lead < n else cells[j][1], cells[k - 1][2]
            )
        )
        i = k
    return rows


def _value_cell(text: str) -> bool:
    t = _clean(text)
    return t in _BLANK or _is_num(t)


# --- putting it together -----------------------------------------------------------------


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for ln in text.splitlines(keepends=True):
        end = pos + len(ln.rstrip("\r\n"))
        spans.append((pos, end))
        pos += len(ln)
    return spans


def _data(row: _Row) -> int:
    return sum(1 for v in row.values or [] if _is_num(v))


def _grids_from_rows(rows: list[_Row]) -> list[Grid]:
    """Cut rows into tables at unattached level-1 headings and long gaps; keep real tables."""
    groups: list[list[_Row]] = []
    cur: list[_Row] = []
    for r in rows:
        heading = (
            r.values is None
            and not r.header
            and bool(_LEVEL1.match(r.labels[0]))
            and len(_LEVEL1.sub("", r.labels[0])) >= 4
        )
        if heading and any(x.values for x in cur):
            groups.append(cur)
            cur = []
        cur.append(r)
    groups.append(cur)
    grids = []
    for g in groups:
        data = [r for r in g if r.values]
        if not data or (max(_data(r) for r in data) < 2 and len(data) < 2):
            continue
        if len(data) == 1 and not any(r.values is None for r in g):
            continue  # one row alone: no table context
        if not any(any(r.labels) for r in g):
            continue  # numbers without a single label or header: nothing says what they are
        # trailing label-only rows (the next section's heading) are not part of the table
        while g and g[-1].values is None:
            g.pop()
        # a "row" of thousands of numbers is no table (found by benchmarks/fuzz_parser.py:
        # building its cells took seconds); its text stays, as for HTML (MAX_TABLE_CELLS)
        width = max(len(r.labels) + len(r.values or ()) for r in g)
        if width * len(g) > settings.MAX_TABLE_CELLS or width > settings.MAX_MAPPED_TABLE_COLUMNS:
            continue
        grids.append(_to_grid(g))
    return grids


def _to_grid(rows: list[_Row]) -> Grid:
    nlab = max((len(r.labels) for r in rows if r.values is not None), default=1)
    nval = max((len(r.values) for r in rows if r.values is not None), default=0)
    width = max([nlab + nval] + [len(r.labels) for r in rows if r.values is None])
    out: list[list[Cell]] = []
    for ri, r in enumerate(rows):
        if r.values is None:
            # a header with one word per value column sits above the values
            lead = [""] * nlab if r.header and len(r.labels) == nval else []
            texts = lead + r.labels + [""] * (width - len(r.labels) - len(lead))
        else:
            texts = [""] * (nlab - len(r.labels)) + r.labels + r.values
            texts += [""] * (width - len(texts))
        out.append([Cell(t, (ri, ci)) for ci, t in enumerate(texts)])
    return Grid(
        rows=out, source="text", start=min(r.start for r in rows), end=max(r.end for r in rows)
    )


def text_grids(text: str) -> list[Grid]:
    """Tables found in plain text, in text order, each with the span of text it came from."""
    spans = _line_spans(text)
    grids: list[Grid] = []
    i = 0
    n = len(spans)
    while i < n:
        if _piped(text, spans[i]):
            j = i
            while j < n and (_piped(text, spans[j]) or _cell_line(text, spans, j)):
                j += 1
            # the first cell of a one-cell-per-line dump precedes the first lone "|"
            lo = i
            if i > 0 and _line(text, spans[i]) == "|" and 0 < len(_line(text, spans[i - 1])) <= 40:
                lo = i - 1
            if grids_end(grids) > spans[lo][0]:
                lo = i
            grids.extend(_grids_from_rows(_pipe_rows(text, spans[lo:j])))
            i = j
            continue
        j = i
        while j < n and not _piped(text, spans[j]):
            j += 1
        grids.extend(_plain_grids(text, spans[i:j]))
        i = j
    return grids


def _line(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]].strip()


def _piped(text: str, span: tuple[int, int]) -> bool:
    return "|" in text[span[0] : span[1]]


def grids_end(grids: list[Grid]) -> int:
    return max((g.end for g in grids), default=-1)


def _cell_line(text: str, spans: list[tuple[int, int]], j: int) -> bool:
    """A short line without a pipe inside a one-cell-per-line dump: a pipe line is at most
    two lines away on both sides (cells wrap over two lines: 本年新 / 制作数量)."""
    if len(_line(text, spans[j])) > 40:
        return False
    before = any(_line(text, spans[k]) == "|" for k in range(max(0, j - 2), j))
    after = any(_line(text, spans[k]) == "|" for k in range(j + 1, min(len(spans), j + 3)))
    return (before and after) or (
        before and j + 1 < len(spans) and _line(text, spans[j + 1]).startswith("|")
    )


def _plain_grids(text: str, spans: list[tuple[int, int]]) -> list[Grid]:
    lines = [_classify(text, s, e) for s, e in spans]
    anchors = [
        k
        for k, ln in enumerate(lines)
        if ln.kind in ("row", "nums") and sum(map(_is_num, ln.values)) >= 2
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
        grids.extend(_grids_from_rows(_bind([ln for ln in lines[lo:hi] if ln.kind != "prose"])))
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
        if ln.kind == "label" and _LEVEL1.match(ln.label):
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
        if ln.kind == "label" and _MARKER.match(ln.label):
            break
        k += 1
    return k
