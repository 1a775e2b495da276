"""Our Datasette plugin: Chinese search functions, the report page, raw documents, charts.

Routes (all read-only):
  /-/xxgk/report/<id>     a report: headline values, sections, facts with evidence, failed
                          checks, its versions, links to the original URL and raw bytes
  /-/xxgk/raw/<sha256>    the stored raw bytes, as a download (never rendered as our HTML)
  /-/xxgk/page-image/<sha256>/<page>  a page of a stored PDF (or a stored image) as a PNG,
                          for the pages the report page lists as read by OCR
  /-/xxgk/chart           ?publisher=&key=  an indicator over the years (line)
                          ?city=&year=&key= the districts of a city in one year (bars)

Every value is rendered by Jinja with autoescape (Datasette's default), so scraped text with
<script> shows as text. URLs from documents become links only when they are http(s).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from archive import check_kinds, evidence, headline, search
from archive.web import excel, ocr, pages, trend

PLUGIN = "xxgk"


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: registered after Datasette's own escape_fts, so ours is the one in effect.
    search.register_functions(conn)


def _db_name(datasette, request=None) -> str:
    """The archive a page reads: ?db=<name> when several archives are served together (one
    per year, say: docs/performance.md), else the first one."""
    wanted = request.args.get("db") if request is not None else None
    if wanted:
        if wanted.startswith("_") or wanted not in datasette.databases:
            raise NotFound(f"no archive database {wanted!r}")
        return wanted
    config = datasette.plugin_config(PLUGIN) or {}
    if config.get("database"):
        return config["database"]
    for name in datasette.databases:
        if not name.startswith("_"):
            return name
    raise NotFound("no archive database")


def _ids_across(datasette) -> bool:
    """True when report ids do not repeat across the archives served (per-year files): a
    report link then needs no ?db=, the report page finds the archive (archive/across.py)."""
    return bool((datasette.plugin_config(PLUGIN) or {}).get("ids_across"))


async def _archive_of(datasette, report_id: int) -> str | None:
    """The archive that holds a report id, when ids do not repeat across archives."""
    if not _ids_across(datasette):
        return None
    for name, db in datasette.databases.items():
        if name.startswith("_"):
            continue
        if (await db.execute("select 1 from reports where id = ?", [report_id])).rows:
            return name
    return None


def _db_query(datasette, db_name: str) -> str:
    """The query string that keeps a link on `db_name` ("" for the default archive)."""
    return "" if db_name == _db_name(datasette) else "?" + urlencode({"db": db_name})


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links (a scraped javascript: URL must not)."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Report numbers link to the report page wherever they appear."""
    if column == "fact_link" and isinstance(value, str) and value.startswith(
            evidence.REPORT_PATH) and (not database.startswith("_") or _ids_across(datasette)):
        href = datasette.urls.path(value)
        return Markup(f'<a href="{escape(href)}">查看出处</a>')
    is_report_column = column == "report_id" or (table == "reports" and column == "id")
    if not is_report_column:
        return None
    label = None
    if isinstance(value, dict):  # a foreign key Datasette expanded to {value, label}
        value, label = value.get("value"), value.get("label")
    if database.startswith("_") and not _ids_across(datasette):
        return None  # SQL across archives whose ids repeat: which archive it is from is unknown
    if isinstance(value, int) and not isinstance(value, bool):
        text = escape(label if label and label != value else value)
        # from _memory (queries across per-year files) the report page finds the file
        query = "" if database.startswith("_") else _db_query(datasette, database)
        href = f'{datasette.urls.path("/-/xxgk/report/")}{value}{query}'
        return Markup(f'<a href="{escape(href)}">{text}</a>')
    return None


