"""Benchmark: batch screening on Dask (``check_batch(engine="dask")``) against the in-process engine and pool.

The data of ``bench_batch_workers.py``, read from GeoParquet: ``--polygons`` random red-line squares
(200-600 m) and ``--n`` random rectangular parcels (20-200 m) over 100 km × 60 km in CGCS2000 3° GK zone
41 (EPSG:4550), buffers 500 and 1000 m; the parcels file rewritten in row groups of ``--row-group`` rows
(each row group is one partition the Dask workers read themselves). Each configuration runs in a fresh
subprocess (its peak memory is its own); the Dask runs start their own LocalCluster of ``workers``
processes, one thread each:

* ``read s``: ``check_batch`` until it returns (reading and normalising the sites and layers, and for
  Dask starting the cluster and the first pass over the partitions on the workers); ``screen s``:
  iterating every chunk (the screening);
* ``sites/s``: sites per second of the screening phase, and of the whole run (``total sites/s``);
* ``main MB``: peak RSS (VmHWM) of the calling process (``local``: it reads and holds the sites, and with
  ``local``/1 screens them; ``dask``: it reads only the Parquet metadata and keeps a summary row per site);
* ``worker MB``: peak RSS (VmHWM) of the largest worker process, sampled twice a second; none for
  ``local``/1 (the main process screens).

Memory per worker, and for Dask in the calling process, must not grow with the number of sites beyond the
summary row per site: compare two ``--n`` sizes. Goal (issue):
2 workers ≥ 1.7× one; the load average (``uptime``) is printed before and after each run because the
machine's cores may be shared.

    .venv/bin/python benchmarks/bench_dask.py                           # 10⁶ and 10⁵ parcels × 10⁴
    .venv/bin/python benchmarks/bench_dask.py --n 20000 --polygons 2000  # smoke run
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_batch_workers import generate  # noqa: E402  (the same generated layers and parcels)

CONFIGS = ["dask:1", "dask:2", "local:1", "local:2"]
ROW_GROUP = 20_000  # parcels per row group of the sites file: per partition read by a Dask worker


def peak_kib(pid: int) -> int:
    """The peak resident memory (VmHWM, KiB) of process ``pid`` so far; 0 once it has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


class WorkerPeaks(threading.Thread):
    """Samples the VmHWM of every descendant process (pool or Dask workers) twice a second: the peak of
    each worker's own memory (RUSAGE_CHILDREN would also count the parent's pages at fork time)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stop.wait(0.5):
            for child in me.children(recursive=True):
                self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), peak_kib(child.pid))


def run_one(project: str, sites: str, engine: str, workers: int) -> dict:
    """Screen once in this process; time, throughput and peak memory as JSON-ready numbers."""
    from ecogis.check_batch import check_batch

    load = os.getloadavg()[0]
    sampler = WorkerPeaks()
    sampler.start()
    start = time.perf_counter()
    batch = check_batch(sites, project, workers=workers, engine=engine)
    ready = time.perf_counter()
    n = sum(len(chunk.sites) for chunk in batch.chunks())
    done = time.perf_counter()
    sampler.stop.set()
    sampler.join()
    main_kb = peak_kib(os.getpid())
    child_kb = max(sampler.peaks.values(), default=0)
    return {"sites": n, "engine": engine, "workers": workers, "read_s": round(ready - start, 1),
            "screen_s": round(done - ready, 1), "sites_per_s": round(n / (done - ready)),
            "total_sites_per_s": round(n / (done - start)), "main_mb": round(main_kb / 1024),
            "worker_mb": round(child_kb / 1024) if (engine, workers) != ("local", 1) else None,
            "findings": batch.findings_total, "load_before": round(load, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def in_row_groups(path: Path, rows: int) -> None:
    """Rewrite the GeoParquet file ``path`` in row groups of ``rows`` rows (its ``geo`` metadata kept)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    pq.write_table(table, path, row_group_size=rows)
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-table.num_rows // rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000, 100_000])
    ap.add_argument("--configs", nargs="+", default=CONFIGS, help="ENGINE:WORKERS, e.g. dask:2 local:1")
    ap.add_argument("--polygons", type=int, default=10_000)
    ap.add_argument("--row-group", type=int, default=ROW_GROUP, help="parcels per Parquet row group (partition)")
    ap.add_argument("--run", nargs=4, metavar=("PROJECT", "SITES", "ENGINE", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run[0], args.run[1], args.run[2], int(args.run[3]))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            project, sites = generate(Path(tmp), n, args.polygons)
            in_row_groups(sites, args.row_group)
            for engine, w in (c.split(":") for c in args.configs):
                out = subprocess.run([sys.executable, __file__, "--run", str(project), str(sites), engine, str(w)],
                                     check=True, capture_output=True, text=True).stdout
                rows.append(json.loads(out.strip().splitlines()[-1]))
                print(json.dumps(rows[-1]), flush=True)
    base = {(r["sites"], r["engine"]): r["sites_per_s"] for r in rows if r["workers"] == 1}
    print("\n| sites | engine | workers | read s | screen s | sites/s | vs 1 worker | total sites/s | main MB "
          "| worker MB | findings | load before/after |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        one = base.get((r["sites"], r["engine"]))
        speed = r["sites_per_s"] / one if one else float("nan")
        print(f"| {r['sites']} | {r['engine']} | {r['workers']} | {r['read_s']} | {r['screen_s']} | "
              f"{r['sites_per_s']} | {speed:.2f}× | {r['total_sites_per_s']} | {r['main_mb']} | "
              f"{r['worker_mb'] or '–'} | {r['findings']} | {r['load_before']} / {r['load_after']} |")


if __name__ == "__main__":
    main()
