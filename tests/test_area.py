"""Known-answer tests for the area engine (ecogis.area).

Expected values come from closed forms or a second library (pyproj/GeographicLib, PROJ's exact
equal-area projection), never from ecogis's own earlier output.
"""
from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from ecogis import boundaries
from ecogis.area import convert_area, ellipsoidal_area, geodesic_area, geodesic_length, plane_area
from ecogis.errors import EcogisError
from ecogis.geodesy import CGCS2000_A, CGCS2000_F, UNITS

A = CGCS2000_A
B = A * (1 - CGCS2000_F)
E2 = CGCS2000_F * (2 - CGCS2000_F)
E = np.sqrt(E2)


def zone_area(lat_deg):
    """Closed-form ellipsoid area between the equator and latitude ``lat`` per radian of longitude."""
    s = np.sin(np.radians(lat_deg))
    return B * B * (s / (2 * (1 - E2 * s * s)) + np.log((1 + E * s) / (1 - E * s)) / (4 * E))


def quad_area(lon1, lat1, lon2, lat2):
    return (zone_area(lat2) - zone_area(lat1)) * np.radians(lon2 - lon1)


def test_closed_form_matches_known_ellipsoid_surface():
    # sanity check of the reference itself: GRS80/CGCS2000 total surface 510 065 621.7 km²
    total = 2 * (zone_area(90.0) - zone_area(-90.0)) * np.pi
    assert total / 1e6 == pytest.approx(510_065_621.7, abs=0.1)


@pytest.mark.parametrize("quad", [
    (121.0, 40.0, 122.0, 41.0),          # a 1°x1° sheet near Panjin
    (121.5, 40.8, 121.51, 40.81),        # about 1 km²
    (75.0, 18.0, 135.0, 53.0),           # the whole of China's extent
    (121.0, -35.0, 122.5, -33.0),        # southern hemisphere
])
def test_quadrangle_matches_closed_form(quad):
    expected = quad_area(*quad)
    got = ellipsoidal_area([box(*quad)], "EPSG:4490")[0]
    assert abs(got - expected) / expected < 1e-9


def test_quadrangle_from_gauss_kruger_vertices():
    # a quadrangle whose edges follow parallels and meridians, given as GK zone 41 vertices
    # (densified in geographic coordinates first, so the GK polygon follows the graticule closely)
    quad = (122.5, 40.9, 123.4, 41.3)
    geo = shapely.segmentize(box(*quad), 0.0002)
    gk = pyproj.Transformer.from_crs(4490, 4529, always_xy=True)
    gk_poly = shapely.transform(geo, lambda xy: np.column_stack(gk.transform(xy[:, 0], xy[:, 1])))
    got = ellipsoidal_area([gk_poly], "EPSG:4529")[0]
    assert abs(got - quad_area(*quad)) / quad_area(*quad) < 1e-9


def _smooth_polygon(rng, r_deg, n=256):
    cx, cy = rng.uniform(75, 134), rng.uniform(18, 53)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rad = r_deg * (1 + sum(rng.uniform(-0.3, 0.3) / k * np.sin(k * t + rng.uniform(0, 6.3)) for k in range(1, 6)))
    return Polygon(np.c_[cx + rad * np.cos(t) / np.cos(np.radians(cy)), cy + rad * np.sin(t)]), (cx, cy)


def test_random_densified_polygons_match_pyproj_geodesic_area():
    rng = np.random.default_rng(20231122)
    polys = []
    for _ in range(40):
        r = 10 ** rng.uniform(-2.5, -0.5)  # 300 m .. 35 km
        poly, _ = _smooth_polygon(rng, r)
        polys.append(shapely.segmentize(poly, min(r / 100, 0.0002)))
    ours = ellipsoidal_area(polys, "EPSG:4490", densify_deg=None)
    geod = pyproj.Geod(ellps="GRS80")
    theirs = np.array([abs(geod.geometry_area_perimeter(p)[0]) for p in polys])
    assert np.max(np.abs(ours - theirs) / theirs) < 1e-9


