"""The legacy statistics table's layout (statistics.toml) and how its labels are compared.

Forms of 2008–2018 print the same rows with different numbering (1、 / （一） / (1)), with or
without 其中, with 数 or 总数 at the end, and with explanations in brackets. Labels are
therefore compared in one canonical form, and only exactly: a label that is not a known
variant names no row (its cells are kept without key). A label several rows share (被依法纠错数
under 行政复议 and under 行政诉讼) is resolved by the rows printed above it, never guessed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from parser.tables.labels import normalize_label

STATISTICS_TOML = Path(__file__).with_name("statistics.toml")
TABLE_ID = "统计表"  # Fact.table and Fact.section of every statistics-table cell
VERSION = "legacy"  # Fact.version of every statistics-table cell
VALUE_ROLES = ("year", "year_to_date", "cumulative")  # in the order a row's values must grow

_NUMBERING = re.compile(
    r"^(?:\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、](?!\d)"
    r"|[①-⑳]|其中[:：]?|[*※])"
)
_TAIL = re.compile(r"(?:总数|数量|数)$")
_BRACKET_TAIL = re.compile(r"\([^()]*\)$")
_YEAR = re.compile(r"(?:19|20)\d{2}")


def _strip_numbering(s: str) -> str:
    while True:
        m = _NUMBERING.match(s)
        if not m or m.end() == len(s):
            return s
        s = s[m.end():]


@cache
def canonical(text: str) -> str:
    """The comparable form of a row label: numbering, 其中, quotes, spaces and a trailing
    数/数量/总数 removed ("其中：1、政府网站公开数" -> "政府网站公开")."""
    s = _strip_numbering(normalize_label(text)).strip("*※")
    return _TAIL.sub("", s) or s


def canonical_forms(text: str) -> list[str]:
    """The label's canonical form, then the same without a trailing bracketed explanation
    ("主动公开政府信息数（不同渠道和方式公开相同信息计1条）")."""
    first = canonical(text)
    forms = [first]
    s = _strip_numbering(normalize_label(text)).strip("*※")
    while _BRACKET_TAIL.search(s):
        s = _BRACKET_TAIL.sub("", s)
        form = _TAIL.sub("", s) or s
        if form and form not in forms:
            forms.append(form)
    return forms


def numbering_of(text: str) -> tuple[str, int] | None:
    """The numbering a printed label starts with, as (style, number): ("1.", 2) for "2、",
    ("(1)", 3) for "（3）", ("一、", 0) and ("(一)", 0) for Chinese numerals (their number
    is not needed); None for a label without numbering (其中 is skipped)."""
    s = normalize_label(text)
    if s.startswith("其中"):
        s = s[2:].lstrip(":：")
    m = re.match(r"^(\d{1,2})[.、](?!\d)", s)
    if m:
        return "1.", int(m.group(1))
    m = re.match(r"^\((\d{1,2})\)", s)
    if m:
        return "(1)", int(m.group(1))
    if re.match(r"^\([一二三四五六七八九十]{1,3}\)", s):
        return "(一)", 0
    if re.match(r"^[一二三四五六七八九十]{1,3}、", s):
        return "一、", 0
    return None


@dataclass(frozen=True)
class StatRowDef:
    id: str
    labels: tuple[str, ...]
    key: str | None = None
    no_key: str | None = None
    heading: bool = False
    part_of: str | None = None
    parts: str | None = None  # "sum" | "le" for a total row


@dataclass
class StatLayout:
    title: str
    captions: list[str]
    units: list[str]
    column_code_rows: set[str]
    terminators: list[str]
    column_labels: dict[str, list[str]]  # role -> printed labels
    rows: dict[str, StatRowDef]
    _by_label: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _columns: dict[str, str] = field(default_factory=dict, repr=False)

    def rows_named(self, label: str) -> list[StatRowDef]:
        """Every row whose label variants include `label` (canonical comparison)."""
        for form in canonical_forms(label):
            ids = self._by_label.get(form)
            if ids:
                return [self.rows[i] for i in ids]
        return []

    def column_role(self, header: str) -> str | None:
        """The role a header cell names (year, cumulative, unit …), or None."""
        s = _YEAR.sub("{year}", normalize_label(header))
        for form in (s, _BRACKET_TAIL.sub("", s), *re.findall(r"\(([^()]*)\)", s)):
            role = self._columns.get(form)
            if role:
                return role
        return None


@cache
def load_statistics(path: Path = STATISTICS_TOML) -> StatLayout:
    """Read statistics.toml once."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    rows = {}
    for r in data["rows"]:
        rows[r["id"]] = StatRowDef(
            id=r["id"], labels=tuple(r["labels"]), key=r.get("key"), no_key=r.get("no_key"),
            heading=bool(r.get("heading", False)), part_of=r.get("part_of"),
            parts=r.get("parts"))
    layout = StatLayout(
        title=data["title"],
        captions=list(data["captions"]),
        units=sorted(data["units"], key=len, reverse=True),
        column_code_rows={normalize_label(t) for t in data["column_code_rows"]},
        terminators=list(data["terminators"]),
        column_labels={c["role"]: list(c["labels"]) for c in data["columns"]},
        rows=rows,
    )
    for row in rows.values():
        for lab in row.labels:
            ids = layout._by_label.setdefault(canonical(lab), [])
            if row.id not in ids:
                ids.append(row.id)
    for role, labels in layout.column_labels.items():
        for lab in labels:
            layout._columns.setdefault(normalize_label(lab), role)
    return layout
