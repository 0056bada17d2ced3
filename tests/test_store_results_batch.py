"""Batch checks into a results table (``ecogis check --batch SITES --results-to STORE``), on the real
throw-away PostgreSQL cluster and in a GeoPackage: one row per site with its verdict, overlap areas (with
unit, method and CRS), run id, date, rules, layer versions, ecogis version and geometry; the findings in a
table when asked; runs appended; a failed run leaves nothing; a table of another schema is refused.

The tables are read back with independent readers (psycopg, sqlite3/pyogrio) and compared with the batch
JSON of the same run; each site's stored geometry is measured again by PostGIS (geography) and by
GeographicLib (pyproj.Geod) and compared with its area in the JSON."""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

import geopandas as gpd
import psycopg
import pyogrio
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from conftest import LAYERS

import ecogis
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.store import results_batch

PROJECT = LAYERS / "project.yaml"
SITES = LAYERS / "sites" / "sites_zone41.txt"
GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid


def _batch(target, *extra) -> dict:
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--batch", "--json", "--results-to",
                                         str(target), *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _overlaps(doc) -> dict:
    """Per (site, layer), the sum of the overlap areas (m²) of the JSON's intersects findings."""
    out: dict = defaultdict(float)
    for f in doc["findings"]:
        if f["relation"] == "intersects" and f["overlap_area_m2"] is not None:
            out[f["site"], f["layer"]] += f["overlap_area_m2"]
    return out


def _psycopg(db, password):
    s = db.server
    return psycopg.connect(host=s.host, port=s.port, user=s.user, password=password, dbname=db.name)


def _rows(cursor, sql, *args) -> list[dict]:
    cursor.execute(sql, args)
    names = [d.name for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _assert_sites_match(rows: list[dict], doc: dict) -> None:
    """Each stored site row says what the batch JSON says of that site."""
    by_id = {s["id"]: s for s in doc["sites"]}
    overlaps = _overlaps(doc)
    assert sorted(r["id"] for r in rows) == sorted(by_id)
    for r in rows:
        s = by_id[r["id"]]
        worst = s["worst"] or {}
        assert (r["verdict"], r["name"], r["findings"], r["area_m2"]) == (s["verdict"], s["name"], s["findings"],
                                                                            s["area_m2"])
        assert (r["worst_layer"], r["worst_feature"], r["worst_rule_id"]) == (worst.get("layer"), worst.get("feature"),
                                                                            worst.get("rule_id"))
        for layer in doc["layers"]:
            assert r[f"overlap_m2_{layer}"] == pytest.approx(overlaps.get((r["id"], layer), 0.0), rel=1e-12, abs=1e-9)
        assert r["area_unit"] == "m²" and "Ellipsoidal area on the CGCS2000 ellipsoid" in r["area_method"]
        assert r["analysis_crs"].startswith("EPSG:4550")  # the sample sites lie in the 3° zone of 123°E
        assert r["ecogis_version"] == ecogis.__version__ and r["project"] == str(PROJECT)
        assert r["ruleset"].endswith("default_rules.yaml")
        assert json.loads(r["layer_versions"])["redline"] == str(LAYERS / "redline" / "redline.shp")


def test_a_batch_goes_to_postgis_one_row_per_site_and_runs_append(postgis_db, pg_password):
    url = f"{postgis_db.url}?table=audit_sites&findings=audit_findings"
    first, second = _batch(url), _batch(url)
    with _psycopg(postgis_db, pg_password) as conn, conn.cursor() as cur:
        runs = _rows(cur, "SELECT run_id, count(*) AS n, min(checked_at) AS at FROM audit_sites GROUP BY run_id")
        assert len(runs) == 2 and all(r["n"] == len(first["sites"]) for r in runs)
        run_id = min(runs, key=lambda r: r["at"])["run_id"]
        sites = _rows(cur, "SELECT *, ST_SRID(geom) AS srid, ST_Area(geom::geography) AS pg_area, ST_AsBinary(geom) "
                           "AS wkb FROM audit_sites WHERE run_id = %s", run_id)
        findings = _rows(cur, "SELECT * FROM audit_findings WHERE run_id = %s", run_id)
        n_findings = _rows(cur, "SELECT count(*) AS n FROM audit_findings")[0]["n"]
    _assert_sites_match(sites, first)
    assert first["sites"] == second["sites"]
    by_id = {s["id"]: s for s in first["sites"]}
    for r in sites:
        area = by_id[r["id"]]["area_m2"]
        geod_area = sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(shapely.from_wkb(r["wkb"])))
        assert r["srid"] == 4490
        assert r["pg_area"] == pytest.approx(area, rel=1e-4) and geod_area == pytest.approx(area, rel=1e-4)
    keys = ("site", "layer", "feature", "relation", "verdict", "rule_id", "overlap_area_m2", "distance_m")
    assert sorted(tuple(f[k] for k in keys) for f in findings) == sorted(
        tuple(f[k] for k in keys) for f in first["findings"])
    assert n_findings == len(first["findings"]) + len(second["findings"])


