"""How facts, sections, checks and values are stored: compact rows behind the public views.

A reader sees `facts`, `sections`, `checks` and `report_indicator_values` with the columns they
always had (Datasette pages, saved queries, exports, plain SQL). Since schema version 2 they are
views over compact tables, because one year of reports stored as before took ~215 KB a report
(29 GB a year), four fifths of it repeated text (docs/performance.md, docs/decisions.md):

- `strings`: every label, key, unit, section, row and column label, check rule and check
  detail once, with an integer id (`*_id` columns point at it). A table cell's row label, a
  key, a check's detail repeat in every report; here they are 1–3 bytes a row.
- `fact_rows`: a fact's evidence is a span of its report's clean text (`evidence_start`,
  `evidence_end`, character offsets like `start`/`end`); the view cuts the sentence out of
  `reports.text`. A table cell's evidence is its row, cells joined by " | " and merged labels
  from the rows above first: where the text holds the row as one line of tab-separated cells,
  the row is that line with its tabs shown as " | " after the merged labels (`evidence_id`);
  otherwise the row is kept whole in `strings` (`evidence_form` says which). The writer
  checks that the view gives back exactly the parser's evidence, else it keeps it whole.
- `section_rows`: a section's text is the span `start`–`end` of its report's text.
- `check_rows`: a failed check keeps its detail and numbers; a passing check keeps its rule and
  detail (the formula with its numbers, as text) and no JSON numbers, which restate the detail
  and the report's values.
- `value_rows`: a value with the seq of the fact it was read from (`fact_seq`: a table cell
  before prose, then the first stated; `unstated_seq`: a blank or dash cell of the key when no
  fact states a number), so evidence is one lookup by primary key, and the facts need no index
  by key.

All four are WITHOUT ROWID tables keyed (report_id, seq) or (report_id, key_id): the primary key
is the table, with no second copy in an index. Deleting through a view works (INSTEAD OF
triggers) for tools and tests that delete a report's rows.
"""

from __future__ import annotations

import contextlib

import sqlite_utils

# Public view -> storage table: the columns a reader sees are the views' (archive/schema.py
# VIEWS keep the order and names of the tables they replace).
STORAGE_TABLES: dict[str, str] = {
    "strings": """create table if not exists strings (
  id integer primary key,
  text text not null unique)""",
    "fact_rows": """create table if not exists fact_rows (
  report_id integer not null references reports(id), seq integer not null,
  key_id integer, value any, unit_id integer, label_id integer,
  evidence_form integer, evidence_start integer, evidence_end integer, evidence_id integer,
  section_id integer, method_id integer, status_id integer, start integer, end integer,
  raw text, percent_of any, table_id integer, row_id integer, column_id integer,
  version_id integer, note text, confidence float,
  primary key (report_id, seq)) without rowid""",
    "section_rows": """create table if not exists section_rows (
  id integer primary key, report_id integer not null references reports(id),
  seq integer not null, number text, heading text, level integer, key text,
  parent_seq integer, start integer, end integer)""",
    "check_rows": """create table if not exists check_rows (
  report_id integer not null references reports(id), seq integer not null,
  rule_id integer, ok integer, detail_id integer, numbers text,
  primary key (report_id, seq)) without rowid""",
    "value_rows": """create table if not exists value_rows (
  report_id integer not null references reports(id), key_id integer not null,
  value any, note text, fact_seq integer, unstated_seq integer,
  primary key (report_id, key_id)) without rowid""",
}

STORAGE_INDEXES = [
    "create index if not exists section_rows_report on section_rows (report_id, seq)",
    # Failed checks only (1% of 5 million a year): a rule's failures are an index range.
    "create index if not exists check_rows_failed on check_rows (rule_id, report_id) "
    "where ok = 0",
]


def _s(alias: str, column: str) -> str:
    return f"left join strings {alias} on {alias}.id = {column}"


