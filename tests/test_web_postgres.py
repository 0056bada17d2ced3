"""``ecogis serve --history postgresql://...``: accounts, checks and jobs in a real (throw-away)
PostgreSQL cluster, with the same records and filters as the SQLite store."""
from __future__ import annotations

import hashlib

import psycopg
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import PASSWORDS, SITES, login, make_app, service_warnings

from ecogis.cli import main
from ecogis.web.store import Store, new_id, now
from ecogis.web.store_pg import PostgresStore


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


def _record(owner: str, name: str, verdict: str | None, created: str) -> dict:
    return {"id": new_id(), "owner": owner, "created": created, "status": "done" if verdict else "error",
            "input_name": name, "input_sha256": hashlib.sha256(name.encode()).hexdigest(),
            "ecogis_version": "test", "project_versions": {"layers": {"redline": [{"sha256": "ab"}]}},
            "parameters": {"buffers": "500", "lang": "zh"}, "verdict": verdict, "reports": {"json": "check.json"},
            "site_geojson": {"type": "FeatureCollection", "features": []} if verdict else None,
            "error": None if verdict else "坏文件"}


def _fill(store) -> list[dict]:
    records = [_record("alice", "井场_A.txt", "禁止", "2026-12-01T08:00:00+00:00"),
               _record("alice", "pipe%line.geojson", "符合", "2026-12-01T09:00:00+00:00"),
               _record("bob", "Bob_site.kml", "禁止", "2026-12-01T10:00:00+00:00"),
               _record("alice", "broken.csv", None, "2026-12-01T11:00:00+00:00")]
    for r in records:
        store.add_check(r)
    store.put_user("alice", "hash-1", "user")
    store.put_user("alice", "hash-2", "admin")       # an update, not a second row
    job = {"id": new_id(), "owner": "bob", "created": now(), "status": "queued", "input_name": "many.csv",
           "input_sha256": "00", "parameters": {"lang": "en"}, "reports": {}}
    store.add_job(job)
    store.update_job(job["id"], status="done", done=3, total=3, reports={"xlsx": "batch.xlsx"})
    store.update_check(records[0]["id"], reports={"json": "check.json", "docx": "check.docx"})
    return records + [job]


def _answers(store, records) -> dict:
    """What the service asks of a store, for the records written by :func:`_fill`."""
    first, second, bob, broken, job = records
    return {
        "check": store.check(first["id"]), "missing": store.check(new_id()),
        "alice": [r["input_name"] for r in store.checks("alice")],
        "everyone": [r["input_name"] for r in store.checks(None)],
        "forbidden": [r["input_name"] for r in store.checks(None, verdict="禁止")],
        "text": [r["input_name"] for r in store.checks(None, text="site")],
        "percent": [r["input_name"] for r in store.checks(None, text="%")],
        "underscore": [r["input_name"] for r in store.checks("alice", text="_")],
        "user": {k: v for k, v in store.user("alice").items() if k != "created"},
        "users": [(u["name"], u["role"]) for u in store.users()],
        "job": {k: v for k, v in store.job(job["id"]).items() if k != "created"},
    }


