"""The chart page, /-/xxgk/chart: an indicator over the years for one publisher (the `series`
saved query: gaps marked with their reason, legacy years through the concordance), or the
districts of a city side by side. A name that matches several publishers asks the reader to
choose one (two bodies are never drawn as one line); a name that matches none says so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup

from archive.web import chart


def _helpers():
    from archive import web  # the plugin module (this one is imported by it)

    return web._rows, web._db_name, web._db_query


STATUS_NOTE = {"no_report": "无报告", "not_stated": "未载明", "unreadable": "未能读取"}


async def _publisher_candidates(datasette, db_name: str, text: str) -> list[dict]:
    """Publishers a typed name may mean: exact name, a name printed in a report, an alias,
    a division code, the build's own resolver, else part of a name. Never merged."""
    from archive import publishers

    _rows = _helpers()[0]
    resolved = publishers.resolve(text)
    rows = await _rows(
        datasette, db_name,
        "select p.id, p.name, p.level, p.division_code, y.years_in_archive from publishers p"
        " left join publisher_years y on y.publisher_id = p.id where p.id in ("
        " select id from publishers where id = :p or id = :r"
        " union select publisher_id from publisher_names where name = :p"
        " union select canonical from publisher_aliases where alias = :p and relation = 'same'"
        " union select id from publishers where division_code = :p and level != '部门')"
        " order by p.level = '部门', length(p.name), p.id",
        {"p": text, "r": resolved.id if resolved else ""},
    )
    if rows or len(text) < 2:
        return rows
    return await _rows(
        datasette, db_name,
        "select p.id, p.name, p.level, p.division_code, y.years_in_archive from publishers p"
        " left join publisher_years y on y.publisher_id = p.id"
        " where p.name like '%' || :p || '%' order by p.level = '部门', length(p.name), p.id"
        " limit 50", {"p": text})


async def chart_page(datasette: Any, request: Any) -> Response:
    from archive.serve import _yaml

    _rows, _db_name, _db_query = _helpers()
    args = request.args
    db_name = _db_name(datasette, request)
    key = args.get("key") or "applications.new.total"
    publisher = (args.get("publisher") or "").strip()
    city = args.get("city") or ""
    year = args.get("year") or ""
    ind = await _rows(datasette, db_name, "select unit, label_zh, description from"
                      " indicators where key = :key", {"key": key})
    unit = ind[0]["unit"] if ind else ""
    label = ind[0]["label_zh"] if ind else key
    svg = Markup("")
    rows: list[dict] = []
    candidates: list[dict] = []
    mode = "none"
    message = ""
    title = ""
    if city and year:
        mode = "districts"
        rows = await _rows(
            datasette, db_name,
            "select p.county as label, p.name as publisher, v.value, r.id as report_id"
            " from publishers p join reports r on r.publisher_id = p.id"
            " and r.report_year = cast(:year as integer)"
            " join report_indicator_values v on v.report_id = r.id and v.key = :key"
            " where p.city = :city and p.level = '县/区' and v.value is not null"
            " order by v.value desc, p.division_code",
            {"city": city, "year": year, "key": key},
        )
        title = f"{city}各区县 {year} 年：{label}"
        svg = chart.bar_chart([(r["label"] or r["publisher"], r["value"]) for r in rows],
                              title, unit)
        if not rows:
            message = (f"{city} {year} 年没有区县载明此项"
                       "（或城市名称不对，请用“淮安市”这样的全称）。")
    elif publisher:
        mode = "trend"
        candidates = await _publisher_candidates(datasette, db_name, publisher)
        if not candidates:
            message = f"没有找到名称、别名或区划代码为“{publisher}”的单位。"
        elif len(candidates) > 1:
            mode = "choose"
            message = (f"“{publisher}”对应 {len(candidates)} 个不同的单位，"
                       "请选一个（不同单位从不合并）：")
        else:
            sql = _yaml("queries.yaml")["series"]["sql"]
            rows = await _rows(datasette, db_name, sql,
                               {"publisher": candidates[0]["id"], "indicator": key})
            if rows:
                title = f"{rows[0]['publisher']}：{label}"
                svg = chart.line_chart(
                    [(str(r["year"]), r["value"]) for r in rows], title, unit,
                    {str(r["year"]): STATUS_NOTE[r["status"]] for r in rows
                     if r["status"] in STATUS_NOTE})
            else:
                message = f"{candidates[0]['name']} 没有此指标的数据。"
            if rows and all(r["value"] is None for r in rows):
                message = f"{candidates[0]['name']} 的报告都没有载明“{label}”。"
    keys = await _rows(datasette, db_name, "select key, label_zh from indicators order by key")
    db_query = _db_query(datasette, db_name)
    for c in candidates:
        c["href"] = datasette.urls.path("/-/xxgk/chart?") + urlencode(
            {"publisher": c["id"], "key": key, **({"db": db_name} if db_query else {})})
    return Response.html(
        await datasette.render_template(
            "xxgk_chart.html",
            {
                "svg": svg,
                "rows": rows,
                "mode": mode,
                "key": key,
                "label": label,
                "publisher": publisher,
                "city": city,
                "year": year,
                "unit": unit,
                "keys": keys,
                "title_text": title or label,
                "message": message,
                "candidates": candidates,
                "db_query": db_query,
                "db_name": db_name,
            },
            request=request,
        )
    )
