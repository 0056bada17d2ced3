"""Batch screening on a real ``dask.distributed.LocalCluster`` of 2 worker processes (``--engine dask``):
every finding, figure and site row equals the in-process engine's (compared after sorting by site), and
the partitioned GeoParquet holds every site once with the same verdict."""
from __future__ import annotations

import json
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from distributed import LocalCluster
from test_batch_workers import GK, parcels
from test_batch_workers import project as project  # noqa: F401  (the generated control layers, a fixture)

from ecogis.batch_pool import site_zones, zone_chunks
from ecogis.check_batch import check_batch
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.engine_dask import partitions
from ecogis.errors import AssumptionWarning, EcogisError

FINDING_KEY = ["site", "layer", "feature", "relation", "distance_m"]


@pytest.fixture(scope="module")
def cluster():
    """2 worker processes, one thread each (as the engine's own LocalCluster)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as c:
        yield c


def run(sites, project, **kw):  # noqa: F811
    with pytest.warns(AssumptionWarning, match="screened as linear infrastructure"):
        batch = check_batch(sites, project, findings="all", chunk_size=300, **kw)
    return batch, list(batch.chunks())


def missing_as_none(frame):
    """Text columns with every missing value as None (a chunk's rows may hold NaN or None for "no zone")."""
    text = frame.select_dtypes(include=[object, "str"]).columns
    return frame.assign(**{c: frame[c].where(frame[c].notna(), None) for c in text})


def joined(chunks):
    """The chunks' sites, findings, nearest distances and buffer counts, sorted by site (and finding)."""
    sites = missing_as_none(pd.concat([c.sites for c in chunks]).sort_values("id").reset_index(drop=True))
    found = missing_as_none(pd.concat([c.findings for c in chunks]).sort_values(FINDING_KEY).reset_index(drop=True))
    nearest = pd.concat([c.nearest_m for c in chunks]).sort_index()
    within = {d: pd.concat([c.within[d] for c in chunks]).sort_index() for d in chunks[0].within}
    return sites, found, nearest, within


@pytest.fixture(scope="module")
def both(project, cluster):  # noqa: F811
    sites = parcels()
    local = run(sites, project)
    dask = run(sites, project, engine="dask", scheduler=cluster.scheduler_address)
    return sites, local, dask


def test_dask_engine_gives_every_finding_and_figure_of_the_in_process_engine(both):
    sites, (one, chunks1), (two, chunks2) = both
    s1, f1, n1, w1 = joined(chunks1)
    s2, f2, n2, w2 = joined(chunks2)
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(f1, f2)
    pd.testing.assert_frame_equal(n1, n2)
    assert w1.keys() == w2.keys() == {300.0, 1000.0}
    for d in w1:
        pd.testing.assert_frame_equal(w1[d], w2[d])
    assert (one.verdict, one.findings_total, one.findings_listed) == (two.verdict, two.findings_total,
                                                                      two.findings_listed)
    assert one.rules == two.rules and one.methods == two.methods
    assert sorted(s2["id"]) == sorted(sites["id"])  # every site exactly once


def test_dask_overlaps_are_the_shapely_intersections_of_the_parcels(both, project):  # noqa: F811
    """Independently of either engine: the parcels that intersect a red-line square (shapely in the GK
    plane of the layer) are the sites with an ``intersects`` finding on that layer."""
    sites, _, (_, chunks) = both
    red = gpd.read_file(project.parent / "controls.gpkg", layer="redline")
    parcels_gk = sites.to_crs(GK)
    tree = shapely.STRtree(np.asarray(red.geometry.values))
    si, _ = tree.query(np.asarray(parcels_gk.geometry.values), predicate="intersects")
    expected = set(parcels_gk["id"].to_numpy()[np.unique(si)])
    found = pd.concat([c.findings for c in chunks])
    got = set(found.loc[(found["relation"] == "intersects") & (found["layer"] == "redline"), "site"])
    assert len(expected) > 50 and got == expected


def test_partitions_keep_one_zone_and_use_and_cover_every_site_once():
    sites = parcels(600, lines=20)
    lines = np.flatnonzero(sites.geometry.geom_type == "LineString")
    groups = [(np.setdiff1d(np.arange(len(sites)), lines), None), (lines, "linear")]
    parts = list(partitions(sites, groups, 100))
    lon = shapely.get_x(shapely.centroid(np.asarray(sites.geometry.values)))
    seen = np.concatenate([rows for _, _, rows in parts])
    assert sorted(seen.tolist()) == list(range(len(sites)))
    for zone, use, rows in parts:
        assert len(rows) <= 100
        assert set((lon[rows] >= 121.5).tolist()) == {zone == 41}  # 3° zone 40: CM 120°E, 41: CM 123°E
        assert (use == "linear") == bool(np.isin(rows, lines).all()) and (use is None) != np.isin(rows, lines).any()


def test_hilbert_partitions_are_more_compact_than_input_order():
    """A partition (sites in Hilbert order within a zone) covers a far smaller extent than a chunk of the
    in-process engine (the same zone, input order: the parcels are placed at random)."""
    sites = parcels(2000, lines=0)
    geoms = np.asarray(sites.geometry.values)

    def mean_extent(blocks):
        return np.mean([shapely.area(shapely.envelope(shapely.union_all(geoms[b]))) for b in blocks])
    hilbert = [rows for _, _, rows in partitions(sites, [(np.arange(len(sites)), None)], 200)]
    in_order = [rows for _, rows in zone_chunks(site_zones(sites), np.arange(len(sites)), 200)]
    assert len(hilbert) == len(in_order)
    assert mean_extent(hilbert) < 0.3 * mean_extent(in_order)


def test_cli_dask_engine_writes_partitioned_geoparquet_and_the_same_json(project, tmp_path):  # noqa: F811
    """No --scheduler: the engine starts its own LocalCluster of 2 processes."""
    sites = tmp_path / "parcels.gpkg"
    parcels(400, lines=0).to_file(sites)
    out = {}
    for engine in ("local", "dask"):
        res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(project), "--batch", "--format", "json",
                                             "--engine", engine, "--workers", "2", "--out", str(tmp_path / engine)])
        assert res.exit_code == 0, res.output
        out[engine] = json.loads((tmp_path / engine / "check.json").read_text(encoding="utf-8"))
    key = lambda f: tuple(str(f[k]) for k in FINDING_KEY)  # noqa: E731
    assert sorted(out["local"]["findings"], key=key) == sorted(out["dask"]["findings"], key=key)
    assert sorted(out["local"]["sites"], key=lambda s: s["id"]) == sorted(out["dask"]["sites"], key=lambda s: s["id"])
    assert out["dask"]["verdict"] == out["local"]["verdict"]
    folder = tmp_path / "dask" / "check_sites.parquet"
    assert sorted(p.name for p in folder.iterdir())[:2] == ["part-00000.parquet", "part-00001.parquet"]
    rows = gpd.read_parquet(folder)
    assert rows.crs.to_epsg() == 4490 and sorted(rows["id"]) == sorted(s["id"] for s in out["local"]["sites"])
    verdicts = {s["id"]: s["verdict"] for s in out["local"]["sites"]}
    assert rows["verdict"].tolist() == [verdicts[i] for i in rows["id"]]
    given = gpd.read_file(sites).to_crs(4490).set_index("id").geometry
    assert shapely.equals_exact(rows.geometry.values, given.loc[rows["id"]].values, tolerance=1e-9).all()
    (tmp_path / "dask" / "check.json").unlink()
    again = CliRunner().invoke(check_cmd, [str(sites), "-p", str(project), "--batch", "--format", "json",
                                           "--engine", "dask", "--out", str(tmp_path / "dask")])
    assert again.exit_code == 2 and "check_sites.parquet" in again.output  # refuses to overwrite unasked


