"""The `report_values` view: one row per report, snake_case columns for headline indicators.

The columns are data (`archive/data/headline.toml`); this module turns them into one SQL view
over `report_indicator_values`, so that a change of definition needs no rebuild of the facts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from archive import evidence

HEADLINE_FILE = "headline.toml"


@dataclass(frozen=True)
class Column:
    name: str
    unit: str
    keys: tuple[str, ...]
    legacy: str | None
    sum: bool
    description: str
    or_sum: tuple[str, ...] = ()  # where `keys` is not printed: the sum of these, all present
    label_zh: str = ""
    description_zh: str = ""

    @property
    def evidence_name(self) -> str:
        """The column beside it that holds its evidence."""
        return f"{self.name}_evidence"


@cache
def columns() -> tuple[Column, ...]:
    """The headline columns, in display order."""
    data = tomllib.loads(resources.files("archive.data").joinpath(HEADLINE_FILE).read_text("utf-8"))
    return tuple(
        Column(
            name=c["name"],
            unit=c["unit"],
            keys=tuple(c.get("keys", [])),
            legacy=c.get("legacy"),
            sum=bool(c.get("sum", False)),
            description=c["description"],
            or_sum=tuple(c.get("or_sum", [])),
            label_zh=c.get("label_zh", ""),
            description_zh=c.get("description_zh", ""),
        )
        for c in data["column"]
    )


def all_keys() -> list[str]:
    """Every indicator key the view reads (standard and legacy)."""
    keys: list[str] = []
    for col in columns():
        keys.extend(col.keys)
        keys.extend(col.or_sum)
        if col.legacy:
            keys.append(col.legacy)
    return sorted(set(keys))


def _v(key: str) -> str:
    """One value of the report `r`: a lookup on the values' primary key (value_rows, the storage
    of report_indicator_values, with the key's string id found once per statement)."""
    return f"(select value from value_rows v where {evidence.value_row('v', 'r.id', repr(key))})"


def _sum_expr(keys: tuple[str, ...]) -> str:
    parts = [_v(k) for k in keys]
    present = " and ".join(f"{p} is not null" for p in parts)
    return f"case when {present} then {' + '.join(parts)} end"


def _standard_expr(col: Column) -> str | None:
    if not col.keys:
        return None
    if col.sum:
        return _sum_expr(col.keys)
    if col.or_sum:
        return f"coalesce({_v(col.keys[0])}, {_sum_expr(col.or_sum)})"
    return _v(col.keys[0])


def _evidence_expr(col: Column) -> str:
    """Evidence of the column's value: the standard key's fact(s) when the standard value is
    there, else the legacy key's (the same choice as the value's coalesce)."""
    def ev(key: str) -> str:
        note = (f"(select note from value_rows v where {evidence.value_row('v', 'r.id', repr(key))}"
                " and value is not null)")  # a blank cell has a note and no value
        return evidence.value_evidence("r.id", f"'{key}'", note)
    std = None
    if col.keys:
        std = (" || '；' || ".join(ev(k) for k in col.keys) if col.sum else ev(col.keys[0]))
        if col.or_sum:  # the parts the value sums where the total is not printed
            parts = " || '；' || ".join(ev(k) for k in col.or_sum)
            std = f"coalesce({std}, {parts})"
    leg = ev(col.legacy) if col.legacy else None
    # An evidence is null exactly when its value is (a fact with a number, else the value's
    # note), so coalesce makes the value's own choice without repeating its lookups.
    return f"coalesce({std}, {leg})" if std and leg else (std or leg or "null")


def value_columns() -> list[str]:
    """The view's columns without the evidence (what the headline_values summary stores)."""
    return ["report_id", "report_key", "publisher_id", "publisher", "level", "division_code",
            "province", "city", "county", "report_year", "era", "values_era",
            *[c.name for c in columns()]]


def view_sql() -> str:
    """SQL of the `report_values` view (standard value first, legacy only where equivalent),
    each headline column followed by its evidence (`<name>_evidence`).

    Each cell is a correlated lookup by (report_id, key) rather than a pivot of the whole
    values table, so a query that selects a few reports reads only their values.
    """
    cols = []
    for col in columns():
        std = _standard_expr(col)
        parts = [p for p in (std, _v(col.legacy) if col.legacy else None) if p]
        expr = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        cols.append(f"{expr} as {col.name}")
        cols.append(f"{_evidence_expr(col)} as {col.evidence_name}")
    standard = {k for c in columns() for k in c.keys + c.or_sum}
    std_keys = ", ".join(f"'{k}'" for k in sorted(standard))
    legacy_keys = ", ".join(f"'{k}'" for k in sorted({c.legacy for c in columns() if c.legacy}))
    # Which family of keys the row's headline values come from: the table era when any
    # standard key is present (legacy keys then only fill columns the tables leave empty).
    era = (
        "case when exists (select 1 from value_rows where report_id = r.id "
        f"and key_id in (select id from strings where text in ({std_keys})) "
        "and value is not null) then r.era "
        "when exists (select 1 from value_rows where report_id = r.id "
        f"and key_id in (select id from strings where text in ({legacy_keys})) "
        "and value is not null) then 'legacy' end"
    )
    return f"""select r.id as report_id, r.key as report_key, r.publisher_id, p.name as publisher,
  p.level, p.division_code, p.province, p.city, p.county, r.report_year, r.era,
  {era} as values_era,
  {(',' + chr(10) + '  ').join(cols)}
from reports r
left join publishers p on p.id = r.publisher_id"""
