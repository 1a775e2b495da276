"""The blank 2021 template (DOCX), filled with known numbers, parses back to exactly them.

The template comes from the corpus (../shared/corpus/reference/template-2021_blank.docx); the
numbers come from the fixture generator (fixtures/tables/generate.py), and they are written
into the template's cells by position in the template, independently of the parser's layout.
"""

from __future__ import annotations

import importlib.util

import pytest

from parser.tables.extract import extract_tables
from parser.tables.values import table_values
from xxgk.settings import CORPUS_DIR, FIXTURES_DIR

TEMPLATE = CORPUS_DIR / "reference" / "template-2021_blank.docx"
COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
        "other_org", "total")
TABLE3_ROWS = [  # template rows 3..27, top to bottom
    "applications.new", "applications.carried_over", "results.disclosed", "results.partial",
    *(f"results.withheld.{x}" for x in ("state_secret", "law_prohibited", "security_stability",
                                         "third_party", "internal_affairs", "process_info",
                                         "enforcement_file", "admin_query")),
    *(f"results.unavailable.{x}" for x in ("not_held", "needs_creation", "unclear")),
    *(f"results.not_processed.{x}" for x in ("petition", "duplicate", "publication",
                                              "mass_repeat", "confirm_reissue")),
    "results.other.no_correction", "results.other.fee_unpaid", "results.other.other",
    "results.total", "applications.carried_forward",
]
TABLE2_CELLS = {  # (row, col) in the template's table 二
    (2, 1): "active.regulations.issued", (2, 2): "active.regulations.repealed",
    (2, 3): "active.regulations.in_force", (3, 1): "active.normative_docs.issued",
    (3, 2): "active.normative_docs.repealed", (3, 3): "active.normative_docs.in_force",
    (6, 1): "active.licensing.decisions", (9, 1): "active.penalty.decisions",
    (10, 1): "active.coercion.decisions", (13, 1): "active.fees.amount_10k_yuan",
}
TABLE4_COLS = [f"{g}.{o}" for g in ("review", "litigation.direct", "litigation.after_review")
               for o in ("upheld", "corrected", "other", "pending", "total")]


def _known() -> dict[str, int | float]:
    path = FIXTURES_DIR / "tables" / "generate.py"
    spec = importlib.util.spec_from_file_location("gen_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.known_values("v2021")


def _fill(tmp_path, known: dict[str, int | float], blank: set[str] = frozenset()) -> bytes:
    if not TEMPLATE.exists():
        pytest.skip(f"corpus template not found: {TEMPLATE} (the shared corpus is not mounted)")
    import docx

    d = docx.Document(str(TEMPLATE))
    t2, t3, t4 = d.tables
    for (r, c), key in TABLE2_CELLS.items():
        t2.cell(r, c).text = str(known[key])
    for i, prefix in enumerate(TABLE3_ROWS):
        for j, col in enumerate(COLS):
            key = f"{prefix}.{col}"
            t3.cell(3 + i, 3 + j).text = "" if key in blank else str(known[key])
    for j, key in enumerate(TABLE4_COLS):
        t4.cell(3, j).text = str(known[key])
    out = tmp_path / "filled.docx"
    d.save(str(out))
    return out.read_bytes()


def _parse(data: bytes):
    if importlib.util.find_spec("parser.docx_text") is None:
        pytest.skip("the DOCX loader (parser.docx_text) does not exist yet")
    from parser.load import load_bytes

    doc = load_bytes(data, "filled.docx")
    return doc, *extract_tables(doc, [])


def test_filled_template_parses_back_exactly(tmp_path) -> None:
    known = _known()
    doc, facts, checks = _parse(_fill(tmp_path, known))
    assert doc.kind == "docx" and len(doc.tables) == 3
    assert [f for f in facts if f.key is None] == []
    got = {f.key: f for f in facts}
    assert set(got) == set(known)
    assert len(facts) == len(known)
    for key, expected in known.items():
        f = got[key]
        assert (f.status, f.value, f.version) == ("value", expected, "v2021"), key
        assert type(f.value) is type(expected), key
    assert [c for c in checks if not c.ok] == []
    assert {c.rule for c in checks} >= {"table3.balance", "table3.results_sum",
                                        "table3.total_column", "table4.group_total"}


def test_blank_cells_in_template_are_blank_and_read_as_zero_only_in_table_three(tmp_path) -> None:
    known = _known()
    blank = {"results.withheld.admin_query.research", "applications.carried_over.other_org"}
    _, facts, checks = _parse(_fill(tmp_path, known, blank))
    got = {f.key: f for f in facts}
    for key in blank:
        assert (got[key].status, got[key].value, got[key].raw) == ("blank", None, "")
    values, notes = table_values(facts)
    assert {k: values[k] for k in blank} == {k: 0 for k in blank}
    assert {k: notes[k] for k in blank} == {k: "blank read as 0 per template" for k in blank}
    # the numbers beside the blanks were not zero, so the blank cells break the sums
    failed = {(c.rule, c.detail.split(":")[0]) for c in checks if not c.ok}
    assert ("table3.total_column", "row results.withheld.admin_query") in failed
    assert ("table3.balance", "column other_org") in failed
