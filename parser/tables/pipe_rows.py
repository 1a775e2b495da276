"""Table rows in pipe dumps of HTML tables: `a | b | c` rows, `a |` cell lines after a lone
`|`, cells separated by lone `|` lines, and condensed rows run together on one line."""

from __future__ import annotations

import re
from collections.abc import Callable

from parser.tables.text_rows import (
    BLANK,
    LEVEL1,
    MARKER,
    MARKER_BODY,
    NUM,
    SECOND_MARKER,
    Row,
    is_num,
)

_SPAN_NOTE = re.compile(r"\s*\((?:col|row)span=\d+\)")  # "(colspan=3)" left by HTML dumps


def pipe_rows(text: str, spans: list[tuple[int, int]]) -> list[Row]:
    """Rows from `a | b | c` lines, from `a |` cell lines after a lone `|`, and from cells
    separated by lone `|` lines (rows then follow the label-then-numbers pattern)."""
    lines = [(s, e, text[s:e].strip()) for s, e in spans]
    lone = sum(1 for _, _, t in lines if t == "|")
    trailing = sum(1 for _, _, t in lines if t.endswith("|") and t != "|")
    cells: list[tuple[str, int, int]] = []
    rows: list[Row] = []
    if lone and trailing >= lone:  # "|" starts a row; "x |" lines are its cells
        current: list[tuple[str, int, int]] = []
        for s, e, t in [*lines, (spans[-1][1], spans[-1][1], "|")]:
            if t == "|":
                if current:
                    rows.extend(cells_to_rows(current, one_row=True))
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
            if len(buf) > 1 and LEVEL1.match(head) and len(LEVEL1.sub("", head)) >= 4:
                # a section heading run into the next cell: it ends the table before it
                rows.extend(cells_to_rows(cells))
                rows.append(Row([head], None, buf[0][1], buf[0][2]))
                cells, buf = [], buf[1:]
            cells.append(("".join(t for t, _, _ in buf), buf[0][1], buf[-1][2]))
            buf = []
        return rows + cells_to_rows(cells)
    for s, e, t in lines:  # one row per line
        parts = [p.strip() for p in t.split("|")]
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        if any((m := _VALUE_THEN_LABEL.match(clean(p))) and m.group(1) for p in parts[1:]):
            rows.extend(_run_together_rows(parts, s, e))
        else:
            rows.extend(cells_to_rows([(p, s, e) for p in parts], one_row=True))
    return rows


# "859 二、上年结转…": a row's last cell and the next row's label, once the line break
# between two condensed rows was turned into a space
_VALUE_THEN_LABEL = re.compile(r"^(?:(" + NUM.pattern + r")\s+)?(" + MARKER_BODY + r".*)$")


def _run_together_rows(parts: list[str], start: int, end: int) -> list[Row]:
    """Condensed rows joined on one line: 'a | 1 | 2 b | 3 | 4 c | …'.

    Each row's last cell shares its segment with the next row's label; where that segment
    holds only the label, the last cell was blank ('1 | &nbsp;\nb' became '1 | b').
    """
    rows: list[Row] = []
    current: Row | None = None
    head: list[str] = []
    width = 0

    def start_row(label: str) -> None:
        nonlocal current
        if current is not None and current.values is not None:
            width_now = max(width, len(current.values))
            if len(current.values) < width_now:
                current.values.append("")  # the blank cell the joined line break swallowed
        labels = [x.strip() for x in clean(label).split(" / ")]
        cut = SECOND_MARKER.search(labels[0])
        if cut and not MARKER.match(labels[0]):
            head.append(labels[0][: cut.start()])
            labels[0] = labels[0][cut.end() :]
        if head:
            rows.append(Row(list(head), None, start, end, header=len(head) > 1))
            head.clear()
        current = Row(labels, [], start, end)
        rows.append(current)

    for i, part in enumerate(parts):
        cell = clean(part)
        m = _VALUE_THEN_LABEL.match(cell) if i else None
        # start_row gives every row a list of values: the "is not None" tests only say so
        if _value_cell(cell) and current is not None and current.values is not None:
            current.values.append(cell if cell not in BLANK else "")
            width = max(width, len(current.values))
        elif m and not m.group(1) and current is not None and not current.values:
            current.labels.append(m.group(2))  # a second label cell: 三、… | （一）…
        elif m:
            if m.group(1) and current is not None and current.values is not None:
                current.values.append(m.group(1))
                width = max(width, len(current.values))
            start_row(m.group(2))
        elif current is None or not current.values:
            if MARKER.match(cell) or SECOND_MARKER.search(cell):
                start_row(cell)
            else:
                head.append(cell)
        else:
            start_row(cell)
    return rows


def clean(cell: str) -> str:
    cell = _SPAN_NOTE.sub("", cell.replace("&nbsp;", " ").replace("\xa0", " ")).strip()
    return re.sub(r"\s+", " ", cell)


def cells_to_rows(cells: list[tuple[str, int, int]], one_row: bool = False,
                  is_value: Callable[[str], bool] | None = None) -> list[Row]:
    """Split a run of cells into rows: label cell(s), then the values; header cells apart.
    `is_value` tells a value cell (default: a number or a blank/dash)."""
    value_cell = is_value or _value_cell
    rows: list[Row] = []
    i = 0
    n = len(cells)
    while i < n:
        j = i
        while j < n and not value_cell(cells[j][0]):
            j += 1
        k = j
        while k < n and value_cell(cells[k][0]):
            k += 1
        texts = [clean(c[0]) for c in cells[i:j]]
        values = [clean(c[0]) for c in cells[j:k]]
        if k == j:  # no values: a header or caption row
            if texts:
                rows.append(Row(texts, None, cells[i][1], cells[j - 1][2], header=len(texts) > 1))
            break
        labels = texts[-1:] or [""]
        lead = len(texts) - 1
        while lead > 0 and MARKER.match(texts[lead - 1]):
            lead -= 1
        head = texts[:lead]
        if one_row:
            labels = texts
            head = []
        else:
            labels = texts[lead:] or [""]
        if head:
            rows.append(Row(head, None, cells[i][1], cells[i + lead - 1][2], header=len(head) > 1))
        labels = [p for lab in labels for p in lab.split(" / ")] if one_row else labels
        rows.append(
            Row(
                labels, values, cells[i + lead][1] if i + lead < n else cells[j][1], cells[k - 1][2]
            )
        )
        i = k
    return rows


def _value_cell(text: str) -> bool:
    t = clean(text)
    return t in BLANK or is_num(t)