def test_small_polygons_match_exact_equal_area_projection():
    # GeographicLib's area sum loses ~1e-4 m² absolute; PROJ's ellipsoidal Lambert azimuthal
    # equal-area projection is an independent exact reference for small parcels.
    rng = np.random.default_rng(5)
    for _ in range(10):
        poly, (cx, cy) = _smooth_polygon(rng, 0.0003)
        laea = f"+proj=laea +lat_0={cy} +lon_0={cx} +ellps=GRS80"
        to_laea = pyproj.Transformer.from_crs("EPSG:4490", laea, always_xy=True)  # PROJ + shapely, not ecogis
        expected = shapely.transform(poly, lambda xy: np.column_stack(to_laea.transform(xy[:, 0], xy[:, 1]))).area
        got = ellipsoidal_area([poly], "EPSG:4490", densify_deg=None)[0]
        assert abs(got - expected) / expected < 1e-9


def test_holes_subtract_and_parts_add():
    outer = box(121.0, 40.0, 121.1, 40.1)
    hole = box(121.02, 40.02, 121.04, 40.04)
    other = box(122.0, 41.0, 122.05, 41.05)
    with_hole = Polygon(outer.exterior.coords, [hole.exterior.coords])
    multi = MultiPolygon([with_hole, other])
    got = ellipsoidal_area([with_hole, multi, None, shapely.Point(121, 40)], "EPSG:4490")
    expected_hole = quad_area(121.0, 40.0, 121.1, 40.1) - quad_area(121.02, 40.02, 121.04, 40.04)
    assert got[0] == pytest.approx(expected_hole, rel=1e-9)
    assert got[1] == pytest.approx(expected_hole + quad_area(122.0, 41.0, 122.05, 41.05), rel=1e-9)
    assert got[2] == 0 and got[3] == 0


def test_orientation_does_not_matter():
    poly = box(121.0, 40.0, 121.1, 40.1)
    cw = shapely.reverse(poly)
    a, b = ellipsoidal_area([poly, cw], "EPSG:4490")
    assert a == pytest.approx(b, rel=1e-12) and a > 0


def gaussian_radius(lat_deg):
    s2 = np.sin(np.radians(lat_deg)) ** 2
    m = A * (1 - E2) / (1 - E2 * s2) ** 1.5
    n = A / np.sqrt(1 - E2 * s2)
    return np.sqrt(m * n)


def test_gauss_kruger_plane_area_differs_by_scale_factor():
    # a 1 km square 100 km east of the central meridian of zone 41 (EPSG:4529, prefix 41, FE 500 km)
    y = 100_000.0
    square = box(41_500_000 + y - 500, 4_540_000, 41_500_000 + y + 500, 4_541_000)
    plane = plane_area([square], "EPSG:4529")[0]
    ellipsoidal = ellipsoidal_area([square], "EPSG:4529")[0]
    assert plane == pytest.approx(1e6)
    lat = pyproj.Transformer.from_crs(4529, 4490, always_xy=True).transform(41_600_000, 4_540_500)[1]
    r = gaussian_radius(lat)
    k = 1.0 * (1 + y * y / (2 * r * r))  # k0 = 1 for Gauss-Kruger
    assert plane / ellipsoidal - 1 == pytest.approx(k * k - 1, rel=1e-3)
    # and it is the magnitude DESIGN.md warns about: ~0.1 % at 1.5° (about 130 km) from the meridian
    assert 2.4e-4 < plane / ellipsoidal - 1 < 2.5e-4


