"""The committed sample data in layers/ is what scripts/make_sample_layers.py and layers/README.md say.

Figures are recomputed here with pyproj.Geod and shapely directly from the files (not through the
generator), and the files are also read through ecogis.read_layer with their kinds.
"""
from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from conftest import LAYERS, sample_assumed

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (f differs by ~1e-10)


def km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def dissolve(gdf) -> shapely.Geometry:
    return shapely.union_all(gdf.to_crs(4490).geometry.values)


@pytest.fixture(scope="module")
def city():
    return gpd.read_file(LAYERS / "boundary/panjin.gpkg", layer="city").geometry.iloc[0]


@pytest.fixture(scope="module")
def red():
    return gpd.read_file(LAYERS / "redline/redline.shp", encoding="gbk")


@pytest.fixture(scope="module")
def reserve():
    zones = gpd.read_file(LAYERS / "reserve/liaohekou.geojson")
    return {row["功能分区"]: row.geometry for _, row in zones.iterrows()}


def test_folder_is_small():
    total = sum(p.stat().st_size for p in LAYERS.rglob("*") if p.is_file() and "raster" not in p.parts)
    assert total < 5 * 1024 * 1024


def test_official_boundaries(city):
    assert pyogrio.list_layers(LAYERS / "boundary/panjin.gpkg")[:, 0].tolist() == ["city", "districts"]
    districts = gpd.read_file(LAYERS / "boundary/panjin.gpkg", layer="districts")
    assert set(districts["name"]) == {"双台子区", "兴隆台区", "大洼区", "盘山县"}
    assert districts.crs.to_epsg() == 4490
    assert sum(km2(g) for g in districts.geometry) == pytest.approx(km2(city), rel=1e-3)


def test_redline_shapefile_is_gbk_without_cpg(red):
    shp = LAYERS / "redline/redline.shp"
    assert not shp.with_suffix(".cpg").exists() and shp.with_suffix(".prj").exists()
    raw = shp.with_suffix(".dbf").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "辽河口生物多样性维护区".encode("gbk") in raw
    assert red.crs.to_epsg() == 4529  # CGCS2000 3-degree GK zone 41 with prefix
    assert (red.geometry.bounds["minx"] > 41_000_000).all()


def test_redline_area_reproduces_the_seed_figure(red, city):
    dissolved = dissolve(red)
    inside = km2(dissolved.intersection(city))
    assert round(inside, 2) == 1091.71  # 000_c70c091da0344080.txt line 75 (illustrative reproduction)
    # Overlaps exist, so summing the parts would count area twice.
    assert sum(km2(g) for g in red.to_crs(4490).geometry) > km2(dissolved) + 100
    # Part of the red line lies outside the city (sea), so clipping matters.
    assert km2(dissolved) > inside + 100


def test_redline_2023_gains_and_loses_with_net_gain(red):
    before = dissolve(red)
    after = dissolve(gpd.read_file(LAYERS / "redline/redline_2023.gpkg"))
    gained, lost = km2(after.difference(before)), km2(before.difference(after))
    assert gained > 1 and lost > 1 and gained > lost
    assert km2(after) == pytest.approx(km2(before) + gained - lost, abs=0.01)


def test_town_boundary_does_not_overlap_red_line(red):
    town = dissolve(gpd.read_file(LAYERS / "planning/town_boundary.gpkg"))
    for layer in (red, gpd.read_file(LAYERS / "redline/redline_2023.gpkg")):
        assert town.intersection(dissolve(layer)).area == 0


def test_reserve_zones_disjoint_and_nested(reserve, city):
    core, buffer, experimental = reserve["核心区"], reserve["缓冲区"], reserve["实验区"]
    for a, b in ((core, buffer), (core, experimental), (buffer, experimental)):
        assert a.intersection(b).area < 1e-12
    # Nested: around the core (on land) there is only buffer zone; around core+buffer only the
    # experimental zone. Checked on a 150 m ring (about 0.0018 degrees of longitude here).
    ring = core.buffer(0.002).difference(core).intersection(city.buffer(-0.001))
    assert ring.difference(buffer).area / ring.area < 1e-6
    inner = shapely.union_all([core, buffer])
    ring = inner.buffer(0.002).difference(inner).intersection(city.buffer(-0.001))
    assert ring.difference(experimental).area / ring.area < 1e-6
    # The Liao River estuary is at the heart of it.
    assert shapely.Point(121.80, 40.945).distance(core) < 0.05


