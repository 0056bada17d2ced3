"""Overlay helpers in a projected plane (ecogis.overlay): invalid geometries rebuilt valid, and the part of
a site inside dissolved features computed from the features cut to the site.

Expectations: closed-form areas of squares and triangles, and shapely's own ``intersection(site,
union_all(features))`` on the sample layers (the same point set computed the other way round).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from conftest import LAYERS

from ecogis.crs import metric_crs
from ecogis.overlay import dissolved_overlap, made_valid, valid_in_plane
from ecogis.project import load_project
from ecogis.site_input import read_site

GK41 = metric_crs(123.0)  # the zone of the sample sites


def test_a_bow_tie_becomes_its_two_triangles():
    bow_tie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # crosses itself at (1, 1)
    fixed = made_valid(np.array([bow_tie], dtype=object))[0]
    assert shapely.is_valid(fixed) and shapely.get_type_id(fixed) == shapely.GeometryType.MULTIPOLYGON
    assert shapely.area(fixed) == pytest.approx(2.0)  # two triangles of base 2 and height 1


def test_a_collapsed_line_is_rebuilt_and_a_polygon_stays_polygonal():
    line = shapely.LineString([(1, 1), (1, 1)])  # too few distinct points: invalid
    spike = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4), (0, 0), (-3, 0), (0, 0)])
    fixed = made_valid(np.array([line, spike], dtype=object))
    assert shapely.is_valid(fixed).all() and shapely.equals(fixed[0], shapely.Point(1, 1))
    assert shapely.get_type_id(fixed[1]) == shapely.GeometryType.POLYGON and shapely.area(fixed[1]) == 16.0


def test_valid_geometries_are_left_as_they_are():
    geoms = np.array([shapely.box(0, 0, 1, 1), None, shapely.Point(3, 3)], dtype=object)
    assert valid_in_plane(geoms) is geoms
    with_bad = np.array([shapely.box(0, 0, 1, 1), None, shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])])
    out = valid_in_plane(with_bad)
    assert out[0] is with_bad[0] and out[1] is None and shapely.is_valid(out[2])
    assert not shapely.is_valid(with_bad[2])  # the input array is not changed


def test_overlapping_features_are_counted_once():
    site = shapely.box(0, 0, 10, 10)
    features = np.array([shapely.box(-5, -5, 5, 5), shapely.box(2, 2, 6, 6), shapely.box(20, 20, 30, 30)])
    overlap = dissolved_overlap(site, features)
    assert shapely.area(overlap) == pytest.approx(25 + 16 - 9)  # the 5×5 and 4×4 squares inside share 3×3
    assert shapely.area(dissolved_overlap(site, features[2:])) == 0.0


@pytest.fixture(scope="module")
def sample():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        layers = load_project(LAYERS / "project.yaml").read_layers()
        sites, _ = read_site(LAYERS / "sites" / "sites_zone41.txt")
    return layers, np.asarray(sites.to_crs(GK41).geometry.values)


def test_the_sample_layers_made_invalid_by_the_projection_are_repaired_with_their_area(sample):
    layers, _ = sample
    repaired = 0
    for gdf in layers.values():
        if not hasattr(gdf, "geometry"):
            continue
        degrees = np.asarray(gdf.geometry.values)
        plane = np.asarray(gdf.to_crs(GK41).geometry.values)
        fixed = valid_in_plane(plane)
        assert shapely.is_valid(fixed[~shapely.is_missing(fixed)]).all()
        changed = np.flatnonzero(fixed != plane)
        assert shapely.is_valid(degrees[changed]).all()  # made invalid by the projection only
        # a crossing at rounding scale: the rebuilt polygon covers the same area (relative to 1e-9)
        np.testing.assert_allclose(shapely.area(fixed[changed]), shapely.area(plane[changed]), rtol=1e-9)
        repaired += len(changed)
    assert repaired >= 3  # the sample control units have three such features


def test_the_overlap_with_cut_features_is_the_overlap_with_their_union(sample):
    layers, sites = sample
    for name, gdf in layers.items():
        if not hasattr(gdf, "geometry"):
            continue
        feats = valid_in_plane(np.asarray(gdf.to_crs(GK41).geometry.values))
        feats = feats[~shapely.is_missing(feats)]
        for site in sites:
            met = feats[shapely.intersects(feats, site)]
            if len(met) == 0:
                continue
            want = shapely.intersection(site, shapely.union_all(met))
            got = dissolved_overlap(site, met)
            scale = max(shapely.area(want), shapely.length(want), 1.0)
            assert shapely.area(shapely.symmetric_difference(got, want)) <= 1e-9 * scale, name
            assert shapely.area(got) == pytest.approx(shapely.area(want), rel=1e-9, abs=1e-9), name
