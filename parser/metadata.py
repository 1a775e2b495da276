"""Title, publisher, report year, publication date, format era, and "is this a report?".

The report year is the year reported on, not the year of publication: a title's
"2018年…年度报告" published 2019-03-15 is 2018, and only where no title or statistics
period says so is it taken as the publication year minus one (reports for year Y appear
from January to March of Y+1).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from parser.model import Document, Section
from parser.provenance import Hints, year_from

_YEAR = r"(?P<year>(?:19|20)\d{2})\s?年\s?(?:度)?"
_REPORT_WORDS = r"(?:政府)?(?:信息公开|政务公开|信息)(?:工作)?(?:年度)?(?:报告|年报)"
_CJK = r"[\u4e00-\u9fff（）]"
TITLE_RE = re.compile(rf"(?P<pre>{_CJK}{{2,40}})?\s?{_YEAR}(?P<mid>{_CJK}{{0,40}}?){_REPORT_WORDS}")
# Words that lead into a report's name in its own text: the publisher starts after them.
_LEAD_IN = re.compile(
    r"^.*(?:特向社会公布|向社会公布|现将|现公布|公布|发布|编制|编制了|根据|关于|本|我)"
)
PERIOD_RE = re.compile(
    r"(?:统计期限|统计时限|时间段|期限)[^。]{0,12}?(?:自|从|为)?\s?(?P<year>(?:19|20)\d{2})\s?年\s?1\s?月\s?1\s?日"
)
PUBLISHED_RE = re.compile(
    r"(?:发布日期|发布时间|发文日期|时间|日期)\s?[:：]\s?(?P<y>\d{4})[-/年.](?P<m>\d{1,2})[-/月.](?P<d>\d{1,2})"
)
V2021_MARKERS = re.compile(r"本年制发件数|本年收费金额|本年废止件数|现行有效件数")
V2019_MARKERS = re.compile(r"本年新制作数量|上一年项目数量|第二十条第[（(]九[）)]项|本年新公开数量")
STANDARD_TABLE = re.compile(
    r"第二十条第[（(]一[）)]项|本年新收政府信息公开申请数量|本年度办理结果|未经复议直接起诉|复议后起诉"
)
_YEAR_MENTION = re.compile(r"(?<![〔\[［(（\d])((?:19|20)\d{2})\s?年")


def _title(doc: Document) -> str | None:
    title = (doc.meta.get("title") or "").strip()
    if title:
        return title
    for line in doc.text[:600].splitlines():
        line = line.strip()
        if re.search(r"报告|年报", line) and len(line) <= 80:
            return line
    first = doc.text.strip().splitlines()[0] if doc.text.strip() else ""
    return first[:80] or None


def _publisher_year(title: str | None, text: str) -> tuple[str | None, int | None]:
    """Publisher and year from the title, else from the body's own naming of the report."""
    candidates = [title or "", text[:3000]]
    publisher, year = None, None
    for cand in candidates:
        for m in TITLE_RE.finditer(cand):
            pre = _LEAD_IN.sub("", m.group("pre") or "")
            name = pre or (m.group("mid") or "").strip()
            if len(name) < 2:  # 我局, 本办: the report names itself, not its publisher
                name = ""
            if year is None:
                year = int(m.group("year"))
            if name and not re.search(r"政府信息公开|年度|报告", name):
                return name, int(m.group("year"))
    return publisher, year


def _published(doc: Document) -> str | None:
    if doc.meta.get("published"):
        return doc.meta["published"][:10]
    m = PUBLISHED_RE.search(doc.text[:2000])
    if m:
        return f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}"
    return None


def detect_format(text: str, table_versions: set[str], year: int | None = None) -> str:
    """legacy | v2019 | v2021 | mixed, decided from the tables, not from the year.

    Only where a standard table is present but says nothing of its version (table 四 is
    the same in both) does the year decide: the 2021 format applies from report year 2021.
    """
    if len(table_versions) > 1:
        return "mixed"
    if table_versions:
        return next(iter(table_versions))
    v21, v19 = bool(V2021_MARKERS.search(text)), bool(V2019_MARKERS.search(text))
    if v21 and v19:
        return "mixed"
    if v21:
        return "v2021"
    if v19:
        return "v2019"
    if STANDARD_TABLE.search(text) and year:
        return "v2021" if year >= 2021 else "v2019"
    return "legacy"


