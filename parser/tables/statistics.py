"""The legacy statistics table: from the readers' rows to cell facts, keys and proofs.

Rows are named by label only (stat_layout.py); a label no row of the form means, or a row
whose meaning no canonical key has exactly (信函、传真申请数), keeps its cells without key and
says why. Only the year column's cells get the row's `legacy.*` key. The 历年累计 column's
cells are facts of their own, without key and never in `values`, identified by a note that
starts with "cumulative" and names the row's key (see `cumulative_key` and
docs/statistics_tables.md). Rows whose cells ran together are split by stat_split.py with
the parts-and-totals rules of the layout, or left unplaced with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parser.model import Document, Fact
from parser.tables.stat_grid import grid_tables
from parser.tables.stat_layout import (
    TABLE_ID,
    VERSION,
    StatRowDef,
    load_statistics,
    numbering_of,
)
from parser.tables.stat_model import StatRow, StatTable
from parser.tables.stat_split import Group, RowSplit, row_candidates, solve
from parser.tables.stat_text import text_tables
from parser.tables.values import key_unit, parse_cell

CUMULATIVE = "cumulative"  # first word of the note of every 历年累计 cell
_CUMULATIVE_RE = re.compile(r"^cumulative \([^)]*\) of (legacy\.[a-z_.]+):")
_MONEY_UNITS = ("元", "万元")


def cumulative_key(fact: Fact) -> str | None:
    """The key whose 历年累计 a cumulative cell states (None for any other fact, and for a
    cumulative cell of a row without key: `is_cumulative` tells those apart)."""
    m = _CUMULATIVE_RE.match(fact.note or "")
    return m.group(1) if m and fact.table == TABLE_ID else None


def is_cumulative(fact: Fact) -> bool:
    return fact.table == TABLE_ID and (fact.note or "").startswith(CUMULATIVE + " (")


def cell_role(fact: Fact) -> str | None:
    """year | cumulative | year_to_date for a statistics-table cell (None for other facts
    and for a row left unread)."""
    if fact.table != TABLE_ID or fact.status == "unreadable":
        return None
    if is_cumulative(fact):
        return "cumulative"
    return "year_to_date" if (fact.note or "").startswith("year to date") else "year"


@dataclass
class StatResult:
    """A statistics table mapped: its facts, and per row what the checks need."""

    table: StatTable
    facts: list[Fact] = field(default_factory=list)
    defs: list[StatRowDef | None] = field(default_factory=list)
    numbers: list[dict[str, float | None]] = field(default_factory=list)  # role -> value
    groups: list[Group] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sum rules not applied, and why
    problems: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # rows that print no number at all

    def row_name(self, i: int) -> str:
        d = self.defs[i]
        return d.key if d is not None and d.key else self.table.rows[i].label


def read_statistics(doc: Document) -> list[StatResult]:
    """Every statistics table of the document: from its grids, then from its text outside
    them, mapped to facts."""
    tables = grid_tables(doc)
    spans = [(t.start, t.end) for t in tables if t.start >= 0]
    tables += text_tables(doc.text, spans)
    return [map_statistics(t, doc.text) for t in tables]


def _suffixes(label: str) -> list[tuple[str, str]]:
    """(row label, text before it) for the whole label, then each shorter ending that starts
    at a boundary: a merged cell (" / "), a space, numbering, 其中. Text rows put a heading
    and a row without cells before the next row's label."""
    out = [(label, "")]
    cuts = {m.start() for m in re.finditer(
        r"(?<= / )|(?<=\s)(?=\S)|(?=[（(][一二三四五六七八九十\d]{1,2}[）)])"
        r"|(?=(?<![\d一二三四五六七八九十])[一二三四五六七八九十]{1,3}、)|(?=(?<!\d)\d{1,2}[、.](?!\d))"
        r"|(?=其中)", label)}
    for c in sorted(cuts):
        if 0 < c < len(label):
            out.append((label[c:].strip(" /"), label[:c].strip(" /")))
    return out


def _resolve(row: StatRow, before: list[StatRowDef | None]
             ) -> tuple[StatRowDef | None, str, str]:
    """The row definition a printed label names, in the context of the rows above it; the
    label that named it, and the text before it (a heading run into it, in text renderings)."""
    layout = load_statistics()
    for label, lead in _suffixes(row.label):
        defs = layout.rows_named(label)
        if not defs:
            continue
        if len(defs) > 1:  # 被依法纠错数: under 行政复议 or under 行政诉讼
            owners = {d.part_of: d for d in defs if d.part_of}
            above = next((d for d in reversed(before) if d is not None and d.id in owners), None)
            if above is None:
                return None, label, lead
            defs = [owners[above.id]]
        return defs[0], label, lead
    return None, row.label, ""


def _only_headings(text: str) -> bool:
    """Whether `text` (before a row's label) is only heading rows of the form (一、主动公开情况)."""
    layout = load_statistics()
    rest = text
    while rest:
        for label, lead in _suffixes(rest)[1:] or [("", rest)]:
            named = layout.rows_named(label)
            if named and named[0].heading:
                rest = lead
                break
        else:
            named = layout.rows_named(rest)
            return bool(named and named[0].heading)
    return True