def test_a_batch_goes_to_a_geopackage_and_runs_append(tmp_path):
    store = tmp_path / "results.gpkg"
    first = _batch(f"{store}?findings=batch_findings")
    second = _batch(f"{store}?findings=batch_findings")
    frame = pyogrio.read_dataframe(store, layer="ecogis_batch_sites")
    assert frame.crs.to_epsg() == 4490 and frame["run_id"].nunique() == 2
    with sqlite3.connect(store) as conn:
        conn.row_factory = sqlite3.Row
        run_id = conn.execute("SELECT run_id FROM ecogis_batch_sites ORDER BY fid LIMIT 1").fetchone()[0]
        rows = [dict(r) for r in conn.execute("SELECT * FROM ecogis_batch_sites WHERE run_id = ?", (run_id,))]
        findings = conn.execute("SELECT count(*) FROM batch_findings WHERE run_id = ?", (run_id,)).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM batch_findings").fetchone()[0]
    _assert_sites_match(rows, first)
    assert findings == len(first["findings"]) and total == findings + len(second["findings"])
    by_id = {s["id"]: s for s in first["sites"]}
    for _, r in frame[frame["run_id"] == run_id].iterrows():
        geod_area = sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(r.geometry))
        assert geod_area == pytest.approx(by_id[r["id"]]["area_m2"], rel=1e-4)


def test_without_findings_no_findings_table_is_written(tmp_path):
    store = tmp_path / "results.gpkg"
    _batch(f"{store}?table=sites_only")
    assert [str(n) for n, _ in pyogrio.list_layers(store)] == ["sites_only"]


def _run_fails(target) -> None:
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--batch", "--results-to", str(target)])
    assert res.exit_code != 0 and isinstance(res.exception, OSError)


def test_a_failed_run_leaves_no_rows_in_postgis(postgis_db, pg_password, monkeypatch):
    url = f"{postgis_db.url}?findings=batch_findings"
    first = _batch(url)
    calls = _install_failure(monkeypatch)
    _run_fails(url)
    assert len(calls) == 3  # two chunks were appended in the run's transaction before it failed
    with _psycopg(postgis_db, pg_password) as conn, conn.cursor() as cur:
        assert _rows(cur, "SELECT count(*) AS n FROM ecogis_batch_sites")[0]["n"] == len(first["sites"])
        assert _rows(cur, "SELECT count(*) AS n FROM batch_findings")[0]["n"] == len(first["findings"])


def test_a_failed_first_run_leaves_no_table_in_postgis(postgis_db, pg_password, monkeypatch):
    _install_failure(monkeypatch)
    _run_fails(f"{postgis_db.url}?findings=batch_findings")
    with _psycopg(postgis_db, pg_password) as conn, conn.cursor() as cur:
        left = _rows(cur, "SELECT to_regclass('ecogis_batch_sites') AS s, to_regclass('batch_findings') AS f")[0]
    assert left == {"s": None, "f": None}


