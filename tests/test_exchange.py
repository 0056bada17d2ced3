"""Tests for the land-survey coordinate exchange text (ecogis.io.exchange): read, write, round trip, errors."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from conftest import assumes

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io.exchange import read_exchange, write_exchange

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid to well below a millimetre

HEADER = """[属性描述]
格式版本号=1.01
数据产生单位=盘锦市测绘院
数据产生日期=2024-05-01
坐标系={datum}
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号={zone}
精度=0.05
转换参数=,,,,,,
"""

# A 300 m x 200 m parcel with a 50 m x 50 m hole, and a second two-part parcel, in zone 41 (prefixed).
PARCELS = """[地块坐标]
10,5.75,1,地块一,面,K51G001001,工业用地,,@
J1,1,4540000.000,41500000.000
J2,1,4540000.000,41500300.000
J3,1,4540200.000,41500300.000
J4,1,4540200.000,41500000.000
J1,1,4540000.000,41500000.000
J5,2,4540050.000,41500050.000
J6,2,4540050.000,41500100.000
J7,2,4540100.000,41500100.000
J8,2,4540100.000,41500050.000
J5,2,4540050.000,41500050.000
9,,2,地块二,面,,,,@
J1,1,4541000.000,41501000.000
J2,1,4541000.000,41501100.000
J3,1,4541100.000,41501100.000
J4,1,4541100.000,41501000.000
J1,1,4541000.000,41501000.000
J5,2,4541500.000,41501500.000
J6,2,4541500.000,41501600.000
J7,2,4541600.000,41501550.000
J5,2,4541500.000,41501500.000
"""


HEADERLESS_ZONE41 = r"no \[属性描述\] header; CRS inferred as EPSG:4529"
WRITTEN_GB18030 = r"not valid UTF-8, decoded as GB18030 \(GBK\)"  # the writer's encoding, detected on reading


def _write(tmp_path, text, name="parcels.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _geod_area(geom, crs):
    """Independent ellipsoidal area (m²): pyproj.Geod on lon/lat vertices (edges short, so densifying is moot)."""
    lonlat = gpd.GeoSeries([geom], crs=crs).to_crs(4490).iloc[0]
    # pyproj sums signed ring areas: orient shells counter-clockwise and holes clockwise first
    return GEOD.geometry_area_perimeter(shapely.orient_polygons(lonlat))[0]


# ------------------------------------------------------------------------------------------ reading

def test_read_header_file(tmp_path):
    path = _write(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AssumptionWarning)  # a complete header needs no guess
        gdf = read_exchange(path)
    meta = gdf.attrs["ecogis"]
    assert gdf.crs.to_epsg() == 4529 and meta["crs"] == "EPSG:4529" and meta["crs_source"] == "file"
    assert meta["encoding"] == "UTF-8" and meta["swap_xy"] is False and meta["declared_area_unit"] == "ha"
    assert list(gdf["parcel_no"]) == ["1", "2"]
    assert list(gdf["name"]) == ["地块一", "地块二"]
    assert list(gdf["record_type"]) == ["面", "面"]
    assert gdf["sheet"].iloc[0] == "K51G001001" and pd.isna(gdf["sheet"].iloc[1])
    assert gdf["use"].iloc[0] == "工业用地"
    assert gdf["declared_area"].iloc[0] == 5.75 and np.isnan(gdf["declared_area"].iloc[1])
    first, second = gdf.geometry
    # ring 2 of parcel 1 lies inside ring 1: a hole; ring 2 of parcel 2 lies outside: a second part
    assert first.geom_type == "Polygon" and len(first.interiors) == 1
    assert first.area == 300 * 200 - 50 * 50  # plane area in the GK plane, by hand
    assert second.geom_type == "MultiPolygon" and len(second.geoms) == 2
    assert second.area == 100 * 100 + 0.5 * 100 * 100
    # x is easting (with prefix), y northing
    assert first.bounds == (41500000.0, 4540000.0, 41500300.0, 4540200.0)


def test_read_gb18030_file(tmp_path):
    path = _write(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS, encoding="gb18030")
    with pytest.warns(AssumptionWarning, match="GB18030"):
        gdf = read_exchange(path)
    assert gdf.attrs["ecogis"]["encoding"] == "GB18030"
    assert gdf.attrs["ecogis"]["encoding_source"] == "detected"
    assert list(gdf["name"]) == ["地块一", "地块二"] and gdf["use"].iloc[0] == "工业用地"


def test_encoding_override(tmp_path):
    path = _write(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS, encoding="gb18030")
    gdf = read_exchange(path, encoding="gbk")
    assert gdf.attrs["ecogis"]["encoding_source"] == "user" and gdf["name"].iloc[0] == "地块一"
    with pytest.raises(EcogisError, match="cannot decode the text as utf-8"):
        read_exchange(path, encoding="utf-8")


def test_headerless_file_inferred_from_zone_prefix(tmp_path):
    path = _write(tmp_path, PARCELS)
    with pytest.warns(AssumptionWarning, match="no \\[属性描述\\] header.*zone prefix 41.*CGCS2000"):
        gdf = read_exchange(path)
    assert gdf.crs.to_epsg() == 4529 and gdf.attrs["ecogis"]["crs_source"] == "inferred"
    assert any("CGCS2000" in n for n in gdf.attrs["ecogis"]["notes"])


@assumes(r"no \[属性描述\] header; CRS inferred as EPSG:4550")
def test_headerless_without_prefix_needs_central_meridian(tmp_path):
    text = PARCELS.replace(",415", ",5")  # drop the zone prefix 41 from every Y
    path = _write(tmp_path, text)
    with pytest.raises(EcogisError, match="central meridian") as info:
        read_exchange(path)
    assert str(path) in str(info.value)
    gdf = read_exchange(path, cm=123)
    assert gdf.crs.to_epsg() == 4550
    assert gdf.geometry.iloc[0].bounds == (500000.0, 4540000.0, 500300.0, 4540200.0)


def test_header_zone_without_prefix(tmp_path):
    text = HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS.replace(",415", ",5")
    gdf = read_exchange(_write(tmp_path, text))
    assert gdf.crs.to_epsg() == 4550 and gdf.attrs["ecogis"]["crs_source"] == "file"


@assumes(r"on the IAG 1975 ellipsoid \(Xian 1980")
def test_xian80_header(tmp_path):
    gdf = read_exchange(_write(tmp_path, HEADER.format(datum="1980西安坐标系", zone=41) + PARCELS))
    assert gdf.crs.to_epsg() == 2365  # Xian 1980 / 3-degree GK zone 41
    assert gdf.crs.geodetic_crs.to_epsg() == 4610


@assumes(HEADERLESS_ZONE41)
def test_swapped_xy_detected(tmp_path):
    normal = read_exchange(_write(tmp_path, PARCELS, "normal.txt"))
    lines = []
    for line in PARCELS.splitlines():
        f = line.split(",")
        lines.append(",".join([f[0], f[1], f[3], f[2]]) if len(f) == 4 else line)
    path = _write(tmp_path, "\n".join(lines), "swapped.txt")
    with pytest.warns(AssumptionWarning, match="swapped"):
        gdf = read_exchange(path)
    assert gdf.attrs["ecogis"]["swap_xy"] is True and gdf.crs.to_epsg() == 4529
    assert all(a.equals(b) for a, b in zip(gdf.geometry, normal.geometry))


@assumes(HEADERLESS_ZONE41)
def test_point_count_without_closing_vertices_accepted(tmp_path):
    text = PARCELS.replace("10,5.75,1", "8,5.75,1").replace("9,,2", "7,,2")
    gdf = read_exchange(_write(tmp_path, text))
    assert len(gdf) == 2


@assumes(HEADERLESS_ZONE41)
def test_line_and_point_records(tmp_path):
    text = """[地块坐标]
