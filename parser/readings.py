"""What the words around a number say about it, and which keys that gives.

The judgements here hold for every rule, because they are about how reports speak, not about
one indicator (the rules themselves are data: parser/keyrules.py):
- an estimate (近5000条, 128余条) gets no key: the key's value would be a guess;
- a cumulative figure (历年累计, 截至目前, 自2008年…以来) is not the year's value, unless the
  label itself restricts it to the year ("其中2016年新增…386条");
- a change (比上年增加3件) and a figure of another year (2013年的1128条) are not this year's;
- one number for several things: "网络和信函申请各3件" is 3 for each, "行政复议、行政诉讼和
  申诉案件0件" is 0 for each, but "行政复议和行政诉讼3件" is a combined count with no key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from parser.keyrules import SOLE_MARK, keys_for
from parser.quantities import SPACE, Span, is_approximate

_COORDINATOR = re.compile(r"以及|[、和及与或]")
# Cumulative words: 历年累计 and its kin always; 截至/截止 for stocks of disclosed information.
_CUMULATIVE = re.compile(
    r"历年|累计至今|迄今|至今|以来累计|自\d{4}年.{0,12}以来|实施以来|运行以来|开通以来|近[二三四五六七八九十\d]年"
)
_AS_OF = re.compile(r"截至|截止|截至目前|截止目前")
_YEAR_SCOPE = re.compile(r"全年|本年|今年|年内|一年来|本年度")  # and the report year itself
# Words of the label itself that restrict a figure to the year ("其中2016年新增…386条"),
# whatever a 截至 or 累计 earlier in the statement says.
_ANNUAL_LABEL = re.compile(r"新增|全年|本年|今年|年内|当年")
_CHANGE_BEFORE = re.compile(r"(?:增加|增长|减少|下降|提高|上升|增|减|多|少)了?$")
_OTHER_YEAR_WORDS = re.compile(r"上年|去年|上一年|前年|上年度")
_YEAR = re.compile(r"((?:19|20)\d{2})\s?年")
_STOCK_KEYS = ("legacy.active.",)
_WITH_CARRIED_OVER = re.compile(
    r"\s?[（(](?:含|其中|包括)[^）)]{0,6}(?:上年|上一年|去年)[^）)]{0,4}结转"
)
# Keys that count everything of a kind: in a coordination they are not one more category.
_TOTALS = frozenset({
    "applications.new.total", "results.total.total", "legacy.apply.received.total",
    "legacy.apply.replies.total", "legacy.active.total",
})


def normalise(value: float | int, unit: str | None, key_unit: str | None):
    """Express a money amount in the unit its key is defined in (万元 -> 元, 元 -> 万元)."""
    if key_unit == "元" and unit == "万元":
        value = value * 10_000
        return (int(value) if float(value).is_integer() else round(value, 2)), "元"
    if key_unit == "元" and unit == "亿元":
        return int(value * 100_000_000), "元"
    if key_unit == "万元" and unit == "元":
        value = value / 10_000
        return (int(value) if float(value).is_integer() else round(value, 6)), "万元"
    return value, unit


@dataclass
class Reading:
    """What the words around one number say about it, before any rule is applied."""

    label: str  # "before□after"
    context: str
    near: str
    approx: bool
    cumulative: bool
    stock_only: bool  # cumulative for stocks of disclosed information only (截至…)
    change: bool
    other_year: bool
    includes_carried_over: bool = False  # "申请11件（其中上年结转2件）": not the year's new ones


def read(
    view: str, span: Span, m: re.Match[str], before: str, after: str, report_year: int | None,
    earlier: str,
) -> Reading:
    """`earlier`: the context before this sentence, spaces removed (computed once for it)."""
    near = SPACE.sub("", view[span.start : m.start()])
    statement = near[near.rfind("；") + 1 :] if "；" in near or ";" in near else near
    if ";" in statement:
        statement = statement[statement.rfind(";") + 1 :]
    for mark in ("。", "！", "？", "!", "?"):
        if mark in statement:
            statement = statement[statement.rfind(mark) + 1 :]
    running = "累计" in before and not _in_year(near.split("累计")[0], report_year)
    other_year = bool(_OTHER_YEAR_WORDS.search(before))
    if report_year and "年" in before:
        other_year |= any(int(y) != report_year for y in _YEAR.findall(before))
    cumulative = running or bool(_CUMULATIVE.search(statement))
    stock_only = bool(_AS_OF.search(statement))
    if (cumulative or stock_only) and not re.search(r"历年|累计", before) and (
        _ANNUAL_LABEL.search(before) or (report_year and f"{report_year}年" in before)
    ):
        cumulative = stock_only = False  # "截至…累计2,117条，其中2016年新增…386条"
    return Reading(
        label=f"{before}□{after}",
        context=earlier + near + after,
        near=near,
        approx=is_approximate(view, m),
        cumulative=cumulative,
        stock_only=stock_only,
        change=bool(_CHANGE_BEFORE.search(before)),
        other_year=other_year,
        includes_carried_over=bool(_WITH_CARRIED_OVER.match(view, m.end())),
    )


def _in_year(text: str, report_year: int | None) -> bool:
    """Does `text` restrict what follows to the report year (2013年, 全年, 本年度…)?"""
    if _YEAR_SCOPE.search(text):
        return True
    return report_year is not None and any(int(y) == report_year for y in _YEAR.findall(text))


def keys_of(
    r: Reading, unit: str | None, value: float, era: str, section_key: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The keys of one number, and why it has none where a rule matched but a judgement
    above refused it."""
    if unit == "%":
        return (), None
    unit = unit or implied_unit(r.label)
    kwargs: dict[str, Any] = {"era": era, "context": r.context, "section_key": section_key,
                              "near": r.near}
    keys = _coordinated(r, unit, value, kwargs)
    if keys is None:
        keys = keys_for(r.label, unit, value, other_year=r.other_year, **kwargs)
    if not keys:
        return (), None
    if r.approx:
        return (), "approximate (余/多/近/约): no key"
    if r.change:
        return (), "a change against another year: no key"
    if r.cumulative:
        return (), "cumulative (历年/累计): not the year's value"
    if r.stock_only and any(k.startswith(_STOCK_KEYS) for k in keys):
        return (), "as of a date (截至): a stock, not the year's value"
    if r.includes_carried_over and "applications.new.total" in keys:
        keys = tuple(k for k in keys if k != "applications.new.total")
        if not keys:
            return (), "includes the requests carried over: not the year's new ones"
    return keys, None


