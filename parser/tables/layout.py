"""The standard tables' layouts, read from layouts.toml (data, not code).

The mapper asks this module three things: which labels name a table, a row or a column; how
a version of a table is recognised; and which canonical key a (row, column) cell holds. Keeping
those answers in one data file means a new label variant or a typo seen in a report is one
added string, and a test can prove every key exists in spec/indicators.csv.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from parser.tables.labels import LabelMatcher

LAYOUTS_TOML = Path(__file__).with_name("layouts.toml")


@dataclass(frozen=True)
class RowDef:
    id: str
    labels: list[str]
    key: str | None = None  # key prefix (三) or None for heading rows; 二 uses `cells`
    parent: str | None = None
    versions: tuple[str, ...] = ()  # empty: the row exists in every version


@dataclass(frozen=True)
class ColDef:
    id: str
    labels: list[str]
    signed: bool = False  # the cell may print a sign (v2019 本年增/减: +1036, -185)
    decimal: bool = False  # the cell may print a fraction (amounts in 万元 or 元)


@dataclass
class VersionDef:
    name: str
    markers: list[str]
    weak_markers: list[str]
    columns: list[ColDef]
    rows: list[RowDef]
    cells: dict[str, str]  # "row.col" -> key, for kind == "cells"


@dataclass
class TableLayout:
    """One standard table: its labels, versions and the key of each cell."""

    id: str  # 二 | 三 | 四
    title: str
    kind: str  # cells (二) | matrix (三) | single_row (四)
    headings: list[str]
    markers: list[str]
    captions: list[str]
    ignore_headers: list[str]
    label_headers: list[str]
    blank_as_zero: bool
    versions: dict[str, VersionDef]
    blank_not_zero_columns: list[str] = field(default_factory=list)
    groups: list[ColDef] = field(default_factory=list)  # column groups (四)
    # Per version: rows by id and column ids, built on first use. The mapper asks cell_key
    # for every cell, and scanning the row list there was a visible share of its time.
    _index: dict[str, tuple[dict[str, RowDef], frozenset[str]]] = field(
        default_factory=dict, repr=False, compare=False)
    # Row labels already matched, with the group context before and after (row_match.py).
    row_memo: dict[tuple, tuple] = field(default_factory=dict, repr=False, compare=False)

    def version(self, name: str) -> VersionDef:
        """One version's definition (markers, columns, rows, cells); used by flattened.py."""
        return self.versions[name]

    def rows(self, version: str) -> list[RowDef]:
        return [r for r in self.versions[version].rows if not r.versions or version in r.versions]

    def columns(self, version: str) -> list[ColDef]:
        return self.versions[version].columns

    def _rows_and_columns(self, version: str) -> tuple[dict[str, RowDef], frozenset[str]]:
        """(the version's rows by id, first of a repeated id; its column ids), cached."""
        try:
            return self._index[version]
        except KeyError:
            pass
        by_id: dict[str, RowDef] = {}
        for r in self.rows(version):
            by_id.setdefault(r.id, r)
        found = self._index[version] = (by_id, frozenset(c.id for c in self.columns(version)))
        return found

    def cell_key(self, version: str, row_id: str | None, col_id: str) -> str | None:
        """The canonical key of a cell, or None where the layout defines no such cell."""
        if self.kind == "single_row":
            groups = {g.id for g in self.groups}
            group, _, col = col_id.rpartition(".")
            ok = group in groups and col in self._rows_and_columns(version)[1]
            return col_id if ok else None
        if row_id is None:
            return None
        if self.kind == "cells":
            return self.versions[version].cells.get(f"{row_id}.{col_id}")
        rows, col_ids = self._rows_and_columns(version)
        row = rows.get(row_id)
        if row is None or row.key is None or col_id not in col_ids:
            return None
        return f"{row.key}.{col_id}"

    def all_keys(self, version: str) -> list[str]:
        """Every key a table of this version can hold (order: rows, then columns)."""
        keys: list[str] = []
        if self.kind == "single_row":
            for g in self.groups:
                keys += [f"{g.id}.{c.id}" for c in self.columns(version)]
            return keys
        if self.kind == "cells":
            return list(self.versions[version].cells.values())
        split = {r.parent for r in self.rows(version) if r.versions}
        for r in self.rows(version):
            if r.key is None or r.id in split:
                continue  # （六） as a whole is not printed where its sub-rows are
            keys += [f"{r.key}.{c.id}" for c in self.columns(version)]
        return keys

    def row_matcher(self, version: str) -> LabelMatcher:
        return _row_matcher(self.id, version)

    def column_matcher(self, version: str) -> LabelMatcher:
        return _col_matcher(self.id, version)


