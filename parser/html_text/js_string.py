"""A JavaScript data file whose HTML sits in a string: `let content = "<p …>…";`.

Some CMSs serve the report body as a script that assigns it to a variable. The HTML is taken
out of the string with its escapes undone, and every character keeps its position in the
JavaScript file so that evidence offsets still point into what was fetched. Apart from the
HTML reader because it is a wrapper around the markup, not part of reading it.
"""

from __future__ import annotations

import re

from parser.model import DocumentError

_JS_STRING = re.compile(r"""\A\s*(?:(?:var|let|const)\s+)?[\w$.]+\s*=\s*(["'`])""")
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.S)
_JS_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "",
    "f": "",
    "v": "",
    "0": "",
    "\n": "",
    "\r\n": "",
}


def looks_like_js_html(src: str) -> bool:
    """A JavaScript data file whose HTML sits in a string: `let content = "<p …>…";`"""
    m = _JS_STRING.match(src)
    return m is not None and src[m.end() : m.end() + 200].lstrip().startswith("<")


def unwrap_js_string(src: str) -> tuple[str, list[int]]:
    """The HTML inside `let x = "…"` with JS escapes undone, and its positions in `src`.

    Positions are given per character of the result so the HTML loader's offsets can be
    carried back into the JavaScript file.
    """
    m = _JS_STRING.match(src)
    if not m:
        raise DocumentError("not a JavaScript string assignment")
    quote = m.group(1)
    start = m.end()
    end = len(src.rstrip())
    while end > start and src[end - 1] in ";\n\r ":
        end -= 1
    if end > start and src[end - 1] == quote:
        end -= 1
    out: list[str] = []
    pos_map: list[int] = []
    pos = start
    for esc in _JS_ESCAPE.finditer(src, start, end):
        a = esc.start()
        if a > pos:
            out.append(src[pos:a])
            pos_map.extend(range(pos, a))
        body = esc.group(1)
        if body[0] in "ux" and len(body) > 1:
            ch = chr(int(body[1:], 16))
        else:
            ch = _JS_SIMPLE.get(body, body)
        out.append(ch)
        pos_map.extend([a] * len(ch))
        pos = esc.end()
    out.append(src[pos:end])
    pos_map.extend(range(pos, end))
    return "".join(out), pos_map
