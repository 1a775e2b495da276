"""What the Chinese pages need besides Datasette's own context: labels of tables, columns,
filters and query parameters, and the home page's coverage and questions.

Labels come from the metadata (archive/metadata/tables.yaml, columns_zh.yaml): a column's
label is its description up to the first "："; the English name stays beside it as a
secondary label for SQL users.
"""

from __future__ import annotations

from archive.web import excel

# Datasette's filter operators (datasette.filters), in Chinese.
LOOKUPS_ZH = {
    "exact": "等于", "not": "不等于", "contains": "包含", "endswith": "结尾是",
    "startswith": "开头是", "gt": "大于", "gte": "大于或等于", "lt": "小于", "lte": "小于或等于",
    "like": "like（SQL 通配）", "notlike": "not like（SQL 通配）", "glob": "glob（通配）",
    "in": "属于（逗号分隔或 JSON 列表）", "notin": "不属于", "arraycontains": "数组包含",
    "arraynotcontains": "数组不包含", "date": "日期是", "isnull__1": "为空值",
    "notnull__1": "不为空值", "isblank__1": "为空白", "notblank__1": "不为空白",
    "isnull": "为空值", "notnull": "不为空值", "isblank": "为空白", "notblank": "不为空白",
}
PARAMS_ZH = {"publisher": "单位", "indicator": "指标键", "key": "指标键", "city": "城市",
             "year": "年度", "rule": "规则（可留空）", "report": "报告编号", "q": "搜索词"}

# The home page's questions: saved query, example parameters (from the bundled corpus).
QUESTIONS = [
    ("series", {"publisher": "平潭综合实验区管理委员会", "indicator": "applications.new.total"}),
    ("requests_over_years", {"publisher": "平潭综合实验区"}),
    ("districts_ranked", {"city": "淮安市", "year": "2024", "key": "applications.new.total"}),
    ("contradictions", {"rule": ""}),
    ("unread_checks", {"rule": ""}),
    ("missing_reports", {"year": "2022"}),
    ("search_sections", {"q": "复议"}),
]


def template_vars() -> dict:
    """Functions the translated templates call."""
    from archive.serve import column_labels, table_docs

    docs = table_docs()
    labels = column_labels()

    def col_zh(name: str) -> str:
        return labels.get(name, name)

    def table_title(name: str) -> str:
        doc = docs.get(name)
        return doc.get("title", name) if doc else name

    def table_description(name: str) -> str:
        doc = docs.get(name)
        return doc["description"] if doc else ""

    def crumb_zh(label: str) -> str:
        if label == "home":
            return "首页"
        return docs[label].get("title", label) if label in docs else f"档案库 {label}"

    def lookup_zh(key: str, display: str) -> str:
        return LOOKUPS_ZH.get(key, display)

    def param_zh(name: str) -> str:
        return PARAMS_ZH.get(name, col_zh(name))

    return {"col_zh": col_zh, "table_title": table_title, "table_description":
            table_description, "lookup_zh": lookup_zh, "param_zh": param_zh, "crumb_zh": crumb_zh,
            "excel_csv": excel.excel_url}


async def home_vars(datasette, db_name: str) -> dict:
    """Coverage at a glance and the questions, for the home page (index.html)."""
    from urllib.parse import urlencode

    db = datasette.get_database(db_name)
    coverage: list[dict] = []
    totals = {"reports": 0, "publishers": 0, "latest": None}
    try:
        coverage = [dict(r) for r in (await db.execute(
            "select report_year, era, n_reports, n_publishers from coverage "
            "order by report_year desc, era")).rows]
        totals["reports"] = sum(r["n_reports"] for r in coverage)
        totals["publishers"] = (await db.execute(
            "select count(*) from publishers")).rows[0][0]
        totals["latest"] = (await db.execute(
            "select max(coalesce(fetched_at, recorded_at)) from document_urls")).rows[0][0]
    except Exception:  # an archive built before the coverage summary: the page still works
        pass
    queries = datasette.metadata("queries", database=db_name) or {}
    questions = [
        {"title": queries[name].get("title", name), "name": name,
         "description": queries[name].get("description", ""),
         "href": datasette.urls.query(db_name, name) + "?" + urlencode(params)}
        for name, params in QUESTIONS if name in queries
    ]
    years: dict[int, dict] = {}
    for r in coverage:
        y = years.setdefault(r["report_year"], {"year": r["report_year"], "n": 0, "eras": []})
        y["n"] += r["n_reports"]
        y["eras"].append(f"{r['era']} {r['n_reports']}")
    return {"coverage": list(years.values()), "totals": totals, "questions": questions,
            "search_action": datasette.urls.query(db_name, "search_reports"),
            "home_db": db_name}
