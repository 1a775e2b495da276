"""Build the shipped registry `sources.csv` from ../shared/spec/sources-real.csv.

Every URL comes from that file (none is invented): a publisher's listing rows (observed, or
derived there from a report URL's parent column) become registry rows; a publisher known only
by a report page gets that page as its URL (the crawler stores a source page that is itself a
report). Region codes are GB/T 2260 codes looked up by exact province/city/county name in the
division list the archive uses (cpca's resources/adcodes.csv, 2020 edition); a name that is not
found exactly, or a national body, gets no code. All rows are marked not reachable from CI.

    .venv/bin/python -m scraper.make_registry    # rewrites sources.csv at the repo root
"""

from __future__ import annotations

import csv
from pathlib import Path

from scraper.registry import COLUMNS
from xxgk import settings

REAL = settings.SHARED / "spec" / "sources-real.csv"
OUT = settings.ROOT / "sources.csv"
UNREACHABLE = "not reachable from CI"


def region_code(province: str, city: str, county: str) -> str:
    """The most specific division named, by exact name within its parents; '' if unsure."""
    from archive.publishers import divisions

    if not province or province == "全国":
        return ""
    divs = list(divisions().values())
    prov = [d for d in divs if d.level == "province" and d.name == province]
    if len(prov) != 1:
        return ""
    code = prov[0].code
    if city and city != province:
        hits = [d for d in divs if d.level == "city" and d.name == city
                and d.province_code == code]
        if len(hits) != 1:
            return ""
        code = hits[0].code
    if county:
        prov_code = prov[0].code
        hits = [d for d in divs if d.level == "county" and d.name == county
                and d.province_code == prov_code and code in (d.city_code, prov_code)]
        if len(hits) != 1:
            return ""
        code = hits[0].code
    return code


def build(real: Path = REAL, out: Path = OUT) -> int:
    with open(real, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with_listing = {r["name"] for r in rows if r["kind"] == "listing"}
    seen: set[str] = set()
    written = []
    for r in rows:
        url = r["url"].strip()
        if url in seen or (r["kind"] == "report" and r["name"] in with_listing):
            continue
        seen.add(url)
        if r["kind"] == "listing":
            how = "listing derived from a report's parent column" if r["derived"] else "listing"
        else:
            how = f"report page of {r['report_year'] or 'unknown year'} (listing not known)"
        notes = f"{UNREACHABLE}; {how}; {r['evidence']}".strip("; ")
        written.append({"name": r["name"], "region_code": region_code(r["province"], r["city"],
                                                                       r["county"]),
                        "level": r["level"], "url": url, "parent": "", "url_pattern": "",
                        "notes": notes})
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(written)
    return len(written)


if __name__ == "__main__":
    print(f"{build()} sources written to {OUT}")
