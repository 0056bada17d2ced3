"""生态环境分区管控: control units, access lists, industry codes, farmland and protected-area rules.

Layers are built here in CGCS2000 3° Gauss-Kruger zone 41 without prefix (EPSG:4550); expected areas
come from pyproj.Geod (GeographicLib) on densified polygons, never from ecogis.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import box

from ecogis.check import check
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.layers import normalise_layer
from ecogis.zoning.industry import covers, normalise_code, parse_industry

GK = pyproj.CRS.from_epsg(4550)
GEOD = pyproj.Geod(ellps="GRS80")
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
KEY_UNIT = box(440_000, 4_530_000, 450_000, 4_540_000)  # 重点管控单元 (industrial park)
GENERAL_UNIT = box(450_000, 4_530_000, 460_000, 4_540_000)  # 一般管控单元, text-only requirements
SITE = box(444_000, 4_534_000, 445_000, 4_535_000)  # 1 km square inside the 重点管控单元
OVERALL = "全市：严格执行国家产业政策，禁止新建不符合国家产业政策的项目。"
CLASS_TEXT = "重点管控单元：新建项目应进入依法合规设立的园区，执行大气污染物特别排放限值。"
UNIT_TEXT = "禁止新建、扩建化学原料和化学制品制造业（C26）项目。"
GENERAL_TEXT = "加强农业面源污染治理。"


def geodesic_area_gk(geom, step=5.0):
    dense = shapely.segmentize(geom, step)
    lon, lat = TO_GEO.transform(*np.asarray(dense.exterior.coords).T)
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def write_access_list(path, unit_rows=True, class_rows=True):
    """An access list laid out like published ones: a title line above the header, overall and class-level
    requirements on one sheet, per-unit rows (with industry codes) on another."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        overall = [["盘锦市生态环境准入清单（总体要求，示意）", None, None, None, None],
                   ["适用范围", "空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求"],
                   ["全市", OVERALL, None, None, None]]
        if class_rows:
            overall.append(["重点管控单元", CLASS_TEXT, None, None, None])
        pd.DataFrame(overall).to_excel(xl, sheet_name="总体准入要求", header=False, index=False)
        if unit_rows:
            pd.DataFrame([["环境管控单元编码", "环境管控单元名称", "管控单元分类", "空间布局约束", "污染物排放管控",
                           "禁止类行业代码"],
                          ["ZH21110220001", "示意产业园区", "重点管控单元", UNIT_TEXT, None, "C26"],
                          ["ZH21110230001", "示意一般单元", "一般管控单元", GENERAL_TEXT, "化肥减量", None]]
                         ).to_excel(xl, sheet_name="单元准入清单", header=False, index=False)


@pytest.fixture
def project(tmp_path):
    gpkg = tmp_path / "zoning.gpkg"
    gpd.GeoDataFrame({"HJGKDYBM": ["ZH21110220001", "ZH21110230001"], "HJGKDYMC": ["示意产业园区", "示意一般单元"],
                      "管控单元分类": ["重点管控", "一般管控"], "要素属性": ["大气", "水"]},
                     geometry=[KEY_UNIT, GENERAL_UNIT], crs=GK).to_file(gpkg, layer="control_unit")
    gpd.GeoDataFrame({"YJJBNTTBBH": ["NT01"], "DLBM": ["0101"], "DLMC": ["水田"]},
                     geometry=[box(470_000, 4_530_000, 472_000, 4_532_000)], crs=GK).to_file(gpkg, layer="farmland")
    gpd.GeoDataFrame({"名称": ["示意森林公园"] * 2, "保护地类型": ["森林公园"] * 2, "功能分区": ["生态保育区", "一般游憩区"]},
                     geometry=[box(480_000, 4_530_000, 482_000, 4_532_000), box(482_000, 4_530_000, 484_000, 4_532_000)],
                     crs=GK).to_file(gpkg, layer="protected_area")
    write_access_list(tmp_path / "access.xlsx")
    yml = tmp_path / "project.yaml"
    yml.write_text("name: 分区管控测试\nbuffers_m: [500]\nlayers:\n"
                   "  units: {kind: control_unit, path: zoning.gpkg, layer: control_unit}\n"
                   "  access: {kind: access_list, path: access.xlsx}\n"
                   "  farmland: {kind: farmland, path: zoning.gpkg, layer: farmland}\n"
                   "  parks: {kind: protected_area, path: zoning.gpkg, layer: protected_area}\n", encoding="utf-8")
    return yml


def site(geom):
    return gpd.GeoDataFrame({"id": ["S1"], "name": ["场址"]}, geometry=[geom], crs=GK)


# --- industry codes --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,code", [("C2614", "C2614"), ("c 26", "C26"), ("Ｃ２６１", "C261"), ("D", "D"),
                                       ("D4411", "D4411")])
