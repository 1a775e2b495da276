"""The xxgk command: JSON Lines out, bad documents reported and skipped, every command documented."""

import json
import re

from click.testing import CliRunner

from xxgk import settings
from xxgk.cli import cli


def test_parse_prints_one_json_object_per_document(tmp_path, corpus):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    good = corpus / "reports" / "000_changchun-luyuan_2018.txt"
    result = CliRunner().invoke(cli, ["parse", str(bad), str(empty), str(good)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["source"] for line in lines] == [str(bad), str(empty), str(good)]
    assert "PDF" in lines[0]["error"]
    assert "empty" in lines[1]["error"]
    assert lines[2]["error"] is None
    assert lines[2]["values"]["legacy.apply.received.total"] == 24
    fact = next(f for f in lines[2]["facts"] if f["key"] == "legacy.active.total")
    assert set(fact) >= {
        "key",
        "value",
        "unit",
        "label",
        "evidence",
        "section",
        "method",
        "start",
        "end",
    }
    section = lines[2]["sections"][0]
    assert set(section) >= {"number", "heading", "level", "key", "start", "end"}


def test_every_command_is_documented_in_the_readme():
    readme = (settings.ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert re.search(rf"xxgk {name}\b", readme), f"xxgk {name} is not in README.md"
