"""Audits (ecogis.audit, `ecogis area`, `ecogis audit`) on small generated layers with known answers.

Expected figures come from closed forms (ellipsoidal quadrangles between parallels and meridians),
pyproj.Geod distances and lengths, and hand counts of the generated points.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import LineString, Point, box

from ecogis.area import layer_area
from ecogis.audit import load_spec, run_audit
from ecogis.errors import EcogisError
from ecogis.geodesy import CGCS2000_A, CGCS2000_F
from ecogis.render.area_text import area_text

B = CGCS2000_A * (1 - CGCS2000_F)
E2 = CGCS2000_F * (2 - CGCS2000_F)
E = np.sqrt(E2)
GEOD = pyproj.Geod(ellps="GRS80")
REPO = Path(__file__).resolve().parents[1]


def quad_km2(lon1, lat1, lon2, lat2):
    """Closed-form ellipsoidal area of a quadrangle between two parallels and two meridians, km²."""
    def zone(lat):
        s = np.sin(np.radians(lat))
        return B * B * (s / (2 * (1 - E2 * s * s)) + np.log((1 + E * s) / (1 - E * s)) / (4 * E))
    return (zone(lat2) - zone(lat1)) * np.radians(lon2 - lon1) / 1e6


CITY = (121.5, 40.7, 122.5, 41.3)
RL1 = (121.6, 40.8, 121.9, 41.0)
RL2 = (121.8, 40.9, 122.0, 41.1)        # overlaps RL1 in (121.8, 40.9, 121.9, 41.0)
RL3 = (122.4, 41.2, 122.6, 41.25)       # half outside the city
OVER = (121.8, 40.9, 121.9, 41.0)
RL4 = (121.55, 41.15, 121.65, 41.17)  # added in 2023, smaller than RL3 which is dropped


def redline_km2_within_city():
    inside3 = quad_km2(122.4, 41.2, 122.5, 41.25)
    return quad_km2(*RL1) + quad_km2(*RL2) - quad_km2(*OVER) + inside3


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("world")
    gpd.GeoDataFrame({"name": ["测试市"], "adcode": ["999999"]}, geometry=[box(*CITY)], crs=4490).to_file(
        d / "boundary.gpkg", layer="city")
    gpd.GeoDataFrame({"name": ["东区", "西区"]}, geometry=[box(121.5, 40.7, 122.0, 41.3), box(122.0, 40.7, 122.5, 41.3)],
                     crs=4490).to_file(d / "boundary.gpkg", layer="districts")
    red = gpd.GeoDataFrame({"id": ["R1", "R2", "R3"], "name": ["甲", "乙", "丙"], "type": ["湿地", "湿地", "海岸"]},
                           geometry=[box(*RL1), box(*RL2), box(*RL3)], crs=4490)
    red.to_file(d / "redline.gpkg")
    # 2023: R3 dropped (loses area), R4 added, R1 unchanged, R2 unchanged
    red23 = gpd.GeoDataFrame({"id": ["R1", "R2", "R4"], "name": ["甲", "乙", "丁"], "type": ["湿地", "湿地", "湿地"]},
                             geometry=[box(*RL1), box(*RL2), box(*RL4)], crs=4490)
    red23.to_file(d / "redline_2023.gpkg")
    grown = gpd.GeoDataFrame({"id": ["R1", "R2", "R3", "R4"]},
                             geometry=[box(*RL1), box(*RL2), box(*RL3), box(*RL4)], crs=4490)
    grown.to_file(d / "redline_grown.gpkg")
    zones = gpd.GeoDataFrame({"name": ["保护区"] * 3, "功能分区": ["核心区", "缓冲区", "实验区"]},
                             geometry=[box(121.6, 40.8, 121.7, 40.9), box(121.7, 40.8, 121.8, 40.9),
                                       box(121.8, 40.8, 121.9, 40.9)], crs=4490)
    zones.to_file(d / "reserve.geojson", driver="GeoJSON")
    wells = [(121.65, 40.85, "已关停")] * 4 + [(121.75, 40.85, "关停")] * 3 + [(121.85, 40.85, "已关停")] * 2 \
        + [(121.95, 40.85, "在产")]
    gpd.GeoDataFrame({"井号": [f"W{i}" for i in range(len(wells))], "状态": [w[2] for w in wells]},
                     geometry=[Point(w[0], w[1]) for w in wells], crs=4490).to_file(d / "wells.gpkg")
    pd.DataFrame({
        "断面名称": ["甲", "乙", "丙", "丁", "戊", "己"],
        "控制级别": ["省控"] * 5 + ["国控"],
        "水质目标": ["Ⅳ", "IV", "4", "Ⅲ类", "Ⅴ", "Ⅲ"],
        "实测水质": ["Ⅲ", "Ⅳ", "四类", "Ⅲ", "劣Ⅴ", "Ⅱ"],
        "经度": [121.6, 121.7, 121.8, 121.9, 122.0, 122.1], "纬度": [40.9] * 6,
    }).to_csv(d / "sections.csv", index=False, encoding="utf-8")
    shore = gpd.GeoDataFrame({"name": ["a", "b", "c"], "岸线类型": ["自然岸线", "人工岸线", "自然"]},
                             geometry=[LineString([(121.6, 40.75), (121.7, 40.75)]),
                                       LineString([(121.7, 40.75), (121.7, 40.85)]),
                                       LineString([(121.7, 40.85), (121.9, 40.9)])], crs=4490)
    shore.to_file(d / "shoreline.gpkg")
    pd.DataFrame({"名称": ["热源A", "热源B", "热源C", "热源D"], "蒸吨": [20, 30, 40, 10],
                  "经度": [121.70, 121.80, 121.71, 122.30], "纬度": [41.0, 41.1, 41.0, 41.0]}).to_csv(
        d / "heat.csv", index=False)
    pd.DataFrame({"名称": ["热电厂"], "经度": [121.75], "纬度": [41.05]}).to_csv(d / "chp.csv", index=False)
    gpd.GeoDataFrame({"name": ["城镇"]}, geometry=[box(122.1, 40.75, 122.3, 40.85)], crs=4490).to_file(d / "town.gpkg")
    gpd.GeoDataFrame({"name": ["错城"]}, geometry=[box(121.85, 40.95, 121.95, 41.05)], crs=4490).to_file(d / "town_bad.gpkg")
    return d


SPEC = """
title: 测试审计
defaults: {{unit: km2}}
layers:
  redline: {{path: redline.gpkg, kind: redline}}
  redline_2023: {{path: redline_2023.gpkg, kind: redline}}
  grown: {{path: redline_grown.gpkg}}
  city: {{path: boundary.gpkg, layer: city}}
  reserve: {{path: reserve.geojson, kind: reserve}}
  wells: {{path: wells.gpkg, kind: well}}
  sections: {{path: sections.csv, kind: water_section}}
  shoreline: {{path: shoreline.gpkg, kind: shoreline}}
  heat: {{path: heat.csv, kind: facility}}
  chp: {{path: chp.csv, kind: facility}}
  town: {{path: town.gpkg, kind: town_boundary}}
