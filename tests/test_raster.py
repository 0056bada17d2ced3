"""Zonal land-cover composition: known answers from closed forms and pyproj.Geod, never from ecogis."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from conftest import skip_or_fail_in_ci
from pyproj import CRS, Geod, Transformer
from rasterio.transform import from_origin
from shapely.geometry import Polygon, box

from ecogis import area
from ecogis.errors import EcogisError
from ecogis.raster import load_legend, zonal_composition
from ecogis.raster.extract import BYTES_PER_CELL
from ecogis.raster.pixel_area import latlon_cell_area

GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid to 0.1 mm
GK41 = 4529  # CGCS2000 3-degree GK zone 41 (CM 123E), with zone prefix in easting


def write_raster(path, arr, crs, transform, nodata=0, legend="CLCD"):
    """A one-band GeoTIFF; ``legend`` is written as its ``legend`` tag (None: no tag, the default is assumed)."""
    with rasterio.open(path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1,
                       dtype=arr.dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(arr, 1)
        if legend is not None:
            dst.update_tags(legend=legend)
    return path


def geod_area(geom, crs) -> float:
    """Geodesic area (m²) of ``geom`` given in ``crs``, densified to ~1 m first (independent reference)."""
    crs = CRS(crs)
    step = 1.0 if not crs.is_geographic else 1e-5
    dense = shapely.segmentize(geom, step)
    if not crs.is_geographic:
        tr = Transformer.from_crs(crs, 4490, always_xy=True)
        dense = shapely.transform(dense, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    return abs(GEOD.geometry_area_perimeter(dense)[0])


def zones(*geoms, crs=4490, **fields):
    return gpd.GeoDataFrame(fields or {"name": [f"z{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs)


def class_m2(zone, code):
    return sum(c.m2 for c in zone.classes if c.code == code)


# --- cell areas -------------------------------------------------------------------------------------

@pytest.mark.parametrize("lat", [0.0, 23.5, 40.9, 53.0])
def test_latlon_cell_area_equals_geodesic_area_of_the_cell(lat):
    dlat, dlon = 0.01, 0.01
    cell = Polygon([(121.0, lat), (121.0 + dlon, lat), (121.0 + dlon, lat + dlat), (121.0, lat + dlat)])
    assert latlon_cell_area(lat, lat + dlat, dlon) == pytest.approx(geod_area(cell, 4490), rel=1e-8)


# --- geographic raster: one class everywhere ---------------------------------------------------------

@pytest.fixture
def one_class_4490(tmp_path):
    arr = np.full((400, 600), 5, np.uint8)
    return write_raster(tmp_path / "one.tif", arr, "EPSG:4490", from_origin(121.5, 41.1, 0.001, 0.001))


IRREGULAR = Polygon([(121.6123, 40.8071), (121.9517, 40.8533), (121.9031, 41.0519), (121.7777, 40.9011),
                     (121.6542, 41.0037)])
ON_CORNERS = Polygon([(121.6, 40.8), (121.95, 40.85), (121.9, 41.05), (121.65, 41.0)])  # vertices on cell corners


def test_one_class_geographic_equals_geodesic_zone_area(one_class_4490):
    z = zones(IRREGULAR, ON_CORNERS, box(121.6005, 40.7505, 122.0, 41.0))
    res = zonal_composition(one_class_4490, z)
    for zone, geom in zip(res.zones, z.geometry):
        expected = geod_area(geom, 4490)
        assert class_m2(zone, 5) == pytest.approx(expected, rel=1e-6)  # brief: within 0.1 %
        assert zone.nodata_m2 == pytest.approx(0.0, abs=1e-3)
        assert [c.code for c in zone.classes] == [5]
        assert zone.classes[0].share == pytest.approx(1.0, rel=1e-9)


def test_one_class_geographic_agrees_with_ecogis_area(one_class_4490):
    z = zones(IRREGULAR, box(121.6005, 40.7505, 122.0, 41.0))
    res = zonal_composition(one_class_4490, z)
    official = area.ellipsoidal_area(z.geometry.values, z.crs)
    for zone, expected in zip(res.zones, official):
        assert class_m2(zone, 5) == pytest.approx(expected, rel=1e-3)


def test_zones_in_gk_are_reprojected_to_the_raster_crs(one_class_4490):
    tr = Transformer.from_crs(4490, GK41, always_xy=True)
    gk = shapely.transform(IRREGULAR, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    res = zonal_composition(one_class_4490, zones(gk, crs=GK41))
    assert class_m2(res.zones[0], 5) == pytest.approx(geod_area(gk, GK41), rel=1e-5)
    assert any("reprojected" in n for n in res.notes)


def test_zone_partly_outside_raster_reports_outside_area(one_class_4490):
    half_out = box(121.4, 40.8, 121.6, 41.0)  # west half lies beyond the raster's 121.5E edge
    with pytest.warns(UserWarning, match="outside the raster"):
        res = zonal_composition(one_class_4490, zones(half_out))
    inside = geod_area(box(121.5, 40.8, 121.6, 41.0), 4490)
    assert class_m2(res.zones[0], 5) == pytest.approx(inside, rel=1e-6)
    assert res.zones[0].outside_m2 == pytest.approx(geod_area(half_out, 4490) - inside, rel=1e-4)
    from ecogis.render.raster_text import zonal_text

    assert "栅格范围外" in zonal_text(res, "zh") and "outside raster" in zonal_text(res, "en")


# --- projected raster: the ellipsoidal correction ----------------------------------------------------

def test_projected_gk_raster_off_central_meridian_gives_ellipsoidal_not_plane_area(tmp_path):
    # zone 41 (CM 123E); 121.6E is ~117 km west of the CM: plane area is ~0.034 % too large there
    tr = Transformer.from_crs(4490, GK41, always_xy=True)
    x0, y0 = tr.transform(121.55, 41.05)
    x0, y0 = round(x0, -2), round(y0, -2)
    path = write_raster(tmp_path / "gk.tif", np.full((300, 300), 2, np.uint8), f"EPSG:{GK41}",
                        from_origin(x0, y0, 30, 30))
    zone = Polygon([(x0 + 617.3, y0 - 455.1), (x0 + 7311.9, y0 - 1202.4), (x0 + 8444.4, y0 - 8012.8),
                    (x0 + 1505.5, y0 - 7300.2)])
    res = zonal_composition(path, zones(zone, crs=GK41))
    expected = geod_area(zone, GK41)
    got = class_m2(res.zones[0], 2)
    assert got == pytest.approx(expected, rel=1e-6)
    assert got == pytest.approx(area.ellipsoidal_area(np.array([zone]), GK41)[0], rel=1e-5)  # == `ecogis area`
    assert zone.area / expected - 1 > 3e-4  # plane area: (x/R)^2 = (117/6371)^2 too large, 300x the tolerance


def test_half_covered_edge_cell_counts_half_projected(tmp_path):
    # 10 m cells on the central meridian of zone 41 (x = 41 500 000): areal scale 1 + 1e-12
    path = write_raster(tmp_path / "cm.tif", np.full((4, 4), 3, np.uint8), f"EPSG:{GK41}",
                        from_origin(41_500_000, 4_500_040, 10, 10))
    zone = box(41_500_000, 4_500_020, 41_500_025, 4_500_030)  # two whole cells and half of a third
    cell = geod_area(box(41_500_000, 4_500_020, 41_500_010, 4_500_030), GK41)
    res = zonal_composition(path, zones(zone, crs=GK41))
    assert class_m2(res.zones[0], 3) == pytest.approx(2.5 * cell, rel=1e-7)


def test_half_covered_edge_cell_counts_half_geographic(tmp_path):
    path = write_raster(tmp_path / "g.tif", np.full((3, 3), 4, np.uint8), "EPSG:4490",
                        from_origin(121.0, 41.003, 0.001, 0.001))
    # one whole cell of the top row plus the west half of its neighbour
    zone = box(121.0, 41.002, 121.0015, 41.003)
    res = zonal_composition(path, zones(zone))
    whole = geod_area(box(121.0, 41.002, 121.001, 41.003), 4490)
    assert class_m2(res.zones[0], 4) == pytest.approx(1.5 * whole, rel=1e-7)


def test_checkerboard_splits_zone_as_counted_by_hand(tmp_path):
    rows, cols = np.indices((6, 6))
    arr = np.where((rows + cols) % 2 == 0, 1, 2).astype(np.uint8)
    arr[1, 1] = 0  # one nodata cell (it would be class 1)
    path = write_raster(tmp_path / "cb.tif", arr, f"EPSG:{GK41}", from_origin(41_500_000, 4_500_060, 10, 10))
    # 3.5 columns x 3 rows from the top-left corner.
    # whole cells: row0 1,2,1  row1 2,[nodata],2  row2 1,2,1  -> class1 4, class2 4, nodata 1
    # half column 3: row0 -> 2, row1 -> 1, row2 -> 2       -> class1 +0.5, class2 +1
    zone = box(41_500_000, 4_500_030, 41_500_035, 4_500_060)
    cell = geod_area(box(41_500_000, 4_500_050, 41_500_010, 4_500_060), GK41)
    z = zonal_composition(path, zones(zone, crs=GK41)).zones[0]
    assert class_m2(z, 1) == pytest.approx(4.5 * cell, rel=1e-7)
    assert class_m2(z, 2) == pytest.approx(5.0 * cell, rel=1e-7)
    assert z.nodata_m2 == pytest.approx(1.0 * cell, rel=1e-6)
    assert sum(c.share for c in z.classes) + z.nodata_m2 / z.covered_m2 == pytest.approx(1.0)
    assert {c.code: round(c.share, 6) for c in z.classes} == {1: round(4.5 / 10.5, 6), 2: round(5 / 10.5, 6)}


# --- grouping, legend, validation --------------------------------------------------------------------

def test_by_field_dissolves_overlaps_before_summing(one_class_4490):
    a, b = box(121.6, 40.8, 121.7, 40.9), box(121.65, 40.8, 121.75, 40.9)  # overlap counted once
    z = zones(a, b, box(121.8, 40.8, 121.9, 40.9), crs=4490, zone=["核心区", "核心区", "缓冲区"])
    res = zonal_composition(one_class_4490, z, by="zone")
    got = {zc.zone: class_m2(zc, 5) for zc in res.zones}
    assert got["核心区"] == pytest.approx(geod_area(box(121.6, 40.8, 121.75, 40.9), 4490), rel=1e-7)
    assert set(got) == {"核心区", "缓冲区"}


def test_unknown_class_codes_are_named(tmp_path):
    arr = np.full((10, 10), 1, np.uint8)
    arr[2:4, 2:4] = 42
    arr[7, 7] = 77
    path = write_raster(tmp_path / "bad.tif", arr, "EPSG:4490", from_origin(121.0, 41.0, 0.001, 0.001))
    with pytest.raises(EcogisError, match=r"\[42, 77\]") as exc:
        zonal_composition(path, zones(box(121.0, 40.99, 121.01, 41.0)))
    assert "bad.tif" in str(exc.value)


def test_missing_by_field_names_the_field(one_class_4490):
    with pytest.raises(EcogisError, match="no field 'zone'"):
        zonal_composition(one_class_4490, zones(IRREGULAR), by="zone")


def test_default_legend_is_clcd():
    lg = load_legend()
    assert lg.name == "CLCD" and lg.codes == tuple(range(1, 10)) and lg.nodata == 0
    assert lg.change_of_interest == (8, 7)
    assert lg.parse_codes("Barren,耕地") == (7, 1)
    with pytest.raises(EcogisError, match="not in legend"):
        lg.parse_codes("forestt")


@pytest.mark.parametrize("text, match", [
    ("classes:\n  - {code: 1, zh: a, en: a}\n  - {code: 1, zh: b, en: b}\n", "more than once"),
    ("classes:\n  - {code: 1, zh: a, en: a, color: red}\n", "not #RRGGBB"),
    ("classes:\n  - {code: x, zh: a, en: a}\n", "not an integer"),
    ("name: x\n", "non-empty 'classes'"),
])
def test_bad_legend_files_are_rejected(tmp_path, text, match):
    p = tmp_path / "legend.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(EcogisError, match=match):
        load_legend(p)


# --- scale: windowed reading under a memory cap ------------------------------------------------------

def test_raster_larger_than_memory_cap_is_read_in_blocks(tmp_path):
    rng = np.random.default_rng(1)
    arr = rng.integers(1, 10, size=(1200, 1500), dtype=np.uint8)
    path = write_raster(tmp_path / "big.tif", arr, "EPSG:4490", from_origin(121.0, 41.2, 0.0005, 0.0005))
    z = zones(Polygon([(121.05, 41.15), (121.7, 41.12), (121.6, 40.7), (121.1, 40.75)]))
    cap_mb = 1.0
    whole_raster_bytes = arr.size * BYTES_PER_CELL
    assert whole_raster_bytes > 20 * cap_mb * 2**20
    capped = zonal_composition(path, z, memory_mb=cap_mb)
    assert 0 < capped.max_window_cells * BYTES_PER_CELL <= cap_mb * 2**20
    free = zonal_composition(path, z, memory_mb=512)
    assert free.max_window_cells > capped.max_window_cells
    for a, b in zip(capped.zones[0].classes, free.zones[0].classes):
        assert (a.code, a.m2) == (b.code, pytest.approx(b.m2, rel=1e-9))
    # and the per-class areas add up to the zone's geodesic area
    assert sum(c.m2 for c in capped.zones[0].classes) == pytest.approx(geod_area(z.geometry[0], 4490), rel=1e-6)


RLIMIT_SCRIPT = r"""
import json, resource, sys
import geopandas as gpd
from shapely.geometry import box
from ecogis.raster import zonal_composition

