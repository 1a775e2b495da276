"""`xxgk import`, `xxgk build`, `xxgk serve`: thin wrappers with --db."""

from __future__ import annotations

import socket

import sqlite_utils
from click.testing import CliRunner

from archive.schema import ensure_schema
from archive.serve import check_port
from xxgk.cli import cli


def test_import_then_build_then_rebuild(corpus, tmp_path):
    db_path = tmp_path / "a.db"
    runner = CliRunner()
    files = [str(corpus / "reports" / "000_changchun-luyuan_2018.txt"),
             str(corpus / "reports" / "004_pingtan-county_2011.txt")]
    first = runner.invoke(cli, ["import", *files, "--db", str(db_path)])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[1:3] == ["2 files: 2 new documents, 0 already stored",
                                              "2 reports, 0 not reports, 0 unreadable"]
    again = runner.invoke(cli, ["import", files[0], "--db", str(db_path)])
    assert again.output.splitlines()[0] == "1 files: 0 new documents, 1 already stored"
    built = runner.invoke(cli, ["build", "--db", str(db_path)])
    assert built.exit_code == 0, built.output
    assert built.output.startswith("nothing to parse: all 2 stored documents are parsed")
    db = sqlite_utils.Database(db_path)
    assert sorted(r["key"] for r in db["reports"].rows) == [
        "吉林省长春市绿园区人民政府/2018", "福建省福州市平潭县人民政府/2011"]


def test_serve_refuses_a_missing_archive(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and f"no archive at {tmp_path / 'none.db'}" in result.output


def test_serve_help_names_port_default():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "8001" in result.output and "--db" in result.output


def _listening() -> tuple[socket.socket, int]:
    """A server socket on 127.0.0.1, as another `xxgk serve` would hold it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


def test_serve_says_when_its_port_is_taken(tmp_path):
    db_path = tmp_path / "a.db"
    ensure_schema(sqlite_utils.Database(db_path))
    sock, port = _listening()
    with sock:
        result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve on http://127.0.0.1:{port}/" in result.output
    assert "choose another port with --port" in result.output


def test_run_with_serve_checks_its_port_before_crawling(tmp_path):
    sock, port = _listening()
    with sock:
        result = CliRunner().invoke(cli, ["run", "--db", str(tmp_path / "a.db"), "--serve",
                                          "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve on http://127.0.0.1:{port}/" in result.output
    assert "crawl run" not in result.output  # nothing crawled, nothing built


def test_a_free_port_passes_the_check():
    sock, port = _listening()
    sock.close()  # free again (TIME_WAIT at most, which the server's SO_REUSEADDR accepts)
    check_port("127.0.0.1", port)
