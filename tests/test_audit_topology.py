"""Topology checks (ecogis.audit, type ``topology``) on simple squares with known answers.

Every expected area is the closed-form ellipsoidal area of a quadrangle between two parallels and two
meridians on the CGCS2000 ellipsoid (independent of ecogis), or a hand count of pieces.
"""
from __future__ import annotations

import textwrap

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from ecogis.audit import load_spec, run_audit
from ecogis.errors import EcogisError

A_, F_ = 6378137.0, 1 / 298.257222101
B_, E2 = A_ * (1 - F_), F_ * (2 - F_)
E_ = np.sqrt(E2)


def quad_m2(lon1, lat1, lon2, lat2):
    """Closed-form area (m²) of the quadrangle lon1..lon2 × lat1..lat2 on the CGCS2000 ellipsoid."""
    def q(lat):
        s = np.sin(np.radians(lat))
        return B_ * B_ * (s / (2 * (1 - E2 * s * s)) + np.log((1 + E_ * s) / (1 - E_ * s)) / (4 * E_))
    return float((q(lat2) - q(lat1)) * np.radians(lon2 - lon1))


CITY = (121.0, 40.0, 121.3, 40.1)
SLIVER = (120.99999, 40.0, 121.0, 40.1)      # west district reaches 0.00001° past the city: ~940 m²
HOLE = (121.15, 40.05, 121.151, 40.051)       # a hole in the middle district: ~9400 m²
STRIP = (121.2, 40.09, 121.3, 40.1)           # the east district stops short of the north edge: ~9.4 km²
OVERLAP = (121.19, 40.0, 121.2, 40.09)        # east district reaches into the middle one


@pytest.fixture(scope="module")
def squares(tmp_path_factory):
    d = tmp_path_factory.mktemp("topo")
    gpd.GeoDataFrame({"name": ["市"]}, geometry=[box(*CITY)], crs=4490).to_file(d / "city.gpkg")
    middle = Polygon(box(121.1, 40.0, 121.2, 40.1).exterior.coords, [box(*HOLE).exterior.coords[::-1]])
    bad = [box(120.99999, 40.0, 121.1, 40.1), middle, box(121.19, 40.0, 121.3, 40.09)]
    gpd.GeoDataFrame({"name": ["西区", "中区", "东区"]}, geometry=bad, crs=4490).to_file(d / "districts_bad.gpkg")
    good = [box(121.0, 40.0, 121.1, 40.1), box(121.1, 40.0, 121.2, 40.1), box(121.2, 40.0, 121.3, 40.1)]
    gpd.GeoDataFrame({"name": ["西区", "中区", "东区"]}, geometry=good, crs=4490).to_file(d / "districts_good.gpkg")
    # the same good districts in Gauss-Kruger zone 41 (EPSG:4529, prefixed), against the geographic city
    gpd.GeoDataFrame({"name": ["西区", "中区", "东区"]}, geometry=good, crs=4490).to_crs(4529).to_file(
        d / "districts_gk.gpkg")
    gpd.GeoDataFrame({"name": ["镇"]}, geometry=[box(121.25, 40.05, 121.35, 40.15)], crs=4490).to_file(d / "town.gpkg")
    return d


def run_one(d, body: str):
    spec = d / "spec.yaml"
    spec.write_text("checks:\n" + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return run_audit(load_spec(spec)).checks[0]


def test_districts_against_city_find_sliver_gap_uncovered_strip_and_overlap(squares):
    c = run_one(squares, """
        - id: t
          type: topology
          layer: districts_bad.gpkg
          boundary: city.gpkg
          tile: true
          sliver_m2: 10000
          gap_m2: 100000
        """)
    assert not c.passed
    m = c.metrics
    assert m["outside_m2"] == pytest.approx(quad_m2(*SLIVER), rel=1e-6)
    assert m["outside_pieces"] == 1 and m["slivers"] == 1
    assert m["uncovered_m2"] == pytest.approx(quad_m2(*HOLE) + quad_m2(*STRIP), rel=1e-6)
    assert m["uncovered_pieces"] == 2 and m["gaps"] == 1          # the hole is a gap, the strip is not
    assert m["self_overlap_m2"] == pytest.approx(quad_m2(*OVERLAP), rel=1e-6)
    assert m["self_overlap_pairs"] == 1
    issues = sorted(d["issue"] for d in c.details)
    assert issues == ["gap", "self_overlap", "sliver_outside", "uncovered"]
    gap = next(d for d in c.details if d["issue"] == "gap")
    assert HOLE[0] < gap["x"] < HOLE[2] and HOLE[1] < gap["y"] < HOLE[3]   # a point inside the gap
    pair = next(d for d in c.details if d["issue"] == "self_overlap")
    assert {pair["feature"], pair["other"]} == {"中区", "东区"}
    assert "未覆盖" in c.value.zh and "uncovered" in c.value.en and "m²" in c.value.zh


def test_exact_tiling_passes_in_any_crs(squares):
    for layer in ("districts_good.gpkg", "districts_gk.gpkg"):
        c = run_one(squares, f"""
            - id: t
              type: topology
              layer: {layer}
              boundary: city.gpkg
              tile: true
            """)
        assert c.passed, (layer, c.metrics)
        assert c.metrics["uncovered_pieces"] == 0 and c.metrics["outside_pieces"] == 0
        assert c.metrics["self_overlap_pairs"] == 0


def test_overlap_between_layers_and_interior_gaps(squares):
    c = run_one(squares, """
        - id: t
          type: topology
          layer: districts_bad.gpkg
          self_overlap: false
          gap_m2: 100000
          must_not_overlap: [town.gpkg]
        """)
    assert not c.passed
    # the town square overlaps the east district (121.25..121.3 × 40.05..40.09) only
    assert c.metrics["overlap_town.gpkg_m2"] == pytest.approx(quad_m2(121.25, 40.05, 121.3, 40.09), rel=1e-6)
    assert c.metrics["gaps"] == 1 and c.metrics["gaps_m2"] == pytest.approx(quad_m2(*HOLE), rel=1e-6)
    assert "self_overlap_m2" not in c.metrics


def test_tile_without_boundary_is_an_error_naming_the_key(squares):
    with pytest.raises(EcogisError) as err:
        run_one(squares, """
            - id: t
              type: topology
              layer: districts_good.gpkg
              tile: true
            """)
    assert err.value.field == "tile" and "'t'" in str(err.value)
