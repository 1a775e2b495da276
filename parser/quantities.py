"""Quantities in running text: where a number with a unit stands, and the words around it.

A quantity is a number followed by a unit of quantity (件, 条, 人次, 万元, % …). Dates, years,
document numbers, phone numbers, postcodes and 第N条 have no unit of quantity after them, so
requiring one keeps them out; the few forms that do look like quantities (第9至12条, a digit
glued to a year) are refused here by their shape. What a quantity means is decided elsewhere
(parser/keyrules.py); this module only finds it and cuts out the clause that labels it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from parser.numerals import ARABIC, CN_NUMERAL_CHARS

# Units of quantity, longest first so that 人次 wins over 人 and 万元 over 元.
UNITS = sorted(
    "人次 件次 家次 万元 亿元 元 件 条 个 次 项 篇 期 场 人 名 家 户 份 类 批 起 宗 册 本 张 部 "
    "处 所 台 套 位 组 轮 页 栏 余件 %".split(),
    key=len,
    reverse=True,
)
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

QUANTITY_RE = re.compile(
    rf"(?P<num>{ARABIC}|[{CN_NUMERAL_CHARS}]+)"
    r"(?:\s?(?P<approx>余|多))?(?P<mult>[万亿](?!元))?(?P<approx2>余|多)?"
    rf"\s?(?P<unit>{_UNIT_RE})?"
)
# Clause and sentence ends: a label never reaches across them.
# A line break ends a sentence only before a blank line or a numbered heading: PDF text
# breaks lines inside sentences ("…主动公开政府信息 1136\n条").
SENTENCE_END = re.compile(
    r"[。；;！!？?]|\n(?=\s*\n)|\n(?=\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．]\D))"
)
CLAUSE_END = re.compile(r"[。；;！!？?，,：:（(）)【】]")
SPACE = re.compile(r"\s+")
# Numbers that are never facts however they are followed: ordinals (第3条), citations of
# articles (第9至12条, 第九、十条), numbers after 编号/邮编/电话, inside 〔〕 or quotes.
_NOT_BEFORE = re.compile(r"(?:第|No\.?|编号|邮编|电话|传真|QQ|〔|\[|［|[“「‘\"])\s?$")
_CITATION_BEFORE = re.compile(
    rf"第\s?[\d{CN_NUMERAL_CHARS}]+\s?(?:[至到、，,和及与\-~—－]\s?[\d{CN_NUMERAL_CHARS}]+\s?)*"
    r"[至到、，,和及与\-~—－]\s?$"
)
_NOT_AFTER = re.compile(r"^\s?(?:[年月日号时分秒]|周年|世纪|届|\.\d|@|-\d|/\d|\d)")
_EXPLICIT_ZERO_BEFORE = re.compile(r"(?:为|是|均为|都为|计|共)\s?$")
# 一 alone is far more often a word (一是, 一条龙, 一次性) than a count; 两 counts only
# with a unit right after it (两名, 两件).
_LONE_WORDS = {"一", "十", "万", "亿", "千", "百"}
# Words right before a number that make it an estimate (近5000条, 约30件, 超过100条).
_APPROX_BEFORE = re.compile(r"(?:近|约|大约|将近|接近|超过|逾|上万)\s?$")
_APPROX_AFTER = re.compile(r"^\s?(?:左右|以上|上下|有余)")
MAX_LABEL = 40
# The next number after a quantity starts the next item, unless it is a year ("2件结转至2024年").
_NEXT_NUMBER = re.compile(r"(?<!\d)\d(?!\d{3}\s?年)")


@dataclass
class Span:
    start: int
    end: int


def spans(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> list[Span]:
    """Split text[start:end] into spans ending at each match of `pattern` (the mark stays)."""
    end = len(text) if end is None else end
    out, at = [], start
    for m in pattern.finditer(text, start, end):
        out.append(Span(at, m.end()))
        at = m.end()
    if at < end:
        out.append(Span(at, end))
    return out


def quantities(view: str, s: Span) -> Iterator[re.Match[str]]:
    """The numbers of a sentence that state a quantity: a unit follows, or an explicit 为0."""
    for m in QUANTITY_RE.finditer(view, s.start, s.end):
        num = m.group("num")
        unit = m.group("unit")
        before = view[max(0, m.start() - 12) : m.start()]
        if _NOT_BEFORE.search(before) or _NOT_AFTER.match(view[m.end("num") : m.end("num") + 3]):
            continue
        if "第" in before and _CITATION_BEFORE.search(before):
            continue  # 第9至12条: an article cited, not 12 of anything
        stated_zero = num == "零" and not unit and _EXPLICIT_ZERO_BEFORE.search(before)
        if (
            num[0] in CN_NUMERAL_CHARS
            and (num in _LONE_WORDS or num[0] in "万亿千百" or not unit)
            and not stated_zero  # "件数为零" states a zero
        ):
            continue
        if not unit:
            # A bare number counts only as an explicit total: 件数为0, 总数是12.
            tail = view[m.end() : m.end() + 1]
            if not (_EXPLICIT_ZERO_BEFORE.search(before) and (not tail or tail in "。；;，,\n ")):
                continue
        if m.start() > 0 and re.match(r"[\d.]", view[m.start() - 1]):
            continue
        yield m


def is_approximate(view: str, m: re.Match[str]) -> bool:
    """余/多 after the number, 近/约/超过 before it, 左右/以上 after the unit."""
    if m.group("approx") or m.group("approx2"):
        return True
    return bool(
        _APPROX_BEFORE.search(view[max(0, m.start() - 4) : m.start()])
        or _APPROX_AFTER.match(view[m.end() : m.end() + 3])
    )


def label_context(view: str, s: Span, num_start: int, num_end: int, floor: int) -> tuple[str, str]:
    """The clause text before a number and after its unit, within the sentence.

    The text before never reaches back past `floor` (the end of the previous number or of
    a heading) and the text after stops at an enumeration comma or the next digit, so that
    in "规范性文件2条、部门预决算信息4条" the 4 is not labelled 规范性文件. A bracket that
    closes right before the number belongs to the label: in "无法提供（本机关不掌握相关政府
    信息）14件" the label is the whole phrase, bracket included.
    """
    before_start = max(s.start, floor)
    end = num_start
    while end > before_start and view[end - 1].isspace():
        end -= 1
    bracket = ""
    if end > before_start and view[end - 1] in "）)":
        opening = max(view.rfind("（", before_start, end), view.rfind("(", before_start, end))
        if opening >= 0:
            bracket = view[opening:end]
            end = opening
    clause_start = before_start
    for m in CLAUSE_END.finditer(view, before_start, end):
        clause_start, before_start = before_start, m.end()
    if before_start > clause_start and view[before_start - 1] in "，,":
        reason = view[clause_start : before_start - 1].lstrip()
        if reason.startswith("因") and not re.search(r"\d", reason):
            # "因申请人要求提供公开出版物，依法不予处理1件": the reason says what is counted
            before_start = clause_start
    after_end = s.end
    clause_end = CLAUSE_END.search(view, num_end, s.end)
    if clause_end:
        after_end = clause_end.start()
    digit = _NEXT_NUMBER.search(view, num_end, after_end)
    if digit:  # the next number starts the next item: stop at the last 、 before it
        after_end = view.rfind("、", num_end, digit.start())
        after_end = after_end if after_end >= 0 else digit.start()
    # Line breaks and spaces inside a clause are layout (PDF lines, "商业 企业"), not words.
    before = SPACE.sub("", view[max(before_start, end - MAX_LABEL) : end] + bracket)
    before = before.lstrip("、")  # "予以公开6件、部分公开1件": the 、 only separates the items
    after = SPACE.sub("", view[num_end : min(after_end, num_end + MAX_LABEL)])
    return before, after