def _coordinated(r: Reading, unit, value, kwargs) -> tuple[str, ...] | None:
    """Keys of a number shared by coordinated things, or None where nothing is coordinated.

    "网络和信函申请各3件" gives 3 to each; a zero ("行政复议、行政诉讼和申诉案件0件") is 0 for
    each; any other shared number is a combined count, with no key ()."""
    before, _, after = r.label.partition("□")
    parts = [p for p in _COORDINATOR.split(before) if p]
    if len(parts) < 2:
        return None
    found: list[str] = []
    for i, part in enumerate(parts):
        keys = _part_keys(part, after, unit, value, kwargs)
        if not keys and i < len(parts) - 1:
            # "行政处罚、行政强制处理决定各0件": the last part's words belong to every part
            keys = _part_keys(part + parts[-1], after, unit, value, kwargs)
        for key in keys:
            if key not in found:
                found.append(key)
    # "属于信访举报投诉类申请、已转相关部门办理的4件": 办理 is not another category beside the
    # petitions; a total is dropped where a key of its own family names the category.
    families = {_family(k) for k in found if k.removesuffix(SOLE_MARK) not in _TOTALS}
    found = [k for k in found
             if k.removesuffix(SOLE_MARK) not in _TOTALS or _family(k) not in families]
    if len({k.removesuffix(SOLE_MARK) for k in found}) < 2:
        return None
    if value == 0 or before.endswith("各"):
        return tuple(k.removesuffix(SOLE_MARK) for k in found)
    return ()


def _family(key: str) -> str:
    """results.total.total and results.not_processed.petition.total are one family."""
    parts = key.split(".")
    return ".".join(parts[:2]) if parts[0] == "legacy" else parts[0]


def _part_keys(part: str, after: str, unit, value, kwargs) -> tuple[str, ...]:
    keys = keys_for(f"{part}□{after}", unit, value, **kwargs)
    if not keys and value == 0:
        # A zero shared by things counted in different units ("收费及减免、行政复议…件数均为0")
        # is a zero of each: try the part in the units its rules count in.
        for other in ("元", "件", "条", "人次"):
            keys = keys or keys_for(f"{part}□{after}", other, value, **kwargs)
    return keys


def implied_unit(label: str) -> str | None:
    """The unit of a bare number from its label: 件数为0 counts 件."""
    for word, unit in (("件数", "件"), ("条数", "条"), ("次数", "次"), ("人数", "人"),
                       ("数量", "件")):
        if word in label:
            return unit
    return None
