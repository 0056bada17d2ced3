"""Exchange-text dialects written by real exporters (issue 13 item 1) and the declared-area comparison
(issue 11 item 4). The test files are built from the layouts quoted in the issue; expected areas are
computed here by hand (plane) and with pyproj.Geod (ellipsoid), never from ecogis."""
from __future__ import annotations

import geopandas as gpd
import pyproj
import pytest
import shapely
from click.testing import CliRunner

from ecogis.cli import main
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io.exchange import read_exchange, write_exchange

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid to well below a millimetre
# the writer's GB18030 output is detected as such on reading back: an expected note, not the subject here
pytestmark = pytest.mark.filterwarnings("ignore:.*decoded as GB18030:ecogis.errors.AssumptionWarning")
HEADER = "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号={zone}\n[地块坐标]\n"


def _rect(x0, y0, dx, dy):
    """Vertex (X = northing, Y = easting) pairs of a dx (north) by dy (east) rectangle, unclosed."""
    return [(x0, y0), (x0, y0 + dy), (x0 + dx, y0 + dy), (x0 + dx, y0)]


def _geod_area_m2(geom, crs) -> float:
    lonlat = gpd.GeoSeries([geom], crs=crs).to_crs(4490).iloc[0]
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(lonlat))[0])


def _write(tmp_path, text, name="parcels.txt", encoding="gb18030"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _read(path, *messages, **kwargs):
    """read_exchange expecting exactly the AssumptionWarnings matching ``messages`` (each at least once)."""
    with pytest.warns(AssumptionWarning) as record:
        gdf = read_exchange(path, **kwargs)
    texts = [str(w.message) for w in record]
    for message in messages:
        assert any(message in t for t in texts), (message, texts)
    return gdf, texts


# --- 8-field parcel lines: `8,1,FID_0,多部件地块,面,,,@`: two 50 m x 100 m parts written with n-1 points (8 in all)
EIGHT = HEADER.format(zone=41) + "8,1,FID_0,多部件地块,面,,,@\n" + "".join(
    f"J{i},{ring},{x:.3f},{y:.3f}\n"
    for ring, pts in ((1, _rect(4540000, 41500000, 50, 100)), (2, _rect(4541000, 41501000, 50, 100)))
    for i, (x, y) in enumerate(pts, start=1))


def test_eight_field_parcel_lines(tmp_path):
    gdf, _ = _read(_write(tmp_path, EIGHT), "8-field parcel lines", "2 ring(s) written without their closing vertex")
    assert len(gdf) == 1 and gdf.geom_type.iloc[0] == "MultiPolygon" and gdf.crs.to_epsg() == 4529
    assert gdf["parcel_no"].iloc[0] == "FID_0" and gdf["name"].iloc[0] == "多部件地块"
    assert [len(p.exterior.coords) for p in gdf.geometry.iloc[0].geoms] == [5, 5]  # closed
    assert gdf.geometry.iloc[0].area == pytest.approx(10_000.0)  # 1 公顷, as declared
    assert any("read in the 8-field parcel lines" in n for n in gdf.attrs["ecogis"]["notes"])


# --- 11-field 报省部标: `0,0,330106104,横桥村,D8-003,地块4,面,,,,@` (Hangzhou, zone 40), 界址点数 and 地块面积 0
ELEVEN = HEADER.format(zone=40) + "0,0,330106104,横桥村,D8-003,地块4,面,,,,@\n" + "".join(
    f"J{i},1,{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(_rect(3345000, 40410000, 120, 80) + [(3345000, 40410000)],
                                                          start=1))


def test_eleven_field_parcel_lines_with_zero_count_and_area(tmp_path):
    gdf, _ = _read(_write(tmp_path, ELEVEN), "报省部标 11-field parcel lines")
    row = gdf.iloc[0]
    assert (row["parcel_no"], row["name"], row["region_code"], row["region_name"]) == ("D8-003", "地块4", "330106104",
                                                                                       "横桥村")
    assert gdf.crs.to_epsg() == 4528 and row.geometry.area == pytest.approx(120 * 80)
    assert gdf["declared_area"].isna().all()
    notes = " | ".join(gdf.attrs["ecogis"]["notes"])
    assert "界址点数 is 0 or empty in 1 parcel(s)" in notes and "地块面积 is 0 or empty in 1 parcel(s)" in notes


# --- 省标 6-column vertex lines `1,1,1,J1,2579602.040,38378344.592`, rings written with n-1 points
PROVINCIAL = HEADER.format(zone=38) + "4,0.7749公顷,GX-1,省标地块,面,,,,@\n" + "".join(
    f"{i},1,1,J{i},{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(_rect(2579602.040, 38378344.592, 70.45, 110),
                                                                 start=1))


