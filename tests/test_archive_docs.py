"""docs/journalists.md: its example SQL runs on the corpus archive and every headline column
is explained."""

from __future__ import annotations

import re

import pytest
import sqlite_utils

from archive import headline
from archive.search import register_functions
from testkit.archives import corpus_archive
from xxgk import settings

DOC = settings.ROOT / "docs" / "journalists.md"


def test_every_headline_column_is_explained():
    text = DOC.read_text(encoding="utf-8")
    for col in headline.columns():
        assert f"| `{col.name}` | {col.unit} |" in text, col.name


@pytest.fixture(scope="module")
def db(corpus, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    db = sqlite_utils.Database(corpus_archive(base, base / "docs" / "a.db"))
    register_functions(db.conn)
    return db


def test_the_five_example_queries_run_and_answer(db):
    queries = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(queries) == 5
    results = [list(db.query(sql)) for sql in queries]
    assert all(results), "every example returns rows on the corpus"
    by_year = {r["report_year"]: r["new_requests"] for r in results[0]}
    assert by_year[2012] == 0 and by_year[2021] == 70 and by_year[2023] == 81
    assert results[1][0]["county"] == "洪泽区"
