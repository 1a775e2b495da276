"""Table grids rebuilt from text where the markup was lost: PDF text layers and pipe dumps.

Three shapes occur in real documents:

* PDF text (pdfplumber, flipbook pages): one table row per line, `label n n n …`, but a long
  label wraps and its numbers land on a line of their own, before or between the label's
  lines (the numbers are vertically centred in the row); vertical labels leave single
  characters on lines of their own or in front of the next label (三 2.其他…); table 四 is a
  line of 15 numbers under stacked header characters.
* Rows condensed to `label | v1 | … | vn` (one row per line), blanks as `&nbsp;`.
* One cell per line with `|` lines between cells (and, in some dumps, a lone `|` that starts
  each row).

Every rebuilt row is `[label cell(s)…, v1, …, vn]`; header lines become rows of their words.
Rows are kept only in table context (a row with at least two whole numeric cells, and a
neighbour row), so prose that mentions numbers is never read as a table. Each `Grid` carries
the offsets of the text it was built from.
"""

from __future__ import annotations

from parser.model import Grid
from parser.tables.cell_lines import blocks, cell_rows, is_cell_block
from parser.tables.pdf_lines import plain_grids
from parser.tables.pipe_rows import pipe_rows
from parser.tables.text_rows import Row, grids_from_rows


def line_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for ln in text.splitlines(keepends=True):
        end = pos + len(ln.rstrip("\r\n"))
        spans.append((pos, end))
        pos += len(ln)
    return spans


def text_grids(text: str) -> list[Grid]:
    """Tables found in plain text, in text order, each with the span of text it came from."""
    spans = line_spans(text)
    grids: list[Grid] = []
    i = 0
    n = len(spans)
    while i < n:
        if _piped(text, spans[i]):
            j = i
            while j < n and (_piped(text, spans[j]) or _cell_line(text, spans, j)):
                j += 1
            # the first cell of a one-cell-per-line dump precedes the first lone "|"
            lo = i
            if i > 0 and _line(text, spans[i]) == "|" and 0 < len(_line(text, spans[i - 1])) <= 40:
                lo = i - 1
            if grids_end(grids) > spans[lo][0]:
                lo = i
            if is_cell_block(text, spans[lo:j]):
                grids.extend(grids_from_rows(cell_rows(text, spans[lo:j])))
            else:
                grids.extend(grids_from_rows(_html_dump_rows(text, pipe_rows(text, spans[lo:j]))))
            i = j
            continue
        j = i
        while j < n and not _piped(text, spans[j]):
            j += 1
        at = i
        for a, b in blocks(text, spans[i:j]):  # one cell per line, among other text
            grids.extend(plain_grids(text, spans[at:i + a]))
            grids.extend(grids_from_rows(cell_rows(text, spans[i + a:i + b])))
            at = i + b
        grids.extend(plain_grids(text, spans[at:j]))
        i = j
    return grids


def _html_dump_rows(text: str, rows: list[Row]) -> list[Row]:
    """Rows of a pipe dump of an HTML table: a short row lacks its last cells (blank), unless
    the text ends inside it (a page or an excerpt cut in the middle of the row)."""
    for r in rows:
        r.short_is_blank = True
    if rows and rows[-1].end >= len(text.rstrip()):
        rows[-1].short_is_blank = False
    return rows


def _line(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]].strip()


def _piped(text: str, span: tuple[int, int]) -> bool:
    return "|" in text[span[0] : span[1]]


def grids_end(grids: list[Grid]) -> int:
    return max((g.end for g in grids), default=-1)


def _cell_line(text: str, spans: list[tuple[int, int]], j: int) -> bool:
    """A short line without a pipe inside a one-cell-per-line dump: a pipe line is at most
    two lines away on both sides (cells wrap over two lines: 本年新 / 制作数量)."""
    if len(_line(text, spans[j])) > 40:
        return False
    before = any(_line(text, spans[k]) == "|" for k in range(max(0, j - 2), j))
    after = any(_line(text, spans[k]) == "|" for k in range(j + 1, min(len(spans), j + 3)))
    return (before and after) or (
        before and j + 1 < len(spans) and _line(text, spans[j + 1]).startswith("|")
    )
