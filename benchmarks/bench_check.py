"""Benchmark: batch site screening vs a naive geopandas.overlay of the same inputs, in one run.

Generates ``--polygons`` detailed red-line polygons (``--vertices`` each) and ``--sites``
rectangular parcels turned by random angles (like surveyed parcels) in CGCS2000 3° Gauss-Kruger zone 41
(EPSG:4550), then times

* ecogis: :func:`ecogis.screen.screen` (STRtree pairs, vectorised overlap areas with the official
  ellipsoidal method, geodesic nearest distances, every feature within the buffers, rules), and
* naive: ``geopandas.overlay(sites, redline, how="intersection")`` plus plane areas (it answers less:
  no distances, no buffers, no rules), and
* geopandas doing the same relations in the plane: overlay + ``sjoin_nearest`` + ``sjoin`` against
  buffered polygons (plane areas and distances, no official method, no rules).

Prints sites per second for both and the ratio. Full size (10⁵ sites, 10⁴ polygons) is for a
one-off run, not CI::

    .venv/bin/python benchmarks/bench_check.py                      # small, seconds
    .venv/bin/python benchmarks/bench_check.py --sites 100000 --polygons 10000
"""
from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ecogis.errors import AssumptionWarning
from ecogis.rules import load_rules
from ecogis.screen import screen

GK = pyproj.CRS.from_epsg(4550)
X0, Y0, SPAN = 400_000.0, 4_500_000.0, 100_000.0  # a 100 km square west of CM 123°E around 40.6°N


def make_redline(n: int, vertices: int, rng) -> gpd.GeoDataFrame:
    """``n`` star-shaped polygons of ``vertices`` vertices, radius 100-800 m, randomly placed (may overlap)."""
    cx = rng.uniform(X0, X0 + SPAN, n)
    cy = rng.uniform(Y0, Y0 + SPAN, n)
    r0 = rng.uniform(100, 800, n)
    ang = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = r0[:, None] * (1 + 0.3 * rng.uniform(-1, 1, (n, vertices)))
    x = cx[:, None] + r * np.cos(ang)
    y = cy[:, None] + r * np.sin(ang)
    coords = np.stack([x, y], axis=-1)
    coords = np.concatenate([coords, coords[:, :1]], axis=1)
    geoms = shapely.polygons(coords)
    gdf = gpd.GeoDataFrame({"id": np.arange(n).astype(str), "name": [f"红线{i}" for i in range(n)]},
                           geometry=geoms, crs=GK)
    gdf.attrs["ecogis"] = {"kind": "redline"}
    return gdf


def make_sites(n: int, rng) -> gpd.GeoDataFrame:
    """``n`` square parcels of 50-300 m side turned by a random angle (like surveyed parcels)."""
    x = rng.uniform(X0, X0 + SPAN, n)
    y = rng.uniform(Y0, Y0 + SPAN, n)
    h = rng.uniform(25, 150, n)
    a = rng.uniform(0.05, np.pi / 2 - 0.05, n)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float)
    c, s = np.cos(a)[:, None], np.sin(a)[:, None]
    px, py = h[:, None] * corners[:, 0], h[:, None] * corners[:, 1]
    geoms = shapely.polygons(np.stack([x[:, None] + c * px - s * py, y[:, None] + s * px + c * py], axis=-1))
    return gpd.GeoDataFrame({"id": np.arange(n).astype(str), "name": [f"S{i}" for i in range(n)]},
                            geometry=geoms, crs=GK)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=5_000)
    ap.add_argument("--polygons", type=int, default=1_000)
    ap.add_argument("--vertices", type=int, default=64)
    ap.add_argument("--buffer", type=float, default=500.0, help="buffer distance (m) for the ecogis run")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=1,
                    help="run ecogis and the overlay this many times, alternating; report the best of each")
    ap.add_argument("--skip-planar", action="store_true",
                    help="skip the slow planar overlay + sjoin_nearest + buffered sjoin comparison")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    red = make_redline(args.polygons, args.vertices, rng)
    sites = make_sites(args.sites, rng)
    rules = load_rules()
    print(f"{args.sites} rotated sites x {args.polygons} red-line polygons ({args.vertices} vertices), EPSG:4550")

    t_eco = t_naive = c_eco = c_naive = float("inf")
    for _ in range(args.repeat):  # alternate the two, keep the best time of each (shared machines)
        t0, c0 = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AssumptionWarning)
            frame, _, _ = screen(sites, {"redline": red}, rules, [args.buffer], summarise=False)
        t_eco, c_eco = min(t_eco, time.perf_counter() - t0), min(c_eco, time.process_time() - c0)

        t0, c0 = time.perf_counter(), time.process_time()
        ov = gpd.overlay(sites, red, how="intersection", keep_geom_type=True)
        ov["area"] = ov.geometry.area
        t_naive, c_naive = min(t_naive, time.perf_counter() - t0), min(c_naive, time.process_time() - c0)
    n_hit = frame.loc[frame["relation"] == "intersects", "site"].nunique()
    n_hit_naive = ov["id_1"].nunique()

    t_full = None
    if not args.skip_planar:
        t0 = time.perf_counter()
        ov2 = gpd.overlay(sites, red, how="intersection", keep_geom_type=True)
        ov2["area"] = ov2.geometry.area
        near = gpd.sjoin_nearest(sites, red, distance_col="distance")
        within = gpd.sjoin(sites, red.set_geometry(red.buffer(args.buffer)), predicate="intersects")
        t_full = time.perf_counter() - t0

    if args.repeat > 1:
        print(f"best of {args.repeat} alternating runs each")
    print(f"ecogis screen : {t_eco:8.2f} s  {args.sites / t_eco:10.0f} sites/s  "
          f"({len(frame)} findings: overlaps, {args.buffer:g} m buffer, nearest; {n_hit} sites intersect)")
    print(f"naive overlay : {t_naive:8.2f} s  {args.sites / t_naive:10.0f} sites/s  "
          f"(intersections only; {n_hit_naive} sites intersect)")
    if t_full is not None:
        print(f"overlay + sjoin_nearest + buffered sjoin (planar, same relations): {t_full:8.2f} s  "
              f"{args.sites / t_full:10.0f} sites/s  ({len(near)} nearest, {len(within)} buffer pairs)")
    print(f"ratio vs naive overlay (ecogis sites/s / overlay sites/s): {t_naive / t_eco:.2f} wall clock, "
          f"{c_naive / c_eco:.2f} CPU time (ecogis {c_eco:.2f} s, overlay {c_naive:.2f} s CPU; both single-threaded)")
    if t_full is not None:
        print(f"ratio vs planar geopandas doing the same relations: {t_full / t_eco:.2f}")
    if n_hit != n_hit_naive:
        print(f"WARNING: sites intersecting differ: ecogis {n_hit}, overlay {n_hit_naive}")


if __name__ == "__main__":
    main()
