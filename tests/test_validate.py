"""validate_layer / repair_layer: each check finds what it should, with locations; repair keeps the type."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from ecogis.validate import repair_layer, validate_layer

# A bow-tie whose two lobes cross at (121.05, 41.05): each lobe is a triangle of area 0.1 * 0.05 / 2.
BOWTIE = shapely.from_wkt("POLYGON ((121 41, 121.1 41.1, 121.1 41, 121 41.1, 121 41))")
SQUARE = shapely.box(121.2, 41.0, 121.3, 41.1)


def _layer(geoms, crs=4490, **cols):
    return gpd.GeoDataFrame(cols or {"id": list(range(len(geoms)))}, geometry=list(geoms), crs=crs)


def _issues(report, check):
    return [i for i in report.issues if i.check == check]


def test_clean_layer_is_ok():
    report = validate_layer(_layer([SQUARE, shapely.box(121.4, 41.0, 121.5, 41.1)]))
    assert report.ok and sum(report.counts.values()) == 0


def test_invalid_geometry_with_location():
    report = validate_layer(_layer([SQUARE, BOWTIE]))
    assert not report.ok
    (issue,) = _issues(report, "invalid")
    assert issue.feature == 1 and "Self-intersection" in issue.message
    assert (issue.x, issue.y) == pytest.approx((121.05, 41.05))


def test_empty_and_missing_geometries():
    report = validate_layer(_layer([SQUARE, None, shapely.Polygon()]))
    assert [i.feature for i in _issues(report, "empty")] == [1, 2]
    assert not report.ok


def test_duplicates_found_regardless_of_vertex_order():
    reversed_square = shapely.reverse(SQUARE)
    report = validate_layer(_layer([SQUARE, reversed_square, BOWTIE.buffer(0)], id=[7, 7, 8]))
    (dup,) = _issues(report, "duplicate")
    assert dup.feature == 1 and "feature 0" in dup.message and "same geometry and attributes" in dup.message
    assert report.ok  # duplicates are warnings


def test_mixed_geometry_types():
    report = validate_layer(_layer([SQUARE, shapely.Point(121.2, 41.0)]))
    (mixed,) = _issues(report, "mixed_types")
    assert "Polygon" in mixed.message and "Point" in mixed.message
    multi = validate_layer(_layer([SQUARE, shapely.MultiPolygon([SQUARE])]))
    assert not _issues(multi, "mixed_types")  # Polygon + MultiPolygon is one family


def test_outside_china_in_any_crs():
    far = shapely.box(2.3, 48.8, 2.4, 48.9)  # Paris
    report = validate_layer(_layer([SQUARE, far]))
    assert [i.feature for i in _issues(report, "outside_china")] == [1]
    projected = _layer([SQUARE, far]).to_crs(3857)
    assert [i.feature for i in _issues(validate_layer(projected), "outside_china")] == [1]


def test_assumptions_from_reading_are_reported():
    gdf = _layer([SQUARE])
    gdf.attrs["ecogis"] = {"path": "x.shp", "crs": "EPSG:4490", "notes": ["x.shp: no .cpg file; decoded as GB18030"]}
    report = validate_layer(gdf)
    assert [i.message for i in _issues(report, "assumption")] == ["x.shp: no .cpg file; decoded as GB18030"]
    assert report.to_dict()["path"] == "x.shp"


def test_repair_keeps_polygon_type_and_area():
    # a polygon with a dangling spike: make_valid gives polygon + line; the line must go
    spike = shapely.from_wkt("POLYGON ((121 41, 121.1 41, 121.1 41.1, 121 41.1, 121 41, 120.9 40.9, 121 41))")
    gdf = _layer([BOWTIE, SQUARE, spike])
    before = gdf.geometry.copy()
    fixed, result = repair_layer(gdf)
    assert result.repaired == [0, 2] and result.emptied == []
    assert shapely.is_valid(fixed.geometry.values).all()
    assert list(fixed.geom_type) == ["MultiPolygon", "Polygon", "Polygon"]
    # the two triangles of the bow-tie: 2 * (0.1 * 0.05 / 2) square degrees
    assert fixed.geometry.iloc[0].area == pytest.approx(0.005, rel=1e-12)
    assert fixed.geometry.iloc[2].area == pytest.approx(0.01, rel=1e-12)
    assert fixed.geometry.iloc[1] is before.iloc[1] or fixed.geometry.iloc[1].equals_exact(SQUARE, 0)
    assert before.equals(gdf.geometry)  # the input frame is untouched


def test_repair_line_layer_stays_lines():
    line = shapely.from_wkt("LINESTRING (121 41, 121 41)")  # zero length: invalid
    ok = shapely.LineString([(121, 41), (121.1, 41.1)])
    fixed, result = repair_layer(_layer([ok, line]))
    assert result.repaired == [1] and result.emptied == [1]
    assert set(fixed.geom_type.dropna()) <= {"LineString", "MultiLineString"}
    assert np.all(shapely.get_type_id(fixed.geometry.values) != 0)  # no points crept in


def test_overlapping_polygons_are_warned_with_area_and_location():
    # Gauss-Kruger zone 41 next to its central meridian (scale factor 1 there): two 1000 m x 400 m
    # rectangles sharing a 200 m x 400 m strip = 80 000 m²; a third only touches the second.
    x0, y0 = 41_500_000.0, 4_540_000.0
    a = shapely.box(x0, y0, x0 + 1000, y0 + 400)
    b = shapely.box(x0 + 800, y0, x0 + 1800, y0 + 400)
    c = shapely.box(x0 + 1800, y0, x0 + 2800, y0 + 400)
    report = validate_layer(_layer([a, b, c], crs=4529))
    (issue,) = _issues(report, "overlap")
    assert report.ok and report.counts["overlap"] == 1
    assert (issue.feature, issue.severity) == (0, "warning") and "overlaps feature 1" in issue.message
    assert x0 + 800 <= issue.x <= x0 + 1000 and y0 <= issue.y <= y0 + 400
    area = float(issue.message.split("feature 1, ")[1].split(" m²")[0])
    assert area == pytest.approx(80_000, rel=1e-3)


def test_shared_border_noise_and_duplicates_are_not_overlaps():
    a = shapely.box(121.2, 41.0, 121.3, 41.1)
    nudged = shapely.box(121.3 - 1e-13, 41.0, 121.4, 41.1)  # floating-point noise on the shared edge
    report = validate_layer(_layer([a, nudged, a]))
    assert report.counts["overlap"] == 0 and report.counts["duplicate"] == 1
