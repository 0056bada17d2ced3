"""``ecogis serve`` JSON API: the check document equals ``ecogis check --json``, history, reports, batch."""
from __future__ import annotations

import hashlib
import io
import json
import time

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import PROJECT, REPO, SITES, cli_json, comparable, make_app, service_warnings, upload

import ecogis
from ecogis.cli import main


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


@pytest.fixture
def client(tmp_path):
    with TestClient(make_app(tmp_path / "data", auth=False)) as c:
        yield c


@pytest.mark.parametrize("name", ["sites_zone41.txt", "pipeline.geojson", "points.csv"])
def test_upload_equals_cli(client, name):
    resp = client.post("/api/check", files=upload(name))
    assert resp.status_code == 201, resp.text
    cli = cli_json(str(SITES / name))
    cli.pop("outputs")
    assert comparable(resp.json()) == comparable(cli, str(SITES))


def test_geojson_body_equals_cli(client):
    body = (SITES / "pipeline.geojson").read_bytes()
    resp = client.post("/api/check?buffers=500,1000", content=body, headers={"content-type": "application/geo+json"})
    assert resp.status_code == 201, resp.text
    cli = cli_json(str(SITES / "pipeline.geojson"), "--buffer", "500,1000")
    cli.pop("outputs")
    assert resp.json()["buffers_m"] == [500.0, 1000.0]
    assert comparable(resp.json()) == comparable(cli, str(SITES))


def test_coordinates_equal_cli_at_with_gcj02(client):
    resp = client.post("/api/check", data={"coordinates": "121.8562,40.9543", "site_crs": "GCJ-02"})
    assert resp.status_code == 201, resp.text
    cli = cli_json("--at", "121.8562,40.9543", "--site-crs", "GCJ-02")
    cli.pop("outputs")
    assert comparable(resp.json()) == comparable(cli)
    assert any("converted from GCJ-02" in n for n in resp.json()["assumptions"])


def test_assumptions_shown_in_the_report_language(client):
    zh = client.post("/api/check", data={"coordinates": "121.8562,40.9543", "site_crs": "GCJ-02"}).json()
    assert any("GCJ-02" in n and "转换" in n for n in zh["assumptions_text"])
    en = client.post("/api/check", data={"coordinates": "121.8562,40.9543", "site_crs": "GCJ-02", "lang": "en"})
    assert en.json()["assumptions_text"] == en.json()["assumptions"]      # the CLI's --json notes are English
    again = client.get(f"/api/checks/{zh['id']}", params={"lang": "en"}).json()
    assert again["assumptions_text"] == again["assumptions"]


