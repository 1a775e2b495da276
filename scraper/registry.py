"""The sources registry: a CSV anyone can edit in a spreadsheet, one row per report column.

Columns: name, region_code, level, url, parent, url_pattern, notes, allow_private. `url` is
the report listing page; `url_pattern` (optional) is a regular expression that report URLs of
this source may match on other hosts (by default the crawl stays on the listing's host);
`notes` is free text (a note starting with "demo" marks the local demo website);
`allow_private` (optional, `yes`) lets the crawler connect to the source's own host although
it is a loopback, private or link-local address (the local demo and test sites); without it
such addresses are refused.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

COLUMNS = ("name", "region_code", "level", "url", "parent", "url_pattern", "notes",
           "allow_private")
YES, NO = ("yes", "true", "1"), ("", "no", "false", "0")
LEVELS = ("national", "province", "city", "county", "district", "township", "department",
          "demo")
# Province-level prefixes of GB/T 2260 (the first two digits of every code).
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65", "71", "81", "82"}


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    region_code: str = ""
    level: str = ""
    parent: str = ""
    url_pattern: str = ""
    notes: str = ""
    allow_private: str = ""
    line: int = 0

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def allows_private(self) -> bool:
        """The registry allows this source's host to be a non-public address."""
        return self.allow_private.strip().lower() in YES

    @property
    def is_demo(self) -> bool:
        return self.notes.lower().startswith("demo")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"line {self.line}: {'error' if self.fatal else 'warning'}: {self.message}"


def read_sources(path: Path) -> list[Source]:
    """Rows of the registry (header names checked; blank lines and #-comments skipped)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(line for line in fh if not line.lstrip().startswith("#"))
        missing = [c for c in ("name", "url") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; "
                             f"expected {', '.join(COLUMNS)}")
        out = []
        for i, row in enumerate(reader, start=2):
            if not any((v or "").strip() for v in row.values()):
                continue
            out.append(Source(**{c: (row.get(c) or "").strip() for c in COLUMNS}, line=i))
        return out


def check_sources(path: Path) -> list[Problem]:
    """Everything wrong with a registry file, in plain words (empty list: the file is fine)."""
    try:
        sources = read_sources(path)
    except (OSError, ValueError, csv.Error) as exc:
        return [Problem(0, str(exc))]
    problems: list[Problem] = []
    seen_url: dict[str, int] = {}
    names = {s.name for s in sources}
    for s in sources:
        if not s.name:
            problems.append(Problem(s.line, "empty name"))
        parts = urlsplit(s.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(Problem(s.line, f"bad url {s.url!r}: need http(s)://host/path"))
        elif " " in s.url:
            problems.append(Problem(s.line, f"bad url {s.url!r}: contains a space"))
        key = s.url.rstrip("/")
        if key in seen_url:
            problems.append(Problem(s.line, f"duplicate url {s.url} (first on line "
                                    f"{seen_url[key]})"))
        else:
            seen_url[key] = s.line
        if s.region_code:
            code = s.region_code
            if not re.fullmatch(r"\d{6}", code):
                problems.append(Problem(s.line, f"bad region_code {code!r}: GB/T 2260 codes are "
                                        "six digits"))
            elif code[:2] not in PROVINCES and code != "100000":
                problems.append(Problem(s.line, f"bad region_code {code}: no province starts "
                                        f"with {code[:2]}"))
        if s.level and s.level not in LEVELS:
            problems.append(Problem(s.line, f"unknown level {s.level!r}; use one of "
                                    f"{', '.join(LEVELS)}"))
        if s.url_pattern:
            try:
                re.compile(s.url_pattern)
            except re.error as exc:
                problems.append(Problem(s.line, f"bad url_pattern: {exc}"))
        if s.allow_private.strip().lower() not in YES + NO:
            problems.append(Problem(s.line, f"bad allow_private {s.allow_private!r}: use yes "
                                    "or leave it empty"))
        if s.parent and s.parent not in names:
            problems.append(Problem(s.line, f"parent {s.parent!r} is not a name in this file",
                                    fatal=False))
        if parts.hostname and not s.is_demo and not (parts.hostname.endswith(".gov.cn")
                                                       or parts.hostname == "gov.cn"):
            problems.append(Problem(s.line, f"host {parts.hostname} is not under .gov.cn",
                                    fatal=False))
    return problems
