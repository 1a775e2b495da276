"""Table cell text -> number and status, and the one-value-per-key view of table facts.

A cell is read as printed: blank (empty, &nbsp;, full-width space) and dash (-, /, —, 无 …)
are statuses, never a silent 0. Whether a blank may be *read* as 0 is a property of the
table's template (layout data `blank_as_zero`), applied only in `table_values`, with a note.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

from parser.model import Fact, Number
from parser.numerals import CN_NUMERAL_CHARS, MAX_DIGITS, chinese_value
from parser.tables.layout import blank_reads_zero, key_table, load_layouts
from parser.tables.stat_layout import TABLE_ID as STATISTICS_TABLE

BLANK_CHARS = " \t\r\n\u3000\u00a0\u200b\ufeff"
DASHES = {"-", "--", "—", "——", "–", "―", "─", "/", "\\", "无", "－", "／", "…", "……"}
_NUM_RE = re.compile(
    r"^(?P<sign>[+-])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>万元|元|件|项|条|个|次)?$"
)
_UNIT_FACTORS = {("元", "万元"): Decimal("0.0001"), ("万元", "元"): Decimal(10000)}
_HEADER_UNIT_RE = re.compile(r"[(（](?:单位[:：])?(万元|元)[)）]")


@lru_cache(maxsize=4096)
def key_unit(key: str) -> str | None:
    """Unit of a canonical key (indicators.csv via parser.indicators); cached, asked per cell."""
    from parser.indicators import unit_of

    return unit_of(key)


# Cell texts up to this length are remembered (see parse_cell); longer ones are prose or junk,
# rare, and would make the cache hold large strings.
_CELL_CACHE_MAX_CHARS = 64


def parse_cell(
    text: str, unit: str | None = None, header_unit: str | None = None
) -> tuple[Number | None, str, str | None]:
    """(value, status, note) of a printed cell; `unit` is the key's unit for amounts like 251000元,
    `header_unit` the unit the column header states (used when the cell prints none).

    status: value | blank | dash | unreadable. Numbers keep their type: int unless the cell
    prints a decimal (万元 amounts) or a unit conversion makes one.

    The mapper asks this of every cell several times (is it a label? a number?) and reports
    print the same few hundred cell texts, so short texts are answered from a bounded cache:
    it was the largest single cost of mapping a table. The result is an immutable tuple.
    """
    if len(text) <= _CELL_CACHE_MAX_CHARS:
        return _parse_cell_cached(text, unit, header_unit)
    return _parse_cell(text, unit, header_unit)


@lru_cache(maxsize=65536)
def _parse_cell_cached(
    text: str, unit: str | None, header_unit: str | None
) -> tuple[Number | None, str, str | None]:
    return _parse_cell(text, unit, header_unit)


def _parse_cell(
    text: str, unit: str | None, header_unit: str | None
) -> tuple[Number | None, str, str | None]:
    s = text.strip(BLANK_CHARS)
    if not s:
        return None, "blank", None
    folded = unicodedata.normalize("NFKC", s).replace(" ", "")
    if folded in DASHES or set(folded) <= set("-—–―/\\"):
        return None, "dash", None
    if folded.rstrip("件项个") in {"零", "〇"}:
        return 0, "zero_word", None
    words = folded.rstrip("件项个")
    if words and not words.strip(CN_NUMERAL_CHARS):
        number = chinese_value(words)  # 二十四: rare in cells, but printed
        if number is not None:
            return number, "value", f"Chinese numeral {s}"
        return None, "unreadable", f"cell text {s!r} is not a number"
    m = _NUM_RE.match(folded)
    if not m:
        return None, "unreadable", f"cell text {s!r} is not a number"
    num = m.group("num").replace(",", "")
    digits = len(num) - ("." in num)
    if digits > MAX_DIGITS:  # no cell counts this much: junk (and int() refuses long runs)
        return None, "unreadable", f"cell text has {digits} digits: not a quantity"
    value: Number = float(num) if "." in num else int(num)
    if m.group("sign") == "-":
        value = -value
    printed_unit = m.group("unit") or header_unit
    note = None
    if printed_unit and unit and printed_unit != unit:
        factor = _UNIT_FACTORS.get((printed_unit, unit))
        if factor is None:
            if printed_unit in ("万元", "元") or unit in ("万元", "元"):
                return None, "unreadable", f"unit {printed_unit} cannot be read as {unit}"
        else:
            exact = Decimal(num) * factor * (-1 if m.group("sign") == "-" else 1)
            value = int(exact) if exact == exact.to_integral_value() else float(exact)
            where = "printed" if m.group("unit") else f"header unit {printed_unit},"
            note = f"{where} {s}, normalised to {unit}"
    return value, "value", note


@lru_cache(maxsize=4096)
def unit_in_header(header: str) -> str | None:
    """The money unit a column header states (（单位：万元）, （元）), if any. Cached: asked
    once per cell, of the few header texts a table has."""
    m = _HEADER_UNIT_RE.search(unicodedata.normalize("NFKC", header).replace(" ", ""))
    return m.group(1) if m else None


def table_values(facts: list[Fact]) -> tuple[dict[str, Number | None], dict[str, str]]:
    """One value per table key, with notes on every value that is not a printed number.

    - value: the number; a second, different value for the same key is noted, first kept.
    - blank: 0 where the table's template instructs zero for empty cells (layout
      `blank_as_zero`, except `blank_not_zero_columns` such as 总计), else None; the note
      says which.
    - dash / unreadable: None with a note.
    - results.other.total of a v2021 table (not printed: （六） is split) is not a value:
      a total is a report's figure only where the report prints it. Its sum of the three
      sub-rows is given in the notes, for a reader (and the archive's headline view, which
      sums the sub-rows itself).
    - a statistics-table (统计表) cell gives its `legacy.*` key a value only where it prints
      one: its keys are the prose's keys too, and an empty cell must not erase what the
      prose states (prose and table are compared by the checks, not merged).
    """
    layouts = load_layouts()
    values: dict[str, Number | None] = {}
    notes: dict[str, str] = {}
    for f in facts:
        if not f.is_cell or f.key is None:
            continue
        if f.table == STATISTICS_TABLE and f.status not in ("value", "zero_word"):
            continue
        table = f.table or key_table(f.key)
        if f.status in ("value", "zero_word"):
            val: Number | None = f.value
            note = None
        elif f.status == "blank":
            if blank_reads_zero(f.key):
                val, note = 0, "blank read as 0 per template"
            elif table in layouts and layouts[table].blank_as_zero:
                val, note = None, "blank total cell: not read as 0"
            else:
                val, note = None, "blank cell"
        else:
            val, note = None, f"{f.status} cell {f.raw!r}" + (f": {f.note}" if f.note else "")
        if f.key in values:
            if values[f.key] != val:
                notes[f.key] = f"conflicting cells: kept {values[f.key]!r}, also printed {val!r}"
            continue
        values[f.key] = val
        if note:
            notes[f.key] = note
    _derive_other_total(values, notes)
    return values, notes


_SUB_ROWS = ("no_correction", "fee_unpaid", "other")


def _derive_other_total(values: dict[str, Number | None], notes: dict[str, str]) -> None:
    cols = ("natural_person", "commercial", "research", "social_welfare", "legal_service",
            "other_org", "total")
    for c in cols:
        key = f"results.other.total.{c}"
        parts = [values.get(f"results.other.{s}.{c}") for s in _SUB_ROWS]
        if key in values or any(p is None for p in parts):
            continue
        notes[key] = (f"not printed; the three （六） sub-rows sum to "
                      f"{sum(p for p in parts if p is not None)}")