3,,L1,管线,线,,,,@
J1,1,4540000.0,41500000.0
J2,1,4540100.0,41500000.0
J3,1,4540100.0,41500100.0
2,,P1,井位,点,,,,@
J1,1,4540000.0,41500000.0
J2,2,4540500.0,41500500.0
"""
    gdf = read_exchange(_write(tmp_path, text))
    assert gdf.geometry.iloc[0].geom_type == "LineString" and gdf.geometry.iloc[0].length == 200.0
    assert gdf.geometry.iloc[1].geom_type == "MultiPoint" and len(gdf.geometry.iloc[1].geoms) == 2
    assert list(gdf["record_type"]) == ["线", "点"]


def test_declared_area_in_wrong_unit_warns(tmp_path):
    text = (HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS).replace("10,5.75,1", "10,57500,1")
    with pytest.warns(AssumptionWarning, match="looks like m²"):
        read_exchange(_write(tmp_path, text))


def test_declared_area_checked_against_independent_area(tmp_path):
    gdf = read_exchange(_write(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS))
    # 5.75 ha declared; the ellipsoidal area near the central meridian equals the plane area to ~1e-4
    assert abs(_geod_area(gdf.geometry.iloc[0], gdf.crs) / 1e4 - 5.75) < 0.001


# ------------------------------------------------------------------------------------------ errors

def _error_for(tmp_path, text, **kwargs):
    path = _write(tmp_path, text, "bad.txt")
    with pytest.raises(EcogisError) as info:
        read_exchange(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


def _line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@assumes(HEADERLESS_ZONE41)
def test_error_wrong_point_count(tmp_path):
    text = PARCELS.replace("10,5.75,1", "12,5.75,1")
    message = _error_for(tmp_path, text)
    assert f"line {_line_of(text, '12,5.75,1')}:" in message and "declares 12 points but 10" in message


def test_error_non_numeric_coordinate(tmp_path):
    text = PARCELS.replace("J3,1,4540200.000,41500300.000", "J3,1,4540200.000,41500300.0x0")
    message = _error_for(tmp_path, text)
    assert f"line {_line_of(text, '41500300.0x0')}:" in message and "Y (easting)" in message


@assumes(HEADERLESS_ZONE41)
def test_unclosed_ring_is_an_error_only_when_strict(tmp_path):
    text = PARCELS.replace("J5,2,4540050.000,41500050.000\n9", "J5,2,4540050.000,41500051.000\n9")
    message = _error_for(tmp_path, text, strict=True)
    assert f"line {_line_of(text, '41500051.000')}:" in message and "without its closing vertex" in message
    assert "部标" in message and "--strict" in message


def test_error_missing_coordinate_section(tmp_path):
    message = _error_for(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=41))
    assert "[地块坐标]" in message


def test_error_not_exchange_format(tmp_path):
    message = _error_for(tmp_path, "name,lon,lat\nA,121.5,40.9\n")
    assert "line 1" in message and "[地块坐标]" in message


def test_error_empty_file(tmp_path):
    assert "empty" in _error_for(tmp_path, "  \n")


def test_error_wrong_field_counts(tmp_path):
    text = PARCELS.replace("J2,1,4540000.000,41500300.000", "J2,1,4540000.000")
    message = _error_for(tmp_path, text)
    assert f"line {_line_of(text, 'J2,1,4540000.000')}:" in message and "expected 4" in message
    text = PARCELS.replace("9,,2,地块二,面,,,,@", "9,,2,地块二,@")
    assert "expected 9" in _error_for(tmp_path, text)


def test_error_vertex_before_parcel_and_unknown_record(tmp_path):
    assert "before the first parcel" in _error_for(tmp_path, "[地块坐标]\nJ1,1,4540000.0,41500000.0\n")
    assert "not one of 面, 线, 点" in _error_for(tmp_path, PARCELS.replace("地块二,面", "地块二,体"))


def test_error_header_zone_contradicts_prefix(tmp_path):
    message = _error_for(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=40) + PARCELS)
    assert "does not match the zone prefix 41" in message or "带号=40" in message


def test_error_mixed_zones(tmp_path):
    text = PARCELS.replace(",41501", ",40501")  # parcel 2 moved to zone 40
    assert "several zone prefixes" in _error_for(tmp_path, text)


@assumes(HEADERLESS_ZONE41)
def test_error_ring_split(tmp_path):
    text = PARCELS.replace("10,5.75,1", "11,5.75,1").replace(
        "J5,2,4540050.000,41500050.000\n9", "J5,2,4540050.000,41500050.000\nJ9,1,4540000.000,41500000.000\n9")
    message = _error_for(tmp_path, text)
    assert f"line {_line_of(text, 'J9,1')}:" in message and "ring 1 of parcel '1' appears again" in message


# ------------------------------------------------------------------------------------------ writing

def _sample_layer():
    """Parcels in EPSG:4529 on a millimetre grid: a polygon with two holes, a multipolygon whose second
    part sits inside the first part's hole (an island), a line and a point."""
    shell = [(41512000.0, 4540000.0), (41512800.0, 4540000.0), (41512800.0, 4540600.0), (41512000.0, 4540600.0)]
    hole1 = [(41512100.0, 4540100.0), (41512300.0, 4540100.0), (41512300.0, 4540300.0), (41512100.0, 4540300.0)]
    hole2 = [(41512500.0, 4540100.0), (41512700.0, 4540150.125), (41512600.0, 4540400.5)]
    big = shapely.Polygon(shell, [hole1, hole2])
    outer = shapely.Polygon([(41514000.0, 4541000.0), (41515000.0, 4541000.0), (41515000.0, 4542000.0),
                             (41514000.0, 4542000.0)],
                            [[(41514200.0, 4541200.0), (41514800.0, 4541200.0), (41514800.0, 4541800.0),
                              (41514200.0, 4541800.0)]])
    island = shapely.Polygon([(41514400.0, 4541400.0), (41514600.0, 4541400.0), (41514500.0, 4541600.0)])
    other = shapely.Polygon([(41516000.0, 4540000.0), (41516300.0, 4540000.0), (41516300.0, 4540250.0)])
    multi = shapely.MultiPolygon([outer, island, other])
    line = shapely.LineString([(41511000.0, 4539000.0), (41511500.0, 4539200.0), (41511900.0, 4539900.0)])
    point = shapely.Point(41511000.0, 4540000.0)
    return gpd.GeoDataFrame(
        {"parcel_no": ["A-1", "A-2", "L", "P"], "name": ["一号地块", "二号地块", "输油管线", "井口"],
         "use": ["工业用地", None, "管道运输用地", None]},
        geometry=[big, multi, line, point], crs=4529)