def test_wells_per_zone_match_the_seed(reserve):
    wells = gpd.read_file(LAYERS / "wells/oil_wells.gpkg")
    x, y = wells.geometry.x.to_numpy(), wells.geometry.y.to_numpy()
    closed = (wells["状态"] == "已关停").to_numpy()
    counts = {z: int(shapely.contains_xy(g, x, y).sum()) for z, g in reserve.items()}
    assert counts == {"核心区": 204, "缓冲区": 380, "实验区": 101}  # 003_70c4bb9e90054668.txt line 789
    in_reserve = np.zeros(len(wells), bool)
    for g in reserve.values():
        in_reserve |= shapely.contains_xy(g, x, y)
    assert closed[in_reserve].all()
    assert (~in_reserve).sum() > 0 and not closed[~in_reserve].any()


def test_natural_shoreline_share():
    shore = gpd.read_file(LAYERS / "shoreline/shoreline.gpkg")
    length = np.array([GEOD.geometry_length(g) for g in shore.geometry])
    natural = length[(shore["岸线类型"] == "自然岸线").to_numpy()].sum()
    assert round(100 * natural / length.sum(), 2) == 54.72  # 003 line 460
    assert set(shore["岸线类型"]) == {"自然岸线", "人工岸线"}


def _dms(text: str) -> float:
    d, m, s = re.fullmatch(r"(\d+)°(\d+)′([\d.]+)″", text).groups()
    return int(d) + int(m) / 60 + float(s) / 3600


def test_sections_table(city):
    df = pd.read_excel(LAYERS / "water/sections.xlsx", dtype=str)
    assert {"断面名称", "河流", "控制级别", "目标水质", "实测水质", "经度", "纬度"} <= set(df.columns)
    real = df.set_index("断面名称").loc[["太平河新生桥", "清水河闸"]]
    assert set(real["目标水质"].str.replace("类", "")) <= {"Ⅳ", "IV", "4", "四"}
    lon, lat = df["经度"].map(_dms), df["纬度"].map(_dms)
    assert lon.between(121.5, 122.5).all() and lat.between(40.6, 41.5).all()
    assert (df["控制级别"].isin(["省控", "省考"])).sum() == 5


def test_heating_rule_holds():
    chp = pd.read_csv(LAYERS / "energy/chp_plants.csv")
    heat = pd.read_csv(LAYERS / "energy/heat_sources.csv", encoding="gb18030")
    big = chp[chp["装机容量(MW)"] >= 300].iloc[0]
    dist = GEOD.inv(np.full(len(heat), big["经度"]), np.full(len(heat), big["纬度"]),
                    heat["经度"].to_numpy(), heat["纬度"].to_numpy())[2]
    small_near = (heat["蒸吨(t/h)"] < 35).to_numpy() & (dist < 15_000)
    assert small_near.sum() >= 5 and (heat["状态"][small_near] == "已关停").all()
    assert (heat["状态"][~small_near] == "在用").all()
    assert ((dist > 14_000) & (dist < 16_000)).sum() == 0  # nothing ambiguous at the limit


def _gk41_to_geo(gdf):
    return gdf.to_crs(4490)


def test_sites(reserve):
    from ecogis.io.exchange import read_exchange

    with sample_assumed("sites/sites_zone41.txt"):
        parcels = read_exchange(LAYERS / "sites/sites_zone41.txt")
    assert parcels.crs.to_epsg() == 4529 and len(parcels) == 4
    geo = _gk41_to_geo(parcels).geometry.to_numpy()
    a, b, c, d = geo
    core = reserve["核心区"]
    # A: half in the core (areas on the ellipsoid, both halves measured the same way)
    assert km2(a.intersection(core)) / km2(a) == pytest.approx(0.5, abs=2e-3)
    assert c.geom_type == "Polygon" and len(c.interiors) == 1
    assert d.geom_type == "MultiPolygon" and len(d.geoms) == 2
    assert d.geoms[0].within(reserve["实验区"]) != d.geoms[1].within(reserve["实验区"])
    assert not b.intersects(shapely.union_all(list(reserve.values())))

    pipe = gpd.read_file(LAYERS / "sites/pipeline.geojson").geometry.iloc[0]
    assert pipe.intersects(reserve["缓冲区"]) and not pipe.intersects(core)

    points = pd.read_csv(LAYERS / "sites/points.csv")
    outfalls = pd.read_csv(LAYERS / "water/outfalls.csv")
    p1 = points.iloc[0]
    dist = GEOD.inv(np.full(len(outfalls), p1["经度"]), np.full(len(outfalls), p1["纬度"]),
                    outfalls["经度"].to_numpy(), outfalls["纬度"].to_numpy())[2]
    assert dist.min() == pytest.approx(800.0, abs=0.5)


