"""Parse throughput over the real corpus and the project's table fixtures, with jieba
segmentation alone as the baseline.

    python benchmarks/parse_throughput.py [--repeat N] [--corpus DIR]

Documents: ../shared/corpus (reports and excerpts: text, HTML in a JS wrapper, PDF) and the
project's own table-format documents (fixtures/tables/*.html, the demo website's HTML, PDF and
DOCX reports), and a group of legacy-era HTML reports (`legacy-html`: synthetic 2013–2018
reports of benchmarks/synth.py and the statistics-table pages of fixtures/cases/statistics).
Prints, per kind of document (text, html, pdf, docx, legacy-html): documents, MB, seconds,
reports/s, CPU ms per report (process CPU time: steadier than the wall clock on a shared
machine), MB/s, PDF pages/s, facts/s, and for the same extracted texts the time jieba needs
just to segment them; then the process's peak memory. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parser import load  # noqa: E402
from parser.pipeline import parse_document  # noqa: E402
from xxgk import settings  # noqa: E402

SUFFIXES = {".txt", ".pdf", ".html", ".htm", ".docx"}


def documents(corpus: Path) -> list[tuple[Path, bytes]]:
    roots = [corpus / "reports", corpus / "excerpts", settings.FIXTURES_DIR / "tables",
             settings.FIXTURES_DIR / "site" / "www"]
    found = []
    for root in roots:
        if root.is_dir():
            found += sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    return [(p, p.read_bytes()) for p in found]


def legacy_html(n: int) -> list[tuple[Path, bytes]]:
    """Legacy-era HTML reports: `n` synthetic ones (prose, 2013–2018) and the hand-written
    statistics-table pages (统计表 as an HTML table), each page repeated so that they weigh
    a tenth of the group."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    out = []
    for i in range(n):
        r = synth.generate(i, year=2013 + i % 6, kind="html")
        out.append((Path(r.filename), r.data))
    pages = sorted((settings.FIXTURES_DIR / "cases" / "statistics").glob("*.html"))
    for _ in range(max(1, n // 10 // max(len(pages), 1))):
        out += [(p, p.read_bytes()) for p in pages]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=settings.CORPUS_DIR)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus (default 3)")
    ap.add_argument("--legacy", type=int, default=200,
                    help="synthetic legacy HTML reports in the legacy-html group (default 200)")
    args = ap.parse_args()
    docs = documents(args.corpus)
    if not docs:
        sys.exit(f"no documents under {args.corpus} or fixtures/")
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    groups: dict[str, list[tuple[Path, bytes]]] = {}
    for path, raw in docs:
        try:
            kind = load.load_bytes(raw, str(path)).kind  # also warms the caches
        except Exception:
            continue
        groups.setdefault(kind, []).append((path, raw))
    groups["legacy-html"] = legacy_html(args.legacy)
    first = docs[0]
    parse_document(load.load_bytes(first[1], str(first[0])))  # jieba's dictionary, rule caches

    print(
        f"{'group':11} {'docs':>5} {'MB':>7} {'load+parse s':>12} {'reports/s':>10} "
        f"{'CPU ms/rep':>10} {'MB/s':>7} "
        f"{'pages/s':>8} {'facts/s':>9} {'jieba s':>8} {'jieba MB/s':>10}"
    )
    for group in ("text", "html", "pdf", "docx", "legacy-html"):
        data = groups.get(group, [])
        if not data:
            continue
        size_mb = sum(len(b) for _, b in data) / 1e6
        texts, pages, facts = [], 0, 0
        t0 = time.perf_counter()
        c0 = time.process_time()
        for _ in range(args.repeat):
            texts, pages, facts = [], 0, 0
            for path, raw in data:
                doc = load.load_bytes(raw, str(path))
                result = parse_document(doc)
                texts.append(doc.text)
                pages += len(doc.pages) or 0
                facts += len(result.facts)
        elapsed = (time.perf_counter() - t0) / args.repeat
        cpu_ms = (time.process_time() - c0) / args.repeat / len(data) * 1000
        t1 = time.perf_counter()
        for _ in range(args.repeat):
            for text in texts:
                jieba.lcut(text)
        jieba_s = (time.perf_counter() - t1) / args.repeat
        text_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        print(
            f"{group:11} {len(data):>5} {size_mb:>7.2f} {elapsed:>12.3f} "
            f"{len(data) / elapsed:>10.1f} {cpu_ms:>10.1f} "
            f"{size_mb / elapsed:>7.2f} {(pages / elapsed if pages else 0):>8.1f} "
            f"{facts / elapsed:>9.0f} {jieba_s:>8.3f} {text_mb / jieba_s:>10.2f}"
        )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory (max RSS): {peak_kb / 1024:.0f} MB; repeat={args.repeat}")


if __name__ == "__main__":
    main()