def test_batch_crs_declared_and_its_assumptions_without_server_paths(client, tmp_path):
    resp = client.post("/api/batch", files=upload("points.csv"), data={"site_crs": "GCJ-02"})
    url = resp.json()["status_url"]
    for _ in range(200):
        job = client.get(url).json()
        if job["status"] in ("done", "error"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    assert any("GCJ-02" in n and "转换" in n for n in job["assumptions"])           # Chinese by default
    english = client.get(url, params={"lang": "en"}).json()["assumptions"]
    assert any("converted from GCJ-02" in n for n in english)
    assert any(n.startswith("points.csv") for n in english)      # the upload's name, not the server's folder
    text = json.dumps(job, ensure_ascii=False) + client.get(job["outputs"]["json"]).text
    assert str(tmp_path) not in text
    res = CliRunner().invoke(main, ["check", str(SITES / "points.csv"), "--project", str(PROJECT), "--batch",
                                    "--site-crs", "GCJ-02", "--json"])
    assert job["verdict"] == json.loads(res.stdout)["verdict"]


def test_industry_and_description_equal_cli(client):
    sent = {"coordinates": "121.85,40.95", "site_crs": "EPSG:4490", "industry": "C2614", "description": "化工"}
    resp = client.post("/api/check", data=sent)
    assert resp.status_code == 201, resp.text
    cli = cli_json("--at", "121.85,40.95", "--site-crs", "EPSG:4490", "--industry", "C2614", "--description", "化工")
    cli.pop("outputs")
    assert comparable(resp.json()) == comparable(cli)
    assert not any("no industry given" in n for n in resp.json()["assumptions"])
    assert client.post("/api/check", data={**sent, "industry": "X99"}).status_code == 422


def test_inferred_crs_is_stated(client):
    doc = client.post("/api/check", data={"coordinates": "121.85,40.95"}).json()
    assert any("no CRS given" in n and "GCJ-02" in n for n in doc["assumptions"])


def test_history_record_reproduces_inputs(client, tmp_path):
    data = (SITES / "sites_zone41.txt").read_bytes()
    doc = client.post("/api/check", files={"file": ("sites_zone41.txt", data)}, data={"buffers": "500"}).json()
    record = client.get(f"/api/checks/{doc['id']}").json()["record"]
    assert record["input_sha256"] == hashlib.sha256(data).hexdigest()
    assert record["ecogis_version"] == ecogis.__version__
    assert record["parameters"]["buffers"] == "500"
    assert record["verdict"] == doc["verdict"]
    redline = record["project_versions"]["layers"]["redline"]
    by_name = {v["path"].rsplit("/", 1)[1]: v["sha256"] for v in redline}
    layer_dir = REPO / "layers" / "redline"
    for name in ("redline.shp", "redline.dbf", "redline.shx"):
        assert by_name[name] == hashlib.sha256((layer_dir / name).read_bytes()).hexdigest()
    assert record["project_versions"]["project"]["sha256"] == hashlib.sha256(PROJECT.read_bytes()).hexdigest()
    stored = client.get(f"/api/checks/{doc['id']}").json()
    parcels = [ln for ln in data.decode("gb18030").splitlines() if ln.rstrip().endswith("@")]
    site = client.app.state.store.check(doc["id"])["site_geojson"]
    assert len(site["features"]) == len(parcels) == 4
    assert comparable(stored) == comparable(doc)
    listed = client.get("/api/checks", params={"verdict": doc["verdict"]}).json()
    assert [r["id"] for r in listed] == [doc["id"]]
    assert client.get("/api/checks", params={"q": "nothing-like-this"}).json() == []


def test_failed_check_is_recorded_with_its_reason(client, tmp_path):
    resp = client.post("/api/check", files={"file": ("broken.geojson", b'{"type": "FeatureCollection", "features": [')})
    assert resp.status_code == 422
    assert "broken.geojson" in resp.json()["detail"] and str(tmp_path) not in resp.json()["detail"]
    listed = client.get("/api/checks").json()
    assert [r["status"] for r in listed] == ["error"]


def test_reports_download_and_open(client):
    doc = client.post("/api/check", files=upload("sites_zone41.txt")).json()
    out = doc["outputs"]
    assert set(out) >= {"json", "html", "docx", "xlsx", "txt"}
    d = docx.Document(io.BytesIO(client.get(out["docx"]).content))
    text = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert doc["verdict"] in text
    wb = openpyxl.load_workbook(io.BytesIO(client.get(out["xlsx"]).content))
    assert wb.sheetnames
    assert json.loads(client.get(out["json"]).content)["verdict"] == doc["verdict"]
    html = client.get(out["html"])
    assert html.headers["content-disposition"].startswith("inline")
    assert "sandbox" in html.headers["content-security-policy"]
    site_txt = client.get(out["txt"]).content.decode("gb18030")
    assert "[地块坐标]" in site_txt


def test_map_shows_only_features_near_the_site(client):
    doc = client.post("/api/check", data={"coordinates": "121.85,40.95", "buffers": "500"}).json()
    m = client.get(f"/api/checks/{doc['id']}/map").json()
    (south, west), (north, east) = m["bounds"]
    # 500 m × 1.2 margin is under 0.01° of latitude and under 0.01° of longitude at 41° N (cos 41° ≈ 0.755)
    for layer in m["layers"].values():
        for f in layer["features"]["features"]:
            coords = json.dumps(f["geometry"]["coordinates"])
            xs = [float(v) for v in coords.replace("[", " ").replace("]", " ").replace(",", " ").split()]
            lons, lats = xs[0::2], xs[1::2]
            assert min(lons) >= west - 0.01 and max(lons) <= east + 0.01
            assert min(lats) >= south - 0.01 and max(lats) <= north + 0.01


def test_batch_job_progress_and_outputs(client):
    resp = client.post("/api/batch", files=upload("points.csv"))
    assert resp.status_code == 202
    url = resp.json()["status_url"]
    for _ in range(200):
        job = client.get(url).json()
        if job["status"] in ("done", "error"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == 3
    res = CliRunner().invoke(main, ["check", str(SITES / "points.csv"), "--project", str(PROJECT), "--batch",
                                    "--json"])
    assert job["verdict"] == json.loads(res.stdout)["verdict"]
    assert client.get(job["outputs"]["xlsx"]).status_code == 200


def test_health_and_openapi(client):
    health = client.get("/health").json()
    import yaml

    layers = yaml.safe_load(PROJECT.read_text(encoding="utf-8"))["layers"]  # every layer of the project file
    assert health["status"] == "ok" and health["layers"] == len(layers)
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/check", "/api/checks/{check_id}", "/api/checks/{check_id}/report/{fmt}", "/api/batch"} <= set(paths)
    content = paths["/api/check"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/geo+json"} <= set(content)
    assert client.get("/docs").status_code == 404       # Swagger UI would load its scripts from a CDN


def test_pages_render_in_chinese_and_english(client):
    zh = client.get("/").text
    assert "生态保护红线选址审查" in zh and "GCJ-02" in zh
    en = client.get("/?lang=en").text
    assert "Ecological red line site screening" in en
    assert "审查记录" not in en


def test_docx_later_from_the_kept_input_and_refused_when_layers_changed(client):
    doc = client.post("/api/check", files=upload("sites_zone41.txt")).json()
    service = client.app.state.service
    service.recent.clear()                   # as after a restart: the result is no longer in memory
    resp = client.get(doc["outputs"]["xlsx"])
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert doc["verdict"] in cells
    other = client.post("/api/check", data={"coordinates": "121.85,40.95"}).json()
    service.recent.clear()
    client.app.state.loaded.versions = {"project": None, "rules": None, "layers": {}}
    resp = client.get(other["outputs"]["docx"])
    assert resp.status_code == 409 and "项目图层已变更" in resp.json()["detail"]     # Chinese by default
    english = client.get(other["outputs"]["docx"] + "?lang=en")
    assert english.status_code == 409 and "layers changed" in english.json()["detail"]
    assert client.get(doc["outputs"]["docx"]).status_code == 200   # written with its XLSX, before the change


def test_layers_indexed_once_per_worker_and_results_still_equal_the_cli(tmp_path, monkeypatch):
    import ecogis.screen_index

    built = []
    index_layer = ecogis.screen_index.index_layer
    monkeypatch.setattr(ecogis.screen_index, "index_layer", lambda name, *a, **k: built.append(name) or
                        index_layer(name, *a, **k))
    with TestClient(make_app(tmp_path / "data", auth=False, workers=1)) as c:
        first = c.post("/api/check", data={"coordinates": "121.85,40.95", "site_crs": "EPSG:4490"})
        once = list(built)
        assert once and len(once) == len(set(once))            # every layer indexed once for this GK zone
        second = c.post("/api/check", files=upload("sites_zone41.txt"), data={"buffers": "500,1000"})
        assert second.status_code == first.status_code == 201
        assert built == once            # the same GK zone (41: 121.5-124.5° E): nothing indexed again
        cli = cli_json(str(SITES / "sites_zone41.txt"), "--buffer", "500,1000")
        cli.pop("outputs")
        assert comparable(second.json()) == comparable(cli, str(SITES))      # from the reused indexes
        c.post("/api/admin/reload")
        c.post("/api/check", data={"coordinates": "121.85,40.95", "site_crs": "EPSG:4490"})
        assert built[-len(once):] == once                        # new layers after a reload: indexed again
