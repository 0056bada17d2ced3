"""read_layer: every vector format, encodings, CRS handling and clear errors. Fixtures are made here."""
from __future__ import annotations

import warnings
import zipfile

import geopandas as gpd
import numpy as np
import prcoords
import pyogrio
import pyproj
import pytest
import shapely
from conftest import UTF8_TABLE, skip_or_fail_in_ci

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io import read_layer

NAMES = ["辽河口核心区", "双台河口缓冲区", "盘锦湿地"]
# three small squares near Panjin (CGCS2000 lon/lat)
SQUARES = [shapely.box(121.80 + i * 0.05, 40.90, 121.83 + i * 0.05, 40.93) for i in range(3)]


def _frame(crs=4490):
    return gpd.GeoDataFrame({"名称": NAMES, "编号": [1, 2, 3]}, geometry=SQUARES, crs=4490).to_crs(crs)


def _write_shp(tmp_path, name, encoding="UTF-8", cpg=True, prj=True, crs=4490, frame=None):
    path = tmp_path / f"{name}.shp"
    (frame if frame is not None else _frame(crs)).to_file(path, engine="pyogrio", encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink()
    if not prj:
        path.with_suffix(".prj").unlink()
    return path


def _assumptions(record):
    return [str(w.message) for w in record if issubclass(w.category, AssumptionWarning)]


# --------------------------------------------------------------------------- encodings

def test_gbk_shapefile_without_cpg_reads_correct_chinese(tmp_path):
    path = _write_shp(tmp_path, "redline", encoding="GBK", cpg=False)
    raw = path.with_suffix(".dbf").read_bytes()
    assert "辽河口核心区".encode("gbk") in raw  # the fixture really is GBK
    with pytest.warns(AssumptionWarning, match="GB18030"):
        gdf = read_layer(path)
    assert list(gdf["名称"]) == NAMES
    meta = gdf.attrs["ecogis"]
    assert meta["encoding"] == "GB18030" and meta["encoding_source"] == "detected"
    assert any("GB18030" in n for n in meta["notes"])


def test_utf8_shapefile_without_cpg_is_detected_as_utf8(tmp_path):
    path = _write_shp(tmp_path, "u", encoding="UTF-8", cpg=False)
    with pytest.warns(AssumptionWarning, match="UTF-8"):
        gdf = read_layer(path)
    assert list(gdf["名称"]) == NAMES
    assert gdf.attrs["ecogis"]["encoding"] == "UTF-8"


def test_cpg_wins_and_no_warning(tmp_path):
    path = _write_shp(tmp_path, "g", encoding="GBK", cpg=True)
    assert path.with_suffix(".cpg").read_text().strip().upper() in ("GBK", "CP936", "936")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        gdf = read_layer(path)
    assert list(gdf["名称"]) == NAMES
    assert gdf.attrs["ecogis"]["encoding_source"] == "cpg"
    assert not _assumptions(record)


def test_wrong_cpg_is_not_trusted_into_mojibake(tmp_path):
    path = _write_shp(tmp_path, "w", encoding="GBK", cpg=False)
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.warns(AssumptionWarning, match="not valid UTF-8"):
        gdf = read_layer(path)
    assert list(gdf["名称"]) == NAMES


def test_encoding_argument_overrides(tmp_path):
    path = _write_shp(tmp_path, "o", encoding="GBK", cpg=False)
    gdf = read_layer(path, encoding="GBK")
    assert list(gdf["名称"]) == NAMES
    assert gdf.attrs["ecogis"]["encoding_source"] == "user"


def test_undecodable_text_is_an_error_not_mojibake(tmp_path):
    path = _write_shp(tmp_path, "bad", cpg=False,
                      frame=gpd.GeoDataFrame({"name": ["QQQQ"]}, geometry=SQUARES[:1], crs=4490))
    dbf = path.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes().replace(b"QQQQ", b"\xff\x80\xffx"))  # neither UTF-8 nor GB18030
    with pytest.raises(EcogisError, match="neither valid UTF-8 nor GB18030.*encoding"):
        read_layer(path)