# --- Is it a report? -------------------------------------------------------------------------
# The rules and their words are in parser/data/not_report.toml; each rule gives the reason that
# `parses.reason` records. Order: what a document plainly is (empty, a stub); then, unless it
# has a report's body (sections and figures), what calls it something else (a listing, a
# template, a ruling, its name, a letter); then whether it is a report at all.


@cache
def _nr_rules() -> dict[str, Any]:
    text = resources.files("parser").joinpath("data/not_report.toml").read_text("utf-8")
    rules = tomllib.loads(text)
    rx = lambda words: re.compile("|".join(f"(?:{w})" for w in words), re.M)  # noqa: E731
    rules["_re"] = {
        "self_names": rx(rules["report"]["self_names"]),
        "table_markers": rx(rules["report"]["table_markers"]),
        "topic": rx(rules["report"]["topic"]),
        "figure": re.compile(rules["filled"]["figure"]),
        "stub": re.compile(rules["stub"]["pattern"]),
        "dated_line": re.compile(rules["listing"]["dated_line"]),
        "placeholder": [re.compile(w, re.M) for w in rules["template"]["placeholders"]],
        "ruling": [re.compile(w, re.M) for w in rules["ruling"]["markers"]],
        "letter": [re.compile(w, re.M) for w in rules["letter"]["markers"]],
        "field": re.compile(
            rf"(?:{'|'.join(rules['name']['fields'])})\s*[|:：]\s*(?P<name>[^|\n]+)"),
    }
    return rules


_QUOTED = re.compile(r"《[^》]*(?:》|$)")
_TRAILING_NOTE = re.compile(r"(?:[（(][^）)]{0,20}[）)]\s*)+$")
_SENTENCE_PUNCT = re.compile(r"[。；;！!？?，,：:]")
_HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])")
_NAME_SPLIT = re.compile(r"\s+[-–—]\s+|[>»_|]")


def _nr_names(title: str | None, body: str) -> list[tuple[str, str]]:
    """What the document calls itself: its title, its page's name fields, its first
    title-like lines; each split at site-name and breadcrumb separators. Each name is given
    without the names it quotes in 《》 (what its ending is read from) and as printed."""
    rules = _nr_rules()["name"]
    top = body[: rules["field_chars"]]
    found = [m.group("name") for m in _nr_rules()["_re"]["field"].finditer(top)]
    lines = [ln.strip() for ln in top.splitlines() if ln.strip()]
    candidates = [title or "", *found, *lines[: rules["title_lines"]]]
    names = []
    for cand in candidates:
        for printed in _NAME_SPLIT.split(cand):
            printed = printed.strip()
            seg = _TRAILING_NOTE.sub("", _QUOTED.sub("", printed)).strip()
            if (rules["min_chars"] <= len(seg) <= rules["max_chars"]
                    and not _SENTENCE_PUNCT.search(seg) and not _HEADING_START.match(seg)
                    and not seg.startswith(tuple(rules["sentence_starts"]))):
                names.append((seg, printed))
    return names