@assumes(WRITTEN_GB18030)
def test_round_trip_keeps_holes_parts_and_areas(tmp_path):
    layer = _sample_layer()
    out = write_exchange(layer, tmp_path / "out.txt", producer="ecogis test", date="2024-05-01")
    back = read_exchange(out)
    assert back.crs.to_epsg() == 4529 and back.attrs["ecogis"]["encoding"] == "GB18030"
    assert list(back["record_type"]) == ["面", "面", "线", "点"]
    assert list(back["name"]) == list(layer["name"]) and list(back["parcel_no"]) == list(layer["parcel_no"])
    for a, b in zip(layer.geometry, back.geometry):
        assert a.geom_type == b.geom_type
        assert shapely.normalize(a).equals_exact(shapely.normalize(b), tolerance=1e-9)
    assert len(back.geometry.iloc[0].interiors) == 2
    assert len(back.geometry.iloc[1].geoms) == 3
    for a, b in zip(layer.geometry.iloc[:2], back.geometry.iloc[:2]):
        assert a.area == b.area  # GK plane area, exactly
        assert abs(_geod_area(a, layer.crs) - _geod_area(b, back.crs)) < 1e-6
    # the declared area written is the ellipsoidal area in hectares: check with pyproj.Geod independently
    for i in range(2):
        assert abs(back["declared_area"].iloc[i] * 1e4 - _geod_area(layer.geometry.iloc[i], layer.crs)) < 1.0
    assert np.isnan(back["declared_area"].iloc[2]) and np.isnan(back["declared_area"].iloc[3])


