"""The OCR engine runs offline: its models ship in the installed package, nothing is fetched.

The engine is run in a fresh interpreter whose audit hook refuses every network operation
(socket creation, connect, name lookup), with the hub variables set to offline as well: a
library that tried to download a model at first use would fail here. Runs without the corpus.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from xxgk import settings

SCRIPT = textwrap.dedent("""
    import json, sys

    def refuse(event, args):
        if event.startswith(("socket.", "urllib.Request")) and event != "socket.__new__" \\
                or event == "socket.__new__" and args[1] in (2, 10):  # AF_INET, AF_INET6
            raise RuntimeError(f"network use during OCR: {event} {args!r}")

    sys.addaudithook(refuse)
    from PIL import Image, ImageDraw, ImageFont
    import numpy as np
    from parser import ocr
    from parser.ocr_layout import read_page

    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    draw.text((40, 40), "Total 3119 of 3050", fill="black", font=font)
    image = image.resize((900, 400))
    draw = ImageDraw.Draw(image)
    for x in (40, 300, 560, 860):  # a ruled table of 3 columns and 2 rows below
        draw.line([(x, 150), (x, 370)], fill="black", width=2)
    for y in (150, 260, 370):
        draw.line([(40, y), (860, y)], fill="black", width=2)
    for x, y, text in ((110, 180, "447"), (390, 180, "26"), (650, 180, "0"),
                       (110, 290, "15"), (390, 290, "8"), (650, 290, "2024")):
        draw.text((x, y), text, fill="black", font=font)
    page = read_page(np.asarray(image)[:, :, ::-1].copy())
    print(json.dumps({
        "lines": [ln.text for ln in page.lines],
        "cells": [c.text for t in page.tables
                  for c in sorted(t.cells, key=lambda c: (c.bbox[1], c.bbox[0]))],
        "confidence": min(c for t in page.tables for cell in t.cells
                          for c in cell.confidences if c is not None),
        "engine": ocr.engine_name(),
    }))
""")


def test_ocr_runs_with_the_network_refused(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "MODELSCOPE_OFFLINE": "1", "NO_PROXY": "*"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, cwd=settings.ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["cells"] == ["447", "26", "0", "15", "8", "2024"]
    assert any("3119" in line and "3050" in line for line in out["lines"]), out["lines"]
    assert 0.5 < out["confidence"] <= 1
    assert out["engine"].startswith("rapidocr-onnxruntime 1.4")
    # the engine wrote nothing under HOME (no model cache being filled)
    assert not any(tmp_path.rglob("*.onnx"))
