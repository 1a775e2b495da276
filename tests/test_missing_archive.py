"""No silent empty archives: build and serve refuse a path where there is no archive (exit 2,
the path named, nothing created); every command refuses a file that is not an archive and
leaves it as it was; only run, crawl and import create one, and say so; serve warns on an
archive without reports."""

from __future__ import annotations

import csv
import socket
import sqlite3

import pytest
import sqlite_utils
from click.testing import CliRunner

import archive.serve
from scraper.demo_site import demo_sources
from xxgk.cli import cli

MISSING = "Error: no archive at {}; create one with xxgk run or xxgk import\n"


@pytest.mark.parametrize("command", [["build"], ["serve"], ["build", "--force"]])
def test_a_missing_archive_is_an_error_and_nothing_is_created(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*command, "--db", "nothere.db"])
    assert result.exit_code == 2
    assert result.stderr == MISSING.format(tmp_path / "nothere.db")
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_the_default_archive_missing_is_named_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XXGK_DB", raising=False)
    result = CliRunner().invoke(cli, ["build"])
    assert (result.exit_code, result.stderr) == (2, MISSING.format(tmp_path / "archive.db"))


@pytest.mark.parametrize("command", [["build"], ["serve"], ["import", "{report}"]])
def test_a_file_that_is_not_an_archive_is_left_alone(tmp_path, corpus, command):
    report = str(corpus / "reports" / "000_changchun-luyuan_2018.txt")
    args = [a.format(report=report) for a in command]
    text = tmp_path / "notes.db"
    text.write_text("my notes, not a database\n" * 100, encoding="utf-8")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("create table people (name text)")
    con.commit()
    con.close()
    before = other.read_bytes()
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "--db", str(text)])
    assert (first.exit_code, first.stderr) == (
        2, f"Error: {text} is not an xxgk archive (not a SQLite database); nothing was changed\n")
    assert text.read_text(encoding="utf-8") == "my notes, not a database\n" * 100
    second = runner.invoke(cli, [*args, "--db", str(other)])
    assert (second.exit_code, second.stderr) == (
        2, f"Error: {other} is not an xxgk archive (a SQLite database without the archive's "
           "documents table); nothing was changed\n")
    assert other.read_bytes() == before
    folder = runner.invoke(cli, [*args, "--db", str(tmp_path)])
    assert folder.exit_code == 2


def test_an_empty_file_is_no_archive_yet_and_import_makes_it_one(tmp_path, corpus):
    empty = tmp_path / "touched.db"
    empty.touch()
    built = CliRunner().invoke(cli, ["build", "--db", str(empty)])
    assert (built.exit_code, built.stderr) == (
        2, f"Error: no archive at {empty} (an empty file); create one with xxgk run or "
           "xxgk import\n")
    assert empty.stat().st_size == 0
    report = str(corpus / "reports" / "000_changchun-luyuan_2018.txt")
    imported = CliRunner().invoke(cli, ["import", report, "--db", str(empty)])
    assert imported.exit_code == 0
    assert imported.stdout.splitlines()[0] == f"created a new archive at {empty}"


def test_import_into_a_folder_that_does_not_exist(tmp_path, corpus):
    report = str(corpus / "reports" / "000_changchun-luyuan_2018.txt")
    target = tmp_path / "no" / "such" / "a.db"
    result = CliRunner().invoke(cli, ["import", report, "--db", str(target)])
    assert (result.exit_code, result.stderr) == (
        2, f"Error: cannot create an archive at {target}: the folder {target.parent} does "
           "not exist\n")
    assert not (tmp_path / "no").exists()


def test_import_of_a_folder_without_documents_creates_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("nothing to import", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "empty"),
                                      "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: no documents found in {tmp_path / 'empty'} (read: .doc "
                             ".docx .htm .html .js .pdf .shtml .txt .wps); nothing was "
                             "imported\n")
    assert not (tmp_path / "a.db").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_crawl_says_it_created_the_archive(tmp_path):
    registry = tmp_path / "sources.csv"
    with open(registry, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "region_code", "level", "url", "parent", "url_pattern", "notes",
                    "allow_private"])
        for s in demo_sources(f"http://127.0.0.1:{free_port()}"):
            w.writerow([s.name, "", s.level, s.url, s.parent, "", s.notes, "yes"])
    db = tmp_path / "crawl.db"
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(registry), "--db", str(db),
                                      "--quiet"])
    assert (result.exit_code, result.output) == (0, "")
    assert sqlite_utils.Database(db)["documents"].count == 15
    again = CliRunner().invoke(cli, ["crawl", "--sources", str(registry), "--db", str(db)])
    assert again.exit_code == 0 and "created a new archive" not in again.output
    db.unlink()
    third = CliRunner().invoke(cli, ["crawl", "--sources", str(registry), "--db", str(db)])
    assert third.stdout.splitlines()[0] == f"created a new archive at {db}"


def test_serve_warns_on_an_archive_without_reports(tmp_path, monkeypatch):
    served = []
    monkeypatch.setattr(archive.serve, "serve", lambda paths, **kw: served.append(paths))
    empty = tmp_path / "empty.db"
    from archive.schema import ensure_schema

    ensure_schema(sqlite_utils.Database(empty))
    result = CliRunner().invoke(cli, ["serve", "--db", str(empty)])
    assert result.exit_code == 0 and served == [[empty]]
    assert result.stderr == (f"warning: {empty} holds no reports yet: add some with "
                             "`xxgk import PATH...` or `xxgk run`\n")
    from archive.store import add_document

    add_document(sqlite_utils.Database(empty), b"<html>notice</html>", url="http://x.gov.cn/")
    result = CliRunner().invoke(cli, ["serve", "--db", str(empty)])
    assert result.stderr == (f"warning: {empty} holds 1 documents but no reports: run `xxgk "
                             "build` on it, or see table parses for why none is a report\n")


def test_serve_says_nothing_more_on_an_archive_with_reports(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(archive.serve, "serve", lambda paths, **kw: None)
    db = tmp_path / "a.db"
    CliRunner().invoke(cli, ["import", str(corpus / "reports" / "000_changchun-luyuan_2018.txt"),
                             "--db", str(db)])
    result = CliRunner().invoke(cli, ["serve", "--db", str(db)])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == f"serving {db} at http://127.0.0.1:8001/ (Ctrl-C stops)\n"
