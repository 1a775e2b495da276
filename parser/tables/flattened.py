"""Tables whose cells ran together: "一、本年新收政府信息公开申请数量801000081" = 80,1,0,0,0,0,81.

Crawled page texts (the pingtan page.txt files) keep every table cell but lose the boundaries
between them. A digit run can be split in many ways; the standard tables carry enough
arithmetic to pin most of them down. Values are reported only when exactly one combination of
row splits satisfies every rule of the table, with the counts that prove it; otherwise the
result says why not. Nothing is guessed: a document that breaks a rule gives "no solution",
not a repaired table.

The parts: flat_rows.py finds the row labels and their digit runs in the text (and each
cell's offsets), flat_split.py cuts one run every way it can be cut, flat_solve.py keeps the
cuts that satisfy the table's rules. This module turns what they find into tables and facts.

`flattened_tables` wires this into the table stage (extract.py calls it for the tables no
grid gave): every provably placed cell becomes a fact with its own offsets and the proof in
its note; a row that is not split uniquely becomes one unplaced fact with the reason and the
number of candidate splits, and the table checks then run over the cells as printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from parser.model import Cell, Fact, Grid
from parser.tables.flat_rows import (
    FlatRow,
    cell_spans,
    cluster,
    find_flattened_rows,
    label_regex,
    layout_labels,
)
from parser.tables.flat_solve import (
    GROUPS_4,
    SplitResult,
    row_candidates,
    solve_simple_row,
    solve_table3,
    solve_table4,
)
from parser.tables.flat_split import SplitLimitError, fits, split_row
from parser.tables.labels import normalize_label
from parser.tables.layout import ColDef, load_layouts
from parser.tables.mapper import TABLE_IDS, MappedTable, Segment, detect_version
from parser.tables.values import key_unit, parse_cell, unit_in_header

# --- wiring into the table stage -------------------------------------------------------
#
# For a table the document's grids and the text-grid builder did not find, the text is
# searched for its rows as flattened runs. Each cell placed gets its own offsets (inside the
# run), its digits as `raw` and a note with the proof; a row that cannot be split uniquely
# becomes one fact without key (status "unreadable", raw = the run) saying why. The result
# is a MappedTable, so extract.py reports it and checks it like any other table.

PROVEN = "split of a flattened run proven unique: "


def flattened_tables(
    text: str, missing: Sequence[str], versions: dict[str, str | None]
) -> list[MappedTable]:
    """Tables among `missing` (二/三/四) found in `text` as flattened row runs.

    `versions` holds the versions of the report's tables already found (table 四 takes its
    version from them, as the mapper does). A table counts as found only when its rows
    stand together and at least one of them can be cut into the table's cells.
    """
    out: dict[str, MappedTable] = {}
    three_span: tuple[int, int] | None = None
    if "三" in missing:
        mt3, three_span = _table3(text)
        if mt3 is not None:
            out["三"] = mt3
    else:
        three_span = _rows_span(text, 0)
    if "二" in missing:
        mt2 = _table2(text, three_span[0] if three_span else len(text))
        if mt2 is not None:
            out["二"] = mt2
    if "四" in missing:
        known = dict(versions)
        known.update({t: mt.version for t, mt in out.items()})
        version = known.get("二")
        if version is None and known.get("三") == "v2021":
            version = "v2021"
        mt4 = _table4(text, three_span[1] if three_span else 0, version)
        if mt4 is not None:
            out["四"] = mt4
    return [out[t] for t in TABLE_IDS if t in out]

def _version(table: str, text: str) -> tuple[str | None, str]:
    """The version the mapper would decide from the same text (its marker rules)."""
    grid = Grid([[Cell(text, (0, 0))]], source="text")
    return detect_version(load_layouts()[table], [Segment(table, grid, [0])])


def _rows_span(text: str, start: int) -> tuple[int, int] | None:
    """Where table 三's flattened rows stand: found with the rows both versions print."""
    rows = cluster(find_flattened_rows(text, layout_labels("三", "v2019"), start))
    if not rows:
        return None
    first, last = next(iter(rows.values())), list(rows.values())[-1]
    return first.start, last.end


