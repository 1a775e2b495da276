"""One stored document parsed: its bytes and provenance in, a `Parsed` out.

Each document is parsed from its stored bytes (never the network) into a `Parsed`: status
`report`, `not_report` (ParseResult.is_report false, with the parser's reason) or `error` (the
parser's DocumentError message, or the exception it raised), and for a report the key it is
filed under: (publisher, report year), or the document itself with a failed check naming what
is missing. Nothing here writes. It is apart from the writer because it runs wherever parsing
runs: in the build's worker processes (archive/parse_pool.py), on a Dask cluster's workers
(archive/distributed.py, from `parse_stored` alone), and in the writer when a report's primary
version is not at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from archive import publishers
from archive.store import get_bytes
from parser.model import Check, Document, ParseResult


@dataclass
class Parsed:
    document_id: str
    doc: Document | None
    result: ParseResult
    publisher: publishers.Publisher | None
    key: str | None
    status: str
    reason: str | None


def provenance(db: sqlite_utils.Database, document_id: str) -> dict:
    """Where a document came from: its latest URL/path, hint, content type, last seen."""
    row = db.execute(
        """select d.media_type, d.filename,
             (select url from document_urls u where u.document_id = d.id and url is not null
               order by coalesce(fetched_at, recorded_at) desc limit 1) as url,
             (select final_url from document_urls u where u.document_id = d.id
               and final_url is not null order by coalesce(fetched_at, recorded_at) desc
               limit 1) as final_url,
             (select path from document_urls u where u.document_id = d.id and path is not null
               order by recorded_at desc limit 1) as path,
             (select publisher_hint from document_urls u where u.document_id = d.id
               and publisher_hint is not null limit 1) as hint,
             (select headers from document_urls u where u.document_id = d.id
               and headers is not null limit 1) as headers
           from documents d where d.id = ?""",
        [document_id],
    ).fetchone()
    media_type, filename, url, final_url, path, hint, headers = row
    content_type = media_type
    if not content_type and headers:
        hdrs = {k.lower(): v for k, v in json.loads(headers).items()}
        content_type = hdrs.get("content-type")
    return {
        "source": url or path or filename or document_id,
        "url": final_url or url,
        "path": path or filename,
        "content_type": content_type,
        "hint": hint,
    }


def stored_url(db: sqlite_utils.Database, base: str | None, src: str | None) -> str | None:
    """The stored document a page's link names (its `<img src>`, resolved against the page's
    URL): the latest version fetched from that URL, or None."""
    if not base or not src or src.startswith("data:"):
        return None
    from urllib.parse import urljoin

    row = db.execute(
        "select document_id from document_urls where url = ? or final_url = ?"
        " order by coalesce(fetched_at, recorded_at) desc limit 1",
        [urljoin(base, src)] * 2).fetchone()
    return row[0] if row else None


def stored_resources(db: sqlite_utils.Database, base: str | None):
    """What a page's `<img src>` names, from the store (never the network): the crawler
    fetched the images inside report bodies, and OCR reads them when the page is parsed."""

    def get(src: str) -> bytes | None:
        found = stored_url(db, base, src)
        return get_bytes(db, found) if found else None

    return get


def parse_document(db: sqlite_utils.Database, document_id: str) -> Parsed:
    """Parse one stored document. Never raises for a bad document: the reason is recorded."""
    prov = provenance(db, document_id)
    return parse_stored(document_id, get_bytes(db, document_id), prov,
                        stored_resources(db, prov["url"]))


def parse_stored(document_id: str, data: bytes, prov: dict, resources) -> Parsed:
    """Parse a stored document's bytes, given its provenance (`provenance`) and what its
    `<img src>` names (`stored_resources`): no database needed, so it runs on any machine
    (archive/distributed.py sends these to a cluster's workers)."""
    from parser.load import image_kind
    from parser.pipeline import load_and_parse
    from parser.provenance import Hints

    image = image_kind(data[:16])
    if image:  # fetched for the report page that shows it, and read by OCR with that page
        reason = f"{image}: read by OCR as part of the report page that shows it"
        return Parsed(document_id, None, ParseResult(source=prov["source"], is_report=False,
                                                     not_report_reason=reason),
                      None, None, "not_report", reason)
    hints = Hints(url=prov["url"], path=prov["path"], publisher=prov["hint"])
    doc, result = load_and_parse(data, prov["source"], prov["content_type"], hints, resources)
    if result.error:
        return Parsed(document_id, doc, result, None, None, "error", result.error)
    if not result.is_report:
        reason = result.not_report_reason or "the parser found no report in it"
        return Parsed(document_id, doc, result, None, None, "not_report", reason)
    pub = publishers.resolve(result.publisher, prov["hint"])
    if pub is not None and result.report_year:
        key = f"{pub.id}/{result.report_year}"
    else:
        # Without both a publisher and a year the document is a report of its own, and the
        # failed checks below say which is missing (never a publisher named after the key).
        key = f"document/{document_id[:16]}"
        result.checks.extend(filing_checks(result, pub))
    return Parsed(document_id, doc, result, pub, key, "report", None)


# A report the archive cannot file under a publisher and a year is kept, with a failed check
# naming what is missing; the archive counts such reports as unread, not as publishers.
PUBLISHER_UNKNOWN = "report.publisher_unknown"
YEAR_UNKNOWN = "report.year_unknown"


def filing_checks(result: ParseResult, pub: publishers.Publisher | None) -> list[Check]:
    checks = []
    if pub is None:
        checks.append(Check(
            PUBLISHER_UNKNOWN, False,
            "未能确定发布机关：标题和正文中没有可识别的机关名称，来源也没有提供"
            "（xxgk import --publisher-hint 可指定）。The publisher was found neither in the "
            "report nor in its source (xxgk import --publisher-hint names it).",
            {"publisher_printed": result.publisher}))
    if not result.report_year:
        checks.append(Check(
            YEAR_UNKNOWN, False,
            "未能确定报告年度：标题、统计期限和发布日期中都没有年份。The report year was found "
            "neither in the title, nor in the statistics period, nor in the publication date.",
            {"report_year": result.report_year}))
    return checks


def slim(parsed: Parsed) -> Parsed:
    """What the writer needs (archive/writer.py), so results cross the process boundary
    cheaply: of the Document its text, meta and kind (the offsets map, raw markup and grids are
    dropped); of a passing check its rule and detail (the writer keeps the numbers of failed
    checks only: a sixth of a result's pickled bytes)."""
    from dataclasses import replace

    if parsed.doc is not None:
        parsed.doc = replace(parsed.doc, offsets=[], raw="", tables=[], pages=[], ocr=[])
    parsed.result.checks = [replace(c, values={}) if c.ok and c.values else c
                            for c in parsed.result.checks]
    return parsed
