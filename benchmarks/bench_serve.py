"""Benchmark: ``ecogis serve`` on localhost: idle latency, single checks one at a time, and a bounded load.

Starts the real service (``ecogis serve --no-auth`` on a free 127.0.0.1 port, a temporary data
folder, the sample project; its layers read, normalised and indexed once at start), waits until the
start-up indexing is done, then measures

1. idle latency: ``GET /health`` one at a time (``--idle`` requests);
2. single checks one at a time (``--single`` of each kind): the sample exchange text upload, and a
   random point in the Panjin area as 'lon,lat' with the CRS declared; each answer holds the JSON and
   the HTML report (the DOCX/XLSX are written on first download, not timed);
3. load: ``--clients`` concurrent clients send ``--checks`` such checks in all (alternating kinds).

Prints p50/p95/max latency (s) of each and checks per second under load, with the machine's CPU count
and load average; exit 1 on any failed request::

    .venv/bin/python benchmarks/bench_serve.py                        # 200 checks, 20 clients
    .venv/bin/python benchmarks/bench_serve.py --checks 40 --clients 4 --single 5
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "layers" / "project.yaml"
EXCHANGE = REPO / "layers" / "sites" / "sites_zone41.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("ecogis")
    cmd = [str(exe), "serve", "--project", str(PROJECT), "--no-auth", "--port", str(port), "--data", str(data_dir),
           "--workers", str(workers), "--rate", "100000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the service did not start")


def one_check(client: httpx.Client, i: int, rng_seed: int) -> tuple[float, int]:
    """One check; returns (seconds, HTTP status)."""
    started = time.perf_counter()
    if i % 2 == 0:
        resp = client.post("/api/check", files={"file": (EXCHANGE.name, EXCHANGE.read_bytes())})
    else:
        rng = np.random.default_rng(rng_seed + i)
        lon, lat = rng.uniform(121.6, 122.3), rng.uniform(40.8, 41.4)
        resp = client.post("/api/check", data={"coordinates": f"{lon:.6f},{lat:.6f}", "site_crs": "EPSG:4490"})
    return time.perf_counter() - started, resp.status_code


def timed(fn, n: int) -> np.ndarray:
    out = []
    for i in range(n):
        started = time.perf_counter()
        status = fn(i)
        if status not in (200, 201):
            raise SystemExit(f"request failed: HTTP {status}")
        out.append(time.perf_counter() - started)
    return np.array(out)


def line(label: str, latency: np.ndarray) -> str:
    return (f"{label}: n {len(latency)}, p50 {np.percentile(latency, 50):.3f} s, "
            f"p95 {np.percentile(latency, 95):.3f} s, max {latency.max():.3f} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=200)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4, help="ecogis serve --workers (checks running at once)")
    ap.add_argument("--idle", type=int, default=50, help="GET /health requests on the idle service")
    ap.add_argument("--single", type=int, default=20, help="single checks of each kind, one at a time")
    args = ap.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_service(Path(tmp) / "data", port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=300) as one:
                for i in range(args.workers):   # waits behind the start-up indexing of every worker
                    one_check(one, i, 0)
                idle = timed(lambda i: one.get("/health").status_code, args.idle)
                upload = timed(lambda i: one_check(one, 2 * i, 1)[1], args.single)
                point = timed(lambda i: one_check(one, 2 * i + 1, 1)[1], args.single)
            clients = [httpx.Client(base_url=base, timeout=300) for _ in range(args.clients)]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(lambda i: one_check(clients[i % args.clients], i, 15), range(args.checks)))
            wall = time.perf_counter() - started
            for c in clients:
                c.close()
        finally:
            proc.terminate()          # graceful: uvicorn finishes the running requests
            proc.wait(timeout=600)
    latency = np.array([r[0] for r in results])
    errors = [s for _, s in results if s != 201]
    print(f"cpus {os.cpu_count()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, "
          f"{args.workers} workers")
    print(line("idle GET /health", idle))
    print(line("single check, exchange text upload (4 parcels)", upload))
    print(line("single check, one point 'lon,lat'", point))
    print(line(f"load: {args.checks} checks from {args.clients} concurrent clients", latency)
          + f"; {args.checks / wall:.2f} checks/s; {len(errors)} errors"
          + (f" (HTTP status: count {dict(Counter(errors))})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
