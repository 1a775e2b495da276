"""The text of a PDF table cell: `one_word_text` gives what pdfplumber's `extract_text` gives.

On generated characters (tops that differ or not, gaps around x_tolerance, overlaps, rotated,
blank and empty characters, ligatures, NaN) and on every cell of the real PDFs, the fixtures
and generated reports.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.utils.text import extract_text

from parser.pipeline import load_and_parse
from parser.tables import pdf_pieces
from parser.tables.pdf_pieces import one_word_text
from testkit.pdf_switches import pdf_documents


@st.composite
def cell_chars(draw) -> list[dict]:
    chars = []
    x = draw(st.sampled_from([100.0, 100.5]))
    for _ in range(draw(st.integers(1, 6))):
        width = draw(st.sampled_from([5.5, 6.0, 11.0]))
        x += draw(st.sampled_from([0.0, 0.0, 2.9, 3.0, 3.1, 8.0, -2.0, -width]))
        top = draw(st.sampled_from([200.0, 200.0, 200.0, 201.5, 204.0, math.nan]))
        chars.append({
            "text": draw(st.sampled_from(["1", "2", "万", "元", "ﬁ", " ", "", "\u3000", "."])),
            "x0": x, "x1": x + width, "top": top, "bottom": top + 10.5, "doctop": top + 842,
            "upright": draw(st.sampled_from([True, True, True, False])), "size": 10.5,
            "height": 10.5, "width": width,
        })
        x += width
    return chars


@settings(max_examples=600, deadline=None)
@given(cell_chars())
def test_generated_cells(chars) -> None:
    assert one_word_text(chars) == extract_text(chars)


def test_a_number_is_one_word() -> None:
    chars = [{"text": t, "x0": 100 + 6 * i, "x1": 106 + 6 * i, "top": 50.0, "bottom": 60.0,
              "doctop": 50.0, "upright": True, "size": 10.0, "height": 10.0, "width": 6.0}
             for i, t in enumerate("1,234")]
    assert one_word_text(chars[::-1]) == "1,234" == extract_text(chars[::-1])
    chars[3]["x0"] += 4  # a gap over x_tolerance before the 3: two words
    assert one_word_text(chars) == "1,2 34" == extract_text(chars)


def test_every_cell_of_the_pdfs(generated_pdfs, monkeypatch) -> None:
    """Each cell the table reader reads, both ways; most take the short way."""
    calls = []
    short = []
    real_extract = extract_text

    def both(chars):
        taken = []
        monkeypatch.setattr("pdfplumber.utils.text.extract_text",
                            lambda c: taken.append(1) or real_extract(c))
        text = one_word_text(chars)
        monkeypatch.setattr("pdfplumber.utils.text.extract_text", real_extract)
        assert text == real_extract(chars)
        calls.append(1)
        short.append(not taken)
        return text

    monkeypatch.setattr(pdf_pieces, "one_word_text", both)
    for data, name in pdf_documents(generated_pdfs):
        load_and_parse(data, name)
    assert len(calls) > 1000
    assert sum(short) > 0.8 * len(calls)
