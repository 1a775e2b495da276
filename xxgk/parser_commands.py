"""The parser's commands: `xxgk parse` (documents to JSON Lines) and `xxgk eval` (the parser
against the gold files).

Apart from the other commands because they read no archive: they run the parser on files.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from xxgk import settings


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--indent", type=click.IntRange(min=0), default=None, metavar="N",
              help="Indent each object by N spaces (pretty-printed, so no longer one object "
                   "per line).  [default: none, JSON Lines]")
@click.option("--summary", is_flag=True,
              help="Leave out facts and sections; keep metadata, values and checks.")
def parse(paths: tuple[Path, ...], indent: int | None, summary: bool) -> None:
    """Parse report documents (HTML, text, PDF, DOCX) and print one JSON object per document.

    Folders are searched. Nothing is written to any archive. A document that cannot be read
    gives an object with "error" and the reason; the command goes on with the rest and
    exits 0.

    \b
    Examples:
      xxgk parse report.pdf
      xxgk parse ~/Downloads/reports/ --summary | jq .values
    """
    from parser import parse_path
    from parser.load import iter_document_paths

    for path in iter_document_paths(paths):
        result = parse_path(path).to_dict()
        if summary:
            result.pop("facts")
            result.pop("sections")
        click.echo(json.dumps(result, ensure_ascii=False, indent=indent))


@click.command("eval")
@click.option("--gold", "gold_dir", type=click.Path(file_okay=False, path_type=Path),
              default=settings.GOLD_DIR, show_default=True,
              help="Folder of gold files (one JSON answer key per corpus document).")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path),
              default=settings.CORPUS_DIR, show_default=True,
              help="Folder of the documents the gold files name.")
@click.option("--dev", "dev_dir", type=click.Path(file_okay=False, path_type=Path),
              default=settings.DEV_DIR, show_default=True,
              help="The dev set (gold/ and raw/: excerpts of other publishers), scored too "
                   "where it exists.")
@click.option("--heldout", "heldout_dirs", type=click.Path(file_okay=False, path_type=Path),
              multiple=True,
              help="Also score a hand-written set in the dev format (fixtures/heldout, "
                   "fixtures/heldout2); repeatable. [default: none]")
@click.option("-v", "--verbose", is_flag=True, help="List every missed, extra and wrong item.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary figures as JSON.")
def eval_command(
    gold_dir: Path, corpus_dir: Path, dev_dir: Path, heldout_dirs: tuple[Path, ...],
    verbose: bool, as_json: bool,
) -> None:
    """Score the parser against the gold files: values per era and method, sections, cells.

    Reads no archive: it parses the corpus documents afresh.

    \b
    Examples:
      xxgk eval
      xxgk eval -v --corpus ../shared/corpus
      xxgk eval --json | jq .eras
      xxgk eval --heldout fixtures/heldout --heldout fixtures/heldout2
    """
    from parser.eval_report import report, summary
    from parser.evaluate import evaluate, evaluate_dev

    for name, folder in (("gold", gold_dir), ("corpus", corpus_dir)):
        if not folder.is_dir():
            raise click.ClickException(f"{name} folder not found: {folder}")
    scores = evaluate(gold_dir, corpus_dir)
    if dev_dir.is_dir():
        scores += evaluate_dev(dev_dir, gold_dir / "dev_disputes.tsv")
    for folder in heldout_dirs:
        scores += evaluate_dev(folder, source="heldout")
    if as_json:
        click.echo(json.dumps(summary(scores), ensure_ascii=False, indent=2))
    else:
        click.echo(report(scores, verbose=verbose))
