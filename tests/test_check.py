"""Site check: known answers computed independently (pyproj.Geod / GeographicLib, prcoords), never from
ecogis's own output.

The control layers are generated here in CGCS2000 3° Gauss-Kruger zone 41 without prefix
(EPSG:4550, central meridian 123°E), the way planning data arrives.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import prcoords
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import LineString, Point, box

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning, EcogisError

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E, no zone prefix
GEOD = pyproj.Geod(ellps="GRS80")  # CGCS2000 ellipsoid
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
OUTFALL_LONLAT = (122.40, 40.98)

CORE = box(440_000, 4_530_000, 450_000, 4_540_000)
BUFFER_ZONE = box(450_000, 4_530_000, 460_000, 4_540_000)
EXPERIMENTAL = box(460_000, 4_530_000, 470_000, 4_540_000)
# two overlapping red-line parts (the union must be counted once)
RED_A = box(420_000, 4_530_000, 425_000, 4_535_000)
RED_B = box(423_000, 4_530_000, 428_000, 4_535_000)


def geodesic_area_gk(geom, step=5.0):
    """Independent area: densify the GK polygon, inverse project, GeographicLib polygon area (m²)."""
    dense = shapely.segmentize(geom, step)
    lon, lat = TO_GEO.transform(*np.asarray(dense.exterior.coords).T)
    area, _ = GEOD.polygon_area_perimeter(lon, lat)
    return abs(area)


def area_tol(m2):
    """Official (vertex-by-vertex ellipsoidal) vs densified geodesic area: 0.2 m² per km², at least 0.5 m²."""
    return max(0.5, 2e-7 * m2)


def geodesic_length_gk(line, step=5.0):
    dense = shapely.segmentize(line, step)
    lon, lat = TO_GEO.transform(*np.asarray(dense.coords).T)
    return GEOD.line_length(lon, lat)


@pytest.fixture
def project(tmp_path):
    """A GeoPackage with reserve zones, red line and one outfall, and a YAML project pointing at it."""
    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["辽河口"] * 3, "zone": ["核心区", "缓冲区", "实验区"]},
                     geometry=[CORE, BUFFER_ZONE, EXPERIMENTAL], crs=GK).to_file(gpkg, layer="reserve")
    gpd.GeoDataFrame({"id": ["R1", "R2"], "name": ["红线A", "红线B"]},
                     geometry=[RED_A, RED_B], crs=GK).to_file(gpkg, layer="redline")
    gpd.GeoDataFrame({"name": ["排污口1"], "type": ["入河"]},
                     geometry=[Point(*OUTFALL_LONLAT)], crs=4490).to_file(gpkg, layer="outfall")
    (tmp_path / "sub").mkdir()
    yml = tmp_path / "sub" / "project.yaml"
    yml.write_text(
        "name: 测试项目\n"
        "buffers_m: [500, 1000, 5000]\n"
        "layers:\n"
        "  reserve: {kind: reserve, path: ../controls.gpkg, layer: reserve}\n"
        "  redline: {kind: redline, path: ../controls.gpkg, layer: redline}\n"
        "  outfalls: {kind: outfall, path: ../controls.gpkg, layer: outfall}\n", encoding="utf-8")
    return yml


def gk_site(geom):
    return gpd.GeoDataFrame({"id": ["S1"], "name": ["场址1"]}, geometry=[geom], crs=GK)


def no_crs_given():
    """Bare "lon,lat" coordinates without --site-crs: read as CGCS2000 with a warning."""
    return pytest.warns(AssumptionWarning, match="site coordinates have no CRS given.*datum assumed CGCS2000")


def test_square_half_inside_core_zone_is_prohibited_with_analytic_half_area(project):
    site = box(449_000, 4_534_000, 451_000, 4_536_000)  # 2 km square, west half in the core zone
    result = check(gk_site(site), project)
    assert result.verdict == "禁止"
    core = [f for f in result.findings if f.relation == "intersects" and f.zone == "核心区"]
    assert len(core) == 1 and core[0].verdict == "禁止"
    assert "第二十七条" in core[0].basis
    half = geodesic_area_gk(box(449_000, 4_534_000, 450_000, 4_536_000))
    whole = geodesic_area_gk(site)
    assert core[0].overlap_area_m2 == pytest.approx(half, abs=0.5)
    assert core[0].share_of_site == pytest.approx(half / whole, abs=1e-6)
    d = core[0].to_dict()
    assert d["overlap_area_ha"] == pytest.approx(half / 10_000, abs=1e-4)
    assert d["overlap_area_mu"] == pytest.approx(half * 15 / 10_000, abs=1e-3)
    # the other half lies in the buffer zone, also prohibited (Art. 28)
    buf = [f for f in result.findings if f.relation == "intersects" and f.zone == "缓冲区"]
    assert buf[0].overlap_area_m2 == pytest.approx(geodesic_area_gk(box(450_000, 4_534_000, 451_000, 4_536_000)),
                                                   abs=0.5)


def test_overlapping_redline_parts_are_dissolved_in_the_zone_summary(project):
    site = box(421_000, 4_531_000, 427_000, 4_533_000)
    result = check(gk_site(site), project)
    per_feature = [f for f in result.findings if f.layer == "redline" and f.relation == "intersects"]
    assert len(per_feature) == 2
    zone = [z for z in result.zones if z.layer == "redline"]
    assert len(zone) == 1 and zone[0].features == 2
    expected = geodesic_area_gk(site.intersection(RED_A.union(RED_B)))
    assert zone[0].overlap_area_m2 == pytest.approx(expected, abs=area_tol(expected))
    # per-feature areas double count the 2 km overlap strip; the summary does not
    assert sum(f.overlap_area_m2 for f in per_feature) > expected + 1e6
    assert result.verdict == "禁止"


def test_point_800_m_from_an_outfall(project):
    lon, lat, _ = GEOD.fwd(*OUTFALL_LONLAT, 37.0, 800.0)
    with no_crs_given():
        result = check(f"{lon},{lat}", project)
    outf = [f for f in result.findings if f.layer == "outfalls"]
    near = [f for f in outf if f.relation == "nearest"][0]
    within = [f for f in outf if f.relation == "within_buffer"][0]
    assert near.distance_m == pytest.approx(800.0, abs=1.0)
    assert within.distance_m == pytest.approx(800.0, abs=1.0)
    assert within.buffer_m == 1000
    assert near.feature == "排污口1"


def test_pipeline_crossing_the_buffer_zone_reports_crossing_length(project):
    pipe = LineString([(445_000, 4_535_000), (465_000, 4_537_000)])
    with pytest.warns(AssumptionWarning, match="screened as linear infrastructure"):
        result = check(gk_site(pipe), project)
    buf = [f for f in result.findings if f.relation == "intersects" and f.zone == "缓冲区"][0]
    expected = geodesic_length_gk(LineString([(450_000, 4_535_500), (460_000, 4_536_500)]))
    assert buf.overlap_length_m == pytest.approx(expected, abs=0.05)
    assert buf.overlap_area_m2 is None
    assert buf.share_of_site == pytest.approx(expected / geodesic_length_gk(pipe), abs=1e-6)
    assert buf.verdict == "禁止"
    assert result.verdict == "禁止"


def test_gcj02_site_is_converted_before_the_check(project):
    lon, lat, _ = GEOD.fwd(*OUTFALL_LONLAT, 200.0, 800.0)
    g = prcoords.wgs_gcj(prcoords.Coords(lat, lon))  # independent WGS-84 -> GCJ-02
    result = check(f"{g.lon},{g.lat}", project, site_crs="GCJ-02")
    near = [f for f in result.findings if f.layer == "outfalls" and f.relation == "nearest"][0]
    assert near.distance_m == pytest.approx(800.0, abs=1.0)
    assert any("GCJ-02" in a for a in result.assumptions)
    # unconverted, the same numbers land hundreds of metres away
    raw = check(f"{g.lon},{g.lat}", project, site_crs="EPSG:4490")
    raw_d = [f for f in raw.findings if f.layer == "outfalls" and f.relation == "nearest"][0].distance_m
    assert abs(raw_d - 800.0) > 50


def test_site_outside_all_layers_is_clear_with_nearest_distances(project):
    lon, lat = TO_GEO.transform(480_000, 4_580_000)
    with no_crs_given():
        result = check(f"{lon},{lat}", project)
    assert result.verdict == "符合"
    assert {f.layer for f in result.findings if f.relation == "nearest"} == {"reserve", "redline", "outfalls"}
    expected = GEOD.inv(lon, lat, *TO_GEO.transform(470_000, 4_540_000))[2]  # nearest corner: experimental zone
    res = [f for f in result.findings if f.layer == "reserve" and f.relation == "nearest"][0]
    assert res.zone == "实验区"
    assert res.distance_m == pytest.approx(expected, abs=0.5)


def outside_coverage():
    """A site beyond the data extent of a project without boundary: 无法判定 and the extent stated."""
    return pytest.warns(AssumptionWarning, match="outside the coverage|data extent of the project's layers")


def test_far_away_site_warns_about_swapped_axes_or_wrong_crs(project):
    swapped = gpd.GeoDataFrame({"id": ["S1"]}, geometry=[Point(41.0, 122.4)], crs=4490)  # lat, lon labelled lon, lat
    with outside_coverage(), pytest.warns(AssumptionWarning, match="swapped X/Y"):
        result = check(swapped, project)
    assert any("swapped X/Y" in a for a in result.assumptions)
    assert result.verdict == "无法判定"
    with outside_coverage(), pytest.warns(AssumptionWarning, match="more than 50 km"), no_crs_given():
        assert check("110.0,30.0", project).verdict == "无法判定"


def test_bare_coordinates_in_surveying_order_are_recognised(project):
    """'X,Y' with X = northing and Y = zone-prefixed easting (zone 41) is read as EPSG:4529, swapped."""
    lon, lat, _ = GEOD.fwd(*OUTFALL_LONLAT, 90.0, 800.0)
    e, n = pyproj.Transformer.from_crs(4490, 4529, always_xy=True).transform(lon, lat)
    with pytest.warns(AssumptionWarning, match="no CRS given"):
        result = check(f"{n:.3f},{e:.3f}", project)
    assert result.inputs["site"]["crs"] == "EPSG:4529"
    near = [f for f in result.findings if f.layer == "outfalls" and f.relation == "nearest"][0]
    assert near.distance_m == pytest.approx(800.0, abs=1.0)
    # lat,lon typed the wrong way round is recognised too
    with pytest.warns(AssumptionWarning, match="swapped"):
        r2 = check(f"{lat},{lon}", project)
    assert [f for f in r2.findings if f.layer == "outfalls" and f.relation == "nearest"][0].distance_m == \
        pytest.approx(800.0, abs=1.0)


def test_invalid_site_geometry_is_repaired_and_reported(project):
    bowtie = shapely.Polygon([(449_000, 4_534_000), (451_000, 4_536_000), (451_000, 4_534_000),
                              (449_000, 4_536_000)])
    assert not bowtie.is_valid
    with pytest.warns(AssumptionWarning, match="invalid geometry"):
        result = check(gk_site(bowtie), project)
    assert any("repaired" in a for a in result.assumptions)
    # the repaired bow-tie is two triangles; the west one (1 km²-ish) lies in the core zone
    west = shapely.Polygon([(449_000, 4_534_000), (450_000, 4_535_000), (449_000, 4_536_000)])
    core = [f for f in result.findings if f.relation == "intersects" and f.zone == "核心区"][0]
    # diagonal edges: the official vertex-by-vertex method and the densified geodesic differ by a few m²
    assert core.overlap_area_m2 == pytest.approx(geodesic_area_gk(west), rel=1e-5)


def test_empty_site_file_is_an_error(project, tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(EcogisError):
        check(empty, project)


def test_site_use_selects_the_specific_rule(project):
    site = box(445_000, 4_535_000, 445_100, 4_535_100)
    result = check(gk_site(site), project, site_use="油井")
    core = [f for f in result.findings if f.relation == "intersects"][0]
    assert core.rule_id == "reserve-core-well"


def test_batch_many_sites_one_row_per_site_and_finding(project):
    xs = np.linspace(441_000, 469_000, 200)
    pts = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(xs))]},
                           geometry=shapely.points(xs, np.full(len(xs), 4_535_000.0)), crs=GK)
    result = check(pts, project, batch=True)
    assert len(result.sites) == 200
    verdict = {s.id: s.verdict for s in result.sites}
    # independent expectation from x alone: core/buffer prohibited, experimental restricted
    for i, x in enumerate(xs):
        assert verdict[f"P{i}"] == ("禁止" if x < 460_000 else "限制"), x
    assert result.zones == []  # no dissolved summary in batch mode


# ---------------------------------------------------------------------------------------------------
# CLI

def run(args):
    return CliRunner().invoke(check_cmd, args, catch_exceptions=False)


def test_cli_json_and_exit_codes(project, tmp_path):
    lon, lat = TO_GEO.transform(449_500, 4_535_000)  # inside the core zone
    res = run(["--at", f"{lon},{lat}", "--project", str(project), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["verdict"] == "禁止"
    keys = {"layer", "kind", "feature", "zone", "relation", "overlap_area_m2", "distance_m", "verdict", "rule", "basis"}
    assert keys <= set(payload["findings"][0])
    assert run(["--at", f"{lon},{lat}", "-p", str(project), "--json", "--fail-on", "限制"]).exit_code == 3
    assert run(["--at", f"{lon},{lat}", "-p", str(project), "--json", "--fail-on", "prohibited"]).exit_code == 3
    far_lon, far_lat = TO_GEO.transform(480_000, 4_580_000)
    assert run(["--at", f"{far_lon},{far_lat}", "-p", str(project), "--json", "--fail-on", "需论证"]).exit_code == 0


def test_cli_writes_reports_and_refuses_to_overwrite(project, tmp_path):
    lon, lat = TO_GEO.transform(449_500, 4_535_000)
    out = tmp_path / "out"
    res = run(["--at", f"{lon},{lat}", "-p", str(project), "--out", str(out), "--format", "json,xlsx"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "check.json").read_text(encoding="utf-8"))["verdict"] == "禁止"
    assert (out / "check.xlsx").exists()
    again = CliRunner().invoke(check_cmd, ["--at", f"{lon},{lat}", "-p", str(project), "--out", str(out),
                                           "--format", "json"])
    assert again.exit_code == 2 and "exists" in again.stderr
    assert run(["--at", f"{lon},{lat}", "-p", str(project), "--out", str(out), "--format", "json",
                "--overwrite"]).exit_code == 0


def test_cli_bad_input_exits_2(project, tmp_path):
    res = CliRunner().invoke(check_cmd, ["--at", "not a site", "-p", str(project), "--json"])
    assert res.exit_code == 2
    res = CliRunner().invoke(check_cmd, ["--at", "121,41", "-p", str(project), "--json", "--buffer", "500,-3"])
    assert res.exit_code == 2 and "buffer" in res.stderr


def test_cli_batch_csv_of_points(project, tmp_path):
    lons, lats = TO_GEO.transform([445_000, 455_000, 465_000, 480_000], [4_535_000] * 4)
    csv = tmp_path / "pts.csv"
    csv.write_text("编号,经度,纬度\n" + "".join(f"Q{i},{x:.7f},{y:.7f}\n" for i, (x, y) in enumerate(zip(lons, lats))),
                   encoding="utf-8")
    out = tmp_path / "batch"
    res = run([str(csv), "-p", str(project), "--batch", "--format", "xlsx,json", "--out", str(out),
               "--site-crs", "EPSG:4490", "--findings", "all"])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert {s["id"]: s["verdict"] for s in data["sites"]} == {"Q0": "禁止", "Q1": "禁止", "Q2": "限制", "Q3": "符合"}
    from openpyxl import load_workbook

    rows = list(load_workbook(out / "check.xlsx")["findings"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(data["findings"])
    assert {r[0] for r in rows[1:]} == {"Q0", "Q1", "Q2", "Q3"}


def test_gcj02_csv_file_via_cli(project, tmp_path):
    lon, lat, _ = GEOD.fwd(*OUTFALL_LONLAT, 300.0, 800.0)
    g = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
    csv = tmp_path / "amap.csv"
    csv.write_text(f"名称,经度,纬度\n泵站,{g.lon:.8f},{g.lat:.8f}\n", encoding="utf-8")
    res = run([str(csv), "-p", str(project), "--site-crs", "GCJ-02", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    near = [f for f in data["findings"] if f["layer"] == "outfalls" and f["relation"] == "nearest"][0]
    assert near["distance_m"] == pytest.approx(800.0, abs=1.0)


def test_project_rules_file_and_cli_rules_override(project, tmp_path):
    site = gk_site(box(449_000, 4_534_000, 449_500, 4_534_500))  # inside the core zone only
    local = tmp_path / "local.yaml"
    local.write_text("rules:\n  - id: reserve-core\n    kind: reserve\n    zone: 核心区\n    relation: intersects\n"
                     "    verdict: 需论证\n    rule_zh: 本地试验规则\n    basis: 测试\n", encoding="utf-8")
    assert check(site, project).verdict == "禁止"
    assert check(site, project, rules=local).verdict == "需论证"
    text = project.read_text(encoding="utf-8").replace("buffers_m:", f"rules: {local}\nbuffers_m:")
    project.write_text(text, encoding="utf-8")
    assert check(site, project).verdict == "需论证"


def test_cli_malformed_rules_exit_2_naming_the_line(project, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - kind: reserve\n    relation: intersects\n    verdict: perhaps\n", encoding="utf-8")
    res = CliRunner().invoke(check_cmd, ["--at", "122.4,41.0", "-p", str(project), "--rules", str(bad), "--json"])
    assert res.exit_code == 2
    assert "line 4" in res.stderr and "bad.yaml" in res.stderr


def test_site_whose_prj_cannot_reach_cgcs2000_is_a_one_line_error(project, tmp_path):
    """A .prj on a made-up ellipsoid (6 000 km radius) cannot be transformed to CGCS2000: the check
    refuses it naming the file, instead of a PROJ traceback or a screening in the wrong place."""
    odd = pyproj.CRS.from_proj4("+proj=longlat +a=6000000 +rf=200 +no_defs")
    site = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(123.0, 40.9)], crs=odd)
    path = tmp_path / "odd.shp"
    site.to_file(path)
    res = CliRunner().invoke(check_cmd, [str(path), "--project", str(project), "--json"])
    assert res.exit_code == 2, res.output
    line = res.stderr.strip().splitlines()[-1]
    assert "odd.shp" in line and "cannot be transformed to CGCS2000" in line