def test_cli_unreachable_scheduler_is_a_one_line_error(project, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr("ecogis.engine_dask.CONNECT_TIMEOUT_S", 1)  # nothing listens on port 9: give up soon
    sites = tmp_path / "parcels.gpkg"
    parcels(20, lines=0).to_file(sites)
    res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(project), "--batch", "--engine", "dask",
                                         "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in res.output and "Traceback" not in res.output


def test_cli_engine_dask_needs_batch_and_scheduler_needs_dask(project):  # noqa: F811
    res = CliRunner().invoke(check_cmd, ["--at", "122.3,40.9", "-p", str(project), "--engine", "dask"])
    assert res.exit_code == 2 and "--engine dask is for a check with --batch" in res.output
    res = CliRunner().invoke(check_cmd, ["--at", "122.3,40.9", "-p", str(project), "--batch",
                                         "--scheduler", "tcp://127.0.0.1:8786"])
    assert res.exit_code == 2 and "--scheduler is for --engine dask" in res.output


def test_missing_extra_is_a_one_line_error(project, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "dask_geopandas", None)  # as if the [dask] extra were not installed
    with pytest.raises(EcogisError, match=r"needs the optional extra \[dask\] \(module dask_geopandas"):
        check_batch(parcels(10, lines=0), project, engine="dask")
