#!/usr/bin/env python
"""Generate the illustrative 生态环境分区管控 sample data of Panjin (盘锦市) in layers/zoning/.

Run from the repository root after scripts/make_sample_layers.py (it reads the boundary, red line,
reserve and town boundary that script wrote):
    .venv/bin/python scripts/make_sample_zoning.py [--out layers] [--overwrite]

Everything written here is ILLUSTRATIVE (示意=是 in every row): the real units and access lists of
Panjin are published by the city's ecology and environment bureau; none of them is copied here.

- zoning/control_units.gpkg: 环境管控单元 that tile the city (official district boundaries): per
  district one 优先保护单元 over the red line, the reserve and the parks below, 重点管控单元 over the
  town development boundaries (城镇生活类) and two invented industrial parks (产业集聚类), and one
  一般管控单元 for the rest. Codes follow ZH + district adcode + class digit (1/2/3) + serial.
- zoning/access_list.xlsx: the access list laid out like published ones (a title line, then the
  header; overall and class-level requirements on sheet 总体准入要求, per-unit rows with GB/T 4754-2017
  codes on sheet 单元准入清单).
- zoning/farmland.gpkg: 永久基本农田 patches (三调-style fields YJJBNTTBBH, TBBH, DLBM, DLMC, XZQDM,
  YJJBNTTBMJ) and one 永久基本农田储备区 patch, all in 一般管控 land.
- zoning/parks.gpkg: a 森林公园 and a 湿地公园 with their planning zones (生态保育区 / 一般游憩区,
  保育区 / 合理利用区), which ecogis maps to 核心保护区 / 一般控制区.
- sites/zoning_sites.geojson: F1 on farmland, F2 in the forest park's 生态保育区, F3 in its 一般游憩区.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from sample_writing import fix_gdal_dates, install, save_workbook
from shapely import affinity
from shapely.geometry import Point, box

GEO = "EPSG:4490"
GK41 = "EPSG:4550"
GEOD = pyproj.Geod(ellps="GRS80")
ILLUSTRATIVE = "是"
_TO_M = pyproj.Transformer.from_crs(GEO, GK41, always_xy=True)
_TO_LL = pyproj.Transformer.from_crs(GK41, GEO, always_xy=True)

PARKS = {  # name: (lon, lat, a_m, b_m, type)
    "盘锦辽河示意产业园区（石化）": (122.13, 40.745, 3500, 2500),
    "兴隆台示意工业园区": (121.985, 41.10, 2500, 2000),
}
FOREST_PARK = (121.62, 41.12)  # 示意森林公园: west half 生态保育区, east half 一般游憩区, 2 km x 1.6 km
WETLAND_PARK = (122.245, 40.925)  # 示意湿地公园: 保育区 core ellipse, 合理利用区 ring
FARMLAND = [(121.70, 41.15), (121.80, 41.23), (122.05, 41.23), (122.15, 41.35), (122.25, 41.03),
            (122.35, 41.15)]
FARMLAND_RESERVE = (122.20, 41.15)


def to_ll(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_LL.transform(xy[:, 0], xy[:, 1])))


def pt_m(lon, lat) -> Point:
    return Point(*_TO_M.transform(lon, lat))


def ellipse_ll(lon, lat, a_m, b_m):
    c = pt_m(lon, lat)
    return to_ll(shapely.segmentize(affinity.scale(c.buffer(1.0, quad_segs=64), a_m, b_m, origin=c), 200.0))


def rect_ll(lon, lat, w_m, h_m, dx_m=0.0):
    c = pt_m(lon, lat)
    return to_ll(shapely.segmentize(box(c.x + dx_m - w_m / 2, c.y - h_m / 2, c.x + dx_m + w_m / 2, c.y + h_m / 2),
                                    50.0))


def polygonal(geom):
    """The polygon parts of ``geom`` with area (lines and points of a difference dropped)."""
    parts = [g for g in shapely.get_parts(shapely.make_valid(geom)) if g.geom_type in ("Polygon", "MultiPolygon")
             and g.area > 0]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def ha(geom_ll) -> float:
    return abs(GEOD.geometry_area_perimeter(geom_ll)[0]) / 10_000


def build(layers: Path):
    districts = gpd.read_file(layers / "boundary/panjin.gpkg", layer="districts")
    red = shapely.union_all(gpd.read_file(layers / "redline/redline.shp", encoding="gbk").to_crs(GEO).geometry.values)
    reserve = shapely.union_all(gpd.read_file(layers / "reserve/liaohekou.geojson").geometry.values)
    towns = gpd.read_file(layers / "planning/town_boundary.gpkg")
    parks = protected_parks()
    protected = shapely.union_all([red, reserve, *parks.geometry.values])
    city = shapely.union_all(districts.geometry.values)
    assert parks.geometry.within(city).all() and not parks.geometry.intersects(red).any()
    units = control_units(districts, protected, towns)
    general = shapely.union_all(units.loc[units["管控单元分类"] == "一般管控单元"].geometry.values)
    farmland = farmland_patches(districts, general)
    return {"zoning/control_units.gpkg:control_units": units, "zoning/farmland.gpkg:farmland": farmland,
            "zoning/parks.gpkg:parks": parks, "zoning/access_list.xlsx": access_list(units),
            "sites/zoning_sites.geojson": zoning_sites(farmland)}


def protected_parks() -> gpd.GeoDataFrame:
    lon, lat = FOREST_PARK
    wet_core = ellipse_ll(*WETLAND_PARK, 1200, 900)
    wet_all = ellipse_ll(*WETLAND_PARK, 2200, 1600)
    rows = [("示意森林公园", "森林公园", "省级", "生态保育区", rect_ll(lon, lat, 1000, 1600, -500)),
            ("示意森林公园", "森林公园", "省级", "一般游憩区", rect_ll(lon, lat, 1000, 1600, 500)),
            ("示意湿地公园", "湿地公园", "省级", "保育区", wet_core),
            ("示意湿地公园", "湿地公园", "省级", "合理利用区", polygonal(wet_all.difference(wet_core)))]
    return gpd.GeoDataFrame({"保护地名称": [r[0] for r in rows], "保护地类型": [r[1] for r in rows],
                             "级别": [r[2] for r in rows], "功能分区": [r[3] for r in rows], "示意": ILLUSTRATIVE},
                            geometry=[r[4] for r in rows], crs=GEO)


def control_units(districts, protected, towns) -> gpd.GeoDataFrame:
    """Units per district: priority over the protected land, key units over towns and parks, the rest general.
    Each is a difference of the district polygon, so the units of a district tile it."""
    parks = {name: ellipse_ll(*spec) for name, spec in PARKS.items()}
    rows = []
    for d in districts.itertuples():
        left = d.geometry
        pieces = [("1", "生态保护红线及自然保护地优先保护单元", "优先保护单元", "生态保护红线、自然保护地", "生态",
                   protected)]
        pieces += [("2", f"{n.removesuffix('城镇开发边界')}城镇重点管控单元", "重点管控单元", "城镇生活类",
                    "大气、水", g) for n, g in zip(towns["名称"], towns.geometry)]
        pieces += [("2", f"{n.removesuffix('（石化）')}重点管控单元", "重点管控单元", "产业集聚类",
                    "大气、水、土壤", g) for n, g in parks.items()]
        serial = {"1": 0, "2": 0, "3": 0}
        pieces.append(("3", "一般管控单元", "一般管控单元", "一般管控", "水、土壤", None))
        for digit, name, cls, sub, element, geom in pieces:
            part = polygonal(left if geom is None else left.intersection(geom))
            if part.is_empty:
                continue
            left = polygonal(left.difference(part))
            serial[digit] += 1
            rows.append({"HJGKDYBM": f"ZH{d.adcode}{digit}{serial[digit]:04d}", "HJGKDYMC": f"{d.name}{name}（示意）",
                         "管控单元分类": cls, "单元子类": sub, "要素属性": element, "省": "辽宁省", "市": "盘锦市",
                         "县": d.name, "行政区划代码": d.adcode, "示意": ILLUSTRATIVE, "geometry": part})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=GEO)


def farmland_patches(districts, general) -> gpd.GeoDataFrame:
    rows = []
    for k, (lon, lat) in enumerate(FARMLAND + [FARMLAND_RESERVE]):
        g = rect_ll(lon, lat, 600, 400)
        assert g.within(general), f"farmland patch at {lon}, {lat} is not in 一般管控 land"
        adcode = districts.loc[districts.geometry.contains(g), "adcode"].iloc[0]
        reserve = k == len(FARMLAND)
        rows.append({"YJJBNTTBBH": f"{adcode}YJ{k + 1:04d}", "TBBH": f"{k + 101}", "类型":
                     "永久基本农田储备区" if reserve else "永久基本农田", "DLBM": "0101", "DLMC": "水田",
                     "XZQDM": adcode, "YJJBNTTBMJ": round(ha(g), 4), "示意": ILLUSTRATIVE, "geometry": g})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=GEO)


OVERALL = [
    ("全省", "（示意）严格执行国家和辽宁省产业政策，禁止新建、扩建《产业结构调整指导目录》淘汰类项目。",
     "（示意）新建、改建、扩建项目实行主要污染物排放总量控制。", "（示意）建立健全突发环境事件应急预案体系。",
     "（示意）落实能源消耗总量和强度控制要求。"),
    ("全市", "（示意）新建工业项目原则上进入依法合规设立的工业园区。",
     "（示意）辽河、大辽河流域执行流域水污染物排放标准。", "（示意）加强辽东湾海域环境风险防范。",
     "（示意）严格控制地下水开采。"),
    ("优先保护单元", "（示意）以生态环境保护为主，依法禁止或限制大规模、高强度的工业和城镇建设。", None, None, None),
    ("重点管控单元", "（示意）优化空间布局，推动产业转型升级。", "（示意）执行大气污染物特别排放限值。",
     "（示意）涉危险化学品项目编制环境风险评估。", None),
    ("一般管控单元", "（示意）落实生态环境保护基本要求。", "（示意）加强农业面源污染治理。", None, None),
]
UNIT_RULES = {  # subtype: (空间布局约束, 污染物排放管控, 禁止类行业代码, 限制类行业代码, 关键词)
    "生态保护红线、自然保护地": ("（示意）禁止新建采矿和工业项目（B、C）；红线内按生态保护红线管理。", None,
                         "B,C", None, None),
    "城镇生活类": ("（示意）禁止新建石化、化工项目（C25、C26），现有企业逐步搬迁入园；"
              "限制新建燃煤发电（D4411）。", "（示意）城镇生活污水全收集全处理。", "C25,C26", "D4411", None),
    "产业集聚类": ("（示意）新建化工项目（C26）须符合园区规划环评及其审查意见。",
              "（示意）园区污水集中处理，达标排放。", None, "C26", "危险化学品"),
    "一般管控": ("（示意）加强耕地和水环境保护。", None, None, None, None),
}


def access_list(units) -> dict:
    overall = [["盘锦市生态环境准入清单（总体准入要求，示意）"] + [None] * 5,
               ["序号", "适用范围", "空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求"]]
    overall += [[i + 1, *row] for i, row in enumerate(OVERALL)]
    head = ["序号", "环境管控单元编码", "环境管控单元名称", "省", "市", "县（市、区）", "管控单元分类", "空间布局约束",
            "污染物排放管控", "环境风险防控", "资源开发效率要求", "禁止类行业代码", "限制类行业代码", "关键词", "示意"]
    per_unit = [["盘锦市环境管控单元生态环境准入清单（示意）"] + [None] * (len(head) - 1), head]
    for i, u in enumerate(units.itertuples()):
        layout, discharge, banned, limited, words = UNIT_RULES[u.单元子类]
        per_unit.append([i + 1, u.HJGKDYBM, u.HJGKDYMC, u.省, u.市, u.县, u.管控单元分类, layout, discharge, None, None,
                         banned, limited, words, ILLUSTRATIVE])
    return {"总体准入要求": overall, "单元准入清单": per_unit}


def zoning_sites(farmland) -> gpd.GeoDataFrame:
    lon, lat = FOREST_PARK
    patch = farmland.geometry.iloc[0].centroid
    geoms = [rect_ll(patch.x, patch.y, 200, 150), rect_ll(lon, lat, 200, 200, -500), rect_ll(lon, lat, 200, 200, 500)]
    return gpd.GeoDataFrame({"编号": ["F1", "F2", "F3"],
                             "名称": ["F1 拟建仓库（永久基本农田上）", "F2 拟建观景台（森林公园生态保育区）",
                                    "F3 拟建游客中心（森林公园一般游憩区）"], "示意": ILLUSTRATIVE},
                            geometry=geoms, crs=GEO)


def write_xlsx(sheets: dict, path: Path) -> None:
    """A workbook with one sheet per entry of ``sheets`` (title -> rows), with fixed timestamps."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    save_workbook(wb, path, "ecogis scripts/make_sample_zoning.py")


def write_all(data: dict, out_dir: Path) -> None:
    fix_gdal_dates()
    for key, value in data.items():
        rel, _, layer = key.partition(":")
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".gpkg":
            value.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        elif path.suffix == ".geojson":
            value.to_file(path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=7)
        else:
            write_xlsx(value, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "layers"))
    parser.add_argument("--overwrite", action="store_true", help="replace the files this script wrote before")
    args = parser.parse_args(argv)
    out = Path(args.out)
    data = build(out)
    install(lambda folder: write_all(data, folder), out, args.overwrite)


if __name__ == "__main__":
    main()
