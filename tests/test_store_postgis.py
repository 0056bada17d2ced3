"""PostGIS as the shared layer store, on the real throw-away cluster of tests/postgres.py: the sample
layers published with ecogis publish and read back through a project that points at the database give
the same check result (findings, areas) and audit figures as the files; wrong passwords, missing tables
and passwords in project files are one-line errors; versions, history rows and the current version."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import sqlalchemy
import yaml
from click.testing import CliRunner
from conftest import LAYERS, SAMPLE_ASSUMPTIONS, assumed

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning
from ecogis.io import read_layer_info
from ecogis.layer_info import LayerInfo
from ecogis.project import load_project
from ecogis.store import publish

PROJECT = LAYERS / "project.yaml"
SITES = LAYERS / "sites" / "sites_zone41.txt"


def _read_options(spec) -> dict:
    return {"layer": spec.layer, "crs": spec.crs, "encoding": spec.encoding, "fields": spec.fields}


def publish_sample(url: str) -> dict:
    """Publish every geometry layer of layers/project.yaml (and its boundary) as version ``sample``;
    {project layer name: published name}."""
    project = load_project(PROJECT)
    specs = {**project.layers, "boundary": project.boundary}
    names = {}
    for name, spec in specs.items():
        if spec.kind == "access_list":  # a table without geometry stays a file
            continue
        publish(spec.path, spec.kind, url, name, "sample", read_options=_read_options(spec))
        names[name] = name
    return names


def database_project(tmp_path, url: str, names: dict):
    """layers/project.yaml with every published layer read from the database (same kinds and labels)."""
    data = yaml.safe_load(PROJECT.read_text(encoding="utf-8"))
    for name, entry in data["layers"].items():
        if name in names:
            data["layers"][name] = {"kind": entry["kind"], "path": f"{url}?table={names[name]}",
                                    "label": entry["label"], "label_en": entry["label_en"]}
        else:
            data["layers"][name]["path"] = str(LAYERS / entry["path"])
    data["boundary"] = {"kind": "boundary", "path": f"{url}?table=boundary"}
    path = tmp_path / "db_project.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _findings(result) -> list[tuple]:
    """Each finding without where its layer came from: site, layer, zone, relation, verdict and figures."""
    rows = []
    for f in result.to_dict()["findings"]:
        rows.append(tuple(sorted((k, json.dumps(v, sort_keys=True, default=str)) for k, v in f.items()
                                 if k not in ("path", "source"))))
    return sorted(rows)


def test_the_sample_layers_read_back_from_postgis_give_the_same_check(tmp_path, postgis_db, pg_password):
    names = publish_sample(postgis_db.url)
    with assumed(*SAMPLE_ASSUMPTIONS["sites/sites_zone41.txt"], r"\(D\) lie wholly or partly outside the coverage"):
        from_files = check(SITES, PROJECT)
        from_db = check(SITES, database_project(tmp_path, postgis_db.url, names))
    assert from_db.verdict == from_files.verdict == "禁止"
    assert len(_findings(from_files)) > 10
    assert _findings(from_db) == _findings(from_files)
    read = [info for info in map(LayerInfo.of, from_db.layers.values())]
    assert read and all(info.format == "postgis" for info in read), [i.path for i in read]
    files_sites = {s["id"]: s for s in from_files.to_dict()["sites"]}
    db_sites = {s["id"]: s for s in from_db.to_dict()["sites"]}
    assert db_sites.keys() == files_sites.keys()
    for sid, site in files_sites.items():
        assert db_sites[sid]["area_m2"] == site["area_m2"]
        assert db_sites[sid]["verdict"] == site["verdict"]


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("ecogis: error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def _published_redline(url: str) -> None:
    publish(LAYERS / "redline" / "redline.shp", "redline", url, "redline", "2019", read_options={"encoding": "gbk"})


def _redline_project(tmp_path, path: str, **extra) -> str:
    project = tmp_path / "project.yaml"
    entry = {"kind": "redline", "path": path, **extra}
    project.write_text(yaml.safe_dump({"name": "db", "layers": {"redline": entry}}, allow_unicode=True),
                       encoding="utf-8")
    return str(project)


def _check_cli(project: str):
    return CliRunner().invoke(check_cmd, [str(SITES), "--project", project, "--json"])


def test_a_wrong_password_is_one_line_naming_the_connection_and_table(tmp_path, postgis_db, pg_password,
                                                                      monkeypatch):
    _published_redline(postgis_db.url)
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    line = _one_line_error(_check_cli(_redline_project(tmp_path, f"{postgis_db.url}?table=redline")))
    assert "password authentication failed" in line
    assert postgis_db.url in line and "table public.redline" in line
    assert "not-the-password" not in line and "PGPASSWORD" in line


def test_a_missing_table_is_one_line_naming_it(tmp_path, postgis_db, pg_password):
    line = _one_line_error(_check_cli(_redline_project(tmp_path, f"{postgis_db.url}?table=gis.no_such_layer")))
    assert "no table or view gis.no_such_layer" in line and postgis_db.url in line


def test_a_missing_database_is_one_line(tmp_path, postgres_server, pg_password):
    url = postgres_server.url("no_such_database")
    line = _one_line_error(_check_cli(_redline_project(tmp_path, f"{url}?table=redline")))
    assert 'database "no_such_database" does not exist' in line and url in line


def test_a_password_in_the_project_file_is_refused(tmp_path, postgis_db, pg_password):
    with_password = postgis_db.url.replace("ecogis@", f"ecogis:{pg_password}@")
    line = _one_line_error(_check_cli(_redline_project(tmp_path, f"{with_password}?table=redline")))
    assert "a password in the connection URL" in line and "pgpass" in line
    assert pg_password not in line


def test_the_password_comes_from_a_pgpass_file(tmp_path, postgis_db, pg_password, monkeypatch):
    _published_redline(postgis_db.url)
    server = postgis_db.server
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{server.host}:{server.port}:{postgis_db.name}:{server.user}:{server.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    gdf, info = read_layer_info(f"{postgis_db.url}?table=redline", kind="redline")
    assert info.format == "postgis" and len(gdf) > 0


AUDIT = """
title: store audit
defaults: {{unit: km2}}
layers:
  redline: {redline}
  redline_2023: {redline_2023}
  city: {city}
  reserve: {reserve}
  wells: {wells}
  shoreline: {shoreline}