def test_provincial_vertex_lines_unclosed_rings_and_area_unit(tmp_path):
    gdf, texts = _read(_write(tmp_path, PROVINCIAL), "省标 6-column vertex lines", "ring(s) written without their "
                       "closing vertex", "地块面积 written with a unit in 1 parcel(s) (first: '0.7749公顷'")
    geom = gdf.geometry.iloc[0]
    assert gdf.crs.to_epsg() == 4526 and geom.exterior.is_closed and len(geom.exterior.coords) == 5
    assert geom.area == pytest.approx(70.45 * 110)
    assert gdf["declared_area"].iloc[0] == pytest.approx(0.7749)
    # 0.7749 公顷 = 7749 m²; the plane area is 7749.5 m², 34 km from the central meridian the ellipsoidal area
    # is smaller by about (1 - 1/k²) ~ 3e-5: the declared figure matches neither to four decimals
    assert _geod_area_m2(geom, gdf.crs) == pytest.approx(7749.5, rel=1e-3)


# --- 14-field parcel lines: the 部标 fields followed by five more
FOURTEEN = HEADER.format(zone=41) + "5,1.0000,F14,十四字段地块,面,,工业用地,0601,,,,,,@\n" + "".join(
    f"J{i},1,{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(_rect(4540000, 41500000, 100, 100)
                                                          + [(4540000, 41500000)], start=1))


def test_fourteen_field_parcel_lines(tmp_path):
    gdf, _ = _read(_write(tmp_path, FOURTEEN), "14-field parcel lines")
    row = gdf.iloc[0]
    assert (row["parcel_no"], row["name"], row["use"]) == ("F14", "十四字段地块", "工业用地")
    assert row.geometry.area == pytest.approx(10_000.0) and gdf.crs.to_epsg() == 4529


def test_shifted_columns_read_with_a_note(tmp_path):
    text = HEADER.format(zone=41) + "5,DKMC,FID_0,,面,,,DKYT,@\n" + "".join(
        f"J{i},1,{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(_rect(4540000, 41500000, 100, 100)
                                                              + [(4540000, 41500000)], start=1))
    gdf, _ = _read(_write(tmp_path, text), "地块面积 is not a number in 1 parcel(s) (first: 'DKMC' of parcel 'FID_0'")
    assert len(gdf) == 1 and gdf.geometry.iloc[0].area == pytest.approx(10_000.0)
    assert gdf["declared_area"].isna().all()


def test_extra_sections_full_width_brackets_and_header_variants(tmp_path):
    text = ("［属性描述］\n坐标系=2000国家大地坐标系\n分带=3度带\n带号=\n[项目信息]\n项目名称=某某项目\n建设单位=某公司\n"
            + EIGHT.split("[地块坐标]\n", 1)[1].join(["[地块坐标]\n", "[扩展信息]\n备注=无\n"]))
    gdf, texts = _read(_write(tmp_path, text), "section marker(s) in full-width brackets", "header key 分带",
                       "2 section(s) not in the 部标 layout kept as metadata (first: [项目信息]", "the header's 带号 is empty; zone 41 taken from the zone "
                       "prefix")
    assert gdf.crs.to_epsg() == 4529 and gdf.attrs["ecogis"]["crs_source"] == "file"
    assert gdf.attrs["ecogis"]["sections"] == {"项目信息": {"项目名称": "某某项目", "建设单位": "某公司"},
                                               "扩展信息": {"备注": "无"}}
    assert not any("does not give" in t or "gives no 坐标系" in t for t in texts)


def test_header_without_zone_names_only_the_missing_key(tmp_path):
    text = EIGHT.replace("几度分带=3\n", "").replace("带号=41", "带号=")
    _, texts = _read(_write(tmp_path, text), "8-field")
    assert not any("坐标系" in t and "gives no" in t for t in texts)


@pytest.mark.parametrize("text, dialect, line", [
    (EIGHT, "8-field parcel lines", 8), (ELEVEN, "报省部标 11-field", 8),
    (PROVINCIAL.replace("0.7749公顷", "0.7749"), "省标 6-column vertex lines", 9),
    (PROVINCIAL, "地块面积 '0.7749公顷' written with a unit", 8),
    (EIGHT.replace("面,,,@", "面,,,,@"), "a ring of parcel 'FID_0' written without its closing vertex", 12),
])
def test_strict_rejects_other_dialects_naming_them(tmp_path, text, dialect, line):
    with pytest.raises(EcogisError) as info:
        read_exchange(_write(tmp_path, text), strict=True)
    message = str(info.value)
    assert dialect in message and "部标" in message and "--strict" in message and f"line {line}:" in message