def test_written_text_follows_the_format(tmp_path):
    out = write_exchange(_sample_layer(), tmp_path / "out.txt", date="2024-05-01", accuracy="0.05")
    raw = out.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # GB18030 by default
    lines = raw.decode("gb18030").split("\r\n")
    assert lines[0] == "[属性描述]" and "坐标系=2000国家大地坐标系" in lines and "带号=41" in lines
    assert "几度分带=3" in lines and "计量单位=米" in lines and "精度=0.05" in lines and "[地块坐标]" in lines
    start = lines.index("[地块坐标]") + 1
    head = lines[start].split(",")
    assert head[2:5] == ["A-1", "一号地块", "面"] and head[-1] == "@" and len(head) == 9
    n = int(head[0])
    vertices = [line.split(",") for line in lines[start + 1:start + 1 + n]]
    assert vertices[0][0] == "J1" and vertices[0][1] == "1"
    assert vertices[0][2] == "4540000.000" and vertices[0][3] == "41512000.000"  # X northing, Y easting
    assert vertices[4][0] == "J1" and vertices[4][2:] == vertices[0][2:]  # ring closed, name repeated
    assert {v[1] for v in vertices} == {"1", "2", "3"}
    assert lines[start + 1 + n].endswith("@")


@assumes(WRITTEN_GB18030)
def test_writer_from_lonlat_picks_zone_and_converts(tmp_path):
    layer = _sample_layer().to_crs(4490)
    with pytest.warns(AssumptionWarning, match="zone 41"):
        out = write_exchange(layer, tmp_path / "geo.txt")
    back = read_exchange(out)
    assert back.crs.to_epsg() == 4529
    assert abs(_geod_area(back.geometry.iloc[0], back.crs) - _geod_area(layer.geometry.iloc[0], 4490)) < 0.5
    with pytest.warns(AssumptionWarning, match="3.1. degrees from the central meridian 120"):
        out40 = write_exchange(layer, tmp_path / "z40.txt", zone=40)
    assert read_exchange(out40).crs.to_epsg() == 4528


