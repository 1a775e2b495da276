"""Publishers: who wrote a report, its level, and its GB/T 2260 administrative division.

Division codes come from the `cpca` package's `resources/adcodes.csv` (MIT; the GB/T 2260
county-level list with names, as published by the Ministry of Civil Affairs; read as a data
file, without importing cpca and its pandas). Bodies that are not GB/T 2260 units (平潭综合实验区
administers 平潭县 350128) are mapped by `archive/data/publisher_aliases.tsv`.

A printed name is read left to right as a chain of division names (江苏省|淮安市|洪泽区), each
inside the previous one, then what is left: nothing or 人民政府/政府 means the government of
the last division; anything else (审计局, 人民政府办公室) is one of its departments, which gets
the government's code and the government as parent. A name whose first division is ambiguous
(朝阳区 is in 北京市 and 长春市) uses the hint (the site's own government) or stays unresolved:
a wrong code is worse than none.
"""

from __future__ import annotations

import csv
import importlib.metadata
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

# Placeholder rows in the division list that are not places.
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"11", "12", "31", "50"}
GOV_WORDS = ("人民政府", "管理委员会", "管委会", "政府")
NATIONAL_PREFIXES = ("国务院", "中华人民共和国", "国家", "中国")

LEVEL_NAMES = {"province": "省", "city": "市", "county": "县/区"}
DEPARTMENT = "部门"
NATIONAL = "国务院部门"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province | city | county
    province_code: str
    city_code: str | None
    province: str
    city: str | None
    county: str | None


@dataclass(frozen=True)
class Publisher:
    """A resolved reporting body (`id` is its canonical name, stable across builds)."""

    id: str
    name: str
    level: str | None
    division_code: str | None
    parent_id: str | None
    match: str  # division | alias | hint | national | unresolved
    parent: Publisher | None = None


def adcodes_path() -> Path:
    """Where the installed cpca package keeps its division list."""
    path = importlib.metadata.distribution("cpca").locate_file("cpca/resources/adcodes.csv")
    return Path(str(path))


@cache
def divisions() -> dict[str, Division]:
    """Every division by 6-digit code, with its province and city."""
    raw: dict[str, str] = {}
    with adcodes_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            raw[row["adcode"][:6]] = row["name"].strip()
    out: dict[str, Division] = {}
    for code, name in raw.items():
        if name in _PLACEHOLDERS:
            continue
        prov_code = code[:2] + "0000"
        province = raw.get(prov_code, "")
        if code == prov_code:
            out[code] = Division(code, name, "province", prov_code, None, province, None, None)
            continue
        own_city = code[:4] + "00"
        city_code: str | None = own_city
        city = raw.get(own_city)
        if city in _PLACEHOLDERS or city is None:
            # 北京市东城区, 仙桃市 (省直辖): the province stands in for the city where it is one.
            city_code, city = (
                (prov_code, province) if code[:2] in _MUNICIPALITIES else (None, None)
            )
        if code[4:] == "00":
            out[code] = Division(code, name, "city", prov_code, code, province, name, None)
        else:
            out[code] = Division(code, name, "county", prov_code, city_code, province, city, name)
    return out


@cache
def _by_name() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for div in divisions().values():
        index.setdefault(div.name, []).append(div)
    return index


@dataclass(frozen=True)
class Alias:
    alias: str
    code: str
    canonical: str
    prefix: str
    level: str
    note: str


@cache
def aliases() -> tuple[Alias, ...]:
    """The alias table's `same` rows (names of one body), longest alias first."""
    text = resources.files("archive.data").joinpath("publisher_aliases.tsv").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        # A related or successor body is another body: listed (archive/reference.py), never
        # resolved to the canonical one.
        if len(cells) > 6 and cells[6] not in ("", "same"):
            continue
        rows.append(Alias(*cells[:6]))
    return tuple(sorted(rows, key=lambda a: -len(a.alias)))


def normalise(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _within(div: Division, outer: Division | None) -> bool:
    if outer is None:
        return True
    if outer.level == "province":
        return div.province_code == outer.code and div.code != outer.code
    if outer.level == "city":
        return div.city_code == outer.code and div.code != outer.code
    return False


def _division_chain(
    name: str, hint: Division | None
) -> tuple[list[Division], str, bool]:
    """Read division names off the front of `name`: (chain, rest, ambiguous)."""
    chain: list[Division] = []
    pos = 0
    while pos < len(name):
        outer = chain[-1] if chain else None
        found: list[Division] = []
        for length in range(min(12, len(name) - pos), 1, -1):
            cands = [d for d in _by_name().get(name[pos : pos + length], []) if _within(d, outer)]
            if cands:
                found = cands
                break
        if not found:
            break
        if len(found) > 1 and hint is not None:
            narrowed = [d for d in found if hint.code in {d.code, d.city_code, d.province_code}
                        or d.code in {hint.city_code, hint.province_code}]
            found = narrowed or found
        if len(found) > 1:
            return chain, name[pos:], True
        chain.append(found[0])
        pos += len(found[0].name)
    return chain, name[pos:], False


def government_name(div: Division) -> str:
    """Canonical name of a division's government: 吉林省长春市绿园区人民政府."""
    parts = [div.province]
    if div.city and div.city != div.province:
        parts.append(div.city)
    if div.county:
        parts.append(div.county)
    if div.level == "city" and div.name not in parts:
        parts.append(div.name)
    return "".join(dict.fromkeys(parts)) + "人民政府"


def _government(div: Division, match: str) -> Publisher:
    level = LEVEL_NAMES[div.level]
    name = government_name(div)
    return Publisher(name, name, level, div.code, None, match)


def _department(gov: Publisher, prefix: str, rest: str, match: str) -> Publisher:
    name = prefix + rest
    return Publisher(name, name, DEPARTMENT, gov.division_code, gov.id, match, parent=gov)


def resolve(name: str | None, hint: str | None = None) -> Publisher | None:
    """Resolve a printed publisher name (and an optional hint: the site's government)."""
    if not name or not name.strip():
        # No name printed: the body the crawler says published it (marked as a hint).
        hinted = resolve(hint) if hint else None
        return replace(hinted, match="hint") if hinted else None
    norm = normalise(name)
    for alias in aliases():
        if norm.startswith(alias.alias):
            gov = Publisher(alias.canonical, alias.canonical, alias.level, alias.code, None,
                            "alias")
            return _split_rest(gov, alias.prefix, norm[len(alias.alias):], "alias")
    hint_div = None
    if hint:
        hinted = resolve(hint)
        if hinted and hinted.division_code:
            hint_div = divisions().get(hinted.division_code)
    chain, rest, ambiguous = _division_chain(norm, hint_div)
    if chain and not ambiguous:
        gov = _government(chain[-1], "division")
        return _split_rest(gov, government_name(chain[-1])[: -len("人民政府")], rest, "division")
    if norm.startswith(NATIONAL_PREFIXES) and not chain:
        return Publisher(norm, norm, NATIONAL, None, None, "national")
    if hint_div is not None and not chain and not ambiguous:
        gov = _government(hint_div, "hint")
        return _split_rest(gov, government_name(hint_div)[: -len("人民政府")], norm, "hint")
    return Publisher(norm, norm, None, None, None, "unresolved")


def _split_rest(gov: Publisher, prefix: str, rest: str, match: str) -> Publisher:
    """What follows the place name: nothing or a government word, or a department."""
    if rest in GOV_WORDS or not rest:
        return Publisher(gov.id, gov.name, gov.level, gov.division_code, None, match)
    return _department(gov, prefix, rest, match)