@pytest.mark.parametrize("rel", [
    "redline/redline.shp", "redline/redline_2023.gpkg", "reserve/liaohekou.geojson",
    "water/sections.xlsx", "water/outfalls.csv", "water/source_zones.geojson", "wells/oil_wells.gpkg",
    "shoreline/shoreline.gpkg", "energy/heat_sources.csv", "energy/chp_plants.csv",
    "planning/town_boundary.gpkg", "sites/pipeline.geojson", "sites/points.csv"])
def test_every_illustrative_feature_is_marked(rel):
    path = LAYERS / rel
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, dtype=str)
    elif path.suffix == ".csv":
        df = pd.read_csv(path, encoding="gb18030" if "heat" in rel else "utf-8")
    else:
        df = gpd.read_file(path, encoding="gbk" if path.suffix == ".shp" else None)
    assert (df["示意"] == "是").all()


def test_exchange_text_marks_itself_illustrative():
    text = (LAYERS / "sites/sites_zone41.txt").read_bytes().decode("gb18030")
    assert "示意" in text and "带号=41" in text


READS = [
    ("boundary/panjin.gpkg", "boundary", "city", 1),
    ("boundary/panjin.gpkg", "boundary", "districts", 4),
    ("redline/redline.shp", "redline", None, 7),
    ("redline/redline_2023.gpkg", "redline", None, 8),
    ("reserve/liaohekou.geojson", "reserve", None, 3),
    ("water/sections.xlsx", "water_section", None, 9),
    ("water/outfalls.csv", "outfall", None, 14),
    ("water/source_zones.geojson", "water_source", None, 3),
    ("wells/oil_wells.gpkg", "well", None, 745),
    ("shoreline/shoreline.gpkg", "shoreline", None, 15),
    ("energy/heat_sources.csv", "facility", None, 14),
    ("energy/chp_plants.csv", "facility", None, 2),
    ("planning/town_boundary.gpkg", "town_boundary", None, 3),
    ("sites/sites_zone41.txt", "site", None, 4),
    ("sites/pipeline.geojson", "site", None, 1),
    ("sites/points.csv", "site", None, 3),
]


@pytest.mark.parametrize("rel, kind, layer, count", READS)
def test_read_layer_with_kind(rel, kind, layer, count):
    from ecogis.io import read_layer

    with sample_assumed(rel):
        gdf = read_layer(LAYERS / rel, kind=kind, layer=layer)
    assert len(gdf) == count
    assert gdf.attrs["ecogis"]["kind"] == kind
    assert gdf.crs is not None
    bounds = gdf.to_crs(4490).total_bounds
    assert 121.3 < bounds[0] and bounds[2] < 122.7 and 40.5 < bounds[1] and bounds[3] < 41.6


def test_read_layer_values_are_normalised():
    from ecogis.io import read_layer

    with sample_assumed("redline/redline.shp", "water/sections.xlsx", "water/outfalls.csv",
                        "energy/heat_sources.csv"):
        red = read_layer(LAYERS / "redline/redline.shp", kind="redline")
        sections = read_layer(LAYERS / "water/sections.xlsx", kind="water_section")
        outfalls = read_layer(LAYERS / "water/outfalls.csv", kind="outfall")
        zones = read_layer(LAYERS / "reserve/liaohekou.geojson", kind="reserve")
        heat = read_layer(LAYERS / "energy/heat_sources.csv", kind="facility")
    assert red.attrs["ecogis"]["encoding"].upper() in ("GB18030", "GBK")
    assert "辽河口生物多样性维护区" in set(red["name"])
    assert set(sections["target_class"]) <= {"Ⅳ", "Ⅴ"} and set(sections["control_level"]) == {"国控", "省控", "市控"}
    provincial = sections[sections["control_level"] == "省控"]
    ranks = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "劣Ⅴ": 6}
    assert len(provincial) == 5
    assert all(ranks[m] <= ranks[t] for m, t in zip(provincial["measured_class"], provincial["target_class"]))
    assert set(outfalls["type"]) == {"入河", "入海"}
    assert sorted(zones["zone"]) == ["实验区", "核心区", "缓冲区"]
    assert heat["capacity_tph"].dtype == float and heat["capacity_tph"].max() == 75.0
    # The DMS coordinates were read as degrees: 太平河新生桥 lies in the city.
    p = sections.to_crs(4490).set_index("name").geometry["太平河新生桥"]
    assert 121.9 < p.x < 122.1 and 40.8 < p.y < 41.0
