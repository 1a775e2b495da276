"""Bytes to str for HTML and text documents, trusting declarations only as far as they hold.

Older government pages are gb2312/gbk, newer ones UTF-8, and many pages declare the wrong
one (a template says utf-8, the editor saved gbk). So the order is: byte-order mark, then
valid UTF-8 (which other encodings almost never produce by accident), then the declared
charset (HTTP header, then <meta>), then charset-normalizer — and each candidate must decode
with few replacement characters and a plausible share of Chinese text before it is taken.
Every GB label decodes as gb18030, the superset that also covers characters gbk lacks.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from parser.model import DocumentError

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_GB_LABELS = {
    "gb2312",
    "gbk",
    "gb18030",
    "x-gbk",
    "cp936",
    "ms936",
    "euc-cn",
    "csgb2312",
    "gb_2312-80",
}
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_META_RE = re.compile(rb"<meta\b[^>]*>", re.I)

# Below this share of suspicious characters a decoding is accepted (a few broken bytes are
# common in real pages); above it the next candidate is tried.
MAX_BAD_SHARE = 0.005
# A decoding whose non-ASCII letters are mostly outside CJK/punctuation is mojibake.
MIN_PLAUSIBLE_SHARE = 0.6
# …and so is one whose hanzi are mostly rare characters (see `common_share`).
MIN_COMMON_SHARE = 0.7
# A decoding with up to this share of replacement characters is kept as a damaged document
# when the rest is plausible Chinese text.
MAX_DAMAGED_SHARE = 0.05


@dataclass
class Decoded:
    text: str
    encoding: str
    how: str  # bom | utf-8 | declared | detected | fallback


def normalise_label(label: str | None) -> str | None:
    """Map a charset label to a Python codec name; GB labels become gb18030."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS or label.startswith("gb"):
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(data: bytes, content_type: str | None) -> list[str]:
    """Charsets the HTTP header and the page's <meta> tags declare, in that order."""
    found: list[str] = []
    if content_type:
        m = _CHARSET_RE.search(content_type.encode("ascii", "ignore"))
        if m:
            found.append(m.group(1).decode("ascii"))
    head = data[:4096]
    for meta in _META_RE.finditer(head):
        m = _CHARSET_RE.search(meta.group())
        if m:
            found.append(m.group(1).decode("ascii"))
    out = []
    for label in found:
        name = normalise_label(label)
        if name and name not in out:
            out.append(name)
    return out


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x2000 <= o <= 0x206F  # general punctuation (“ ” — …)
        or 0x3400 <= o <= 0x4DBF  # CJK extension A
        or 0x00A0 <= o <= 0x00FF  # Latin-1 (nbsp, ×, ·)
        or 0x2460 <= o <= 0x24FF  # ① …
        or 0x2100 <= o <= 0x22FF  # ℃, №, arrows, maths
        or 0x25A0 <= o <= 0x25FF  # ■ ● ○
    )


def quality(text: str) -> tuple[float, float]:
    """(share of replacement/control characters, share of plausible non-ASCII characters).

    Characters are counted once (Counter runs in C) and each distinct character is judged
    once: a page has a few thousand distinct characters among hundreds of thousands.
    """
    if not text:
        return 0.0, 1.0
    sample = text if len(text) <= 200_000 else text[:100_000] + text[-100_000:]
    bad = non_ascii = plausible_n = 0
    for ch, n in Counter(sample).items():
        if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"):
            bad += n
        elif ord(ch) > 127:
            non_ascii += n
            if _plausible(ch):
                plausible_n += n
    plausible = plausible_n / non_ascii if non_ascii else 1.0
    return bad / len(sample), plausible


# What `quality` counts as bad: the replacement character and control characters other than
# tab, newline, carriage return and form feed.
_BAD = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")


def bad_share(text: str) -> float:
    """`quality(text)[0]` alone, counted by one regular expression: whether a strict UTF-8
    decode is readable needs no judgement of the other characters (most pages are UTF-8)."""
    if not text:
        return 0.0
    sample = text if len(text) <= 200_000 else text[:100_000] + text[-100_000:]
    return len(_BAD.findall(sample)) / len(sample)


def _common(ch: str) -> bool:
    """A frequent hanzi: GB2312 level 1 (simplified) or Big5 frequent characters (traditional)."""
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA4 <= ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def common_share(text: str, sample: int = 20_000) -> float:
    """Share of frequent characters among the hanzi of `text` (1.0 without hanzi).

    Real Chinese prose is 95%+ frequent characters; bytes decoded with the wrong codec (or
    random bytes, which gb18030 decodes into rare hanzi) fall far below that.
    """
    hanzi = {ch: n for ch, n in Counter(text[:sample]).items() if 0x4E00 <= ord(ch) <= 0x9FFF}
    if not hanzi:
        return 1.0
    return sum(n for ch, n in hanzi.items() if _common(ch)) / sum(hanzi.values())


def _try(data: bytes, encoding: str) -> tuple[str, float, float] | None:
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    bad, plausible = quality(text)
    return text, bad, plausible


def decode(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode document bytes; raise DocumentError when no encoding gives readable text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(name, errors="replace"), name.replace("-sig", ""), "bom")
    try:
        text = data.decode("utf-8")
        if bad_share(text) <= MAX_BAD_SHARE:
            return Decoded(text, "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass

    best: tuple[float, Decoded] | None = None
    seen: set[str] = set()
    for name, how in _candidates(data, content_type):
        if name in seen:
            continue
        seen.add(name)
        tried = _try(data, name)
        if tried is None:
            continue
        text, bad, plausible = tried
        if plausible >= MIN_PLAUSIBLE_SHARE and common_share(text) < MIN_COMMON_SHARE:
            plausible = 0.0
        if bad <= MAX_BAD_SHARE and plausible >= MIN_PLAUSIBLE_SHARE:
            return Decoded(text, name, how)
        score = plausible - 20 * bad
        if best is None or score > best[0]:
            best = (score, Decoded(text, name, how))
    if best is not None:
        # A damaged page (bytes lost in transfer, a truncated character) still decodes if what
        # survives is clearly Chinese text; random bytes fail the plausibility tests.
        bad, plausible = quality(best[1].text)
        if bad <= MAX_DAMAGED_SHARE and plausible >= 0.9 and common_share(best[1].text) >= 0.9:
            return best[1]
    raise DocumentError("not a text, HTML, PDF or DOCX document: bytes do not decode as text")


def _candidates(data: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    """(codec, how) to try in order: declared, detected, fallbacks. A generator, so that
    charset-normalizer (the costly guess) runs only when no declared charset holds."""
    for c in declared_charsets(data, content_type):
        yield c, "declared"
    detected = _detect(data)
    if detected:
        yield detected, "detected"
    yield from [("gb18030", "fallback"), ("utf-8", "fallback"), ("big5", "fallback")]


def _detect(data: bytes) -> str | None:
    """charset-normalizer's best guess, as a codec name (GB labels → gb18030)."""
    from charset_normalizer import from_bytes

    sample = data if len(data) <= 512_000 else data[:512_000]
    match = from_bytes(sample).best()
    if match is None:
        return None
    return normalise_label(match.encoding)
