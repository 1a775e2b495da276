"""Discovery: what a listing or detail page links to, and which of those links are reports.

Pure functions over a page's decoded HTML: no network, no database, so that each rule can be
tested on a string. The patterns live in `scraper/data/patterns.toml`; this module only says
how they are applied: a link is a report when its text (or title attribute) matches a report
pattern and no exclusion; the year and publisher come from that title; pager links are found
by text, by URL shape and from TRS's `createPageHTML(...)` call; on a detail page the
attachments are links with a document extension and the `file=` of a pdf.js viewer.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "patterns.toml"
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass(frozen=True)
class Link:
    """A link found on a page and what discovery made of it.

    kind: report (a report page or file), attachment (a document file of a detail page),
    pager (another page of the same listing), skipped (a link titled like a column entry that
    is not a report: logged, not fetched).
    """

    url: str
    kind: str
    title: str = ""
    year: int | None = None
    publisher: str | None = None
    reason: str = ""


@dataclass
class Patterns:
    title: list[re.Pattern[str]]
    not_title: list[re.Pattern[str]]
    year: re.Pattern[str]
    chinese_year: re.Pattern[str]
    suffixes: tuple[str, ...]
    extensions: tuple[str, ...]
    image_extensions: tuple[str, ...]
    viewer_param: str
    viewer_path: re.Pattern[str]
    pager_text: frozenset[str]
    pager_href: list[re.Pattern[str]]
    create_page_html: re.Pattern[str]
    stub_phrases: tuple[str, ...]


@cache
def patterns() -> Patterns:
    raw = tomllib.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    rep, links, stub = raw["report"], raw["links"], raw["stub"]
    return Patterns(
        title=[re.compile(p) for p in rep["title"]],
        not_title=[re.compile(p) for p in rep["not_title"]],
        year=re.compile(rep["year"]),
        chinese_year=re.compile(rep["chinese_year"]),
        suffixes=tuple(sorted(rep["publisher_suffixes"], key=len, reverse=True)),
        extensions=tuple(links["attachment_extensions"]),
        image_extensions=tuple(links.get("image_extensions", ())),
        viewer_param=links["viewer_param"],
        viewer_path=re.compile(links["viewer_path"]),
        pager_text=frozenset(links["pager_text"]),
        pager_href=[re.compile(p) for p in links["pager_href"]],
        create_page_html=re.compile(links["create_page_html"]),
        stub_phrases=tuple(stub["phrases"]),
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def report_year(title: str) -> int | None:
    """The year a report covers, from its title (2023年 / 2023年度 / 二〇二三年)."""
    p = patterns()
    t = _squash(title)
    m = p.year.search(t)
    if m:
        return int(m.group(1))
    m = p.chinese_year.search(t)
    if m:
        year = int(m.group(1).translate(_CN_DIGITS))
        return year if 1990 <= year <= 2100 else None
    return None


def title_publisher(title: str) -> str | None:
    """The organ named before the year in a title (云溪县财政局2023年… → 云溪县财政局)."""
    p = patterns()
    t = _squash(title).lstrip("《“\"")
    m = p.year.search(t) or p.chinese_year.search(t)
    if not m:
        return None
    head = t[: m.start()].strip("《“\"（(：:—-")
    return head if head and head.endswith(p.suffixes) else None


def classify_title(title: str) -> tuple[bool, str]:
    """(is a report, reason). The reason names the pattern that decided, for the log."""
    p = patterns()
    t = _squash(title)
    for rx in p.not_title:
        if rx.search(t):
            return False, f"not a report: title matches {rx.pattern!r}"
    for rx in p.title:
        if rx.search(t):
            return True, ""
    return False, "title does not name an annual report"


def is_attachment_url(url: str) -> bool:
    path = unquote(urlsplit(url).path).lower()
    return path.endswith(patterns().extensions)


def is_stub(text: str) -> str | None:
    """The stub phrase of a short 'deleted/forbidden' page answered with 200, else None."""
    body = _squash(text)
    for phrase in patterns().stub_phrases:
        if phrase.replace(" ", "") in body:
            return phrase
    return None


def _attr(tag: Tag, name: str) -> str:
    """A single-valued attribute (href, src, data, title, content) as a string, "" where absent.

    bs4 types every attribute as possibly a list, since class and rel are lists; these never
    are."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _anchors(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(href, text) of every link, including links held in script templates (Hanweb keeps
    a column's records as HTML inside `<script type="text/xml">` CDATA)."""
    found: list[tuple[str, str]] = []
    for a in soup.find_all("a", href=True):
        title = _attr(a, "title")
        text = a.get_text(" ", strip=True) or title
        longer = title if len(_squash(title)) > len(_squash(text)) else text
        found.append((_attr(a, "href"), longer))
    for script in soup.find_all("script"):
        code = script.string or ""
        if "<a" in code and "href" in code:
            inner = BeautifulSoup(code.replace("<![CDATA[", "").replace("]]>", ""), "lxml")
            found += _anchors(inner)
    return found


