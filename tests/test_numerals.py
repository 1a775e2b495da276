"""Numbers in every script the reports use."""

import pytest

from parser.numerals import match_view, parse_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("24", 24),
        ("５３０３", 5303),
        ("132,358", 132358),
        ("7730.28", 7730.28),
        ("+1036", 1036),
        ("-185", -185),
        ("二十四", 24),
        ("一千二百", 1200),
        ("两千", 2000),
        ("一百零八", 108),
        ("〇", 0),
        ("1.2万", 12000),
        ("3亿", 300000000),
    ],
)
def test_parse_number(token, value):
    assert parse_number(token) == value


@pytest.mark.parametrize("token", ["万", "亿", "abc", "", "一是"])
def test_not_numbers(token):
    assert parse_number(token) is None


def test_match_view_keeps_length_and_circled_numbers():
    text = "①予以公开　５件，占１２．５％"
    view = match_view(text)
    assert len(view) == len(text)
    assert view == "①予以公开 5件，占12.5%"  # ① stays: NFKC would make it 1


def test_endless_digit_runs_are_not_numbers():
    assert parse_number("9" * 5000) is None
    assert parse_number("1" * 24) == int("1" * 24)
    assert parse_number("一" * 200) is None
