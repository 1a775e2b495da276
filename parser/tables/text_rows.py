"""Rows rebuilt from a page's text, and the grids made of them: what the text readers share.

Each reader (PDF-like lines: pdf_lines.py; pipe dumps: pipe_rows.py; one cell per line:
cell_lines.py) turns lines into `Row`s, `[label cell(s)…] + [values…]`; `grids_from_rows` cuts
them into tables at unattached level-1 headings and keeps only real tables (several numeric
cells, a neighbour row, a label). A position a text row does not have is a `pad` cell: never
read as a blank cell, since text cannot show where a row's missing cell was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parser.model import Cell, Grid
from xxgk import settings

# A number as a cell prints it; a cell may print its unit too (152790元).
NUM = re.compile(r"[-+]?\d[\d,，]*(?:\.\d+)?(?:%|万元|亿元|元)?")
BLANK = {"", "&nbsp;", "\xa0", "-", "－", "—", "–", "/", "／", "无"}
MARKER_BODY = (
    r"(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]"
    r"|\d{1,2}\s*[.．、](?!\d)|[①-⑳])"
)
MARKER = re.compile(r"^\s*" + MARKER_BODY)
LEVEL1 = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
# a vertical label's character standing before the next label on the same line: "三 2.其他…"


def is_num(tok: str) -> bool:
    return bool(NUM.fullmatch(tok))


SECOND_MARKER = re.compile(r"\s+(?=" + MARKER_BODY + ")")


@dataclass
class Row:
    labels: list[str]
    values: list[str] | None
    start: int
    end: int
    header: bool = False
    # a row of an HTML dump that prints fewer cells than its table: the missing ones are the
    # row's last (HTML fills a row from the left), read as blank; elsewhere they are `pad`
    short_is_blank: bool = False

    @property
    def marker(self) -> bool:
        return bool(self.labels and MARKER.match(self.labels[-1]))


def _data(row: Row) -> int:
    return sum(1 for v in row.values or [] if is_num(v))


def grids_from_rows(rows: list[Row]) -> list[Grid]:
    """Cut rows into tables at unattached level-1 headings and long gaps; keep real tables."""
    groups: list[list[Row]] = []
    cur: list[Row] = []
    for r in rows:
        heading = (
            r.values is None
            and not r.header
            and bool(LEVEL1.match(r.labels[0]))
            and len(LEVEL1.sub("", r.labels[0])) >= 4
        )
        if heading and any(x.values for x in cur):
            groups.append(cur)
            cur = []
        cur.append(r)
    groups.append(cur)
    grids = []
    for g in groups:
        data = [r for r in g if r.values]
        if not data or (max(_data(r) for r in data) < 2 and len(data) < 2
                        and not any(r.values is None for r in g)):
            continue  # one number alone, with no header row above it: no table
        if len(data) == 1 and not any(r.values is None for r in g):
            continue  # one row alone: no table context
        if not any(any(r.labels) for r in g):
            continue  # numbers without a single label or header: nothing says what they are
        # trailing label-only rows (the next section's heading) are not part of the table
        while g and g[-1].values is None:
            g.pop()
        # a "row" of thousands of numbers is no table (found by benchmarks/fuzz_parser.py:
        # building its cells took seconds); its text stays, as for HTML (MAX_TABLE_CELLS)
        width = max(len(r.labels) + len(r.values or ()) for r in g)
        if width * len(g) > settings.MAX_TABLE_CELLS or width > settings.MAX_MAPPED_TABLE_COLUMNS:
            continue
        grids.append(to_grid(g))
    return grids


def to_grid(rows: list[Row]) -> Grid:
    nlab = max((len(r.labels) for r in rows if r.values is not None), default=1)
    nval = max((len(r.values) for r in rows if r.values is not None), default=0)
    width = max([nlab + nval] + [len(r.labels) for r in rows if r.values is None])
    out: list[list[Cell]] = []
    for ri, r in enumerate(rows):
        if r.values is None:
            # a header with one word per value column sits above the values
            lead = [""] * nlab if r.header and len(r.labels) == nval else []
            texts = lead + r.labels + [""] * (width - len(r.labels) - len(lead))
            cells = [Cell(t, (ri, ci)) for ci, t in enumerate(texts)]
        else:
            texts = [""] * (nlab - len(r.labels)) + r.labels + r.values
            cells = [Cell(t, (ri, ci)) for ci, t in enumerate(texts)]
            cells += [Cell("", (ri, ci), pad=not r.short_is_blank)
                      for ci in range(len(texts), width)]
        out.append(cells)
    return Grid(
        rows=out, source="text", start=min(r.start for r in rows), end=max(r.end for r in rows)
    )
