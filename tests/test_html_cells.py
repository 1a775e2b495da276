"""HTML table cells and element text lengths: the shortcuts give what the long way gives.

`cell_text` reads a cell with no child elements, or with a single non-blank text piece, without
walking it through a `TextBuilder`; `text_lengths` measures every element in one pass instead of
one `text_len` call per element. Both are held here to the slow rule on generated markup.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parser.html_text.tables import _single_piece, cell_text, walked_cell_text
from parser.html_text.tree import parse_tree, text_len, text_lengths

# Pieces that test the whitespace rules: blank space of several widths, invisible characters,
# ASCII words and numbers (a soft break puts a space between two of them), CJK, entities.
PIECES = [
    "", " ", "\n  ", "\xa0", "&nbsp;", "\u3000", "\u200b", "\ufeff ", "1,234", " 56 ", "abc",
    "本年新", "制作数量", "（一）", "-", "\t", "x y", " \u200b\u3000 ", "&amp;", "12\n34",
]
TAGS = ["p", "span", "br", "div", "b", "font", "script", "input", "o:p", "li", "strong"]


@st.composite
def fragments(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            if tag in ("br", "input"):
                parts.append(f"<{tag}>")
            else:
                parts.append(f"<{tag}>{draw(fragments(depth + 1))}</{tag}>")
        else:
            parts.append(draw(st.sampled_from(PIECES)))
    return "".join(parts)


def _cell(inner: str):
    root = parse_tree(f"<html><body><table><tr><td>{inner}</td><td>x</td></tr></table>"
                      "</body></html>")
    return next(root.iter("td"))


@settings(max_examples=600, deadline=None)
@given(fragments())
def test_cell_text_equals_the_walked_text(inner):
    td = _cell(inner)
    assert cell_text(td) == walked_cell_text(td), inner


@settings(max_examples=300, deadline=None)
@given(fragments())
def test_text_lengths_equal_text_len_for_every_element(inner):
    root = parse_tree(f"<html><head><title>t</title></head><body><div class='a'>{inner}</div>"
                      f"<table><tr><td>{inner}</td></tr></table>{inner}</body></html>")
    lens = text_lengths(root)
    for el in root.iter():
        assert lens[el] == text_len(el)


def test_a_word_style_cell_is_read_without_the_walk():
    td = _cell("\n  <p class='MsoNormal'><span>\u3000 1,234 </span><o:p></o:p></p>\n")
    assert _single_piece(td) == "\u3000 1,234 "
    assert cell_text(td) == "1,234"


def test_two_pieces_and_dropped_elements_take_the_walk():
    assert _single_piece(_cell("<p>本年新</p><p>制作数量</p>")) is None
    assert cell_text(_cell("<p>本年新</p><p>制作数量</p>")) == "本年新制作数量"
    assert cell_text(_cell("<p>12</p><p>34</p>")) == "12 34"  # ASCII kept apart by a space
    assert _single_piece(_cell("5<script>var x = 1;</script>")) is None
    assert cell_text(_cell("5<script>var x = 1;</script>")) == "5"
