"""Score the parser against gold written by reading real reports.

Two gold sets, in two formats:
- the project's gold for ../shared/corpus (fixtures/gold/*.json): prose `facts` with evidence,
  table `cells` as printed (blanks and dashes included), `sections`;
- the dev set's gold (../shared/corpus/dev/gold/*.json): `facts` as key -> number for every
  figure the excerpt states, prose and tables alike, and `top_sections` as printed.

What is measured, per document and then per era (legacy / v2019 / v2021, from the report
year, as the gold's keys are) and per method (prose, table):
- values: each gold figure against the figure the parser gives for its key (the report's
  `values`: a table's value wins over the prose): right, wrong (another number) or missing;
  and every figure the parser gives that the gold does not have (extra). A wrong or extra
  value is flagged when a failed check names its key; an unflagged one is a wrong number a
  reader would take on trust, the count that must stay near zero.
- prose facts (corpus gold): distinct (key, value) pairs stated in running text;
- table cells (corpus gold): every cell as printed, blank and dash included;
- top-level sections: the corpus gold's (number, key) pairs, the dev gold's headings as printed.

The method of a figure is the parser's where it gives one (a value read from a table is a
table figure). A figure the parser misses counts as a table figure where the document prints
that figure's table (by the table's own row labels) and as prose otherwise; in the corpus
gold, where cells and facts are apart, a missed cell is a table figure.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parser.model import Fact, ParseResult
from parser.pipeline import parse_path

DASHES = {"-", "/", "—", "－", "–", "——", "无", "／"}
ERAS = ("legacy", "v2019", "v2021")
METHODS = ("prose", "table")
# Row labels a table prints: a missed figure of that table's keys counts as a table figure.
_TABLE_MARKS = {
    "active.": re.compile(r"第二十条第"),
    "applications.": re.compile(r"本年新收|上年结转|结转下年度继续办理"),
    "results.": re.compile(r"予以公开\s*[|\d\n ]|本年度办理结果"),
    "review.": re.compile(r"结果维持|尚未审结"),
    "litigation.": re.compile(r"结果维持|尚未审结"),
    "legacy.": re.compile(r"指标名称|计量单位|历年累计"),
}


def era_of(year: int | None) -> str | None:
    if year is None:
        return None
    return "legacy" if year <= 2018 else "v2019" if year <= 2020 else "v2021"


@dataclass
class Outcome:
    """One figure: what the gold says, what the parser says, and how that is judged."""

    key: str
    method: str  # prose | table
    status: str  # right | wrong | extra | missing
    gold: Any = None
    parsed: Any = None
    flagged: bool = False
    disputed: str | None = None  # why we believe the gold is wrong here (dev_disputes.tsv)


@dataclass
class DocScore:
    name: str
    source: str = "corpus"  # corpus | dev
    era: str | None = None
    error: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    gold_facts: int = 0
    found_facts: int = 0
    true_facts: int = 0
    missed_facts: list[tuple[str, Any]] = field(default_factory=list)
    extra_facts: list[tuple[str, Any]] = field(default_factory=list)
    gold_sections: int = 0
    found_sections: int = 0
    right_sections: int = 0
    section_misses: list[str] = field(default_factory=list)
    cells_expected: int = 0
    cells_exact: int = 0
    cells_wrong: int = 0
    cells_wrong_unflagged: int = 0
    cells_missing: int = 0
    cell_errors: list[str] = field(default_factory=list)
    metadata_misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.true_facts / self.found_facts if self.found_facts else None

    @property
    def recall(self) -> float | None:
        return self.true_facts / self.gold_facts if self.gold_facts else None

    def count(self, status: str, method: str | None = None, unflagged: bool = False) -> int:
        return sum(
            1 for o in self.outcomes
            if o.status == status and (method is None or o.method == method)
            and not (unflagged and o.flagged)
        )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-6
    return a == b


def _pairs(items: list[tuple[str, Any]]) -> set[tuple[str, float]]:
    return {(k, round(float(v), 6)) for k, v in items if isinstance(v, int | float)}


def cell_reading(fact: Fact) -> Any:
    """What a table fact says, in the gold's terms: a number, "" for blank, or the dash."""
    if fact.status == "value":
        return fact.value
    if fact.status == "blank":
        return ""
    return (fact.raw or "").strip()


def _cell_matches(gold: Any, fact: Fact) -> bool:
    found = cell_reading(fact)
    if isinstance(gold, str):
        if gold.strip() in DASHES:
            return isinstance(found, str) and found.strip() in DASHES
        return found == gold.strip()
    return _same(gold, found)


