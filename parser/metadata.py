"""Title, publisher, report year, publication date, format era, and "is this a report?".

The report year is the year reported on, not the year of publication: a title's
"2018年…年度报告" published 2019-03-15 is 2018, and only where no title or statistics
period says so is it taken as the publication year minus one (reports for year Y appear
from January to March of Y+1).
"""

from __future__ import annotations

import re
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
# A Chinese title ends with the kind of document it is: …年度报告 is a report, …的通知 is not
# (even "关于做好…年度报告编制工作的通知").
NOT_REPORT_TITLE = re.compile(
    r"(?:通知|工作要点|要点|意见|办法|方案|决定|函|公告|通告|指南|目录|规定|答复书|细则|规划)[)）]?\s*$"
)
DELETED_PAGE = re.compile(r"页面不存在|该信息已删除|信息已删除|访问受限|404 Not Found|页面找不到")
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


# Top-level sections that only an annual report has together; three of them make a report
# even where a page excerpt has lost its title.
REPORT_SECTIONS = {"overview", "active", "requests", "review_litigation", "fees", "problems"}


def not_report_reason(
    title: str | None, text: str, sections: list[Section] | None = None
) -> str | None:
    """Why a document is not an annual report (None when it is one)."""
    body = text.strip()
    if not body:
        return "empty text"
    if DELETED_PAGE.search(body[:500]) and len(body) < 2000:
        return "a 'page not found / deleted' stub"
    head = (title or "") + body[:400]
    says_report = re.search(r"年度报告|工作报告|年报|年度.{0,10}报告", head)
    if title and NOT_REPORT_TITLE.search(title):
        return f"title names another kind of document: {title}"
    keys = {s.key for s in sections or [] if s.level == 1} & REPORT_SECTIONS
    if not says_report and len(keys) < 3:
        return "does not call itself an annual report (年度报告/年报) nor has its sections"
    if len(body) < 300:
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

