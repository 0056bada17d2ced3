"""Web-map coordinates are never silently accepted: GCJ-02/BD-09 named in every lon/lat guess, web-map
sources recognised (奥维互动地图, Amap/DataV, column names), conversions stated with how far the features
moved, and verdicts that depend on the CRS guess shown both ways.

Expectations come from prcoords (an independent GCJ-02/BD-09 implementation) and pyproj.Geod directly.
"""
from __future__ import annotations

import json

import geopandas as gpd
import prcoords
import pyproj
import pytest
from shapely.geometry import Point, box

from ecogis.check import check
from ecogis.errors import AssumptionWarning
from ecogis.io import read_layer

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid
GK = 4550  # CGCS2000 3° GK, CM 123°E, no zone prefix
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
CORE = box(440_000, 4_530_000, 450_000, 4_540_000)
WGS_LON, WGS_LAT = 121.85, 40.95  # a point in Panjin


def gcj_of(lon, lat):
    g = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
    return g.lon, g.lat


def kml(path, lon, lat, name="图层"):
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                    f"<name>{name}</name><Placemark><name>P1</name><Point><coordinates>{lon},{lat},0</coordinates>"
                    "</Point></Placemark></Document></kml>\n", encoding="utf-8")
    return path


def test_a_lonlat_guess_names_gcj02_and_bd09_with_the_options(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text(f"名称,经度,纬度\nA,{WGS_LON},{WGS_LAT}\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning) as rec:
        read_layer(csv)
    text = " ".join(str(w.message) for w in rec)
    for words in ("Xian 1980", "Beijing 1954", "GCJ-02", "BD-09", "--crs GCJ-02", "--site-crs GCJ-02",
                  "crs: GCJ-02"):
        assert words in text, words


def test_an_undeclared_amap_datav_geojson_is_warned_about_as_gcj02(tmp_path):
    path = tmp_path / "panjin.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"adcode": 211100, "name": "盘锦市", "center": [122.07, 41.12],
                                          "level": "city"},
        "geometry": {"type": "Point", "coordinates": [122.07, 41.12]}}]}), encoding="utf-8")
    with pytest.warns(AssumptionWarning, match="probably GCJ-02.*--crs GCJ-02"):
        gdf = read_layer(path)
    assert gdf.geometry.iloc[0].x == pytest.approx(122.07)  # warned, not converted
    assert gdf.attrs["ecogis"]["web"]["converted"] is False


@pytest.mark.parametrize("name, doc", [("site.ovkml", "图层"), ("export.kml", "奥维互动地图")])
def test_an_ovi_kml_is_converted_from_gcj02_with_the_shift_stated(tmp_path, name, doc):
    lon, lat = gcj_of(WGS_LON, WGS_LAT)
    path = kml(tmp_path / name, lon, lat, doc)
    with pytest.warns(AssumptionWarning, match="read as GCJ-02") as rec:
        gdf = read_layer(path)
    p = gdf.geometry.iloc[0]
    assert (p.x, p.y) == (pytest.approx(WGS_LON, abs=1e-7), pytest.approx(WGS_LAT, abs=1e-7))
    _, _, moved = GEOD.inv(lon, lat, WGS_LON, WGS_LAT)
    note = next(str(w.message) for w in rec if "read as GCJ-02" in str(w.message))
    assert f"{moved:.1f} m on average, {moved:.1f} m at most" in note and "--crs WGS84" in note
    assert gdf.attrs["ecogis"]["web"]["max_shift_m"] == pytest.approx(moved, abs=0.1)


def test_crs_wgs84_overrides_the_ovi_conversion(tmp_path):
    path = kml(tmp_path / "site.ovkml", WGS_LON, WGS_LAT)
    gdf = read_layer(path, crs="WGS84")
    assert gdf.geometry.iloc[0].x == pytest.approx(WGS_LON) and "web" not in gdf.attrs["ecogis"]


def test_an_ovkmz_is_read_and_converted(tmp_path):
    import zipfile

    lon, lat = gcj_of(WGS_LON, WGS_LAT)
    kml(tmp_path / "doc.kml", lon, lat)
    with zipfile.ZipFile(tmp_path / "site.ovkmz", "w") as z:
        z.write(tmp_path / "doc.kml", "doc.kml")
    with pytest.warns(AssumptionWarning, match="ovkmz"):
        gdf = read_layer(tmp_path / "site.ovkmz")
    assert gdf.geometry.iloc[0].x == pytest.approx(WGS_LON, abs=1e-7)


