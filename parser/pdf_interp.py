"""pdfminer's content-stream interpreter loop, with its operator dispatch looked up once.

For every operator of a page, pdfminer's `PDFPageInterpreter.execute` decodes the keyword's
name, builds the method name with three string replacements, asks `hasattr` and `getattr`,
reads the method's argument count from its code object and formats a debug log call that no
one reads. A report page has ~2,000 operators, and that bookkeeping was about a twentieth of
the time a PDF takes to read.

`execute` below is pdfminer's method, step for step: the same guard against circular content
streams, the same lexer (`pdfinterp.PDFContentParser`, qpdf's or pdfminer's: parser/
pdf_content.py), the same method for each operator with the same arguments, operands pushed
the same way, the same debug messages when pdfminer's logger is enabled for DEBUG. Only the
name-to-method lookup is remembered per operator (the method still comes from `getattr` on
the interpreter, so nothing bound to a page is kept), and qpdf's token list is walked
directly instead of one `nextobject()` call per token.

It is installed only on the pdfminer.six versions it was checked against (`TESTED_VERSIONS`)
and only runs for pdfminer's own `PDFPageInterpreter` (a subclass keeps pdfminer's loop).
tests/test_pdf_interp.py holds the two loops to the same layout objects on every page of the
corpus PDFs, the fixtures and generated reports. `settings.PDF_FAST_INTERPRETER` turns it off.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pdfminer import pdfinterp
from pdfminer import settings as pdfminer_settings
from pdfminer.pdfinterp import PDFInterpreterError, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psexceptions import PSEOF
from pdfminer.psparser import PSKeyword

from parser.pdf_content import TokenList
from xxgk import settings

PDFMINER_EXECUTE = PDFPageInterpreter.execute
TESTED_VERSIONS = ("20260107",)
try:
    PDFMINER_VERSION = version("pdfminer.six")
except PackageNotFoundError:  # not installed as a distribution: not a checked version
    PDFMINER_VERSION = ""

# keyword bytes -> (operator name, method name or None, number of arguments)
_OPERATORS: dict[bytes, tuple[str, str | None, int]] = {}
_MAX_OPERATORS = 1000  # the standard has ~70; a hostile stream cannot grow the table


def _operator(interp: PDFPageInterpreter, keyword: PSKeyword) -> tuple[str, str | None, int]:
    """What pdfminer works out for `keyword` on every call: its name, the method that runs it
    (None when the interpreter has none) and how many operands that method takes."""
    found = _OPERATORS.get(keyword.name)
    if found is None:
        name = str(keyword.name, "utf-8", "ignore")  # pdfminer's keyword_name
        method = "do_{}".format(name.replace("*", "_a").replace('"', "_w").replace("'", "_q"))
        if hasattr(interp, method):
            found = (name, method, getattr(interp, method).__code__.co_argcount - 1)
        else:
            found = (name, None, 0)
        if len(_OPERATORS) >= _MAX_OPERATORS:
            _OPERATORS.clear()
        _OPERATORS[keyword.name] = found
    return found


def _objects(parser: Any):
    """The objects of the content parser: qpdf's token list as it is, pdfminer's one
    `nextobject()` at a time until PSEOF."""
    if isinstance(parser, TokenList):
        yield from parser.tokens
        return
    while True:
        try:
            (_, obj) = parser.nextobject()
        except PSEOF:
            return
        yield obj


def execute(self: PDFPageInterpreter, streams: Sequence[object]) -> None:
    """pdfminer's `PDFPageInterpreter.execute`, with the dispatch remembered (see above)."""
    if type(self) is not PDFPageInterpreter:
        return PDFMINER_EXECUTE(self, streams)
    # pdfminer's guard against circular references between content streams (CWE-835)
    valid_streams: list[PDFStream] = []
    self.stream_ids.clear()
    for obj in streams:
        stream = stream_value(obj)
        if stream.objid is None:
            pdfinterp.log.warning(
                "Execute called on non-indirect object (inline image?) %r", stream)
            continue
        if stream.objid in self.parent_stream_ids:
            pdfinterp.log.warning(
                "Refusing to execute circular reference to content stream %d", stream.objid)
        else:
            valid_streams.append(stream)
            self.stream_ids.add(stream.objid)
    try:
        parser = pdfinterp.PDFContentParser(valid_streams)
    except PSEOF:
        return  # an empty page
    debug = pdfinterp.log.isEnabledFor(logging.DEBUG)
    for obj in _objects(parser):
        if not isinstance(obj, PSKeyword):
            self.push(obj)
            continue
        name, method, nargs = _operator(self, obj)
        if method is None:
            if pdfminer_settings.STRICT:
                raise PDFInterpreterError(f"Unknown operator: {name!r}")
            continue
        func = getattr(self, method)
        if nargs:
            args = self.pop(nargs)
            if debug:
                pdfinterp.log.debug("exec: %s %r", name, args)
            if len(args) == nargs:
                func(*args)
        else:
            if debug:
                pdfinterp.log.debug("exec: %s", name)
            func()
    return None


def install() -> None:
    """Have pdfminer's interpreter run `execute` (or its own loop again when
    settings.PDF_FAST_INTERPRETER is off or the pdfminer.six version was not checked)."""
    fast = settings.PDF_FAST_INTERPRETER and PDFMINER_VERSION.startswith(TESTED_VERSIONS)
    PDFPageInterpreter.execute = execute if fast else PDFMINER_EXECUTE  # type: ignore[method-assign]