# The views, in the column order of the tables they replace.
VIEWS: dict[str, str] = {
    "facts": f"""
select f.report_id, f.seq, k.text as key, f.value, u.text as unit, l.text as label,
  case f.evidence_form
    when 0 then substr(r.text, f.evidence_start + 1, f.evidence_end - f.evidence_start)
    when 1 then coalesce(e.text, '') || replace(substr(r.text, f.evidence_start + 1,
      f.evidence_end - f.evidence_start), char(9), ' | ')
    when 2 then e.text end as evidence,
  s.text as section, m.text as method, st.text as status, f.start, f.end, f.raw,
  f.percent_of, t.text as table_name, rl.text as row_label, cl.text as column_label,
  v.text as version, f.note, f.confidence
from fact_rows f
left join reports r on r.id = f.report_id
{_s('k', 'f.key_id')} {_s('u', 'f.unit_id')} {_s('l', 'f.label_id')} {_s('e', 'f.evidence_id')}
{_s('s', 'f.section_id')} {_s('m', 'f.method_id')} {_s('st', 'f.status_id')}
{_s('t', 'f.table_id')} {_s('rl', 'f.row_id')} {_s('cl', 'f.column_id')}
{_s('v', 'f.version_id')}
""",
    "sections": """
select s.id, s.report_id, s.seq, s.number, s.heading, s.level, s.key, s.parent_seq, s.start,
  s.end, substr(r.text, s.start + 1, s.end - s.start) as text
from section_rows s left join reports r on r.id = s.report_id
""",
    "checks": f"""
select c.report_id, c.seq, ru.text as rule, c.ok, d.text as detail, c.numbers
from check_rows c {_s('ru', 'c.rule_id')} {_s('d', 'c.detail_id')}
""",
    "report_indicator_values": f"""
select v.report_id, k.text as key, v.value, v.note, v.fact_seq, v.unstated_seq
from value_rows v {_s('k', 'v.key_id')}
""",
}

# Deleting a report's rows through the public names (tools, tests, a reader's own SQL on a
# writable copy) deletes the stored rows.
TRIGGERS = {
    "facts_delete": "instead of delete on facts begin delete from fact_rows "
                    "where report_id = old.report_id and seq = old.seq; end",
    "sections_delete": "instead of delete on sections begin delete from section_rows "
                       "where id = old.id; end",
    "checks_delete": "instead of delete on checks begin delete from check_rows "
                     "where report_id = old.report_id and seq = old.seq; end",
    "report_indicator_values_delete": (
        "instead of delete on report_indicator_values begin delete from value_rows "
        "where report_id = old.report_id and key_id = (select id from strings "
        "where text = old.key); end"),
}

# Tables of schema version 1 that the views replace (their rows are rewritten by the next
# build: see `migrate_v1`).
V1_TABLES = ("facts", "sections", "checks", "report_indicator_values")


def is_v1(db: sqlite_utils.Database) -> bool:
    """True for an archive whose facts are still a table (schema version 1)."""
    row = db.execute("select type from sqlite_master where name = 'facts'").fetchone()
    return bool(row) and row[0] == "table"


def migrate_v1(db: sqlite_utils.Database) -> None:
    """Bring a version-1 archive to the compact layout, in the caller's transaction.

    The facts, sections, checks and values of version 1 are derived rows: the stored documents
    (blobs, documents, their URLs and provenance) are their source and are not touched. They are
    dropped with the full-text index and every report and parse is marked for reparsing, so the
    next `xxgk build` rewrites each report under the same id, compactly. Until then the reports
    are listed without their facts (`xxgk build` prints what it rewrote)."""
    for name in ("failed_checks", "indicator_values", "report_values"):
        db.execute(f"drop view if exists [{name}]")
    for name in V1_TABLES:
        db.execute(f"drop table if exists [{name}]")
    for fts in ("sections_fts", "reports_fts"):
        db.execute(f"drop table if exists [{fts}]")
    db.execute("update parses set parser_version = null")
    db.execute("update reports set parser_version = null, n_sections = 0, n_facts = 0,"
               " n_failed_checks = 0")
    db.execute("insert or replace into meta (name, value) values ('summaries_stale', '1')")
    # the reports keep their texts: archive.search.ensure_fts indexes them again (contentless)
    db.execute("insert or replace into meta (name, value) values ('fts_tokens', 'v1')")