def test_writer_refuses_to_overwrite(tmp_path):
    layer = _sample_layer()
    out = write_exchange(layer, tmp_path / "out.txt")
    before = out.read_bytes()
    with pytest.raises(EcogisError, match="exists"):
        write_exchange(layer.iloc[:1], out)
    assert out.read_bytes() == before
    write_exchange(layer.iloc[:1], out, overwrite=True)
    assert out.read_bytes() != before


def test_writer_never_writes_over_its_input(tmp_path):
    path = _write(tmp_path, HEADER.format(datum="2000国家大地坐标系", zone=41) + PARCELS)
    gdf = read_exchange(path)
    with pytest.raises(EcogisError, match="same file as an input"):
        write_exchange(gdf, path, overwrite=True)


def test_writer_refuses_datum_change_and_bad_geometry(tmp_path):
    with pytest.raises(EcogisError, match="datum transformations"):
        write_exchange(_sample_layer(), tmp_path / "x.txt", datum="Xian1980")
    bad = gpd.GeoDataFrame({"name": ["e"]}, geometry=[shapely.Polygon()], crs=4529)
    with pytest.raises(EcogisError, match="feature 0.*empty geometry"):
        write_exchange(bad, tmp_path / "y.txt")
    with pytest.raises(EcogisError, match="no CRS"):
        write_exchange(gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)]), tmp_path / "z.txt")


@assumes(WRITTEN_GB18030)
def test_writer_replaces_commas_in_text(tmp_path):
    layer = _sample_layer()
    layer.loc[0, "name"] = "一号,地块"
    with pytest.warns(AssumptionWarning, match="commas replaced"):
        out = write_exchange(layer, tmp_path / "c.txt")
    assert read_exchange(out)["name"].iloc[0] == "一号，地块"


@assumes(WRITTEN_GB18030, r"on the IAG 1975 ellipsoid \(Xian 1980")  # on reading the file back
def test_xian80_data_written_on_its_datum(tmp_path):
    layer = _sample_layer().set_crs(2365, allow_override=True)  # same numbers, Xian 1980 zone 41
    with pytest.warns(AssumptionWarning, match=r"on the IAG 1975 ellipsoid \(Xian 1980.*summed on CGCS2000"):
        out = write_exchange(layer, tmp_path / "xian.txt")
    assert "坐标系=1980西安坐标系" in out.read_bytes().decode("gb18030")
    assert read_exchange(out).crs.to_epsg() == 2365


