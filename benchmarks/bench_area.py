"""Benchmark: vectorised official ellipsoidal area vs pyproj.Geod.geometry_area_perimeter in a loop.

Both run in the same process on the same generated layer of densified polygons: irregular smooth
shapes (three random harmonics of the radius) of 0.5-1 km radius spread over China, in CGCS2000
longitude/latitude, with 768 vertices each (about 5-8 m apart, so that whether an edge is read as a
geodesic or as a straight line in longitude/latitude changes the area by well under 1e-9).

The layer is generated and measured in chunks of 5x10^4 polygons (bounded memory); the ellipsoidal time
is the sum over chunks. The Geod loop is timed on a sample of the first chunk and extrapolated to the
full size (it is linear in the number of features); the relative difference is measured on that
sample. Timings are the best of ``--repeat`` runs for both methods on the first chunk.

Goal (issue 3): ratio >= 10x and largest relative difference < 1e-9.

    .venv/bin/python benchmarks/bench_area.py                          # 10^5 and 10^6 polygons
    .venv/bin/python benchmarks/bench_area.py --sizes 2000 --sample 500 # smoke run
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import shapely

from ecogis.geodesy import GEOD, ellipsoidal_area

CHUNK = 50_000


def generate(n: int, vertices: int = 768, seed: int = 0) -> np.ndarray:
    """``n`` irregular smooth polygons, densified to ``vertices`` vertices, EPSG:4490 (vectorised)."""
    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(75, 134, n), rng.uniform(18, 53, n)
    r = rng.uniform(0.005, 0.01, n)
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    rad = np.ones((n, vertices))
    for k in range(1, 4):
        rad += rng.uniform(-0.15, 0.15, (n, 1)) / k * np.sin(k * t + rng.uniform(0, 6.3, (n, 1)))
    rad *= r[:, None]
    x = cx[:, None] + rad * np.cos(t) / np.cos(np.radians(cy))[:, None]
    y = cy[:, None] + rad * np.sin(t)
    xy = np.stack([x, y], axis=-1)
    xy = np.concatenate([xy, xy[:, :1]], axis=1).reshape(-1, 2)
    rings = shapely.linearrings(xy, indices=np.repeat(np.arange(n), vertices + 1))
    return shapely.polygons(rings)


def _best_of(repeat: int, func):
    """Smallest wall time of ``repeat`` runs and the result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _ours(geoms):
    return ellipsoidal_area(geoms, "EPSG:4490", densify_deg=None)


def _loop(geoms):
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in geoms])


def bench(n: int, sample: int, vertices: int, repeat: int = 3) -> dict:
    first = generate(min(n, CHUNK), vertices, seed=0)
    _ours(first[:100])  # warm up (CRS database, caches)
    t_ours, ours = _best_of(repeat, lambda: _ours(first))
    k = min(sample, len(first))
    t_sample, theirs = _best_of(repeat, lambda: _loop(first[:k]))
    rel = np.abs(ours[:k] - theirs) / theirs
    for i, lo in enumerate(range(CHUNK, n, CHUNK), start=1):  # further chunks: ellipsoidal only
        chunk = generate(min(CHUNK, n - lo), vertices, seed=i)
        t0 = time.perf_counter()
        _ours(chunk)
        t_ours += time.perf_counter() - t0
        del chunk
    t_loop = t_sample * n / k
    return {"n": n, "vertices": vertices, "ellipsoidal_s": t_ours, "geod_loop_s": t_loop,
            "geod_loop_sampled": k, "ratio": t_loop / t_ours, "max_rel_diff": float(rel.max())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated layer sizes")
    parser.add_argument("--sample", type=int, default=2000, help="features timed in the Geod loop")
    parser.add_argument("--vertices", type=int, default=768, help="vertices per polygon")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs on the first chunk")
    args = parser.parse_args(argv)
    print(f"{'polygons':>10} {'vertices':>8} {'ellipsoidal s':>14} {'Geod loop s':>12} {'ratio':>7} "
          f"{'max rel diff':>13}")
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        r = bench(n, args.sample, args.vertices, args.repeat)
        results.append(r)
        print(f"{n:>10} {args.vertices:>8} {r['ellipsoidal_s']:>14.3f} {r['geod_loop_s']:>12.2f} {r['ratio']:>6.1f}x "
              f"{r['max_rel_diff']:>13.2e}  (Geod loop timed on {r['geod_loop_sampled']}, extrapolated)", flush=True)
    ok = all(r["ratio"] >= 10 and r["max_rel_diff"] < 1e-9 for r in results)
    print("goal (>= 10x, rel diff < 1e-9):", "met" if ok else "NOT met")
    return results, ok


if __name__ == "__main__":
    raise SystemExit(0 if main()[1] else 1)
