"""Entry point of the table stage: a document's grids -> table facts and table checks.

Grids come from the loader (`Document.tables`: HTML, DOCX, PDF). When a standard table is not
among them (a text page, or a PDF whose table lost its rulings), the grids the text-grid
builder rebuilds from `Document.text` are tried for the missing tables only; a table still
missing is then looked for as flattened rows (cells run together: flattened.py), split only
where the arithmetic proves the split unique.
"""

from __future__ import annotations

import importlib

from parser import ocr_facts
from parser.model import Check, Document, Fact, Grid, Section
from parser.tables.checks import statistics_checks, table_checks
from parser.tables.flattened import flattened_tables
from parser.tables.layout import load_layouts
from parser.tables.mapper import TABLE_IDS, MappedTable, map_tables
from parser.tables.statistics import StatResult, read_statistics
from xxgk import settings


def _text_grids(text: str) -> tuple[list[Grid], str | None]:
    """Grids rebuilt from text, or [] while parser.tables.text_grid does not exist.

    A failure inside the text-grid builder must not lose the tables already read from the
    document's own grids: it is returned as a message and reported as a failed check.
    """
    try:
        module = importlib.import_module("parser.tables.text_grid")
    except ModuleNotFoundError as exc:
        if exc.name == "parser.tables.text_grid":
            return [], None
        return [], f"text_grid import failed: {exc}"
    except Exception as exc:  # a broken module must not break the table stage
        return [], f"text_grid import failed: {type(exc).__name__}: {exc}"
    try:
        return list(module.text_grids(text)), None
    except Exception as exc:
        return [], f"text_grids failed: {type(exc).__name__}: {exc}"


def _flattened(
    text: str, missing: list[str], versions: dict[str, str | None]
) -> tuple[list[MappedTable], str | None]:
    """Tables whose cells ran together in the text (flattened.py), for the missing ones.

    Like the text-grid builder, a failure here must not lose the tables already found.
    """
    try:
        return flattened_tables(text, missing, versions), None
    except Exception as exc:
        return [], f"flattened tables failed: {type(exc).__name__}: {exc}"


def _usable(mt: MappedTable) -> bool:
    return any(f.key is not None for f in mt.facts)


def _mappable(grids: list[Grid], errors: list[str] | None) -> list[Grid]:
    """Grids small enough to be a standard table. The template's widest table has about a
    dozen columns and forty rows; the mapper's label matching grows with every cell, so a
    hostile page's 5,000-column table would take seconds and cannot be one of them."""
    out = []
    for g in grids:
        width = max((len(r) for r in g.rows), default=0)
        rows = len(g.rows)
        if width > settings.MAX_MAPPED_TABLE_COLUMNS or rows > settings.MAX_MAPPED_TABLE_ROWS:
            if errors is not None:
                errors.append(f"a {rows}×{width} table is too big to be a standard "
                              "table: not mapped")
            continue
        out.append(g)
    return out


def find_tables(doc: Document, errors: list[str] | None = None) -> list[MappedTable]:
    """The standard tables of a document, from its grids, then from its text for any missing.

    A table none of whose cells could be placed is dropped (a legacy report's 附表 can share
    a few labels with the standard tables) unless the mapper reported a problem with it,
    such as version markers of both formats: that must show as a failed check.
    """
    first = map_tables(_mappable(doc.tables, errors), doc.text)
    found = {mt.table: mt for mt in first if _usable(mt)}
    later: list[MappedTable] = []
    if len(found) < len(TABLE_IDS) and doc.text:
        rebuilt, error = _text_grids(doc.text)
        if error and errors is not None:
            errors.append(error)
        # Loader grids and rebuilt grids in text order: a header kept as a grid can head
        # data rows that survived only as text (the header's column names then still count).
        grids = doc.tables + rebuilt
        if rebuilt and all(g.start >= 0 for g in grids):
            grids = sorted(grids, key=lambda g: (g.start, g.end))
        # the tables found above are not mapped again: only the missing ones are taken
        later = (map_tables(_mappable(grids, None), doc.text, skip=frozenset(found))
                 if rebuilt else [])
        for mt in later:
            if mt.table not in found and _usable(mt):
                found[mt.table] = mt
        missing = [t for t in TABLE_IDS if t not in found]
        if missing:
            flat, error = _flattened(doc.text, missing, {t: mt.version for t, mt in found.items()})
            if error and errors is not None:
                errors.append(error)
            found.update({mt.table: mt for mt in flat})
    for mt in first + later:
        if mt.table not in found and mt.version_conflict:
            found[mt.table] = mt
    return [found[t] for t in TABLE_IDS if t in found]


