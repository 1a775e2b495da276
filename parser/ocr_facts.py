"""Facts read by OCR: method `ocr`, the engine's confidence, and no key when a digit is doubtful.

A fact whose text lies in an OCR'd region of the document (a scanned page, an image) is
marked `method = "ocr"` with the lowest confidence of its digits (`Fact.confidence`). Where
that is below settings.OCR_MIN_CONFIDENCE the number may be misread: the fact keeps what the
engine read (value, raw) but loses its key, with the reason in `note`, so no value of the
archive rests on it. For a table cell that makes it an unplaced cell, which the table stage
reports as a failed `table.unplaced_cells` check; table totals are then checked on the other
OCR values exactly as on printed ones (parser/tables/checks.py).
"""

from __future__ import annotations

import bisect

from parser.model import Document, Fact
from xxgk import settings


def _region_of(doc: Document, start: int, end: int):
    """The OCR region holding [start, end), or None."""
    starts = [r.start for r in doc.ocr]
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0:
        region = doc.ocr[i]
        if start < region.end and end <= region.end:
            return region
    return None


def span_confidence(doc: Document, start: int, end: int) -> float | None:
    """Lowest engine confidence of the digits in doc.text[start:end] (of every character
    when there is no digit); None outside OCR'd text."""
    region = _region_of(doc, start, end)
    if region is None or start < region.start:
        return None
    text = doc.text[start:end]
    confs = region.confidences[start - region.start:end - region.start]
    digits = [c for ch, c in zip(text, confs, strict=False) if ch.isdigit() and c is not None]
    if not digits:
        digits = [c for c in confs if c is not None]
    return min(digits) if digits else None


def review(doc: Document, facts: list[Fact]) -> None:
    """Mark the facts read by OCR and unkey the doubtful ones (in place)."""
    if not doc.ocr:
        return
    threshold = settings.OCR_MIN_CONFIDENCE
    for f in facts:
        if f.method == "table" and f.confidence is None and f.start >= 0:
            conf = span_confidence(doc, f.start, f.end) if f.end > f.start else None
            if conf is None and _region_of(doc, f.start, max(f.end, f.start + 1)) is None:
                continue
            f.method, f.confidence = "ocr", conf
        elif f.method == "text" and f.end > f.start:
            conf = span_confidence(doc, f.start, f.end)
            if conf is None:
                continue
            f.method, f.confidence = "ocr", conf
        if f.method != "ocr" or f.confidence is None or f.confidence >= threshold:
            continue
        if f.key is not None and f.status != "blank":  # a number, or text read as one
            why = (f"OCR confidence {f.confidence:.2f} is below {threshold:g}: "
                   f"{f.raw or f.value!r} may be misread, not placed")
            f.note = f"{f.note}; {why}" if f.note else why
            f.key = None
