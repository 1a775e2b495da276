"""Where a flattened table's rows stand in the text: each row label and the digit run after it.

Labels come from layouts.toml (`layout_labels`) as patterns that accept the printed variants
(`label_regex`); `find_flattened_rows` takes each label in table order with the run of digits
that follows it, `cluster` keeps the rows that stand together, and `cell_spans` gives the
offsets of each cell once a run is cut. This module is apart from the splitting and the rules
(flat_split.py, flat_solve.py): it knows the text and the layouts, not the arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parser.tables.flat_split import GROUPED
from parser.tables.layout import load_layouts
from xxgk.settings import FLATTENED_MAX_ROW_GAP_CHARS

_RUN = re.compile(r"(?:[\d\s.+\-]|(?<=\d),(?=\d{3}))*")  # "18,352": a separator, not an end


@dataclass
class FlatRow:
    """A row label found in flattened text and the run of digits after it."""

    row_id: str
    label: str
    run: str
    start: int  # offset of the label in the text
    end: int  # offset just after the run


def label_regex(labels: list[str]) -> str:
    """A pattern for printed label variants: spaces anywhere, either bracket width, 1. / 1、."""
    alts = []
    for label in sorted(labels, key=len, reverse=True):
        parts = []
        for ch in label:
            if ch.isspace():
                continue
            if ch in "（(":
                parts.append("[（(]")
            elif ch in "）)":
                parts.append("[）)]")
            elif ch in ".、．":
                parts.append("[.、．,，]")
            elif ch in '“”"':
                parts.append('[“”"]?')
            else:
                parts.append(re.escape(ch))
        alts.append(r"\s*".join(parts))
    return "(?:" + "|".join(alts) + ")"


def find_flattened_rows(
    text: str, labels: list[tuple[str, str]], start: int = 0, end: int | None = None
) -> dict[str, FlatRow]:
    """Each row label (in table order) and the digit run printed right after it.

    `labels` is [(row id, label regex)] in the order the rows are printed; each label is
    searched after the previous one, so a label that reappears in prose before the table
    or a shorter label inside a longer one is not taken. A run ends where the next label
    begins (the next label may start with a digit: 00000002.其他法律… is 0000000 + 2.其他…)
    or at the first character that cannot be part of a number. Only a label followed by
    digits is taken: a row label quoted in prose before the table is skipped.
    """
    stop = len(text) if end is None else end
    found: list[tuple[str, re.Match[str]]] = []
    pos = start
    for row_id, pattern in labels:
        # a label counts only where digits follow it: the same words in prose, or a
        # heading row without cells, do not move the search past the table's own row
        m = re.compile(pattern + r"(?=\s*[+-]?\d)").search(text, pos, stop)
        if m is None:
            continue
        found.append((row_id, m))
        pos = m.end()
    out: dict[str, FlatRow] = {}
    for i, (row_id, m) in enumerate(found):
        limit = found[i + 1][1].start() if i + 1 < len(found) else stop
        run = _RUN.match(text, m.end(), limit)
        digits = run.group(0) if run else ""
        if not re.search(r"\d", digits):
            continue
        # a run cannot end in a separator: "…0000000 " or "…23." belong to what follows
        trimmed = digits.rstrip(" \t.+-")
        out[row_id] = FlatRow(row_id, m.group(0), trimmed, m.start(), m.end() + len(trimmed))
    return out


def layout_labels(table: str, version: str) -> list[tuple[str, str]]:
    """(row key, label regex) for every keyed row of a standard table, from layouts.toml."""
    layout = load_layouts()[table]
    out = []
    for row in layout.rows(version):
        if table == "三" and row.key is None:
            continue
        ident = row.key if row.key else row.id
        out.append((ident, label_regex(row.labels)))
    return out


def layout_widths(table: str, version: str) -> dict[str, int]:
    """Cells per row of a table from layouts.toml (二: 规章 3; 行政许可 1 in v2021, 3 in v2019)."""
    cells = load_layouts()[table].version(version).cells
    widths: dict[str, int] = {}
    for ref in cells:
        row_id = ref.rsplit(".", 1)[0]
        widths[row_id] = widths.get(row_id, 0) + 1
    return widths


def cell_spans(text: str, row: FlatRow, cells: Sequence[str]) -> list[tuple[int, int]]:
    """Offsets in `text` of each cell of a split of `row.run` (whitespace separates cells)."""
    pos = row.end - len(row.run)
    spans = []
    for cell in cells:
        while text[pos].isspace():
            pos += 1
        grouped = GROUPED.match(text, pos)  # "18,352" is the cell 18352 as printed
        if grouped and grouped.group().replace(",", "") == cell:
            spans.append((pos, grouped.end()))
            pos = grouped.end()
            continue
        if text[pos : pos + len(cell)] != cell:  # the run is a slice of the text: a bug
            raise ValueError(f"cell {cell!r} is not at offset {pos} of the run {row.run!r}")
        spans.append((pos, pos + len(cell)))
        pos += len(cell)
    return spans


def cluster(rows: dict[str, FlatRow]) -> dict[str, FlatRow]:
    """The largest group of rows that follow each other closely (see the gap setting)."""
    groups: list[list[str]] = []
    last_end = None
    for rid, row in rows.items():
        if last_end is None or row.start - last_end > FLATTENED_MAX_ROW_GAP_CHARS:
            groups.append([])
        groups[-1].append(rid)
        last_end = row.end
    best = max(groups, key=len, default=[])
    return {rid: rows[rid] for rid in best}

