"""Reference tables loaded from their source files, so that readers see them in Datasette.

- `indicators` (parser/data/indicators.csv, the canonical keys as the parser ships them) and
  `divisions` (cpca's GB/T 2260 codes, as archive/publishers.py reads them).

From the archive's data files:

- `check_rules` (data/check_rules.tsv): each integrity rule's kind, Chinese name, explanation.
- `concordance` (data/concordance.tsv): one concept per row, its legacy, v2019 and v2021 keys,
  whether a series may cross the format change, and a note where the meaning changed;
  `concordance_keys` is the same in long form (concept, key, formats, priority), what the
  `series` saved query reads.
- `publisher_aliases` (data/publisher_aliases.tsv): names that are the same body (`same`) and
  related or successor bodies with their dates (`related`, `successor`: shown, never merged).

Each source is reloaded when its file changes (the hashes are kept in `meta`), in one
transaction; none of them changes how a document is parsed, so no reparse is needed (and this
module is not part of the build version, archive/version.py).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import sqlite_utils

import parser as parser_pkg
from archive import check_kinds, publishers
from archive.meta import meta_get, meta_set

DATA_FILES = ("check_rules.tsv", "concordance.tsv", "publisher_aliases.tsv")
ERAS = ("legacy", "v2019", "v2021")


def _text(name: str) -> str:
    return resources.files("archive.data").joinpath(name).read_text("utf-8")


def _tsv(name: str, columns: list[str]) -> list[dict[str, Any]]:
    """The rows of a TSV file of archive/data as dicts of strings (the callers turn some
    columns into numbers or None)."""
    lines = [ln for ln in _text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    rows = []
    for row in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        row = row + [""] * (len(columns) - len(row))
        rows.append(dict(zip(columns, row, strict=False)))
    return rows


@cache
def data_hash() -> str:
    """Hash of the data files (summary tables that read these tables follow it)."""
    h = hashlib.sha256()
    for name in DATA_FILES:
        h.update(_text(name).encode())
    return h.hexdigest()[:16]


def concordance_rows() -> list[dict]:
    rows = _tsv("concordance.tsv", ["concept", *ERAS, "comparable", "label_zh", "note_zh"])
    for r in rows:
        r["comparable"] = int(r["comparable"] or 0)
        for era in ERAS:
            r[era] = r[era] or None
    return rows


def concordance_key_rows() -> list[dict]:
    """Long form: one row per (concept, key); a key shared by v2019 and v2021 is one row.

    `priority` orders the keys a report may state for one concept: table keys before legacy
    prose keys (a 2020 report that states both gives its table 三 value)."""
    out = []
    for r in concordance_rows():
        keys: dict[str, list[str]] = {}
        for era in ERAS:
            if r[era]:
                keys.setdefault(r[era], []).append(era)
        for key, eras in keys.items():
            out.append({"concept": r["concept"], "key": key, "formats": ",".join(eras),
                        "priority": 2 if eras == ["legacy"] else 1,
                        "comparable": r["comparable"]})
    return out


def alias_rows() -> list[dict]:
    cols = ["alias", "division_code", "canonical", "prefix", "level", "note", "relation",
            "valid_from", "valid_to"]
    rows = _tsv("publisher_aliases.tsv", cols)
    for r in rows:
        r["relation"] = r["relation"] or "same"
        r["valid_from"] = r["valid_from"] or None
        r["valid_to"] = r["valid_to"] or None
    return rows


def check_rule_rows() -> list[dict]:
    return [{"rule": r.rule, "kind": r.kind, "kind_zh": check_kinds.KIND_ZH[r.kind],
             "name_zh": r.name_zh, "explanation_zh": r.explanation_zh}
            for r in check_kinds.rules().values()]


def _load_data_tables(db: sqlite_utils.Database) -> bool:
    """(Re)load the tables of archive/data when their files changed. True when it wrote."""
    row = db.execute("select value from meta where name = 'reference_hash'").fetchone()
    if row and row[0] == data_hash():
        return False
    with db.atomic():
        for table, rows, pk in (
            ("check_rules", check_rule_rows(), "rule"),
            ("concordance", concordance_rows(), "concept"),
            ("concordance_keys", concordance_key_rows(), ("concept", "key")),
            ("publisher_aliases", alias_rows(), "alias"),
        ):
            db.execute(f"delete from [{table}]")
            db.table(table).insert_all(rows, pk=pk)
        db.table("meta").upsert({"name": "reference_hash", "value": data_hash()}, pk="name")
    return True


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def indicators_csv() -> Path:
    """The canonical keys, as shipped inside the parser package (a copy of the shared spec)."""
    return Path(parser_pkg.__file__).resolve().parent / "data" / "indicators.csv"


def load(db: sqlite_utils.Database) -> None:
    """(Re)load `indicators` and `divisions` when their source files changed, then the tables
    of archive/data when theirs did."""
    ind = indicators_csv()
    if meta_get(db, "indicators_hash") != _file_hash(ind):
        with ind.open(encoding="utf-8") as fh:
            rows = [
                {
                    "key": r["key"],
                    "table_name": r["table"],
                    "formats": r["formats"],
                    "label_zh": r["label_zh"],
                    "unit": r["unit"],
                    "description": r["description"],
                }
                for r in csv.DictReader(fh)
            ]
        with db.atomic():
            db.table("indicators").upsert_all(rows, pk="key")
            meta_set(db, "indicators_hash", _file_hash(ind))
    src = publishers.adcodes_path()
    if meta_get(db, "divisions_hash") != _file_hash(src):
        rows = [
            {
                "code": d.code,
                "name": d.name,
                "level": publishers.LEVEL_NAMES[d.level],
                "province_code": d.province_code,
                "city_code": d.city_code,
                "province": d.province,
                "city": d.city,
                "county": d.county,
            }
            for d in sorted(publishers.divisions().values(), key=lambda d: d.code)
        ]
        with db.atomic():
            db.table("divisions").upsert_all(rows, pk="code")
            meta_set(db, "divisions_hash", _file_hash(src))
            meta_set(db, "divisions_source", f"cpca {importlib.metadata.version('cpca')} "
                      "resources/adcodes.csv (GB/T 2260 codes)")
    _load_data_tables(db)  # check kinds, concordance, publisher aliases (archive/data)
