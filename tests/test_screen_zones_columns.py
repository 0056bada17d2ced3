"""Zone summaries grouped from whole columns (ecogis.screen_zones): per layer and zone the features an
overlap finding names, in zone order; a layer without zone values has zone None (not ""); areas are
the official area of the dissolved site against the dissolved zone.

Expectations: pandas groups of the findings table computed here, and overlap areas computed here with
shapely in the GK plane and pyproj.Geod on the CGCS2000 ellipsoid (GRS 80 axes) for the lon/lat polygon.
"""
from __future__ import annotations

import warnings

import numpy as np
import pyproj
import pytest
import shapely
from conftest import LAYERS

from ecogis.check import check
from ecogis.crs import metric_crs
from ecogis.project import load_project

SITES = LAYERS / "sites" / "sites_zone41.txt"
PROJECT = LAYERS / "project.yaml"


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        return check(SITES, PROJECT)


def test_zones_and_feature_counts_are_the_groups_of_the_overlap_findings(result):
    frame = result.findings.frame
    hits = frame[frame["relation"] == "intersects"]
    want = []
    for layer in dict.fromkeys(hits["layer"]):  # layers in screening order
        rows = hits[hits["layer"] == layer]
        zones = rows["zone"].astype(object).where(rows["zone"].notna(), None)
        for zone in sorted(set(zones), key=lambda z: "" if z is None else "\x01" + z):
            want.append((layer, zone, rows.loc[(zones == zone) if zone is not None else zones.isna(),
                                                "feature"].nunique()))
    got = [(z.layer, z.zone, z.features) for z in result.zones]
    assert got == want
    assert ("town_boundary", None, 1) in got  # a layer without zone values: zone None, never ""


def _geodesic_area(geom_lonlat) -> float:
    """Area (m²) on the GRS 80 ellipsoid (CGCS2000's axes; its flattening differs by 1e-11) by pyproj.Geod."""
    geod = pyproj.Geod(ellps="GRS80")
    return abs(geod.geometry_area_perimeter(geom_lonlat)[0])


def test_a_zone_area_is_the_dissolved_site_against_the_dissolved_zone(result):
    gk = metric_crs(123.0)
    sites = result.site_gdf.to_crs(gk)
    union = shapely.union_all(np.asarray(sites.geometry.values))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        layers = load_project(PROJECT).read_layers()
    # control_units: one of the features met is valid in degrees and self-intersects in the GK plane
    assert not shapely.is_valid(layers["control_units"].to_crs(gk).geometry.values).all()
    for layer, zone_field in (("town_boundary", None), ("reserve", "zone"), ("control_units", "unit_class")):
        gdf = layers[layer].to_crs(gk)
        for z in (s for s in result.zones if s.layer == layer):
            feats = gdf if z.zone is None else gdf[gdf[zone_field].astype(str) == z.zone]
            piece = shapely.intersection(union, shapely.union_all(np.asarray(feats.geometry.values)))
            lonlat = shapely.transform(piece, lambda xy: np.column_stack(
                pyproj.Transformer.from_crs(gk, "EPSG:4490", always_xy=True).transform(xy[:, 0], xy[:, 1])))
            assert z.overlap_area_m2 == pytest.approx(_geodesic_area(lonlat), rel=1e-6)
        assert any(s.layer == layer for s in result.zones)


def test_a_control_row_of_the_zoning_summary_is_the_dissolved_site_against_all_its_features(result):
    """The control-unit row: all sites dissolved against all control units dissolved (no double counting)."""
    gk = metric_crs(123.0)
    union = shapely.union_all(np.asarray(result.site_gdf.to_crs(gk).geometry.values))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        units = load_project(PROJECT).read_layers()["control_units"].to_crs(gk)
    piece = shapely.intersection(union, shapely.union_all(np.asarray(units.geometry.values)))
    to_lonlat = pyproj.Transformer.from_crs(gk, "EPSG:4490", always_xy=True)
    lonlat = shapely.transform(piece, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
    row = next(r for r in result.zoning.summary if r.control == "control_unit")
    assert row.overlap_area_m2 == pytest.approx(_geodesic_area(lonlat), rel=1e-6)


def test_each_control_row_states_the_relation_nearest_distance_features_and_worst_verdict(result):
    """Every row of the zoning summary against pandas filters of the findings table computed here."""
    from ecogis.rules import worst_verdict
    from ecogis.zoning.summary import CONTROLS

    frame = result.findings.frame
    rows = {r.control: r for r in result.zoning.summary}
    assert list(rows) == list(CONTROLS)
    for control, covered in CONTROLS.items():
        row = rows[control]
        mine = frame[frame["kind"].isin(covered)]
        if not row.provided:
            assert row.verdict == "无法判定" and len(mine) == 0
            continue
        hit, near = mine[mine["relation"] == "intersects"], mine[mine["relation"] == "within_buffer"]
        assert row.relation == ("intersects" if len(hit) else "within_buffer" if len(near) else "clear")
        assert row.features == list(dict.fromkeys((hit if len(hit) else near)["feature"].astype(str)))
        dist = mine["distance_m"].dropna()
        assert row.nearest_m == (pytest.approx(dist.min()) if len(dist) else None)
        extra = [result.zoning.verdict] if control == "control_unit" else []
        assert row.verdict == worst_verdict(list(mine["verdict"]) + extra)
    assert {r.relation for r in rows.values()} >= {"intersects", "within_buffer"}
