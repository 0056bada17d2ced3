"""Make the small synthetic land-cover rasters in layers/raster/ (two years around the Liaohekou reserve).

The rasters are SYNTHETIC (made here from seeded noise, not satellite data) and use the CLCD
first-level legend (ecogis/data/landcover_classes.yaml): sea and the Liaohe channel (5 水体), reed and
tidal marsh (9 湿地), rice paddies (1 耕地), some grassland and shelter belts, villages, roads and
oil-well pads (8 不透水面). Grid: EPSG:4490 (CGCS2000 lon/lat), 121.5-122.1E x 40.7-41.1N, cells of
0.0005 deg (about 42 m x 55 m), uint8, nodata 0, written as Cloud-Optimized GeoTIFF.

Between 2015 and 2023 the script plants known changes:
* a "new construction" patch (湿地 -> 不透水面) of 16 x 12 cells inside the reserve's buffer zone;
* a bare-soil patch (湿地 -> 裸地) of 5 x 5 cells inside the core zone;
* cropland turned to construction at village edges outside the reserve, and marsh reclaimed as paddy.
Their exact cells are written to layers/raster/planted_changes.json so that results can be checked.

Usage: .venv/bin/python scripts/make_sample_rasters.py [--reserve layers/reserve/liaohekou.geojson]
       [--out layers/raster] [--overwrite]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
import shapely
from rasterio import features
from rasterio.transform import from_origin

from ecogis.outputs import atomic_path, check_output_path
from ecogis.raster import load_legend

WEST, NORTH, EAST, SOUTH, RES = 121.5, 41.1, 122.1, 40.7, 0.0005
WIDTH, HEIGHT = round((EAST - WEST) / RES), round((NORTH - SOUTH) / RES)
TRANSFORM = from_origin(WEST, NORTH, RES, RES)
CROP, FOREST, GRASS, WATER, BARREN, BUILT, WETLAND = 1, 2, 4, 5, 7, 8, 9


def smooth_noise(rng, scale_cells: float) -> np.ndarray:
    """Gaussian-filtered white noise (FFT), normalised to mean 0 and standard deviation 1."""
    noise = rng.standard_normal((HEIGHT, WIDTH))
    fy = np.fft.fftfreq(HEIGHT)[:, None]
    fx = np.fft.fftfreq(WIDTH)[None, :]
    field = np.real(np.fft.ifft2(np.fft.fft2(noise) * np.exp(-2 * (np.pi * scale_cells) ** 2 * (fx**2 + fy**2))))
    return (field - field.mean()) / field.std()


def lonlat_grids():
    cols, rows = np.meshgrid(np.arange(WIDTH), np.arange(HEIGHT))
    return WEST + (cols + 0.5) * RES, NORTH - (rows + 0.5) * RES


def landcover_2015(rng, reserve_union) -> np.ndarray:
    lon, lat = lonlat_grids()
    coast = 40.79 + 0.025 * np.sin((lon - WEST) * 9.0) + 0.01 * np.sin((lon - WEST) * 31.0)
    river_x = 121.86 + 0.035 * np.sin((lat - SOUTH) * 14.0) + 0.012 * np.sin((lat - SOUTH) * 41.0)
    wet_field = smooth_noise(rng, 40) + 1.6 * _rasterise(reserve_union.buffer(0.01), 1).astype(float)
    lc = np.where(wet_field > 0.4, WETLAND, CROP).astype(np.uint8)
    lc[(smooth_noise(rng, 15) > 2.0) & (lc == CROP)] = GRASS
    rows = np.arange(HEIGHT)[:, None] + np.zeros((1, WIDTH), int)
    lc[(rows % 80 == 0) & (lc == CROP)] = FOREST  # shelter belts along field edges
    lc[lat < coast + 0.02] = WETLAND  # tidal marsh (red beach)
    lc[lat < coast] = WATER
    lc[np.abs(lon - river_x) < 0.0025 + 0.0015 * (lat < 40.85)] = WATER
    villages = (smooth_noise(rng, 8) > 2.6) & (lc == CROP)
    lc[villages] = BUILT
    lc[(np.abs(lat - 41.06) < 0.0004) | (np.abs(lon - 121.58) < 0.0004)] = BUILT  # two roads
    pads = rng.integers(0, [HEIGHT - 3, WIDTH - 3], size=(120, 2))  # oil-well pads outside the reserve
    outside = ~_rasterise(reserve_union, 1).astype(bool)
    for r, c in pads:
        if outside[r, c] and lc[r, c] != WATER:
            lc[r:r + 2, c:c + 2] = BUILT
    return lc


def _rasterise(geom, value) -> np.ndarray:
    return features.rasterize([(geom, value)], out_shape=(HEIGHT, WIDTH), transform=TRANSFORM, fill=0,
                              dtype="uint8")


def place_patch(zone, avoid, rows: int, cols: int, lc, from_class) -> tuple[int, int]:
    """Top-left (row, col) of the first rows x cols block fully inside ``zone``, clear of ``avoid``,
    whose cells are all ``from_class`` (scanning from the zone's representative point outwards)."""
    inside = features.geometry_mask([zone.buffer(-2 * RES)], (HEIGHT, WIDTH), TRANSFORM, invert=True)
    if avoid is not None:
        inside &= ~features.geometry_mask([avoid.buffer(2 * RES)], (HEIGHT, WIDTH), TRANSFORM, invert=True)
    ok = inside & (lc == from_class)
    p = zone.representative_point()
    r0, c0 = int((NORTH - p.y) / RES), int((p.x - WEST) / RES)
    cand = np.argwhere(ok)
    order = np.argsort((cand[:, 0] - r0) ** 2 + (cand[:, 1] - c0) ** 2)
    for r, c in cand[order]:
        if r + rows <= HEIGHT and c + cols <= WIDTH and ok[r:r + rows, c:c + cols].all():
            return int(r), int(c)
    raise SystemExit(f"no {rows}x{cols} block of class {from_class} inside the zone")


def landcover_2023(rng, lc15, zones) -> tuple[np.ndarray, list[dict]]:
    lc = lc15.copy()
    planted = []
    near_village = lc15 == BUILT
    grow = np.zeros_like(near_village)
    grow[1:, :] |= near_village[:-1, :]
    grow[:, 1:] |= near_village[:, :-1]
    reserve_mask = _rasterise(zones["any"], 1).astype(bool)
    lc[grow & (lc15 == CROP) & ~reserve_mask] = BUILT  # village growth outside the reserve
    reclaim = (smooth_noise(rng, 10) > 2.2) & (lc15 == WETLAND) & ~reserve_mask
    lc[reclaim] = CROP  # marsh reclaimed as paddy outside the reserve
    for name, zone, avoid, shape, to_class in [
        ("new construction in the buffer zone", zones["缓冲区"], zones["核心区"], (12, 16), BUILT),
        ("bare soil in the core zone", zones["核心区"], None, (5, 5), BARREN),
    ]:
        r, c = place_patch(zone, avoid, *shape, lc15, WETLAND)
        lc[r:r + shape[0], c:c + shape[1]] = to_class
        planted.append({"what": name, "row": r, "col": c, "rows": shape[0], "cols": shape[1],
                        "from_code": WETLAND, "to_code": to_class,
                        "bounds_lonlat": [WEST + c * RES, NORTH - (r + shape[0]) * RES,
                                          WEST + (c + shape[1]) * RES, NORTH - r * RES]})
    return lc, planted


def write_cog(path: Path, arr: np.ndarray, year: int, overwrite: bool) -> None:
    legend = load_legend()
    cmap = {0: (0, 0, 0, 0)}
    for c in legend.classes:
        h = c.color.lstrip("#")
        cmap[c.code] = tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) + (255,)
    with atomic_path(path, overwrite=overwrite) as tmp:
        staging = tmp.with_name("staging.tif")
        with rasterio.open(staging, "w", driver="GTiff", width=WIDTH, height=HEIGHT, count=1, dtype="uint8",
                           crs="EPSG:4490", transform=TRANSFORM, nodata=0, tiled=True, blockxsize=256,
                           blockysize=256, compress="deflate") as dst:
            dst.write(arr, 1)
            dst.write_colormap(1, cmap)
            dst.update_tags(legend=legend.name, year=str(year),
                            source="SYNTHETIC sample made by scripts/make_sample_rasters.py; not satellite data")
        rasterio.shutil.copy(staging, tmp, driver="COG", compress="DEFLATE", predictor="2", overview_resampling="mode")
        staging.unlink()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reserve", default="layers/reserve/liaohekou.geojson")
    ap.add_argument("--out", default="layers/raster")
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args(argv)
    from ecogis.io import read_layer

    out = Path(args.out)
    targets = [out / "lc_2015.tif", out / "lc_2023.tif", out / "planted_changes.json"]
    for t in targets:
        check_output_path(t, overwrite=args.overwrite)
    reserve = read_layer(args.reserve, kind="reserve").to_crs(4490)
    zones = {z: shapely.union_all(reserve.geometry[reserve["zone"] == z].values)
             for z in ("核心区", "缓冲区", "实验区")}
    zones["any"] = shapely.union_all(reserve.geometry.values)
    rng = np.random.default_rng(20231)
    lc15 = landcover_2015(rng, zones["any"])
    lc23, planted = landcover_2023(rng, lc15, zones)
    write_cog(targets[0], lc15, 2015, args.overwrite)
    write_cog(targets[1], lc23, 2023, args.overwrite)
    doc = {"grid": {"crs": "EPSG:4490", "transform": list(TRANSFORM)[:6], "width": WIDTH, "height": HEIGHT},
           "planted": planted}
    with atomic_path(targets[2], overwrite=args.overwrite) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    for t in targets:
        print(f"wrote {t} ({t.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
