"""Class areas from the single exactextract pass against a cell-by-cell brute force.

Expected values: every cell of a small lon/lat raster is intersected with the zone by shapely (covered
fraction = intersection area / cell area in the plane of the grid, what exactextract computes) and
multiplied by the cell's ellipsoidal area, integrated here by Gauss-Legendre quadrature of
``a²(1−e²)·cosφ / (1 − e² sin²φ)²`` (CGCS2000), not by ecogis's closed form (on a GK grid: the plane
area over pyproj's areal scale at each cell centre, not ecogis's interpolated one). exactextract keeps
coverage fractions as float32, so partial cells agree to ~6e-8 of a cell.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS, Proj, Transformer
from rasterio.transform import from_origin
from shapely.geometry import Polygon, box

import ecogis.raster.extract as extract
from ecogis.raster.extract import extract_code_areas
from ecogis.raster.sources import ClassSource
from ecogis.raster.zones import prepare_zones

A, F = 6378137.0, 1 / 298.257222101  # CGCS2000
E2 = F * (2 - F)
RES = 0.001
WEST, NORTH = 121.0, 41.03


def band_area(lat1, lat2, dlon):
    """Ellipsoidal area (m²) between parallels ``lat1``, ``lat2`` over ``dlon`` degrees (16-point quadrature)."""
    x, w = np.polynomial.legendre.leggauss(16)
    p1, p2 = np.radians(lat1), np.radians(lat2)
    phi = (p2 - p1) / 2 * x + (p2 + p1) / 2
    integrand = np.cos(phi) / (1 - E2 * np.sin(phi) ** 2) ** 2
    return abs(A * A * (1 - E2) * np.radians(dlon) * (p2 - p1) / 2 * np.sum(w * integrand))


def lonlat_cell_m2(i, j):
    return band_area(NORTH - (i + 1) * RES, NORTH - i * RES, RES)


def brute_force(arr, nodata, zone, grid=(WEST, NORTH, RES), cell_m2=lonlat_cell_m2):
    """{code: m²} (nodata under the key None) of ``zone`` over ``arr`` on ``grid`` (west, north, cell size),
    cell by cell; ``cell_m2(row, col)`` is the ellipsoidal area of a cell."""
    west, north, res = grid
    out: dict = {}
    for i, j in zip(*np.indices(arr.shape).reshape(2, -1)):
        cell = box(west + j * res, north - (i + 1) * res, west + (j + 1) * res, north - i * res)
        frac = shapely.intersection(zone, cell).area / cell.area
        if frac > 0:
            code = None if arr[i, j] == nodata else int(arr[i, j])
            out[code] = out.get(code, 0.0) + frac * cell_m2(i, j)
    return out


def write(path, arr, nodata, crs="EPSG:4490", grid=(WEST, NORTH, RES)):
    with rasterio.open(path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1,
                       dtype=arr.dtype, crs=crs, transform=from_origin(grid[0], grid[1], grid[2], grid[2]),
                       nodata=nodata) as dst:
        dst.write(arr, 1)
    return rasterio.open(path)


def extract_zones(ds, nodata, geoms, notes=None):
    zones = prepare_zones(gpd.GeoDataFrame(geometry=list(geoms), crs=ds.crs), ds.crs)
    return extract_code_areas(ClassSource(ds, nodata=nodata), zones, max_cells=400, notes=notes)


def on_corners(cells):
    """Polygon with its vertices on the corners (column, row) of the test grid."""
    return Polygon([(WEST + col * RES, NORTH - row * RES) for col, row in cells])


def star(cx, cy, r, seed):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 11, endpoint=False)
    rad = r * rng.uniform(0.5, 1.0, t.size)
    return Polygon(np.column_stack([cx + rad * np.cos(t), cy + rad * np.sin(t)]))


def assert_matches(got, expected, cell_m2, moved_cells=1e-6):
    """``moved_cells``: cells' worth of area a zone shifted by the corner retry may move between classes."""
    tol = dict(rel=1e-7, abs=moved_cells * cell_m2)
    assert got.covered_m2 == pytest.approx(sum(expected.values()), **tol)
    assert got.nodata_m2 == pytest.approx(expected.pop(None, 0.0), **tol)
    assert set(got.code_m2) == set(expected)
    for code, m2 in expected.items():
        assert got.code_m2[code] == pytest.approx(m2, **tol), code
    assert sum(got.code_m2.values()) + got.nodata_m2 == pytest.approx(got.covered_m2, rel=1e-12)


