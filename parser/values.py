"""The `values` view: one value per canonical key, and a note wherever that took a choice.

Prose facts give the first value stated for a key; a later different value is noted, not
used. Table cells come from parser.tables.values, which knows where the template lets a
blank cell read as zero.
"""

from __future__ import annotations

from typing import Any

from parser.model import Fact
from parser.tables.values import table_values


def build_values(facts: list[Fact]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for f in sorted((f for f in facts if f.is_prose and f.key), key=lambda f: f.start):
        if f.key not in values:
            values[f.key] = f.value
        elif values[f.key] != f.value:
            seen = notes.get(f.key, f"first stated as {values[f.key]}")
            notes[f.key] = f"{seen}; also stated as {f.value}"
    table_facts = [f for f in facts if f.is_cell]
    if table_facts:
        t_values, t_notes = table_values(table_facts)
        values.update(t_values)
        notes.update(t_notes)
    return values, notes
