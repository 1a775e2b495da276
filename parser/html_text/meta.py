"""What a page says about itself: title, date, URL, column and source from <meta>, <title> or text.

Apart from the body text because it reads the whole page (chrome included), where CMSs put
these; the loader fills in from the chrome's own lines (parser.text_clean) what is missing.
"""

from __future__ import annotations

import re

from lxml import etree

from parser.html_text.tree import WS
from parser.text_clean import PUBLISHED_RE, iso_date

# <meta name=…> → Document.meta key.
META_NAMES = {
    "articletitle": "title",
    "pubdate": "published",
    "publishdate": "published",
    "firstpublishedtime": "published",
    "url": "url",
    "columnname": "column",
    "contentsource": "source_org",
    "sitename": "site",
    "og:title": "title",
    "og:url": "url",
}


def html_meta(root: etree._Element, page_text: str) -> dict[str, str]:
    """Title, date, URL, column and source that the page states in <meta>, <title> or text."""
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        key = META_NAMES.get(name)
        content = WS.sub(" ", el.get("content") or "").strip()
        if key and content and key not in meta:
            if key == "published":
                m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", content)
                if not m:
                    continue
                content = iso_date(*m.groups())
            meta[key] = content
    title_el = root.find(".//title")
    if title_el is not None and title_el.text and title_el.text.strip():
        page_title = WS.sub(" ", title_el.text).strip()
        meta["page_title"] = page_title
        if "title" not in meta:
            parts = [
                p.strip() for p in re.split(r"\s*(?:_|\||－|——| - )\s*", page_title) if p.strip()
            ]
            meta["title"] = next(
                (p for p in parts if "报告" in p), parts[0] if parts else page_title
            )
    if "url" not in meta:
        for link in root.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
                meta["url"] = link.get("href").strip()
                break
    if "published" not in meta:
        m = PUBLISHED_RE.search(page_text)
        if m:
            meta["published"] = iso_date(m.group(1), m.group(2), m.group(3))
    pm = re.search(r"发布机构\s*[:：]\s*([^\s:：]{2,40})", page_text)
    if pm and "publisher" not in meta:
        meta["publisher"] = pm.group(1)
    return meta
