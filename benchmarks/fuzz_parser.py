"""Fuzz the parser with mutated real documents (testkit/fuzzing.py) at scale: 100,000 inputs by
default, in worker processes, each input timed. Prints the figures the closing note quotes:
inputs, exceptions out of parse_bytes, parser bugs caught by the pipeline, inputs refused
with a reason, the slowest input and its time, inputs over 1 s, peak memory per worker.
Slow inputs and tracebacks are written to --out for replay.

    .venv/bin/python benchmarks/fuzz_parser.py [--inputs 100000] [--workers 2] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # testkit/ is not installed: it is found at the repository root

from testkit.fuzzing import FuzzStats, fuzz, load_seeds  # noqa: E402

CHUNK = 1000


def _run(args: tuple[int, int]) -> FuzzStats:
    seed, n = args
    return fuzz(n, seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("test-artifacts/fuzz"))
    args = ap.parse_args()
    seeds = load_seeds()
    jobs = [(args.seed * 1_000_000 + i, min(CHUNK, args.inputs - i * CHUNK))
            for i in range((args.inputs + CHUNK - 1) // CHUNK)]
    total = FuzzStats()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers, maxtasksperchild=20) as pool:
        for i, stats in enumerate(pool.imap_unordered(_run, jobs), 1):
            total.merge(stats)
            if i % 10 == 0:
                print(f"{total.inputs} inputs, max {total.max_seconds:.3f} s, "
                      f"uncaught {len(total.uncaught)}, parser bugs {len(total.parser_failed)}",
                      flush=True)
    wall = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    for k, data in enumerate(total.slow_inputs):
        (args.out / f"slow_{k}.bin").write_bytes(data)
    for k, data in enumerate(total.failed_inputs):
        (args.out / f"failed_{k}.bin").write_bytes(data)
    (args.out / "failures.txt").write_text("\n\n".join(total.uncaught + total.parser_failed),
                                           encoding="utf-8")
    figures = {
        "inputs": total.inputs, "seeds": len(seeds), "wall_s": round(wall, 1),
        "mean_ms": round(1000 * total.seconds / max(1, total.inputs), 2),
        "max_s": round(total.max_seconds, 3), "slowest": total.slowest,
        "max_cpu_s": round(getattr(total, "max_cpu_seconds", 0.0), 3),
        "slowest_cpu": getattr(total, "slowest_cpu", ""),
        "over_1s": total.over_1s, "uncaught_exceptions": len(total.uncaught),
        "parser_bugs_caught": len(total.parser_failed), "refused_with_reason": total.errors,
        "refused_at_cpu_cap": total.capped,
        "parsed_as_reports": total.reports, "peak_rss_mb_per_worker": round(total.peak_rss_mb),
        "largest_peak_rise_mb": round(total.peak_growth_mb),
        "largest_peak_riser": total.peak_grower,
    }
    (args.out / "figures.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
