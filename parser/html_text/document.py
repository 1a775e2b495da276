"""HTML page (or a JavaScript file holding one) to `Document`: the HTML reader's entry point.

It runs the parts in order: unwrap a JavaScript string (js_string.py), build the tree
(tree.py), find the body (body.py), walk it against the markup's text stream (walk.py,
stream.py), clean the chrome out line by line (parser.text_clean), read the page's metadata
(meta.py) and its data tables (tables.py), and cap the text.
"""

from __future__ import annotations

from parser.html_text.body import find_body
from parser.html_text.js_string import looks_like_js_html, unwrap_js_string
from parser.html_text.meta import html_meta
from parser.html_text.stream import text_stream
from parser.html_text.tables import layout_tables, table_grid
from parser.html_text.tree import parse_tree, text_lengths
from parser.html_text.walk import walk_tree
from parser.model import Document, Grid
from parser.text_clean import clean_chrome as _clean_chrome
from parser.text_clean import meta_from_chrome, title_from_text
from parser.textmap import cap_text


def load_html(raw: str, source: str, encoding: str | None) -> Document:
    """Turn decoded HTML (or a JS file holding HTML in a string) into a Document."""
    src = raw
    pos_map: list[int] | None = None
    if looks_like_js_html(raw):
        src, pos_map = unwrap_js_string(raw)
    root = parse_tree(src)
    lens = text_lengths(root)  # every element's text length, asked by the next three steps
    body = find_body(root, lens)
    stream = text_stream(src)
    walk = walk_tree(root, body, stream, lens)
    clean, index_map, chrome_meta = _clean_chrome(walk.body)
    meta = html_meta(root, walk.page_text)
    for key, value in chrome_meta.items():
        meta.setdefault(key, value)
    tables: list[Grid] = []
    scope = body if body is not None else root
    layout = layout_tables(scope, lens)
    for table in scope.iter("table"):
        if table in layout:
            continue
        grid = table_grid(table)
        if grid is None:
            continue
        span = walk.table_spans.get(table)
        if span:
            grid.start, grid.end = index_map(span[0]), index_map(span[1])
            while grid.end > grid.start and clean.text[grid.end - 1] == "\n":
                grid.end -= 1
        tables.append(grid)
    offsets = clean.offsets
    if pos_map is not None:
        offsets = [pos_map[o] if 0 <= o < len(pos_map) else len(raw) - 1 for o in offsets]
        meta["wrapper"] = "javascript string"
    text = clean.text
    text, offsets = cap_text(text, offsets, meta)
    for key, value in meta_from_chrome(walk.page_text).items():
        meta.setdefault(key, value)
    if "title" not in meta:
        title = title_from_text(clean.text)
        if title:
            meta["title"] = title
    return Document(
        source=source,
        kind="html",
        text=text,
        offsets=offsets,
        raw=raw,
        encoding=encoding,
        meta=meta,
        tables=tables,
    )
