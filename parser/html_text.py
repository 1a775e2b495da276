"""HTML page to `Document`: find the report body in the CMS chrome, keep offsets into the markup.

lxml builds the tree (fast, forgiving, and it walks deep trees without Python recursion), but
it does not say where a text node sits in the source. So a second, linear pass tokenises the
markup into its text stream (tags and comments skipped, entities decoded) and every text node
of the tree is located in that stream in document order; that gives each character of the
clean text its position in the markup, which is what evidence display needs.

Body: the first known CMS container (parser/data/body_containers.txt) that holds real text,
else the deepest block element holding most of the page's non-link text. Chrome inside the
body is removed line by line by `parser.text_clean`. Tables become rows of tab-separated
cells in the text (so text-level fallbacks still see a row) and `Grid`s with spans expanded.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from lxml import etree

from parser.model import Cell, Document, DocumentError, Grid
from parser.text_clean import (
    PUBLISHED_RE,
    iso_date,
    load_rules,
    meta_from_chrome,
    title_from_text,
)
from parser.text_clean import clean_chrome as _clean_chrome
from parser.textmap import MappedText, TextBuilder, cap_text
from xxgk import settings


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
# Share of the page's non-link text that the fallback body block must hold.
DENSEST_SHARE = 0.6
# A known container is taken only if it holds this many characters and this share of the page.
MIN_CONTAINER_CHARS = 50
MIN_CONTAINER_SHARE = 0.25
# A chrome-named element (class="share") is dropped only if its text is at most this long.
MAX_CHROME_BLOCK = 300
# A table holding a cell this long is page layout, not data.
MAX_DATA_CELL = 1000
# Text-node alignment tolerates this many unexpected characters before it re-synchronises.
MAX_ALIGN_GAP = 64
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
_JS_STRING = re.compile(r"""\A\s*(?:(?:var|let|const)\s+)?[\w$.]+\s*=\s*(["'`])""")
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.S)
_JS_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "",
    "f": "",
    "v": "",
    "0": "",
    "\n": "",
    "\r\n": "",
}
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^>]*>?"
    r"|</?[A-Za-z][^>]*>?"
    r"|&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)",
    re.S,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_OPEN_RAWTEXT = re.compile(r"<(script|style|textarea|xmp|title)\b", re.I)
_TABLE_PARTS = frozenset(["table", "tbody", "thead", "tfoot", "tr"])
_WS = re.compile(r"[\s\xa0\u3000\u200b\ufeff]+")


def looks_like_js_html(src: str) -> bool:
    """A JavaScript data file whose HTML sits in a string: `let content = "<p …>…";`"""
    m = _JS_STRING.match(src)
    return bool(m) and src[m.end() : m.end() + 200].lstrip().startswith("<")


def unwrap_js_string(src: str) -> tuple[str, list[int]]:
    """The HTML inside `let x = "…"` with JS escapes undone, and its positions in `src`.

    Positions are given per character of the result so the HTML loader's offsets can be
    carried back into the JavaScript file.
    """
    m = _JS_STRING.match(src)
    if not m:
        raise DocumentError("not a JavaScript string assignment")
    quote = m.group(1)
    start = m.end()
    end = len(src.rstrip())
    while end > start and src[end - 1] in ";\n\r ":
        end -= 1
    if end > start and src[end - 1] == quote:
        end -= 1
    out: list[str] = []
    pos_map: list[int] = []
    pos = start
    for esc in _JS_ESCAPE.finditer(src, start, end):
        a = esc.start()
        if a > pos:
            out.append(src[pos:a])
            pos_map.extend(range(pos, a))
        body = esc.group(1)
        if body[0] in "ux" and len(body) > 1:
            ch = chr(int(body[1:], 16))
        else:
            ch = _JS_SIMPLE.get(body, body)
        out.append(ch)
        pos_map.extend([a] * len(ch))
        pos = esc.end()
    out.append(src[pos:end])
    pos_map.extend(range(pos, end))
    return "".join(out), pos_map


