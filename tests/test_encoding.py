"""parser/encoding.py: the share of bad characters, counted the quick way and the full way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parser.encoding import bad_share, decode, quality
from parser.model import DocumentError

ALPHABET = st.sampled_from(list("ab1 \t\n\r\f\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\ufffd本年度①×\xa0"))


@settings(max_examples=500, deadline=None)
@given(st.text(ALPHABET, max_size=60))
def test_bad_share_is_qualitys(text) -> None:
    assert bad_share(text) == quality(text)[0]


def test_long_texts_are_sampled_the_same_way() -> None:
    text = "\x01" * 50_000 + "正文" * 100_000 + "\ufffd" * 60_000
    assert bad_share(text) == quality(text)[0] > 0


def test_utf8_with_control_characters_is_still_judged() -> None:
    """A UTF-8 page full of control characters is not taken as UTF-8 text on sight."""
    assert decode("本年度政府信息公开工作报告".encode()).encoding == "utf-8"
    junk = bytes(range(1, 9)) * 40 + "报告".encode()
    with pytest.raises(DocumentError, match="do not decode as text"):
        decode(junk)
