"""The build on a Dask cluster against the local process pool, on the same documents.

Generates N synthetic reports of the national mix (benchmarks/synth.py: HTML, GBK HTML, PDF,
DOCX; three eras), stores them once, and builds copies of that archive:

- `local`: `build(workers=W)`, the local process pool;
- `cluster`: `build(scheduler=...)` on a LocalCluster of W worker processes of one thread each
  (what `xxgk build --scheduler` does with a real cluster, here on this machine).

Prints reports/s, the writer's share (its seconds per report bound the build whatever the number
of workers), the cluster's start-up, and whether the two archives are the same file.

    .venv/bin/python benchmarks/distributed_build.py --reports 400 --workers 2 --rounds 3
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _sha(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        conn.execute("update ocr_regions set seconds = 0")  # wall time: differs between any two
    conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--rounds", type=int, default=3, help="builds of each kind, alternated")
    args = ap.parse_args()

    import dask
    import sqlite_utils
    from distributed import LocalCluster

    from archive.build import build
    from archive.store import add_document
    from testkit.synth import load_synth  # the repository root is on the path from here

    synth = load_synth()
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-dist-"))
    store = tmp / "store.db"
    db = sqlite_utils.Database(store)
    kinds: dict[str, int] = {}
    for i in range(args.reports):
        r = synth.generate(i, args.year if i % 2 else args.year - 6, seed=11)
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
        add_document(db, r.data, url=None, path=f"/synth/{r.filename}", filename=r.filename,
                     origin="import")
    db.close()
    print(f"{args.reports} reports ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}),"
          f" {args.workers} workers")

    results: dict[str, list] = {"local pool": [], "cluster": []}
    same = []
    with dask.config.set({"distributed.worker.daemon": False}):
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", host="127.0.0.1")
        startup = time.perf_counter() - t0
    try:
        # alternated, so that the load of a shared machine falls on both alike
        for r in range(args.rounds):
            local, remote = tmp / f"local-{r}.db", tmp / f"cluster-{r}.db"
            shutil.copyfile(store, local)
            results["local pool"].append(
                build(sqlite_utils.Database(local), progress=False, workers=args.workers))
            shutil.copyfile(store, remote)
            results["cluster"].append(build(sqlite_utils.Database(remote), progress=False,
                                            scheduler=cluster.scheduler_address))
            same.append(_sha(local) == _sha(remote))
            local.unlink()
            remote.unlink()
    finally:
        cluster.close()
    print(f"cluster start-up (scheduler + {args.workers} workers): {startup:.1f} s")
    print(f"{'build (median of ' + str(args.rounds) + ')':<22} {'seconds':>8} {'reports/s':>10} "
          f"{'parse s':>8} {'write s':>8} {'write ms/report':>16}  reports/s of each round")
    for name, runs in results.items():
        def med(f, runs=runs):
            return statistics.median(f(s) for s in runs)
        print(f"{name:<22} {med(lambda s: s.seconds):8.1f} "
              f"{med(lambda s: s.reports / s.seconds):10.1f} {med(lambda s: s.parse_seconds):8.1f}"
              f" {med(lambda s: s.write_seconds):8.1f} "
              f"{med(lambda s: 1000 * s.write_seconds / max(s.reports, 1)):16.2f}  "
              + ", ".join(f"{s.reports / s.seconds:.1f}" for s in runs))
    w = statistics.median(s.write_seconds / max(s.reports, 1) for s in results["cluster"])
    print(f"writer ceiling (any number of workers): {1 / w:.0f} reports/s")
    print("same archive:", all(same))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
