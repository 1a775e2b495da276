"""One pass over the tree: the body's text with block, row and cell separators, chrome dropped.

Every text node is aligned with the markup's text stream (stream.py) so that each character
keeps its source offset. Tables become rows of tab-separated cells in the text (so text-level
fallbacks still see a row), and where each table's text starts and ends is recorded for its
`Grid` (tables.py). The page's whole text (chrome included) comes out too, for metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from parser.html_text.stream import Aligner, Stream
from parser.html_text.tree import BLOCK_TAGS, DROP_TAGS, tag_of, text_len
from parser.text_clean import load_rules
from parser.textmap import MappedText, TextBuilder

# A chrome-named element (class="share") is dropped only if its text is at most this long.
MAX_CHROME_BLOCK = 300
_TABLE_PARTS = frozenset(["table", "tbody", "thead", "tfoot", "tr"])


def _is_chrome_block(el: etree._Element, attrs: tuple[str, ...],
                     lens: dict[etree._Element, int] | None) -> bool:
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:  # most elements: no names at all
        return False
    names = f"{cls or ''} {ident or ''}".lower()
    if not names.strip():
        return False
    tokens = re.split(r"[\s_-]+", names)
    if not any(a in tokens for a in attrs):
        return False
    return (lens[el] if lens is not None else text_len(el)) <= MAX_CHROME_BLOCK


@dataclass
class Walk:
    """What one pass over the tree produces."""

    body: MappedText
    table_spans: dict[etree._Element, tuple[int, int]] = field(default_factory=dict)
    page_text: str = ""


def walk_tree(root: etree._Element, body: etree._Element | None, stream: Stream,
              lens: dict[etree._Element, int] | None = None) -> Walk:
    """Emit the body's text with block/row/cell separators; align every text node.

    `lens` is `text_lengths(root)` when the caller has it already (the HTML reader does)."""
    attrs = load_rules().attrs
    # The body and its ancestors are never dropped as chrome, whatever their class names.
    keep = set() if body is None else {body, *body.iterancestors()}
    aligner = Aligner(stream)
    builder = TextBuilder()
    page: list[str] = []
    table_spans: dict[etree._Element, tuple[int, int]] = {}
    table_starts: list[int] = []
    drop_depth = 0  # >0 while inside a dropped element
    in_body = body is None
    cells_in_row: list[int] = []
    cell_depth = 0  # open td/th elements
    open_tags: list[tuple[str, bool]] = []  # (tag, dropped) of each open element

    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            tag = tag_of(el)
            dropped = bool(tag) and (
                tag in DROP_TAGS or (el not in keep and _is_chrome_block(el, attrs, lens))
            )
            if not tag:
                dropped = True
            if dropped:
                drop_depth += 1
            if el is body:
                in_body = True
            emitting = in_body and drop_depth == 0
            open_tags.append((tag, dropped))
            if emitting:
                if tag in BLOCK_TAGS or tag == "br":
                    if cells_in_row and cell_depth and tag not in _TABLE_PARTS:
                        builder.soft_break()
                    else:
                        builder.newline()
                if tag == "table":
                    table_starts.append(len(builder))
                elif tag == "tr":
                    cells_in_row.append(0)
                elif tag in ("td", "th"):
                    if cells_in_row and cells_in_row[-1] > 0:
                        builder.tab()
                    if cells_in_row:
                        cells_in_row[-1] += 1
                    cell_depth += 1
            if el.text and isinstance(el.tag, str):
                if drop_depth == 0:
                    page.append(el.text)
                if emitting:
                    builder.add(el.text, aligner.locate(el.text))
                else:
                    aligner.skip(el.text)
        else:
            tag, dropped = open_tags.pop()
            emitting = in_body and drop_depth == 0
            if emitting:
                if tag in BLOCK_TAGS:
                    if cells_in_row and cell_depth and tag not in _TABLE_PARTS:
                        builder.soft_break()
                    else:
                        builder.newline()
                if tag in ("td", "th") and cell_depth:
                    cell_depth -= 1
                if tag == "table" and table_starts:
                    table_spans[el] = (table_starts.pop(), len(builder))
                elif tag == "tr" and cells_in_row:
                    cells_in_row.pop()
            if tag in BLOCK_TAGS or tag == "br":
                page.append("\n")
            if dropped:
                drop_depth -= 1
            if el is body:
                in_body = False
            if el.tail:
                if drop_depth == 0:
                    page.append(el.tail)
                if in_body and drop_depth == 0:
                    builder.add(el.tail, aligner.locate(el.tail))
                else:
                    aligner.skip(el.tail)
    return Walk(builder.build(), table_spans, "".join(page))
