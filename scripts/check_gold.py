"""Check a gold set (dev format: raw/*.txt + gold/*.json) without running the parser.

Why this exists: the held-out set in fixtures/heldout/ is written by hand, and a hand-written answer
key drifts easily (a key that is not valid for the report's era, a number that is not in the text, a
heading copied with a typo). This script checks what can be checked mechanically, prints the
counts per era for the README, and prints the integrity relations that do not hold, so that each
break can be confirmed as a property of the text (and named in the notes), not a labelling slip.
It reads only the gold files, the raw texts and spec/indicators.csv: never the parser.

Usage: python scripts/check_gold.py [SET_DIR] [--indicators PATH]
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ERAS = {"legacy": range(2008, 2019), "v2019": range(2019, 2021), "v2021": range(2021, 2100)}
FIELDS = ["file", "url", "report_year", "publisher", "format", "truncated", "top_sections",
          "facts", "notes"]
MONEY_KEYS = {"legacy.fees.amount_yuan", "legacy.fees.waived_yuan",
              "active.procurement.amount_yuan", "active.fees.amount_10k_yuan"}
YUAN_KEYS = {"legacy.fees.amount_yuan", "legacy.fees.waived_yuan", "active.procurement.amount_yuan"}
ZERO_WORDS = ("0", "零", "无", "未", "没有", "不存在")
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
COLS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"]


def load_indicators(path: Path) -> dict[str, set[str]]:
    """Map each canonical key to the set of formats it is valid for."""
    with path.open(encoding="utf-8") as f:
        return {r["key"]: set(r["formats"].split(",")) for r in csv.DictReader(f)}


def normalise(text: str) -> str:
    """NFKC (full-width digits) and drop thousands separators between digits."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def chinese_numbers(text: str) -> set[int]:
    """Small Chinese numerals written before a unit (二十一件, 三名, 九件, 十二件)."""
    found = set()
    for m in re.finditer(r"([零一二两三四五六七八九十]+)(?=[件名人个条次篇场])", text):
        s, value = m.group(1), 0
        if "十" in s:
            tens, _, units = s.partition("十")
            value = (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + CN_DIGITS.get(units, 0)
        elif len(s) == 1:
            value = CN_DIGITS[s]
        else:
            continue
        found.add(value)
    return found


def number_in_text(value: float, text: str) -> bool:
    """True when the value occurs in the text as a whole number (not inside a longer one)."""
    if float(value).is_integer():
        forms = {str(int(value))}
    else:
        forms = {repr(float(value)), f"{value:.2f}", f"{value:.4f}"}
    return any(re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", text) for form in forms)


def check_file(gold_path: Path, raw_dir: Path, indicators: dict[str, set[str]]) -> list[str]:
    """Return the list of problems found in one gold file."""
    problems: list[str] = []
    g = json.loads(gold_path.read_text(encoding="utf-8"))
    name = gold_path.name
    if list(g) != FIELDS:
        problems.append(f"{name}: fields {list(g)} differ from {FIELDS}")
    raw_path = raw_dir / g["file"]
    if raw_path.stem != gold_path.stem or not raw_path.exists():
        return [*problems, f"{name}: raw file {g['file']} missing or misnamed"]
    raw = raw_path.read_text(encoding="utf-8")
    text = normalise(raw)
    fmt, year = g["format"], g["report_year"]
    if fmt not in ERAS or year not in ERAS[fmt]:
        problems.append(f"{name}: format {fmt} does not fit report year {year}")
    if not raw_path.stem.endswith(str(year)):
        problems.append(f"{name}: file name does not end with the report year {year}")
    for heading in g["top_sections"]:
        if heading not in raw:
            problems.append(f"{name}: top section not in raw text: {heading}")
    cn_values = chinese_numbers(raw)
    for key, value in g["facts"].items():
        if key not in indicators:
            problems.append(f"{name}: unknown key {key}")
            continue
        if fmt not in indicators[key]:
            problems.append(f"{name}: key {key} not valid for {fmt}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{name}: {key} is not a number: {value!r}")
            continue
        if isinstance(value, float) and key not in MONEY_KEYS:
            problems.append(f"{name}: {key} has a fractional value {value}")
        if value == 0:
            if not any(w in text for w in ZERO_WORDS):
                problems.append(f"{name}: zero for {key} but no zero or negation in the text")
            continue
        shown = abs(value)  # signed changes are printed as +N / -N
        if number_in_text(shown, text):
            continue
        if key in YUAN_KEYS and number_in_text(shown / 10000, text) and "万元" in text:
            continue  # stated in 万元, normalised to yuan
        if shown in cn_values:
            continue  # stated as a Chinese numeral
        problems.append(f"{name}: value {value} for {key} not found in the raw text")
    return problems


def integrity_notes(g: dict) -> list[str]:
    """Relations the spec names; a break is reported (it must be explained in the notes)."""
    f, out = g["facts"], []

    def rel(label: str, total_key: str, part_keys: list[str]) -> None:
        if total_key in f and all(k in f for k in part_keys) and part_keys:
            s = sum(f[k] for k in part_keys)
            if s != f[total_key]:
                out.append(f"{label}: parts {s} != {total_key} {f[total_key]}")

    rel("legacy channels", "legacy.active.total",
        [k for k in f if k.startswith("legacy.active.via.")])
    rel("legacy request channels", "legacy.apply.received.total",
        [k for k in f if k.startswith("legacy.apply.received.") and not k.endswith(".total")])
    for c in [*COLS, "total"]:
        keys = [f"applications.new.{c}", f"applications.carried_over.{c}",
                f"results.total.{c}", f"applications.carried_forward.{c}"]
        if all(k in f for k in keys) and f[keys[0]] + f[keys[1]] != f[keys[2]] + f[keys[3]]:
            out.append(f"table 三 balance fails for column {c}")
    for row in ("applications.new", "applications.carried_over", "results.disclosed",
                "results.partial"):
        if all(f"{row}.{c}" in f for c in [*COLS, "total"]):
            s = sum(f[f"{row}.{c}"] for c in COLS)
            if s != f[f"{row}.total"]:
                out.append(f"{row}: columns {s} != total {f[f'{row}.total']}")
    return out


def main() -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir", nargs="?", default=str(here / "fixtures" / "heldout"))
    ap.add_argument("--indicators", default=str(here.parent / "shared" / "spec" / "indicators.csv"))
    args = ap.parse_args()
    set_dir = Path(args.set_dir)
    indicators = load_indicators(Path(args.indicators))
    gold_files = sorted((set_dir / "gold").glob("*.json"))
    raw_files = sorted((set_dir / "raw").glob("*.txt"))
    problems: list[str] = []
    if {p.stem for p in gold_files} != {p.stem for p in raw_files}:
        problems.append("gold/ and raw/ do not hold the same file stems")
    per_era: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in gold_files:
        problems += check_file(path, set_dir / "raw", indicators)
        g = json.loads(path.read_text(encoding="utf-8"))
        era = per_era[g["format"]]
        era[0] += 1
        era[1] += len(g["facts"])
        era[2] += sum(1 for v in g["facts"].values() if v != 0)
        for line in integrity_notes(g):
            print(f"integrity  {path.name}: {line}")
    print("| era | docs | gold facts | non-zero facts |")
    print("| --- | ---: | ---: | ---: |")
    for era in ("legacy", "v2019", "v2021"):
        d, n, nz = per_era[era]
        print(f"| {era} | {d} | {n} | {nz} |")
    print(f"| total | {sum(v[0] for v in per_era.values())} | "
          f"{sum(v[1] for v in per_era.values())} | {sum(v[2] for v in per_era.values())} |")
    for p in problems:
        print("PROBLEM", p)
    print(f"{len(gold_files)} gold files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
