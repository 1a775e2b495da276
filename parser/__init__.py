"""Rule-based parser for 政府信息公开工作年度报告: document -> sections, facts, checks.

    >>> from parser import parse_path
    >>> result = parse_path("fixtures/demo/site/...")
    >>> result.values["legacy.apply.received.total"]

The parse functions are imported on first use so that `import parser.model` (what the
loaders and table modules need) does not pull in every stage.
"""

from typing import Any

from parser.model import Check, Document, DocumentError, Fact, Grid, ParseResult, Section

__all__ = [
    "Check",
    "Document",
    "DocumentError",
    "Fact",
    "Grid",
    "ParseResult",
    "Section",
    "parse_bytes",
    "parse_document",
    "parse_path",
]


def __getattr__(name: str) -> Any:
    if name in {"parse_bytes", "parse_document", "parse_path"}:
        from parser import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
