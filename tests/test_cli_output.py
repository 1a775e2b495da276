"""A CLI that explains itself: units and defaults in --help, progress bars only on a terminal,
--quiet silent on success, --json one object and nothing else on stdout."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from click.testing import CliRunner

from xxgk import settings
from xxgk.cli import cli

REPORT = "000_changchun-luyuan_2018.txt"


def help_of(*command: str) -> str:
    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    return " ".join(result.output.split())  # unwrapped


def test_help_gives_units_and_defaults():
    run = help_of("run")
    assert ("--delay SECONDS Seconds between two requests to one host (never less than "
            "robots.txt's Crawl-delay). [default: 1.0 s; 0.1 s for the demo site]") in run
    assert "--port PORT Port for --serve (TCP, on 127.0.0.1). [default: 8001; 1<=x<=65535]" in run
    assert ("[default: (the demo site's registry, fixtures/site/sources.csv)]") in run
    assert "[default: 127.0.0.1]" in help_of("serve")
    assert "--indent N Indent each object by N spaces" in help_of("parse")
    assert f"[default: {settings.GOLD_DIR}]" in help_of("eval")
    assert "Exit codes: 0 nothing lost, 1 some documents unreadable" in help_of("build")


def xxgk(*args: str, cwd, tty: bool) -> tuple[int, str, str]:
    """Run the installed command in a subprocess, stderr on a pseudo-terminal or a pipe."""
    cmd = [sys.executable, "-m", "xxgk.cli", *args]
    if not tty:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        err += chunk
    out = p.stdout.read()
    p.wait(timeout=120)
    os.close(master)
    return p.returncode, out, err.decode("utf-8", "replace")


def test_progress_bars_show_on_a_terminal_only(corpus, tmp_path):
    report = str(corpus / "reports" / REPORT)
    code, out, err = xxgk("import", report, "--db", "a.db", cwd=tmp_path, tty=True)
    assert code == 0, err
    assert "importing  [####" in err and "1/1" in err and "parsing  [####" in err
    assert "[####" not in out and "1 reports, 0 not reports, 0 unreadable" in out
    code, out, err = xxgk("build", "--db", "a.db", "--force", cwd=tmp_path, tty=False)
    assert code == 0 and err == ""
    assert out.startswith("--force: re-parsed all 1 stored documents")
    code, out, err = xxgk("build", "--db", "a.db", "--force", "--quiet", cwd=tmp_path, tty=True)
    assert (code, out, err) == (0, "", "")


def test_json_is_one_object_and_nothing_else(corpus, tmp_path):
    code, out, err = xxgk("import", str(corpus / "reports" / REPORT), "--db", "a.db", "--json",
                          cwd=tmp_path, tty=True)
    assert code == 0 and err == ""
    (line,) = out.splitlines()
    data = json.loads(line)
    assert data["archive"] == str(tmp_path / "a.db") and data["reports"] == 1
    code, out, err = xxgk("build", "--db", "a.db", "--json", cwd=tmp_path, tty=False)
    assert json.loads(out)["parsed"] == 0 and err == ""
