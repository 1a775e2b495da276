"""`xxgk import`, `xxgk build`, `xxgk serve`: thin wrappers with --db."""

from __future__ import annotations

import sqlite_utils
from click.testing import CliRunner

from xxgk.cli import cli


def test_import_then_build_then_rebuild(corpus, tmp_path):
    db_path = tmp_path / "a.db"
    runner = CliRunner()
    files = [str(corpus / "reports" / "000_changchun-luyuan_2018.txt"),
             str(corpus / "reports" / "004_pingtan-county_2011.txt")]
    first = runner.invoke(cli, ["import", *files, "--db", str(db_path)])
    assert first.exit_code == 0, first.output
    assert "2 files: 2 new documents, 0 already stored" in first.output
    again = runner.invoke(cli, ["import", files[0], "--db", str(db_path)])
    assert "1 files: 0 new documents, 1 already stored" in again.output
    built = runner.invoke(cli, ["build", "--db", str(db_path)])
    assert built.exit_code == 0, built.output
    assert "2 parsed (2 reports, 0 not reports, 0 errors)" in built.output
    rebuilt = runner.invoke(cli, ["build", "--db", str(db_path)])
    assert "0 parsed" in rebuilt.output and "0 reports written" in rebuilt.output
    db = sqlite_utils.Database(db_path)
    assert sorted(r["key"] for r in db["reports"].rows) == [
        "吉林省长春市绿园区人民政府/2018", "福建省福州市平潭县人民政府/2011"]


def test_serve_refuses_a_missing_archive(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_serve_help_names_port_default():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "8001" in result.output and "--db" in result.output
