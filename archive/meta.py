"""The `meta` table's marks (name -> value) and the one-statement upsert that writes them.

The build keeps its state there: the hashes of the reference files, `summaries_stale` (set in
every write transaction, cleared by the summary refresh) and `summaries_sql`. These helpers are
a module of their own because the writer, the summaries, the reference tables, the build and
`xxgk build --per-year` all read or set such marks, and the writer upserts its rows the same way.
"""

from __future__ import annotations

import sqlite_utils


def meta_get(db: sqlite_utils.Database, name: str) -> str | None:
    row = db.execute("select value from meta where name = ?", [name]).fetchone()
    return row[0] if row else None


def meta_set(db: sqlite_utils.Database, name: str, value: str) -> None:
    upsert(db, "meta", {"name": name, "value": value}, "name")


def upsert(db: sqlite_utils.Database, table: str, row: dict, pk: str) -> None:
    """Insert `row`, or update its columns where `pk` exists: sqlite-utils' upsert in one
    statement, without its per-call look at the schema (a tenth of the writer's time)."""
    cols = list(row)
    db.conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values "
        f"({', '.join('?' for _ in cols)}) on conflict ([{pk}]) do update set "
        + ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != pk), list(row.values()))
