"""One document in, one `ParseResult` out: the order in which the parser's stages run.

Each stage is a module of its own (load, sections, metadata, facts, tables, checks,
values); this module only wires them, so that a reader sees the whole flow in one place.
"""

from __future__ import annotations

import logging
from pathlib import Path

from parser import checks, facts, labels, load, metadata, ocr_facts, sections, values
from parser.model import Document, DocumentError, ParseResult
from parser.provenance import Hints
from parser.tables import extract as tables
from parser.tables.values import table_values
from parser.time_cap import ParseTimeout, cpu_time_cap
from xxgk import settings

log = logging.getLogger(__name__)


def parse_document(doc: Document, hints: Hints | None = None) -> ParseResult:
    """Parse a loaded document: sections, metadata, prose facts, table cells, checks.

    `hints` is what the archive knows of the document apart from its bytes (URL, file path,
    the registry's publisher): used only where the text gives no year or publisher."""
    outline = sections.find_sections(doc.text)
    table_facts, table_checks = tables.extract_tables(doc, outline)
    table_spans = [(g.start, g.end) for g in doc.tables if g.start >= 0]
    versions = {f.version for f in table_facts if f.version}
    meta = metadata.extract_metadata(doc, outline, table_versions=versions, hints=hints)
    year = meta["report_year"]
    text_facts = facts.extract_facts(
        doc.text, outline, skip=table_spans, era=metadata.prose_era(year, meta["format"]),
        report_year=year,
    )
    ocr_facts.review(doc, text_facts)  # numbers read by OCR: method ocr, doubtful ones unkeyed
    all_facts = sorted(text_facts + table_facts, key=lambda f: (f.start, f.end))
    vals, notes = values.build_values(all_facts)
    result = ParseResult(
        source=doc.source,
        kind=doc.kind,
        encoding=doc.encoding,
        sections=outline,
        facts=all_facts,
        values=vals,
        values_notes=notes,
        checks=checks.legacy_checks(text_facts) + table_checks
        + checks.prose_vs_table(text_facts, table_values(table_facts)[0]),
        ocr=[r.summary() for r in doc.ocr],
        **meta,
    )
    return result


def load_and_parse(
    data: bytes, source: str, content_type: str | None = None, hints: Hints | None = None,
    resources: load.Resources | None = None,
) -> tuple[Document | None, ParseResult]:
    """Load and parse bytes under the per-document CPU-time cap; never raises for bad input.

    Returns the loaded Document (None when loading failed) with the result, because the
    archive keeps the document's text and metadata next to what was parsed from it.
    """
    labels.warm_up()
    doc = None
    try:
        with cpu_time_cap(settings.PARSE_MAX_CPU_SECONDS):
            doc = load.load_bytes(data, source, content_type=content_type,
                                  resources=resources)
            return doc, parse_document(doc, hints)
    except ParseTimeout as exc:
        return doc, ParseResult(source=source, is_report=False, error=f"refused: {exc}")
    except DocumentError as exc:
        return doc, ParseResult(source=source, is_report=False, error=str(exc))
    except RecursionError as exc:  # pathological structure; the batch goes on
        return doc, ParseResult(source=source, is_report=False, error=f"parser gave up: {exc}")
    except Exception as exc:  # a parser bug must not stop a batch of thousands of reports
        log.exception("parser failed on %s", source)
        return doc, ParseResult(
            source=source, is_report=False, error=f"parser failed: {type(exc).__name__}: {exc}"
        )


def parse_bytes(
    data: bytes, source: str, content_type: str | None = None, hints: Hints | None = None,
    resources: load.Resources | None = None,
) -> ParseResult:
    """Parse a document held in memory (what the crawler fetched). Never raises for bad input."""
    return load_and_parse(data, source, content_type, hints, resources)[1]


def parse_path(path: str | Path) -> ParseResult:
    """Parse a file on disk. A file that cannot be read gives a result with `error` set."""
    path = Path(path)
    try:
        data = load.read_file(path)
    except DocumentError as exc:
        return ParseResult(source=str(path), is_report=False, error=str(exc))
    return parse_bytes(data, str(path), hints=Hints(path=str(path)),
                       resources=load.local_resources(path))
