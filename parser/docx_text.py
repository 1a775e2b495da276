"""DOCX to `Document`: paragraphs and tables in body order, merged cells expanded into Grids.

python-docx reads the package, but its `table.rows[i].cells` repeats merged cells without
saying which position is the original, so tables are read from the XML directly: w:gridSpan
gives a column span, w:vMerge (restart/continue) a row span, w:gridBefore skipped columns.
`raw` is the extracted text layer (one line per paragraph, a table row per line with cells
separated by tabs); `text` is the cleaned view of it (whitespace collapsed, ideographic
indents removed).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from parser.model import Cell, Document, DocumentError, Grid
from parser.text_clean import title_from_text
from parser.textmap import TextBuilder, cap_text, line_spans
from xxgk import settings

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WS = re.compile(r"[\s\xa0\u3000]+")
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


# What each child of a w:r stands for in python-docx's `Run.text` (CT_R.text); a w:br is a line
# break only when it is one of text wrapping (its default type), not a page or column break.
_RUN_CHARS = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _run_text(r: Any) -> str:
    """python-docx's `CT_R.text`, read off the children without an XPath query per run."""
    out = []
    for child in r:
        tag = child.tag
        if tag == f"{W}t":
            out.append(child.text or "")
        elif tag == f"{W}br":
            out.append("\n" if child.get(f"{W}type", "textWrapping") == "textWrapping" else "")
        elif isinstance(tag, str) and tag in _RUN_CHARS:  # (a comment's tag is a function)
            out.append(_RUN_CHARS[tag])
    return "".join(out)


def _para_text(p: Any) -> str:
    """Text of a w:p as python-docx's `Paragraph.text` gives it: its runs and the runs of its
    hyperlinks, with tabs and line breaks (tests/test_load_docx.py holds the two equal).
    python-docx asks two XPath queries per paragraph and one per run: a third of reading a
    DOCX report."""
    out = []
    for child in p:
        tag = child.tag
        if tag == f"{W}r":
            out.append(_run_text(child))
        elif tag == f"{W}hyperlink":
            out.extend(_run_text(r) for r in child if r.tag == f"{W}r")
    return "".join(out)


def _join_lines(parts: list[str]) -> str:
    """Join a cell's paragraphs: nothing between CJK (商业/企业 → 商业企业), else a space."""
    out = ""
    for part in parts:
        part = _WS.sub(" ", part).strip()
        if not part:
            continue
        if out and not (_CJK.match(out[-1]) and _CJK.match(part[0])):
            out += " "
        out += part
    return out


def _cell_text(tc: Any) -> str:
    return _join_lines([line for p in tc.iter(f"{W}p") for line in _para_text(p).split("\n")])


def _int_attr(el: Any, name: str, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(f"{W}{name}", default))
    except ValueError:
        return default


def table_grid(tbl: Any) -> tuple[Grid | None, list[list[str]]]:
    """The table's Grid (spans expanded) and its rows of unique cell texts for the text layer."""
    cells: dict[tuple[int, int], Cell] = {}
    row_texts: list[list[str]] = []
    width = 0
    rows = [tr for tr in tbl if tr.tag == f"{W}tr"]
    for r, tr in enumerate(rows):
        trpr = tr.find(f"{W}trPr")
        c = _int_attr(trpr.find(f"{W}gridBefore") if trpr is not None else None, "val", 0)
        texts: list[str] = []
        for tc in tr:
            if tc.tag == f"{W}sdt":  # content control around cells
                content = tc.find(f"{W}sdtContent")
                tcs = [] if content is None else list(content.iter(f"{W}tc"))
            elif tc.tag == f"{W}tc":
                tcs = [tc]
            else:
                continue
            for cell in tcs:
                tcpr = cell.find(f"{W}tcPr")
                span = _int_attr(tcpr.find(f"{W}gridSpan") if tcpr is not None else None, "val", 1)
                span = max(1, min(span, settings.MAX_TABLE_SPAN))
                vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                is_continue = vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue"
                above = cells.get((r - 1, c)) if is_continue else None
                if above is not None:
                    text, origin = above.text, above.origin
                    texts.append("")
                else:
                    text, origin = _cell_text(cell), (r, c)
                    texts.append(text)
                for dc in range(span):
                    if len(cells) >= settings.MAX_TABLE_CELLS:
                        break
                    cells[(r, c + dc)] = Cell(text, origin, span_copy=(r, c + dc) != origin)
                c += span
        width = max(width, c)
        row_texts.append(texts)
    if width * len(rows) > settings.MAX_TABLE_CELLS:
        return None, row_texts
    grid_rows = [
        [cells.get((r, c)) or Cell("", (r, c)) for c in range(width)] for r in range(len(rows))
    ]
    return Grid(rows=grid_rows, source="docx"), row_texts


def _body_blocks(body: Any) -> Iterator[Any]:
    """w:p and w:tbl children of the body in order, looking inside content controls."""
    stack = list(reversed(list(body)))
    while stack:
        el = stack.pop()
        if el.tag in (f"{W}p", f"{W}tbl"):
            yield el
        elif el.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            stack.extend(reversed(list(el)))


def load_docx(data: bytes, source: str) -> Document:
    """Read a DOCX into a Document: body text in order, tables as Grids placed in the text."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        package = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, PackageNotFoundError, ValueError) as exc:
        raise DocumentError(f"broken DOCX: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # lxml XMLSyntaxError in a damaged document.xml, and similar
        raise DocumentError(f"broken DOCX: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    table_lines: list[tuple[Grid | None, int, int]] = []  # grid, first line, end line
    for block in _body_blocks(package.element.body):
        if block.tag == f"{W}p":
            lines.append(_para_text(block))
        else:
            grid, rows = table_grid(block)
            first = len(lines)
            lines.extend("\t".join(_WS.sub(" ", t).strip() for t in row) for row in rows)
            table_lines.append((grid, first, len(lines)))
    raw = "\n".join(lines)
    builder = TextBuilder()
    line_text_start: list[int] = []
    for a, b in line_spans(raw):
        line_text_start.append(len(builder))
        line = raw[a:b].rstrip("\n")
        pos = 0
        for cell in line.split("\t"):
            if pos:
                builder.tab(a + pos - 1)
            builder.add(cell, start=a + pos)
            pos += len(cell) + 1
        builder.newline()
    built = builder.build()
    text = built.text
    line_text_start.append(len(text))
    tables = []
    for grid, first, end in table_lines:
        if grid is not None and end > first and len(grid.rows) and len(grid.rows[0]):
            grid.start = min(line_text_start[first], len(text))
            grid.end = min(line_text_start[end], len(text))
            while grid.end > grid.start and text[grid.end - 1] == "\n":
                grid.end -= 1
            tables.append(grid)
    meta: dict[str, str] = {}
    title = (package.core_properties.title or "").strip() or title_from_text(text)
    if title:
        meta["title"] = title
    offsets = built.offsets
    text, offsets = cap_text(text, offsets, meta)
    return Document(
        source=source,
        kind="docx",
        text=text,
        offsets=offsets,
        raw=raw,
        encoding=None,
        meta=meta,
        tables=tables,
    )
