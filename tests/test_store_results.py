"""Check results written to results tables (ecogis check ... --results-to) in PostGIS (the real throw-away
cluster) and a GeoPackage: one run row, a row per site with its geometry, a row per finding, appended on
each run. Expected rows come from the check's own JSON output of the same run (what the tables store is
that output, not a recomputation)."""
from __future__ import annotations

import json
import sqlite3

import pyogrio
import sqlalchemy
from click.testing import CliRunner
from conftest import LAYERS

from ecogis.cli.check_cmds import check as check_cmd

PROJECT = LAYERS / "project.yaml"
SITES = LAYERS / "sites" / "sites_zone41.txt"


def _run(target) -> dict:
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--json", "--results-to", str(target)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_results_go_to_postgis_tables_one_run_at_a_time(postgis_db, pg_password):
    first, second = _run(postgis_db.url), _run(postgis_db.url)
    engine = sqlalchemy.create_engine(postgis_db.url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        runs = conn.execute(sqlalchemy.text("SELECT run_id, verdict, sites, findings FROM ecogis_check_runs "
                                            "ORDER BY checked_at, run_id")).all()
        run_id = first["results_to"]["run_id"]
        findings = conn.execute(sqlalchemy.text("SELECT site, layer, relation, verdict, overlap_area_m2 FROM "
                                                "ecogis_check_findings WHERE run_id = :r"), {"r": run_id}).all()
        sites = conn.execute(sqlalchemy.text("SELECT id, verdict, area_m2, ST_SRID(geom), ST_Area(geom::geography) "
                                             "FROM ecogis_check_sites WHERE run_id = :r ORDER BY id"),
                             {"r": run_id}).all()
    engine.dispose()
    assert {r[0] for r in runs} == {first["results_to"]["run_id"], second["results_to"]["run_id"]}
    assert all(r[1] == first["verdict"] and r[2] == len(first["sites"]) and r[3] == len(first["findings"])
               for r in runs)
    expected = sorted((f["site"], f["layer"], f["relation"], f["verdict"], f["overlap_area_m2"])
                      for f in first["findings"])
    assert sorted(tuple(r) for r in findings) == expected
    by_id = {s["id"]: s for s in first["sites"]}
    assert [r[0] for r in sites] == sorted(by_id)
    for sid, verdict, area, srid, geography_m2 in sites:
        assert (verdict, area, srid) == (by_id[sid]["verdict"], by_id[sid]["area_m2"], 4490)
        assert abs(geography_m2 - area) < 1e-3 * area  # PostGIS's own geodesic area of the stored site


def test_results_go_to_a_geopackage(tmp_path):
    store = tmp_path / "results.gpkg"
    first = _run(store)
    _run(store)
    sites = pyogrio.read_dataframe(store, layer="ecogis_check_sites")
    assert len(sites) == 2 * len(first["sites"]) and sites.crs.to_epsg() == 4490
    with sqlite3.connect(store) as conn:
        runs = conn.execute("SELECT count(*) FROM ecogis_check_runs").fetchone()[0]
        n = conn.execute("SELECT count(*) FROM ecogis_check_findings WHERE run_id = ?",
                         (first["results_to"]["run_id"],)).fetchone()[0]
    assert runs == 2 and n == len(first["findings"])


def test_results_to_is_refused_with_versions(tmp_path):
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--versions", "redline@a,redline@b",
                                         "--results-to", str(tmp_path / "r.gpkg")])
    assert res.exit_code == 2 and "comparison of versions" in res.stderr and not (tmp_path / "r.gpkg").exists()


def test_a_point_check_then_polygon_sites_go_to_the_same_postgis_tables(postgis_db, pg_password):
    res = CliRunner().invoke(check_cmd, ["--at", "121.85,40.95", "-p", str(PROJECT), "--json", "--results-to",
                                         postgis_db.url])
    assert res.exit_code == 0, res.output
    polygons = _run(postgis_db.url)
    engine = sqlalchemy.create_engine(postgis_db.url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        types = conn.execute(sqlalchemy.text("SELECT GeometryType(geom), count(*) FROM ecogis_check_sites "
                                             "GROUP BY 1 ORDER BY 1")).all()
    engine.dispose()
    assert sum(n for _, n in types) == 1 + len(polygons["sites"]) and "POINT" in {t for t, _ in types}


def test_a_point_check_then_polygon_sites_go_to_the_same_geopackage(tmp_path):
    store = tmp_path / "results.gpkg"
    res = CliRunner().invoke(check_cmd, ["--at", "121.85,40.95", "-p", str(PROJECT), "--json", "--results-to",
                                         str(store)])
    assert res.exit_code == 0, res.output
    polygons = _run(store)
    sites = pyogrio.read_dataframe(store, layer="ecogis_check_sites")
    assert sites.geom_type.iloc[0] == "Point" and set(sites.geom_type.iloc[1:]) <= {"Polygon", "MultiPolygon"}
    assert len(sites) == 1 + len(polygons["sites"])