def _table3(text: str) -> tuple[MappedTable | None, tuple[int, int] | None]:
    span = _rows_span(text, 0)
    if span is None:
        return None, None
    # the rows of the table's version, searched again from the first row: the split （六）
    # sub-rows (逾期不补正) lie inside the span found with the common rows
    version = _version("三", text[span[0] : span[1]])[0] or "v2019"  # 三 always has one
    rows = cluster(find_flattened_rows(text, layout_labels("三", version), span[0]))
    try:
        usable = any(row_candidates(r.run, 7, row_sum=True) for r in rows.values())
    except SplitLimitError:
        usable = True  # a long run next to row labels: a table, reported as unsplittable
    if not usable:
        return None, None  # labels with a number or two after them: not a table 三
    span = (next(iter(rows.values())).start, list(rows.values())[-1].end)
    res = solve_table3({rid: r.run for rid, r in rows.items()})
    layout = load_layouts()["三"]
    mt = MappedTable("三", version, segments=1)
    cols = layout.columns(version)
    for rid, row in rows.items():
        vals = res.fixed.get(rid)
        if vals is None:
            _unplaced(mt, text, row, _why_not(res, rid))
            continue
        split = [str(v) for v in vals]
        proof = _proof3(res, rid, row.run)
        row_id = next(r.id for r in layout.rows(version) if r.key == rid)
        for col, cell, (a, b) in zip(cols, split, cell_spans(text, row, split), strict=True):
            key = layout.cell_key(version, row_id, col.id)
            _emit(mt, text, row, key, cell, a, b, col.labels[0], PROVEN + proof)
    return mt, span


def _proof3(res: SplitResult, rid: str, run: str) -> str:
    n = res.candidates.get(rid, 0)
    own = f"{n} cut(s) of {run.strip()!r} into 7 counts have 总计 = the sum of the row"
    if n == 1:
        return own
    if res.status == "unique":
        return own + f"; {res.proof.rsplit('; ', 1)[-1]} column rules of the table"
    return own + f"; the row is the same in all {res.solutions} combinations that satisfy " \
        "every column rule"


def _why_not(res: SplitResult, rid: str) -> str:
    n = res.candidates.get(rid)
    count = f"{n} candidate split(s) with 总计 = the sum of the row" if n is not None else \
        "candidate splits not counted"
    return f"flattened run not split ({res.status}): {res.reason}; {count}"


def _table2(text: str, end: int) -> MappedTable | None:
    """Table 二 from its block captions on: rows of one cell, or runs that cut one way."""
    layout = load_layouts()["二"]
    caption = re.compile(label_regex(layout.captions)).search(text, 0, end)
    if caption is None:
        return None
    version, _ = _version("二", text[caption.start() : end])
    if version is None:
        return None  # no column header of either format: not recognisably table 二
    rows = cluster(find_flattened_rows(text, layout_labels("二", version), caption.start(), end))
    if not rows:
        return None
    vdef = layout.version(version)
    by_id = {c.id: c for c in vdef.columns}
    mt = MappedTable("二", version, segments=1)
    for rid, row in rows.items():
        refs = [ref for ref in vdef.cells if ref.rsplit(".", 1)[0] == rid]
        cols = [by_id[ref.rsplit(".", 1)[1]] for ref in refs]
        res = solve_simple_row(row.run, len(cols), cols)
        if res.unique:
            split = [str(c) for c in _cells_of(row.run, cols)[0]]
            for col, ref, cell, (a, b) in zip(
                cols, refs, split, cell_spans(text, row, split), strict=True
            ):
                _emit(mt, text, row, vdef.cells[ref], cell, a, b, col.labels[0],
                      PROVEN + res.proof)
            continue
        _table2_partial(mt, text, row, cols, [vdef.cells[r] for r in refs], res)
    return mt


def _cells_of(run: str, cols: Sequence[ColDef]) -> list[list[str]]:
    return [s for s in split_row(run, len(cols)) if fits(s, cols)]


