"""Coverage: a site (or the part of it) outside a layer's coverage is 无法判定 for that layer, never 符合.

Expectations are computed here with shapely and pyproj directly (GeographicLib polygon areas of the
part outside, geodesic distances), never from ecogis's own output.
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
from ecogis.rules import normalise_verdict, worst_verdict

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E, no zone prefix
GEOD = pyproj.Geod(ellps="GRS80")
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
CORE = box(440_000, 4_530_000, 450_000, 4_540_000)
RED = box(420_000, 4_530_000, 425_000, 4_535_000)
OUTFALL = Point(455_000, 4_545_000)
BOUNDARY = box(400_000, 4_500_000, 500_000, 4_600_000)  # 100 km square, the project boundary


def geodesic_area_gk(geom, step=5.0):
    """Densify the GK polygon, inverse project, GeographicLib polygon area (m²)."""
    dense = shapely.segmentize(geom, step)
    lon, lat = TO_GEO.transform(*np.asarray(dense.exterior.coords).T)
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def geodesic_length_gk(line, step=5.0):
    lon, lat = TO_GEO.transform(*np.asarray(shapely.segmentize(line, step).coords).T)
    return GEOD.line_length(lon, lat)


def write_project(tmp_path, *, boundary=True, extra="", redline_extra=""):
    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["辽河口"], "zone": ["核心区"]}, geometry=[CORE], crs=GK).to_file(gpkg, layer="reserve")
    gpd.GeoDataFrame({"name": ["红线A"]}, geometry=[RED], crs=GK).to_file(gpkg, layer="redline")
    gpd.GeoDataFrame({"name": ["排污口1"]}, geometry=[OUTFALL], crs=GK).to_file(gpkg, layer="outfall")
    gpd.GeoDataFrame({"name": ["示例市"]}, geometry=[BOUNDARY], crs=GK).to_file(gpkg, layer="city")
    yml = tmp_path / "project.yaml"
    yml.write_text(
        "name: 覆盖范围测试\n"
        + ("boundary: {path: controls.gpkg, layer: city}\n" if boundary else "")
        + "layers:\n"
        "  reserve: {kind: reserve, path: controls.gpkg, layer: reserve}\n"
        f"  redline: {{kind: redline, path: controls.gpkg, layer: redline{redline_extra}}}\n"
        "  outfalls: {kind: outfall, path: controls.gpkg, layer: outfall}\n" + extra, encoding="utf-8")
    return yml


def gk_site(*geoms):
    return gpd.GeoDataFrame({"id": [f"S{i + 1}" for i in range(len(geoms))],
                             "name": [f"场址{i + 1}" for i in range(len(geoms))]}, geometry=list(geoms), crs=GK)


def outside_warning():
    return pytest.warns(AssumptionWarning, match="outside the coverage of layer")


def run(args):
    return CliRunner().invoke(check_cmd, args, catch_exceptions=False)


# ---------------------------------------------------------------------------------------------------
# the verdict order

def test_undetermined_ranks_above_clear_and_below_needs_assessment():
    assert worst_verdict(["符合", "无法判定"]) == "无法判定"
    assert worst_verdict(["无法判定", "需论证"]) == "需论证"
    assert worst_verdict(["无法判定", "禁止"]) == "禁止"
    assert normalise_verdict("undetermined") == "无法判定"


# ---------------------------------------------------------------------------------------------------
# far from everything

@pytest.mark.parametrize("with_boundary", [True, False])
def test_site_far_from_every_layer_is_undetermined(tmp_path, with_boundary):
    project = write_project(tmp_path, boundary=with_boundary)
    far = (620_000.0, 4_660_000.0)  # east-north-east of everything
    lon, lat = TO_GEO.transform(*far)
    # independent premise: more than 100 km (geodesic) from every layer's nearest vertex and the boundary
    corners = [c for g in (CORE, RED, OUTFALL, BOUNDARY) for c in shapely.get_coordinates(g)]
    dists = [GEOD.inv(lon, lat, *TO_GEO.transform(x, y))[2] for x, y in corners]
    assert min(dists) > 100_000
    expected = ["outside the coverage of layer", "more than 50 km"]
    if not with_boundary:
        expected.append("data extent of the project's layers")
    with pytest.warns(AssumptionWarning) as caught:
        result = check(gk_site(Point(*far)), project)
    for pattern in expected:
        assert any(pattern in str(w.message) for w in caught), pattern
    assert result.verdict == "无法判定"
    assert result.sites[0].verdict == "无法判定"
    assert {g.layer for g in result.coverage} == {"reserve", "redline", "outfalls"}
    assert all(g.outside_share == 1.0 and g.verdict == "无法判定" for g in result.coverage)
    assert {g.source for g in result.coverage} == {"boundary" if with_boundary else "data_extent"}
    payload = result.to_dict()
    assert payload["verdict"] == "无法判定" and payload["verdict_en"] == "undetermined"
    assert len(payload["coverage_gaps"]) == 3


def test_cli_fails_on_undetermined_with_exit_3(tmp_path, chinese_default):
    project = write_project(tmp_path)
    lon, lat = TO_GEO.transform(620_000.0, 4_660_000.0)
    args = ["--at", f"{lon},{lat}", "--site-crs", "EPSG:4490", "-p", str(project)]
    res = run(args + ["--json", "--fail-on", "无法判定"])
    assert res.exit_code == 3
    payload = json.loads(res.stdout)
    assert payload["verdict"] == "无法判定" and payload["coverage_gaps"]
    assert run(args + ["--json", "--fail-on", "undetermined"]).exit_code == 3
    assert run(args + ["--json", "--fail-on", "需论证"]).exit_code == 0  # 无法判定 ranks below 需论证
    # without --out and --json: the summary, the banner first
    res = run(args)
    assert res.exit_code == 0
    first, second = res.stdout.splitlines()[:2]
    assert first.startswith("【无法判定】") and "示例市" in first
    assert second == "总体结论: 无法判定"
    assert run(args + ["--lang", "en"]).stdout.startswith("UNDETERMINED: ")


# ---------------------------------------------------------------------------------------------------
# partly outside

def test_site_half_outside_the_boundary_reports_the_area_outside(tmp_path):
    project = write_project(tmp_path)
    site = box(495_000, 4_580_000, 505_000, 4_582_000)  # 10 km x 2 km across the east edge (x = 500 km)
    with outside_warning():
        result = check(gk_site(site), project)
    outside = geodesic_area_gk(box(500_000, 4_580_000, 505_000, 4_582_000))
    whole = geodesic_area_gk(site)
    assert result.verdict == "无法判定"
    gaps = result.coverage
    assert {g.layer for g in gaps} == {"reserve", "redline", "outfalls"}
    for g in gaps:
        assert g.outside_area_m2 == pytest.approx(outside, abs=max(0.5, 2e-7 * outside))
        assert g.outside_share == pytest.approx(outside / whole, abs=1e-6)
        d = g.to_dict()
        assert d["outside_area_ha"] == pytest.approx(outside / 1e4, rel=1e-6)
        assert d["outside_area_mu"] == pytest.approx(outside * 15 / 1e4, rel=1e-6)


def test_line_half_outside_reports_the_length_outside(tmp_path):
    project = write_project(tmp_path)
    line = LineString([(490_000, 4_590_000), (510_000, 4_590_000)])
    with outside_warning(), pytest.warns(AssumptionWarning, match="linear infrastructure"):
        result = check(gk_site(line), project)
    expected = geodesic_length_gk(LineString([(500_000, 4_590_000), (510_000, 4_590_000)]))
    gap = result.coverage[0]
    assert gap.outside_area_m2 is None
    assert gap.outside_length_m == pytest.approx(expected, abs=0.01)
    assert gap.outside_share == pytest.approx(expected / geodesic_length_gk(line), abs=1e-6)


def test_site_inside_the_boundary_and_clear_stays_clear(tmp_path):
    project = write_project(tmp_path)
    result = check(gk_site(box(480_000, 4_580_000, 481_000, 4_581_000)), project)
    assert result.verdict == "符合" and result.coverage == []
    assert {c["source"] for c in result.inputs["coverage"]} == {"boundary"}


def test_a_prohibited_part_inside_keeps_the_site_prohibited(tmp_path):
    """The site touches the core zone and also leaves the red line's declared coverage: 禁止 ranks above."""
    cover = tmp_path / "red_cover.geojson"
    gpd.GeoDataFrame(geometry=[box(400_000, 4_500_000, 430_000, 4_600_000)], crs=GK).to_file(cover)
    project = write_project(tmp_path, redline_extra=", coverage: red_cover.geojson")
    with outside_warning():
        result = check(gk_site(box(445_000, 4_535_000, 446_000, 4_536_000)), project)
    assert result.verdict == "禁止"
    assert [(g.layer, g.source) for g in result.coverage] == [("redline", "declared")]
    assert result.coverage[0].outside_share == pytest.approx(1.0)


