"""Batch screening in a process pool (``check_batch(..., workers=N)``, ``ecogis check --batch --workers N``):
every chunk, finding and figure equals the one-process run, across GK zones and use groups."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box

from ecogis.batch_pool import site_zones, zone_chunks
from ecogis.check_batch import check_batch
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning, EcogisError

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E
X0, Y0 = 440_000.0, 4_530_000.0
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Generated control layers: 300 red-line squares, a zoned reserve, 20 outfalls (GK CM 123°E)."""
    rng = np.random.default_rng(3)
    tmp = tmp_path_factory.mktemp("pool")
    gpkg = tmp / "controls.gpkg"
    x, y = rng.uniform(X0 - 90_000, X0 + 20_000, 300), rng.uniform(Y0, Y0 + 20_000, 300)
    gpd.GeoDataFrame({"id": [f"R{i}" for i in range(300)], "name": [f"红线{i}" for i in range(300)]},
                     geometry=shapely.box(x, y, x + 400, y + 300), crs=GK).to_file(gpkg, layer="redline")
    gpd.GeoDataFrame({"name": ["保护区"] * 2, "zone": ["核心区", "实验区"]},
                     geometry=[box(X0, Y0, X0 + 3000, Y0 + 3000), box(X0 + 3000, Y0, X0 + 6000, Y0 + 3000)],
                     crs=GK).to_file(gpkg, layer="reserve")
    pts = rng.uniform((X0 - 20_000, Y0), (X0 + 20_000, Y0 + 20_000), (20, 2))
    gpd.GeoDataFrame({"name": [f"排污口{i}" for i in range(20)]}, geometry=shapely.points(pts),
                     crs=GK).to_file(gpkg, layer="outfall")
    yml = tmp / "project.yaml"
    yml.write_text("name: 多进程测试\nbuffers_m: [300, 1000]\nlayers:\n"
                   "  redline: {kind: redline, path: controls.gpkg, layer: redline}\n"
                   "  reserve: {kind: reserve, path: controls.gpkg, layer: reserve}\n"
                   "  outfalls: {kind: outfall, path: controls.gpkg, layer: outfall}\n", encoding="utf-8")
    return yml


def parcels(n=2000, lines=40, seed=9):
    """``n`` random rectangular parcels (EPSG:4490) over the layers, some west of 121.5°E (GK zone 40, the
    layers are in zone 41), and ``lines`` short lines (screened as linear infrastructure: a second group)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(X0 - 90_000, X0 + 20_000, n), rng.uniform(Y0, Y0 + 20_000, n)
    w = rng.uniform(20, 300, n)
    geoms = list(shapely.box(x, y, x + w, y + 0.8 * w))
    lx, ly = x[:lines], y[:lines]
    geoms += list(shapely.linestrings(np.stack([np.c_[lx, ly], np.c_[lx + 700, ly + 200]], axis=1)))
    gk = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(geoms))], "name": [f"地块{i}" for i in range(len(geoms))]},
                          geometry=geoms, crs=GK)
    return gk.to_crs(4490)


def run(sites, project, workers, **kw):
    with pytest.warns(AssumptionWarning, match="screened as linear infrastructure"):
        batch = check_batch(sites, project, findings="all", chunk_size=300, workers=workers, **kw)
    return batch, list(batch.chunks())


def test_generated_parcels_span_two_gk_zones_and_two_use_groups():
    zones = site_zones(parcels())
    assert set(zones.tolist()) == {40, 41}  # 3° zones: CM 120°E and 123°E; independent of the engine
    lon = shapely.get_x(shapely.centroid(np.asarray(parcels().geometry.values)))
    np.testing.assert_array_equal(zones == 40, lon < 121.5)


def test_two_workers_give_every_finding_of_one_process(project):
    sites = parcels()
    one, chunks1 = run(sites, project, workers=1)
    two, chunks2 = run(sites, project, workers=2)
    assert len(chunks1) == len(chunks2) >= 8  # 2 000 parcels in chunks of 300, per zone and group
    for a, b in zip(chunks1, chunks2):
        pd.testing.assert_frame_equal(a.sites, b.sites)
        pd.testing.assert_frame_equal(a.findings, b.findings)
        pd.testing.assert_frame_equal(a.nearest_m, b.nearest_m)
        assert a.within.keys() == b.within.keys()
        for d in a.within:
            pd.testing.assert_frame_equal(a.within[d], b.within[d])
    assert (one.verdict, one.findings_total, one.findings_listed) == (two.verdict, two.findings_total,
                                                                      two.findings_listed)
    assert one.methods == two.methods and one.rules == two.rules
    found = pd.concat([c.findings for c in chunks2])
    assert (found["relation"] == "intersects").sum() > 50  # the parcels do overlap red-line squares
    rows = pd.concat([c.sites for c in chunks2])
    assert sorted(rows["id"]) == sorted(sites["id"])  # every site exactly once


def test_zone_chunks_cut_per_zone_then_chunk_size_in_input_order():
    zones = np.array([41, 40, 41, 41, 40, 41])
    got = [(z, r.tolist()) for z, r in zone_chunks(zones, np.array([0, 1, 2, 3, 4, 5]), 2)]
    assert got == [(40, [1, 4]), (41, [0, 2]), (41, [3, 5])]
    assert [(z, r.tolist()) for z, r in zone_chunks(zones, np.array([2, 4, 5]), 2)] == [(40, [4]), (41, [2, 5])]


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_workers_must_be_a_positive_whole_number(project, workers):
    with pytest.raises(EcogisError, match="workers must be"):
        check_batch(parcels(10, lines=0), project, workers=workers)


def test_cli_batch_with_two_workers_writes_the_same_json(project, tmp_path):
    sites = tmp_path / "parcels.gpkg"
    parcels(300, lines=5).to_file(sites)
    out = {}
    for n in (1, 2):
        res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(project), "--batch", "--format", "json",
                                             "--workers", str(n), "--out", str(tmp_path / f"w{n}")])
        assert res.exit_code == 0, res.output
        out[n] = json.loads(next((tmp_path / f"w{n}").glob("*.json")).read_text(encoding="utf-8"))
    assert out[1]["findings"] == out[2]["findings"] and out[1]["sites"] == out[2]["sites"]
    assert len(out[2]["findings"]) > 0


def test_cli_workers_without_batch_is_a_one_line_error(project):
    res = CliRunner().invoke(check_cmd, ["--at", "122.3,40.9", "-p", str(project), "--workers", "2"])
    assert res.exit_code == 2 and "--workers is for a check with --batch" in res.output
