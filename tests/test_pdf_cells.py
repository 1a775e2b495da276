"""parser/pdf_cells.py finds pdfplumber's own table cells, in pdfplumber's order.

On generated rulings (grids with merged cells, gaps, stray and overlapping edges) and on every
set of intersections the table reader meets in the real PDFs, the fixtures and generated
reports, the fast function returns exactly what pdfplumber's returns.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber import table as plumber_table

from parser import pdf_cells
from parser.pipeline import load_and_parse
from testkit.pdf_switches import check_install, pdf_documents, same_results_on_and_off

FAST, PLUMBER = pdf_cells.intersections_to_cells, pdf_cells.PDFPLUMBER_INTERSECTIONS_TO_CELLS


def _edge(orientation: str, a: float, b: float, at: float) -> dict:
    if orientation == "h":
        return {"orientation": "h", "x0": a, "x1": b, "top": at, "bottom": at,
                "width": b - a, "height": 0}
    return {"orientation": "v", "x0": at, "x1": at, "top": a, "bottom": b,
            "width": 0, "height": b - a}


# Edges on a small lattice, so that many of them meet: spans of one or more lattice steps make
# merged cells, missing edges make gaps, repeated edges overlap.
COORD = st.sampled_from([0.0, 10.0, 20.0, 30.5, 40.0, 55.25, 70.0])


@st.composite
def rulings(draw) -> list[dict]:
    edges = []
    for orientation in ("h", "v"):
        for _ in range(draw(st.integers(0, 12))):
            a, b = sorted(draw(st.lists(COORD, min_size=2, max_size=2, unique=True)))
            edges.append(_edge(orientation, a, b, draw(COORD)))
    return edges


@settings(max_examples=400, deadline=None)
@given(rulings())
def test_generated_rulings(edges) -> None:
    intersections = plumber_table.edges_to_intersections(edges, 1, 1)
    assert FAST(intersections) == PLUMBER(intersections)


def test_a_grid_with_a_merged_cell() -> None:
    """3×2 cells, the top row's first two merged: pdfplumber's five cells, in its order."""
    ys = [0.0, 10.0, 20.0]
    edges = [_edge("h", 0, 30, y) for y in ys] + [_edge("v", 0, 20, x) for x in (0, 20, 30)]
    edges.append(_edge("v", 10, 20, 10.0))  # the divider under the merged cell only
    cells = FAST(plumber_table.edges_to_intersections(edges, 1, 1))
    assert cells == PLUMBER(plumber_table.edges_to_intersections(edges, 1, 1))
    assert cells == [(0.0, 0.0, 20.0, 10.0), (0.0, 10.0, 10.0, 20.0), (10.0, 10.0, 20.0, 20.0),
                     (20.0, 0.0, 30.0, 10.0), (20.0, 10.0, 30.0, 20.0)]


def test_nan_points_go_to_pdfplumber(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(pdf_cells, "PDFPLUMBER_INTERSECTIONS_TO_CELLS",
                        lambda i: calls.append(i) or [])
    assert pdf_cells.intersections_to_cells({(math.nan, 1.0): {"v": [], "h": []}}) == []
    assert len(calls) == 1


def test_every_table_of_the_pdfs(generated_pdfs, monkeypatch) -> None:
    """Each call the table reader makes, answered both ways."""
    seen = []

    def both(intersections):
        fast = FAST(intersections)
        assert fast == PLUMBER(intersections)
        seen.append(len(fast))
        return fast

    monkeypatch.setattr(plumber_table, "intersections_to_cells", both)
    monkeypatch.setattr(pdf_cells, "install", lambda: None)  # keep `both` in place
    for data, name in pdf_documents(generated_pdfs):
        load_and_parse(data, name)
    assert sum(seen) > 1000


def test_install_switch_and_version(monkeypatch) -> None:
    check_install(monkeypatch, pdf_cells.install, lambda: plumber_table.intersections_to_cells,
                  FAST, PLUMBER, "PDF_FAST_CELLS", ("pdfplumber.__version__", "0.12.0"))


def test_parse_results_identical(generated_pdfs, monkeypatch) -> None:
    last = same_results_on_and_off(monkeypatch, "PDF_FAST_CELLS",
                                   pdf_documents(generated_pdfs[:2]))
    assert "Fact(" in last