def test_postgres_store_answers_as_the_sqlite_store(postgis_db, pg_password, tmp_path):
    pg = PostgresStore(postgis_db.url)
    records = _fill(pg)
    answers = _answers(pg, records)
    # independently of either store: what the records written above must give
    assert answers["alice"] == ["broken.csv", "pipe%line.geojson", "井场_A.txt"]
    assert answers["forbidden"] == ["Bob_site.kml", "井场_A.txt"]
    assert answers["text"] == ["Bob_site.kml"]            # case-insensitive, as SQLite's LIKE
    assert answers["percent"] == ["pipe%line.geojson"]     # % and _ are literal characters
    assert answers["underscore"] == ["井场_A.txt"]
    assert answers["check"]["reports"] == {"json": "check.json", "docx": "check.docx"}
    assert answers["check"]["project_versions"] == records[0]["project_versions"]
    assert answers["missing"] is None
    assert answers["users"] == [("alice", "admin")] and answers["user"]["password_hash"] == "hash-2"
    assert (answers["job"]["status"], answers["job"]["done"], answers["job"]["reports"]) == \
        ("done", 3, {"xlsx": "batch.xlsx"})
    # and the SQLite store gives the same for the same records
    sqlite = Store(tmp_path)
    for r in records[:4]:
        sqlite.add_check(r)
    sqlite.put_user("alice", "hash-1", "user")
    sqlite.put_user("alice", "hash-2", "admin")
    sqlite.add_job({k: v for k, v in records[4].items() if k not in ("done", "total")} | {"status": "queued"})
    sqlite.update_job(records[4]["id"], status="done", done=3, total=3, reports={"xlsx": "batch.xlsx"})
    sqlite.update_check(records[0]["id"], reports={"json": "check.json", "docx": "check.docx"})
    assert _answers(sqlite, records) == answers
    # the rows are really in PostgreSQL, the JSON as jsonb
    with psycopg.connect(postgis_db.url, password=pg_password) as conn:
        assert conn.execute("SELECT count(*) FROM ecogis_checks").fetchone()[0] == 4
        kind = conn.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'ecogis_checks' "
                            "AND column_name = 'parameters'").fetchone()[0]
        assert kind == "jsonb"
        assert conn.execute("SELECT parameters->>'buffers' FROM ecogis_checks LIMIT 1").fetchone()[0] == "500"


def test_the_service_keeps_its_history_in_postgres(postgis_db, pg_password, tmp_path):
    app = make_app(tmp_path / "data", history=postgis_db.url)     # the accounts are created in PostgreSQL too
    assert not (tmp_path / "data" / "ecogis.sqlite").exists()
    data = (SITES / "sites_zone41.txt").read_bytes()
    with TestClient(app) as c:
        token = login(c, "alice")
        doc = c.post("/api/check", files={"file": ("sites_zone41.txt", data)}, headers={"X-CSRF-Token": token})
        assert doc.status_code == 201, doc.text
        doc = doc.json()
        record = c.get(f"/api/checks/{doc['id']}").json()["record"]
        assert record["input_sha256"] == hashlib.sha256(data).hexdigest()
        assert [r["id"] for r in c.get("/api/checks", params={"verdict": doc["verdict"]}).json()] == [doc["id"]]
        assert "sites_zone41.txt" in c.get("/history").text
        assert c.get(doc["outputs"]["xlsx"]).status_code == 200          # reports recorded in PostgreSQL
    with TestClient(app) as other:
        login(other, "bob")
        assert other.get(f"/api/checks/{doc['id']}").status_code == 404
    with psycopg.connect(postgis_db.url, password=pg_password) as conn:
        owner, verdict, reports = conn.execute("SELECT owner, verdict, reports FROM ecogis_checks WHERE id = %s",
                                               (doc["id"],)).fetchone()
    assert (owner, verdict) == ("alice", doc["verdict"]) and "xlsx" in reports


def test_serve_user_adds_the_account_in_postgres(postgis_db, pg_password, tmp_path):
    res = CliRunner().invoke(main, ["serve-user", "add", "dora", "--role", "admin", "--data", str(tmp_path),
                                    "--history", postgis_db.url], env={"ECOGIS_PASSWORD": PASSWORDS["root"]})
    assert res.exit_code == 0, res.output
    listed = CliRunner().invoke(main, ["serve-user", "list", "--data", str(tmp_path), "--history", postgis_db.url])
    assert listed.output.startswith("dora\tadmin\t")
    with psycopg.connect(postgis_db.url, password=pg_password) as conn:
        (hashed,) = conn.execute("SELECT password_hash FROM ecogis_users WHERE name = 'dora'").fetchone()
    assert hashed.startswith("$argon2id$")


def test_a_wrong_password_is_a_clear_error(postgis_db, monkeypatch, tmp_path):
    monkeypatch.setenv("PGPASSWORD", "wrong")
    res = CliRunner().invoke(main, ["serve-user", "list", "--data", str(tmp_path), "--history", postgis_db.url])
    assert res.exit_code == 2
    assert "password authentication failed" in res.output and "Traceback" not in res.output
