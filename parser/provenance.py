"""The report year and publisher where the text does not give them: from where it came.

A report that calls itself "本年度" and its publisher "我局" still came from somewhere: a
crawled URL under a publisher's column (the registry names the publisher), a file a
researcher imported with a meaningful name or folder. These say less than the text, so they
are used only where the text says nothing, and every value taken from them is marked as such
(`ParseResult.report_year_source`, `publisher_source`).

What counts, for the year:
- a name that calls itself a year's report: "2014年度政府信息公开工作年度报告.pdf",
  "…/2016年报/…", "2014nb";
- a posting date in the URL or path (t20150102_…, /201501/, /art/2015/1/2/) in the first four
  months of a year: reports for year Y are published from January to March of Y+1, so the
  report year is the posting year minus one. A later posting date says nothing (a 2013 report
  re-posted in June 2020 exists), and a bare year folder says nothing either (a 2023 report
  sits under /2019/ when that is the column's first year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_REPORT_YEAR_NAME = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s?(?:年度?|nd|n)?\s?(?:政府信息公开|信息公开|政务公开)?"
    r"(?:工作)?(?:年度报告|年报|报告|nb|ndbg)"
)
_POSTED = (
    re.compile(r"(?<!\d)t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-?(\d{2})?/"),
)
# Reports for year Y are published by the end of March of Y+1; a few arrive in April.
LAST_PUBLISHING_MONTH = 4


@dataclass(frozen=True)
class Hints:
    """What the archive knows of a document apart from its bytes."""

    url: str | None = None
    path: str | None = None
    publisher: str | None = None  # the registry's or the importer's publisher
    year: int | None = None  # a year given explicitly (an import option)


def year_from(hints: Hints | None) -> tuple[int | None, str | None]:
    """(report year, where it came from) from provenance alone, or (None, None)."""
    if hints is None:
        return None, None
    if hints.year:
        return hints.year, "provenance: given"
    for where, value in (("file name", hints.path), ("URL", hints.url)):
        if not value:
            continue
        text = unquote(value)
        m = _REPORT_YEAR_NAME.search(text)
        if m:
            return int(m.group(1)), f"provenance: {where}"
    for where, value in (("URL", hints.url), ("file name", hints.path)):
        if not value:
            continue
        text = unquote(value)
        for pattern in _POSTED:
            m = pattern.search(text)
            if m and 1 <= int(m.group(2)) <= LAST_PUBLISHING_MONTH:
                return int(m.group(1)) - 1, f"provenance: posting date in the {where}"
    return None, None
