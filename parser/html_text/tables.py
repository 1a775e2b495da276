"""HTML tables as `Grid`s: row and column spans expanded, layout tables left out.

A table that only wraps other tables, or that holds a cell too long for data, is page layout;
the rest become grids of their own rows (not those of tables nested in their cells), each
cell's text read as the document text reads it.
"""

from __future__ import annotations

import re

from lxml import etree

from parser.html_text.tree import BLOCK_TAGS, DROP_TAGS, WS, tag_of, text_len
from parser.model import Cell, Grid
from parser.textmap import TextBuilder
from xxgk import settings

# A table holding a cell this long is page layout, not data.
MAX_DATA_CELL = 1000


def _nearest_table(el: etree._Element) -> etree._Element | None:
    """The closest <table> above `el` (its own table for a row or cell)."""
    parent = el.getparent()
    while parent is not None and tag_of(parent) != "table":
        parent = parent.getparent()
    return parent


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The rows of this table, not those of tables nested in its cells."""
    return [tr for tr in table.iter("tr") if _nearest_table(tr) is table]


def cell_text(el: etree._Element) -> str:
    """A cell's text, whitespace collapsed; &nbsp; alone gives the empty string.

    Line breaks inside the cell follow `TextBuilder.soft_break`, as in the document text.
    """
    builder = TextBuilder()
    if len(el) == 0:  # no child elements (most cells): the walk below would add el.text only
        if el.text:
            builder.add(el.text)
        return builder.build().text.strip()
    skip = 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = tag_of(node)
        dropped = node is not el and (not tag or tag in DROP_TAGS)
        if event == "start":
            if dropped:
                skip += 1
            elif skip == 0:
                if node is not el and (tag in BLOCK_TAGS or tag == "br"):
                    builder.soft_break()
                if node.text:
                    builder.add(node.text)
        else:
            if dropped:
                skip -= 1
            elif skip == 0 and node is not el and tag in BLOCK_TAGS:
                builder.soft_break()
            if node is not el and skip == 0 and node.tail:
                builder.add(node.tail)
    return builder.build().text.strip()


def _span(value: str | None, default_max: int) -> int:
    if value is None:  # most cells: no rowspan/colspan attribute
        n = 1
    elif value.isascii() and value.isdigit() and len(value) < 10:
        n = int(value)
    else:  # digits among other characters (colspan="2;"), Unicode digits
        try:
            n = int(re.sub(r"[^\d]", "", value) or 1)
        except ValueError:
            n = 1
    if n == 0:
        n = default_max
    return max(1, min(n, settings.MAX_TABLE_SPAN, default_max))


def table_grid(table: etree._Element) -> Grid | None:
    """A Grid with row/column spans expanded, or None for a layout table."""
    rows = _own_rows(table)
    if len(rows) < 2:
        return None
    cells: dict[tuple[int, int], Cell] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if tag_of(td) not in ("td", "th"):
                continue
            while (r, c) in cells:
                c += 1
            rs = _span(td.get("rowspan"), len(rows) - r)
            cs = _span(td.get("colspan"), settings.MAX_TABLE_SPAN)
            text = cell_text(td)
            if len(text) > MAX_DATA_CELL or len(cells) + rs * cs > settings.MAX_TABLE_CELLS:
                return None
            for dr in range(rs):
                for dc in range(cs):
                    cells[(r + dr, c + dc)] = Cell(text, (r, c), span_copy=(dr, dc) != (0, 0))
            c += cs
            width = max(width, c)
    if width < 2 or width * len(rows) > settings.MAX_TABLE_CELLS:
        return None
    grid_rows = [
        [cells.get((r, c)) or Cell("", (r, c)) for c in range(width)] for r in range(len(rows))
    ]
    return Grid(rows=grid_rows, source="html")


def _is_layout(table: etree._Element) -> bool:
    """A table that only wraps other tables (its own cells hold little text)."""
    inner = [t for t in table.iter("table") if t is not table and _nearest_table(t) is table]
    if not inner:
        return False
    inner_len = sum(text_len(t) for t in inner)
    total = text_len(table)
    return total == 0 or (total - inner_len) < 0.3 * total


def layout_tables(scope: etree._Element) -> set[etree._Element]:
    """Every table of `scope` that `_is_layout` says is a layout table, in linear time.

    Calling `_is_layout` on each table costs the size of its subtree times its nesting: a
    hostile page of 2,000 nested tables took seconds (found by benchmarks/fuzz_parser.py).
    Here every element's `text_len` is computed once, children before parents."""
    nodes = list(scope.iter())  # keeps the element proxies (dict keys) alive
    lens: dict[etree._Element, int] = {}
    for node in reversed(nodes):
        tag = tag_of(node)
        n = 0 if (tag in DROP_TAGS or not tag or not node.text) else len(WS.sub("", node.text))
        for child in node:
            n += lens[child] + (len(WS.sub("", child.tail)) if child.tail else 0)
        lens[node] = n
    layout = set()
    for table in (n for n in nodes if tag_of(n) == "table"):
        inner, stack = [], list(table)
        while stack:  # nested tables whose nearest table is this one
            el = stack.pop()
            if tag_of(el) == "table":
                inner.append(el)
            else:
                stack.extend(el)
        if not inner:
            continue
        total = lens[table]
        if total == 0 or (total - sum(lens[t] for t in inner)) < 0.3 * total:
            layout.add(table)
    return layout