@pytest.mark.parametrize("encoding", ["GBK", "UTF-8"])
def test_value_cut_mid_character_by_field_width(tmp_path, encoding):
    frame = gpd.GeoDataFrame({"名称": ["辽河口核心区QQQ", "湿地"]}, geometry=SQUARES[:2], crs=4490)
    path = _write_shp(tmp_path, "cut", encoding=encoding, cpg=False, frame=frame)
    dbf = path.with_suffix(".dbf")
    data = dbf.read_bytes()
    width = data[32 + 16]  # length of the first field, from its descriptor
    start = data.index("辽".encode(encoding))
    # fill the value to exactly the field width, ending in half a character (as truncation leaves it)
    head = "辽河口核心区".encode(encoding)
    partial = "核".encode(encoding)[:-1]
    value = head + b"Q" * (width - len(head) - len(partial)) + partial
    dbf.write_bytes(data[:start] + value + data[start + width:])
    no_cpg = f"no .cpg file; attribute text decoded as {'GB18030' if encoding == 'GBK' else 'UTF-8'} \\(detected"
    with pytest.warns(AssumptionWarning, match="cut in half"), pytest.warns(AssumptionWarning, match=no_cpg):
        gdf = read_layer(path)
    assert gdf["名称"].iloc[1] == "湿地"
    assert gdf["名称"].iloc[0].rstrip("Q") == "辽河口核心区"
    assert gdf.attrs["ecogis"]["encoding"] == ("GB18030" if encoding == "GBK" else "UTF-8")
    archive = tmp_path / "cut.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("cut.*"):
            if part != archive:
                zf.write(part, arcname=part.name)
    with pytest.warns(AssumptionWarning, match="cut in half"), pytest.warns(AssumptionWarning, match=no_cpg):
        assert read_layer(archive)["名称"].iloc[0].rstrip("Q") == "辽河口核心区"


# --------------------------------------------------------------------------- formats

def test_zipped_gbk_shapefile(tmp_path):
    shp = _write_shp(tmp_path, "zone", encoding="GBK", cpg=False)
    archive = tmp_path / "zone.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("zone.*"):
            if part != archive:
                zf.write(part, arcname=f"data/{part.name}")
    with pytest.warns(AssumptionWarning):
        gdf = read_layer(archive)
    assert list(gdf["名称"]) == NAMES
    assert gdf.crs.to_epsg() == 4490 and gdf.attrs["ecogis"]["crs_source"] == "file"
    assert shp.exists()


def test_geopackage_layers(tmp_path):
    path = tmp_path / "panjin.gpkg"
    _frame().to_file(path, layer="city")
    _frame(4529).iloc[:2].to_file(path, layer="districts")
    with pytest.raises(EcogisError, match="2 layers: city, districts"):
        read_layer(path)
    gdf = read_layer(path, layer="districts")
    assert len(gdf) == 2 and gdf.crs.to_epsg() == 4529
    assert gdf.attrs["ecogis"]["layer"] == "districts"
    with pytest.raises(EcogisError, match="no layer 'towns'.*city, districts"):
        read_layer(path, layer="towns")
    single = tmp_path / "one.gpkg"
    _frame().to_file(single, layer="only")
    assert read_layer(single).attrs["ecogis"]["layer"] == "only"


def test_geojson(tmp_path):
    path = tmp_path / "r.geojson"
    _frame().to_file(path, driver="GeoJSON")
    gdf = read_layer(path)
    assert list(gdf["名称"]) == NAMES
    np.testing.assert_allclose(gdf.total_bounds, [121.80, 40.90, 121.93, 40.93])


