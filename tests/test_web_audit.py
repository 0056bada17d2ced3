"""The audit tab's API: one of the service's specs by name, or an uploaded spec confined to the project's
folder; results equal ``ecogis audit --json``; the tables download; no server path is read."""
from __future__ import annotations

import csv
import io
import json
import time

import openpyxl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import REPO, login, make_app, service_warnings

from ecogis.cli import main

SCRIPTS = REPO / "scripts"
SPEC = SCRIPTS / "panjin_audit.yaml"


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


@pytest.fixture
def client(tmp_path):
    with TestClient(make_app(tmp_path / "data", auth=False, audits_dir=SCRIPTS)) as c:
        yield c


@pytest.fixture(scope="module")
def cli_audit() -> dict:
    res = CliRunner().invoke(main, ["audit", str(SPEC), "--json", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def wait(client, url: str, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("done", "error"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


def comparable_checks(doc: dict) -> list[dict]:
    return [{k: v for k, v in c.items() if k != "notes"} for c in doc["checks"]]


def test_a_listed_audit_equals_the_cli_and_its_tables_download(client, cli_audit):
    listed = client.get("/api/audits").json()
    entry = next(a for a in listed if a["name"] == SPEC.name)
    assert entry["title"] == cli_audit["title"]
    started = client.post("/api/audit", data={"name": SPEC.name})
    assert started.status_code == 202, started.text
    job = wait(client, started.json()["status_url"])
    assert job["status"] == "done", job
    result = job["result"]
    assert comparable_checks(result) == comparable_checks(cli_audit)
    assert result["verdict"] == job["verdict"] == cli_audit["verdict"]
    assert result["spec"] == SPEC.name                     # no server path in the document
    wb = openpyxl.load_workbook(io.BytesIO(client.get(job["outputs"]["xlsx"]).content))
    summary = wb.worksheets[0]
    ids = {str(row[0].value) for row in summary.iter_rows()}
    assert {c["id"] for c in cli_audit["checks"]} <= ids
    rows = list(csv.reader(io.StringIO(client.get(job["outputs"]["csv"]).content.decode("utf-8-sig"))))
    assert {c["id"] for c in cli_audit["checks"]} <= {r[0] for r in rows}
    assert json.loads(client.get(job["outputs"]["json"]).content)["verdict"] == cli_audit["verdict"]
    assert "通过" in client.get(job["outputs"]["txt"]).text


def test_an_uploaded_spec_reads_the_project_layers(client, cli_audit):
    """The sample spec with its paths written relative to the project's folder (layers/) gives the same figures."""
    text = SPEC.read_text(encoding="utf-8").replace("../layers/", "")
    assert "../" not in text.split("layers:", 1)[1].split("checks:", 1)[0]
    started = client.post("/api/audit", files={"file": ("mine.yaml", text.encode("utf-8"))})
    job = wait(client, started.json()["status_url"])
    assert job["status"] == "done", job
    assert comparable_checks(job["result"]) == comparable_checks(cli_audit)


@pytest.mark.parametrize("path", ["../pyproject.toml", "/etc/passwd", "redline/../../scripts/panjin_audit.yaml"])
def test_an_uploaded_spec_naming_a_file_outside_the_project_is_refused(client, path):
    spec = (f"title: probe\nlayers:\n  x: {{path: {path}}}\nchecks:\n  - id: a\n    type: area_share\n"
            f"    layer: x\n    within: 盘锦市\n")
    job = wait(client, client.post("/api/audit", files={"file": ("probe.yaml", spec.encode())}).json()["status_url"])
    assert job["status"] == "error" and "项目文件夹之外" in job["error"] and path in job["error"]


def test_a_spec_outside_the_list_cannot_be_named(client):
    for name in ("../pyproject.toml", "/etc/passwd", "panjin_audit", "setup.sh"):
        resp = client.post("/api/audit", data={"name": name})
        assert resp.status_code == 404, name


def test_another_user_cannot_see_an_audit(tmp_path):
    app = make_app(tmp_path / "data", audits_dir=SCRIPTS)
    with TestClient(app) as alice, TestClient(app) as bob:
        token = login(alice, "alice")
        login(bob, "bob")
        started = alice.post("/api/audit", files={"file": ("bad.yaml", b"checks: [")},
                             headers={"X-CSRF-Token": token}).json()
        job = wait(alice, started["status_url"])
        assert job["status"] == "error"
        assert bob.get(started["status_url"]).status_code == 404
        assert bob.get(f"/api/batch/{started['id']}").status_code == 404