def test_class_areas_equal_cell_by_cell_intersections(tmp_path):
    rng = np.random.default_rng(7)
    arr = rng.integers(1, 10, (30, 40)).astype(np.uint8)
    arr[rng.random(arr.shape) < 0.1] = 0  # nodata
    geoms = [
        star(WEST + 0.012, NORTH - 0.011, 0.009, 1),
        star(WEST + 0.029, NORTH - 0.018, 0.008, 2),
        on_corners([(23, 7), (36, 20), (25, 20), (20, 15)]),  # one exactextract 0.3 gets wrong unshifted
        box(WEST - 0.0053, NORTH - 0.0291, WEST + 0.0042, NORTH - 0.0203),  # partly west of the raster
    ]
    cell_m2 = band_area(NORTH - RES, NORTH, RES)
    notes: list = []
    with write(tmp_path / "lc.tif", arr, 0) as ds:
        got_zones = extract_zones(ds, 0, geoms, notes)
    for i, (got, geom) in enumerate(zip(got_zones, geoms)):
        # the retry shifts zone 2 by < 1e-6 of a cell: its class areas move by up to that × its perimeter
        moved = 1e-6 * geom.length / RES if i == 2 else 1e-6
        assert_matches(got, brute_force(arr, 0, geom), cell_m2, moved)
    assert any("[2]" in str(n) and "cell corners" in str(n) for n in notes)  # the corner retry ran


def test_projected_class_areas_with_cell_areas_varying_along_the_row(tmp_path):
    """GK zone 41 (CM 123°E), 30 m cells ~117 km west of the CM: the areal scale (~1.00034) changes
    by ~7e-6 across the raster, so every cell of a row has its own area (pyproj factors at its centre)."""
    gk = CRS(4529)
    x0, y0 = Transformer.from_crs(4490, gk, always_xy=True).transform(121.6, 41.0)
    grid = (round(x0, -2), round(y0, -2), 30.0)
    factors = Proj(gk).get_factors
    to_geo = Transformer.from_crs(gk, gk.geodetic_crs, always_xy=True)

    def gk_cell_m2(i, j):
        lon, lat = to_geo.transform(grid[0] + (j + 0.5) * 30.0, grid[1] - (i + 0.5) * 30.0)
        return 900.0 / factors(lon, lat).areal_scale

    rng = np.random.default_rng(11)
    arr = rng.integers(1, 6, (30, 40)).astype(np.uint8)
    zone = star(grid[0] + 600.3, grid[1] - 450.7, 420.0, 8)
    with write(tmp_path / "gk.tif", arr, 0, crs="EPSG:4529", grid=grid) as ds:
        got = extract_zones(ds, 0, [zone])[0]
    assert_matches(got, brute_force(arr, 0, zone, grid, gk_cell_m2), 900.0)
    assert got.covered_m2 < 0.9997 * zone.area  # the ellipsoidal, not the plane area


def test_zone_on_code_zero_only_gets_its_area_from_the_cell_areas(tmp_path):
    """Code 0 is a class here (nodata 255): Σ code × area is 0, the quotient 0/0; a second pass answers."""
    arr = np.zeros((20, 20), np.uint8)
    arr[:, 15:] = 3
    zone = star(WEST + 0.007, NORTH - 0.009, 0.006, 3)  # on code-0 cells only
    mixed = star(WEST + 0.013, NORTH - 0.01, 0.006, 4)  # codes 0 and 3
    with write(tmp_path / "zero.tif", arr, 255) as ds:
        got = extract_zones(ds, 255, [zone, mixed])
    cell_m2 = band_area(NORTH - RES, NORTH, RES)
    assert_matches(got[0], brute_force(arr, 255, zone), cell_m2)
    assert_matches(got[1], brute_force(arr, 255, mixed), cell_m2)
    assert set(got[1].code_m2) == {0, 3}


def test_codes_cancelling_to_zero_fall_back_to_the_cell_areas(tmp_path):
    """Codes −1 and +1 on two whole cells of one row: Σ code × area is exactly 0."""
    arr = np.full((4, 4), 5, np.int16)
    arr[1, 1], arr[1, 2] = -1, 1
    zone = box(WEST + RES, NORTH - 2 * RES, WEST + 3 * RES, NORTH - RES)
    with write(tmp_path / "signed.tif", arr, -9999) as ds:
        got = extract_zones(ds, -9999, [zone])[0]
    cell = band_area(NORTH - 2 * RES, NORTH - RES, RES)
    # 1e-10: ecogis's closed form for a 0.001° row loses ~5 digits in q(φ₂) − q(φ₁) (4e-12 here)
    assert got.code_m2 == pytest.approx({-1: cell, 1: cell}, rel=1e-10)
    assert got.code_m2[-1] == got.code_m2[1] and got.covered_m2 == pytest.approx(2 * got.code_m2[1], rel=1e-15)


def test_one_exactextract_pass_unless_every_code_is_zero(tmp_path, monkeypatch):
    calls: list[int] = []
    real = extract.exact_extract

    def counting(*args, **kwargs):
        calls.append(len(args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(extract, "exact_extract", counting)
    arr = np.zeros((20, 20), np.uint8)
    arr[:, 10:] = 2
    with write(tmp_path / "p.tif", arr, 255) as ds:
        extract_zones(ds, 255, [star(WEST + 0.015, NORTH - 0.01, 0.004, 5)])  # on code 2 only
        assert len(calls) == 1
        extract_zones(ds, 255, [star(WEST + 0.005, NORTH - 0.01, 0.004, 6)])  # on code 0 only
        assert len(calls) == 3