@pytest.mark.parametrize("suffix,driver", [(".kml", "KML"), (".kmz", "LIBKML")])
def test_kml_and_kmz(tmp_path, suffix, driver):
    if driver not in pyogrio.list_drivers(write=True):
        skip_or_fail_in_ci(f"GDAL has no {driver} writer here", "install pyogrio's wheel, whose GDAL has it")
    path = tmp_path / f"sites{suffix}"
    _frame().to_crs(4326).to_file(path, driver=driver, engine="pyogrio")
    gdf = read_layer(path)
    assert sorted(gdf["名称"]) == sorted(NAMES)
    assert gdf.crs.to_epsg() == 4326
    assert "tessellate" not in gdf.columns  # empty LIBKML bookkeeping columns dropped
    np.testing.assert_allclose(gdf.total_bounds, [121.80, 40.90, 121.93, 40.93], atol=1e-9)


def test_filegdb(tmp_path):
    if "OpenFileGDB" not in pyogrio.list_drivers(write=True):
        skip_or_fail_in_ci("GDAL cannot write FileGDB here", "install pyogrio's wheel, whose GDAL has it")
    path = tmp_path / "survey.gdb"
    _frame(4529).to_file(path, driver="OpenFileGDB", layer="红线", engine="pyogrio",
                         TARGET_ARCGIS_VERSION="ARCGIS_PRO_3_2_OR_LATER")  # 64-bit integers stay integers
    gdf = read_layer(path)
    assert list(gdf["名称"]) == NAMES and gdf.crs.to_epsg() == 4529
    assert gdf.attrs["ecogis"]["layer"] == "红线"
    archive = tmp_path / "survey.gdb.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in path.iterdir():
            zf.write(part, arcname=f"survey.gdb/{part.name}")
    zipped = read_layer(archive)
    assert list(zipped["名称"]) == NAMES and zipped.crs.to_epsg() == 4529


# --------------------------------------------------------------------------- CRS

def test_bare_shapefile_in_prefixed_gauss_kruger_is_inferred(tmp_path):
    path = _write_shp(tmp_path, "gk", crs=4529, prj=False)
    with pytest.warns(AssumptionWarning, match="zone 41"):
        gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4529
    meta = gdf.attrs["ecogis"]
    assert meta["crs"] == "EPSG:4529" and meta["crs_source"] == "inferred"
    # the coordinates are what was written (no swap)
    np.testing.assert_allclose(gdf.total_bounds, _frame(4529).total_bounds)


def test_bare_shapefile_surveying_order_is_swapped(tmp_path):
    frame = _frame(4529)
    frame["geometry"] = shapely.transform(frame.geometry.values, lambda c: c[:, ::-1])  # X=northing first
    path = _write_shp(tmp_path, "swapped", frame=frame, prj=False)
    with pytest.warns(AssumptionWarning, match="swap"):
        gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4529 and gdf.attrs["ecogis"]["swap_xy"] is True
    np.testing.assert_allclose(gdf.to_crs(4490).total_bounds, [121.80, 40.90, 121.93, 40.93], atol=1e-8)


def test_unprefixed_gauss_kruger_needs_central_meridian(tmp_path):
    frame = _frame(4550)  # CGCS2000 3-degree GK CM 123E without zone prefix
    path = _write_shp(tmp_path, "noprefix", frame=frame, prj=False)
    with pytest.raises(EcogisError, match="central meridian"):
        read_layer(path)
    with pytest.warns(AssumptionWarning):
        gdf = read_layer(path, cm=123)
    assert gdf.crs.to_epsg() == 4550


def test_user_crs_wins_and_is_reported(tmp_path):
    path = _write_shp(tmp_path, "u", crs=4529, prj=False)
    gdf = read_layer(path, crs="EPSG:4529")
    assert gdf.attrs["ecogis"]["crs_source"] == "user" and gdf.crs.to_epsg() == 4529


