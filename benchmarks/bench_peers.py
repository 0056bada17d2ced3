"""Benchmark: ecogis screening against its peers, all in one process on the same generated data.

The data are those of ``bench_check.py``: ``--sites`` rotated square parcels and ``--polygons``
star-shaped red-line polygons in CGCS2000 3° GK zone 41 (EPSG:4550). Timed, one thread, CPU time
(``time.process_time``), alternating the methods ``--repeat`` times:

* ``ecogis full``: :func:`ecogis.screen.screen` (official ellipsoidal overlap areas, geodesic distances
  to every feature within ``--buffer`` m and to the nearest feature, rules);
* ``ecogis overlaps``: the same with ``relations="intersects"`` (overlap areas only, rules);
* ``sjoin + intersection + area``: ``geopandas.sjoin(predicate="intersects")``, the GEOS intersection
  of each pair and its planar area;
* ``STRtree floor``: bare ``shapely.STRtree.query(predicate="intersects")`` + ``shapely.intersection``
  + ``shapely.area`` (nothing else: the least any overlap computation does);
* ``geopandas same relations``: the sjoin above plus ``sjoin(predicate="dwithin")`` with the distance of
  each pair and ``sjoin_nearest`` (planar metres, no rules);
* ``duckdb spatial``: ``ST_Intersects`` join + ``ST_Area(ST_Intersection(...))`` with one thread, when
  the ``duckdb`` and ``duckdb-ext-spatial`` packages are installed (the extension file is loaded from
  the installed package, never downloaded); tables are built before the timing.

Prints, per method, the best, median and worst CPU seconds and sites/s, and the ratios of ecogis to
each peer (peer time / ecogis time: above 1 means ecogis is faster). Not a test; never run in CI::

    .venv/bin/python benchmarks/bench_peers.py                                   # small, seconds
    .venv/bin/python benchmarks/bench_peers.py --sites 100000 --polygons 10000 --repeat 3
"""
from __future__ import annotations

import argparse
import statistics
import sys
import sysconfig
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import make_redline, make_sites  # noqa: E402  (the same generated data)

from ecogis.errors import AssumptionWarning  # noqa: E402
from ecogis.rules import load_rules  # noqa: E402
from ecogis.screen import screen  # noqa: E402

RULES = load_rules()  # read once, like the peers' inputs


def ecogis_full(sites, red, buffer):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        frame, _, _ = screen(sites, {"redline": red}, RULES, [buffer], summarise=False)
    return int((frame["relation"] == "intersects").sum())


def ecogis_overlaps(sites, red, buffer):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        frame, _, _ = screen(sites, {"redline": red}, RULES, [buffer], summarise=False, relations="intersects")
    return len(frame)


def sjoin_intersection(sites, red, buffer):
    j = gpd.sjoin(sites, red, predicate="intersects")
    pieces = shapely.intersection(sites.geometry.values[j.index.to_numpy()], red.geometry.values[j["index_right"]])
    _ = shapely.area(pieces)
    return len(j)


def strtree_floor(sites, red, buffer):
    s, r = np.asarray(sites.geometry.values), np.asarray(red.geometry.values)
    si, ri = shapely.STRtree(r).query(s, predicate="intersects")
    _ = shapely.area(shapely.intersection(s[si], r[ri]))
    return len(si)


def geopandas_same_relations(sites, red, buffer):
    n = sjoin_intersection(sites, red, buffer)
    w = gpd.sjoin(sites, red, predicate="dwithin", distance=buffer)
    _ = shapely.distance(sites.geometry.values[w.index.to_numpy()], red.geometry.values[w["index_right"]])
    _ = gpd.sjoin_nearest(sites, red, distance_col="distance_m")
    return n