def test_industry_codes_of_every_level_are_accepted(text, code):
    assert normalise_code(text) == code


@pytest.mark.parametrize("text", ["2614", "C26145", "C2", "X12", "D2614", "B13", "U"])
def test_invalid_industry_codes_name_the_allowed_form(text):
    with pytest.raises(EcogisError, match="GB/T 4754-2017|section|division"):
        normalise_code(text)


def test_prefix_match_follows_the_hierarchy():
    assert covers("C26", "C2614") and covers("C", "C2614") and covers("C2614", "C2614")
    assert covers("C26", "D4411") is False and covers("C261", "C2621") is False
    assert covers("C2614", "C26") is None  # the site's code is broader: cannot tell
    assert parse_industry("C2614").name == "有机化学原料制造"
    assert parse_industry("C2619:其他基础化学原料制造").name == "其他基础化学原料制造"


# --- layer kinds ------------------------------------------------------------------------------------

def test_control_unit_fields_from_published_attribute_names():
    gdf = gpd.GeoDataFrame({"HJGKDYBM": ["ZH21110210001"], "HJGKDYMC": ["辽河口优先保护单元"], "管控单元类别": ["优先保护类"],
                            "要素属性": ["生态"], "XZQDM": ["211102"]}, geometry=[KEY_UNIT], crs=GK)
    out = normalise_layer(gdf, "control_unit")
    assert out.loc[0, ["code", "name", "unit_class", "element", "adcode"]].tolist() == [
        "ZH21110210001", "辽河口优先保护单元", "优先保护单元", "生态", "211102"]
    with pytest.raises(EcogisError, match="control-unit class"):
        normalise_layer(gdf.assign(管控单元类别=["重点保护"]), "control_unit")


def test_protected_area_old_zone_names_are_mapped():
    gdf = gpd.GeoDataFrame({"名称": ["p"] * 5, "功能分区": ["核心区", "缓冲区", "实验区", "合理利用区", "湿地保育区"]},
                           geometry=[KEY_UNIT] * 5, crs=GK)
    assert normalise_layer(gdf, "protected_area")["zone"].tolist() == [
        "核心保护区", "核心保护区", "一般控制区", "一般控制区", "核心保护区"]


# --- screening against control units ------------------------------------------------------------------

def test_c2614_in_a_key_unit_prohibiting_c26_is_prohibited_with_code_and_text(project):
    result = check(site(SITE), project, industry="C2614")
    z = result.zoning
    assert result.verdict == "禁止" and z.verdict == "禁止"
    (unit,) = [u for u in z.units if u.relation == "intersects"]
    assert unit.unit_code == "ZH21110220001" and unit.unit_class == "重点管控单元"
    assert unit.overlap_area_m2 == pytest.approx(geodesic_area_gk(SITE), abs=0.5)
    assert unit.share_of_site == pytest.approx(1.0, abs=1e-9)
    (banned,) = [r for r in z.requirements if r.verdict == "禁止"]
    assert banned.units == ["ZH21110220001"] and banned.text == UNIT_TEXT and banned.matched == "C26"
    assert banned.level == "unit" and banned.dimension == "spatial_layout"
    assert result.to_dict()["zoning"]["requirements"]


def test_d4411_gets_the_overall_and_class_requirements_only(project):
    z = check(site(SITE), project, industry="D4411").zoning
    applying = [r for r in z.requirements if r.verdict != "符合"]
    assert {r.level for r in applying} == {"overall", "class"}
    assert {r.text for r in applying} == {OVERALL, CLASS_TEXT}
    assert all(r.verdict == "需论证" and r.reason == "text_only" for r in applying)
    (unit_row,) = [r for r in z.requirements if r.level == "unit"]
    assert unit_row.verdict == "符合" and unit_row.reason == "industry_not_listed"


def test_text_only_requirements_need_assessment_never_clear(project):
    s = box(455_000, 4_534_000, 456_000, 4_535_000)  # in the 一般管控单元, whose rows have text only
    z = check(site(s), project, industry="C2614").zoning
    unit_rows = [r for r in z.requirements if r.level == "unit"]
    assert {r.text for r in unit_rows} == {GENERAL_TEXT, "化肥减量"}
    assert all(r.verdict == "需论证" and r.reason == "text_only" for r in unit_rows)
    assert z.verdict == "需论证"


def test_without_an_industry_coded_requirements_need_assessment(project):
    result = check(site(SITE), project)
    z = result.zoning
    assert any("no industry given" in a for a in result.assumptions)
    (coded,) = [r for r in z.requirements if r.prohibited]
    assert coded.verdict == "需论证" and coded.reason == "industry_missing"