def test_gcj02_source_is_converted_to_cgcs2000_like_prcoords(tmp_path):
    wgs = [(121.8, 40.9), (122.07, 41.12), (121.6, 40.75)]
    gcj = [prcoords.wgs_gcj((lat, lon)) for lon, lat in wgs]
    path = tmp_path / "amap.csv"
    path.write_text("name,lng,lat\n" + "".join(f"p{i},{c.lon!r},{c.lat!r}\n" for i, c in enumerate(gcj)),
                    encoding="utf-8")
    with pytest.warns(AssumptionWarning, match="GCJ-02"):
        gdf = read_layer(path, crs="GCJ-02")
    assert gdf.crs.to_epsg() == 4490 and gdf.attrs["ecogis"]["crs"] == "GCJ-02"
    geod = pyproj.Geod(ellps="GRS80")
    # prcoords' precise inverse as the independent reference
    ref = [prcoords.gcj_wgs_bored(c) for c in gcj]
    _, _, dist = geod.inv(gdf.geometry.x, gdf.geometry.y, [r.lon for r in ref], [r.lat for r in ref])
    assert np.max(dist) < 0.5


def test_bd09_source_is_converted_like_prcoords(tmp_path):
    wgs = [(121.8, 40.9), (122.07, 41.12)]
    bd = [prcoords.wgs_bd((lat, lon)) for lon, lat in wgs]
    path = tmp_path / "baidu.geojson"
    gpd.GeoDataFrame({"n": [1, 2]}, geometry=shapely.points([(c.lon, c.lat) for c in bd]), crs=4326).to_file(path)
    with pytest.warns(AssumptionWarning, match="BD-09"):
        gdf = read_layer(path, crs="BD-09")
    ref = [prcoords.bd_wgs_bored(c) for c in bd]
    _, _, dist = pyproj.Geod(ellps="GRS80").inv(gdf.geometry.x, gdf.geometry.y, [r.lon for r in ref],
                                                [r.lat for r in ref])
    assert gdf.crs.to_epsg() == 4490 and np.max(dist) < 0.5


def test_missing_dbf_is_reported(tmp_path):
    path = _write_shp(tmp_path, "nodbf")
    path.with_suffix(".dbf").unlink()
    with pytest.warns(AssumptionWarning, match="no nodbf.dbf"):
        gdf = read_layer(path)
    assert len(gdf) == 3 and any(".dbf" in n for n in gdf.attrs["ecogis"]["notes"])


def test_unknown_user_crs_is_an_error_naming_the_file(tmp_path):
    path = _write_shp(tmp_path, "u", crs=4529, prj=False)
    with pytest.raises(EcogisError) as err:
        read_layer(path, crs="EPSG:999999")
    assert err.value.path == str(path)


def test_web_crs_on_projected_file_is_an_error(tmp_path):
    path = _write_shp(tmp_path, "proj", crs=4529)
    with pytest.raises(EcogisError, match="GCJ-02"):
        read_layer(path, crs="GCJ-02")


# --------------------------------------------------------------------------- clear errors

def test_missing_shx(tmp_path):
    path = _write_shp(tmp_path, "broken")
    path.with_suffix(".shx").unlink()
    with pytest.raises(EcogisError, match=r"broken\.shx is missing"):
        read_layer(path)


