"""The build on a Dask cluster against the local process pool, on the same documents.

Generates N synthetic reports of the national mix (benchmarks/synth.py: HTML, GBK HTML, PDF,
DOCX; three eras), stores them once, and builds copies of that archive:

- `local`: `build(workers=W)`, the local process pool;
- `cluster`: `build(scheduler=...)` on a LocalCluster of W worker processes of one thread each
  (what `xxgk build --scheduler` does with a real cluster, here on this machine).

Prints reports/s, the writer's share (its seconds per report bound the build whatever the number
of workers), the cluster's start-up, and whether the two archives are the same file.

    .venv/bin/python benchmarks/distributed_build.py --reports 1000 --workers 2
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _synth():
    spec = importlib.util.spec_from_file_location("xxgk_synth", ROOT / "benchmarks" / "synth.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["xxgk_synth"] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


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
    args = ap.parse_args()

    import dask
    import sqlite_utils
    from distributed import LocalCluster

    from archive.build import build
    from archive.store import add_document

    synth = _synth()
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

    results = {}
    local = tmp / "local.db"
    shutil.copyfile(store, local)
    s = build(sqlite_utils.Database(local), progress=False, workers=args.workers)
    results["local pool"] = s

    remote = tmp / "cluster.db"
    shutil.copyfile(store, remote)
    t0 = time.perf_counter()
    with dask.config.set({"distributed.worker.daemon": False}), LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True,
            dashboard_address=":0", host="127.0.0.1") as cluster:
        startup = time.perf_counter() - t0
        s = build(sqlite_utils.Database(remote), progress=False,
                  scheduler=cluster.scheduler_address)
        results["cluster"] = s
    print(f"cluster start-up (scheduler + {args.workers} workers): {startup:.1f} s")
    print(f"{'build':<12} {'seconds':>8} {'reports/s':>10} {'parse s':>8} {'write s':>8} "
          f"{'write ms/report':>16}")
    for name, s in results.items():
        print(f"{name:<12} {s.seconds:8.1f} {s.reports / s.seconds:10.1f} "
              f"{s.parse_seconds:8.1f} {s.write_seconds:8.1f} "
              f"{1000 * s.write_seconds / max(s.reports, 1):16.2f}")
    w = results["cluster"].write_seconds / max(results["cluster"].reports, 1)
    print(f"writer ceiling (any number of workers): {1 / w:.0f} reports/s")
    print("same archive:", _sha(local) == _sha(remote))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