def _rows(raw: list[dict]) -> list[RowDef]:
    return [
        RowDef(
            id=r["id"],
            labels=list(r["labels"]),
            key=r.get("key"),
            parent=r.get("parent"),
            versions=tuple(r.get("versions", ())),
        )
        for r in raw
    ]


def _cols(raw: list[dict]) -> list[ColDef]:
    return [
        ColDef(
            id=c["id"],
            labels=list(c["labels"]),
            signed=bool(c.get("signed", False)),
            decimal=bool(c.get("decimal", False)),
        )
        for c in raw
    ]


@cache
def load_layouts(path: Path = LAYOUTS_TOML) -> dict[str, TableLayout]:
    """Read layouts.toml once; tables by id (二, 三, 四)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    layouts: dict[str, TableLayout] = {}
    for tid, t in data.items():
        versions: dict[str, VersionDef] = {}
        for vname, v in t["versions"].items():
            versions[vname] = VersionDef(
                name=vname,
                markers=list(v.get("markers", [])),
                weak_markers=list(v.get("weak_markers", [])),
                columns=_cols(v.get("columns", t.get("columns", []))),
                rows=_rows(v.get("rows", t.get("rows", []))),
                cells=dict(v.get("cells", {})),
            )
        layouts[tid] = TableLayout(
            id=tid,
            title=t["title"],
            kind=t["kind"],
            headings=list(t.get("headings", [])),
            markers=list(t.get("markers", [])),
            captions=list(t.get("captions", [])),
            ignore_headers=list(t.get("ignore_headers", [])),
            label_headers=list(t.get("label_headers", [])),
            blank_as_zero=bool(t.get("blank_as_zero", False)),
            blank_not_zero_columns=list(t.get("blank_not_zero_columns", [])),
            versions=versions,
            groups=_cols(t.get("groups", [])),
        )
    return layouts


@cache
def _row_matcher(table: str, version: str) -> LabelMatcher:
    layout = load_layouts()[table]
    return LabelMatcher([(r.id, r.labels) for r in layout.rows(version)])


@cache
def _col_matcher(table: str, version: str) -> LabelMatcher:
    layout = load_layouts()[table]
    return LabelMatcher([(c.id, c.labels) for c in layout.columns(version)])


def layout_keys() -> set[str]:
    """Every canonical key any layout can produce (all tables, all versions)."""
    keys: set[str] = set()
    for layout in load_layouts().values():
        for v in layout.versions:
            keys.update(layout.all_keys(v))
            if layout.kind == "matrix":  # （六） as one row exists in both versions
                for r in layout.rows(v):
                    if r.key:
                        keys.update(f"{r.key}.{c.id}" for c in layout.columns(v))
    return keys


def blank_reads_zero(key: str) -> bool:
    """Whether an empty cell holding `key` means 0 by its table's template (layout data)."""
    table = key_table(key)
    layout = load_layouts().get(table or "")
    if layout is None or not layout.blank_as_zero:
        return False
    return key.rsplit(".", 1)[-1] not in layout.blank_not_zero_columns


def key_table(key: str) -> str | None:
    """Which table (二/三/四) a canonical key belongs to."""
    if key.startswith("active."):
        return "二"
    if key.startswith(("applications.", "results.")):
        return "三"
    if key.startswith(("review.", "litigation.")):
        return "四"
    return None