@dataclass
class _Stream:
    """The text of the markup as a browser would see it, with the source position of each part."""

    text: str
    seg_start: list[int]  # stream index where each segment starts
    seg_raw: list[int]  # source index of that segment
    seg_entity: list[bool]  # an entity: every character maps to the "&"

    def raw_pos(self, k: int) -> int:
        i = bisect.bisect_right(self.seg_start, k) - 1
        if self.seg_entity[i]:
            return self.seg_raw[i]
        return self.seg_raw[i] + (k - self.seg_start[i])

    def raw_range(self, a: int, b: int) -> list[int]:
        """[raw_pos(k) for k in range(a, b)], a segment at a time rather than a bisection per
        character (every character of the page's text goes through here)."""
        out: list[int] = []
        if a >= b:
            return out
        starts = self.seg_start
        n = len(starts)
        i = bisect.bisect_right(starts, a) - 1
        pos = a
        while pos < b:
            stop = min(b, starts[i + 1]) if i + 1 < n else b
            if stop > pos:
                if self.seg_entity[i]:
                    out.extend([self.seg_raw[i]] * (stop - pos))
                else:
                    shift = self.seg_raw[i] - starts[i]
                    out.extend(range(pos + shift, stop + shift))
                pos = stop
            i += 1
        return out


def _unescape(token: str) -> str:
    """html.unescape, except that a numeric reference to a control or non-character (&#1;,
    &#x7f;) gives the character, as lxml's parser does: html.unescape drops it, and the
    stream must read what lxml read or the text's offsets slip past it."""
    decoded = html.unescape(token)
    if decoded or not token.startswith("&#"):
        return decoded
    body = token[2:].rstrip(";")
    try:
        n = int(body[1:], 16) if body[:1] in "xX" else int(body)
    except ValueError:  # not a number, or more digits than int() reads
        return decoded
    return chr(n) if 0 < n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else decoded


class _StreamBuilder:
    """Collects the stream's parts and their source positions."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.parts: list[str] = []
        self.seg_start: list[int] = []
        self.seg_raw: list[int] = []
        self.seg_entity: list[bool] = []
        self.length = 0

    def _push(self, text: str, raw: int, entity: bool) -> None:
        self.parts.append(text)
        self.seg_start.append(self.length)
        self.seg_raw.append(raw)
        self.seg_entity.append(entity)
        self.length += len(text)

    def text(self, a: int, b: int) -> None:
        """Source text [a, b); the parser reads \\r\\n and \\r as \\n, so the stream does too."""
        src = self.src
        while a < b:
            cr = src.find("\r", a, b)
            stop = b if cr < 0 else cr
            if stop > a:
                self._push(src[a:stop], a, False)
            if cr < 0:
                break
            if cr + 1 < b and src[cr + 1] == "\n":
                a = cr + 1
            else:
                self._push("\n", cr, True)
                a = cr + 1

    def entity(self, a: int, token: str) -> None:
        decoded = _unescape(token)
        if decoded == token:
            self.text(a, a + len(token))
        else:
            self._push(decoded, a, True)

    def rcdata(self, a: int, b: int) -> None:
        """Text of <title>/<textarea>: no tags, but entities are decoded."""
        pos = a
        for m in _ENTITY.finditer(self.src, a, b):
            if m.start() > pos:
                self.text(pos, m.start())
            self.entity(m.start(), m.group())
            pos = m.end()
        if pos < b:
            self.text(pos, b)

    def build(self) -> _Stream:
        if not self.seg_start:
            return _Stream("", [0], [0], [False])
        return _Stream("".join(self.parts), self.seg_start, self.seg_raw, self.seg_entity)


def _text_stream(src: str) -> _Stream:
    """Tokenise the markup linearly: the text a parser would see, with source positions."""
    sb = _StreamBuilder(src)
    pos = 0
    n = len(src)
    while pos < n:
        m = _MARKUP.search(src, pos)
        if not m:
            sb.text(pos, n)
            break
        a, b = m.span()
        if a > pos:
            sb.text(pos, a)
        token = m.group()
        pos = b
        if token.startswith("&"):
            sb.entity(a, token)
            continue
        raw_open = _OPEN_RAWTEXT.match(token)
        if raw_open:
            name = raw_open.group(1).lower()
            close = re.compile(rf"</{name}\s*>", re.I).search(src, pos)
            end = close.start() if close else n
            if name in ("textarea", "title"):
                sb.rcdata(pos, end)
            else:
                sb.text(pos, end)
            pos = close.end() if close else n
    return sb.build()


class _Aligner:
    """Finds each text node of the tree in the markup's text stream, in document order."""

    def __init__(self, stream: _Stream) -> None:
        self.stream = stream
        self.cursor = 0

    def _find(self, s: str) -> int:
        """Where `s` continues the stream; -1 when only a distant, unrelated match exists.

        Between two consecutive text nodes the stream holds at most whitespace the parser
        dropped, so a match after a long run of other text means the parser changed `s`.
        """
        k = self.stream.text.find(s, self.cursor)
        if k < 0 or k - self.cursor <= MAX_ALIGN_GAP:
            return k
        return k if not self.stream.text[self.cursor : k].strip() else -1

    def skip(self, s: str) -> None:
        """Move past a text node whose offsets are not needed (scripts, chrome)."""
        k = self._find(s)
        if k >= 0:
            self.cursor = k + len(s)

    def locate(self, s: str) -> list[int]:
        """Source offsets of each character of the text node `s`."""
        st = self.stream
        k = self._find(s)
        if k >= 0:
            self.cursor = k + len(s)
            return st.raw_range(k, k + len(s))
        # The parser changed the text (line ends, odd entities): map character by character.
        out: list[int] = []
        cur = self.cursor
        last = st.raw_pos(min(cur, len(st.text) - 1)) if st.text else 0
        for ch in s:
            j = st.text.find(ch, cur, cur + MAX_ALIGN_GAP) if not ch.isspace() else -1
            if j >= 0:
                last = st.raw_pos(j)
                cur = j + 1
            out.append(last)
        self.cursor = cur
        return out


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


