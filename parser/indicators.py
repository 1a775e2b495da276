"""The canonical keys (parser/data/indicators.csv, a copy of ../shared/spec/indicators.csv).

The key names are a public contract; a test keeps the copy in step with the shared spec,
and keys the project adds are appended at the end of the copy and named in the changelog.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Indicator:
    key: str
    table: str
    formats: tuple[str, ...]
    label_zh: str
    unit: str
    description: str


@cache
def indicators() -> dict[str, Indicator]:
    path = resources.files("parser") / "data" / "indicators.csv"
    with path.open(encoding="utf-8") as fh:
        return {
            row["key"]: Indicator(
                key=row["key"],
                table=row["table"],
                formats=tuple(f.strip() for f in row["formats"].split(",")),
                label_zh=row["label_zh"],
                unit=row["unit"],
                description=row["description"],
            )
            for row in csv.DictReader(fh)
        }


def unit_of(key: str) -> str | None:
    ind = indicators().get(key)
    return ind.unit if ind else None
