"""Sites read as partitions on the workers of a real 2-worker ``LocalCluster`` (``--engine dask`` on a
GeoParquet folder; vector files: tests/test_dask_site_parts_vector.py): the calling process never reads the sites, and the check (findings, figures, site
rows, notes, warnings, the site's metadata) equals the in-process one that reads the whole folder."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from distributed import LocalCluster
from test_batch_workers import parcels
from test_batch_workers import project as project  # noqa: F401  (the generated control layers, a fixture)
from test_engine_dask import joined

from ecogis.check_batch import check_batch
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.project import load_project
from ecogis.site_parts import partitioned_source

BOWTIE = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])  # self-intersecting: repaired, noted


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as c:
        yield c


def write_folder(sites: gpd.GeoDataFrame, folder, parts: int = 2, row_group: int = 300):
    """``sites`` as a GeoParquet folder of ``parts`` files, each in row groups of ``row_group`` rows."""
    folder.mkdir()
    for k, piece in enumerate(np.array_split(np.arange(len(sites)), parts)):
        sites.iloc[piece].to_parquet(folder / f"part-{k}.parquet", index=False, row_group_size=row_group)
    return folder


def with_bowtie(sites: gpd.GeoDataFrame, row: int) -> gpd.GeoDataFrame:
    """``sites`` with the parcel at ``row`` turned into a self-intersecting bow-tie over its own box."""
    out = sites.copy()
    x0, y0, x1, y1 = out.geometry.iloc[row].bounds
    out.loc[out.index[row], "geometry"] = shapely.affinity.scale(
        shapely.affinity.translate(BOWTIE, x0, y0), x1 - x0, y1 - y0, origin=(x0, y0))
    return out


def checked(sites, project, **kw):  # noqa: F811
    """(batch, chunks, the AssumptionWarnings' texts) of a batch check of ``sites``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AssumptionWarning)
        batch = check_batch(sites, project, findings="all", chunk_size=250, **kw)
        chunks = list(batch.chunks())
    return batch, chunks, sorted({str(w.message) for w in caught if issubclass(w.category, AssumptionWarning)})


def assert_same_check(local, dask):
    (one, chunks1, warned1), (two, chunks2, warned2) = local, dask
    for a, b in zip(joined(chunks1), joined(chunks2)):
        if isinstance(a, dict):
            for d in a:
                pd.testing.assert_frame_equal(a[d], b[d])
        else:
            pd.testing.assert_frame_equal(a, b)
    assert [str(n) for n in one.assumptions] == [str(n) for n in two.assumptions]
    assert warned1 == warned2
    assert one.inputs == two.inputs
    assert [g.__dict__ for g in one.coverage] == [g.__dict__ for g in two.coverage]
    assert (one.verdict, one.findings_total, one.findings_listed, one.rules) == (
        two.verdict, two.findings_total, two.findings_listed, two.rules)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """2 040 parcels and lines (two GK zones, two use groups) in 2 files of 300-row groups (8 partitions),
    with a bow-tie in the fourth partition."""
    return write_folder(with_bowtie(parcels(), 1000), tmp_path_factory.mktemp("parts") / "sites.parquet")


def test_the_folder_is_read_in_row_group_partitions(folder, project):  # noqa: F811
    source = partitioned_source(folder, load_project(project))
    assert source is not None and len(source.files) == 2
    assert source.rows == (300, 300, 300, 120, 300, 300, 300, 120)  # 1 020 rows a file
    assert source.offsets.tolist() == [0, 300, 600, 900, 1020, 1320, 1620, 1920]


def test_sites_read_on_the_workers_give_the_in_process_check(folder, project, cluster, monkeypatch):  # noqa: F811
    """The same check from the partitions; the calling process reads no site: its GeoParquet reader and the
    site normalisation are made to fail here (the workers are other processes, untouched)."""
    local = checked(folder, project)
    assert any("row 1000" in str(n) for n in local[0].assumptions)  # the bow-tie, named by its layer row

    def refuse(*args, **kwargs):
        raise AssertionError("the calling process read the sites")

    monkeypatch.setattr("ecogis.io.read.read_geoparquet", refuse)
    monkeypatch.setattr("ecogis.site_input._normalise_site", refuse)
    dask = checked(folder, project, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    assert sorted(pd.concat([c.sites for c in dask[1]])["id"]) == sorted(parcels()["id"])


def test_missing_ids_and_names_are_numbered_through_the_whole_layer(tmp_path, project, cluster):  # noqa: F811
    """No id or name field, and features without geometry in the second and sixth partitions (skipped,
    with one note): ids 1, 2, ... and names #1, #2, ... over the whole layer, as read in one piece."""
    sites = with_bowtie(parcels(), 1000)[["geometry"]]
    sites.loc[sites.index[[310, 311, 1500]], "geometry"] = None
    path = write_folder(sites, tmp_path / "unnamed.parquet")
    local = checked(path, project, skip_empty=True)
    dask = checked(path, project, skip_empty=True, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    rows = pd.concat([c.sites for c in dask[1]])
    assert sorted(rows["id"].astype(int)) == list(range(1, len(sites) - 3 + 1))
    assert set(rows["name"]) == {f"#{i}" for i in range(1, len(sites) - 3 + 1)}
    left_out = [str(n) for n in dask[0].assumptions if "left out of the check" in str(n)]
    assert left_out == ["3 empty site feature(s) left out of the check as asked (--skip-empty): #311, #312, #1501"]
    assert any("feature row 1000: invalid geometry" in str(n) for n in dask[0].assumptions)  # the bow-tie


def test_duplicate_ids_across_files_are_renumbered_as_in_one_piece(tmp_path, project, cluster):  # noqa: F811
    sites = parcels()
    sites.loc[sites.index[1500], "id"] = sites["id"].iloc[3]  # the same id in both files
    path = write_folder(sites, tmp_path / "dup.parquet")
    local = checked(path, project)
    dask = checked(path, project, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    assert set(pd.concat([c.sites for c in dask[1]])["id"]) == {str(i) for i in range(1, len(sites) + 1)}


def test_a_feature_without_geometry_is_the_in_process_error(tmp_path, project, cluster):  # noqa: F811
    sites = parcels()
    sites.loc[sites.index[[5, 1700]], "geometry"] = None
    path = write_folder(sites, tmp_path / "holes.parquet")
    with pytest.raises(EcogisError) as local:
        checked(path, project)
    with pytest.raises(EcogisError) as dask:
        checked(path, project, engine="dask", scheduler=cluster.scheduler_address)
    assert str(dask.value) == str(local.value)
    assert "2" in str(dask.value) and "地块1700" in str(dask.value)


def test_sources_read_in_the_calling_process(tmp_path, project):  # noqa: F811
    """A point table, a zipped shapefile, or a GeoParquet stating no CRS with none given: read in one piece
    (None); a GeoPackage is read in ranges of features (ecogis.site_parts_vector)."""
    import zipfile

    proj = load_project(project)
    sites = parcels().iloc[:10]
    sites.to_file(tmp_path / "s.gpkg")
    sites.set_crs(None, allow_override=True).to_parquet(tmp_path / "nocrs.parquet")
    pd.DataFrame({"lon": [121.0], "lat": [41.0]}).to_csv(tmp_path / "points.csv", index=False)
    sites.iloc[:3].to_file(tmp_path / "z.shp")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
        for part in tmp_path.glob("z.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    assert partitioned_source(tmp_path / "s.gpkg", proj) is not None
    assert partitioned_source(tmp_path / "points.csv", proj) is None
    assert partitioned_source(tmp_path / "z.zip", proj) is None
    assert partitioned_source(tmp_path / "nocrs.parquet", proj) is None
    assert partitioned_source(tmp_path / "nocrs.parquet", proj, site_crs="EPSG:4490") is not None
    assert partitioned_source(sites, proj) is None


def test_cli_check_batch_engine_dask_on_geoparquet_gives_the_in_process_json(tmp_path, project):  # noqa: F811
    """``ecogis check sites.parquet --batch --engine dask --workers 2`` (its own LocalCluster, the sites read
    in 4 row groups on the workers): the in-process JSON, findings and sites sorted alike."""
    import json

    from click.testing import CliRunner

    from ecogis.cli.check_cmds import check as check_cmd

    sites = tmp_path / "parcels.parquet"
    parcels(400, lines=0).to_parquet(sites, index=False, row_group_size=100)
    out = {}
    for engine in ("local", "dask"):
        res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(project), "--batch", "--format", "json",
                                             "--engine", engine, "--out", str(tmp_path / engine)])
        assert res.exit_code == 0, res.output
        out[engine] = json.loads((tmp_path / engine / "check.json").read_text(encoding="utf-8"))
    key = lambda f: tuple(str(f[k]) for k in ("site", "layer", "feature", "relation", "distance_m"))  # noqa: E731
    assert sorted(out["local"]["findings"], key=key) == sorted(out["dask"]["findings"], key=key)
    assert sorted(out["local"]["sites"], key=lambda s: s["id"]) == sorted(out["dask"]["sites"], key=lambda s: s["id"])
    for field in ("verdict", "assumptions", "inputs"):
        assert out["dask"][field] == out["local"][field], field


def test_a_results_table_from_geoparquet_under_dask_has_every_site_geometry(tmp_path, project):  # noqa: F811
    """``--results-to`` needs the site geometries, so the GeoParquet sites are read in the calling process
    there: every row of the results table carries its parcel, equal to the parcel written."""
    import pyogrio
    from click.testing import CliRunner

    from ecogis.cli.check_cmds import check as check_cmd

    sites = tmp_path / "parcels.parquet"
    written = parcels(200, lines=0)
    written.to_parquet(sites, index=False, row_group_size=50)
    store = tmp_path / "results.gpkg"
    res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(project), "--batch", "--engine", "dask",
                                         "--workers", "2", "--results-to", str(store)])
    assert res.exit_code == 0, res.output
    rows = pyogrio.read_dataframe(store, layer="ecogis_batch_sites")
    assert len(rows) == len(written) and rows.geometry.notna().all()
    expected = written.to_crs(4490).set_index(written["id"].astype(str)).geometry
    got = rows.set_index(rows["id"].astype(str)).geometry
    assert got.index.sort_values().equals(expected.index.sort_values())
    assert all(got[i].equals_exact(expected[i], 1e-9) for i in expected.index)
