"""OCR benchmark: seconds per scanned page, and the build throughput of a mix with scans.

    python benchmarks/ocr_throughput.py [--reports 200] [--scanned-share 0.05] [--threads 1 2]

1. Per page: the corpus PDFs with gold (淮安市 2024, 洪泽区 2023 and 2024) are rendered to
   150 dpi page images and rebuilt as image-only PDFs (JPEG inside, as a scanner writes them),
   then parsed with OCR, for each engine thread count given; wall and CPU seconds per page,
   with the cells exact against the gold.
2. Build: `--reports` synthetic reports of one year (benchmarks/synth.py, all kinds), of which
   `--scanned-share` are PDFs replaced by their scan, are stored and built (`xxgk build`, one
   parse process per core); the same corpus without the scans is built for comparison.
   Reports/s of both, and the cells of the scanned reports exact against their gold.

The machine is shared: the load average before and after each part is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

CORPUS = ("003_huaian-city_2024", "001_huaian-hongze_2023", "002_huaian-hongze_2024")


def scan_of(pdf: bytes, dpi: int = 150) -> bytes:
    """The PDF as a scanner would give it: page images, no text layer."""
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        images = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def per_page(threads: list[int]) -> list[dict]:
    from parser import ocr
    from parser.evaluate import score_document
    from parser.pipeline import parse_bytes
    from xxgk import settings

    out = []
    scans = {}
    for name in CORPUS:
        src = settings.CORPUS_DIR / "reports" / f"{name}.pdf"
        if src.exists():
            scans[name] = scan_of(src.read_bytes())
    for n in threads:
        settings.OCR_THREADS = n
        ocr._engine.cache_clear()
        ocr._engine()  # loaded once per process: not part of a page's cost
        for name, data in scans.items():
            before = load()
            t0, c0 = time.perf_counter(), cpu()
            result = parse_bytes(data, f"{name}.scan.pdf")
            wall, used = time.perf_counter() - t0, cpu() - c0
            gold = json.loads((settings.GOLD_DIR / f"{name}.json").read_text("utf-8"))
            s = score_document(gold, result)
            pages = len(result.ocr)
            out.append({"document": name, "threads": n, "pages": pages,
                        "wall_s_per_page": round(wall / pages, 2),
                        "cpu_s_per_page": round(used / pages, 2),
                        "ocr_s_per_page": round(sum(r["seconds"] for r in result.ocr) / pages, 2),
                        "cells": s.cells_expected, "exact": s.cells_exact,
                        "wrong": s.cells_wrong, "wrong_unflagged": s.cells_wrong_unflagged,
                        "load_before": before, "load_after": load()})
            print(json.dumps(out[-1], ensure_ascii=False), flush=True)
    return out


def build_mix(n: int, share: float, seed: int, scanned: bool) -> dict:
    import sqlite_utils

    from archive.build import build
    from archive.store import add_document

    rng = random.Random(seed)
    chosen = set(rng.sample(range(n), max(1, round(n * share))))
    golds = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite_utils.Database(Path(tmp) / "archive.db")
        for i in range(n):
            r = synth.generate(i, 2023, seed, kind="pdf" if i in chosen else None)
            data = scan_of(r.data) if scanned and i in chosen else r.data
            doc_id, _ = add_document(db, data, url=None, path=f"/synth/{r.filename}",
                                     filename=Path(r.filename).name, origin="import",
                                     publisher_hint=r.publisher)
            if i in chosen:
                golds[doc_id] = r
        before = load()
        t0 = time.perf_counter()
        stats = build(db, progress=False)
        seconds = time.perf_counter() - t0
        exact = cells = 0
        for doc_id, r in golds.items():
            row = db.execute("select report_id from report_documents where document_id = ?",
                             [doc_id]).fetchone()
            values = dict(db.execute("select key, value from report_indicator_values where "
                                     "report_id = ?", [row[0]]).fetchall()) if row else {}
            c, ok, _ = synth.compare(r, values)
            cells += c
            exact += ok
        ocr_pages = db.execute("select count(*) from ocr_regions").fetchone()[0]
        db.close()
    return {"reports": n, "scanned": len(chosen) if scanned else 0, "ocr_pages": ocr_pages,
            "seconds": round(seconds, 1), "reports_per_s": round(n / seconds, 2),
            "workers": stats.workers, "errors": stats.errors,
            "scanned_cells": cells, "scanned_exact": exact,
            "load_before": before, "load_after": load()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--scanned-share", type=float, default=0.05)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-pages", action="store_true")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    print(f"cores {os.cpu_count()}, load average {load()}")
    if not args.skip_pages:
        per_page(args.threads)
    if not args.skip_build:
        for scanned in (False, True):
            print(json.dumps({"mix": "with scans" if scanned else "without scans",
                              **build_mix(args.reports, args.scanned_share, args.seed, scanned)},
                             ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
