"""What the tests of the PDF speed-ups share: the PDFs they run on, and the check that a
speed-up's switch in settings changes no parse result.

Each speed-up (parser/pdf_content.py, pdf_interp.py, pdf_objects.py, pdf_cells.py) replaces a
piece of pdfminer or pdfplumber by one that must give the same result, and has a switch in
xxgk/settings.py; whole documents parsed with the switch off and on must come out the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from parser.pipeline import load_and_parse
from xxgk import settings

CORPUS_PDFS = sorted((settings.CORPUS_DIR / "reports").glob("*.pdf"))
FIXTURE_PDFS = sorted(settings.FIXTURES_DIR.rglob("*.pdf"))
# A test over the real reports skips, saying why, where the shared corpus is not mounted.
needs_corpus_pdfs = pytest.mark.skipif(
    not CORPUS_PDFS, reason=f"no PDFs under {settings.CORPUS_DIR / 'reports'} "
    "(the shared corpus is not mounted)")


# The sources a speed-up is compared on, one test each: each fails under its own name, and
# the corpus alone skips where it is not mounted (tests parametrize over these).
PDF_SOURCES = [pytest.param("generated"), pytest.param("corpus", marks=needs_corpus_pdfs),
               pytest.param("fixtures")]
# Characters the fast path must have read in each PDF of a source: a report holds hundreds;
# the fixtures include pages with no text layer.
LEAST_CHARS = {"generated": 501, "corpus": 501, "fixtures": 0}


def pdfs_from(source: str, generated: list[bytes]) -> list[tuple[bytes, str]]:
    """(bytes, name) of every PDF of one of PDF_SOURCES; never empty."""
    if source == "generated":
        docs = [(data, f"generated{i}.pdf") for i, data in enumerate(generated)]
    else:
        paths = {"corpus": CORPUS_PDFS, "fixtures": FIXTURE_PDFS}[source]
        docs = [(p.read_bytes(), p.name) for p in paths]
    assert docs, f"no {source} PDFs"
    return docs


def pdf_documents(generated: list[bytes]) -> list[tuple[bytes, str]]:
    """(bytes, name) of the generated PDFs given, then of every corpus and fixture PDF."""
    docs = [(data, f"generated{i}.pdf") for i, data in enumerate(generated)]
    return docs + [(p.read_bytes(), p.name) for p in CORPUS_PDFS + FIXTURE_PDFS]


def same_results_on_and_off(monkeypatch: Any, switch: str,
                            documents: list[tuple[bytes, str]]) -> str:
    """Assert that every document parses the same (repr of its ParseResult) with
    settings.`switch` off and on; return the last result, for a check that it holds facts."""
    fast = ""
    for data, name in documents:
        monkeypatch.setattr(settings, switch, False)
        slow = repr(load_and_parse(data, name)[1])
        monkeypatch.setattr(settings, switch, True)
        fast = repr(load_and_parse(data, name)[1])
        assert fast == slow, name
    return fast


def check_install(monkeypatch: Any, install: Any, current: Any, fast: Any, original: Any,
                  switch: str, unchecked_version: tuple[Any, ...]) -> None:
    """A speed-up's `install()` puts `fast` in place; the original comes back with its switch
    off and on a library version it was not checked against (`unchecked_version`: the
    monkeypatch.setattr arguments that fake one); `current()` reads what is in place."""
    try:
        install()
        assert current() is fast
        monkeypatch.setattr(settings, switch, False)
        install()
        assert current() is original
        monkeypatch.setattr(settings, switch, True)
        monkeypatch.setattr(*unchecked_version)
        install()
        assert current() is original
    finally:
        monkeypatch.undo()
        install()
    assert current() is fast