def _nr_other_kind(names: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(kind word, name as printed) when the document's names call it something other than
    a report and none of them calls it a report."""
    rules = _nr_rules()["name"]
    if any(n.endswith(tuple(rules["report_endings"])) for n, _ in names):
        return None
    for name, printed in names:
        for kind in rules["other_endings"]:
            if name.endswith(kind):
                return kind, printed
    return None


def _nr_found(patterns: list[re.Pattern[str]], text: str) -> list[str]:
    """The phrases of `patterns` found in `text` (a pattern's group `m`, where it has one,
    is the phrase shown: 收悉 rather than the letter's whole name before it)."""
    found = []
    for pattern in patterns:
        if m := pattern.search(text):
            found.append((m.group("m") if "m" in pattern.groupindex else m.group(0)).strip())
    return found


def not_report_reason(
    title: str | None, text: str, sections: list[Section] | None = None
) -> str | None:
    """Why a document is not an annual report (None when it is one)."""
    rules = _nr_rules()
    res = rules["_re"]
    body = text.strip()
    if not body:
        return "empty text (nothing but the site's menus, or no text at all)"
    if len(body) < rules["stub"]["max_chars"] and res["stub"].search(body[:500]):
        return "a 'page not found / deleted' stub"
    opening = body[: rules["report"]["opening_chars"]]
    keys = {s.key for s in sections or [] if s.level == 1} & set(rules["report"]["sections"])
    figures = len(res["figure"].findall(body))
    filled = (len(keys) >= rules["filled"]["min_sections"]
              and figures >= rules["filled"]["min_figures"])
    if not filled:
        lines = [ln for ln in body.splitlines() if ln.strip()]
        dated = sum(1 for ln in lines if res["dated_line"].search(ln))
        listing = rules["listing"]
        if dated >= listing["min_lines"] and dated >= listing["min_share"] * len(lines):
            return f"a listing page ({dated} dated links)"
        if (marks := _nr_found(res["placeholder"], body)) and figures == 0:
            return f"a blank template ({', '.join(marks[:3])}; no figures filled in)"
        marks = _nr_found(res["ruling"], opening)
        if len(marks) >= rules["ruling"]["min_markers"]:
            return f"a court or review ruling ({', '.join(marks[:3])})"
        if other := _nr_other_kind(_nr_names(title, body)):
            return f"title names another kind of document ({other[0]}): {other[1]}"
        if marks := _nr_found(res["letter"], opening):
            return f"a letter or directive ({', '.join(marks[:3])})"
    head = (title or "") + "\n" + opening
    if not res["topic"].search(head):
        return ("not about government information disclosure "
                "(no 信息公开 or 政务公开 in its opening)")
    if not (res["self_names"].search(head) or len(keys) >= rules["report"]["min_sections"]
            or figures >= rules["filled"]["min_figures"] or res["table_markers"].search(body)):
        return ("does not call itself an annual report (年度报告/年报) nor has its sections, "
                "tables or figures")
    if len(body) < rules["report"]["min_chars"] and not filled:
        return f"too short for a report ({len(body)} characters)"
    return None


def extract_metadata(
    doc: Document,
    sections: list[Section],
    table_versions: set[str] | None = None,
    hints: Hints | None = None,
) -> dict[str, Any]:
    """Title, publisher, year, date, format and is_report; where the text gives no year or
    publisher, what the document's provenance says (`hints`), marked as such."""
    title = _title(doc)
    publisher, year = _publisher_year(title, doc.text)
    year_source = "text" if year else None
    publisher_source = "text" if publisher else None
    if publisher is None and doc.meta.get("publisher"):
        publisher, publisher_source = doc.meta["publisher"], "page metadata"
    if publisher is None and hints is not None and hints.publisher:
        publisher, publisher_source = hints.publisher, "provenance"
    published = _published(doc)
    if year is None:
        m = PERIOD_RE.search(doc.text)
        if m:
            year, year_source = int(m.group("year")), "text: statistics period"
        elif years := _YEAR_MENTION.findall(doc.text[:3000]):
            # The year the opening pages speak of most ("2020年，我局…") is the year reported on.
            year = int(max(set(years), key=lambda y: (years.count(y), -years.index(y))))
            year_source = "text: the year it speaks of most"
        else:
            year, year_source = year_from(hints)
            if year is None and published:
                year, year_source = int(published[:4]) - 1, "publication date minus one"
    reason = not_report_reason(title, doc.text, sections)
    return {
        "title": title,
        "publisher": publisher,
        "publisher_source": publisher_source,
        "report_year": year,
        "report_year_source": year_source,
        "published": published,
        "format": detect_format(doc.text, table_versions or set(), year),
        "is_report": reason is None,
        "not_report_reason": reason,
    }


def prose_era(report_year: int | None, fmt: str | None) -> str:
    """Which era's keys the prose of a report states: its report year decides (a 2019 report
    written as free text still speaks of the 2019 format's quantities), the tables only where
    the year is unknown or the tables settle the version of a 2019-2020 report."""
    if report_year is not None:
        if report_year <= 2018:
            return "legacy"
        if report_year >= 2021:
            return "v2021"
        return fmt if fmt in ("v2019", "v2021") else "v2019"
    return fmt if fmt in ("v2019", "v2021") else "legacy"

