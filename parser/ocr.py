"""The OCR engine: RapidOCR (PP-OCRv4 models run by onnxruntime on the CPU), used only where a
document has no text of its own (docs/decisions.md: "OCR engine").

The models ship inside the `rapidocr-onnxruntime` wheel, so nothing is fetched at run time
(tests/test_ocr_engine.py runs the engine with every socket refused). The engine is loaded
once per process, on first use, so a build that meets no scanned page never pays for it.

Two operations are used, never the engine's all-in-one call, because tables need more care
than a page of prose: `detect` finds text boxes on a page, `recognize` reads crops and gives
the confidence of every character (a cell's number is only as sure as its least sure digit).
"""

from __future__ import annotations

import importlib.metadata
import io
from dataclasses import dataclass
from functools import cache
from typing import Any

from parser.model import DocumentError
from xxgk import settings


@dataclass
class Reading:
    """What the recognizer read in one crop: the text and each character's confidence."""

    text: str
    confidences: list[float]

    @property
    def confidence(self) -> float:
        return min(self.confidences) if self.confidences else 0.0


class OcrUnavailable(DocumentError):
    """The OCR engine is not installed (the package is a dependency: a broken install)."""


@cache
def engine_name() -> str:
    """Name and version of the engine, recorded with every OCR'd region."""
    try:
        version = importlib.metadata.version("rapidocr-onnxruntime")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return f"rapidocr-onnxruntime {version} (PP-OCRv4)"


@cache
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise OcrUnavailable(
            f"OCR engine not installed ({exc}); reinstall with `pip install -e .`") from exc
    threads = settings.OCR_THREADS if settings.OCR_THREADS > 0 else -1
    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=threads)
    # Crops are padded to the widest of their batch, and to at least this width: 320 pixels
    # (the engine's default) spends most of the work on the padding of a one-digit cell.
    channels, height, _ = engine.text_rec.rec_image_shape
    engine.text_rec.rec_image_shape = [channels, height, settings.OCR_REC_MIN_WIDTH]
    return engine


def decode_image(data: bytes, name: str) -> Any:
    """Image bytes (PNG, JPEG, GIF, BMP, TIFF) to a BGR array, refusing decompression bombs
    before the pixels are decoded (the header gives the size)."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            if width * height > settings.OCR_MAX_PIXELS:
                raise DocumentError(
                    f"{name}: image of {width}×{height} pixels is over the "
                    f"{settings.OCR_MAX_PIXELS // 1_000_000} MP limit for OCR")
            im.seek(0)  # the first frame of a GIF or TIFF
            rgb = im.convert("RGB")
    except DocumentError:
        raise
    except Exception as exc:  # PIL raises many types for broken files
        raise DocumentError(f"{name}: broken image ({type(exc).__name__}: {exc})") from exc
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])


def detect(image: Any) -> list[tuple[float, float, float, float]]:
    """Text boxes on a page image, as (x0, top, x1, bottom) in pixels, top to bottom."""
    boxes, _ = _engine().text_det(image)
    if boxes is None:
        return []
    out = []
    for quad in boxes:
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return sorted(out, key=lambda b: (b[1], b[0]))


def recognize(crops: list[Any]) -> list[Reading]:
    """Read each crop (one line of text); every character comes with its confidence."""
    if not crops:
        return []
    results, _ = _engine().text_rec(crops, True)
    out = []
    for res in results:
        text = res[0]
        confs = [float(c) for c in res[2][4]] if len(res) > 2 and text else []
        if len(confs) != len(text):  # the decoder's list is per character; be safe
            confs = [float(res[1])] * len(text)
        # the crop's margins can read as spaces at either end
        lead = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        out.append(Reading(text[lead:end], confs[lead:end] if end > lead else []))
    return out
