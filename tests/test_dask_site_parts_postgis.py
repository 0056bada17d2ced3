"""PostGIS site tables read as partitions on the workers of a real 2-worker ``LocalCluster`` (``--engine
dask`` on ``postgresql://…?table=``), from the real throw-away PostgreSQL cluster: the calling process asks
only for the table's metadata, and the check (findings, figures, site rows, notes, warnings, the site
metadata) equals the in-process one that reads the whole table."""
from __future__ import annotations

import pandas as pd
import pytest
from distributed import LocalCluster
from test_batch_workers import parcels
from test_batch_workers import project as project  # noqa: F401  (the generated control layers, a fixture)
from test_dask_site_parts import assert_same_check, checked, with_bowtie

from ecogis.io.postgis import parse_source
from ecogis.project import load_project
from ecogis.site_parts import partitioned_source


def load_table(url: str, sites, table: str) -> str:
    """``sites`` written to ``table`` in their order with geopandas (SRID 4490); the site URL of that table."""
    engine = parse_source(url, need_table=False).engine()
    try:
        sites.to_postgis(table, engine, index=False)
    finally:
        engine.dispose()
    return f"{url}?table={table}"


def load_geometries(url: str, geometries, table: str) -> str:
    """A table of one geometry column (SRID 4490, NULL where a geometry is None), rows in the given order."""
    import shapely
    import sqlalchemy

    engine = parse_source(url, need_table=False).engine()
    rows = [{"wkb": None if g is None else shapely.to_wkb(g, hex=True)} for g in geometries]
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE TABLE {table} (geometry geometry(Geometry, 4490))")
            conn.execute(sqlalchemy.text(f"INSERT INTO {table} VALUES "
                                         "(ST_SetSRID(ST_GeomFromWKB(decode(:wkb, 'hex')), 4490))"), rows)
    finally:
        engine.dispose()
    return f"{url}?table={table}"


@pytest.fixture
def tables(postgis_db, pg_password):
    """Two site tables: the parcels with a bow-tie (kept ids), and the same without id and name fields
    and with three features without geometry (numbered 1, 2, ... through the whole table, skipped)."""
    named = load_table(postgis_db.url, with_bowtie(parcels(), 1000), "sites")
    bare = list(with_bowtie(parcels(), 1000).geometry)
    for row in (310, 311, 1500):
        bare[row] = None
    return named, load_geometries(postgis_db.url, bare, "unnamed")


def test_a_site_table_is_read_in_ranges_of_rows(tables, project):  # noqa: F811
    source = partitioned_source(tables[0], load_project(project))
    assert source is not None and source.fmt == "postgis" and source.stated_crs
    assert source.rows == (510, 510, 510, 510) and source.offsets.tolist() == [0, 510, 1020, 1530]  # 2 040 rows
    query = partitioned_source(tables[0].split("?")[0] + "?sql=SELECT * FROM sites", load_project(project))
    assert query is None  # a query is read in the calling process


def test_site_tables_read_on_the_workers_give_the_in_process_check(tables, project, monkeypatch):  # noqa: F811
    """The same checks from the partitions; the calling process reads no row of the table (its PostGIS
    reader is made to fail here; the workers, other processes started with the password in their
    environment, are untouched)."""
    named, bare = tables
    local = checked(named, project)
    local_bare = checked(bare, project, skip_empty=True)
    assert any("row 1000" in str(n) for n in local[0].assumptions)  # the bow-tie, named by its table row

    def refuse(*args, **kwargs):
        raise AssertionError("the calling process read the sites")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        monkeypatch.setattr("ecogis.io.read.read_postgis_source", refuse)
        dask = checked(named, project, engine="dask", scheduler=cluster.scheduler_address)
        dask_bare = checked(bare, project, skip_empty=True, engine="dask", scheduler=cluster.scheduler_address)
    assert_same_check(local, dask)
    assert_same_check(local_bare, dask_bare)
    assert sorted(pd.concat([c.sites for c in dask[1]])["id"]) == sorted(parcels()["id"])
    rows = pd.concat([c.sites for c in dask_bare[1]])
    assert sorted(rows["id"].astype(int)) == list(range(1, 2040 - 3 + 1))
    left_out = [str(n) for n in dask_bare[0].assumptions if "left out of the check" in str(n)]
    assert left_out == ["3 empty site feature(s) left out of the check as asked (--skip-empty): #311, #312, #1501"]
