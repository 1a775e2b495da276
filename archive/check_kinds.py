"""What a failed check means for a reader: its kind, Chinese name and explanation.

A failed check is either a `contradiction` (the report disagrees with itself: a total that its
parts do not make, prose against its own table) or `unread` (the parser could not place or
read something). Which rule is which is data (`archive/data/check_rules.tsv`); this module only
reads it and fills the explanation's placeholders from the check's detail and numbers. A rule
the table does not know yet is `unread` (it accuses no report) with `classified` false, and
tests/test_check_kinds.py fails until someone classifies it.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

RULES_FILE = "check_rules.tsv"
KINDS = ("contradiction", "unread")
DEFAULT_KIND = "unread"
KIND_ZH = {"contradiction": "自相矛盾", "unread": "未能读取"}
TABLE_ZH = {"二": "表二（主动公开情况）", "三": "表三（收到和处理申请情况）",
            "四": "表四（行政复议、行政诉讼情况）"}
COLUMN_ZH = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
             "social_welfare": "社会公益组织", "legal_service": "法律服务机构",
             "other_org": "其他法人或其他组织", "total": "总计"}


@dataclass(frozen=True)
class Rule:
    rule: str
    kind: str
    name_zh: str
    explanation_zh: str
    classified: bool = True


@cache
def rules() -> dict[str, Rule]:
    """Every classified rule by name."""
    text = resources.files("archive.data").joinpath(RULES_FILE).read_text("utf-8")
    out: dict[str, Rule] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rule, kind, name_zh, explanation = line.split("\t")[:4]
        if kind not in KINDS:
            raise ValueError(f"{RULES_FILE}: rule {rule}: kind {kind!r} is not one of {KINDS}")
        out[rule] = Rule(rule, kind, name_zh, explanation)
    return out


def rule(name: str) -> Rule:
    """The rule's entry, or the safe default for a rule nobody classified yet."""
    found = rules().get(name)
    if found is not None:
        return found
    return Rule(name, DEFAULT_KIND, f"未分类的检查（{name}）",
                f"本档案尚未说明这项检查（{name}）的含义。原始说明：{{detail}}；涉及的数字：{{numbers}}",
                classified=False)


_EQUAL = re.compile(r"^(?P<what>[^:]+): .*? = (?P<left>-?[\d.]+) [=≠] .*? = (?P<right>-?[\d.]+)$")
_LEGACY_SUM = re.compile(r"= (?P<sum>-?[\d.]+), stated (?P<stated>-?[\d.]+)$")
_PERCENT = re.compile(r"^(?P<ck>\S+) (?P<cv>-?[\d.]+) of (?P<bk>\S+) (?P<bv>-?[\d.]+) is "
                      r"(?P<share>-?[\d.]+)%, printed (?P<printed>.+?) \(tolerance")
_TABLE = re.compile(r"table (?P<t>[二三四])")
_COUNT = re.compile(r"(?P<n>\d+) cell\(s\) not placed|(?P<m>\d+) of (?P<e>\d+) cells"
                    r"|^(?P<k>\d+) check")


GROUP_ZH = {"review": "行政复议", "litigation.direct": "行政诉讼（未经复议直接起诉）",
            "litigation.after_review": "行政诉讼（复议后起诉）"}


def _what_zh(what: str) -> str:
    kind, _, name = what.partition(" ")
    if kind == "column":
        return f"“{COLUMN_ZH.get(name, name)}”列"
    if kind == "group":
        return GROUP_ZH.get(name, name)
    if kind == "row":
        return f"{name} 行"
    return what


def _fields(detail: str, numbers: dict, labels: dict[str, str]) -> dict[str, str]:
    """Placeholders a template may use, from the parser's detail and numbers."""
    f: dict[str, str] = {"detail": detail}
    items = []
    for key, value in numbers.items():
        if isinstance(value, list):
            continue
        label = labels.get(key)
        items.append(f"{label}（{key}）= {value}" if label else f"{key} = {value}")
    f["numbers"] = "；".join(items) or "（无）"
    if m := _EQUAL.match(detail):
        f.update(what=_what_zh(m["what"]), left=m["left"], right=m["right"])
    if m := _LEGACY_SUM.search(detail):
        f.update(sum=m["sum"], stated=m["stated"])
    if m := _TABLE.search(detail):
        f["table"] = TABLE_ZH.get(m["t"], f"表{m['t']}")
    if m := _COUNT.search(detail):
        f["n"] = m["n"] or m["m"] or m["k"]
        if m["e"]:
            f["expected"] = m["e"]
    if "absent" in numbers:
        f["tables"] = "、".join(TABLE_ZH.get(t, t) for t in numbers["absent"])
    if m := _PERCENT.match(detail):
        f.update(count_label=labels.get(m["ck"], m["ck"]), count=m["cv"],
                 base_label=labels.get(m["bk"], m["bk"]), base=m["bv"], share=m["share"],
                 printed=m["printed"].rstrip("%％ "))
    if "prose" in numbers and "table" in numbers:  # prose_vs_table
        key = next((k for k in numbers if "." in k), "")
        f.update(prose=str(numbers["prose"]), table_value=str(numbers["table"]),
                 key_zh=labels.get(key, key) or key,
                 evidence=" ".join(str(numbers.get("evidence", "")).split())[:80])
    if "applications.new.total" in numbers and "legacy.apply.received.total" in numbers:
        f.update(prose=str(numbers["legacy.apply.received.total"]),
                 table_new=str(numbers["applications.new.total"]),
                 carried=str(numbers.get("applications.carried_over.total", 0)))
    return f


def explain(rule_name: str, detail: str | None, numbers: str | dict | None,
            labels: dict[str, str] | None = None) -> str:
    """The Chinese explanation of one failed check, with the numbers involved.

    Falls back to the rule's name and the numbers when the detail does not have the shape the
    template needs (a new wording of the parser's detail never hides the check)."""
    r = rule(rule_name)
    if isinstance(numbers, str):
        try:
            numbers = json.loads(numbers)
        except ValueError:
            numbers = {}
    fields = _fields(detail or "", numbers if isinstance(numbers, dict) else {}, labels or {})
    names = {n for _, n, _, _ in string.Formatter().parse(r.explanation_zh) if n}
    if names <= fields.keys():
        return r.explanation_zh.format(**fields)
    return f"{r.name_zh}。涉及的数字：{fields['numbers']}（原始说明：{detail}）"
