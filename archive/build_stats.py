"""What one `xxgk build` did, as the closing summary a person or cron reads, and its exit code.

A build that lost nothing exits 0; one that could not read some documents exits 1 (they are
stored, with the reason in `parses`, and listed by name); one that could read none of the
documents it parsed exits 2, as the crawler's total failure does. Documents that are not
reports are not lost: they are counted by reason and named.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED = 0, 1, 2
# Names listed in the text summary per group (the --json summary lists them all).
MAX_NAMES = 50


def reason_kind(reason: str) -> str:
    """The part of a not-a-report reason that is counted: 'too short for a report (91
    characters)' -> 'too short for a report'."""
    return re.split(r"\s*[:：(（]", reason, maxsplit=1)[0].strip() or reason


def count_reasons(reasons: list[str]) -> str:
    """'2 too short for a report, 1 a blank template' (most frequent first)."""
    counts = Counter(reason_kind(r) for r in reasons)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(),
                                                          key=lambda kv: (-kv[1], kv[0])))


def named(rows: list[tuple[str, str]], limit: int = MAX_NAMES) -> list[str]:
    """'  name: reason' lines, at most `limit` of them and a line saying how many more."""
    lines = [f"  {name}: {reason}" for name, reason in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"  … and {len(rows) - limit} more (table parses)")
    return lines


@dataclass
class BuildStats:
    """What one build did (what `xxgk build` prints and the benchmark reads)."""

    documents_seen: int = 0
    parsed: int = 0
    reports: int = 0
    not_reports: int = 0
    errors: int = 0
    reports_written: int = 0
    reports_removed: int = 0
    facts_written: int = 0
    seconds: float = 0.0
    parse_seconds: float = 0.0  # time spent in the parser (summed over worker processes)
    write_seconds: float = 0.0  # of `seconds`, time spent in write transactions
    workers: int = 1
    version: str = ""
    error_messages: list[str] = field(default_factory=list)
    forced: bool = False
    # (source, reason) of every document parsed as not a report / that could not be read
    not_report_list: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    # documents whose status (report, not_report, error) differs from their previous parse
    status_changed: int = 0

    @property
    def exit_code(self) -> int:
        if not self.errors:
            return EXIT_OK
        return EXIT_FAILED if self.errors == self.parsed else EXIT_PARTIAL

    def headline(self) -> str:
        counts = (f"{self.reports} reports, {self.not_reports} not reports, "
                  f"{self.errors} unreadable")
        if self.forced:
            return (f"--force: re-parsed all {self.parsed} stored documents: {counts}; "
                    f"{self.status_changed} changed status")
        if not self.parsed:
            return (f"nothing to parse: all {self.documents_seen} stored documents are parsed "
                    f"with parser {self.version} (--force re-parses them)")
        return f"parsed {self.parsed} of {self.documents_seen} stored documents: {counts}"

    def summary(self) -> str:
        lines = [self.headline()]
        if self.not_report_list:
            lines.append("not reports: " + count_reasons([r for _, r in self.not_report_list]))
            lines += named(self.not_report_list)
        if self.unreadable:
            lines.append(f"unreadable ({self.errors}), stored with the reason:")
            lines += named(self.unreadable)
        if self.parsed or self.forced:
            lines.append(
                f"reports: {self.reports_written} {'rewritten' if self.forced else 'written'}, "
                f"{self.reports_removed} removed, {self.facts_written} facts"
                + (" (a report is rewritten only when its parse changed)" if self.forced
                   else ""))
            rate = self.parsed / self.seconds if self.seconds else 0.0
            lines.append(f"{self.seconds:.1f} s ({rate:.1f} documents/s); "
                         f"parser {self.version}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The summary for `--json` (cron, scripts): every name, no cap."""
        return {
            "documents": self.documents_seen,
            "parsed": self.parsed,
            "forced": self.forced,
            "reports": self.reports,
            "not_reports": self.not_reports,
            "not_report_reasons": dict(Counter(reason_kind(r) for _, r in self.not_report_list)),
            "not_report_documents": [{"source": s, "reason": r}
                                     for s, r in self.not_report_list],
            "unreadable": self.errors,
            "unreadable_documents": [{"source": s, "reason": r} for s, r in self.unreadable],
            "status_changed": self.status_changed,
            "reports_written": self.reports_written,
            "reports_removed": self.reports_removed,
            "facts_written": self.facts_written,
            "seconds": round(self.seconds, 3),
            "parser_version": self.version,
            "exit_code": self.exit_code,
        }