def test_coordinate_columns_named_after_baidu_are_converted_from_bd09(tmp_path):
    b = prcoords.wgs_bd(prcoords.Coords(WGS_LAT, WGS_LON))
    csv = tmp_path / "points.csv"
    csv.write_text(f"名称,百度经度,百度纬度\nA,{b.lon},{b.lat}\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning) as rec:
        gdf = read_layer(csv, fields={"百度经度": "lon", "百度纬度": "lat"})
    assert any("read as BD-09 (the coordinate columns (百度经度, 百度纬度) name the system)" in str(w.message)
               for w in rec)
    assert gdf.geometry.iloc[0].x == pytest.approx(WGS_LON, abs=1e-6)
    assert gdf.geometry.iloc[0].y == pytest.approx(WGS_LAT, abs=1e-6)


# --------------------------------------------------------------------------------------------------
# the verdict depends on the guess

@pytest.fixture
def project(tmp_path):
    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["保护区"], "zone": ["核心区"]}, geometry=[CORE], crs=GK).to_file(gpkg, layer="reserve")
    yml = tmp_path / "project.yaml"
    yml.write_text("name: 测试\nlayers:\n  reserve: {kind: reserve, path: controls.gpkg, layer: reserve}\n",
                   encoding="utf-8")
    return yml


def verdict_at(lon, lat):
    """Independent verdict of a point against the core zone: inside 禁止, within 1000 m 需论证 (the rules)."""
    x, y = TO_GEO.transform(lon, lat, direction="INVERSE")
    if CORE.contains(Point(x, y)):
        return "禁止"
    return "需论证" if CORE.distance(Point(x, y)) <= 1000 else "符合"


def test_a_guessed_lonlat_site_near_a_boundary_gets_both_verdicts(project):
    lon, lat = TO_GEO.transform(450_300, 4_535_000)  # 300 m east of the core zone, read as CGCS2000
    with pytest.warns(AssumptionWarning) as rec:
        result = check(f"{lon},{lat}", project)
    expected = {}
    for system, back in (("GCJ-02", prcoords.gcj_wgs_bored), ("BD-09", prcoords.bd_wgs_bored)):
        w = back(prcoords.Coords(lat, lon))
        expected[system] = (verdict_at(w.lon, w.lat), abs(GEOD.inv(lon, lat, w.lon, w.lat)[2]))
    assert result.verdict == verdict_at(lon, lat) == "需论证"
    assert expected["GCJ-02"][0] == "禁止"  # the GCJ-02 reading moves the site ~460 m west, into the core zone
    got = {d["alternative"]: d for d in result.inputs["site"]["crs_sensitivity"]}
    assert set(got) == {s for s, (v, _) in expected.items() if v != "需论证"}
    for system, d in got.items():
        assert (d["verdict"], d["alternative_verdict"]) == ("需论证", expected[system][0])
        assert d["shift_m"] == pytest.approx(expected[system][1], abs=0.5)
    said = [str(w.message) for w in rec if "depends on the CRS guess" in str(w.message)]
    assert said and "需论证 as read, 禁止 read as GCJ-02" in said[0] and "--site-crs" in said[0]
    assert any("depends on the CRS guess" in a for a in result.assumptions)


def test_a_site_far_from_any_boundary_gets_no_both_verdicts_note(project):
    lon, lat = TO_GEO.transform(445_000, 4_535_000)  # 5 km inside the core zone
    with pytest.warns(AssumptionWarning, match="no CRS given"):
        result = check(f"{lon},{lat}", project)
    assert result.verdict == "禁止" and result.inputs["site"]["crs_sensitivity"] == []


def test_an_ovi_site_converted_near_a_boundary_shows_the_unconverted_verdict(project, tmp_path):
    wlon, wlat = TO_GEO.transform(449_800, 4_535_000)  # truly 200 m inside the core zone
    glon, glat = gcj_of(wlon, wlat)
    path = kml(tmp_path / "site.ovkml", glon, glat)
    with pytest.warns(AssumptionWarning, match="read as GCJ-02"):
        result = check(path, project)
    assert result.verdict == verdict_at(wlon, wlat) == "禁止"
    [d] = result.inputs["site"]["crs_sensitivity"]
    assert d["alternative_verdict"] == verdict_at(glon, glat) == "需论证"  # the raw numbers lie outside
    assert d["shift_m"] == pytest.approx(abs(GEOD.inv(wlon, wlat, glon, glat)[2]), abs=0.5)
    assert any("converted to CGCS2000" in a and "m at most" in a for a in result.assumptions)


def test_an_ovi_txt_export_gets_an_error_saying_what_to_export_instead(tmp_path):
    from ecogis.errors import EcogisError

    path = tmp_path / "points.txt"
    path.write_text("奥维互动地图导出\n名称,经度,纬度\nA,121.85,40.95\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="Ovi map app") as exc:
        read_layer(path)
    assert ".ovkml" in exc.value.hint and "GCJ-02" in exc.value.hint