def _resolve(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    url = urldefrag(urljoin(base, href))[0]
    return url if urlsplit(url).scheme in ("http", "https") else None


def _base(soup: BeautifulSoup, page_url: str) -> str:
    tag = soup.find("base", href=True)
    return urljoin(page_url, _attr(tag, "href")) if isinstance(tag, Tag) else page_url


def _viewer_file(url: str) -> str | None:
    """The document a pdf.js viewer URL shows (its file= parameter), resolved on the viewer."""
    p = patterns()
    parts = urlsplit(url)
    if not p.viewer_path.search(parts.path):
        return None
    files = parse_qs(parts.query).get(p.viewer_param)
    return urljoin(url, unquote(files[0])) if files else None


def _trs_pages(html: str, page_url: str) -> list[str]:
    """Pages named by TRS's createPageHTML(pages, current, "index", "html") pager script."""
    urls = []
    for m in patterns().create_page_html.finditer(html):
        args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
        ints = [int(a) for a in args if a.isdigit()]
        names = [a for a in args if a and not a.isdigit()]
        if not ints or len(names) < 2:
            continue
        prefix, ext = names[-2], names[-1]
        for i in range(min(ints[0], 500)):
            if i == 0 and page_url.endswith("/"):
                continue  # index.html is the folder URL itself
            name = f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}"
            urls.append(urljoin(page_url, name))
    return urls


def _same_column(listing_url: str, url: str) -> bool:
    """A pager link stays in the listing's folder (TRS/集约化) or on its path (?page=N)."""
    a, b = urlsplit(listing_url), urlsplit(url)
    if a.netloc != b.netloc:
        return False
    folder = a.path.rsplit("/", 1)[0] + "/"
    return b.path.startswith(folder)


def same_page(a: str, b: str) -> bool:
    """`col/` and `col/index.html` are one page (the pager links back to the first page)."""
    def norm(u: str) -> str:
        return re.sub(r"/index\.s?html?$", "/", u)

    return norm(a) == norm(b)


def listing_links(html: str, page_url: str) -> list[Link]:
    """Report, pager and skipped links of a listing page (each URL once, in page order)."""
    p = patterns()
    soup = BeautifulSoup(html, "lxml")
    base = _base(soup, page_url)
    out: dict[str, Link] = {}
    for href, text in _anchors(soup):
        url = _resolve(base, href)
        if url is None or url in out:
            continue
        viewer = _viewer_file(url)
        title = _squash(text)
        is_pager = title in p.pager_text or (
            title.isdigit() and any(rx.search(url) for rx in p.pager_href)
        ) or (any(rx.search(url) for rx in p.pager_href) and not classify_title(title)[0])
        if is_pager:
            if _same_column(page_url, url) and not same_page(page_url, url):
                out[url] = Link(url, "pager", title)
            continue
        if not title or len(title) < 6:
            continue
        ok, reason = classify_title(title)
        if ok:
            out[url] = Link(viewer or url, "report", title, report_year(title),
                            title_publisher(title))
        elif report_year(title) or "报告" in title or "公开" in title:
            out[url] = Link(url, "skipped", title, reason=reason)
    for url in _trs_pages(html, page_url):
        if url not in out and not same_page(page_url, url) and _same_column(page_url, url):
            out[url] = Link(url, "pager", "createPageHTML")
    return list(out.values())


def may_have_attachments(html: str) -> bool:
    """A cheap test before parsing a detail page: does it name any document file or viewer?"""
    low = html.lower()
    return any(ext in low for ext in patterns().extensions) or "viewer" in low


def detail_links(html: str, page_url: str) -> list[Link]:
    """Attachments of a report's detail page: document files and pdf.js viewer files."""
    soup = BeautifulSoup(html, "lxml")
    base = _base(soup, page_url)
    refs = [(h, t) for h, t in _anchors(soup)]
    refs += [(_attr(f, "src"), "") for f in soup.find_all(["iframe", "embed"], src=True)]
    refs += [(_attr(o, "data"), "") for o in soup.find_all("object", data=True)]
    out: dict[str, Link] = {}
    for href, text in refs:
        url = _resolve(base, href)
        if url is None:
            continue
        target = _viewer_file(url) or url
        title = _squash(text)
        if (is_attachment_url(target) or title.lower().endswith(patterns().extensions)) and (
            target not in out
        ):
            out[target] = Link(target, "attachment", title, report_year(title),
                               title_publisher(title))
    return list(out.values())


def body_images(html: str, page_url: str) -> list[str]:
    """Images inside a report page's body (found as the parser finds the body), by URL: a
    table shown as a picture is read by OCR when the page is parsed, from the stored image.
    At most settings.OCR_MAX_IMAGES; inline data: images need no fetching."""
    from parser.html_text.body import find_body
    from parser.html_text.tree import parse_tree
    from xxgk import settings

    if "<img" not in html.lower():
        return []
    try:
        root = parse_tree(html)
    except Exception:  # a page lxml cannot read has no images for us
        return []
    body = find_body(root)
    if body is None:
        return []
    base = _base(BeautifulSoup(html[:20000], "lxml"), page_url)
    out: list[str] = []
    for img in body.iter("img"):
        src = (img.get("src") or "").strip()
        url = _resolve(base, src) if src and not src.lower().startswith("data:") else None
        if url is None or url in out:
            continue
        if not urlsplit(url).path.lower().endswith(patterns().image_extensions):
            continue
        out.append(url)
        if len(out) >= settings.OCR_MAX_IMAGES:
            break
    return out


def page_title(html: str) -> str:
    """The page's own title: <meta name=ArticleTitle>, else <h1>, else <title>."""
    soup = BeautifulSoup(html, "lxml")
    meta = soup.find("meta", attrs={"name": re.compile("^ArticleTitle$", re.I)})
    if isinstance(meta, Tag) and _attr(meta, "content"):
        return _attr(meta, "content").strip()
    for tag in ("h1", "title"):
        el = soup.find(tag)
        if el and el.get_text(strip=True):
            return el.get_text(" ", strip=True)
    return ""


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for s in soup(["script", "style"]):
        s.decompose()
    return soup.get_text(" ", strip=True)
