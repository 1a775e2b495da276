"""Chinese full-text search: per-character index, phrase queries, recall on the corpus."""

from __future__ import annotations

import re

import pytest
import sqlite_utils

from archive.search import excerpt, fts_query, index_text, register_functions, tokens
from testkit.archives import corpus_archive


def test_query_becomes_a_phrase_of_characters():
    assert fts_query("复议") == '"复 议"'
    assert fts_query('信息处理费 "依申请 公开"') == '"信 息 处 理 费" "依 申 请 公 开"'
    assert fts_query("ＡＢＣ 2019年") == '"ABC" "2019 年"'  # NFKC: full-width letters and digits
    assert fts_query('"') == '""' and fts_query("") == '""'  # matches nothing, no syntax error
    assert tokens("行政复议") == ["行", "政", "复", "议"]
    assert index_text("未收取信息处理费") == " 未  收  取  信  息  处  理  费 "


def test_excerpt_finds_the_words_across_spaces():
    text = "前文" * 50 + "申请行政 复议2件" + "后文" * 50
    out = excerpt(text, "复议", width=4)
    assert out == "…请行政 复议2件后文…"  # 4 characters each side


def test_excerpt_window_holds_the_words():
    # NFKC makes "……" six characters: the window is cut from the text the words were found in.
    text = "……" * 40 + "收取信息处理费0元" + "后文" * 50
    assert excerpt(text, "信息处理费", width=2) == "…收取信息处理费0元…"
    # Words present only in NFKC form (full-width digits) are found there.
    assert excerpt("前文" * 50 + "２０２３年" + "后文" * 50, "2023年", width=2) == "…前文2023年后文…"


@pytest.fixture(scope="module")
def db(corpus, tmp_path_factory) -> sqlite_utils.Database:
    base = tmp_path_factory.getbasetemp()
    db = sqlite_utils.Database(corpus_archive(base, base / "search" / "a.db"))
    register_functions(db.conn)
    return db


def _contains(text: str | None, word: str) -> bool:
    # What a reader means by "the text contains the word": ignoring spaces and line breaks.
    return bool(text) and word in re.sub(r"\s+", "", text)


@pytest.mark.parametrize("word", ["复议", "依申请公开", "信息处理费", "行政诉讼", "费"])
def test_recall_and_precision_on_the_corpus(db, word):
    expected_reports = {r["id"] for r in db.query("select id, text from reports")
                        if _contains(r["text"], word)}
    found = {r[0] for r in db.execute(
        "select rowid from reports_fts where reports_fts match xxgk_fts_query(?)", [word])}
    assert expected_reports, f"{word} should occur in the corpus"
    assert found == expected_reports  # recall and precision 100%
    expected_sections = {r["id"] for r in db.query("select id, heading, text from sections")
                         if _contains(r["text"], word) or _contains(r["heading"], word)}
    found_sections = {r[0] for r in db.execute(
        "select rowid from sections_fts where sections_fts match xxgk_fts_query(?)", [word])}
    assert found_sections == expected_sections


def test_fuyi_is_found_in_every_report_that_has_it(db):
    n = db.execute("select count(*) from reports where replace(replace(text, ' ', ''), "
                   "char(10), '') like '%复议%'").fetchone()[0]
    hits = db.execute("select count(*) from reports_fts where reports_fts match "
                      "xxgk_fts_query('复议')").fetchone()[0]
    assert n >= 15 and hits == n
