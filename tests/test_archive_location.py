"""Where the archive lives: `archive.db` in the folder the command runs from (never inside the
installed checkout), or $XXGK_DB; the main job prints the absolute path it writes."""

from __future__ import annotations

import csv
import socket
from pathlib import Path

import sqlite_utils
from click.testing import CliRunner

from scraper.demo_site import demo_sources
from xxgk import settings
from xxgk.cli import cli

REPORT = "000_changchun-luyuan_2018.txt"


def test_the_default_archive_is_in_the_current_folder(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XXGK_DB", raising=False)
    before = (settings.ROOT / "archive.db").stat().st_mtime_ns if (
        settings.ROOT / "archive.db").exists() else None
    result = CliRunner().invoke(cli, ["import", str(corpus / "reports" / REPORT)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"created a new archive at {tmp_path}/archive.db"
    assert sqlite_utils.Database(tmp_path / "archive.db")["reports"].count == 1
    after = (settings.ROOT / "archive.db").stat().st_mtime_ns if (
        settings.ROOT / "archive.db").exists() else None
    assert before == after, "the checkout's own archive.db was touched"


def test_xxgk_db_names_the_archive_and_db_overrides_it(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = str(corpus / "reports" / REPORT)
    runner = CliRunner(env={"XXGK_DB": str(tmp_path / "env.db")})
    first = runner.invoke(cli, ["import", report])
    assert first.exit_code == 0, first.output
    assert f"created a new archive at {tmp_path}/env.db" in first.output
    built = runner.invoke(cli, ["build"])
    assert built.exit_code == 0 and built.output.startswith("nothing to parse: all 1 stored")
    other = runner.invoke(cli, ["import", report, "--db", "other.db"])
    assert f"created a new archive at {tmp_path}/other.db" in other.output
    assert not (tmp_path / "archive.db").exists()


def test_help_says_where_the_default_archive_is():
    for command in ("run", "crawl", "import", "build", "serve"):
        out = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
        assert "[env var: XXGK_DB; default: (archive.db in the current folder)]" in out, command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_main_job_prints_the_absolute_path_it_writes(tmp_path, monkeypatch):
    registry = tmp_path / "sources.csv"
    with open(registry, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "region_code", "level", "url", "parent", "url_pattern", "notes",
                    "allow_private"])
        for s in demo_sources(f"http://127.0.0.1:{free_port()}"):
            w.writerow([s.name, "", s.level, s.url, s.parent, "", s.notes, "yes"])
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    result = CliRunner().invoke(cli, ["run", "--sources", str(registry), "--db", "demo.db"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    path = Path(tmp_path / "work" / "demo.db")
    assert lines[0] == f"archive: {path} (new: created by this run)"
    assert f"13 reports in {path}," in lines[-1]
    again = CliRunner().invoke(cli, ["run", "--sources", str(registry), "--db", "demo.db"])
    assert again.output.splitlines()[0] == f"archive: {path}"
