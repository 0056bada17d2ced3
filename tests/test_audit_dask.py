"""Audits on a real ``dask.distributed.LocalCluster`` of 2 worker processes (``engine: dask``): points per
zone, features within a distance and the dissolved area give the in-process figures, and the figures
computed independently (closed forms on a grid, pyproj.Geod distances, the union of squares)."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from distributed import LocalCluster

from ecogis.audit import load_spec, run_audit
from ecogis.cli.area_cmds import audit as audit_cmd
from ecogis.geodesy import GEOD

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E
X0, Y0 = 400_000.0, 4_500_000.0
KM = 1000.0
ZONES = {"甲": (0, 0, 10, 10), "乙": (10, 0, 20, 10), "丙": (5, 5, 15, 15)}  # km from (X0, Y0); 丙 overlaps both
SQUARES = [(0, 0, 4, 4), (2, 2, 6, 6), (5, 0, 8, 3), (20, 20, 21, 21)]  # red line, km: two overlap by 2 × 2
GROUPS = ["甲类", "甲类", "乙类", None]  # the field ``group`` of the squares (the last one missing: "(空)")
CITY = (1, 1, 7, 7)
HALVES = {"西区": (1, 1, 4, 7), "东区": (4, 1, 7, 7)}  # the city cut in two districts

SPEC = """
title: 分布式审计
defaults: {engine}
layers:
  wells: {{path: data.gpkg, layer: wells}}
  zones: {{path: data.gpkg, layer: zones}}
  heat: {{path: data.gpkg, layer: heat}}
  chp: {{path: data.gpkg, layer: chp}}
  redline: {{path: data.gpkg, layer: redline, kind: redline}}
  city: {{path: data.gpkg, layer: city}}
  halves: {{path: data.gpkg, layer: halves}}
checks:
  - id: per_zone
    type: count_in_zones
    points: wells
    zones: zones
    zone_field: name
    max: {{甲: 1600}}
  - id: near_chp
    type: within_distance
    layer: heat
    near: chp
    distance_m: 3000
  - id: red_plane
    type: area_share
    layer: redline
    method: plane
    unit: m2
  - id: red_in_city
    type: area_share
    layer: redline
    within: city
    unit: ha
  - id: by_group_plane
    type: area_share
    layer: redline
    by: group
    method: plane
    unit: km2
  - id: by_group_in_city
    type: area_share
    layer: redline
    within: city
    by: group
    method: plane
    unit: km2
  - id: by_group_geodesic
    type: area_share
    layer: redline
    within: city
    by: group
    method: geodesic
    unit: ha
  - id: by_districts
    type: area_share
    layer: redline
    within: city
    by: districts
    districts: halves
    unit: m2
"""


def km_box(x0, y0, x1, y1):
    return shapely.box(X0 + x0 * KM, Y0 + y0 * KM, X0 + x1 * KM, Y0 + y1 * KM)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A grid of 80 × 80 wells (250 m apart, none on a zone edge), 3 zones, 2 000 random heat plants and
    5 CHP plants, 4 red-line squares and a city square (GK zone 41)."""
    tmp = tmp_path_factory.mktemp("audit_dask")
    gpkg = tmp / "data.gpkg"
    g = 125 + 250 * np.arange(80)
    gx, gy = np.meshgrid(X0 + g, Y0 + g)
    gpd.GeoDataFrame({"name": [f"井{i}" for i in range(gx.size)]}, geometry=shapely.points(gx.ravel(), gy.ravel()),
                     crs=GK).to_file(gpkg, layer="wells")
    gpd.GeoDataFrame({"name": list(ZONES)}, geometry=[km_box(*b) for b in ZONES.values()], crs=GK).to_file(
        gpkg, layer="zones")
    rng = np.random.default_rng(5)
    heat = rng.uniform((X0, Y0), (X0 + 20 * KM, Y0 + 20 * KM), (2000, 2))
    gpd.GeoDataFrame({"name": [f"热源{i}" for i in range(2000)]}, geometry=shapely.points(heat), crs=GK).to_file(
        gpkg, layer="heat")
    chp = rng.uniform((X0, Y0), (X0 + 20 * KM, Y0 + 20 * KM), (5, 2))
    gpd.GeoDataFrame({"name": [f"热电{i}" for i in range(5)]}, geometry=shapely.points(chp), crs=GK).to_file(
        gpkg, layer="chp")
    gpd.GeoDataFrame({"name": [f"红线{i}" for i in range(len(SQUARES))], "group": GROUPS},
                     geometry=[km_box(*b) for b in SQUARES], crs=GK).to_file(gpkg, layer="redline")
    gpd.GeoDataFrame({"name": list(HALVES)}, geometry=[km_box(*b) for b in HALVES.values()], crs=GK).to_file(
        gpkg, layer="halves")
    gpd.GeoDataFrame({"name": ["测试市"]}, geometry=[km_box(*CITY)], crs=GK).to_file(gpkg, layer="city")
    return tmp


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as c:
        yield c


