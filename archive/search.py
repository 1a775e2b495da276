"""Chinese full-text search: a per-character FTS5 index queried as phrases.

SQLite's default `unicode61` tokenizer treats a run of Chinese characters as one token, so
"复议" never matches "行政复议"; the `trigram` tokenizer cannot match words shorter than three
characters (复议). Word segmentation (jieba) fixes the first only where the query happens to be
cut the same way as the text around it: jieba cuts "信息处理费" as 信息处理|费 and a sentence
may hold 信息|处理|费. We index every CJK character as a token of its own (text is NFKC
normalised and a space put around each ideograph) and turn a query into a phrase of its
characters: "复议" -> "复 议". A phrase must match consecutive tokens, so a query finds
exactly the texts that contain it as a substring (the recall of LIKE, at index speed, and across
the spaces and line breaks that PDF extraction leaves between characters). Latin words and
numbers stay whole words. BM25 ranking still works on the character tokens.

`fts_query()` is registered in Datasette under the name `escape_fts` (the function its search
box and `?_search=` call), so Datasette's own search uses the same transformation.

The FTS5 tables are contentless (`content=''`): they hold the index only, not a second copy of
the spaced-out text (a third of the bytes of full-text search; the texts are in `reports` and,
as spans of them, `sections`). A contentless table forgets a row only when told the tokens it
indexed, so `unindex` is given the rows' texts as stored, and `TOKENS_VERSION` names the
tokenisation: an archive indexed by another one is re-indexed from the texts (`ensure_fts`).
"""

from __future__ import annotations

import re
import unicodedata

import sqlite_utils

# CJK ideographs (URO, extension A, compatibility, extensions B+), kana and hangul syllables.
_CJK = re.compile(
    "([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
    "\U00020000-\U0003134f])"
)
# Runs of the same characters: one substitution per run instead of one per character (the
# build indexes every report twice, as a whole and by section: a third of its write time).
_CJK_RUN = re.compile("[" + _CJK.pattern[2:-2] + "]+")
_TERMS = re.compile(r'"([^"]*)"|(\S+)')
# unicode61 keeps letters, digits and (by category) other "word" characters in tokens; every
# other character separates tokens. The query side must split the same way.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# Bump when `index_text` changes what it makes of a text: the index is then rebuilt.
TOKENS_VERSION = "1"

FTS_TABLES = {
    # FTS table -> (content table, indexed columns of the content table)
    "sections_fts": ("sections", ("heading", "text")),
    "reports_fts": ("reports", ("title", "text")),
}


def index_text(text: str | None) -> str:
    """Text as stored in the FTS index: NFKC, one token per CJK character."""
    if not text:
        return ""
    return _CJK_RUN.sub(_spaced, unicodedata.normalize("NFKC", text))


def _spaced(m: re.Match) -> str:
    """A run 复议 becomes ' 复  议 ': exactly what a space around each ideograph gives."""
    return " " + "  ".join(m.group()) + " "


def tokens(text: str) -> list[str]:
    """The tokens the index holds for `text` (what unicode61 makes of `index_text(text)`)."""
    return _TOKEN.findall(index_text(text).lower())


def fts_query(query: str | None) -> str:
    """An FTS5 MATCH expression: each term (or "quoted phrase") becomes a phrase of tokens.

    Terms are ANDed, as in Datasette's own `escape_fts`. A query with no searchable character
    gives a phrase that matches nothing, instead of an FTS syntax error.
    """
    phrases = []
    for quoted, bare in _TERMS.findall(query or ""):
        term = quoted or bare
        if tokens(term):
            # FTS5 tokenizes the phrase itself with unicode61, exactly as it did the index.
            phrases.append('"' + " ".join(index_text(term).replace('"', " ").split()) + '"')
    return " ".join(phrases) if phrases else '""'