def _table2_partial(
    mt: MappedTable, text: str, row: FlatRow, cols: list[ColDef], keys: list[str],
    res: SplitResult,
) -> None:
    """An ambiguous row of table 二: a cell that every candidate split puts at the same
    place (2648 of "2648-18538": the sign must open 本年增/减) is placed; the rest of the
    run is one unplaced fact with the reason."""
    try:
        splits = _cells_of(row.run, cols) if res.status == "ambiguous" else []
    except SplitLimitError:
        splits = []
    spans = [cell_spans(text, row, s) for s in splits]
    common = [k for k in range(len(cols)) if spans and all(sp[k] == spans[0][k] for sp in spans)]
    for k in common:
        a, b = spans[0][k]
        proof = f"the cell is {text[a:b]!r} in all {len(splits)} cuts of {row.run.strip()!r} " \
            f"into {len(cols)} cells"
        _emit(mt, text, row, keys[k], text[a:b], a, b, cols[k].labels[0], PROVEN + proof)
    # the digits no placed cell covers, as one unplaced fact per stretch
    taken = [spans[0][k] for k in common]
    run_start = row.end - len(row.run)
    stretches: list[tuple[int, int]] = []
    pos = run_start
    for a, b in [*sorted(taken), (row.end, row.end)]:
        if text[pos:a].strip():
            lead = len(text[pos:a]) - len(text[pos:a].lstrip())
            stretches.append((pos + lead, len(text[:a].rstrip())))
        pos = b
    open_cols = ", ".join(c.labels[0] for k, c in enumerate(cols) if k not in common)
    why = f"flattened run not split: {res.reason}; {res.candidates.get('row', 0)} candidate " \
        f"split(s) ({res.proof}); cells left open: {open_cols}"
    for a, b in stretches:
        _unplaced(mt, text, row, why, (a, b))


def _table4(text: str, start: int, version: str | None) -> MappedTable | None:
    """Table 四's one row of 15 counts after a header naming every group and column."""
    layout = load_layouts()["四"]
    cols = layout.columns(version or "v2021")
    pattern = label_regex(layout.groups[0].labels) + r"\D*" + label_regex(cols[-1].labels)
    rows = find_flattened_rows(text, [("四", pattern)], start)
    row = rows.get("四")
    if row is None:
        return None
    header = normalize_label(row.label)
    names = [g.labels for g in layout.groups] + [c.labels for c in cols]
    if not all(any(normalize_label(lab) in header for lab in labels) for labels in names):
        return None  # words of the table in prose, not its header
    res = solve_table4(row.run)
    mt = MappedTable("四", version, segments=1)
    if not res.fixed:
        _unplaced(mt, text, row, f"flattened run not split ({res.status}): {res.reason}; "
                  f"{res.candidates.get('四', 0)} cut(s) into 15 cells ({res.proof})")
        return mt
    if res.unique:
        split = [str(v) for g in GROUPS_4 for v in res.values[g]]
        spans = cell_spans(text, row, split)
        for i, g in enumerate(layout.groups):
            for j, col in enumerate(cols):
                a, b = spans[i * 5 + j]
                _emit(mt, text, row, f"{g.id}.{col.id}", split[i * 5 + j], a, b,
                      f"{g.labels[0]} / {col.labels[0]}", PROVEN + res.proof)
        return mt
    # ambiguous with some groups fixed: cell offsets differ between the surviving cuts,
    # so nothing is placed (the table is rare enough not to need a partial reading)
    _unplaced(mt, text, row, f"flattened run not split ({res.status}): {res.reason}; "
              f"{res.candidates.get('四', 0)} cut(s) into 15 cells ({res.proof})")
    return mt


def _evidence(text: str, row: FlatRow) -> str:
    return text[row.start : row.end]


def _emit(
    mt: MappedTable, text: str, row: FlatRow, key: str | None, cell: str, start: int,
    end: int, col_label: str, note: str,
) -> None:
    """One placed cell, read as printed (value, status and unit as for any table cell)."""
    unit = key_unit(key) if key else None
    value, status, vnote = parse_cell(cell, unit, unit_in_header(col_label))
    row_label = "" if mt.table == "四" else row.label
    mt.facts.append(Fact(
        key=key, value=value, unit=unit, label=f"{row_label} | {col_label}",
        evidence=_evidence(text, row), section=mt.table, method="table", start=start,
        end=end, raw=cell, status=status, table=mt.table, row=row_label, column=col_label,
        version=mt.version, note=f"{note}; {vnote}" if vnote else note,
    ))


def _unplaced(
    mt: MappedTable, text: str, row: FlatRow, why: str, span: tuple[int, int] | None = None
) -> None:
    """A run (or the rest of one) that is not split: no key, no value, the reason."""
    a, b = span if span else (row.end - len(row.run.lstrip()), row.end)
    row_label = "" if mt.table == "四" else row.label
    mt.facts.append(Fact(
        key=None, value=None, unit=None, label=f"{row_label} | ", evidence=_evidence(text, row),
        section=mt.table, method="table", start=a, end=b, raw=text[a:b], status="unreadable",
        table=mt.table, row=row_label, column="", version=mt.version, note=why,
    ))