def spec_file(world, name, engine=""):
    path = world / name
    path.write_text(SPEC.format(engine="{" + engine + "}"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(world, cluster):
    local = run_audit(load_spec(spec_file(world, "local.yaml")))
    dask = run_audit(load_spec(spec_file(world, "dask.yaml", f"engine: dask, scheduler: '{cluster.scheduler_address}'")))
    return {c.id: c for c in local.checks}, {c.id: c for c in dask.checks}


def test_dask_audit_figures_equal_the_in_process_ones(reports):
    local, dask = reports
    for cid in ("per_zone", "near_chp"):
        assert dask[cid].metrics == local[cid].metrics
        assert dask[cid].details == local[cid].details
        assert (dask[cid].passed, dask[cid].value) == (local[cid].passed, local[cid].value)
    for cid in ("red_plane", "red_in_city", "by_group_plane", "by_group_in_city", "by_group_geodesic",
                "by_districts"):
        for key, value in local[cid].metrics.items():
            if isinstance(value, float):
                assert dask[cid].metrics[key] == pytest.approx(value, rel=1e-9, abs=1e-6), key
            else:
                assert dask[cid].metrics[key] == value, key
        assert dask[cid].value == local[cid].value  # the figure as shown (2 decimals)


def test_dask_zone_counts_are_the_grid_counts(reports):
    _, dask = reports
    counts = dask["per_zone"].metrics["counts"]
    # 40 × 40 grid points in each 10 km square; 甲 ∪ 乙 ∪ 丙 holds 80 × 40 + 40 × 20 of the 6 400
    assert counts == {"甲": 1600, "乙": 1600, "丙": 1600, "(outside all zones)": 6400 - 4000}
    assert dask["per_zone"].passed


def test_dask_within_distance_count_is_the_geodesic_brute_force(reports, world):
    _, dask = reports
    heat = gpd.read_file(world / "data.gpkg", layer="heat").to_crs(4490)
    chp = gpd.read_file(world / "data.gpkg", layer="chp").to_crs(4490)
    hx, hy = np.repeat(heat.geometry.x.to_numpy(), 5), np.repeat(heat.geometry.y.to_numpy(), 5)
    cx, cy = np.tile(chp.geometry.x.to_numpy(), len(heat)), np.tile(chp.geometry.y.to_numpy(), len(heat))
    d = GEOD.inv(hx, hy, cx, cy)[2].reshape(len(heat), 5).min(axis=1)
    assert dask["near_chp"].metrics["count"] == int((d <= 3000).sum()) > 100


def test_dask_dissolved_area_is_the_union_of_the_squares(reports):
    _, dask = reports
    union_km2 = 16 + 16 - 4 + (9 - 1) + 1  # two 4 × 4 squares overlapping 2 × 2; a 3 × 3 one overlapping 1 × 1
    assert dask["red_plane"].metrics["area_m2"] == pytest.approx(union_km2 * 1e6, rel=1e-9)
    assert dask["red_plane"].metrics["overlap_removed_m2"] == pytest.approx(5e6, rel=1e-9)


def _groups(check) -> dict:
    return {d["key"]: d for d in check.details}


def test_dask_area_by_field_is_the_union_of_each_group(reports):
    """Per value of ``group``: the union of its squares (closed form, km² in the GK plane), in order of first
    appearance, a missing value as "(空)", shares of the dissolved total (37 km²)."""
    _, dask = reports
    groups = _groups(dask["by_group_plane"])
    assert list(groups) == ["甲类", "乙类", "(空)"]
    expected_km2 = {"甲类": 16 + 16 - 4, "乙类": 9, "(空)": 1}
    for name, km2 in expected_km2.items():
        assert groups[name]["area"] == pytest.approx(km2, rel=1e-9), name
        assert groups[name]["share_pct"] == pytest.approx(100 * km2 / 37, rel=1e-9), name
    assert dask["by_group_plane"].metrics["area_m2"] == pytest.approx(37e6, rel=1e-9)


def test_dask_area_by_field_within_the_city(reports):
    """Each group clipped to the city (1..7 km square, 36 km²): 甲类 (1,1)-(4,4) ∪ (2,2)-(6,6) = 9 + 16 - 4,
    乙类 (5,1)-(7,3) = 4, the far square 0; shares of the city."""
    _, dask = reports
    groups = _groups(dask["by_group_in_city"])
    for name, km2 in {"甲类": 21, "乙类": 4, "(空)": 0}.items():
        assert groups[name]["area"] == pytest.approx(km2, rel=1e-9, abs=1e-9), name
        assert groups[name]["share_pct"] == pytest.approx(100 * km2 / 36, rel=1e-9, abs=1e-9), name


def test_dask_area_by_field_geodesic_is_the_pyproj_geod_area(reports):
    """Geodesic group areas (ha) against pyproj.Geod on the clipped unions, densified to 50 m."""
    _, dask = reports
    city = km_box(*CITY)
    to_geo = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
    for name, idx in {"甲类": [0, 1], "乙类": [2]}.items():
        clipped = shapely.intersection(shapely.union_all([km_box(*SQUARES[i]) for i in idx]), city)
        geo = shapely.transform(shapely.segmentize(clipped, 50.0), lambda xy: np.column_stack(to_geo.transform(*xy.T)))
        ha = abs(GEOD.geometry_area_perimeter(geo)[0]) / 1e4
        assert _groups(dask["by_group_geodesic"])[name]["area"] == pytest.approx(ha, rel=1e-6), name


def test_dask_area_by_districts_cuts_the_dissolved_layer(reports):
    """West half (1..4 km × 1..7 km) ∩ red line = (1,1)-(4,4) ∪ (2,2)-(4,6) = 9 + 8 - 4 = 13 km²; east half:
    (4,2)-(6,6) = 8 plus (5,1)-(7,3) = 4 less their overlap (5,2)-(6,3) = 1: 11 km²."""
    _, dask = reports
    groups = _groups(dask["by_districts"])
    assert groups["西区"]["area"] == pytest.approx(13e6, rel=1e-3)  # ellipsoidal m²: within the GK scale
    assert groups["东区"]["area"] == pytest.approx(11e6, rel=1e-3)


def test_dask_area_by_equals_the_in_process_breakdown(reports):
    local, dask = reports
    for cid in ("by_group_plane", "by_group_in_city", "by_group_geodesic", "by_districts"):
        assert [d["key"] for d in dask[cid].details] == [d["key"] for d in local[cid].details], cid
        for got, want in zip(dask[cid].details, local[cid].details):
            for key, value in want.items():
                if isinstance(value, float):
                    assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (cid, key)
                else:
                    assert got[key] == value, (cid, key)
        assert dask[cid].value == local[cid].value
        assert [str(n) for n in dask[cid].notes] == [str(n) for n in local[cid].notes]


def test_cli_audit_engine_dask_gives_the_in_process_figures(world, cluster, reports):
    """``ecogis audit --engine dask --scheduler ...`` on a spec without the key prints the in-process figures."""
    local, _ = reports
    res = CliRunner().invoke(audit_cmd, [str(spec_file(world, "cli.yaml")), "--json", "--engine", "dask",
                                         "--scheduler", cluster.scheduler_address])
    assert res.exit_code == 0, res.output
    got = {c["id"]: c for c in json.loads(res.output)["checks"]}
    for cid in ("per_zone", "near_chp"):
        assert got[cid]["metrics"] == json.loads(json.dumps(local[cid].metrics))
    assert got["red_plane"]["metrics"]["area_m2"] == pytest.approx(local["red_plane"].metrics["area_m2"], rel=1e-9)
