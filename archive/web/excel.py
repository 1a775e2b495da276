"""Excel-ready CSV and reader-friendly defaults, as one ASGI layer in front of Datasette.

- `…csv?…&_bom=1` is Datasette's own CSV with a UTF-8 byte order mark in front: Excel, which
  most newsrooms use, reads a CSV without one in the system code page and shows mojibake for
  Chinese. Every CSV link on the pages has an "Excel 用" twin with `_bom=1`; the plain CSV
  stays as it was for programs.
- The pages of views too large to count (UNCOUNTED_VIEWS) skip the count unless asked.
- The reports table page hides the whole text column (`_nocol=text`) and lists the newest
  years first (`_sort_desc=report_year`) unless the reader chose columns or an order, or is
  searching (a sorted search reads every matching report's text first: docs/performance.md).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

BOM = "\ufeff".encode()


def excel_url(url: str) -> str:
    """The same CSV link with `_bom=1` (and as a download)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("_bom", "_dl")]
    query += [("_bom", "1"), ("_dl", "1")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _wants_bom(scope: dict) -> bool:
    if not scope.get("path", "").endswith(".csv"):
        return False
    pairs = parse_qsl((scope.get("query_string") or b"").decode("latin-1"))
    return any(k == "_bom" and v not in ("", "0") for k, v in pairs)


# Views whose row count is a scan of 10^7 rows at national size (indicator_values: 5 s at
# 130,000 reports, docs/performance.md): their pages skip the count unless asked (&_count=1).
UNCOUNTED_VIEWS = {"indicator_values"}


def _reports_defaults(scope: dict, db_names: set[str]) -> bytes | None:
    """The query string for the reports table page with its reading defaults (and for the
    uncounted views, _nocount=1), or None when nothing is added."""
    path = scope.get("path", "")
    parts = path.strip("/").split("/")
    qs = scope.get("query_string") or b""
    keys = {k for k, _ in parse_qsl(qs.decode("latin-1"), keep_blank_values=True)}
    if len(parts) == 2 and parts[0] in db_names and parts[1].split(".")[0] in UNCOUNTED_VIEWS:
        if keys & {"_count", "_nocount"}:
            return None
        return (qs + b"&" if qs else b"") + b"_nocount=1"
    if len(parts) != 2 or parts[1] != "reports" or parts[0] not in db_names:
        return None  # only the HTML page (reports.json / reports.csv keep every column)
    extra = []
    if not keys & {"_col", "_nocol"}:
        extra.append("_nocol=text")
    if not keys & {"_sort", "_sort_desc", "_search"} and not any(
            k.startswith("_search_") for k in keys):
        extra.append("_sort_desc=report_year")
    if not extra:
        return None
    return (qs + b"&" if qs else b"") + "&".join(extra).encode()


def wrap(app, datasette):
    """ASGI app: Datasette with the BOM and the reports page's defaults."""

    async def excel_and_defaults(scope, receive, send):
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        names = {n for n in datasette.databases if not n.startswith("_")}
        qs = _reports_defaults(scope, names)
        if qs is not None:
            scope = dict(scope, query_string=qs)
        if not _wants_bom(scope):
            await app(scope, receive, send)
            return
        started = False

        async def send_with_bom(message):
            nonlocal started
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"content-length"]
                message = dict(message, headers=headers)
            elif message["type"] == "http.response.body" and not started:
                started = True
                message = dict(message, body=BOM + message.get("body", b""))
            await send(message)

        await app(scope, receive, send_with_bom)

    return excel_and_defaults
