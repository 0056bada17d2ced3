"""Sites of a project with control units (生态环境分区管控) read as partitions on the workers of a real
2-worker ``LocalCluster``: each site's units and access-list verdicts, the notes and the zoning header
equal the in-process batch that reads the whole file (and the sample project's own sites partition)."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from test_dask_site_parts import assert_same_check, checked, cluster  # noqa: F401  (the cluster fixture)
from test_zoning import project  # noqa: F401  (the fixture: two control units and their access list)
from test_zoning_batch import sites as zoning_sites

from ecogis.project import load_project
from ecogis.site_parts import partitioned_source

SAMPLE = Path(__file__).resolve().parents[1] / "layers"


def zoning_tables(chunks):
    """Units, requirements, uncovered shares and site verdicts of all chunks, sorted (the chunk order differs)."""
    units = pd.concat([c.zoning.units for c in chunks]).sort_values(["site", "layer", "unit_code", "relation"])
    reqs = pd.concat([c.zoning.requirements for c in chunks]).astype(str).sort_values(
        ["site", "requirement_id", "units", "reason"])
    uncovered = {k: v for c in chunks for k, v in c.zoning.uncovered.items()}
    verdicts = pd.concat([c.zoning.site_verdicts for c in chunks]).sort_index()
    return units.reset_index(drop=True), reqs.reset_index(drop=True), uncovered, verdicts


def assert_same_zoning(local, dask):
    for a, b in zip(zoning_tables(local[1]), zoning_tables(dask[1])):
        if isinstance(a, dict):
            assert a == b
        elif isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b)
        else:
            pd.testing.assert_frame_equal(a, b)
    assert local[0].zoning.header() == dask[0].zoning.header()
    assert [r.id for r in local[0].zoning.requirements] == [r.id for r in dask[0].zoning.requirements]


@pytest.mark.parametrize("industry", [None, "C2614"])
def test_control_unit_sites_read_on_the_workers_give_the_in_process_zoning(tmp_path, project, cluster,  # noqa: F811
                                                                            monkeypatch, industry):
    """8 squares in 3 row groups, each with its own industry code or none: the same units (areas m², share),
    requirement verdicts by each site's own industry, uncovered shares and notes as one process."""
    path = tmp_path / "zoned.parquet"
    zoning_sites().to_parquet(path, index=False, row_group_size=3)
    assert partitioned_source(path, load_project(project)).rows == (3, 3, 2)
    local = checked(path, project, industry=industry)
    monkeypatch.setattr("ecogis.site_input._normalise_site", lambda *a, **k: pytest.fail("read in this process"))
    dask = checked(path, project, industry=industry, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    assert_same_zoning(local, dask)
    verdicts = dict(zip(*[pd.concat([c.sites for c in dask[1]])[k] for k in ("id", "verdict")]))
    assert verdicts["S0"] == "禁止"  # C2614 (its own or given) in the unit whose list prohibits C26
    # the six squares with an industry code describe themselves, unless --industry overrides them all
    assert dask[0].zoning.header()["site_descriptions"] == (6 if industry is None else 0)


def test_the_sample_project_with_control_units_partitions(tmp_path, cluster, monkeypatch):  # noqa: F811
    """layers/project.yaml (control units, access list) and its zoning sites as GeoParquet in row groups of
    one site: read on the workers, the in-process check."""
    sites = gpd.read_file(SAMPLE / "sites" / "zoning_sites.geojson")
    path = tmp_path / "sample.parquet"
    sites.to_parquet(path, index=False, row_group_size=1)
    sample = SAMPLE / "project.yaml"
    assert partitioned_source(path, load_project(sample)) is not None
    local = checked(path, sample)
    monkeypatch.setattr("ecogis.site_input._normalise_site", lambda *a, **k: pytest.fail("read in this process"))
    dask = checked(path, sample, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    assert_same_zoning(local, dask)
    assert len(pd.concat([c.zoning.units for c in dask[1]]))  # the sample sites touch control units