def test_a_failed_run_leaves_the_geopackage_as_it_was(tmp_path, monkeypatch):
    store = tmp_path / "results.gpkg"
    _batch(f"{store}?findings=batch_findings")
    before = store.read_bytes()
    calls = _install_failure(monkeypatch)
    _run_fails(f"{store}?findings=batch_findings")
    assert len(calls) == 3  # two chunks were written into the run before it failed
    assert store.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["results.gpkg"]


def _install_failure(monkeypatch) -> list:
    """One site per chunk, and the results writer fails on the third chunk (after two were appended)."""
    monkeypatch.setattr("ecogis.screen.CHUNK_SITES", 1)
    real = results_batch.BatchResultsWriter.site_rows
    calls: list = []

    def site_rows(self, chunk):
        calls.append(len(chunk.sites))
        if len(calls) == 3:
            raise OSError("disk gone")
        return real(self, chunk)

    monkeypatch.setattr(results_batch.BatchResultsWriter, "site_rows", site_rows)
    return calls


def test_chunks_are_appended_as_they_come(tmp_path, monkeypatch):
    """Streamed: one vectorised append per chunk of sites (here one site per chunk), not one at the end."""
    from ecogis.store import results_sinks

    monkeypatch.setattr("ecogis.screen.CHUNK_SITES", 1)
    sizes = []
    real = results_sinks.GpkgSink.append
    monkeypatch.setattr(results_sinks.GpkgSink, "append",
                        lambda self, table, frame: (sizes.append(len(frame)), real(self, table, frame))[1])
    doc = _batch(tmp_path / "r.gpkg")
    assert sizes == [1] * len(doc["sites"])


def test_a_table_of_other_columns_is_refused_in_one_line(postgis_db, pg_password, tmp_path):
    with _psycopg(postgis_db, pg_password) as conn:
        conn.execute("CREATE TABLE parcels (id text, verdict text)")
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--batch", "--results-to",
                                         f"{postgis_db.url}?table=parcels"])
    (line,) = [s for s in res.stderr.splitlines() if not s.startswith("ecogis: warning")]
    assert res.exit_code == 2 and "public.parcels" in line and "other columns" in line
    assert "public.parcels" in res.stderr and "other columns" in res.stderr and pg_password not in res.stderr
    store = tmp_path / "r.gpkg"
    other = gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.Point(121, 41)], crs=4490)
    pyogrio.write_dataframe(other, store, layer="parcels")
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--batch", "--results-to",
                                         f"{store}?table=parcels"])
    assert res.exit_code == 2 and "parcels" in res.stderr and "other columns" in res.stderr


def test_a_password_in_the_url_is_refused(tmp_path):
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--batch", "--results-to",
                                         "postgresql://ecogis:s3cret@127.0.0.1/db?table=t"])
    assert res.exit_code == 2 and "password" in res.stderr and "s3cret" not in res.stderr
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--batch", "--results-to",
                                         str(tmp_path / "r.csv")])
    assert res.exit_code == 2 and ".gpkg" in res.stderr


def _parcels(path):
    """Twelve 300 m x 200 m parcels (EPSG:4490) over the sample area: in and near the red line and reserve."""
    lon, lat = [121.86, 121.9, 121.95, 122.0, 122.05, 122.1], [40.95, 41.0]
    boxes = [shapely.box(x, y, x + 0.0036, y + 0.0018) for x in lon for y in lat]
    gpd.GeoDataFrame({"编号": [f"S{k}" for k in range(len(boxes))]}, geometry=boxes, crs=4490).to_file(path)
    return path