path, extra_mb, memory_mb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
zone = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(121.0, 40.65, 121.35, 41.0)], crs=4490)
vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize"))
cap = vm + extra_mb * 2**20  # address space now in use (all modules loaded) + extra_mb
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
try:
    res = zonal_composition(path, zone, memory_mb=memory_mb)
except MemoryError:
    print(json.dumps({"memory_error": True}))
else:
    print(json.dumps({"memory_error": False, "m2": res.zones[0].classes[0].m2}))
"""


@pytest.mark.slow
def test_raster_larger_than_address_space_cap_runs_in_blocks(tmp_path):
    if not Path("/proc/self/status").exists():
        skip_or_fail_in_ci("no Linux /proc (the test reads VmSize from it)", "run the tests on Linux")
    import json
    import os
    import subprocess
    import sys

    n = 4000  # 16 M cells: the int64 class-code copy alone (128 MB) exceeds the 56 MB cap
    path = tmp_path / "huge.tif"
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="uint8", crs="EPSG:4490",
                       transform=from_origin(121.0, 41.0, 0.0001, 0.0001), nodata=0, tiled=True,
                       compress="deflate") as dst:
        for row in range(0, n, 500):
            dst.write(np.full((500, n), 3, np.uint8), 1, window=rasterio.windows.Window(0, row, n, 500))
    extra_mb = 56
    assert n * n * 8 > extra_mb * 2**20
    env = {**os.environ, "GDAL_CACHEMAX": "16"}

    def run(memory_mb):
        out = subprocess.run([sys.executable, "-c", RLIMIT_SCRIPT, str(path), str(extra_mb), str(memory_mb)],
                             capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    capped = run(16)
    assert capped == {"memory_error": False, "m2": pytest.approx(geod_area(box(121.0, 40.65, 121.35, 41.0), 4490),
                                                                rel=1e-6)}
    assert run(2048)["memory_error"]  # the cap is real: whole-raster windows do not fit


def test_legend_declared_in_raster_metadata(tmp_path):
    import warnings

    from ecogis.errors import AssumptionWarning

    arr = np.full((10, 10), 1, np.uint8)
    z = zones(box(121.0, 40.99, 121.01, 41.0))
    plain = write_raster(tmp_path / "plain.tif", arr, "EPSG:4490", from_origin(121.0, 41.0, 0.001, 0.001),
                         legend=None)
    with pytest.warns(AssumptionWarning, match="assuming the default legend CLCD"):
        zonal_composition(plain, z)
    for name, legend in [("clcd.tif", "CLCD"), ("glc.tif", "GlobeLand30")]:
        write_raster(tmp_path / name, arr, "EPSG:4490", from_origin(121.0, 41.0, 0.001, 0.001), legend=legend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AssumptionWarning)
        res = zonal_composition(tmp_path / "clcd.tif", z)
    assert any("declared" in n for n in res.notes)
    with pytest.raises(EcogisError, match="declares legend 'GlobeLand30'"):
        zonal_composition(tmp_path / "glc.tif", z)


def test_benchmark_smoke_accuracy(tmp_path):
    """bench_raster at a tiny size: exact totals match the official zone areas, whole pixels do not (no timing)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_raster", Path(__file__).resolve().parents[1] / "benchmarks"
                                                  / "bench_raster.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    r = bench.run(400, 4, 64, tmp_path)
    assert r["zones"] == 4 and r["exact_err_max"] < 1e-8
    assert r["whole_err_max"] > 100 * r["exact_err_max"]  # whole-pixel counting is visibly off at the edges
