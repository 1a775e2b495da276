"""Score the parser against the gold files written by reading the corpus (fixtures/gold).

Three measures, per document and in total:
- prose facts: precision and recall of distinct (canonical key, value) pairs from text;
- top-level sections: the share of gold (number, key) pairs found;
- table cells: expected, exact, wrong, missing, and how many wrong cells no failed check
  or unplaced-cell record points at (the number that must stay zero).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parser.model import Fact, ParseResult
from parser.pipeline import parse_path

DASHES = {"-", "/", "—", "－", "–", "——", "无", "／"}


@dataclass
class DocScore:
    name: str
    error: str | None = None
    gold_facts: int = 0
    found_facts: int = 0
    true_facts: int = 0
    missed_facts: list[tuple[str, Any]] = field(default_factory=list)
    extra_facts: list[tuple[str, Any]] = field(default_factory=list)
    gold_sections: int = 0
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


def score_document(gold: dict[str, Any], result: ParseResult) -> DocScore:
    score = DocScore(name=Path(gold["file"]).name)
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
        score.cells_expected += 1
        fact = by_key.get(key)
        if fact is None:
            score.cells_missing += 1
            score.cell_errors.append(f"missing {key}={expected!r}")
        elif _cell_matches(expected, fact):
            score.cells_exact += 1
        else:
            score.cells_wrong += 1
            if key not in flagged:
                score.cells_wrong_unflagged += 1
            score.cell_errors.append(
                f"wrong {key}: gold {expected!r}, parsed {cell_reading(fact)!r}"
            )
    # Metadata.
    for field_name in ("report_year", "publisher", "format", "is_report"):
        if field_name in gold and gold[field_name] != getattr(result, field_name):
            score.metadata_misses.append(
                f"{field_name}: gold {gold[field_name]!r}, parsed {getattr(result, field_name)!r}"
            )
    return score


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


def evaluate(gold_dir: Path, corpus_dir: Path) -> list[DocScore]:
    scores = []
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = corpus_dir / gold["file"]
        if not doc.exists():
            scores.append(DocScore(name=doc.name, error=f"document not found: {doc}"))
            continue
        scores.append(score_document(gold, parse_path(doc)))
    return scores


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


_SUMMED = (
    "gold_facts found_facts true_facts gold_sections right_sections cells_expected "
    "cells_exact cells_wrong cells_wrong_unflagged cells_missing"
).split()


def report(scores: list[DocScore], verbose: bool = False) -> str:
    """The evaluation as a plain-text table, one line per document and a total line."""
    head = (
        f"{'document':38} {'facts g/f/ok':>13} {'P':>6} {'R':>6} {'sect':>6} "
        f"{'cells exp':>9} {'exact':>6} {'wrong':>6} {'unflag':>6} {'miss':>5}"
    )
    lines = [head, "-" * len(head)]
    tot = DocScore(name="TOTAL")
    for s in scores:
        for attr in _SUMMED:
            setattr(tot, attr, getattr(tot, attr) + getattr(s, attr))
        lines.append(_line(s))
        if verbose:
            lines.extend(_details(s))
    lines.append("-" * len(head))
    lines.append(_line(tot))
    cell_share = tot.cells_exact / tot.cells_expected if tot.cells_expected else None
    lines.append(
        f"prose facts precision {_fmt(tot.precision)} recall {_fmt(tot.recall)}; "
        f"sections {tot.right_sections}/{tot.gold_sections}; "
        f"cells exact {tot.cells_exact}/{tot.cells_expected} ({_fmt(cell_share)}), "
        f"wrong {tot.cells_wrong} of which unflagged {tot.cells_wrong_unflagged}"
    )
    return "\n".join(lines)


def _line(s: DocScore) -> str:
    sect = f"{s.right_sections}/{s.gold_sections}"
    facts = f"{s.gold_facts}/{s.found_facts}/{s.true_facts}"
    err = f"  ERROR {s.error}" if s.error else ""
    return (
        f"{s.name[:38]:38} {facts:>13} {_fmt(s.precision):>6} {_fmt(s.recall):>6} {sect:>6} "
        f"{s.cells_expected:>9} {s.cells_exact:>6} {s.cells_wrong:>6} "
        f"{s.cells_wrong_unflagged:>6} {s.cells_missing:>5}{err}"
    )


def _details(s: DocScore) -> list[str]:
    out = [f"    missed fact {k}={v:g}" for k, v in s.missed_facts]
    out += [f"    extra fact {k}={v:g}" for k, v in s.extra_facts]
    out += [f"    section not found {m}" for m in s.section_misses]
    out += [f"    {e}" for e in s.cell_errors[:40]]
    out += [f"    metadata {m}" for m in s.metadata_misses]
    return out