def test_declared_coverage_limits_one_layer_only(tmp_path):
    cover = tmp_path / "red_cover.geojson"
    gpd.GeoDataFrame(geometry=[box(400_000, 4_500_000, 430_000, 4_600_000)], crs=GK).to_file(cover)
    project = write_project(tmp_path, redline_extra=", coverage: red_cover.geojson")
    inside = check(gk_site(box(410_000, 4_580_000, 411_000, 4_581_000)), project)
    assert inside.verdict == "符合" and inside.coverage == []
    with outside_warning():
        east = check(gk_site(box(480_000, 4_580_000, 481_000, 4_581_000)), project)
    assert east.verdict == "无法判定"
    assert {g.layer for g in east.coverage} == {"redline"}


def test_missing_coverage_file_is_an_error(tmp_path):
    project = write_project(tmp_path, redline_extra=", coverage: nowhere.geojson")
    with pytest.raises(EcogisError, match="coverage file not found"):
        check(gk_site(Point(480_000, 4_580_000)), project)


# ---------------------------------------------------------------------------------------------------
# batch

def test_batch_sites_outside_are_undetermined(tmp_path):
    from ecogis.check_batch import check_batch

    project = write_project(tmp_path)
    pts = gk_site(Point(480_000, 4_580_000), Point(520_000, 4_580_000), Point(445_000, 4_535_000))
    with outside_warning():
        batch = check_batch(pts, project, chunk_size=2)
    rows = {r.id: r.verdict for c in batch.chunks() for r in c.sites.itertuples()}
    # x alone decides: 520 km is east of the boundary's 500 km edge; 445 km is in the core zone
    assert rows == {"S1": "符合", "S2": "无法判定", "S3": "禁止"}
    assert batch.verdict == "禁止"
    assert {g.site for g in batch.coverage} == {"S2"}