def test_two_workers_write_the_same_rows_as_one(tmp_path):
    sites = _parcels(tmp_path / "parcels.geojson")
    stores = [tmp_path / "one.gpkg", tmp_path / "two.gpkg"]
    for store, workers in zip(stores, ("1", "2")):
        res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(PROJECT), "--batch", "--workers", workers,
                                             "--results-to", f"{store}?findings=f"])
        assert res.exit_code == 0, res.output
    a, b = (pyogrio.read_dataframe(p, layer="ecogis_batch_sites").sort_values("id").reset_index(drop=True)
            for p in stores)
    columns = [c for c in a.columns if c not in ("run_id", "checked_at", "geometry")]
    assert len(a) == 12 and (a["verdict"] != "符合").any() and a[columns].equals(b[columns])
    assert a.geometry.geom_equals(b.geometry).all()
    f1, f2 = (pyogrio.read_dataframe(p, layer="f").drop(columns="run_id").sort_values(["site", "layer", "feature",
              "relation"]).reset_index(drop=True) for p in stores)
    assert len(f1) > 0 and f1.equals(f2)


def test_the_dask_engine_writes_the_same_rows_as_in_process(tmp_path):
    sites = _parcels(tmp_path / "parcels.geojson")
    stores = [tmp_path / "local.gpkg", tmp_path / "dask.gpkg"]
    for store, engine in zip(stores, (["--workers", "1"], ["--engine", "dask", "--workers", "2"])):
        res = CliRunner().invoke(check_cmd, [str(sites), "-p", str(PROJECT), "--batch", *engine,
                                             "--results-to", str(store)])
        assert res.exit_code == 0, res.output
    a, b = (pyogrio.read_dataframe(p, layer="ecogis_batch_sites").sort_values("id").reset_index(drop=True)
            for p in stores)
    columns = [c for c in a.columns if c not in ("run_id", "checked_at", "geometry")]
    assert len(a) == 12 and a[columns].equals(b[columns]) and a.geometry.geom_equals(b.geometry).all()


def test_site_geometries_are_looked_up_by_id_and_several_rows_of_one_site_are_united():
    gk = gpd.GeoDataFrame({"id": ["a", "a", "b"]}, crs=4550,
                          geometry=[shapely.box(440_000, 4_530_000, 441_000, 4_531_000),
                                    shapely.box(441_000, 4_530_000, 442_000, 4_531_000), shapely.Point(445_000, 4_535_000)])
    b, a, missing = results_batch.SiteGeometries(gk).of(["b", "a", "x"])
    assert missing is None and b.geom_type == "Point" and a.geom_type == "Polygon"
    expected = sum(abs(GEOD.geometry_area_perimeter(shapely.segmentize(g, 0.001))[0])
                   for g in gk.iloc[:2].to_crs(4490).geometry)  # the two 1 km squares, measured apart
    assert abs(GEOD.geometry_area_perimeter(shapely.segmentize(a, 0.001))[0]) == pytest.approx(expected, rel=1e-6)
    (only,) = results_batch.SiteGeometries(gk.iloc[[2]]).of(["b"])
    assert only.equals(gk.iloc[[2]].to_crs(4490).geometry.iloc[0])


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
def test_a_results_geopackage_that_is_an_input_layer_is_refused_and_left_unchanged(tmp_path, batch):
    """The project's boundary GeoPackage named as --results-to: exit code 2, one line naming it, and its
    bytes unchanged (never write into an input)."""
    import hashlib
    import shutil

    layers = shutil.copytree(LAYERS, tmp_path / "layers")
    boundary = layers / "boundary" / "panjin.gpkg"
    before = hashlib.sha256(boundary.read_bytes()).hexdigest()
    args = [str(layers / "sites" / "sites_zone41.txt"), "-p", str(layers / "project.yaml"),
            "--results-to", str(boundary), "--out", str(tmp_path / "out")]
    res = CliRunner().invoke(check_cmd, args + (["--batch"] if batch else []))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "panjin.gpkg" in res.output.lower()
    assert hashlib.sha256(boundary.read_bytes()).hexdigest() == before
