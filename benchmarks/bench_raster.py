"""Benchmark: exact zonal land-cover composition (ecogis.raster) vs whole-pixel counting and exactextract.

All three run in the same process on the same generated data:

* a land-cover raster of ``--size`` × ``--size`` cells of 0.00025° (≈ 25 m) in CGCS2000 lon/lat
  (EPSG:4490) from 41.5°N, 121°E southwards, CLCD codes 1-9 in blocks of 40 cells with 5 % of cells
  changed at random (tiled, deflate; written window by window);
* ``--zones`` irregular zone polygons (24-vertex stars, vertices off the cell corners) on a square
  grid over the raster, together covering about 40 % of it.

Timed:

1. **ecogis** — :func:`ecogis.raster.zonal_composition`: ellipsoidal cell area per row, partial cells
   weighted by their exact covered fraction (exactextract with Python window sources, one statistics
   pass over codes and cell areas), windows of ``--memory-mb``.
2. **whole-pixel** baseline — ``rasterio.features.rasterize`` of the zones (a cell belongs to the zone
   holding its centre) window by window and ``np.bincount`` over zone × class with the same
   ellipsoidal cell areas as weights: the fast approach that ignores partial pixels.
3. **exactextract** baseline — exactextract's own ``unique`` + ``frac`` reading the GeoTIFF through
   GDAL (exact fractions, but planar: no cell areas).

Printed: time and raster cells per second of each, the ratios, and the area difference between exact
and whole-pixel counting (per zone: |Σ classes − official zone area| and Σ over classes of
|exact − whole-pixel|, relative to the zone area).

    .venv/bin/python benchmarks/bench_raster.py                           # 10^4 x 10^4 cells, 100 zones
    .venv/bin/python benchmarks/bench_raster.py --size 1000 --zones 16    # smoke run (seconds)
"""
from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio import features, windows
from rasterio.transform import from_origin

from ecogis.area import ellipsoidal_area
from ecogis.raster import load_legend, zonal_composition
from ecogis.raster.extract import max_cells_for
from ecogis.raster.pixel_area import cell_areas

RES = 0.00025
ORIGIN = (121.0, 41.5)
CRS = "EPSG:4490"
BLOCK = 40
NCLASS = 9


def make_raster(path: Path, size: int, seed: int = 0, rows_per_band: int = 512) -> Path:
    """Land-cover GeoTIFF ``size`` × ``size`` (uint8 codes 1-9, 0 = nodata), written band by band."""
    rng = np.random.default_rng(seed)
    nb = -(-size // BLOCK)
    blocks = rng.integers(1, NCLASS + 1, (nb, nb), dtype=np.uint8)
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "uint8", "nodata": 0,
               "crs": CRS, "transform": from_origin(*ORIGIN, RES, RES), "tiled": True, "blockxsize": 512,
               "blockysize": 512, "compress": "deflate"}
    with rasterio.open(path, "w", **profile) as dst:
        for row0 in range(0, size, rows_per_band):
            n = min(rows_per_band, size - row0)
            rows = np.arange(row0, row0 + n) // BLOCK
            band = np.repeat(blocks[rows], BLOCK, axis=1)[:, :size]
            noise = rng.random(band.shape) < 0.05
            band[noise] = rng.integers(1, NCLASS + 1, int(noise.sum()), dtype=np.uint8)
            dst.write(band, 1, window=windows.Window(0, row0, size, n))
        dst.update_tags(legend="CLCD")
    return path


