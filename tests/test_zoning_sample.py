"""The illustrative 生态环境分区管控 sample data (layers/zoning, scripts/make_sample_zoning.py), checked with
pyproj.Geod and shapely directly, independently of ecogis."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
import shapely
from conftest import LAYERS, SAMPLE_ASSUMPTIONS, assumed

from ecogis.check import check

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (f differs at 1e-10)
PROJECT = LAYERS / "project.yaml"


def m2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


@pytest.fixture(scope="module")
def units():
    return gpd.read_file(LAYERS / "zoning/control_units.gpkg")


def test_control_units_tile_the_city_by_class(units):
    city = gpd.read_file(LAYERS / "boundary/panjin.gpkg", layer="city").geometry.iloc[0]
    by_class = {c: sum(m2(g) for g in grp.geometry) for c, grp in units.groupby("管控单元分类")}
    assert set(by_class) == {"优先保护单元", "重点管控单元", "一般管控单元"}
    assert sum(by_class.values()) == pytest.approx(m2(city), rel=1e-6)
    union = shapely.union_all(units.geometry.values)
    assert m2(union) == pytest.approx(m2(city), rel=1e-6)  # no overlaps: the sum equals the union
    assert m2(shapely.symmetric_difference(union, city)) < 1.0  # and no gaps


def test_units_codes_classes_and_marks(units):
    digit = {"优先保护单元": "1", "重点管控单元": "2", "一般管控单元": "3"}
    assert units["HJGKDYBM"].is_unique
    assert all(code.startswith(f"ZH{ad}{digit[cls]}") for code, ad, cls in
               zip(units["HJGKDYBM"], units["行政区划代码"], units["管控单元分类"]))
    assert (units["示意"] == "是").all()
    for name in ("farmland", "parks"):
        assert (gpd.read_file(LAYERS / f"zoning/{name}.gpkg")["示意"] == "是").all()


def test_access_list_has_a_row_per_unit_and_overall_rows(units):
    sheets = pd.read_excel(LAYERS / "zoning/access_list.xlsx", sheet_name=None, header=1)
    assert list(sheets) == ["总体准入要求", "单元准入清单"]
    assert set(sheets["单元准入清单"]["环境管控单元编码"]) == set(units["HJGKDYBM"])
    assert {"全省", "全市", "优先保护单元", "重点管控单元", "一般管控单元"} <= set(sheets["总体准入要求"]["适用范围"])


def test_sample_parcel_b_in_a_town_unit_is_prohibited_for_c2614():
    with assumed(*SAMPLE_ASSUMPTIONS["sites/sites_zone41.txt"], r"\(D\) lie wholly or partly outside the coverage"):
        result = check(LAYERS / "sites/sites_zone41.txt", PROJECT, industry="C2614")
    (b,) = [r for r in result.zoning.requirements if r.site == "B" and r.verdict == "禁止"]
    assert b.matched == "C26" and "C26" in b.text and b.units[0].startswith("ZH2111")
    assert {s.id: s.verdict for s in result.sites}["B"] == "禁止"


def test_sample_farmland_and_forest_park_sites():
    result = check(LAYERS / "sites/zoning_sites.geojson", PROJECT, industry="G5941")
    hits = {(f.site, f.kind): f for f in result.findings if f.relation == "intersects"}
    assert hits[("F1", "farmland")].rule_id == "farmland-intersects" and hits[("F1", "farmland")].verdict == "禁止"
    assert hits[("F2", "protected_area")].verdict == "禁止" and hits[("F2", "protected_area")].zone == "核心保护区"
    assert hits[("F3", "protected_area")].verdict == "限制" and hits[("F3", "protected_area")].zone == "一般控制区"


def test_the_sample_project_description_file_gives_c2614():
    with assumed(*SAMPLE_ASSUMPTIONS["sites/sites_zone41.txt"], r"\(D\) lie wholly or partly outside the coverage"):
        result = check(LAYERS / "sites/sites_zone41.txt", PROJECT, project_info=LAYERS / "zoning/project_info.yaml")
    d = result.zoning.project_description
    assert d["industry"] == {"code": "C2614", "name": "有机化学原料制造"} and d["project_type"] == "area"
    assert set(d["sources"].values()) == {"file"}
    assert {s.id: s.verdict for s in result.sites}["B"] == "禁止"
