"""Vertex tables as lines and polygons (--as-line, --as-polygon, --group, --order), line sites as linear
infrastructure, and the working corridor (--corridor).

Expected lengths and areas are computed here with shapely and pyproj.Geod directly on the longitudes
and latitudes written in the table, never from ecogis's own output.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import LineString, Point, box

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io.vertices import VertexSpec, parse_station, vertices_to_shapes

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid
# the red line: a lon/lat box on the 123°E central meridian, densified so its edges are the same curve
# in longitude/latitude and in the Gauss-Kruger plane
RED = shapely.segmentize(box(122.98, 41.00, 123.02, 41.02), 0.0002)
# turning points (degrees, minutes, seconds): west of the red line, two inside, east of it
TURNING = [((122, 58, 12.0), (41, 0, 36.0)), ((122, 59, 24.5), (41, 0, 43.25)),
           ((123, 0, 36.75), (41, 0, 28.5)), ((123, 1, 48.0), (41, 0, 39.0))]
STATIONS = ["K0+000", "K1+604.2", "K3+312.5", "K4+998.0"]


def dms(d, m, s) -> float:
    return d + m / 60 + s / 3600


def dms_text(d, m, s) -> str:
    return f"{d}°{m:02d}′{s:05.2f}″"


@pytest.fixture
def project(tmp_path):
    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["红线1"]}, geometry=[RED], crs=4490).to_file(gpkg, layer="redline")
    gpd.GeoDataFrame({"name": ["排污口1"]}, geometry=[Point(123.1, 41.1)], crs=4490).to_file(gpkg, layer="outfall")
    yml = tmp_path / "project.yaml"
    yml.write_text("name: 线状工程\nlayers:\n"
                   "  redline: {kind: redline, path: controls.gpkg, layer: redline}\n"
                   "  outfalls: {kind: outfall, path: controls.gpkg, layer: outfall}\n", encoding="utf-8")
    return yml


@pytest.fixture
def turning_csv(tmp_path):
    """The turning points in DMS, rows shuffled: only the 桩号 gives the order along the line."""
    order = [2, 0, 3, 1]
    lines = ["点号,桩号,经度,纬度"] + [f"J{i + 1},{STATIONS[i]},{dms_text(*TURNING[i][0])},{dms_text(*TURNING[i][1])}"
                                      for i in order]
    path = tmp_path / "pipeline_points.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(args):
    return CliRunner().invoke(check_cmd, args, catch_exceptions=False)


# ---------------------------------------------------------------------------------------------------
# stations and vertex order

@pytest.mark.parametrize("text, metres", [("K12+345.6", 12_345.6), ("K0+000", 0.0), ("DK3+020", 3_020.0),
                                          ("k1 + 5.5", 1_005.5), ("250", 250.0), (17.5, 17.5)])
def test_stations_are_metres_along_the_line(text, metres):
    assert parse_station(text) == pytest.approx(metres)


@pytest.mark.parametrize("text", ["K12", "12+345", "abc", "nan", float("inf")])
def test_what_is_not_a_station_is_refused(text):
    with pytest.raises(ValueError):
        parse_station(text)


def points(xy, **cols):
    return gpd.GeoDataFrame(cols, geometry=[Point(p) for p in xy], crs=4549)


def test_vertices_are_joined_per_group_in_station_order():
    pts = points([(0, 0), (10, 0), (5, 0), (0, 5), (0, 1)], 线路=["a", "a", "a", "b", "b"],
                 桩号=["K0+000", "K0+010", "K0+005", "K0+500", "K0+100"])
    with pytest.warns(AssumptionWarning, match="station field '桩号'"):
        lines = vertices_to_shapes(pts, VertexSpec("line", group="线路"))
    assert lines["id"].tolist() == ["a", "b"]
    assert [list(g.coords) for g in lines.geometry] == [[(0, 0), (5, 0), (10, 0)], [(0, 1), (0, 5)]]
    assert lines.crs == pts.crs


def test_file_order_is_used_and_said_without_a_station_field():
    pts = points([(0, 0), (10, 0), (10, 10), (0, 10)])
    with pytest.warns(AssumptionWarning, match="order of the file"):
        poly = vertices_to_shapes(pts, VertexSpec("polygon"))
    assert len(poly) == 1 and poly.geometry.iloc[0].area == pytest.approx(100.0)


def test_a_given_order_field_wins():
    pts = points([(0, 0), (10, 0), (5, 0)], seq=[1, 3, 2], 桩号=["K0+000", "K0+001", "K0+002"])
    line = vertices_to_shapes(pts, VertexSpec("line", order="seq")).geometry.iloc[0]
    assert list(line.coords) == [(0, 0), (5, 0), (10, 0)]


def test_a_group_with_too_few_vertices_is_named():
    pts = points([(0, 0), (1, 0), (5, 5)], g=["a", "a", "b"], seq=[1, 2, 1])
    with pytest.raises(EcogisError, match="g=b") as err:
        vertices_to_shapes(pts, VertexSpec("line", group="g", order="seq"))
    assert "at least 2" in str(err.value)
    with pytest.raises(EcogisError, match="g=a"):
        vertices_to_shapes(pts, VertexSpec("polygon", group="g", order="seq"))


def test_repeated_stations_and_unknown_fields_are_errors():
    pts = points([(0, 0), (1, 0), (2, 0)], 桩号=["K0+000", "K0+001", "K0+001"])
    with pytest.raises(EcogisError, match="same '桩号' value"):
        vertices_to_shapes(pts, VertexSpec("line", order="桩号"))
    with pytest.raises(EcogisError, match="no field 'route'"):
        vertices_to_shapes(pts, VertexSpec("line", group="route", order="桩号"))
    lines = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs=4549)
    with pytest.raises(EcogisError, match="table of points"):
        vertices_to_shapes(lines, VertexSpec("line"))


# ---------------------------------------------------------------------------------------------------
# the done-when test: a DMS CSV of turning points becomes one line

def test_dms_turning_points_as_line_cross_the_red_line_by_the_geodesic_length(project, turning_csv):
    res = run([str(turning_csv), "-p", str(project), "--site-crs", "EPSG:4490", "--as-line", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert len(payload["sites"]) == 1 and payload["sites"][0]["geometry_type"] == "LineString"
    # independent: the line through the turning points in 桩号 order, cut by the red line in lon/lat
    line = LineString([(dms(*lon), dms(*lat)) for lon, lat in TURNING])
    expected = GEOD.geometry_length(line.intersection(RED))
    assert 3_000 < expected < 4_000
    crossing = [f for f in payload["findings"] if f["layer"] == "redline" and f["relation"] == "intersects"]
    assert len(crossing) == 1
    assert crossing[0]["overlap_length_m"] == pytest.approx(expected, abs=0.05)
    assert payload["sites"][0]["length_m"] == pytest.approx(GEOD.geometry_length(line), abs=0.05)
    # a line site is linear infrastructure: the linear rule applies without --use
    assert crossing[0]["rule_id"] == "redline-linear" and crossing[0]["verdict"] == "限制"
    assert any("linear infrastructure" in n for n in payload["assumptions"])
    # without --as-line the same file is four points
    with pytest.warns(AssumptionWarning):
        as_points = check(turning_csv, project, site_crs="EPSG:4490")
    assert len(as_points.sites) == 4


def test_use_overrides_the_linear_default(project, turning_csv):
    with pytest.warns(AssumptionWarning) as caught:  # the encoding detected, the 桩号 order
        result = check(turning_csv, project, site_crs="EPSG:4490", vertices=VertexSpec("line"), site_use="道路")
    assert any("station field '桩号'" in str(w.message) for w in caught)
    assert not any("linear infrastructure" in str(w.message) for w in caught)
    crossing = [f for f in result.findings if f.layer == "redline" and f.relation == "intersects"][0]
    assert crossing.rule_id == "redline-linear"  # 道路 is one of the rule's uses
    with pytest.warns(AssumptionWarning):
        result = check(turning_csv, project, site_crs="EPSG:4490", vertices=VertexSpec("line"), site_use="油井")
    crossing = [f for f in result.findings if f.layer == "redline" and f.relation == "intersects"][0]
    assert crossing.rule_id != "redline-linear"


# ---------------------------------------------------------------------------------------------------
# the working corridor

def test_corridor_take_is_crossing_length_times_width_on_the_central_meridian(project, tmp_path):
    """A straight north-south line on 123°E (GK scale factor 1) across the red line: the 20 m corridor
    inside it is the geodesic crossing length times 20 m."""
    line = LineString([(123.0, 40.99), (123.0, 41.03)])
    site = gpd.GeoDataFrame({"id": ["L1"], "name": ["管线"]}, geometry=[line], crs=4490)
    with pytest.warns(AssumptionWarning, match="linear infrastructure"):
        result = check(site, project, corridor_m=20.0)
    crossing = GEOD.inv(123.0, 41.00, 123.0, 41.02)[2]
    take = [t for t in result.corridor.takes if t.layer == "redline"][0]
    assert take.crossing_length_m == pytest.approx(crossing, abs=0.01)
    assert take.corridor_area_m2 == pytest.approx(crossing * 20.0, rel=1e-5)
    d = take.to_dict()
    assert d["corridor_area_ha"] == pytest.approx(crossing * 20.0 / 1e4, rel=1e-5)
    assert d["corridor_area_mu"] == pytest.approx(crossing * 20.0 * 15 / 1e4, rel=1e-5)
    assert result.corridor.area_m2 == pytest.approx(GEOD.inv(123.0, 40.99, 123.0, 41.03)[2] * 20.0, rel=1e-5)
    assert result.to_dict()["corridor"]["takes"][0]["layer"] == "redline"


def test_corridor_needs_a_line_site(project):
    site = gpd.GeoDataFrame({"id": ["P"]}, geometry=[Point(123.0, 41.01)], crs=4490)
    with pytest.raises(EcogisError, match="needs a line site"):
        check(site, project, corridor_m=20.0)


def test_cli_corridor_prints_hectares_and_mu(project, turning_csv, chinese_default):
    res = run([str(turning_csv), "-p", str(project), "--site-crs", "EPSG:4490", "--as-line", "--corridor", "20"])
    assert res.exit_code == 0, res.output
    assert "作业带（宽 20 m" in res.stdout and "公顷" in res.stdout and "亩" in res.stdout
    bad = CliRunner().invoke(check_cmd, [str(turning_csv), "-p", str(project), "--corridor", "-5", "--as-line"])
    assert bad.exit_code == 2
    both = CliRunner().invoke(check_cmd, [str(turning_csv), "-p", str(project), "--as-line", "--as-polygon"])
    assert both.exit_code == 2 and "不要同时给出" in both.stderr  # Chinese by default


# ---------------------------------------------------------------------------------------------------
# the same options in area, convert and map

@pytest.fixture
def square_csv(tmp_path):
    """A 1 km square of GK zone 41 vertices (点号, X, Y in surveying order), in file order."""
    rows = ["点号,X,Y", "J1,4536000.000,41407000.000", "J2,4537000.000,41407000.000",
            "J3,4537000.000,41408000.000", "J4,4536000.000,41408000.000"]
    path = tmp_path / "square.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def square_area():
    """Independent: GeographicLib area of the square densified in the GK plane (EPSG:4529)."""
    ring = shapely.segmentize(box(41_407_000, 4_536_000, 41_408_000, 4_537_000), 5.0)
    lon, lat = pyproj.Transformer.from_crs(4529, 4490, always_xy=True).transform(*np.asarray(ring.exterior.coords).T)
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def test_convert_area_and_map_take_as_polygon(square_csv, tmp_path):
    from ecogis.cli.area_cmds import area
    from ecogis.cli.io_cmds import convert
    from ecogis.cli.map_cmds import map_cmd

    out = tmp_path / "square.geojson"
    res = CliRunner().invoke(convert, [str(square_csv), str(out), "--crs", "EPSG:4529", "--as-polygon"])
    assert res.exit_code == 0, res.output
    written = gpd.read_file(out)
    assert len(written) == 1 and written.geometry.iloc[0].geom_type == "Polygon"
    res = CliRunner().invoke(area, [str(square_csv), "--crs", "EPSG:4529", "--as-polygon", "--unit", "m2", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["area"] == pytest.approx(square_area(), abs=0.5)
    png = tmp_path / "square.html"
    res = CliRunner().invoke(map_cmd, [str(out), "--site", str(square_csv), "--as-line", "--out", str(png)])
    assert res.exit_code == 0, res.output
    assert png.exists()
    res = CliRunner().invoke(area, [str(square_csv), "--crs", "EPSG:4529", "--group", "点号"])
    assert res.exit_code == 2 and "need --as-line or --as-polygon" in res.stderr


def test_reports_show_the_corridor_take(project, turning_csv, tmp_path, chinese_default):
    import docx
    import openpyxl

    out = tmp_path / "reports"
    res = run([str(turning_csv), "-p", str(project), "--site-crs", "EPSG:4490", "--as-line", "--corridor", "20",
               "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "check.json").read_text(encoding="utf-8"))
    take = data["corridor"]["takes"][0]
    # independent: the 20 m corridor of the crossing is about its geodesic length times the width
    line = LineString([(dms(*lon), dms(*lat)) for lon, lat in TURNING])
    crossing = GEOD.geometry_length(line.intersection(RED))
    assert take["crossing_length_m"] == pytest.approx(crossing, abs=0.05)
    assert take["corridor_area_m2"] == pytest.approx(crossing * 20.0, rel=2e-3)  # bends add/remove a little
    assert "作业带（宽 20 m" in (out / "check.html").read_text(encoding="utf-8")
    assert any(p.text.startswith("作业带（宽 20 m") for p in docx.Document(str(out / "check.docx")).paragraphs)
    ws = openpyxl.load_workbook(out / "check.xlsx")["作业带"]
    row = [c.value for c in ws[2]]
    assert row[0] == "redline" and row[5] == pytest.approx(take["corridor_area_m2"])
    assert row[6] == pytest.approx(take["corridor_area_m2"] / 1e4) and row[7] == pytest.approx(take["corridor_area_m2"] * 15 / 1e4)