checks:
  - id: redline_area
    type: area_share
    layer: redline
    within: city
    declared: {declared}
    declared_share: {share}
  - id: wells_closed
    type: count_in_zones
    points: wells
    zones: reserve
    where: {{status: 已关停}}
    expect: {{核心区: 4, 缓冲区: 3, 实验区: 2}}
  - id: no_active_in_core
    type: count_in_zones
    points: wells
    zones: reserve
    where: {{status: 在产}}
    max: {{核心区: 0}}
  - id: provincial
    type: compliance
    layer: sections
    require_pct: {{省控: {prov_pct}}}
    expect_count: {{省控: 5}}
  - id: natural_shore
    type: length_share
    layer: shoreline
    field: type
    value: 自然
    expect_pct: {shore}
  - id: heating
    type: within_distance
    layer: heat
    where: {{capacity_tph: {{lt: 35}}}}
    near: chp
    distance_m: 15000
    expect_count: 2
  - id: grew
    type: no_decrease
    before: redline
    after: grown
    id_field: id
  - id: topo
    type: topology
    layer: redline_2023
    self_overlap: false
    must_not_overlap: [town]
"""


def expected_figures():
    area = redline_km2_within_city()
    share = 100 * area / quad_km2(*CITY)
    lens = [GEOD.inv(121.6, 40.75, 121.7, 40.75)[2], GEOD.inv(121.7, 40.75, 121.7, 40.85)[2],
            GEOD.inv(121.7, 40.85, 121.9, 40.9)[2]]
    shore = 100 * (lens[0] + lens[2]) / sum(lens)
    return area, share, shore


def write_spec(world, name="audit.yaml", **over):
    area, share, shore = expected_figures()
    values = {"declared": round(area, 2), "share": round(share, 2), "prov_pct": 80, "shore": round(shore, 2)}
    values.update(over)
    path = world / name
    path.write_text(SPEC.format(**values), encoding="utf-8")
    return path


def test_layer_area_counts_overlap_once_and_reports_it(world):
    gdf = gpd.read_file(world / "redline.gpkg")
    res = layer_area(gdf, unit="km2")
    expected_union = quad_km2(*RL1) + quad_km2(*RL2) - quad_km2(*OVER) + quad_km2(*RL3)
    assert res.area == pytest.approx(expected_union, rel=1e-7)
    assert res.overlap_removed == pytest.approx(quad_km2(*OVER), rel=1e-6)
    assert res.sum_of_features == pytest.approx(expected_union + quad_km2(*OVER), rel=1e-7)


def test_layer_area_within_share_and_districts(world):
    gdf = gpd.read_file(world / "redline.gpkg")
    city = gpd.read_file(world / "boundary.gpkg", layer="city")
    districts = gpd.read_file(world / "boundary.gpkg", layer="districts")
    res = layer_area(gdf, unit="ha", within=city, within_label="测试市", by="districts", districts=districts,
                     declared=100.0)
    area, share, _ = expected_figures()
    assert res.area == pytest.approx(area * 100, rel=1e-7)  # ha
    assert res.share_pct == pytest.approx(share, rel=1e-7)
    assert res.outside_area == pytest.approx(quad_km2(122.5, 41.2, 122.6, 41.25) * 100, rel=1e-6)
    west = quad_km2(*RL1) + quad_km2(*RL2) - quad_km2(*OVER)
    groups = {g.key: g for g in res.groups}
    assert groups["东区"].area == pytest.approx(west * 100, rel=1e-7)
    assert groups["东区"].share_pct == pytest.approx(100 * west / quad_km2(121.5, 40.7, 122.0, 41.3), rel=1e-7)
    assert res.declared_diff_pct == pytest.approx((area * 100 - 100) / 100 * 100, rel=1e-7)
    text = area_text(res)
    assert "公顷" in text and "椭球面积" in text and "CGCS2000" in text


def test_layer_area_by_field_in_mu(world):
    gdf = gpd.read_file(world / "redline.gpkg")
    res = layer_area(gdf, unit="mu", by="type")
    groups = {g.key: g.area for g in res.groups}
    assert groups["海岸"] == pytest.approx(quad_km2(*RL3) * 1500, rel=1e-7)
    assert groups["湿地"] == pytest.approx((quad_km2(*RL1) + quad_km2(*RL2) - quad_km2(*OVER)) * 1500, rel=1e-7)


def test_breakdown_groups_that_overlap_are_noted(world):
    gdf = gpd.read_file(world / "redline.gpkg")
    gdf["type"] = ["湿地", "海岸", "海岸"]              # R1 and R2 overlap in OVER: a place of both types
    res = layer_area(gdf, unit="km2", by="type")
    groups = {g.key: g.area for g in res.groups}
    assert groups["湿地"] == pytest.approx(quad_km2(*RL1), rel=1e-7)
    assert sum(groups.values()) - res.area == pytest.approx(quad_km2(*OVER), rel=1e-6)
    note = next(n for n in res.notes if "overlap" in n.text("en"))
    assert note.key == "area_groups_overlap"
    assert f"{quad_km2(*OVER):.2f} km²" in note.text("zh") and "各分组相互重叠" in note.text("zh")
    plain = layer_area(gpd.read_file(world / "redline.gpkg"), unit="km2", by="type")  # 湿地 / 海岸 disjoint
    assert not [n for n in plain.notes if "overlap" in str(n)]


def test_a_small_group_overlap_is_never_printed_as_zero():
    """Groups overlapping by a 10 m x 10 m square (GK zone 41, EPSG:4529): in km² that rounds to 0.00, so
    the note says "< 0.01 km²" beside the m² figure (from pyproj.Geod on the overlap's corners)."""
    x0, y0 = 41_500_000.0, 4_500_000.0
    a, b = box(x0, y0, x0 + 1000, y0 + 1000), box(x0 + 990, y0 + 990, x0 + 2000, y0 + 2000)
    gdf = gpd.GeoDataFrame({"type": ["甲", "乙"]}, geometry=[a, b], crs="EPSG:4529")
    res = layer_area(gdf, unit="km2", by="type")
    note = next(n for n in res.notes if n.key == "area_groups_overlap")
    lon, lat = pyproj.Transformer.from_crs(4529, 4490, always_xy=True).transform(
        [x0 + 990, x0 + 1000, x0 + 1000, x0 + 990], [y0 + 990, y0 + 990, y0 + 1000, y0 + 1000])
    overlap_m2 = abs(pyproj.Geod(a=CGCS2000_A, f=CGCS2000_F).polygon_area_perimeter(lon, lat)[0])
    assert "多 < 0.01 km²" in note.text("zh") and "0.00" not in note.text("zh")
    assert f"（{overlap_m2:.0f} m²" in note.text("zh")


def test_audit_all_checks_pass_with_true_figures(world):
    report = run_audit(load_spec(write_spec(world)))
    by_id = {c.id: c for c in report.checks}
    assert [c.id for c in report.checks if not c.passed] == []
    assert by_id["wells_closed"].metrics["counts"]["核心区"] == 4
    assert by_id["no_active_in_core"].metrics["counts"]["(outside all zones)"] == 1
    assert by_id["provincial"].metrics["groups"]["省控"]["pct"] == pytest.approx(80.0)
    # heat sources A (≈4.2 km) and B (≈6.4 km) are < 35 t/h and within 15 km; C is 40 t/h; D is far
    heat = by_id["heating"]
    assert sorted(d["name"] for d in heat.details) == ["热源A", "热源B"]
    d_a = GEOD.inv(121.70, 41.0, 121.75, 41.05)[2]
    assert {d["name"]: d["distance_m"] for d in heat.details}["热源A"] == pytest.approx(d_a, abs=0.5)
    grew = by_id["grew"].metrics
    assert grew["net"] == pytest.approx(quad_km2(*RL4), rel=1e-6)
    assert grew["lost"] == pytest.approx(0, abs=1e-9)
    assert by_id["topo"].metrics["overlap_town_m2"] == 0


def test_audit_failures_are_detected(world):
    area, share, shore = expected_figures()
    spec = write_spec(world, "bad.yaml", declared=round(area * 1.01, 2), prov_pct=100, shore=round(shore + 1, 2))
    text = spec.read_text(encoding="utf-8")
    text = text.replace("after: grown", "after: redline_2023").replace("must_not_overlap: [town]",
                                                                        "must_not_overlap: [town_bad.gpkg]")
    spec.write_text(text, encoding="utf-8")
    report = run_audit(load_spec(spec))
    failed = {c.id for c in report.checks if not c.passed}
    assert failed == {"redline_area", "provincial", "natural_shore", "grew", "topo"}
    grew = {c.id: c for c in report.checks}["grew"]
    lost = quad_km2(*RL3)
    assert grew.metrics["lost"] == pytest.approx(lost, rel=1e-6)
    assert grew.metrics["net"] == pytest.approx(quad_km2(*RL4) - lost, rel=1e-6)
    changes = {d["id"]: d["change"] for d in grew.details}
    assert changes == {"R3": "removed", "R4": "added"}
    topo = {c.id: c for c in report.checks}["topo"]
    # town_bad (121.85..121.95 × 40.95..41.05) lies wholly inside RL2 (121.8..122.0 × 40.9..41.1)
    assert topo.metrics["overlap_town_bad.gpkg_m2"] == pytest.approx(quad_km2(121.85, 40.95, 121.95, 41.05) * 1e6,
                                                                     rel=1e-6)


def test_topology_self_overlap_and_gaps(world):
    spec = world / "topo.yaml"
    spec.write_text(textwrap.dedent("""
        checks:
          - id: t
            type: topology
            layer: redline.gpkg
            boundary: boundary.gpkg
            max_outside_m2: 1
    """), encoding="utf-8")
    # boundary.gpkg has two layers: name the one to use
    spec.write_text(spec.read_text().replace("boundary: boundary.gpkg", "boundary: {path: boundary.gpkg, layer: city}"))
    report = run_audit(load_spec(spec))
    t = report.checks[0]
    assert not t.passed
    assert t.metrics["self_overlap_m2"] == pytest.approx(quad_km2(*OVER) * 1e6, rel=1e-6)
    assert t.metrics["outside_m2"] == pytest.approx(quad_km2(122.5, 41.2, 122.6, 41.25) * 1e6, rel=1e-6)


@pytest.mark.parametrize("body, key", [
    ("- id: a\n  type: area_share\n", "layer"),
    ("- id: a\n  type: nonsense\n  layer: x\n", "type"),
    ("- id: a\n  type: within_distance\n  layer: heat.csv\n  near: chp.csv\n  distance_m: far\n", "distance_m"),
    ("- id: a\n  type: count_in_zones\n  points: wells.gpkg\n  zones: reserve.geojson\n  where: {nope: 1}\n", "where"),
    ("- id: a\n  type: area_share\n  layer: missing.shp\n", "layer"),
    ("- id: a\n  type: compliance\n  layer: sections.csv\n  require_pct: {省控: many}\n", "require_pct"),
    ("- id: a\n  type: within_distance\n  layer: heat.csv\n  near: chp.csv\n  distance_m: 10\n  max_count: 2.5\n",
     "max_count"),
    ("- id: a\n  type: count_in_zones\n  points: wells.gpkg\n  zones: reserve.geojson\n  expect: {核心区: -1}\n",
     "expect"),
])
def test_bad_spec_names_check_and_key(world, body, key):
    spec = world / "badspec.yaml"
    spec.write_text("checks:\n" + textwrap.indent(body, "  "), encoding="utf-8")
    with pytest.raises(EcogisError) as err:
        run_audit(load_spec(spec))
    assert err.value.field == key
    assert "type" == key or "'a'" in str(err.value)


def run_cli(*args):
    """Run the ecogis command in-process (click's runner): exit code, stdout and stderr apart."""
    from click.testing import CliRunner

    from ecogis.cli import main

    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_installed_command_runs_audit_help():
    res = subprocess.run([str(Path(sys.executable).parent / "ecogis"), "audit", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "area_share" in res.stdout


def test_cli_audit_exit_codes_and_outputs(world, tmp_path, chinese_default):
    ok = run_cli("audit", str(write_spec(world, "cli.yaml")), "--out", str(tmp_path / "out"))
    assert ok.returncode == 0, ok.stderr
    assert "通过" in ok.stdout and "椭球面积" in ok.stdout
    rows = list(csv.reader((tmp_path / "out" / "audit.csv").open(encoding="utf-8-sig")))
    assert rows[0][0] == "编号" and len(rows) == 1 + 8
    assert (tmp_path / "out" / "audit.xlsx").stat().st_size > 0
    again = run_cli("audit", str(world / "cli.yaml"), "--out", str(tmp_path / "out"))
    assert again.returncode == 2 and "输出文件已存在" in again.stderr  # Chinese by default
    assert run_cli("audit", str(world / "cli.yaml"), "--out", str(tmp_path / "out"), "--overwrite").returncode == 0
    area, _, _ = expected_figures()
    bad = run_cli("audit", str(write_spec(world, "cli_bad.yaml", declared=round(area + 5, 2))), "--json", "--lang", "en")
    assert bad.returncode == 1
    payload = json.loads(bad.stdout)
    assert payload["failed"] == ["redline_area"]
    broken = world / "broken.yaml"
    broken.write_text("checks:\n  - id: x\n    type: length_share\n    layer: shoreline.gpkg\n", encoding="utf-8")
    res = run_cli("audit", str(broken))
    assert res.returncode == 2 and "'x'" in res.stderr and "value" in res.stderr


def test_cli_area_json(world, chinese_default):
    res = run_cli("area", str(world / "redline.gpkg"), "--within", str(world / "boundary.gpkg"), "--within-layer", "city",
                  "--by", "districts", "--districts", str(world / "boundary.gpkg"), "--districts-layer", "districts",
                  "--declared", "500", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    area, share, _ = expected_figures()
    for key in ("area", "unit", "method", "crs", "share_pct", "groups", "overlap_removed", "declared_diff_pct"):
        assert key in out
    assert out["area"] == pytest.approx(area, rel=1e-7) and out["unit"] == "km2" and out["method"] == "ellipsoid"
    assert out["share_pct"] == pytest.approx(share, rel=1e-7)
    assert out["overlap_removed"] == pytest.approx(quad_km2(*OVER), rel=1e-6)
    assert {g["key"] for g in out["groups"]} == {"东区", "西区"}
    assert out["declared_diff_pct"] == pytest.approx(100 * (area - 500) / 500, rel=1e-6)
    text = run_cli("area", str(world / "redline.gpkg"), "--kind", "redline", "--unit", "亩")
    assert text.returncode == 0 and "生态保护红线面积" in text.stdout and "亩" in text.stdout


def test_panjin_audit_script_runs_on_sample_data(tmp_path):
    spec = REPO / "scripts" / "panjin_audit.yaml"
    res = run_cli("audit", str(spec), "--json", "--out", str(tmp_path / "audit"))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    payload = json.loads(res.stdout)
    assert payload["passed"] and len(payload["checks"]) >= 7


def test_cli_area_sample_redline_counted_once():
    shp = REPO / "layers" / "redline" / "redline.shp"
    res = run_cli("area", str(shp), "--kind", "redline", "--within", str(REPO / "layers" / "boundary" / "panjin.gpkg"),
                  "--within-layer", "city", "--by", "districts", "--districts", str(REPO / "layers" / "boundary" / "panjin.gpkg"),
                  "--districts-layer", "districts", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    # the sample red line has overlapping parts: the dissolved total is less than the sum of the parts
    assert out["overlap_removed"] > 0
    assert out["sum_of_features"] - out["overlap_removed"] == pytest.approx(out["area"] + out["outside_area"], rel=1e-9)
    # districts partition the city: their red-line areas add up to the city total
    assert sum(g["area"] for g in out["groups"]) == pytest.approx(out["area"], rel=1e-6)
    assert out["crs"] == "EPSG:4529" and out["method"] == "ellipsoid" and out["unit"] == "km2"


def test_layer_area_methods_agree_and_plane_is_labelled(world):
    gdf = gpd.read_file(world / "redline.gpkg")
    ell = layer_area(gdf, method="ellipsoid")
    geo = layer_area(gdf, method="geodesic")
    plane = layer_area(gdf, method="plane")
    assert geo.area == pytest.approx(ell.area, rel=1e-7)  # both densified: same shape, two algorithms
    assert plane.plane_crs == "EPSG:4550"  # CGCS2000 3° GK CM 123°E (no prefix), nearest the data
    assert plane.area != pytest.approx(ell.area, rel=1e-6)
    assert "仅供比较" in area_text(plane) and "comparison only" in area_text(plane, "en")