def duckdb_runner(sites, red):
    """A timed function for DuckDB spatial (tables built here, untimed), or a reason why there is none."""
    try:
        import duckdb
    except ImportError:
        return None, "the duckdb package is not installed (pip install duckdb==1.4.4 duckdb-ext-spatial)"
    ext = (Path(sysconfig.get_paths()["purelib"]) / "duckdb_ext" / "extensions" / f"v{duckdb.__version__}"
           / "linux_amd64" / "spatial.duckdb_extension")
    if not ext.exists():
        return None, f"no spatial extension file for duckdb {duckdb.__version__} at {ext} (duckdb-ext-spatial)"
    con = duckdb.connect(config={"threads": 1, "autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    con.execute(f"LOAD '{ext}'")
    for name, gdf in (("sites", sites), ("red", red)):
        table = {"id": np.arange(len(gdf)), "wkb": shapely.to_wkb(np.asarray(gdf.geometry.values))}
        con.register(f"{name}_in", pd.DataFrame(table))
        con.execute(f"CREATE TABLE {name} AS SELECT id, ST_GeomFromWKB(wkb) AS g FROM {name}_in")

    def run(sites_, red_, buffer):
        return con.execute("SELECT count(*), sum(ST_Area(ST_Intersection(s.g, r.g))) FROM sites s JOIN red r "
                           "ON ST_Intersects(s.g, r.g)").fetchone()[0]
    return run, f"duckdb {duckdb.__version__}, spatial extension loaded from {ext.name} (installed package)"


def check_nearest(sites, red, buffer):
    """Every pair of the data whose envelopes lie within the planar search radius of each other and that
    does not intersect: ecogis's numpy nearest points (``ecogis.screen_near``, chunks of 5 000 sites as in
    ``screen``) against GEOS ``shortest_line``: planar distances, geodesic distances (pyproj.Geod between
    the points) and the pairs within ``buffer`` (geodesic). Returns True when they agree (1e-9 relative
    or 1 µm, the same pairs)."""
    from ecogis.geodesy import GEOD
    from ecogis.screen_bounds import grown_boxes
    from ecogis.screen_clip import edge_index
    from ecogis.screen_near import nearest_points

    f, s = np.asarray(red.geometry.values), np.asarray(sites.geometry.values)
    shapely.prepare(f)
    to_geo = pyproj.Transformer.from_crs(sites.crs, sites.crs.geodetic_crs, always_xy=True)
    idx, tree, radius = edge_index(f, sites.crs), shapely.STRtree(f), buffer * 1.002 + 1.0  # as screen_index
    geodesic = []
    pairs = not_numpy = disagree = 0
    worst_rel = worst_abs = 0.0
    for lo in range(0, len(s), 5000):
        chunk = s[lo:lo + 5000]
        si, fi = tree.query(grown_boxes(shapely.bounds(chunk), radius))
        si, fi = si[~shapely.intersects(f[fi], chunk[si])], fi[~shapely.intersects(f[fi], chunk[si])]
        xy, done = nearest_points(idx, chunk, si, fi)
        want = shapely.get_coordinates(shapely.shortest_line(f[fi], chunk[si])).reshape(-1, 2, 2)
        pairs, not_numpy = pairs + len(si), not_numpy + int((~done).sum())
        xy[~done] = want[~done]
        for pts in (xy, want):
            lon, lat = to_geo.transform(pts[:, :, 0], pts[:, :, 1])
            geodesic.append((lo + si, fi, GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])[2],
                             np.hypot(*(pts[:, 1] - pts[:, 0]).T)))
        (_, _, g_np, p_np), (_, _, g_geos, p_geos) = geodesic[-2:]
        for a, b in ((g_np, g_geos), (p_np, p_geos)):
            worst_abs = max(worst_abs, float(np.max(np.abs(a - b), initial=0.0)))
            worst_rel = max(worst_rel, float(np.max(np.abs(a - b) / np.maximum(b, 1e-300), initial=0.0)))
            disagree += int(np.sum((np.abs(a - b) > 1e-6) & (np.abs(a - b) > 1e-9 * b)))
    np_in = {(a, b) for k in range(0, len(geodesic), 2) for a, b, g in zip(*geodesic[k][:3]) if g <= buffer}
    geos_in = {(a, b) for k in range(1, len(geodesic), 2) for a, b, g in zip(*geodesic[k][:3]) if g <= buffer}
    ok = np_in == geos_in and disagree == 0
    print(f"nearest points check: {pairs} disjoint pairs within the search radius, {not_numpy} left to GEOS; "
          f"largest difference from GEOS (planar and geodesic distances) {worst_abs:.3g} m, relative "
          f"{worst_rel:.3g} ({disagree} beyond 1e-9 relative and 1 µm); pairs within {buffer:g} m: "
          f"{len(np_in)} numpy, {len(geos_in)} GEOS, "
          f"{'the same' if np_in == geos_in else 'DIFFERENT'} -> {'OK' if ok else 'FAILED'}")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=5_000)
    ap.add_argument("--polygons", type=int, default=1_000)
    ap.add_argument("--vertices", type=int, default=64)
    ap.add_argument("--buffer", type=float, default=500.0, help="buffer distance (m)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of every method")
    ap.add_argument("--skip", default="", help="comma-separated methods to leave out (e.g. geopandas_same)")
    ap.add_argument("--check-nearest", action="store_true",
                    help="only check ecogis's numpy nearest points against GEOS on every pair (no timing)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    red, sites = make_redline(args.polygons, args.vertices, rng), make_sites(args.sites, rng)
    if args.check_nearest:
        sys.exit(0 if check_nearest(sites, red, args.buffer) else 1)
    methods = {"ecogis_full": ecogis_full, "ecogis_overlaps": ecogis_overlaps, "sjoin_intersection": sjoin_intersection,
               "strtree_floor": strtree_floor, "geopandas_same": geopandas_same_relations}
    duck, why = duckdb_runner(sites, red)
    print(f"{args.sites} rotated sites x {args.polygons} red-line polygons ({args.vertices} vertices), EPSG:4550, "
          f"buffer {args.buffer:g} m; DuckDB: {why}")
    if duck is not None:
        methods["duckdb_spatial"] = duck
    for name in filter(None, args.skip.split(",")):
        methods.pop(name.strip(), None)
    times: dict[str, list[float]] = {m: [] for m in methods}
    pairs: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, fn in methods.items():
            c0 = time.process_time()
            pairs[name] = fn(sites, red, args.buffer)
            times[name].append(time.process_time() - c0)
    for name, ts in times.items():
        best = min(ts)
        print(f"{name:20s} CPU best {best:7.2f} s  median {statistics.median(ts):7.2f}  worst {max(ts):7.2f}  "
              f"{args.sites / best:9.0f} sites/s  ({pairs[name]} overlapping pairs)")
    for mine in ("ecogis_full", "ecogis_overlaps"):
        if mine in times:
            ratios = ", ".join(f"{peer} {min(times[peer]) / min(times[mine]):.2f}x"
                               for peer in times if not peer.startswith("ecogis"))
            print(f"{mine}: peer CPU / ecogis CPU (best of each): {ratios}")


if __name__ == "__main__":
    main()
