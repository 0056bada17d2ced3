"""Benchmark: batch screening in one process vs a process pool of N workers (``check_batch(workers=N)``).

Generated data, read from GeoParquet: ``--polygons`` random red-line squares (200-600 m) and
``--sites`` random rectangular parcels (20-200 m) over the same 100 km × 60 km area of Panjin, CGCS2000
3° GK zone 41 (EPSG:4550). Each configuration runs in a fresh subprocess, so its peak memory is its own:

* ``sites/s``: sites screened per second of wall time (reading the sites and layers included);
* ``main MB``: peak RSS of the process calling ``check_batch`` (with ``workers=1`` it does the screening);
* ``worker MB``: peak RSS of the largest worker process (``RUSAGE_CHILDREN``), none with ``workers=1``.

Memory per worker must not grow with the number of sites (chunks of ``screen.CHUNK_SITES`` sites, at
most 2 × workers in flight): compare two ``--sites`` sizes. Goal (issue): 2 workers ≥ 1.7× one worker,
which needs two free cores; on a shared, loaded machine the ratio shows the load too.

    .venv/bin/python benchmarks/bench_batch_workers.py                                # 2·10⁴ and 8·10⁴ sites
    .venv/bin/python benchmarks/bench_batch_workers.py --sites 2000 --polygons 1000   # smoke run
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

GK = "EPSG:4550"  # CGCS2000 3° GK zone 41 (CM 123°E), no zone prefix
X0, Y0, W, H = 400_000.0, 4_500_000.0, 100_000.0, 60_000.0


def generate(folder: Path, n_sites: int, n_polygons: int, seed: int = 1) -> tuple[Path, Path]:
    """Write the red-line layer and the parcels as GeoParquet; return (project.yaml, sites.parquet)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(X0, X0 + W, n_polygons), rng.uniform(Y0, Y0 + H, n_polygons)
    s = rng.uniform(200, 600, n_polygons)
    gpd.GeoDataFrame({"name": [f"红线{i}" for i in range(n_polygons)]}, geometry=shapely.box(x, y, x + s, y + s),
                     crs=GK).to_parquet(folder / "redline.parquet")
    x, y, w = rng.uniform(X0, X0 + W, n_sites), rng.uniform(Y0, Y0 + H, n_sites), rng.uniform(20, 200, n_sites)
    sites = folder / f"sites_{n_sites}.parquet"
    gpd.GeoDataFrame({"id": [f"P{i}" for i in range(n_sites)], "name": [f"地块{i}" for i in range(n_sites)]},
                     geometry=shapely.box(x, y, x + w, y + 0.7 * w), crs=GK).to_parquet(sites)
    project = folder / "project.yaml"
    project.write_text("name: bench\nbuffers_m: [500, 1000]\nlayers:\n"
                       "  redline: {kind: redline, path: redline.parquet}\n", encoding="utf-8")
    return project, sites


def run_one(project: str, sites: str, workers: int) -> dict:
    """Screen once (in this process) and report time and peak memory as JSON-ready numbers."""
    from ecogis.check_batch import check_batch

    start = time.perf_counter()
    batch = check_batch(sites, project, workers=workers)
    n = sum(len(chunk.sites) for chunk in batch.chunks())
    elapsed = time.perf_counter() - start
    main_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"sites": n, "workers": workers, "seconds": round(elapsed, 2), "sites_per_s": round(n / elapsed, 1),
            "main_mb": round(main_kb / 1024), "worker_mb": round(child_kb / 1024) if workers > 1 else None,
            "findings": batch.findings_total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, nargs="+", default=[20_000, 80_000])
    ap.add_argument("--polygons", type=int, default=10_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--run", nargs=3, metavar=("PROJECT", "SITES", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run[0], args.run[1], int(args.run[2]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for n in args.sites:
            project, sites = generate(Path(tmp), n, args.polygons)
            for w in args.workers:
                out = subprocess.run([sys.executable, __file__, "--run", str(project), str(sites), str(w)],
                                     check=True, capture_output=True, text=True).stdout
                rows.append(json.loads(out.strip().splitlines()[-1]))
                print(json.dumps(rows[-1]), flush=True)
    base = {r["sites"]: r["sites_per_s"] for r in rows if r["workers"] == 1}
    print("\n| sites | polygons | workers | s | sites/s | speed-up | main MB | worker MB | findings |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        speed = r["sites_per_s"] / base[r["sites"]] if r["sites"] in base else float("nan")
        print(f"| {r['sites']} | {args.polygons} | {r['workers']} | {r['seconds']} | {r['sites_per_s']} | "
              f"{speed:.2f}× | {r['main_mb']} | {r['worker_mb'] or '–'} | {r['findings']} |")


if __name__ == "__main__":
    main()
