"""Rules in a check: the text in force on the check date, and local rules only within their jurisdiction."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd

GK = 4550  # CGCS2000 3° GK, CM 123°E, no zone prefix
CORE = box(440_000, 4_530_000, 450_000, 4_540_000)
OUTFALL = Point(460_000, 4_535_000)
NEAR_OUTFALL = Point(460_300, 4_535_000)  # 300 m east of it
IN_CORE = box(444_000, 4_534_000, 445_000, 4_535_000)


def project(tmp_path, adcode):
    """Reserve core zone and one outfall inside a boundary with ``adcode`` (None: no adcode field)."""
    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["保护区"], "zone": ["核心区"]}, geometry=[CORE], crs=GK).to_file(gpkg, layer="reserve")
    gpd.GeoDataFrame({"name": ["排污口1"]}, geometry=[OUTFALL], crs=GK).to_file(gpkg, layer="outfall")
    fields = {"name": ["某市"]} if adcode is None else {"name": ["某市"], "adcode": [adcode]}
    gpd.GeoDataFrame(fields, geometry=[box(400_000, 4_500_000, 500_000, 4_600_000)], crs=GK).to_file(
        gpkg, layer="boundary")
    yml = tmp_path / "project.yaml"
    yml.write_text("name: 测试\nboundary: {path: controls.gpkg, layer: boundary}\nlayers:\n"
                   "  reserve: {kind: reserve, path: controls.gpkg, layer: reserve}\n"
                   "  outfalls: {kind: outfall, path: controls.gpkg, layer: outfall}\n", encoding="utf-8")
    return yml


def site(geom):
    return gpd.GeoDataFrame({"id": ["S1"], "name": ["场址"]}, geometry=[geom], crs=GK)


def outfall_rules(result):
    return {f.rule_id for f in result.findings if f.layer == "outfalls" and f.relation == "within_buffer"}


@pytest.mark.parametrize("adcode, expected", [("210902", "outfall-rectify"),  # a district of 阜新市 (2109)
                                              ("211100", "outfall-near")])  # 盘锦市: the Fuxin rule does not fire
def test_a_local_rule_fires_only_in_its_jurisdiction(tmp_path, adcode, expected):
    result = check(site(NEAR_OUTFALL), project(tmp_path, adcode), site_use="outfall")
    assert outfall_rules(result) == {expected}
    basis = " ".join(f.basis for f in result.findings)
    if adcode == "211100":
        assert "阜新" not in basis and any("2109" in a and "not applied" in a for a in result.assumptions)


def test_a_local_rule_is_not_applied_where_the_area_is_unknown(tmp_path):
    result = check(site(NEAR_OUTFALL), project(tmp_path, None), site_use="outfall")
    assert outfall_rules(result) == {"outfall-near"}
    assert any("outfall-rectify" in a and "unknown" in a and "no adcode" in a for a in result.assumptions)


@pytest.mark.parametrize("day, rule_id, article", [("2026-03-14", "reserve-core-2017", "第二十七条"),
                                                   ("2026-03-15", "reserve-core", "第二十六条（核心区对应核心保护区）")])
def test_the_check_date_selects_the_text_in_force(tmp_path, day, rule_id, article):
    result = check(site(IN_CORE), project(tmp_path, "211100"), at_date=day)
    core = [f for f in result.findings if f.relation == "intersects" and f.layer == "reserve"]
    assert [f.rule_id for f in core] == [rule_id] and core[0].verdict == "禁止"
    assert article in core[0].basis
    assert any(day in a and "in force" in a for a in result.assumptions)


def test_cli_at_date(tmp_path):
    yml = project(tmp_path, "211100")
    site(IN_CORE).to_file(tmp_path / "site.gpkg")
    runs = {day: CliRunner().invoke(check_cmd, [str(tmp_path / "site.gpkg"), "-p", str(yml), "--json",
                                                "--at-date", day]) for day in ("2026-03-14", "2026-03-15")}
    ids = {day: {f["rule_id"] for f in json.loads(r.output)["findings"] if f["relation"] == "intersects"}
           for day, r in runs.items()}
    assert ids == {"2026-03-14": {"reserve-core-2017"}, "2026-03-15": {"reserve-core"}}
    bad = CliRunner().invoke(check_cmd, [str(tmp_path / "site.gpkg"), "-p", str(yml), "--json", "--at-date", "15.3.2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
