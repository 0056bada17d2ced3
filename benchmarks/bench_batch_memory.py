"""Benchmark: peak memory and output size of ``ecogis check --batch`` on many points.

Generates ``--points`` random points (fixed ``--seed``) in the bounds of the sample project's
boundary (layers/project.yaml, CGCS2000 longitude/latitude), writes them to a CSV, and runs
``ecogis check POINTS.csv -p layers/project.yaml --batch --format json,xlsx`` in a child process per
size. Reports, per size: seconds, the child's peak resident memory (``os.wait4`` rusage, ru_maxrss),
the JSON size per site and the XLSX size. Goal: 10⁵ points under 1.5 GB peak with a JSON under
1 KB per site::

    .venv/bin/python benchmarks/bench_batch_memory.py                         # 2 000 points, seconds
    .venv/bin/python benchmarks/bench_batch_memory.py --points 5000,20000,100000   # full, once

Exit code 0 when every size meets the goal, 1 when one does not.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "layers" / "project.yaml"
GOAL_RSS_MB = 1536.0
GOAL_JSON_BYTES_PER_SITE = 1024.0


def project_bounds() -> tuple[float, float, float, float]:
    """Bounds (lon/lat, EPSG:4490) of the sample project's boundary."""
    from ecogis.project import load_project

    boundary = load_project(PROJECT).read_boundary()
    return tuple(boundary.to_crs(4490).total_bounds)


def write_points(path: Path, n: int, seed: int) -> None:
    """``n`` random points in the project bounds as a CSV of 编号,经度,纬度 (longitude, latitude)."""
    x0, y0, x1, y1 = project_bounds()
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
    with path.open("w", encoding="utf-8") as f:
        f.write("编号,经度,纬度\n")
        f.writelines(f"B{i},{a:.7f},{b:.7f}\n" for i, (a, b) in enumerate(zip(lon, lat)))


def run_check(points_csv: Path, out: Path, extra: list[str]) -> tuple[float, float, int]:
    """Run the batch check in a child process: (seconds, peak RSS in MB, exit code)."""
    cmd = [sys.executable, "-c", "from ecogis.cli import main; main()", "check", str(points_csv),
           "-p", str(PROJECT), "--batch", "--format", "json,xlsx", "--site-crs", "EPSG:4490", "--out", str(out),
           *extra]
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    return seconds, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)  # ru_maxrss is KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", default="2000", help="comma-separated numbers of points")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--extra", default="", help="more arguments for ecogis check, e.g. '--findings all'")
    args = ap.parse_args(argv)
    ok = True
    print("points | seconds | peak RSS (MB) | JSON bytes/site | XLSX MB | exit")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(p) for p in args.points.split(",")):
            csv, out = Path(tmp) / f"points_{n}.csv", Path(tmp) / f"out_{n}"
            write_points(csv, n, args.seed)
            seconds, rss, code = run_check(csv, out, args.extra.split())
            json_size = (out / "check.json").stat().st_size if (out / "check.json").exists() else float("nan")
            xlsx = (out / "check.xlsx").stat().st_size / 2**20 if (out / "check.xlsx").exists() else float("nan")
            print(f"{n} | {seconds:.1f} | {rss:.0f} | {json_size / n:.0f} | {xlsx:.1f} | {code}", flush=True)
            ok &= code == 0 and rss < GOAL_RSS_MB and json_size / n < GOAL_JSON_BYTES_PER_SITE
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
