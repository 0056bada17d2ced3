"""Control-unit areas by class and district (ecogis.zoning.areas, ``ecogis zoning-area``), checked against
pyproj.Geod (ellipsoidal) and shapely in EPSG:4529 (plane), computed here from the files."""
from __future__ import annotations

import json

import geopandas as gpd
import pyproj
import pytest
from click.testing import CliRunner
from conftest import LAYERS

from ecogis.cli.zoning_cmds import zoning_area
from ecogis.errors import EcogisError
from ecogis.io import read_layer
from ecogis.zoning.areas import unit_areas

GEOD = pyproj.Geod(ellps="GRS80")
UNITS = LAYERS / "zoning/control_units.gpkg"
BOUNDARY = LAYERS / "boundary/panjin.gpkg"


@pytest.fixture(scope="module")
def raw():
    return gpd.read_file(UNITS)


def geod_m2(g) -> float:
    return abs(GEOD.geometry_area_perimeter(g)[0])


def test_areas_by_class_match_geod_and_tile_the_city(raw):
    result = unit_areas(read_layer(UNITS, kind="control_unit"), boundary=read_layer(BOUNDARY, kind="boundary",
                                                                                     layer="city"))
    expected = {c: sum(geod_m2(g) for g in grp.geometry) for c, grp in raw.groupby("管控单元分类")}
    rows = {r.unit_class: r for r in result.by_class}
    for cls, m2 in expected.items():
        assert rows[cls].area_m2 == pytest.approx(m2, rel=2e-7)  # official kernel vs GeographicLib
        assert rows[cls].count == int((raw["管控单元分类"] == cls).sum())
    city = gpd.read_file(BOUNDARY, layer="city").geometry.iloc[0]
    assert rows[None].area_m2 == pytest.approx(geod_m2(city), rel=2e-7)
    assert result.total_m2 == pytest.approx(result.boundary_m2, rel=1e-7)
    assert sum(r.share for r in result.by_class if r.unit_class) == pytest.approx(1.0, abs=1e-12)


def test_district_rows_use_the_units_county(raw):
    result = unit_areas(read_layer(UNITS, kind="control_unit"))
    totals = {r.district: r.area_m2 for r in result.by_district if r.unit_class is None}
    for county, grp in raw.groupby("县"):
        assert totals[county] == pytest.approx(sum(geod_m2(g) for g in grp.geometry), rel=2e-7)


def test_plane_method_in_a_named_gk_zone(raw):
    result = unit_areas(read_layer(UNITS, kind="control_unit"), method="plane", gk_zone=41)
    plane = raw.to_crs(4529)
    expected = {c: float(grp.geometry.area.sum()) for c, grp in plane.groupby("管控单元分类")}
    rows = {r.unit_class: r for r in result.by_class}
    for cls, m2 in expected.items():
        assert rows[cls].area_m2 == pytest.approx(m2, rel=1e-9)
    assert "4529" in result.crs and result.method == "plane"
    with pytest.raises(EcogisError, match="zone"):
        unit_areas(read_layer(UNITS, kind="control_unit"), method="plane")
    with pytest.raises(EcogisError, match="not a zone of China"):
        unit_areas(read_layer(UNITS, kind="control_unit"), method="plane", gk_zone=60)


def test_cli_prints_json_and_writes_xlsx(tmp_path):
    out = tmp_path / "areas.xlsx"
    res = CliRunner().invoke(zoning_area, [str(UNITS), "--boundary", str(BOUNDARY), "--boundary-layer", "city",
                                           "--json", "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["method"] == "ellipsoid" and abs(data["difference_m2"]) < 1000
    assert {r["unit_class"] for r in data["by_class"]} == {"优先保护单元", "重点管控单元", "一般管控单元", None}
    assert out.stat().st_size > 0
