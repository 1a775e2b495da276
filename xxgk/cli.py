"""The `xxgk` command: one click command per Python function of the parser and archive.

xxgk parse PATH...   JSON Lines, one object per document (parser.parse_path)
xxgk eval            precision/recall against fixtures/gold (parser.evaluate)
xxgk demo            the main job on the bundled demo documents
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from xxgk import settings

DOCUMENT_SUFFIXES = {".html", ".htm", ".shtml", ".txt", ".pdf", ".docx", ".doc", ".wps", ".js"}


def iter_documents(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Files named on the command line, and the documents inside named directories."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in DOCUMENT_SUFFIXES:
                    yield child
        else:
            yield path


@click.group()
@click.version_option(package_name="xxgk-archive")
def cli() -> None:
    """xxgk-archive: crawl, parse and archive 政府信息公开工作年度报告."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--indent", type=int, default=None, help="Pretty-print each object (not JSON Lines).")
@click.option(
    "--summary", is_flag=True, help="Leave out facts and sections; keep values and checks."
)
def parse(paths: tuple[Path, ...], indent: int | None, summary: bool) -> None:
    """Parse report documents (HTML, text, PDF, DOCX) and print one JSON object per document.

    A document that cannot be read gives an object with "error" and the reason; the
    command goes on with the rest and exits 0.
    """
    from parser import parse_path

    for path in iter_documents(paths):
        result = parse_path(path).to_dict()
        if summary:
            result.pop("facts")
            result.pop("sections")
        click.echo(json.dumps(result, ensure_ascii=False, indent=indent))


@cli.command("eval")
@click.option("--gold", "gold_dir", type=click.Path(path_type=Path), default=settings.GOLD_DIR)
@click.option(
    "--corpus", "corpus_dir", type=click.Path(path_type=Path), default=settings.CORPUS_DIR
)
@click.option("-v", "--verbose", is_flag=True, help="List every missed, extra and wrong item.")
def eval_command(gold_dir: Path, corpus_dir: Path, verbose: bool) -> None:
    """Score the parser against the gold files: facts P/R, sections, table cells."""
    from parser.evaluate import evaluate, report

    if not corpus_dir.is_dir():
        raise click.ClickException(f"corpus folder not found: {corpus_dir}")
    click.echo(report(evaluate(gold_dir, corpus_dir), verbose=verbose))


@cli.command()
@click.option("--source", type=click.Path(path_type=Path), default=settings.DEMO_DIR)
def demo(source: Path) -> None:
    """The main job on the bundled demo documents: parse each and print a summary."""
    from parser import parse_path

    ok = failed = 0
    for path in iter_documents((source,)):
        result = parse_path(path)
        rel = path.relative_to(source) if path.is_relative_to(source) else path
        if result.error:
            failed += 1
            click.echo(f"FAILED  {rel}: {result.error}")
            continue
        ok += 1
        keyed = sum(1 for f in result.facts if f.key)
        broken = [c.rule for c in result.checks if not c.ok]
        top = sum(s.level == 1 for s in result.sections)
        click.echo(
            f"{'report ' if result.is_report else 'skipped'} {rel}: {result.publisher or '?'} "
            f"{result.report_year or '?'} [{result.format}] sections={top} "
            f"facts={len(result.facts)} keyed={keyed} checks={len(result.checks)} "
            f"failed={len(broken)}" + (f" ({', '.join(sorted(set(broken)))})" if broken else "")
        )
    click.echo(f"{ok} parsed, {failed} failed")
    if ok == 0:
        sys.exit(1)


if __name__ == "__main__":
    cli()