# ---------------------------------------------------------------------------------------------------
# plain CLI wording

def test_cli_hints_use_cli_wording_and_the_library_keeps_python_wording(tmp_path):
    from ecogis.outputs import check_output_path

    project = write_project(tmp_path)
    lon, lat = TO_GEO.transform(480_000, 4_580_000)
    out = tmp_path / "out"
    args = ["--at", f"{lon},{lat}", "--site-crs", "EPSG:4490", "-p", str(project), "--out", str(out),
            "--format", "json"]
    assert run(args).exit_code == 0
    again = CliRunner().invoke(check_cmd, args)
    assert again.exit_code == 2
    assert "Pass --overwrite to replace it" in again.stderr and "overwrite=True" not in again.stderr
    with pytest.raises(EcogisError, match=r"overwrite=True"):
        check_output_path(out / "check.json")


def test_every_report_format_shows_the_undetermined_banner_first(tmp_path, chinese_default):
    import docx
    import openpyxl

    project = write_project(tmp_path)
    lon, lat = TO_GEO.transform(620_000.0, 4_660_000.0)
    out = tmp_path / "reports"
    res = run(["--at", f"{lon},{lat}", "--site-crs", "EPSG:4490", "-p", str(project), "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "check.html").read_text(encoding="utf-8")
    assert 'id="undetermined"' in page and page.index("【无法判定】") < page.index("总体结论")
    paragraphs = [p.text for p in docx.Document(str(out / "check.docx")).paragraphs if p.text.strip()]
    assert paragraphs[1].startswith("【无法判定】")  # right under the chapter heading
    wb = openpyxl.load_workbook(out / "check.xlsx")
    assert wb.sheetnames[0] == "无法判定" and wb.worksheets[0]["A1"].value.startswith("【无法判定】")
    data = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "无法判定" and len(data["coverage_gaps"]) == 3


def test_coverage_by_administrative_name_and_layer_mapping(tmp_path):
    """`coverage: 大洼区` (an official boundary by name) and `coverage: {path:, layer:}`."""
    from ecogis.project import load_project

    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["红线A"]}, geometry=[box(121.9, 40.9, 122.0, 41.0)], crs=4490).to_file(
        gpkg, layer="redline")
    gpd.GeoDataFrame(geometry=[box(121.0, 40.0, 123.0, 42.0)], crs=4490).to_file(gpkg, layer="cover")
    yml = tmp_path / "project.yaml"
    yml.write_text("layers:\n"
                   "  redline: {kind: redline, path: controls.gpkg, layer: redline, coverage: 大洼区}\n"
                   "  redline2: {kind: redline, path: controls.gpkg, layer: redline,\n"
                   "             coverage: {path: controls.gpkg, layer: cover}}\n", encoding="utf-8")
    project = load_project(yml)
    assert project.layers["redline"].coverage == "大洼区"
    assert project.layers["redline2"].coverage_layer == "cover"
    # 盘锦市 centre (双台子区, about 122.06 E 41.19 N) lies outside 大洼区 and inside the 2° box
    site = gpd.GeoDataFrame({"id": ["S1"]}, geometry=[Point(122.06, 41.19)], crs=4490)
    with outside_warning():
        result = check(site, project)
    assert [(g.layer, g.coverage, g.source) for g in result.coverage] == [("redline", "大洼区", "declared")]
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers:\n  redline: {kind: redline, path: controls.gpkg, layer: redline,"
                   " coverage: {file: x.gpkg}}\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="coverage must be a path"):
        load_project(bad)


def test_batch_without_out_prints_the_summary(tmp_path, chinese_default):
    project = write_project(tmp_path)
    path = tmp_path / "pts.gpkg"
    gk_site(Point(480_000, 4_580_000), Point(520_000, 4_580_000)).to_file(path, layer="sites")
    res = run([str(path), "-p", str(project), "--batch", "--fail-on", "无法判定"])
    assert res.exit_code == 3
    lines = res.stdout.splitlines()
    assert lines[0].startswith("【无法判定】场址 S2") and lines[1] == "总体结论: 无法判定"
    assert not (tmp_path / "check.json").exists()
