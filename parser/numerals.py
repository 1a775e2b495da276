"""Numbers as reports print them: Arabic, full-width, Chinese numerals, 万/亿, 余/多.

The text keeps its original characters; `match_view` gives a same-length copy in which
full-width digits and signs are ASCII, so that regular expressions see one alphabet while
every match offset is still an offset in the original text. (NFKC is not used: it changes
lengths and turns ①予以公开 into 1予以公开.)
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

# One-to-one replacements only, so that offsets survive.
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({"％": "%", "．": ".", "＋": "+", "－": "-", "\u3000": " ", "\xa0": " "})
_VIEW_TABLE = str.maketrans(_FULLWIDTH)

CN_DIGITS = "零〇一二两三四五六七八九"
CN_UNITS = "十百千万亿"
CN_NUMERAL_CHARS = CN_DIGITS + CN_UNITS
_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}


def match_view(text: str) -> str:
    """A copy of `text` of the same length with full-width digits, %, +, - made ASCII."""
    return text.translate(_VIEW_TABLE)


def _as_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# No quantity in a report has more digits than this (a national budget in 元 has 13); longer
# runs are flattened table cells or junk, and Python refuses to convert very long ones.
MAX_DIGITS = 24


def arabic_value(token: str, multiplier: str | None = None) -> int | float | None:
    """Value of an Arabic number as printed ("1,234", "7730.28", "+1036"), times 万/亿."""
    cleaned = match_view(token).replace(",", "").replace("，", "").strip()
    if sum(ch.isdigit() for ch in cleaned) > MAX_DIGITS:
        return None  # a run of digits no report states as one quantity (and int() refuses)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if multiplier:
        value *= _MULTIPLIER[multiplier]
    return _as_number(value)


def chinese_value(token: str) -> int | None:
    """Value of a Chinese numeral ("二十四", "一千二百", "两万"), or None if it is not one.

    cn2an does the conversion; a lone 万 or 亿 (a multiplier, not a number) is refused.
    """
    if not token or len(token) > MAX_DIGITS or token in _MULTIPLIER:
        return None
    if token.strip(CN_NUMERAL_CHARS):
        return None
    try:
        value = cn2an.cn2an(token.replace("〇", "零"), "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() else None


# A number as it stands in running text: Arabic with optional thousands separators and
# decimals, or a run of Chinese numeral characters; then 余/多 (approximate) and 万/亿.
ARABIC = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"(?P<arabic>{ARABIC})|(?P<chinese>[{CN_NUMERAL_CHARS}]+)")


def parse_number(token: str) -> int | float | None:
    """Value of a number token in either script, with a trailing 万/亿 applied."""
    view = match_view(token).strip()
    multiplier = None
    if view and view[-1] in _MULTIPLIER and re.fullmatch(rf"{ARABIC}[万亿]", view):
        multiplier, view = view[-1], view[:-1]
    if re.fullmatch(ARABIC, view):
        return arabic_value(view, multiplier)
    return chinese_value(view)