def _is_search(query_string: bytes) -> bool:
    """True for a table page's full-text search (?_search= or ?_search_<column>=) that does
    not say whether to count (_nocount, or our _count=1 to have the count)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    keys = {k for k, _ in pairs}
    searching = any((k == "_search" or k.startswith("_search_")) and v for k, v in pairs)
    return searching and not keys & {"_nocount", "_count"}


@hookimpl
def asgi_wrapper(datasette):
    """Search pages skip the count of all matches (?_nocount=1) unless asked for it.

    Datasette counts a search's matches by looking every matching row up in the table: for a
    common word in the sections of a national archive that is ~93,000 lookups in a 3.9
    million-row table, two thirds of the page's time (479 ms against 160 ms without; see
    docs/performance.md). The rows, their order and the next-page link are unchanged; a
    reader who wants the number adds &_count=1 (Datasette ignores unknown _ arguments)."""

    def wrap(app):
        async def skip_search_counts(scope, receive, send):
            if scope.get("type") == "http" and _is_search(scope.get("query_string") or b""):
                scope = dict(scope, query_string=scope["query_string"] + b"&_nocount=1")
            await app(scope, receive, send)

        # outermost: the reports page's defaults and Excel's BOM (archive/web/excel.py)
        return excel.wrap(skip_search_counts, datasette)

    return wrap


@hookimpl
def extra_template_vars(view_name, datasette, request):
    """Chinese labels for the translated templates; coverage and questions on the home page."""

    async def inner():
        out = pages.template_vars()
        if view_name == "index":
            out.update(await pages.home_vars(datasette, _db_name(datasette)))
        return out

    return inner


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/"), "label": "首页"},
            {"href": datasette.urls.database(_db_name(datasette)) + "#queries",
             "label": "常用问题"},
            {"href": datasette.urls.path("/-/xxgk/chart"), "label": "历年走势图"}]


@hookimpl
def register_routes():
    return [
        (r"^/-/xxgk/report/(?P<report_id>\d+)$", report_page),
        (r"^/-/xxgk/raw/(?P<sha>[0-9a-f]{64})$", raw_document),
        (r"^/-/xxgk/chart$", trend.chart_page),
        (r"^/-/xxgk/page-image/(?P<sha>[0-9a-f]{64})/(?P<page>\d{1,4})$", ocr.page_image),
    ]


async def _rows(datasette, db_name: str, sql: str, params: dict | None = None) -> list[dict]:
    db = datasette.get_database(db_name)
    result = await db.execute(sql, params or {})
    return [dict(r) for r in result.rows]


async def report_page(datasette, request):
    report_id = int(request.url_vars["report_id"])
    db_name = _db_name(datasette, request)
    reports = await _rows(
        datasette, db_name,
        "select r.*, p.name as publisher, p.level, p.division_code, p.province, p.city,"
        " p.county, p.parent_id from reports r left join publishers p on p.id = r.publisher_id"
        " where r.id = :id",
        {"id": report_id},
    )
    if not reports:
        found = None if request.args.get("db") else await _archive_of(datasette, report_id)
        if found and found != db_name:  # a link from a query across per-year archives
            query = [(k, v) for k, v in parse_qsl(request.query_string) if k != "db"]
            return Response.redirect(f"{request.path}?{urlencode([*query, ('db', found)])}")
        raise NotFound(f"no report {report_id}")
    report = reports[0]
    sections = await _rows(
        datasette, db_name,
        "select seq, number, heading, level, key, start, end, text from sections"
        " where report_id = :id order by seq",
        {"id": report_id},
    )
    facts = await _rows(
        datasette, db_name,
        "select f.*, i.label_zh from facts f left join indicators i on i.key = f.key"
        " where report_id = :id order by seq",
        {"id": report_id},
    )
    failed = await _rows(
        datasette, db_name,
        "select rule, detail, numbers from checks where report_id = :id and ok = 0 order by seq",
        {"id": report_id},
    )
    labels = {r["key"]: r["label_zh"] for r in facts if r.get("key")}
    for c in failed:
        r = check_kinds.rule(c["rule"])
        c.update(kind=r.kind, kind_zh=check_kinds.KIND_ZH[r.kind], name_zh=r.name_zh,
                 explanation=check_kinds.explain(c["rule"], c["detail"], c["numbers"], labels))
    failed.sort(key=lambda c: c["kind"] != "contradiction")
    highlight = _highlight(request, facts, sections)
    n_checks = (await _rows(datasette, db_name,
                            "select count(*) as n from checks where report_id = :id",
                            {"id": report_id}))[0]["n"]
    versions = await _rows(
        datasette, db_name,
        "select rd.document_id, rd.is_primary, rd.seen_at, d.size, d.kind, d.media_type,"
        " (select group_concat(coalesce(u.url, u.path), ' | ') from document_urls u"
        "  where u.document_id = rd.document_id) as sources"
        " from report_documents rd join documents d on d.id = rd.document_id"
        " where rd.report_id = :id order by rd.is_primary desc, rd.seen_at desc",
        {"id": report_id},
    )
    values = (await _rows(datasette, db_name, "select * from report_values where report_id = :id",
                          {"id": report_id}))[0]
    db_query = _db_query(datasette, db_name)
    headline_rows = [
        {
            "name": col.name,
            "label_zh": col.label_zh,
            "value": values.get(col.name),
            "evidence": values.get(col.evidence_name),
            "unit": col.unit,
            "description": col.description_zh,
            "chart": (
                datasette.urls.path("/-/xxgk/chart?")
                + urlencode({"publisher": report["publisher_id"] or "",
                             "key": (col.keys or (col.legacy,))[0],
                             **({"db": db_name} if db_query else {})})
            ) if report["publisher_id"] and (col.keys or col.legacy) else None,
        }
        for col in headline.columns()
    ]
    return Response.html(
        await datasette.render_template(
            "xxgk_report.html",
            {
                "report": report,
                "original_url": safe_url(report["url"]),
                "sections": sections,
                "facts": facts,
                "failed": failed,
                "highlight": highlight,
                "n_checks": n_checks,
                "versions": versions,
                "headline": headline_rows,
                "values_era": values.get("values_era"),
                "db_name": db_name,
                "facts_url": datasette.urls.table(db_name, "facts") + f"?report_id={report_id}",
                "facts_csv": datasette.urls.table(db_name, "facts", format="csv")
                + f"?report_id={report_id}&_size=max",
                "facts_json": datasette.urls.table(db_name, "facts", format="json")
                + f"?report_id={report_id}&_shape=array&_size=max",
                "raw_base": datasette.urls.path("/-/xxgk/raw/"),
                "db_query": db_query,
                "ocr_regions": await ocr.regions(datasette, db_name, report_id),
            },
            request=request,
        )
    )


def _highlight(request, facts: list[dict], sections: list[dict]) -> dict | None:
    """The fact a link points at (?fact=<seq>): marked in the facts table, and in the text of
    the innermost section that holds it (split around its offsets, escaped by the template)."""
    try:
        seq = int(request.args.get("fact", ""))
    except ValueError:
        return None
    fact = next((f for f in facts if f["seq"] == seq), None)
    if fact is None:
        return None
    out = {"seq": seq, "fact": fact, "section_seq": None}
    start, end = fact.get("start"), fact.get("end")
    if start is None or end is None:
        return out
    holders = [s for s in sections if s["start"] is not None and s["start"] <= start
               and end <= (s["end"] or 0)]
    if holders:
        sec = max(holders, key=lambda s: (s["level"] or 0, s["start"]))
        a, b = start - sec["start"], end - sec["start"]
        out.update(section_seq=sec["seq"], before=sec["text"][:a], marked=sec["text"][a:b],
                   after=sec["text"][b:])
    return out


async def raw_document(datasette, request):
    sha = request.url_vars["sha"]
    db_name = _db_name(datasette, request)
    rows = await _rows(
        datasette, db_name,
        "select b.data, b.compression, d.media_type, d.kind, d.filename from blobs b"
        " join documents d on d.id = b.sha256 where b.sha256 = :sha",
        {"sha": sha},
    )
    if not rows:
        raise NotFound("no such document")
    row = rows[0]
    suffixes = {"pdf": "pdf", "docx": "docx", "doc": "doc", "html": "html", "text": "txt"}
    ext = suffixes.get(row["kind"] or "", "bin")
    filename = row["filename"] or f"{sha[:16]}.{ext}"
    from archive.store import unpack

    return Response(
        unpack(row["data"], row["compression"]),
        content_type=row["media_type"] or "application/octet-stream",
        headers={
            # A scraped page is the publisher's HTML, not ours: download it, never render it
            # on this origin (its scripts would run with the archive's cookies).
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