def make_zones(size: int, n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """About ``n`` star-shaped zones on a square grid over the raster (EPSG:4490), ~40 % of its area."""
    rng = np.random.default_rng(seed)
    g = max(1, int(round(np.sqrt(n))))
    step = size * RES / g
    cx = ORIGIN[0] + (np.arange(g) + 0.5) * step
    cy = ORIGIN[1] - (np.arange(g) + 0.5) * step
    cx, cy = (a.ravel() for a in np.meshgrid(cx, cy))
    t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    rad = step * rng.uniform(0.3, 0.42, (len(cx), 24))
    x = cx[:, None] + rad * np.cos(t) + rng.uniform(-0.1, 0.1, rad.shape) * RES  # off the cell corners
    y = cy[:, None] + rad * np.sin(t) + rng.uniform(-0.1, 0.1, rad.shape) * RES
    xy = np.stack([x, y], axis=-1)
    xy = np.concatenate([xy, xy[:, :1]], axis=1).reshape(-1, 2)
    polys = shapely.polygons(shapely.linearrings(xy, indices=np.repeat(np.arange(len(cx)), 25)))
    return gpd.GeoDataFrame({"name": [f"z{i:04d}" for i in range(len(cx))]}, geometry=polys, crs=CRS)


def ecogis_areas(path, zones, memory_mb) -> np.ndarray:
    """Zone × class areas (m², ``zones × (NCLASS + 1)``, column = code) from zonal_composition."""
    res = zonal_composition(path, zones, legend=load_legend(None), memory_mb=memory_mb)
    out = np.zeros((len(zones), NCLASS + 1))
    for i, z in enumerate(res.zones):
        for c in z.classes:
            out[i, c.code] = c.m2
    return out


def whole_pixel_areas(path, zones, memory_mb) -> np.ndarray:
    """Zone × class areas (m²) counting whole cells whose centre is in a zone (rasterize + bincount)."""
    geoms = np.asarray(zones.geometry.values)
    tree = shapely.STRtree(geoms)
    out = np.zeros(len(geoms) * (NCLASS + 1))
    with rasterio.open(path) as ds:
        nrows = max(1, max_cells_for(memory_mb) // ds.width)
        for row0 in range(0, ds.height, nrows):
            win = windows.Window(0, row0, ds.width, min(nrows, ds.height - row0))
            idx = tree.query(shapely.box(*windows.bounds(win, ds.transform)))
            if not len(idx):
                continue
            shape = (int(win.height), int(win.width))
            zid = features.rasterize(zip(geoms[idx], idx + 1), out_shape=shape, fill=0, dtype="int32",
                                     transform=windows.transform(win, ds.transform))
            codes = ds.read(1, window=win)
            row_area = cell_areas(ds.crs, ds.transform, row0, 0, shape[0], 1)[:, 0]
            keep = (zid > 0) & (codes != 0)
            key = (zid[keep] - 1).astype(np.int64) * (NCLASS + 1) + codes[keep]
            weight = np.broadcast_to(row_area[:, None], shape)[keep]
            out += np.bincount(key, weights=weight, minlength=out.size)
    return out.reshape(len(geoms), NCLASS + 1)


def exactextract_native(path, zones, memory_mb) -> None:
    """exactextract's own class fractions (unique + frac) read straight from the file (planar)."""
    from exactextract import exact_extract

    exact_extract(str(path), zones, ["unique", "frac"], output="pandas", strategy="feature-sequential",
                  max_cells_in_memory=max_cells_for(memory_mb))


def _timed(func, *args):
    """(CPU seconds of this process, result): all three methods run in one thread, so CPU time is what
    they cost, whatever else the machine runs."""
    t0 = time.process_time()
    result = func(*args)
    return time.process_time() - t0, result


def run(size: int, nzones: int, memory_mb: float, workdir: Path, repeat: int = 1) -> dict:
    path = make_raster(workdir / f"lc_{size}.tif", size)
    zones = make_zones(size, nzones)
    official = ellipsoidal_area(zones.geometry.values, CRS)
    times: dict[str, list[float]] = {"t_ecogis": [], "t_whole": [], "t_exactextract": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeat):  # alternating, so that a change in the machine's load hits all three
            t, exact = _timed(ecogis_areas, path, zones, memory_mb)
            times["t_ecogis"].append(t)
            t, whole = _timed(whole_pixel_areas, path, zones, memory_mb)
            times["t_whole"].append(t)
            t, _ = _timed(exactextract_native, path, zones, memory_mb)
            times["t_exactextract"].append(t)
    t_eco, t_whole, t_ee = (min(times[k]) for k in ("t_ecogis", "t_whole", "t_exactextract"))
    ratios = [e / x for e, x in zip(times["t_ecogis"], times["t_exactextract"])]
    cells = size * size
    exact_err = np.abs(exact.sum(1) - official) / official
    whole_err = np.abs(whole.sum(1) - official) / official
    class_diff = np.abs(exact - whole).sum(1) / official
    return {"size": size, "zones": len(zones), "cells": cells, "t_ecogis": t_eco, "t_whole": t_whole,
            "t_exactextract": t_ee, "times": times, "ratios": sorted(ratios), "exact_err_max": exact_err.max(),
            "whole_err_max": whole_err.max(),
            "whole_err_mean": whole_err.mean(), "class_diff_mean": class_diff.mean(),
            "class_diff_max": class_diff.max(), "zone_area_km2": official.sum() / 1e6,
            "abs_diff_m2": np.abs(exact - whole).sum()}


def report(r: dict) -> None:
    print(f"raster {r['size']}x{r['size']} = {r['cells']:.3g} cells (EPSG:4490, {RES} deg), {r['zones']} zones, "
          f"zone area {r['zone_area_km2']:,.1f} km2 (official ellipsoidal)")
    for name, key in (("ecogis exact (ellipsoidal cells, partial cells weighted)", "t_ecogis"),
                      ("whole-pixel rasterize + bincount (ellipsoidal cells)", "t_whole"),
                      ("exactextract unique+frac from file (planar)", "t_exactextract")):
        ts = sorted(r["times"][key])
        print(f"  {name:<58} best {r[key]:7.2f} s CPU (worst {ts[-1]:.2f}, n={len(ts)})  "
              f"{r['cells'] / r[key]:10.3g} cells/s")
    print(f"  ratio ecogis / whole-pixel: {r['t_ecogis'] / r['t_whole']:.2f}x slower; "
          f"ecogis / exactextract native (best CPU): {r['t_ecogis'] / r['t_exactextract']:.2f}x "
          f"(per run: {', '.join(f'{x:.2f}' for x in r['ratios'])})")
    print(f"  zone total vs official area (relative): exact max {r['exact_err_max']:.1e}; "
          f"whole-pixel max {r['whole_err_max']:.1e} (mean {r['whole_err_mean']:.1e})")
    print(f"  class areas exact vs whole-pixel: sum |diff| {r['abs_diff_m2'] / 1e4:,.1f} ha "
          f"(per zone mean {r['class_diff_mean']:.1e}, max {r['class_diff_max']:.1e} of the zone area)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=10_000, help="raster cells per side (default 10000)")
    ap.add_argument("--zones", type=int, default=100, help="number of zones (rounded to a square grid)")
    ap.add_argument("--memory-mb", type=float, default=256, help="window memory for ecogis and the baseline")
    ap.add_argument("--workdir", type=Path, help="folder for the generated raster (default: a temp dir)")
    ap.add_argument("--repeat", type=int, default=1, help="alternating runs of the three methods (best CPU kept)")
    args = ap.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report(run(args.size, args.zones, args.memory_mb, args.workdir, args.repeat))
        return
    with tempfile.TemporaryDirectory() as tmp:
        report(run(args.size, args.zones, args.memory_mb, Path(tmp), args.repeat))


if __name__ == "__main__":
    main()