def test_strict_reads_the_standard_layout(tmp_path):
    text = ELEVEN.replace("0,0,330106104,横桥村,D8-003,地块4,面,,,,@", "5,,D8-003,地块4,面,,,,@")  # 部标, 9 fields
    gdf = read_exchange(_write(tmp_path, text), strict=True)
    assert len(gdf) == 1 and gdf.attrs["ecogis"]["notes"][-1].endswith("read in the 部标 layout")


def test_strict_on_the_command_line(tmp_path):
    path = _write(tmp_path, PROVINCIAL.replace("0.7749公顷", "0.7749"))
    result = CliRunner().invoke(main, ["info", str(path), "--strict"])
    assert result.exit_code == 2 and "省标 6-column vertex lines" in result.stderr and "--strict" in result.stderr


# --- round trips: every dialect read, written as 部标 and as 省标, read back the same

@pytest.mark.parametrize("text", [EIGHT, ELEVEN, FOURTEEN, PROVINCIAL], ids=["8-field", "11-field", "14-field", "省标"])
@pytest.mark.parametrize("dialect", ["部标", "省标"])
def test_every_dialect_round_trips(tmp_path, text, dialect):
    with pytest.warns(AssumptionWarning):
        source = read_exchange(_write(tmp_path, text))
    out = write_exchange(source, tmp_path / f"out_{dialect}.txt", dialect=dialect)
    written = out.read_bytes().decode("gb18030")
    vertex = written.split("[地块坐标]")[1].splitlines()[2]
    assert len(vertex.split(",")) == (6 if dialect == "省标" else 4)
    expected = () if dialect == "部标" else ("省标 6-column vertex lines",)
    if expected:
        back, _ = _read(out, *expected)
    else:
        back = read_exchange(out, strict=True)
    assert back.crs.equals(source.crs) and list(back["parcel_no"]) == list(source["parcel_no"])
    assert list(back["name"]) == list(source["name"])
    assert shapely.equals(back.geometry.values, source.geometry.values).all()  # same rings, parts and holes


def test_convert_writes_the_chosen_dialect(tmp_path):
    src = _write(tmp_path, EIGHT)
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["convert", str(src), str(out), "--dialect", "省标", "--strict"])
    assert result.exit_code == 2 and "8-field" in result.stderr
    result = CliRunner().invoke(main, ["convert", str(src), str(out), "--dialect", "省标"])
    assert result.exit_code == 0, result.stderr
    lines = out.read_bytes().decode("gb18030").split("[地块坐标]")[1].split()
    assert lines[1] == "1,1,1,J1,4540000.000,41500000.000" and lines[6] == "6,1,2,J5,4541000.000,41501000.000"


# --- issue 11 item 4: the declared area against the ellipsoidal and the plane area

def test_declared_plane_area_is_named_as_such(tmp_path):
    # 200 m x 300 m at 150 km east of the central meridian of zone 41: plane area 6.0000 公顷 exactly
    ring = _rect(4540000, 41650000, 200, 300)
    text = HEADER.format(zone=41) + "5,6.0000,P1,平面面积地块,面,,,,@\n" + "".join(
        f"J{i},1,{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(ring + ring[:1], start=1))
    with pytest.warns(AssumptionWarning, match="matches the Gauss-Kruger plane area") as record:
        gdf = read_exchange(_write(tmp_path, text))
    ellipsoidal = _geod_area_m2(gdf.geometry.iloc[0], gdf.crs) / 1e4
    assert abs(ellipsoidal - 6.0) > 0.001  # the scale factor 150 km from the CM: ~ +0.055 %
    message = next(str(w.message) for w in record if "plane area" in str(w.message))
    assert "parcel 'P1'" in message and "declared area 6 公顷" in message and "plane area 6.0000 公顷" in message
    assert f"ellipsoidal area {ellipsoidal:.4f} 公顷" in message


def test_declared_ellipsoidal_area_is_accepted(tmp_path):
    ring = _rect(4540000, 41650000, 200, 300)
    closed = ring + ring[:1]
    geom = shapely.Polygon([(y, x) for x, y in closed])
    hectares = _geod_area_m2(geom, "EPSG:4529") / 1e4
    text = HEADER.format(zone=41) + f"5,{hectares:.4f},E1,椭球面积地块,面,,,,@\n" + "".join(
        f"J{i},1,{x:.3f},{y:.3f}\n" for i, (x, y) in enumerate(closed, start=1))
    gdf = read_exchange(_write(tmp_path, text))  # no warning: it is the official figure
    assert gdf["declared_area"].iloc[0] == pytest.approx(hectares, abs=5e-5)
