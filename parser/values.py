"""The `values` view: one value per canonical key, and a note wherever that took a choice.

Prose facts give the first value stated for a key; a later different value is noted, not
used. Table cells come from parser.tables.values, which knows where the template lets a
blank cell read as zero; a table's number wins over the prose's (the prose_vs_table check
records any difference), but a cell with no number leaves the prose's figure standing.
"""

from __future__ import annotations

from typing import Any

from parser.model import Fact
from parser.tables.values import table_values


def build_values(facts: list[Fact]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    keyed = ((f.key, f) for f in facts if f.is_prose and f.key)
    for key, f in sorted(keyed, key=lambda kf: kf[1].start):
        if key not in values:
            values[key] = f.value
        elif values[key] != f.value:
            seen = notes.get(key, f"first stated as {values[key]}")
            notes[key] = f"{seen}; also stated as {f.value}"
    table_facts = [f for f in facts if f.is_cell]
    if table_facts:
        t_values, t_notes = table_values(table_facts)
        for key, value in t_values.items():
            if value is None and values.get(key) is not None:
                # A blank or dash cell states nothing; the prose's figure stands.
                notes[key] = f"the table's cell holds no number ({t_notes.get(key, 'blank')}); " \
                             "the prose states it"
                continue
            values[key] = value
            if key in t_notes:
                notes[key] = t_notes[key]
    return values, notes
