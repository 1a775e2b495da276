"""The summary tables: facets, headline pages and saved queries read them, not the raw rows.

At national size (10^5 reports, 10^7 facts) a facet or a headline page computed from the raw
tables on every request takes seconds (docs/performance.md has the figures). These tables are
computed once per build that wrote anything, in one transaction; the `summaries_stale` mark
is set in the same transaction as every write, so a build interrupted before the refresh
leaves it set and the next build refreshes. A build that writes nothing refreshes nothing.
They are apart from the writer because they are computed from the whole archive after it, and
`xxgk serve` asks whether they are current (`summaries_current`) without building anything.
"""

from __future__ import annotations

import hashlib

import sqlite_utils

from archive import reference
from archive.meta import meta_get, meta_set
from archive.schema import VIEWS

SUMMARIES: dict[str, tuple[str, list[list[str]]]] = {
    # table -> (select that fills it, indexes)
    "headline_values": (
        # the values without their evidence columns (the view and the report page have them)
        "select {headline_columns} from report_values order by report_id",
        # One index per default facet (a facet is then a scan of a small index: province and
        # city took 45 ms each at 130,000 reports through the (year, province, city) index).
        [["report_year", "province", "city"], ["province"], ["city", "report_year"],
         ["publisher"], ["level"], ["era"], ["values_era"], ["report_id"]],
    ),
    # Counted on the compact rows by string id, then named (the same rows as a GROUP BY over
    # the facts and checks views, without looking up four strings for each of 10^7 facts).
    "fact_counts": (
        "select k.text as key, m.text as method, st.text as status, s.text as section, "
        "c.n_facts from (select key_id, method_id, status_id, section_id, count(*) as n_facts "
        "from fact_rows group by key_id, method_id, status_id, section_id) c "
        "left join strings k on k.id = c.key_id left join strings m on m.id = c.method_id "
        "left join strings st on st.id = c.status_id "
        "left join strings s on s.id = c.section_id order by key, method, status, section",
        [["key"]],
    ),
    "check_counts": (
        "select c.report_year, ru.text as rule, c.ok, c.n_checks, c.n_reports from ("
        "select r.report_year, c.rule_id, c.ok, count(*) as n_checks, "
        "count(distinct c.report_id) as n_reports from check_rows c "
        "join reports r on r.id = c.report_id group by r.report_year, c.rule_id, c.ok) c "
        "left join strings ru on ru.id = c.rule_id order by c.report_year, rule, c.ok",
        [["rule", "ok"]],
    ),
    # The failed_checks view, stored in the failing_checks query's order: listing every failed
    # check by rule and publisher sorted ~50,000 rows a year on each call (260 ms at 130,000
    # reports); read in index order, the first page is ready at once.
    "check_failures": (
        # kind and the Chinese explanation with the numbers (archive/check_kinds.py, data in
        # check_rules.tsv) are computed here once, not on each page.
        "select kind, name_zh, rule, publisher, report_year, era, "
        "xxgk_check_explain(rule, detail, numbers) as explanation, detail, numbers, report_id,"
        " report_key from failed_checks order by kind, rule, publisher, report_year, report_id",
        [["kind", "rule", "publisher", "report_year", "report_id"], ["rule"], ["report_year"],
         ["report_id"]],
    ),
    # The years each publisher has a report for: missing_reports probed the reports of every
    # publisher (10^5 index lookups, then a sort) on each call; this is one short row each.
    "publisher_years": (
        "select p.id as publisher_id, p.name as publisher, p.level, p.province, p.city, "
        "p.division_code, (select group_concat(report_year, ', ') from "
        "(select distinct report_year from reports r where r.publisher_id = p.id "
        "order by report_year)) as years_in_archive, "
        "(select count(*) from reports r where r.publisher_id = p.id) as n_reports "
        "from publishers p order by p.province, p.city, p.name",
        [["province", "city", "publisher"], ["publisher_id"]],
    ),
    # Coverage at a glance for the home page: reports and publishers per year and era.
    "coverage": (
        "select report_year, era, count(*) as n_reports, count(distinct publisher_id) as "
        "n_publishers from reports group by report_year, era order by report_year, era",
        [],
    ),
}


def summaries_current(db: sqlite_utils.Database) -> tuple[bool, str]:
    """Whether the summary tables are current, and the hash of the SQL that fills them."""
    from archive import headline

    # the summaries' SQL and the views they read (report_values, failed_checks …)
    want = hashlib.sha256("\n".join(
        [headline.view_sql(), *VIEWS.values(), reference.data_hash()]
        + [sql for sql, _ in SUMMARIES.values()]
    ).encode()).hexdigest()[:16]
    current = (meta_get(db, "summaries_stale") != "1"
               and meta_get(db, "summaries_sql") == want
               and all(db[t].exists() for t in SUMMARIES))
    return current, want


def refresh_summaries(db: sqlite_utils.Database, force: bool = False) -> bool:
    """Recompute the summary tables when a build wrote something (or their SQL changed)."""
    current, want = summaries_current(db)
    if current and not force:
        return False
    from archive import check_kinds, headline

    labels = dict(db.execute("select key, label_zh from indicators").fetchall())
    db.conn.create_function("xxgk_check_explain", 3,
                            lambda r, d, n: check_kinds.explain(r, d, n, labels))
    with db.atomic():
        for table, (sql, indexes) in SUMMARIES.items():
            sql = sql.replace("{headline_columns}", ", ".join(headline.value_columns()))
            db.execute(f"drop table if exists [{table}]")
            db.execute(f"create table [{table}] as {sql}")
            for cols in indexes:
                db.table(table).create_index(cols)
        # Planner statistics for the grown tables (sampled: quick even at 10^7 rows) ...
        db.execute("pragma analysis_limit = 1000")
        db.execute("analyze")
        # ... but exact for the tables the saved queries start from: a sample of 1,000 rows
        # sees one report year and told the planner that a year selects 1,000 of 130,000
        # reports, so districts_ranked scanned every report of the year (0.5 s instead of 40
        # ms). Exact statistics of these take 0.5 s at 130,000 reports.
        db.execute("pragma analysis_limit = 0")
        for table in ("reports", "publishers", *SUMMARIES):
            db.execute(f"analyze [{table}]")
        meta_set(db, "summaries_sql", want)
        meta_set(db, "summaries_stale", "0")
    return True