@pytest.mark.parametrize("name", ["empty.shp", "empty.geojson", "empty.gpkg", "empty.csv", "empty.txt"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    if name.endswith(".shp"):
        (tmp_path / "empty.shx").write_bytes(b"")
    with pytest.raises(EcogisError, match="empty"):
        read_layer(path)


def test_geojson_without_features(tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(EcogisError, match="no features"):
        read_layer(path)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(EcogisError, match="file not found"):
        read_layer(tmp_path / "nope.shp")
    odd = tmp_path / "data.xyz"
    odd.write_text("hello")
    with pytest.raises(EcogisError, match="unsupported file type .xyz"):
        read_layer(odd)


def test_text_that_is_not_the_exchange_format(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("项目说明\n这不是坐标文件\n", encoding="utf-8")
    with pytest.raises(EcogisError, match=r"not a land-survey coordinate exchange file.*\[属性描述\]"):
        read_layer(path)


def test_unknown_zone_value_names_feature_field_and_allowed_values(tmp_path):
    frame = gpd.GeoDataFrame({"名称": ["辽河口", "辽河口", "辽河口"], "级别": ["国家级"] * 3,
                              "功能区": ["核心区", "core", "游览区"]}, geometry=SQUARES, crs=4490)
    path = tmp_path / "reserve.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(EcogisError) as err:
        read_layer(path, kind="reserve")
    text = str(err.value)
    assert "游览区" in text and "功能区" in text and "核心区" in text and "缓冲区" in text
    assert str(path) in text


def test_kind_normalises_fields_and_keeps_provenance(tmp_path):
    frame = gpd.GeoDataFrame({"名称": ["辽河口"] * 2, "级别": ["国家级"] * 2, "功能区": ["core", "缓冲区"]},
                             geometry=SQUARES[:2], crs=4490)
    path = tmp_path / "reserve.gpkg"
    frame.to_file(path)
    gdf = read_layer(path, kind="reserve")
    assert list(gdf["zone"]) == ["核心区", "缓冲区"]
    meta = gdf.attrs["ecogis"]
    assert meta["kind"] == "reserve" and meta["crs_source"] == "file" and meta["path"] == str(path)


# --------------------------------------------------------------------------- exchange text

EXCHANGE = """[属性描述]
格式版本号=1.01
数据产生单位=测试
数据产生日期=2024-05-01
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=41
精度=0.01
转换参数=,,,,,,
[地块坐标]
5,,1,试验地块,面,,,,@
J1,1,4530000.000,41400000.000
J2,1,4530000.000,41400100.000
J3,1,4530100.000,41400100.000
J4,1,4530100.000,41400000.000
J1,1,4530000.000,41400000.000
"""


def test_exchange_text_is_sniffed_and_read(tmp_path):
    path = tmp_path / "sites.txt"
    path.write_text(EXCHANGE, encoding="gb18030")
    with pytest.warns(AssumptionWarning, match=r"not valid UTF-8, decoded as GB18030 \(GBK\)"):
        gdf = read_layer(path)
    assert len(gdf) == 1 and gdf.crs.to_epsg() == 4529
    assert gdf.attrs["ecogis"]["format"] == "exchange"
    # X = northing, Y = easting in the file: a 100 m square at easting 41 400 000 m
    np.testing.assert_allclose(gdf.total_bounds, [41400000, 4530000, 41400100, 4530100])
    assert gdf.geometry.iloc[0].area == pytest.approx(10000.0)


@pytest.mark.parametrize("rows,feature,value", [
    ("A,121.8,40.9\nB,0,0\nC,122.0,41.0\n", "feature 1 (row 2, line 3", "(0, 0)"),  # placeholder row
    ("A,121.8,40.9\nB,122.1,41.0\nC,12.18,40.9\n", "feature 2 (row 3, line 4", "(12.18, 40.9)"),  # lost digit
])
def test_one_odd_row_that_spoils_crs_inference_is_named(tmp_path, rows, feature, value):
    path = tmp_path / "pts.csv"
    path.write_text("名称,经度,纬度\n" + rows, encoding="utf-8")
    with pytest.raises(EcogisError) as info, pytest.warns(AssumptionWarning, match=UTF8_TABLE):
        read_layer(path)
    assert str(path) in str(info.value) and feature in str(info.value) and value in str(info.value)


def test_half_prefixed_eastings_name_the_row_without_prefix(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("名称,X,Y\nA,4535963.9,41412345.6\nB,4536963.9,413345.6\nC,4536963.9,41413345.6\n",
                    encoding="utf-8")
    with pytest.raises(EcogisError, match=r"feature 1 \(row 2, line 3.*413345\.6"), \
            pytest.warns(AssumptionWarning, match=UTF8_TABLE):
        read_layer(path)


def test_lone_dbf_points_at_the_shapefile(tmp_path):
    gdf = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[shapely.box(121.8, 40.9, 121.9, 41.0)], crs=4490)
    gdf.to_file(tmp_path / "a.shp")
    with pytest.raises(EcogisError, match=r"attribute table.*Read the shapefile itself: .*a\.shp"):
        read_layer(tmp_path / "a.dbf")


def test_a_point_in_another_zone_is_named(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("名称,X,Y\nA,4535963.9,41412345.6\nB,4536963.9,40613345.6\nC,4536963.9,41413345.6\n",
                    encoding="utf-8")
    with pytest.raises(EcogisError, match=r"several zone prefixes \(40, 41\).*feature 1 \(row 2, line 3.*40613345\.6"), \
            pytest.warns(AssumptionWarning, match=UTF8_TABLE):
        read_layer(path)


@pytest.mark.parametrize("file_crs,given,suggested", [
    (4529, "EPSG:4490", "EPSG:4529"),   # metres under a longitude/latitude CRS
    (4490, "EPSG:4529", "EPSG:4490"),   # degrees under a Gauss-Kruger CRS
    (4550, "EPSG:4529", "EPSG:4550"),   # 6-digit eastings under the prefixed code of the same zone
])
def test_a_crs_the_coordinates_cannot_be_in_is_refused(tmp_path, file_crs, given, suggested):
    gdf = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[shapely.box(121.8, 40.9, 121.9, 41.0)], crs=4490)
    gdf.to_crs(file_crs).to_file(tmp_path / "a.gpkg")
    with pytest.raises(EcogisError, match=f"do not fit the CRS given.*pass crs={suggested}"), \
            pytest.warns(AssumptionWarning, match=f"the file says EPSG:{file_crs} but the CRS given, {given}, is used"):
        read_layer(tmp_path / "a.gpkg", crs=given)


def test_a_wrong_prj_is_refused_and_the_right_crs_suggested(tmp_path):
    gdf = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[shapely.box(121.8, 40.9, 121.9, 41.0)], crs=4490)
    path = tmp_path / "a.shp"
    gdf.to_crs(4529).to_file(path)
    path.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(4490).to_wkt(version="WKT1_ESRI"))
    with pytest.raises(EcogisError, match=r"do not fit the file's CRS.*--crs EPSG:4529"):
        read_layer(path)
    with pytest.warns(AssumptionWarning, match="the file says EPSG:4490 but the CRS given, EPSG:4529, is used"):
        assert read_layer(path, crs="EPSG:4529").crs.to_epsg() == 4529


CUSTOM_GK_PRJ = ('PROJCS["Gauss_Kruger_123E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
                 'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
                 'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",{fe}],'
                 'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",1.0],'
                 'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')


@pytest.mark.parametrize("false_easting,epsg", [(41500000.0, 4529), (500000.0, 4550), (41500001.0, None)])
def test_custom_named_gauss_kruger_prj_is_identified_only_when_equal(tmp_path, false_easting, epsg):
    # DESIGN.md: CM 123 E is 3-degree zone 41: EPSG:4529 with the zone prefix, EPSG:4550 without
    gdf = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[shapely.box(121.8, 40.9, 121.9, 41.0)], crs=4490)
    path = tmp_path / "a.shp"
    gdf.to_crs(4529 if false_easting > 1e6 else 4550).to_file(path)
    path.with_suffix(".prj").write_text(CUSTOM_GK_PRJ.format(fe=false_easting))
    with pytest.warns(AssumptionWarning, match="Gauss_Kruger_123E"):
        back = read_layer(path)
    assert back.crs.to_epsg() == epsg
    assert back.attrs["ecogis"]["crs"] == (f"EPSG:{epsg}" if epsg else "Gauss_Kruger_123E")


@pytest.mark.parametrize("damage,message", [
    (lambda data: data[:300], "cut off: its header declares"),            # incomplete copy
    (lambda data: b"\x00" * len(data), "does not start with the shapefile header"),
])
def test_damaged_shp_is_named_as_such(tmp_path, damage, message):
    path = _write_shp(tmp_path, "a")
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(EcogisError, match=message):
        read_layer(path)


def test_gdal_driver_advice_is_not_passed_on(tmp_path):
    path = tmp_path / "a.gpkg"
    path.write_text("not a geopackage")
    with pytest.raises(EcogisError) as info:
        read_layer(path)
    assert "It might help" not in str(info.value) and "complete" in str(info.value)