def _statistics(doc: Document) -> tuple[list[StatResult], str | None]:
    """The legacy statistics tables (统计表) of the document; a failure of their readers must
    not lose the standard tables: it is returned as a message and reported as a check."""
    try:
        return read_statistics(doc), None
    except Exception as exc:
        return [], f"statistics table reader failed: {type(exc).__name__}: {exc}"


def _distrust_the_last_number(doc: Document, facts: list[Fact]) -> None:
    """A text that stops in the middle of a table row, right after a digit, may have cut that
    number ("行政许可 | 1" of "行政许可 | 1270"): the cell it ends in is not placed."""
    if doc.kind != "text" or not doc.raw.rstrip(" \t\u3000")[-1:].isdigit():
        return
    end = len(doc.text.rstrip())
    for f in facts:
        if f.key is not None and f.status == "value" and f.end >= end:
            f.key = None
            f.note = "the text ends in this number: it may be cut short, so it is not placed"


def extract_tables(doc: Document, sections: list[Section]) -> tuple[list[Fact], list[Check]]:
    """Facts for every cell of tables 二/三/四 and of legacy statistics tables (统计表), and
    the integrity checks over them.

    `sections` is accepted for the pipeline's signature; tables are located by their own
    labels (captions, headers, row labels), which survive where section headings are
    misnumbered or missing.
    """
    del sections
    errors: list[str] = []
    tables = find_tables(doc, errors)
    for mt in tables:  # OCR'd cells: method ocr, and doubtful ones unplaced before any check
        ocr_facts.review(doc, mt.facts)
    for mt in tables:
        _distrust_the_last_number(doc, mt.facts)
    facts: list[Fact] = [f for mt in tables for f in mt.facts]
    checks: list[Check] = []
    layouts = load_layouts()
    for mt in tables:
        unplaced = [f for f in mt.facts if f.key is None]
        detail = f"table {mt.table} ({layouts[mt.table].title}), {mt.version}: "
        if unplaced:
            reasons = sorted({f.note or "" for f in unplaced})
            detail += f"{len(unplaced)} cell(s) not placed: " + "; ".join(reasons)
        else:
            detail += f"all {len(mt.facts)} cells placed"
        if mt.problems:
            detail += "; " + "; ".join(mt.problems)
        checks.append(Check(
            "table.unplaced_cells", not unplaced and not mt.problems, detail,
            {"unplaced": [f"{f.row} | {f.raw}" for f in unplaced[:50]],
             "cells": len(mt.facts)},
        ))
        if mt.version:
            expected = set(layouts[mt.table].all_keys(mt.version))
            got = {f.key for f in mt.facts if f.key}
            missing = sorted(expected - got)
            if missing:
                checks.append(Check(
                    "table.missing_cells", False,
                    f"table {mt.table} {mt.version}: {len(missing)} of {len(expected)} cells "
                    "not found",
                    {"missing": missing},
                ))
    absent = [t for t in TABLE_IDS if t not in {mt.table for mt in tables}]
    if tables and absent:
        checks.append(Check(
            "table.not_found", False,
            "standard table(s) " + ", ".join(f"{t} ({layouts[t].title})" for t in absent)
            + " not found in the document's tables or text",
            {"absent": absent},
        ))
    checks += [Check("table.text_grid_error", False, e) for e in errors]
    checks += table_checks(facts)
    stats, error = _statistics(doc)
    if error:
        checks.append(Check("legacy_table.reader_error", False, error))
    facts += [f for s in stats for f in s.facts]
    checks += statistics_checks(stats)
    return facts, checks
