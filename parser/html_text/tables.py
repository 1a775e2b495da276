"""HTML tables as `Grid`s: row and column spans expanded, layout tables left out.

A table that only wraps other tables, or that holds a cell too long for data, is page layout;
the rest become grids of their own rows (not those of tables nested in their cells), each
cell's text read as the document text reads it.
"""

from __future__ import annotations

import re

from lxml import etree

from parser.html_text.tree import BLOCK_TAGS, DROP_TAGS, tag_of, text_lengths
from parser.model import Cell, Grid
from parser.textmap import TextBuilder, collapse_space, is_blank
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


def _single_piece(el: etree._Element) -> str | None:
    """The one text piece of a cell whose other pieces are blank, else None.

    With a single non-blank piece the walk (`walked_cell_text`) gives that piece collapsed: soft
    breaks only ever join two pieces, and blank pieces add at most a space before the first
    piece or after the last, which the builder drops. A dropped descendant (script, input)
    goes the long way, as does a cell of two pieces or more."""
    found = None
    for node in el.iter():
        if node is not el:
            tag = node.tag
            if not isinstance(tag, str) or tag.lower() in DROP_TAGS:
                return None
            tail = node.tail
            if tail and not is_blank(tail):
                if found is not None:
                    return None
                found = tail
        text = node.text
        if text and not is_blank(text):
            if found is not None:
                return None
            found = text
    return found or ""


def cell_text(el: etree._Element) -> str:
    """A cell's text, whitespace collapsed; &nbsp; alone gives the empty string.

    Line breaks inside the cell follow `TextBuilder.soft_break`, as in the document text.
    """
    if len(el) == 0:  # no child elements: the walk would add el.text only
        return collapse_space(el.text) if el.text else ""
    only = _single_piece(el)
    if only is not None:  # <td><p><span>text</span></p></td>, most cells of real pages
        return collapse_space(only)
    return walked_cell_text(el)


def walked_cell_text(el: etree._Element) -> str:
    """`cell_text` the long way, every node walked through a `TextBuilder` (the rule that
    `cell_text`'s shortcuts must give the same text as; tests hold them to it)."""
    builder = TextBuilder()
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


def layout_tables(scope: etree._Element,
                  lens: dict[etree._Element, int] | None = None) -> set[etree._Element]:
    """Every table of `scope` that only wraps other tables: the text of its own cells, outside
    the tables nested in them (those whose nearest table it is), is under 30% of its text.

    Linear in the page: every element's text length is computed once, children before parents
    (`text_lengths`; the HTML reader passes the one it made for the whole tree). Asking each
    table for its subtree's text again cost the size of its subtree times its nesting: a hostile
    page of 2,000 nested tables took seconds (found by benchmarks/fuzz_parser.py)."""
    if lens is None:
        lens = text_lengths(scope)
    nodes = list(scope.iter("table"))
    layout = set()
    for table in nodes:
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
