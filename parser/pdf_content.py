"""Page content streams tokenised by qpdf (pikepdf) instead of pdfminer's pure-Python lexer.

pdfminer reads a PDF page in two steps: its lexer turns the content stream into operands and
operators, then its interpreter runs them (fonts, text matrices, glyph boxes). On the reports
the lexer is about a third of a PDF's parse time, byte by byte in Python. qpdf's lexer, in
C++, gives the same tokens ~3x faster (conversion to pdfminer's types included), and
everything after it, the interpreter, the glyph boxes, pdfplumber and the table reader, stays
pdfminer's own, so the characters and their boxes cannot change.

The two lexers agree on well-formed streams and differ on broken ones (qpdf pads an odd hex
string with 0, pdfminer keeps the half byte; qpdf turns "1.2.3" into an operator, pdfminer
into two numbers; ...). So the fast path is taken only where nothing of that kind can occur:
a stream holding any of the patterns below, an operand qpdf could not read, an operator
outside the PDF standard's list, an inline image or any qpdf warning falls back to pdfminer's
lexer for the whole page. tests/test_pdf_content.py holds the two lexers equal on every page
of the corpus, on hand-written edge cases and on thousands of mutated streams.

`install()` points pdfminer's interpreter at `content_parser` (the one name it looks the
lexer up by); `settings.PDF_QPDF_LEXER` turns it off.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pdfminer import pdfinterp
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import KWD, LIT, PSEOF, PSKeyword

from xxgk import settings

_PDFMINER_LEXER = pdfinterp.PDFContentParser

# Operators of PDF 32000-1 Table A.1, less the inline image ones (BI ID EI: pdfminer's lexer
# reads inline images itself). Anything else in a stream is a lexing difference or a BX/EX
# extension: pdfminer's lexer takes the page.
OPERATORS = frozenset(
    "b B b* B* BDC BMC BT BX c cm CS cs d d0 d1 Do DP EMC ET EX f F f* G g gs h i j J K k l m "
    "M MP n q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W "
    "W* y ' \"".split()
)

# Raw bytes where the two lexers may disagree: a "#" escape in a name, "null" (a keyword to
# pdfminer, dropped from dictionaries by qpdf), NUL and VT (whitespace to one lexer, not to
# the other), an octal escape over \\377 (pdfminer fails on it), and a "<" that does not open
# "<<" or a well-formed hex string of an even number of digits. Backslash escapes are checked
# apart (_ESCAPE): a backslash left once the standard escapes are taken out.
_UNSAFE = re.compile(
    rb"#|null|[\x00\x0b]|\\[4-7][0-7][0-7]"
    rb"|(?<!<)<(?!<)(?!\s*(?:[0-9A-Fa-f]\s*[0-9A-Fa-f]\s*)*>)"
)
_ESCAPE = re.compile(rb"\\(?:[nrtbf()\\0-7\n]|\r\n)")


class _Fallback(Exception):
    """This stream must be lexed by pdfminer."""


def _name(obj: Any) -> str:
    name = str(obj)[1:]
    if not name.isascii():
        raise _Fallback
    return name


def _convert(obj: Any, cr: bool) -> Any:
    """A qpdf operand as pdfminer's lexer gives it: int, float, bool, bytes, PSLiteral,
    list or dict (str keys)."""
    kind = type(obj)
    if kind is int or kind is bool:
        return obj
    if kind is Decimal:
        return float(obj)
    if obj is None:  # qpdf's stand-in for what it could not read
        raise _Fallback
    code = obj._type_code
    if code == _NAME:
        return LIT(_name(obj))
    if code == _STRING:
        value = bytes(obj)
        # qpdf reads a CR or CRLF inside a literal string as "\n"; pdfminer keeps it raw
        if cr and (b"\r" in value or b"\n" in value):
            raise _Fallback
        return value
    if code == _ARRAY:
        return [_convert(item, cr) for item in obj]
    if code == _DICTIONARY:
        return {_name(key): _convert(value, cr) for key, value in obj.items()}
    raise _Fallback


_pikepdf: Any = None
_NAME = _STRING = _ARRAY = _DICTIONARY = None


def _load() -> Any:
    """pikepdf, imported on the first PDF page (a process parsing only HTML never pays)."""
    global _pikepdf, _NAME, _STRING, _ARRAY, _DICTIONARY
    if _pikepdf is None:
        import pikepdf

        _NAME, _STRING = pikepdf.ObjectType.name_, pikepdf.ObjectType.string
        _ARRAY, _DICTIONARY = pikepdf.ObjectType.array, pikepdf.ObjectType.dictionary
        _pikepdf = pikepdf
    return _pikepdf


_KEYWORDS: dict[bytes, PSKeyword] = {}


def qpdf_tokens(data: bytes) -> list[Any]:
    """The objects pdfminer's lexer yields for the content stream `data`, read by qpdf;
    _Fallback where the two could disagree."""
    if _UNSAFE.search(data) or (b"\\" in data and b"\\" in _ESCAPE.sub(b"", data)):
        raise _Fallback
    pikepdf = _load()
    # a CR in the stream and a literal string (hex strings hold any byte, and mean it)
    cr = b"\r" in data and b"(" in data
    out: list[Any] = []
    # A new scratch PDF for each page (5 µs): a stream made in a PDF stays in it, so one
    # shared PDF would keep every page a worker ever read.
    with pikepdf.Pdf.new() as scratch:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                instructions = pikepdf.parse_content_stream(pikepdf.Stream(scratch, data))
            except Exception as exc:  # qpdf could not lex it: pdfminer will say what is wrong
                raise _Fallback from exc
        if caught:
            raise _Fallback
        for instruction in instructions:
            operator = getattr(instruction, "operator", None)
            if operator is None:  # an inline image
                raise _Fallback
            op = bytes(operator)
            keyword = _KEYWORDS.get(op)
            if keyword is None:
                if op.decode("latin-1") not in OPERATORS:
                    raise _Fallback
                keyword = _KEYWORDS[op] = KWD(op)
            for operand in instruction.operands:
                out.append(_convert(operand, cr))
            out.append(keyword)
    return out


class TokenList:
    """pdfminer's content parser as the interpreter uses it: `nextobject()` until PSEOF."""

    def __init__(self, tokens: list[Any]) -> None:
        self.tokens = tokens  # parser/pdf_interp.py walks the list itself
        self._tokens = iter(tokens)

    def nextobject(self) -> tuple[int, Any]:
        for token in self._tokens:
            return 0, token
        raise PSEOF("end of content")


def content_parser(streams: Sequence[object]) -> Any:
    """The lexer for a page's (or form's) content streams: qpdf's where it is safe, else
    pdfminer's. The streams are joined with a newline, as pdfminer ends a token at a stream's
    end."""
    if not streams or not settings.PDF_QPDF_LEXER:
        return _PDFMINER_LEXER(streams)  # no streams: raises PSEOF, an empty page
    try:
        data = b"\n".join(stream_value(s).get_data() for s in streams)
        if len(data) > settings.PDF_QPDF_LEXER_MAX_BYTES:
            # qpdf lexes a stream whole, in C++, where the CPU-time cap (parser/time_cap.py)
            # cannot interrupt it and every token is held at once; pdfminer's lexer streams
            raise _Fallback
        return TokenList(qpdf_tokens(data))
    except Exception:  # _Fallback, or a stream that cannot be decoded (pdfminer reports it)
        return _PDFMINER_LEXER(streams)


def install() -> None:
    """Have pdfminer's interpreter lex with `content_parser` (which reads
    settings.PDF_QPDF_LEXER on every page)."""
    pdfinterp.PDFContentParser = content_parser  # type: ignore[assignment,misc]
