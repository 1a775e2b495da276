"""The evaluation as people read it: one line per document, then precision and recall of
the values per era and per method, and the wrong values no failed check flags.

The figures come from parser.evaluate; this module only adds them up and lays them out, so
that `xxgk eval --json` and the tests read the same numbers as the printed table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from parser.evaluate import ERAS, METHODS, DocScore


@dataclass
class Tally:
    """Values of a group of documents: gold figures, figures given, and how they fared."""

    gold: int = 0
    given: int = 0
    right: int = 0
    wrong: int = 0
    extra: int = 0
    missing: int = 0
    unflagged: int = 0  # wrong or extra, and no failed check names the key
    disputed: int = 0  # of those unflagged, figures whose gold we believe wrong (listed)

    @property
    def precision(self) -> float | None:
        return self.right / self.given if self.given else None

    @property
    def recall(self) -> float | None:
        return self.right / self.gold if self.gold else None

    def add(self, score: DocScore, method: str | None) -> None:
        for o in score.outcomes:
            if method is not None and o.method != method:
                continue
            self.gold += o.status in ("right", "wrong", "missing")
            self.given += o.status in ("right", "wrong", "extra")
            setattr(self, o.status, getattr(self, o.status) + 1)
            unflagged = o.status in ("wrong", "extra") and not o.flagged
            self.unflagged += unflagged
            self.disputed += unflagged and bool(o.disputed)

    def as_dict(self) -> dict:
        return {**asdict(self), "precision": self.precision, "recall": self.recall}


def tally(scores: list[DocScore], era: str | None = None, method: str | None = None,
          source: str | None = None) -> Tally:
    t = Tally()
    for s in scores:
        if (era is None or s.era == era) and (source is None or s.source == source):
            t.add(s, method)
    return t


def summary(scores: list[DocScore]) -> dict:
    """Every figure of the printed summary, as data."""
    out: dict = {"eras": {}, "sources": {}}
    for era in ERAS:
        out["eras"][era] = {m or "all": tally(scores, era, m).as_dict()
                            for m in (*METHODS, None)}
    for source in ("corpus", "dev", "heldout"):
        out["sources"][source] = tally(scores, source=source).as_dict()
    out["all"] = tally(scores).as_dict()
    out["sections"] = {
        "gold": sum(s.gold_sections for s in scores),
        "found": sum(s.found_sections for s in scores),
        "right": sum(s.right_sections for s in scores),
    }
    corpus = [s for s in scores if s.source == "corpus"]
    out["prose_facts"] = {
        "gold": sum(s.gold_facts for s in corpus),
        "found": sum(s.found_facts for s in corpus),
        "true": sum(s.true_facts for s in corpus),
    }
    out["cells"] = {k: sum(getattr(s, f"cells_{k}") for s in corpus)
                    for k in ("expected", "exact", "wrong", "wrong_unflagged", "missing")}
    out["errors"] = [s.name for s in scores if s.error]
    return out


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def report(scores: list[DocScore], verbose: bool = False) -> str:
    """The evaluation as a plain-text table: documents, then the summary."""
    head = (f"{'document':36} {'era':6} {'values g/right/wrong/extra/miss':>31} {'unflag':>6} "
            f"{'sect':>6} {'cells exp/exact/wrong':>21}")
    lines = [head, "-" * len(head)]
    for s in scores:
        t = tally([s])
        vals = f"{t.gold}/{t.right}/{t.wrong}/{t.extra}/{t.missing}"
        cells = f"{s.cells_expected}/{s.cells_exact}/{s.cells_wrong}" if s.cells_expected else "-"
        err = f"  ERROR {s.error}" if s.error else ""
        lines.append(f"{s.name[:36]:36} {s.era or '?':6} {vals:>31} {t.unflagged:>6} "
                     f"{s.right_sections}/{s.gold_sections:<4} {cells:>21}{err}")
        if verbose:
            lines.extend(_details(s))
    lines += ["", _summary_table(scores)]
    return "\n".join(lines)


def _summary_table(scores: list[DocScore]) -> str:
    head = (f"{'era':7} {'method':6} {'gold':>5} {'given':>5} {'right':>5} {'wrong':>5} "
            f"{'extra':>5} {'miss':>5} {'P':>6} {'R':>6} {'unflagged':>9}")
    sources = sorted({s.source for s in scores})
    lines = [f"values (gold figures against the report's values), sources: {', '.join(sources)}",
             head, "-" * len(head)]
    for era in (*ERAS, None):
        for method in (*METHODS, None):
            t = tally(scores, era, method)
            if not t.gold and not t.given:
                continue
            lines.append(
                f"{era or 'all':7} {method or 'all':6} {t.gold:>5} {t.given:>5} {t.right:>5} "
                f"{t.wrong:>5} {t.extra:>5} {t.missing:>5} {_fmt(t.precision):>6} "
                f"{_fmt(t.recall):>6} {t.unflagged:>9}" + (f" ({t.disputed} disputed)"
                                                            if t.disputed else "")
            )
    data = summary(scores)
    sec, pf, cells = data["sections"], data["prose_facts"], data["cells"]
    lines.append("")
    lines.append(
        f"sections {sec['right']}/{sec['gold']} found ({sec['found']} given); corpus prose facts "
        f"{pf['true']}/{pf['gold']} (given {pf['found']}); corpus cells exact "
        f"{cells['exact']}/{cells['expected']}, wrong {cells['wrong']} "
        f"(unflagged {cells['wrong_unflagged']}), missing {cells['missing']}"
    )
    if data["errors"]:
        lines.append("documents that failed to parse: " + ", ".join(data["errors"]))
    return "\n".join(lines)


def _details(s: DocScore) -> list[str]:
    out = []
    for o in s.outcomes:
        if o.status == "right":
            continue
        flag = "" if o.flagged or o.status == "missing" else "  (unflagged)"
        flag += f"  [disputed: {o.disputed}]" if o.disputed else ""
        out.append(f"    {o.status:7} {o.method:5} {o.key}: gold {o.gold!r}, "
                   f"parsed {o.parsed!r}{flag}")
    out += [f"    section not found {m}" for m in s.section_misses]
    out += [f"    {e}" for e in s.cell_errors[:40]]
    out += [f"    metadata {m}" for m in s.metadata_misses]
    return out