checks:
  - id: redline_area
    type: area_share
    layer: {redline_ref}
    within: city
  - id: wells_in_reserve
    type: count_in_zones
    points: wells
    zones: reserve
  - id: natural_shore
    type: length_share
    layer: shoreline
    field: type
    value: 自然
  - id: adjusted
    type: no_decrease
    before: {before}
    after: {after}
    id_field: id
"""


def _audit_figures(tmp_path, name: str, **layers) -> dict:
    from ecogis.audit import load_spec, run_audit

    spec = tmp_path / name
    spec.write_text(AUDIT.format(**layers), encoding="utf-8")
    report = run_audit(load_spec(spec))
    return {c.id: (c.metrics, c.details, c.passed) for c in report.checks}


def _without_source(figures):
    metrics, details, passed = figures
    return {k: v for k, v in metrics.items() if k != "layer"}, details, passed


def _flow(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False)


def test_audits_on_postgis_versions_give_the_figures_of_the_files(tmp_path, postgis_db, pg_password):
    url = postgis_db.url
    for name in ("wells", "shoreline", "reserve"):
        spec = load_project(PROJECT).layers[{"wells": "oil_wells"}.get(name, name)]
        publish(spec.path, spec.kind, url, name, "sample", read_options=_read_options(spec))
    publish(LAYERS / "boundary" / "panjin.gpkg", "boundary", url, "city", "sample", read_options={"layer": "city"})
    publish(LAYERS / "redline" / "redline.shp", "redline", url, "redline", "2019", read_options={"encoding": "gbk"})
    publish(LAYERS / "redline" / "redline_2023.gpkg", "redline", url, "redline", "2023-adjusted", as_current=True)
    files = _audit_figures(
        tmp_path, "files.yaml", redline=_flow({"path": str(LAYERS / "redline/redline.shp"), "kind": "redline",
                                               "encoding": "gbk"}),
        redline_2023=_flow({"path": str(LAYERS / "redline/redline_2023.gpkg"), "kind": "redline"}),
        city=_flow({"path": str(LAYERS / "boundary/panjin.gpkg"), "layer": "city"}),
        reserve=_flow({"path": str(LAYERS / "reserve/liaohekou.geojson"), "kind": "reserve"}),
        wells=_flow({"path": str(LAYERS / "wells/oil_wells.gpkg"), "kind": "well"}),
        shoreline=_flow({"path": str(LAYERS / "shoreline/shoreline.gpkg"), "kind": "shoreline"}),
        redline_ref="redline", before="redline", after="redline_2023")
    database = _audit_figures(
        tmp_path, "database.yaml", redline=_flow({"path": f"{url}?table=redline", "kind": "redline"}),
        redline_2023=_flow({"path": f"{url}?table=redline@2023-adjusted", "kind": "redline"}),
        city=_flow({"path": f"{url}?table=city"}),
        reserve=_flow({"path": f"{url}?table=reserve", "kind": "reserve"}),
        wells=_flow({"path": f"{url}?table=wells", "kind": "well"}),
        shoreline=_flow({"path": f"{url}?table=shoreline", "kind": "shoreline"}),
        redline_ref="redline@2019", before="redline@2019", after="redline@2023-adjusted")
    assert files.keys() == database.keys() == {"redline_area", "wells_in_reserve", "natural_shore", "adjusted"}
    for key in files:  # the same figures; only the layer's source (file or table) differs
        assert _without_source(database[key]) == _without_source(files[key]), key
    assert files["adjusted"][0]["gained"] > files["adjusted"][0]["lost"] > 0  # layers/README: net gain


def _execute(url: str, sql: str) -> None:
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(sql))
    engine.dispose()


def test_a_sql_query_is_a_layer_source(tmp_path, postgis_db, pg_password):
    _published_redline(postgis_db.url)
    project = load_project(_redline_project(tmp_path, postgis_db.url,
                                            sql="SELECT * FROM redline__2019 WHERE id IN ('HX01', 'HX02')"))
    gdf = project.layers["redline"].read()
    shapefile = gpd.read_file(LAYERS / "redline" / "redline.shp", encoding="gbk")
    assert sorted(gdf["id"]) == ["HX01", "HX02"]
    expected = shapefile[shapefile["HXBH"].isin(["HX01", "HX02"])].geometry.area.sum()  # EPSG:4529 plane m²
    assert gdf.crs.to_epsg() == 4529 and gdf.geometry.area.sum() == pytest.approx(expected, rel=1e-9)
    assert str(project.layers["redline"].path) == f"{postgis_db.url} (SQL query)"


def test_a_table_without_srid_gets_its_crs_inferred_and_said(postgis_db, pg_password):
    _published_redline(postgis_db.url)
    _execute(postgis_db.url, "CREATE TABLE no_srid AS SELECT id, ST_SetSRID(geom, 0) AS geom FROM redline__2019")
    with pytest.warns(AssumptionWarning, match="inferred EPSG:4529"):
        gdf, info = read_layer_info(f"{postgis_db.url}?table=no_srid", kind="redline")
    assert info.crs == "EPSG:4529" and info.crs_source == "inferred" and len(gdf) == 7


def test_a_geopackage_store_as_a_zero_config_project_reads_the_current_versions(tmp_path):
    store = tmp_path / "store.gpkg"
    publish(LAYERS / "redline" / "redline.shp", "redline", store, "redline", "2019", read_options={"encoding": "gbk"})
    publish(LAYERS / "redline" / "redline_2023.gpkg", "redline", store, "redline", "2023-adjusted", as_current=True)
    project = load_project(store)
    assert list(project.layers) == ["redline"]  # one layer per published name, not one per version
    gdf = project.layers["redline"].read()
    assert len(gdf) == len(gpd.read_file(LAYERS / "redline" / "redline_2023.gpkg"))
    assert LayerInfo.of(gdf).extra["version"] == "2023-adjusted"