def _tag(el: etree._Element) -> str:
    tag = el.tag  # lxml builds a new str on every access: read it once
    return tag.lower() if isinstance(tag, str) else ""


def _text_len(el: etree._Element) -> int:
    n = 0
    for node in el.iter():
        tag = _tag(node)
        if tag in DROP_TAGS or not tag:
            if node is not el and node.tail:
                n += len(_WS.sub("", node.tail))
            continue
        if node.text:
            n += len(_WS.sub("", node.text))
        if node is not el and node.tail:
            n += len(_WS.sub("", node.tail))
    return n


def find_body(root: etree._Element) -> etree._Element | None:
    """The element that holds the report body, or None to use the whole page."""
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
        floor = max(MIN_CONTAINER_CHARS, MIN_CONTAINER_SHARE * _text_len(root))
        for attr, name in body_selectors():
            found = [(el, _text_len(el)) for el in matches.get((attr, name.lower()), [])]
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
        tag = _tag(el)
        if tag in DROP_TAGS:
            total[el] = 0
            continue
        own = 0 if tag == "a" else len(_WS.sub("", el.text or ""))
        for child in el:
            if isinstance(child.tag, str):
                own += total.get(child, 0)
            if child.tail and tag != "a":
                own += len(_WS.sub("", child.tail))
        total[el] = own
    page = total.get(root, 0)
    if page == 0:
        return None
    best = None
    for el in order:
        if (
            _tag(el) in CONTAINER_TAGS
            and total[el] >= DENSEST_SHARE * page
            and (best is None or depth[el] > depth[best])
        ):
            best = el
    return best


def _is_chrome_block(el: etree._Element, attrs: tuple[str, ...]) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if not names.strip():
        return False
    tokens = re.split(r"[\s_-]+", names)
    if not any(a in tokens for a in attrs):
        return False
    return _text_len(el) <= MAX_CHROME_BLOCK


@dataclass
class _Walk:
    """What one pass over the tree produces."""

    body: MappedText
    table_spans: dict[etree._Element, tuple[int, int]] = field(default_factory=dict)
    page_text: str = ""


