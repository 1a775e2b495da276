"""Where the report body is in the CMS chrome: a known container, else the densest block.

The first known CMS container (parser/data/body_containers.txt) that holds real text, else
the deepest block element holding most of the page's non-link text. The crawler uses it too
(scraper/discover.py), to read a listing page's links from its body only.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lxml import etree

from parser.html_text.tree import CONTAINER_TAGS, DROP_TAGS, WS, tag_of, text_len

# Share of the page's non-link text that the fallback body block must hold.
DENSEST_SHARE = 0.6
# A known container is taken only if it holds this many characters and this share of the page.
MIN_CONTAINER_CHARS = 50
MIN_CONTAINER_SHARE = 0.25


@lru_cache(maxsize=1)
def body_selectors() -> tuple[tuple[str, str], ...]:
    """(attribute, value) pairs from parser/data/body_containers.txt, in priority order."""
    text = resources.files("parser").joinpath("data/body_containers.txt").read_text("utf-8")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(("class" if line[0] == "." else "id", line[1:]))
    return tuple(out)


def find_body(root: etree._Element,
              lens: dict[etree._Element, int] | None = None) -> etree._Element | None:
    """The element that holds the report body, or None to use the whole page.

    `lens` is `text_lengths(root)` when the caller has it already (the HTML reader does)."""
    length = lens.__getitem__ if lens is not None else text_len
    matches: dict[tuple[str, str], list[etree._Element]] = {}
    wanted = {(attr, name.lower()) for attr, name in body_selectors()}
    for el in root.iter(etree.Element):
        for attr in ("class", "id"):
            value = el.get(attr)
            if not value:
                continue
            names = value.split() if attr == "class" else [value.strip()]
            for name in names:
                key = (attr, name.lower())
                if key in wanted:
                    matches.setdefault(key, []).append(el)
    if matches:
        # A container must hold a real share of the page: CMS templates reuse class names
        # (.view, .content) for small widgets too.
        floor = max(MIN_CONTAINER_CHARS, MIN_CONTAINER_SHARE * length(root))
        for attr, name in body_selectors():
            found = [(el, length(el)) for el in matches.get((attr, name.lower()), [])]
            found = [f for f in found if f[1] >= floor]
            if found:
                return max(found, key=lambda f: f[1])[0]
    return densest_block(root)


def densest_block(root: etree._Element) -> etree._Element | None:
    """The deepest container holding DENSEST_SHARE of the page's non-link text."""
    order = [el for el in root.iter() if isinstance(el.tag, str)]
    total: dict[etree._Element, int] = {}
    depth: dict[etree._Element, int] = {root: 0}
    for el in order[1:]:
        parent = el.getparent()
        depth[el] = depth.get(parent, 0) + 1
    for el in reversed(order):
        tag = tag_of(el)
        if tag in DROP_TAGS:
            total[el] = 0
            continue
        own = 0 if tag == "a" else len(WS.sub("", el.text or ""))
        for child in el:
            if isinstance(child.tag, str):
                own += total.get(child, 0)
            if child.tail and tag != "a":
                own += len(WS.sub("", child.tail))
        total[el] = own
    page = total.get(root, 0)
    if page == 0:
        return None
    best = None
    for el in order:
        if (
            tag_of(el) in CONTAINER_TAGS
            and total[el] >= DENSEST_SHARE * page
            and (best is None or depth[el] > depth[best])
        ):
            best = el
    return best