def test_header_variants_and_trailing_commas(tmp_path):
    header = HEADER.format(datum="2000国家大地坐标系", zone="41带").replace("几度分带=3", "几度分带=3度")
    text = header + PARCELS.replace("J2,1,4540000.000,41500300.000", "J2,1,4540000.000,41500300.000,,")
    gdf = read_exchange(_write(tmp_path, text))
    assert gdf.crs.to_epsg() == 4529 and gdf.attrs["ecogis"]["crs_source"] == "file"
    assert gdf.geometry.iloc[0].area == 57500


def test_lonlat_exchange_file(tmp_path):
    text = """[属性描述]
坐标系=2000国家大地坐标系
计量单位=度
[地块坐标]
5,,1,经纬度地块,面,,,,@
J1,1,40.90,121.70
J2,1,40.90,121.71
J3,1,40.91,121.71
J4,1,40.91,121.70
J1,1,40.90,121.70
"""
    gdf = read_exchange(_write(tmp_path, text))
    assert gdf.crs.to_epsg() == 4490 and gdf.geometry.iloc[0].bounds == (121.70, 40.90, 121.71, 40.91)


def test_error_bad_ring_number_and_section(tmp_path):
    text = PARCELS.replace("J3,1,4540200.000,41500300.000", "J3,A,4540200.000,41500300.000")
    message = _error_for(tmp_path, text)
    assert f"line {_line_of(text, 'J3,A')}:" in message and "圈号" in message
    message = _error_for(tmp_path, "[坐标]\n" + PARCELS)
    assert "line 1:" in message and "unknown section" in message
    message = _error_for(tmp_path, PARCELS.replace("J2,1,4540000.000,41500300.000", "J2，1，4540000.000，41500300.000"))
    assert "full-width" in message


def test_writer_numbers_rings_and_points_through_multipart(tmp_path):
    out = write_exchange(_sample_layer(), tmp_path / "out.txt", date="2024-05-01")
    lines = out.read_bytes().decode("gb18030").split("\r\n")
    start = lines.index("3,,L,输油管线,线,,管道运输用地,,@")  # the line parcel: 3 vertices, no area
    assert lines[start + 1].startswith("J1,1,") and lines[start + 3].startswith("J3,1,")
    multi_head = next(i for i, line in enumerate(lines) if ",A-2,二号地块,面," in line)
    vertices = [line.split(",") for line in lines[multi_head + 1:start]]
    assert int(lines[multi_head].split(",")[0]) == len(vertices)
    # three parts: outer (1) + its hole (2), the island (3), the triangle (4)
    assert [v[1] for v in vertices] == ["1"] * 5 + ["2"] * 5 + ["3"] * 4 + ["4"] * 4
    names = [v[0] for v in vertices]
    assert names[:5] == ["J1", "J2", "J3", "J4", "J1"] and names[5:10] == ["J5", "J6", "J7", "J8", "J5"]
    assert names[10:14] == ["J9", "J10", "J11", "J9"]


def test_writer_rejects_geometry_collection(tmp_path):
    gc = shapely.GeometryCollection([shapely.Point(41500000, 4540000)])
    bad = gpd.GeoDataFrame({"name": ["g"]}, geometry=[gc], crs=4529)
    with pytest.raises(EcogisError, match="feature 0.*GeometryCollection"):
        write_exchange(bad, tmp_path / "gc.txt")


def test_user_crs_wins_but_nonsense_is_refused(tmp_path):
    path = _write(tmp_path, PARCELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AssumptionWarning)
        gdf = read_exchange(path, crs="EPSG:4529")
    assert gdf.crs.to_epsg() == 4529 and gdf.attrs["ecogis"]["crs_source"] == "user"
    with pytest.raises(EcogisError, match="metres.*EPSG:4490"):
        read_exchange(path, crs=4490)
    with pytest.warns(AssumptionWarning, match="crs= says"), \
            pytest.warns(AssumptionWarning, match="declared area 5.75 公顷 differs from the ellipsoidal area"):
        assert read_exchange(path, crs=4528).crs.to_epsg() == 4528
    with pytest.raises(EcogisError, match="web-map"):
        read_exchange(path, crs="GCJ-02")