def _flagged_keys(result: ParseResult) -> set[str]:
    """Keys that a failed check names among its numbers."""
    keys: set[str] = set()
    for check in result.checks:
        if not check.ok:
            keys.update(k for k in check.values if isinstance(k, str))
            for v in check.values.values():
                if isinstance(v, list):
                    keys.update(x for x in v if isinstance(x, str))
    return keys


def _value_methods(result: ParseResult) -> dict[str, str]:
    """The method behind each of the parser's values: a table's value wins over the prose."""
    methods = {f.key: "prose" for f in result.facts if f.key and f.is_prose}
    methods.update({f.key: "table" for f in result.facts if f.key and f.is_cell})
    return methods


def score_values(
    gold: dict[str, Any], result: ParseResult, text: str, table_keys: set[str] | None = None
) -> list[Outcome]:
    """Every gold figure and every figure the parser gives, judged (see the module doc).

    `table_keys` names the gold figures known to be table cells (the corpus gold keeps
    them apart); otherwise a missed figure is a table figure where `text` prints its table."""
    flagged = _flagged_keys(result)
    methods = _value_methods(result)
    out: list[Outcome] = []
    for key, expected in gold.items():
        parsed = result.values.get(key)
        if parsed is None:
            method = "table" if (key in table_keys if table_keys is not None
                                 else _prints_table(key, text)) else "prose"
            out.append(Outcome(key, method, "missing", expected))
            continue
        status = "right" if _same(expected, parsed) else "wrong"
        out.append(Outcome(key, methods.get(key, "prose"), status, expected, parsed,
                           flagged=key in flagged))
    for key, parsed in result.values.items():
        if key not in gold and parsed is not None:
            out.append(Outcome(key, methods.get(key, "prose"), "extra", None, parsed,
                               flagged=key in flagged))
    return out


def _prints_table(key: str, text: str) -> bool:
    mark = next((m for prefix, m in _TABLE_MARKS.items() if key.startswith(prefix)), None)
    return bool(mark and mark.search(text))


def score_document(gold: dict[str, Any], result: ParseResult) -> DocScore:
    """A corpus gold file (fixtures/gold) against the parse of its document."""
    score = DocScore(name=Path(gold["file"]).name, era=era_of(gold.get("report_year")))
    if result.error:
        score.error = result.error
    # Prose facts.
    gold_pairs = _pairs([(f["key"], f["value"]) for f in gold.get("facts", [])])
    found_pairs = _pairs([(f.key, f.value) for f in result.facts if f.is_prose and f.key])
    score.gold_facts, score.found_facts = len(gold_pairs), len(found_pairs)
    score.true_facts = len(gold_pairs & found_pairs)
    score.missed_facts = sorted(gold_pairs - found_pairs)
    score.extra_facts = sorted(found_pairs - gold_pairs)
    # Top-level sections.
    gold_secs = Counter((s["number"], s.get("key")) for s in gold.get("sections", []))
    found_secs = Counter((s.number, s.key) for s in result.sections if s.level == 1)
    score.gold_sections = sum(gold_secs.values())
    score.found_sections = sum(found_secs.values())
    score.right_sections = sum((gold_secs & found_secs).values())
    score.section_misses = [f"{n}:{k}" for (n, k) in (gold_secs - found_secs).elements()]
    # Table cells.
    cells: dict[str, Any] = gold.get("cells") or {}
    by_key: dict[str, Fact] = {}
    for f in result.facts:
        if f.is_cell and f.key and f.key not in by_key:
            by_key[f.key] = f
    flagged = _flagged_keys(result)
    for key, expected in cells.items():
        _score_cell(score, key, expected, by_key.get(key), key in flagged)
    for name, expected, fact in statistics_cells(gold, result):  # 历年累计, cells without key
        row = fact.row or "" if fact else ""
        named = any(name.startswith(k) or (row and row in k) for k in flagged)
        _score_cell(score, name, expected, fact, named)
    # Values: the numeric cells and the first value the prose states for each other key.
    figures = {k: v for k, v in cells.items() if isinstance(v, int | float)}
    for f in gold.get("facts", []):
        figures.setdefault(f["key"], f["value"])
    blank_cells = {k for k, v in cells.items() if not isinstance(v, int | float)}
    result_values = {k: v for k, v in result.values.items() if k not in blank_cells}
    scoped = ParseResult(**{**result.__dict__, "values": result_values})
    score.outcomes = score_values(figures, scoped, "", table_keys=set(cells))
    # Metadata.
    for field_name in ("report_year", "publisher", "format", "is_report"):
        if field_name in gold and gold[field_name] != getattr(result, field_name):
            score.metadata_misses.append(
                f"{field_name}: gold {gold[field_name]!r}, parsed {getattr(result, field_name)!r}"
            )
    return score