class Strings:
    """Ids of interned strings for one writer connection (a bounded cache in front of the
    `strings` table). Cleared when a transaction rolls back: ids it handed out may be gone."""

    MAX_CACHED = 200_000

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        # Never holds None, but is asked for it: the writer looks up a missing label directly.
        self.cache: dict[str | None, int] = {}

    def id(self, text: str | None) -> int | None:
        if text is None:
            return None
        found = self.cache.get(text)
        if found is not None:
            return found
        conn = self.db.conn
        row = conn.execute("select id from strings where text = ?", [text]).fetchone()
        if row is None:
            found = conn.execute("insert into strings (text) values (?)", [text]).lastrowid
            assert found is not None  # an insert gives its row's id
        else:
            found = row[0]
        if len(self.cache) >= self.MAX_CACHED:
            self.cache.clear()
        self.cache[text] = found
        return found

    def forget(self) -> None:
        self.cache.clear()

    @contextlib.contextmanager
    def guard(self):
        """Forget the cache when the block fails: its transaction is rolled back, and with
        it the strings it added."""
        try:
            yield self
        except BaseException:
            self.forget()
            raise

    @classmethod
    def of(cls, db: sqlite_utils.Database) -> Strings:
        """The writer's interner for this connection (kept on the Database object)."""
        found = getattr(db, "_xxgk_strings", None)
        if found is None or found.db is not db:
            found = cls(db)
            db._xxgk_strings = found  # type: ignore[attr-defined]
        return found


# evidence_form: how a fact's evidence is stored (the facts view undoes it)
SPAN, ROW_LINE, WHOLE = 0, 1, 2


def evidence_form(text: str, evidence: str | None, start: int,
                  end: int) -> tuple[int | None, int | None, int | None, str | None]:
    """(form, span start, span end, string to intern) for a fact's evidence; the facts view
    gives back exactly `evidence` from them (checked here, else the evidence is kept whole)."""
    if evidence is None:
        return None, None, None, None
    n = len(evidence)
    i = text.find(evidence, max(0, end - n), start + n)
    if i >= 0 and i <= start and end <= i + n:
        return SPAN, i, i + n, None
    # a table row: the line holding the cell, tab-separated, after merged labels
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b < 0 else b
    if "\t" in text[a:b]:
        shown = text[a:b].replace("\t", " | ")
        if evidence.endswith(shown):
            prefix = evidence[: n - len(shown)]
            return ROW_LINE, a, b, prefix or None
    i = text.find(evidence)
    if i >= 0:
        return SPAN, i, i + n, None
    return WHOLE, None, None, evidence


def fact_sources(facts: list, num) -> dict[str, tuple[int | None, int | None]]:
    """Per key: the seq of the fact a value is read from (a table cell before prose, then the
    first stated; among facts with a number) and, when no fact states one, the first fact of
    the key (a blank or dash cell) — the rule archive/evidence.py gives readers."""
    stated: dict[str, tuple[bool, int]] = {}
    unstated: dict[str, tuple[bool, int]] = {}
    for seq, f in enumerate(facts):
        if not f.key:
            continue
        rank = (f.method != "table", seq)
        if rank < unstated.get(f.key, (True, 1 << 62)):
            unstated[f.key] = rank
        if num(f.value) is not None and rank < stated.get(f.key, (True, 1 << 62)):
            stated[f.key] = rank
    return {k: (stated[k][1] if k in stated else None,
                None if k in stated else unstated[k][1]) for k in unstated}