def test_units_within_the_buffer_are_listed(project):
    s = box(449_700, 4_534_000, 449_900, 4_534_200)  # 100 m west of the unit edge at 450 000
    z = check(site(s), project, industry="D4411").zoning
    near = [u for u in z.units if u.relation == "within_buffer"]
    assert [u.unit_code for u in near] == ["ZH21110230001"]
    lon1, lat1 = TO_GEO.transform(449_900, 4_534_100)
    lon2, lat2 = TO_GEO.transform(450_000, 4_534_100)
    assert near[0].distance_m == pytest.approx(GEOD.inv(lon1, lat1, lon2, lat2)[2], abs=0.05)


def test_units_without_an_access_list_need_assessment(project, tmp_path):
    text = project.read_text(encoding="utf-8").replace("  access: {kind: access_list, path: access.xlsx}\n", "")
    project.write_text(text, encoding="utf-8")
    with pytest.warns(AssumptionWarning, match="no access list"):
        z = check(site(SITE), project, industry="C2614").zoning
    assert [(r.verdict, r.reason) for r in z.requirements] == [("需论证", "no_access_list")]


def test_a_bad_industry_code_in_the_access_list_names_the_row(project, tmp_path):
    with pd.ExcelWriter(tmp_path / "access.xlsx", engine="openpyxl") as xl:
        pd.DataFrame([["环境管控单元编码", "空间布局约束", "禁止类行业代码"], ["ZH21110220001", "x", "化工"]]
                     ).to_excel(xl, sheet_name="单元", header=False, index=False)
    with pytest.raises(EcogisError, match="row 2"):
        check(site(SITE), project, industry="C2614")


# --- farmland and protected areas (the rules file) -------------------------------------------------------

def test_a_site_on_permanent_basic_farmland_gets_the_farmland_rule(project):
    result = check(site(box(470_500, 4_530_500, 471_000, 4_531_000)), project, industry="D4411")
    (f,) = [f for f in result.findings if f.kind == "farmland" and f.relation == "intersects"]
    assert f.verdict == "禁止" and f.rule_id == "farmland-any"
    assert "《中华人民共和国土地管理法》" in f.basis and "第三十五条" in f.basis


def test_forest_park_core_and_general_zones_get_different_verdicts(project):
    core = check(site(box(480_500, 4_530_500, 481_000, 4_531_000)), project, industry="D4411")
    general = check(site(box(482_500, 4_530_500, 483_000, 4_531_000)), project, industry="D4411")
    (c,) = [f for f in core.findings if f.kind == "protected_area" and f.relation == "intersects"]
    (g,) = [f for f in general.findings if f.kind == "protected_area" and f.relation == "intersects"]
    assert (c.zone, c.verdict, c.rule_id) == ("核心保护区", "禁止", "protected-area-core")
    assert (g.zone, g.verdict, g.rule_id) == ("一般控制区", "限制", "protected-area-general")
    assert "第474号" in c.basis and "国家林业局令第27号" in g.basis


def test_the_combined_summary_covers_every_control(project):
    result = check(site(SITE), project, industry="C2614")
    rows = {s.control: s for s in result.zoning.summary}
    assert list(rows) == ["redline", "protected_area", "farmland", "wetland", "water_source", "control_unit",
                          "town_boundary"]
    assert rows["redline"].verdict == "无法判定" and not rows["redline"].provided
    assert rows["control_unit"].verdict == "禁止" and rows["control_unit"].relation == "intersects"
    assert rows["control_unit"].overlap_area_m2 == pytest.approx(geodesic_area_gk(SITE), abs=0.5)
    assert rows["farmland"].relation == "clear" and rows["farmland"].verdict == "符合"


def test_the_part_of_a_site_outside_every_unit_is_stated(project):
    s = box(459_000, 4_534_000, 461_000, 4_535_000)  # half east of the last unit (edge at 460 000)
    result = check(site(s), project, industry="D4411")
    east = box(460_000, 4_534_000, 461_000, 4_535_000)
    assert result.zoning.uncovered["S1"] == pytest.approx(geodesic_area_gk(east) / geodesic_area_gk(s), abs=1e-6)
    assert any("lies in no environmental control unit" in a for a in result.assumptions)


def test_a_site_attribute_carries_each_sites_industry(project):
    other = box(444_000, 4_536_000, 445_000, 4_537_000)  # also in the 重点管控单元
    sites = gpd.GeoDataFrame({"id": ["S1", "S2"], "行业代码": ["C2614", "D4411"]}, geometry=[SITE, other], crs=GK)
    z = check(sites, project).zoning
    assert z.site_verdicts == {"S1": "禁止", "S2": "需论证"}
    assert z.site_industries == {"S1": "C2614", "S2": "D4411"}
    (banned,) = [r for r in z.requirements if r.verdict == "禁止"]
    assert (banned.site, banned.industry, banned.matched) == ("S1", "C2614", "C26")
    with pytest.raises(EcogisError, match="site S2"):
        check(sites.assign(行业代码=["C2614", "化工"]), project)
