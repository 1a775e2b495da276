"""Every command and every option is documented (the sqlite-utils test): docs/cli.md has a
section per command naming each of its options, the README names every command, and each
command's --help shows its examples and every option's default."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from xxgk import settings
from xxgk.cli import cli

CLI_DOC = settings.ROOT / "docs" / "cli.md"


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from commands(command, path)
        else:
            yield " ".join(path), command


COMMANDS = dict(commands())


def sections() -> dict[str, str]:
    """docs/cli.md cut at its `## xxgk COMMAND` headings."""
    text = CLI_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `?xxgk ([a-z ]+?)`?\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)]


def test_the_commands_are_the_ones_documented():
    assert sorted(sections()) == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_is_in_its_commands_section(name):
    section = sections()[name]
    missing = [opt.opts[-1] for opt in options(COMMANDS[name])
               if not any(f"`{o}" in section for o in opt.opts)]
    assert missing == [], f"docs/cli.md, xxgk {name}: not documented: {missing}"


def test_the_readme_names_every_command():
    readme = (settings.ROOT / "README.md").read_text(encoding="utf-8")
    assert [n for n in COMMANDS if f"xxgk {n}" not in readme] == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_has_examples_and_every_default(name):
    result = CliRunner().invoke(cli, [*name.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert "Examples:" in result.output
    for opt in options(COMMANDS[name]):
        if opt.is_flag or opt.required or opt.name == "help":
            continue
        listing = result.output.split("\nOptions:", 1)[1]
        block = listing.split(f"  {opt.opts[-1]}" if len(opt.opts) == 1 else opt.opts[-1],
                              1)[1].split("\n  -", 1)[0]
        assert "default:" in block, (name, opt.opts)
        assert opt.help, (name, opt.opts)