def _heading_key(text: str) -> str:
    return re.sub(r"[\s、，,．.：:]", "", text)


def score_dev_document(gold: dict[str, Any], result: ParseResult, text: str) -> DocScore:
    """A dev-set gold file (../shared/corpus/dev/gold) against the parse of its excerpt."""
    score = DocScore(name=gold["file"], source="dev", era=gold.get("format"))
    if result.error:
        score.error = result.error
    score.outcomes = score_values(gold.get("facts", {}), result, text)
    wanted = Counter(_heading_key(h) for h in gold.get("top_sections", []))
    found = Counter(_heading_key(s.number + s.heading) for s in result.sections if s.level == 1)
    score.gold_sections = sum(wanted.values())
    score.found_sections = sum(found.values())
    score.right_sections = sum((wanted & found).values())
    score.section_misses = list((wanted - found).elements())
    if gold.get("report_year") != result.report_year:
        score.metadata_misses.append(
            f"report_year: gold {gold.get('report_year')!r}, parsed {result.report_year!r}"
        )
    return score


def statistics_cells(
    gold: dict[str, Any], result: ParseResult
) -> list[tuple[str, Any, Fact | None]]:
    """The statistics-table (统计表) cells a gold file lists besides `cells`, each with the
    fact that reads it (or None): `cumulative_cells` (key -> the row's 历年累计) and
    `unkeyed_cells` ({row, column: year|cumulative, value} for rows no legacy key means).
    Self-contained, so that a report per era and method can call it too."""
    from parser.tables.labels import normalize_label
    from parser.tables.statistics import cell_role

    facts = [f for f in result.facts if f.is_cell and cell_role(f)]
    out: list[tuple[str, Any, Fact | None]] = []
    for key, expected in (gold.get("cumulative_cells") or {}).items():
        found = next((f for f in facts if cell_role(f) == "cumulative"
                      and (note := f.note or "").startswith("cumulative (")
                      and f" of {key}:" in note),
                     None)
        out.append((f"{key} (历年累计)", expected, found))
    for cell in gold.get("unkeyed_cells") or []:
        row = normalize_label(cell["row"])
        found = next((f for f in facts if f.key is None and cell_role(f) == cell["column"]
                      and normalize_label(f.row or "") == row), None)
        out.append((f"{cell['row']} ({cell['column']})", cell["value"], found))
    return out


def _score_cell(
    score: DocScore, name: str, expected: Any, fact: Fact | None, flagged: bool
) -> None:
    """One gold cell against the fact that reads it (None: not found)."""
    score.cells_expected += 1
    if fact is None:
        score.cells_missing += 1
        score.cell_errors.append(f"missing {name}={expected!r}")
    elif _cell_matches(expected, fact):
        score.cells_exact += 1
    else:
        score.cells_wrong += 1
        score.cells_wrong_unflagged += not flagged
        score.cell_errors.append(f"wrong {name}: gold {expected!r}, "
                                 f"parsed {cell_reading(fact)!r}")


def evaluate(gold_dir: Path, corpus_dir: Path) -> list[DocScore]:
    """The corpus gold (fixtures/gold) against the documents of `corpus_dir`."""
    scores = []
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = corpus_dir / gold["file"]
        if not doc.exists():
            scores.append(DocScore(name=doc.name, error=f"document not found: {doc}"))
            continue
        scores.append(score_document(gold, parse_path(doc)))
    return scores


def load_disputes(path: Path) -> dict[tuple[str, str], str]:
    """(file, key) -> reason, for dev gold figures we believe wrong. They stay in the gold and
    in every count; they are listed, and left out only of the unflagged-wrong count."""
    if not path.is_file():
        return {}
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    return {(r.split("\t")[0], r.split("\t")[1]): r.split("\t")[4] for r in rows if r.strip()}


def evaluate_dev(
    dev_dir: Path, disputes: Path | None = None, source: str = "dev"
) -> list[DocScore]:
    """A set in the dev format (`dev_dir`/gold/*.json against `dev_dir`/raw/*): the dev set,
    or the project's hand-written set (fixtures/heldout) with `source` "heldout"."""
    disputed = load_disputes(disputes) if disputes else {}
    scores = []
    for path in sorted((dev_dir / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = dev_dir / "raw" / gold["file"]
        if not doc.exists():
            scores.append(DocScore(name=doc.name, source="dev",
                                   error=f"document not found: {doc}"))
            continue
        text = doc.read_text(encoding="utf-8", errors="replace")
        score = score_dev_document(gold, parse_path(doc), text)
        score.source = source
        for o in score.outcomes:
            o.disputed = disputed.get((gold["file"], o.key))
        scores.append(score)
    return scores