def excerpt(text: str | None, query: str | None, width: int = 60) -> str | None:
    """A plain-text window of `text` around the first place that matches `query`.

    Matching ignores whitespace between characters, like the index does; returned as plain
    text (Datasette escapes it). The words are looked for in the text as stored first and in
    its NFKC form only when they are not there (full-width digits or letters, say): NFKC costs
    ~0.2 ms per 1,000 characters, a second for the 500 reports a common word finds, while the
    words a search finds are nearly always there as written. The window is cut from the form
    the words were found in, so it always holds them.
    """
    if not text:
        return text
    normalized: str | None = None
    for quoted, bare in _TERMS.findall(query or ""):
        chars = [c for c in unicodedata.normalize("NFKC", quoted or bare) if not c.isspace()]
        if not chars:
            continue
        pattern = re.compile(r"\s*".join(re.escape(c) for c in chars), re.IGNORECASE)
        source = text
        m = pattern.search(source)
        if m is None:
            if normalized is None:
                normalized = unicodedata.normalize("NFKC", text)
            source = normalized
            m = pattern.search(source)
        if m:
            start = max(0, m.start() - width)
            end = min(len(source), m.end() + width)
            return ("…" if start else "") + source[start:end] + ("…" if end < len(source) else "")
    return text[: 2 * width] + ("…" if len(text) > 2 * width else "")


def register_functions(conn) -> None:
    """SQL functions for search: xxgk_fts_query(q), escape_fts(q) (same), xxgk_excerpt(t, q)."""
    conn.create_function("xxgk_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("xxgk_excerpt", 2, excerpt, deterministic=True)


def ensure_fts(db: sqlite_utils.Database) -> None:
    """Create the contentless FTS5 tables (their rowid is the content table's integer `id`);
    re-index them from the stored texts when they were indexed by another tokenisation."""
    meta = db.execute("select value from meta where name = 'fts_tokens'").fetchone() \
        if db["meta"].exists() else None
    stale = meta is not None and meta[0] != TOKENS_VERSION
    for fts, (_content, cols) in FTS_TABLES.items():
        if stale:
            db.execute(f"drop table if exists [{fts}]")
        db.execute(
            f"create virtual table if not exists [{fts}] using fts5("
            + ", ".join(f"[{c}]" for c in cols)
            + ", content='', tokenize='unicode61 remove_diacritics 2')"
        )
        if stale:
            for chunk in _chunks(db.execute(
                    f"select id, {', '.join(cols)} from [{_content}]"), cols):
                index_rows(db, fts, chunk)
    if db["meta"].exists() and (meta is None or stale):
        db.execute("insert or replace into meta (name, value) values ('fts_tokens', ?)",
                   [TOKENS_VERSION])


def _chunks(cursor, cols, size: int = 1000):
    chunk = []
    for row in cursor:
        chunk.append(dict(zip(("id", *cols), row, strict=True)))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def index_rows(db: sqlite_utils.Database, fts: str, rows: list[dict]) -> None:
    """Index new rows of the content table: each dict has `id` and the indexed columns. A row
    indexed before must be `unindex`ed first (with the texts it was indexed with)."""
    _content, cols = FTS_TABLES[fts]
    db.conn.executemany(
        f"insert into [{fts}] (rowid, {', '.join(f'[{c}]' for c in cols)}) "
        f"values (?, {', '.join('?' for _ in cols)})",
        [[r["id"], *(index_text(r.get(c)) for c in cols)] for r in rows],
    )


def unindex(db: sqlite_utils.Database, fts: str, rows: list[dict]) -> None:
    """Remove rows from the index: each dict has `id` and the texts the row was indexed with
    (a contentless index removes exactly the tokens it is given)."""
    _content, cols = FTS_TABLES[fts]
    db.conn.executemany(
        f"insert into [{fts}] ([{fts}], rowid, {', '.join(f'[{c}]' for c in cols)}) "
        f"values ('delete', ?, {', '.join('?' for _ in cols)})",
        [[r["id"], *(index_text(r.get(c)) for c in cols)] for r in rows],
    )
