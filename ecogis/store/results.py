"""Check results into a results table: ``ecogis check ... --results-to postgresql://...|results.gpkg``.

Three tables, appended to on each run (created on the first): ``ecogis_check_runs`` (one row per run:
run id, time, project, site input, overall verdict, counts, ecogis version), ``ecogis_check_sites``
(one row per site: verdict, area m², EPSG:4490 geometry) and ``ecogis_check_findings`` (the findings
as in check.json/xlsx, areas in m², 公顷 and 亩). A run is written whole or not at all (one PostGIS
transaction; a GeoPackage copy that replaces the file). Safe from several threads (ecogis serve): the
PostGIS writes take an advisory lock, a GeoPackage is written by one thread at a time.
"""
from __future__ import annotations

import datetime
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ecogis.error_messages import error
from ecogis.io.postgis import PgSource, connection_error, is_postgres_url, parse_source

RUNS, SITES, FINDINGS = "ecogis_check_runs", "ecogis_check_sites", "ecogis_check_findings"


@dataclass
class ResultsWritten:
    """Where a run went: the store (password-free), its run id and the rows written."""

    store: str
    run_id: str
    sites: int
    findings: int

    def to_dict(self) -> dict:
        return {"store": self.store, "run_id": self.run_id, "sites": self.sites, "findings": self.findings}


def result_tables(result, *, project: str, site_input: str) -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """The run row, the site rows and the finding rows of a :class:`~ecogis.check.CheckResult`."""
    import ecogis

    run_id = uuid.uuid4().hex
    checked_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    runs = pd.DataFrame([{"run_id": run_id, "checked_at": checked_at, "project": project, "site_input": site_input,
                          "verdict": result.verdict, "sites": len(result.sites), "findings": len(result.findings),
                          "ecogis_version": ecogis.__version__}])
    summaries = pd.DataFrame([s.to_dict() for s in result.sites])
    geometry = _site_geometries(result.site_gdf, summaries["id"] if len(summaries) else [])
    sites = gpd.GeoDataFrame(summaries.assign(run_id=run_id), geometry=geometry, crs="EPSG:4490")
    findings = result.findings_frame().copy()
    findings.insert(0, "run_id", run_id)
    return runs, sites.rename_geometry("geom"), findings


def _site_geometries(site_gdf, ids) -> list:
    import shapely

    if site_gdf is None:
        return [None] * len(ids)
    by_id = {str(k): shapely.union_all(g.geometry.to_numpy()) for k, g in site_gdf.groupby("id", sort=False)}
    return [by_id.get(str(i)) for i in ids]


def write_results(result, target, *, project: str, site_input: str) -> ResultsWritten:
    """Append ``result`` to the results tables of ``target`` (a ``postgresql://`` URL or a ``.gpkg``)."""
    runs, sites, findings = result_tables(result, project=project, site_input=site_input)
    if is_postgres_url(target) or isinstance(target, PgSource):
        source = target if isinstance(target, PgSource) else parse_source(str(target), need_table=False)
        store = _write_postgis(source, runs, sites, findings)
    else:
        path = Path(target)
        if path.suffix.lower() != ".gpkg":
            raise error("store.target_form", path=path, hint="store.target_hint")
        store = _write_gpkg(path, runs, sites, findings)
    return ResultsWritten(store=store, run_id=str(runs["run_id"].iloc[0]), sites=len(sites), findings=len(findings))


def _write_postgis(source: PgSource, runs, sites, findings) -> str:
    import sqlalchemy

    from ecogis.geodesy import GEOGRAPHIC_EPSG
    from ecogis.store.results_sinks import quote

    engine = source.engine()
    try:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                         {"name": f"ecogis results {source.schema}"})  # no two threads create the tables at once
            runs.to_sql(RUNS, conn, schema=source.schema, if_exists="append", index=False)
            new = not conn.dialect.has_table(conn, SITES, source.schema)
            sites.to_postgis(SITES, conn, schema=source.schema, if_exists="append", index=False)
            if new:  # geopandas typed the column by this run's sites: any geometry type for the next runs
                conn.execute(sqlalchemy.text(f"ALTER TABLE {quote(source.schema)}.{SITES} ALTER COLUMN geom TYPE "
                                             f"geometry(Geometry, {GEOGRAPHIC_EPSG})"))
            findings.to_sql(FINDINGS, conn, schema=source.schema, if_exists="append", index=False)
    except sqlalchemy.exc.OperationalError as exc:
        raise connection_error(exc, source) from exc
    finally:
        engine.dispose()
    return f"{source.connection} schema {source.schema}"


def _write_gpkg(path: Path, runs, sites, findings) -> str:
    import pyogrio

    from ecogis.store.gpkg_store import replacing
    from ecogis.store.results_sinks import file_lock

    with file_lock(path), replacing(path) as work:
        append = work.exists() and _has(work, SITES)
        pyogrio.write_dataframe(sites, work, layer=SITES, driver="GPKG", append=append,
                                **({} if append else {"geometry_type": "Unknown"}))  # any site geometry type
        with sqlite3.connect(work) as conn:
            runs.assign(checked_at=runs["checked_at"].astype(str)).to_sql(RUNS, conn, if_exists="append", index=False)
            findings.to_sql(FINDINGS, conn, if_exists="append", index=False)
    return str(path)


def _has(path: Path, table: str) -> bool:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
