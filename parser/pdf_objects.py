"""pdfplumber's dict of each character made without its generic resolver.

pdfplumber turns every pdfminer layout object into a dict (`Page.process_object`). For each
attribute it calls `resolve_all`, which walks the value recursively looking for indirect
references. A character's attributes are floats, strings, booleans and a tuple of floats, so on
a report that walk is a quarter of the time pdfplumber spends on a page (7–10 ms of a ~70 ms
PDF).

`process_object` below makes the same dict for `LTChar` objects: the same keys in the same
order, the same values. A value that is not a plain scalar or a tuple of them still goes
through `resolve_all`, and every other kind of object (lines, rects, curves, images) goes to
pdfplumber's own method. The rest of the method is pdfplumber 0.11's, line for line.

It is installed only on the pdfplumber versions it was checked against (`TESTED_VERSIONS`).
tests/test_pdf_objects.py holds the two methods equal on every object of the corpus PDFs, the
fixtures and generated reports. `settings.PDF_FAST_OBJECTS` turns it off.
"""

from __future__ import annotations

from typing import Any

import pdfplumber
from pdfminer.layout import LTChar
from pdfplumber import page as plumber_page
from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode

from xxgk import settings

PDFPLUMBER_PROCESS_OBJECT = plumber_page.Page.process_object
TESTED_VERSIONS = ("0.11.",)

_ATTRS = frozenset(plumber_page.ALL_ATTRS)
_PLAIN = frozenset({float, int, str, bool, type(None)})
_CHAR_KIND = plumber_page.lt_pat.sub("", LTChar.__name__).lower()  # "char", as pdfplumber names it
_COLOR_SPACES: dict[str, Any] = {}
_MAX_COLOR_SPACES = 1000  # a page names a handful; a hostile file cannot grow the cache


def _resolved(value: Any) -> Any:
    """`resolve_all(value)`, without the walk where it cannot change anything."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple and _PLAIN.issuperset(map(type, value)):  # all(type(v) in _PLAIN), in C
        return value
    return resolve_all(value)


def _color_space(name: Any) -> Any:
    """pdfplumber decodes a colour space's name for every character: once per name here."""
    if type(name) is not str:
        return resolve_and_decode(name)
    found = _COLOR_SPACES.get(name)
    if found is None:
        if len(_COLOR_SPACES) >= _MAX_COLOR_SPACES:
            _COLOR_SPACES.clear()
        found = _COLOR_SPACES[name] = resolve_and_decode(name)
    return found


def process_object(self: Any, obj: Any) -> dict[str, Any]:
    """pdfplumber's `Page.process_object`, faster on characters (see the module docstring)."""
    if type(obj) is not LTChar:
        return PDFPLUMBER_PROCESS_OBJECT(self, obj)
    attr = {k: v if type(v) in _PLAIN else _resolved(v)  # most values: a plain scalar
            for k, v in obj.__dict__.items() if k in _ATTRS}
    attr["object_type"] = _CHAR_KIND
    attr["page_number"] = self.page_number
    for cs in ("ncs", "scs"):
        if hasattr(obj, cs):
            attr[cs] = _color_space(getattr(obj, cs).name)
    text = obj.get_text()
    norm = self.pdf.unicode_norm
    attr["text"] = plumber_page.normalize_unicode(norm, text) if norm is not None else text
    gs = obj.graphicstate
    attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
    attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
    if isinstance(attr["fontname"], bytes):
        attr["fontname"] = plumber_page.fix_fontname_bytes(attr["fontname"])
    mb_x0, mb_top = self.mediabox[:2]
    if "y0" in attr:
        attr["top"] = (self.height - attr["y1"]) + mb_top
        attr["bottom"] = (self.height - attr["y0"]) + mb_top
        attr["doctop"] = self.initial_doctop + attr["top"]
    if "x0" in attr and mb_x0 != 0:
        attr["x0"] = attr["x0"] + mb_x0
        attr["x1"] = attr["x1"] + mb_x0
    return attr


def install() -> None:
    """Have pdfplumber's pages use `process_object` (or their own method again when
    settings.PDF_FAST_OBJECTS is off or the pdfplumber version was not checked)."""
    fast = settings.PDF_FAST_OBJECTS and pdfplumber.__version__.startswith(TESTED_VERSIONS)
    plumber_page.Page.process_object = (  # type: ignore[method-assign]
        process_object if fast else PDFPLUMBER_PROCESS_OBJECT)
