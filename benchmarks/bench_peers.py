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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=5_000)
    ap.add_argument("--polygons", type=int, default=1_000)
    ap.add_argument("--vertices", type=int, default=64)
    ap.add_argument("--buffer", type=float, default=500.0, help="buffer distance (m)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of every method")
    ap.add_argument("--skip", default="", help="comma-separated methods to leave out (e.g. geopandas_same)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    red, sites = make_redline(args.polygons, args.vertices, rng), make_sites(args.sites, rng)
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
