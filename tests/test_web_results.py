"""``ecogis serve --results-to STORE``: every check's results also go to the results tables, from several
checks at once (the real uvicorn server, the real throw-away PostgreSQL cluster, a GeoPackage), read back
with psycopg / sqlite3 and compared with each check's own response; a store that cannot be written is a
warning in the response and the log, and the check still answers."""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import PROJECT, SITES, LiveServer, make_app, service_warnings, upload

from ecogis.cli import main

POINTS = ["121.85,40.95", "121.8562,40.9543", "122.095,40.99", "121.9874,40.9958", "121.99,41.33", "122.0,41.0"]


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


def _checks_at_once(app) -> list[dict]:
    """The six points checked by six clients at the same time on the real server."""
    with LiveServer(app) as server, ThreadPoolExecutor(6) as pool:
        def one(point):
            resp = httpx.post(f"{server.url}/api/check", data={"coordinates": point}, timeout=120)
            assert resp.status_code == 201, resp.text
            return resp.json()

        return list(pool.map(one, POINTS))


def _assert_written(docs, runs: dict, findings: dict) -> None:
    """Each response names its run; the run's row and findings are those of the response."""
    assert all(d["warnings"] == [] for d in docs)
    assert sorted(runs) == sorted(d["results_to"]["run_id"] for d in docs)
    for d in docs:
        run_id = d["results_to"]["run_id"]
        assert runs[run_id] == (d["verdict"], len(d["findings"]))
        assert findings.get(run_id, 0) == len(d["findings"])


def test_concurrent_checks_all_go_to_postgis(tmp_path, postgis_db, pg_password):
    docs = _checks_at_once(make_app(tmp_path / "data", auth=False, workers=4, results_to=postgis_db.url))
    s = postgis_db.server
    with psycopg.connect(host=s.host, port=s.port, user=s.user, password=pg_password, dbname=postgis_db.name) as conn:
        runs = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT run_id, verdict, findings FROM ecogis_check_runs")}
        findings = dict(conn.execute("SELECT run_id, count(*) FROM ecogis_check_findings GROUP BY run_id").fetchall())
    _assert_written(docs, runs, findings)


def test_concurrent_checks_all_go_to_one_geopackage(tmp_path):
    store = tmp_path / "results.gpkg"
    docs = _checks_at_once(make_app(tmp_path / "data", auth=False, workers=4, results_to=str(store)))
    with sqlite3.connect(store) as conn:
        runs = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT run_id, verdict, findings FROM ecogis_check_runs")}
        findings = dict(conn.execute("SELECT run_id, count(*) FROM ecogis_check_findings GROUP BY run_id").fetchall())
    _assert_written(docs, runs, findings)


@pytest.mark.parametrize("kind", ["postgis", "gpkg"])
def test_a_store_that_cannot_be_written_is_a_warning_and_the_check_answers(tmp_path, postgres_server, pg_password,
                                                                          caplog, kind):
    target = postgres_server.url("no_such_database") if kind == "postgis" else str(tmp_path / "gone" / "r.gpkg")
    with caplog.at_level(logging.WARNING, logger="ecogis.web"), \
            TestClient(make_app(tmp_path / "data", auth=False, results_to=target)) as client:
        resp = client.post("/api/check", data={"coordinates": "121.85,40.95", "lang": "en"})
        again = client.get(f"/api/checks/{resp.json()['id']}")
    doc = resp.json()
    assert resp.status_code == 201 and doc["verdict"] == "禁止" and again.status_code == 200
    (warning,) = doc["warnings"]
    assert warning.startswith("the results were not written to ") and target.split("?")[0] in warning
    assert doc["results_to"] == {"warning": warning}
    assert any("results not written" in r.getMessage() for r in caplog.records)
    assert pg_password not in warning


def test_a_batch_job_goes_to_the_results_table(tmp_path):
    store = tmp_path / "results.gpkg"
    with TestClient(make_app(tmp_path / "data", auth=False, results_to=f"{store}?table=jobs&findings=job_findings")) \
            as client:
        url = client.post("/api/batch", files=upload("sites_zone41.txt")).json()["status_url"]
        for _ in range(300):
            job = client.get(url).json()
            if job["status"] in ("done", "error"):
                break
            time.sleep(0.1)
        assert job["status"] == "done", job
        doc = json.loads(client.get(job["outputs"]["json"]).text)
    assert job["warnings"] == [] and job["results_to"]["sites"] == len(doc["sites"])
    with sqlite3.connect(store) as conn:
        rows = dict(conn.execute("SELECT id, verdict FROM jobs WHERE run_id = ?", (job["results_to"]["run_id"],)))
        n = conn.execute("SELECT count(*) FROM job_findings").fetchone()[0]
    assert rows == {s["id"]: s["verdict"] for s in doc["sites"]} and n == len(doc["findings"])


def test_serve_refuses_a_password_in_the_results_url(tmp_path):
    res = CliRunner().invoke(main, ["serve", "-p", str(PROJECT), "--no-auth", "--data", str(tmp_path / "d"),
                                    "--results-to", "postgresql://ecogis:s3cret@127.0.0.1/db"])
    assert res.exit_code == 2 and "password" in res.stderr and "s3cret" not in res.stderr


def test_without_results_to_the_answer_has_no_results_key(tmp_path):
    with TestClient(make_app(tmp_path / "data", auth=False)) as client:
        doc = client.post("/api/check", files=upload("sites_zone41.txt")).json()
    assert "results_to" not in doc and "warnings" not in doc
    assert (SITES / "sites_zone41.txt").exists()