def _walk(root: etree._Element, body: etree._Element | None, stream: _Stream) -> _Walk:
    """Emit the body's text with block/row/cell separators; align every text node."""
    attrs = load_rules().attrs
    # The body and its ancestors are never dropped as chrome, whatever their class names.
    keep = set() if body is None else {body, *body.iterancestors()}
    aligner = _Aligner(stream)
    builder = TextBuilder()
    page: list[str] = []
    table_spans: dict[etree._Element, tuple[int, int]] = {}
    table_starts: list[int] = []
    drop_depth = 0  # >0 while inside a dropped element
    in_body = body is None
    cells_in_row: list[int] = []
    cell_depth = 0  # open td/th elements
    emitting_stack: list[bool] = []

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = _tag(el)
        if event == "start":
            dropped = bool(tag) and (
                tag in DROP_TAGS or (el not in keep and _is_chrome_block(el, attrs))
            )
            if not tag:
                dropped = True
            if dropped:
                drop_depth += 1
            if el is body:
                in_body = True
            emitting = in_body and drop_depth == 0
            emitting_stack.append(dropped)
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
            dropped = emitting_stack.pop()
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
    return _Walk(builder.build(), table_spans, "".join(page))


def html_meta(root: etree._Element, page_text: str) -> dict[str, str]:
    """Title, date, URL, column and source that the page states in <meta>, <title> or text."""
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        key = META_NAMES.get(name)
        content = _WS.sub(" ", el.get("content") or "").strip()
        if key and content and key not in meta:
            if key == "published":
                m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", content)
                if not m:
                    continue
                content = iso_date(*m.groups())
            meta[key] = content
    title_el = root.find(".//title")
    if title_el is not None and title_el.text and title_el.text.strip():
        page_title = _WS.sub(" ", title_el.text).strip()
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


def _nearest_table(el: etree._Element) -> etree._Element | None:
    """The closest <table> above `el` (its own table for a row or cell)."""
    parent = el.getparent()
    while parent is not None and _tag(parent) != "table":
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
        tag = _tag(node)
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
            if _tag(td) not in ("td", "th"):
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
    inner_len = sum(_text_len(t) for t in inner)
    total = _text_len(table)
    return total == 0 or (total - inner_len) < 0.3 * total


def _layout_tables(scope: etree._Element) -> set[etree._Element]:
    """Every table of `scope` that `_is_layout` says is a layout table, in linear time.

    Calling `_is_layout` on each table costs the size of its subtree times its nesting: a
    hostile page of 2,000 nested tables took seconds (found by benchmarks/fuzz_parser.py).
    Here every element's `_text_len` is computed once, children before parents."""
    nodes = list(scope.iter())  # keeps the element proxies (dict keys) alive
    lens: dict[etree._Element, int] = {}
    for node in reversed(nodes):
        tag = _tag(node)
        n = 0 if (tag in DROP_TAGS or not tag or not node.text) else len(_WS.sub("", node.text))
        for child in node:
            n += lens[child] + (len(_WS.sub("", child.tail)) if child.tail else 0)
        lens[node] = n
    layout = set()
    for table in (n for n in nodes if _tag(n) == "table"):
        inner, stack = [], list(table)
        while stack:  # nested tables whose nearest table is this one
            el = stack.pop()
            if _tag(el) == "table":
                inner.append(el)
            else:
                stack.extend(el)
        if not inner:
            continue
        total = lens[table]
        if total == 0 or (total - sum(lens[t] for t in inner)) < 0.3 * total:
            layout.add(table)
    return layout


def load_html(raw: str, source: str, encoding: str | None) -> Document:
    """Turn decoded HTML (or a JS file holding HTML in a string) into a Document."""
    src = raw
    pos_map: list[int] | None = None
    if looks_like_js_html(raw):
        src, pos_map = unwrap_js_string(raw)
    root = parse_tree(src)
    body = find_body(root)
    stream = _text_stream(src)
    walk = _walk(root, body, stream)
    clean, index_map, chrome_meta = _clean_chrome(walk.body)
    meta = html_meta(root, walk.page_text)
    for key, value in chrome_meta.items():
        meta.setdefault(key, value)
    tables: list[Grid] = []
    scope = body if body is not None else root
    layout = _layout_tables(scope)
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