def test_geodesic_area_projected_input_matches_geographic():
    quad = (123.1, 41.0, 123.2, 41.1)
    geo = shapely.segmentize(box(*quad), 0.0005)
    tr = pyproj.Transformer.from_crs(4490, 4529, always_xy=True)
    gk = shapely.transform(geo, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    assert geodesic_area([gk], "EPSG:4529")[0] == pytest.approx(quad_area(*quad), rel=1e-8)


def test_geodesic_length_known_values():
    geod = pyproj.Geod(ellps="GRS80")
    line = shapely.LineString([(121, 40), (122, 40), (122, 41)])
    expected = geod.inv(121, 40, 122, 40)[2] + geod.inv(122, 40, 122, 41)[2]
    square = box(121, 40, 121.1, 40.1)
    lengths = geodesic_length([line, square, shapely.Point(0, 0), None], "EPSG:4490")
    assert lengths[0] == pytest.approx(expected, rel=1e-12)
    assert lengths[1] == pytest.approx(geod.geometry_area_perimeter(square)[1], rel=1e-12)
    assert lengths[2] == 0 and lengths[3] == 0
    # meridian arc 40°→41° is about 111.05 km (textbook value)
    assert geod.inv(122, 40, 122, 41)[2] == pytest.approx(111_050, abs=50)


def test_geodesic_length_projected_multiline():
    tr = pyproj.Transformer.from_crs(4490, 4529, always_xy=True)
    pts = [(122.0, 40.5), (122.1, 40.6), (122.3, 40.6)]
    gk = [tr.transform(*p) for p in pts]
    ml = shapely.MultiLineString([gk[:2], gk[1:]])
    geod = pyproj.Geod(ellps="GRS80")
    expected = sum(geod.inv(*pts[i], *pts[i + 1])[2] for i in range(2))
    assert geodesic_length([ml], "EPSG:4529")[0] == pytest.approx(expected, rel=1e-9)


def test_units():
    assert convert_area(1e6, "km2") == 1.0
    assert convert_area(1e6, "ha") == 100.0
    assert convert_area(1e6, "mu") == pytest.approx(1500.0)
    assert convert_area(10_000 / 15, "亩") == pytest.approx(1.0)
    assert convert_area(np.array([2e4]), "公顷")[0] == 2.0
    assert set(UNITS) == {"m2", "ha", "km2", "mu"}
    with pytest.raises(EcogisError, match="unknown area unit"):
        convert_area(1.0, "acre")


def test_missing_crs_is_an_error():
    with pytest.raises(EcogisError, match="no CRS"):
        ellipsoidal_area([box(0, 0, 1, 1)], None)


def test_fuxin_boundary_matches_published_area():
    gdf = boundaries.get_boundary("阜新市")
    km2 = ellipsoidal_area(gdf.geometry, gdf.crs).sum() / 1e6
    assert abs(km2 - 10_355) / 10_355 < 0.005


def test_trapezoid_series_form_matches_closed_form():
    # the 32号文 formula (2) evaluated term by term (ecogis.area.trapezoid_area) against the closed form
    from ecogis.geodesy import trapezoid_area

    for lat1, lat2 in ((40.0, 41.0), (18.0, 53.0), (-10.0, 35.0), (40.80, 40.81)):
        got = trapezoid_area(np.radians(1.0), np.radians(lat1), np.radians(lat2))
        assert got == pytest.approx(quad_area(121.0, lat1, 122.0, lat2), rel=1e-9)


def test_benchmark_smoke_accuracy():
    """The benchmark's generated densified polygons agree with pyproj's loop to < 1e-9 (no timing asserted)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_area.py"
    spec = importlib.util.spec_from_file_location("bench_area", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.bench(300, 300, 768, repeat=1)
    assert result["max_rel_diff"] < 1e-9
    assert result["ellipsoidal_s"] > 0 and result["geod_loop_s"] > 0


def test_other_ellipsoid_is_warned():
    from ecogis.errors import AssumptionWarning

    square = box(41_500_000, 4_500_000, 41_501_000, 4_501_000)  # Xian 1980 3° GK zone 41 (EPSG:2365)
    with pytest.warns(AssumptionWarning, match="convert"):
        got = ellipsoidal_area([square], "EPSG:2365")[0]
    assert got == pytest.approx(1e6, rel=1e-4)
