"""The document store and schema: content addressing, provenance, versions, idempotence."""

from __future__ import annotations

import sqlite_utils

from archive.importer import import_paths
from archive.schema import ensure_schema
from archive.store import add_document, get_bytes, sha256


def _db(tmp_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(tmp_path / "archive.db")


def test_same_bytes_stored_once_and_each_source_recorded(tmp_path):
    db = _db(tmp_path)
    data = "二〇二三年政府信息公开工作年度报告".encode()
    doc_id, new = add_document(db, data, url="https://a.gov.cn/x.html", media_type="text/html",
                               status=200, headers={"Content-Type": "text/html"},
                               fetched_at="2024-01-01T00:00:00Z", publisher_hint="淮安市人民政府")
    again, new2 = add_document(db, data, url="https://a.gov.cn/x.html",
                               fetched_at="2024-02-01T00:00:00Z")
    mirror, new3 = add_document(db, data, url="https://b.gov.cn/y.html")
    assert doc_id == again == mirror == sha256(data)
    assert (new, new2, new3) == (True, False, False)
    assert db["blobs"].count == 1 and db["documents"].count == 1
    assert get_bytes(db, doc_id) == data
    urls = sorted(r["url"] for r in db["document_urls"].rows)
    assert urls == ["https://a.gov.cn/x.html", "https://b.gov.cn/y.html"]
    row = next(db["document_urls"].rows_where("url = ?", ["https://a.gov.cn/x.html"]))
    assert row["status"] == 200 and row["publisher_hint"] == "淮安市人民政府"
    assert row["fetched_at"] == "2024-01-01T00:00:00Z"  # the first sighting is kept


def test_changed_page_is_a_new_version_of_the_url(tmp_path):
    db = _db(tmp_path)
    url = "https://a.gov.cn/nb/2023.html"
    first, _ = add_document(db, b"<p>v1</p>", url=url, fetched_at="2024-01-10T00:00:00Z")
    second, new = add_document(db, b"<p>v2</p>", url=url, fetched_at="2024-03-01T00:00:00Z")
    assert new and first != second
    versions = list(db.query("select document_id, version from url_versions where url = ? "
                             "order by version", [url]))
    assert versions == [{"document_id": first, "version": 1},
                        {"document_id": second, "version": 2}]


def test_import_same_file_twice_stores_it_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("平潭综合实验区2019年度政府信息公开工作年度报告", encoding="utf-8")
    (src / "ignored.png").write_bytes(b"\x89PNG")
    db = _db(tmp_path)
    first = import_paths(db, [src])
    second = import_paths(db, [src / "a.txt"])
    assert (first.files, first.new, second.new, second.already) == (1, 1, 0, 1)
    assert db["documents"].count == 1 and db["document_urls"].count == 1
    row = next(db["document_urls"].rows)
    assert row["origin"] == "import" and row["path"].endswith("a.txt") and row["url"] is None


def test_ensure_schema_is_idempotent(tmp_path):
    db = _db(tmp_path)
    ensure_schema(db)
    before = list(db.query("select type, name, sql from sqlite_master order by name"))
    ensure_schema(db)
    assert list(db.query("select type, name, sql from sqlite_master order by name")) == before
    names = set(db.table_names()) | set(db.view_names())
    assert {"documents", "blobs", "document_urls", "publishers", "divisions", "reports",
            "report_documents", "sections", "facts", "checks", "indicators", "parses",
            "report_values", "sections_fts", "reports_fts"} <= names


def test_schema_adds_missing_columns_to_an_older_archive(tmp_path):
    db = _db(tmp_path)
    db["parses"].create({"document_id": str, "status": str}, pk="document_id")
    ensure_schema(db)
    assert {"parser_version", "report_key", "n_values"} <= set(db["parses"].columns_dict)