def _groups(defs: list[StatRowDef | None], rows: list[StatRow]) -> tuple[list[Group], list[str]]:
    """Totals and their 其中 parts as printed: each part belongs to the nearest row above it
    that the layout names as its total. A sum rule is not applied where a row the layout does
    not know stands among the parts (it may be a part the form adds)."""
    members: dict[int, list[int]] = {}
    for i, d in enumerate(defs):
        if d is None or d.part_of is None:
            continue
        j = next((k for k in range(i - 1, -1, -1) if defs[k] is not None
                  and defs[k].id == d.part_of), None)  # type: ignore[union-attr]
        if j is None:
            continue
        mine, theirs = numbering_of(rows[i].label), numbering_of(rows[j].label)
        if mine and theirs and mine[0] == theirs[0]:
            continue  # numbered like the total (4. / 6.): printed as its sibling, not its part
        members.setdefault(j, []).append(i)
    groups, skipped = [], []
    for total, parts in members.items():
        tdef = defs[total]
        assert tdef is not None
        rule = tdef.parts or "le"
        name = f"{rows[total].label}: 其中 parts " + ("= total" if rule == "sum" else "≤ total")
        strangers = [rows[k].label for k in range(total + 1, max(parts)) if defs[k] is None]
        if rule == "sum" and strangers:
            skipped.append(f"{name}: not applied, the rows {strangers} are not rows of the form")
            rule = "le"
        groups.append(Group(total, parts, rule, name))
    return groups, skipped


def map_statistics(table: StatTable, text: str) -> StatResult:
    """Facts for every cell of a statistics table, and the row structure for its checks."""
    res = StatResult(table)
    for row in table.rows:
        d, label, lead = _resolve(row, res.defs)
        res.defs.append(d)
        if table.source == "text" and label != row.label:
            # a heading the text ran into the label is not part of it, nor of its evidence
            k = row.label.rfind(label)
            if k >= 0 and row.start >= 0:
                row.start += k
            row.label = label
        if lead and not _only_headings(lead):
            res.empty.append(lead)  # run into the next row's label: text without a number
    res.groups, res.skipped = _groups(res.defs, table.rows)
    roles = [role for role, _ in table.columns]
    ncols = len(roles)
    splits: dict[int, RowSplit] = {}
    for i, row in enumerate(table.rows):
        if row.note:
            splits[i] = RowSplit([], True, row.note)
            continue
        d = res.defs[i]
        money = (row.unit in _MONEY_UNITS) or bool(d and d.key and key_unit(d.key) == "元")
        splits[i] = row_candidates(row.pieces, ncols, money, table.code,
                                   i + 1 if table.code else None, roles)
        if table.code and not splits[i].candidates:
            splits[i] = row_candidates(row.pieces, ncols, money, True, None, roles)
    outcome = solve(splits, res.groups, ncols)
    for i, row in enumerate(table.rows):
        res.numbers.append({})
        d = res.defs[i]
        if table.code and len(row.pieces) == 1 and re.fullmatch(r"\d{2,3}", row.pieces[0].text) \
                and table.source == "text":
            row.pieces = []  # a blank form's row: its code and no value
        if not any(p.text for p in row.pieces) and not row.note:
            if d is not None and not d.heading and table.source == "text":
                res.empty.append(row.label)
            if table.source == "text" or d is None or d.heading:
                continue  # text shows no cell of it: the row states nothing
        cand = outcome.chosen.get(i)
        evidence = text[row.start:row.end] if row.start >= 0 and row.end > row.start else \
            " | ".join([row.label] + [p.text for p in row.pieces])
        if cand is None:
            _unplaced(res, row, evidence, outcome.notes.get(i) or "cells not read")
            continue
        cells = cand.cells[1:] if table.code else cand.cells
        for (role, header), (raw, a, b) in zip(table.columns, cells, strict=True):
            fact = _cell_fact(row, res.defs[i], role, header, raw, a, b, evidence,
                              outcome.notes.get(i))
            res.facts.append(fact)
            if fact.status in ("value", "zero_word"):
                res.numbers[i][role] = fact.value  # type: ignore[assignment]
    return res


def _cell_fact(row: StatRow, d: StatRowDef | None, role: str, header: str, raw: str, a: int,
               b: int, evidence: str, proof: str | None) -> Fact:
    key_of_row = d.key if d is not None else None
    header_unit = row.unit if row.unit in _MONEY_UNITS else None
    unit = key_unit(key_of_row) if key_of_row else row.unit
    value, status, vnote = parse_cell(raw, key_unit(key_of_row) if key_of_row else None,
                                      header_unit)
    key = None
    if role == "year":
        if d is None:
            note = "row label names no row of the statistics form"
        elif d.heading:
            note = "heading row: no key"
        elif d.key is None:
            note = f"no key: {d.no_key}"
        else:
            key, note = d.key, None
    elif role == "cumulative":
        what = f"of {key_of_row}" if key_of_row else "row without key"
        note = f"{CUMULATIVE} ({header}) {what}: a total over the years, never the year's value"
    else:
        note = f"year to date ({header}): no key, the year's value is the 本年度/本期 column"
    note = "; ".join(x for x in (note, proof, vnote) if x) or None
    start, end = (a, b) if a >= 0 else (row.start, row.end)
    return Fact(
        key=key, value=value, unit=unit, label=f"{row.label} | {header}", evidence=evidence,
        section=TABLE_ID, method="table", start=start, end=end, raw=raw, status=status,
        table=TABLE_ID, row=row.label, column=header, version=VERSION, note=note)


def _unplaced(res: StatResult, row: StatRow, evidence: str, why: str) -> None:
    """A row whose cells could not be read with certainty: one fact, no key, no value."""
    printed = [p for p in row.pieces if p.text]
    a = printed[0].start if printed and printed[0].start >= 0 else row.start
    b = printed[-1].end if printed and printed[-1].end >= 0 else row.end
    raw = " ".join(p.text for p in printed)
    res.facts.append(Fact(
        key=None, value=None, unit=row.unit, label=f"{row.label} | ", evidence=evidence,
        section=TABLE_ID, method="table", start=a, end=b, raw=raw, status="unreadable",
        table=TABLE_ID, row=row.label, column="", version=VERSION, note=why))
