"""pdfplumber's table cells from ruling intersections, with each point's edges read once.

pdfplumber's `intersections_to_cells` looks, for every intersection point, for the smallest
cell whose corners are intersections joined by edges. For each point it scans all later points
for those directly below and to the right, and each test of "an edge joins these two points"
builds the sets of both points' edges again. On a report page (a few hundred intersections) that
was ~4 ms of a ~70 ms PDF.

`intersections_to_cells` below gives the same cells in the same order: the points directly below
and to the right are taken from per-column and per-row lists of the sorted points, and each
point's edge sets are built once. The tests and the order of the tests are pdfplumber's, so the
first cell found for a point is the one pdfplumber finds. Points with a NaN coordinate (which
sort and compare unlike other floats) go to pdfplumber's function.

It is installed only on the pdfplumber versions it was checked against (`TESTED_VERSIONS`).
tests/test_pdf_cells.py holds the two functions equal on generated rulings and on every table of
the corpus PDFs, the fixtures and generated reports. `settings.PDF_FAST_CELLS` turns it off.
"""

from __future__ import annotations

from typing import Any

import pdfplumber
from pdfplumber import table as plumber_table

from xxgk import settings

PDFPLUMBER_INTERSECTIONS_TO_CELLS = plumber_table.intersections_to_cells
TESTED_VERSIONS = ("0.11.",)

Point = tuple[float, float]
BBox = tuple[float, float, float, float]


def _bboxes(edges: list[dict[str, Any]]) -> frozenset[BBox]:
    """pdfplumber's `edges_to_set`: the edges as (x0, top, x1, bottom)."""
    return frozenset((e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges)


def intersections_to_cells(intersections: dict[Point, dict[str, list]]) -> list[BBox]:
    """pdfplumber's `intersections_to_cells`, faster (see the module docstring)."""
    if any(x != x or top != top for x, top in intersections):
        return PDFPLUMBER_INTERSECTIONS_TO_CELLS(intersections)
    points = sorted(intersections)
    vertical = {p: _bboxes(e["v"]) for p, e in intersections.items()}
    horizontal = {p: _bboxes(e["h"]) for p, e in intersections.items()}
    # Later points with the same x (below) and the same top (to the right), in sorted order:
    # exactly what pdfplumber filters out of the points after each one.
    columns: dict[float, list[Point]] = {}
    rows: dict[float, list[Point]] = {}
    below_of: dict[Point, int] = {}
    right_of: dict[Point, int] = {}
    for p in points:
        column = columns.setdefault(p[0], [])
        column.append(p)
        below_of[p] = len(column)
        row = rows.setdefault(p[1], [])
        row.append(p)
        right_of[p] = len(row)
    cells: list[BBox] = []
    for pt in points:
        below = columns[pt[0]][below_of[pt]:]
        right = rows[pt[1]][right_of[pt]:]
        cell = _smallest_cell(pt, below, right, vertical, horizontal)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(pt: Point, below: list[Point], right: list[Point],
                   vertical: dict[Point, frozenset[BBox]],
                   horizontal: dict[Point, frozenset[BBox]]) -> BBox | None:
    """pdfplumber's `find_smallest_cell` for one point. Two points in one column are joined
    when they share a vertical edge, two in one row when they share a horizontal one; points
    of one column never share a row (they are distinct), so one test each is pdfplumber's."""
    down = vertical[pt]
    across = horizontal[pt]
    for below_pt in below:
        if down.isdisjoint(vertical[below_pt]):
            continue
        for right_pt in right:
            if across.isdisjoint(horizontal[right_pt]):
                continue
            corner = (right_pt[0], below_pt[1])
            if (corner in vertical
                    and not vertical[corner].isdisjoint(vertical[right_pt])
                    and not horizontal[corner].isdisjoint(horizontal[below_pt])):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def install() -> None:
    """Have pdfplumber's table finder use `intersections_to_cells` (or its own function again
    when settings.PDF_FAST_CELLS is off or the pdfplumber version was not checked)."""
    fast = settings.PDF_FAST_CELLS and pdfplumber.__version__.startswith(TESTED_VERSIONS)
    plumber_table.intersections_to_cells = (  # type: ignore[assignment]
        intersections_to_cells if fast else PDFPLUMBER_INTERSECTIONS_TO_CELLS)
