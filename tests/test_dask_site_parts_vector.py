"""Vector site files read in ranges of features on the workers of a real 2-worker ``LocalCluster``
(``--engine dask``): a shapefile with GBK attributes and no .cpg (its encoding detected once, in the
calling process) and a GeoPackage give the in-process check (findings, figures, site rows, notes,
warnings, metadata); the calling process never reads a feature."""
from __future__ import annotations

import warnings

import pandas as pd
import pyogrio
import pytest
from test_batch_workers import parcels
from test_batch_workers import project as project  # noqa: F401  (the generated control layers, a fixture)
from test_dask_site_parts import assert_same_check, checked, cluster, with_bowtie  # noqa: F401  (cluster: a fixture)

from ecogis.errors import AssumptionWarning
from ecogis.project import load_project
from ecogis.site_parts import partitioned_source


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """2 040 parcels (two GK zones) with a bow-tie at row 1000: a GBK shapefile without .cpg, a GeoPackage."""
    tmp = tmp_path_factory.mktemp("vector")
    sites = with_bowtie(parcels(2040, lines=0), 1000)
    shp = tmp / "parcels.shp"
    pyogrio.write_dataframe(sites, shp, encoding="GBK")
    (tmp / "parcels.cpg").unlink(missing_ok=True)
    assert "地块7".encode("gbk") in (tmp / "parcels.dbf").read_bytes()  # GBK bytes, nothing names the codec
    gpkg = tmp / "parcels.gpkg"
    pyogrio.write_dataframe(sites, gpkg, layer="parcels")
    return {"shp": shp, "gpkg": gpkg}


def refuse_whole_file_reading(monkeypatch, site):
    """The calling process's vector reader fails on ``site`` (the project's layers are read as before), and
    its site normaliser fails on anything (the workers are other processes, untouched)."""
    from ecogis.io import read

    whole_file = read._read_vector_file

    def refuse_site(path, *args, **kwargs):
        assert path != site, "the calling process read the sites"
        return whole_file(path, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("the calling process normalised the sites")

    monkeypatch.setattr(read, "_read_vector_file", refuse_site)
    monkeypatch.setattr("ecogis.site_input._normalise_site", refuse)


@pytest.mark.parametrize("kind", ["shp", "gpkg"])
def test_vector_sites_read_in_ranges_give_the_in_process_check(files, kind, project, cluster,  # noqa: F811
                                                                monkeypatch):
    monkeypatch.setattr("ecogis.site_parts_vector.PART_ROWS", 500)
    with warnings.catch_warnings(record=True) as said:  # the encoding detected once, here
        warnings.simplefilter("always", AssumptionWarning)
        source = partitioned_source(files[kind], load_project(project))
    assert [str(w.message) for w in said if "GB18030" in str(w.message)] == (
        [f"{files[kind]}: no .cpg file; attribute text decoded as GB18030 (detected, check the names)"]
        if kind == "shp" else [])
    assert source is not None and source.rows == (500, 500, 500, 500, 40)  # 2 040 features
    local = checked(files[kind], project)
    assert any("row 1000" in str(n) or "1000" in str(n) for n in local[0].assumptions)  # the bow-tie
    refuse_whole_file_reading(monkeypatch, files[kind])
    dask = checked(files[kind], project, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    rows = pd.concat([c.sites for c in dask[1]])
    assert sorted(rows["id"]) == sorted(parcels(2040, lines=0)["id"])
    assert set(rows["name"]) == set(parcels(2040, lines=0)["name"])  # the GBK names decoded, none garbled
    if kind == "shp":
        assert dask[0].inputs["site"]["encoding_source"] == "detected"
        assert any("decoded as GB18030" in str(n) for n in dask[0].assumptions)  # the detection noted


def test_unclosed_rings_fall_back_to_the_in_process_reader(tmp_path, project, cluster):  # noqa: F811
    """A GeoJSON polygon whose ring is not closed: the whole-file reader closes it with a note naming it, so
    the batch reads the sites in the calling process, with the same check."""
    import json

    sites = parcels(60, lines=0)
    path = tmp_path / "open.geojson"
    sites.to_file(path, driver="GeoJSON")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][7]["geometry"]["coordinates"][0].pop()  # drop the closing point
    data.pop("crs", None)  # RFC 7946: longitude/latitude (a crs member is read in the calling process)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert partitioned_source(path, load_project(project)) is not None
    local = checked(path, project)
    dask = checked(path, project, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    assert any("clos" in str(n) for n in dask[0].assumptions)
