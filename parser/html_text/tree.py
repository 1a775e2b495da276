"""The lxml tree of a page and what every pass over it shares: tag sets, tag names, text length.

lxml builds the tree (fast, forgiving, and it walks deep trees without Python recursion);
finding the body, walking the text and reading tables all ask the same questions of it
(which tags are blocks, which are never text, how much text an element holds), so the answers
live here once.
"""

from __future__ import annotations

import re

from lxml import etree

from parser.model import DocumentError


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


BLOCK_TAGS = _words(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table tbody tfoot thead tr ul"
)
# Never text: code, styling, controls, embedded objects.
DROP_TAGS = _words(
    "script style noscript template iframe object embed select option button input textarea "
    "svg canvas map head title nav"
)
# Elements that may hold a report body when no known container is found.
CONTAINER_TAGS = _words("div td article section main body form center")
# Whitespace of every width (full-width space, nbsp, zero-width): none of it is text.
WS = re.compile(r"[\s\xa0\u3000\u200b\ufeff]+")


def parse_tree(src: str) -> etree._Element:
    """lxml tree of `src`; DocumentError if the markup is nested too deep to read."""
    parser = etree.HTMLParser(
        encoding="utf-8",
        recover=True,
        huge_tree=True,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(src.encode("utf-8", "surrogatepass"), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise DocumentError(f"HTML cannot be parsed: {exc}") from exc
    for err in parser.error_log:
        if "Excessive depth" in err.message:
            depth = re.search(r"\d+", err.message)
            limit = f"{depth.group()} levels" if depth else "the parser's limit"
            raise DocumentError(f"HTML is nested deeper than {limit}: cannot be read")
    if root is None:
        raise DocumentError("HTML has no elements")
    return root


def tag_of(el: etree._Element) -> str:
    tag = el.tag  # lxml builds a new str on every access: read it once
    return tag.lower() if isinstance(tag, str) else ""


def text_len(el: etree._Element) -> int:
    """Characters of `el`'s text, whitespace not counted. The own text of a dropped element
    (script, style, nav) is not counted; its descendants' text and every tail are."""
    n = 0
    for node in el.iter():
        tag = tag_of(node)
        if tag in DROP_TAGS or not tag:
            if node is not el and node.tail:
                n += len(WS.sub("", node.tail))
            continue
        if node.text:
            n += len(WS.sub("", node.text))
        if node is not el and node.tail:
            n += len(WS.sub("", node.tail))
    return n


def text_lengths(root: etree._Element) -> dict[etree._Element, int]:
    """`text_len` of every element of the tree, in one pass (children before parents).

    Finding the body, dropping chrome blocks and telling layout tables apart all ask how much
    text an element holds; asked one element at a time, that reads each subtree again for
    every ancestor. The dict's keys keep the element proxies alive, so lookups by element work
    for as long as the dict lives."""
    nodes = list(root.iter())
    lens: dict[etree._Element, int] = {}
    sub = WS.sub
    for node in reversed(nodes):
        tag = node.tag
        dropped = not isinstance(tag, str) or tag.lower() in DROP_TAGS
        n = 0 if (dropped or not node.text) else len(sub("", node.text))
        for child in node:
            n += lens[child]
            if child.tail:
                n += len(sub("", child.tail))
        lens[node] = n
    return lens
