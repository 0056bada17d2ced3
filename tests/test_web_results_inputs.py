"""``ecogis serve --results-to FILE.gpkg`` never writes into the project's own files: a GeoPackage that is a
layer, the boundary or the project file (in any spelling of its path) is refused at start with one line and
exit code 2, as ``ecogis check --results-to`` refuses it, and on an admin's reload; the file is unchanged."""
from __future__ import annotations

import hashlib
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import REPO, service_warnings

from ecogis.cli import main
from ecogis.web.app import create_app
from ecogis.web.settings import ServeSettings


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


@pytest.fixture
def layers(tmp_path) -> Path:
    return shutil.copytree(REPO / "layers", tmp_path / "layers")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _serve(layers: Path, data: Path, results_to: str):
    """``ecogis serve`` on a port already taken, so that a service not refusing at start fails to bind
    (and this test fails) instead of serving for ever."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        return CliRunner().invoke(main, ["serve", "-p", str(layers / "project.yaml"), "--no-auth", "--port", port,
                                         "--data", str(data), "--results-to", results_to])


@pytest.mark.parametrize("spelling", ["boundary/panjin.gpkg", "boundary/panjin.gpkg?table=runs",
                                      "boundary/PANJIN.GPKG", "boundary/../zoning/farmland.gpkg?table=runs",
                                      "redline/../zoning/Parks.gpkg"])
def test_serve_refuses_a_results_geopackage_that_is_a_project_layer(layers, tmp_path, spelling):
    """Exit code 2 with one line naming the file, before the data folder is even created; no layer changed."""
    before = {p: _sha(p) for p in layers.rglob("*.gpkg")}
    res = _serve(layers, tmp_path / "data", str(layers / spelling))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1
    assert Path(spelling.split("?")[0]).name.lower() in res.stderr.lower()
    assert "input" in res.stderr.lower()
    assert {p: _sha(p) for p in layers.rglob("*.gpkg")} == before
    assert not (tmp_path / "data").exists()


def test_serve_refuses_the_project_geopackage_itself(tmp_path):
    """A zero-configuration project that is a GeoPackage: the project file itself is refused."""
    import geopandas as gpd
    from shapely.geometry import box

    project = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(121.8, 40.9, 121.9, 41.0)], crs=4490).to_file(
        project, layer="redline")
    before = _sha(project)
    settings = ServeSettings(project=project, data_dir=tmp_path / "data", auth=False,
                             results_to=str(tmp_path / "Controls.GPKG") + "?table=runs")
    with pytest.raises(Exception) as caught:
        create_app(settings)
    assert getattr(caught.value, "key", None) == "out.is_input"
    assert _sha(project) == before


def test_a_results_geopackage_beside_the_layers_is_accepted(layers, tmp_path):
    """The refusal is for the project's own files only: a new GeoPackage in a layer folder is written."""
    store = layers / "boundary" / "results.gpkg"
    settings = ServeSettings(project=layers / "project.yaml", data_dir=tmp_path / "data", auth=False,
                             warm_up=False, results_to=str(store))
    with TestClient(create_app(settings)) as client:
        doc = client.post("/api/check", data={"coordinates": "121.85,40.95"}).json()
    assert doc["warnings"] == [] and doc["results_to"]["run_id"] and store.is_file()


def test_a_reload_that_would_make_the_results_file_a_layer_is_refused(layers, tmp_path):
    """The project file edited after start so that its boundary is the results GeoPackage: the reload is
    refused (HTTP 422 saying the output is an input), the old layers stay in use and the results file is unchanged."""
    store = shutil.copy(layers / "boundary" / "panjin.gpkg", layers / "boundary" / "store.gpkg")
    settings = ServeSettings(project=layers / "project.yaml", data_dir=tmp_path / "data", auth=False,
                             warm_up=False, results_to=str(store) + "?table=runs")
    project = layers / "project.yaml"
    with TestClient(create_app(settings)) as client:
        project.write_text(project.read_text(encoding="utf-8").replace("boundary/panjin.gpkg", "boundary/store.gpkg"),
                           encoding="utf-8")
        before = _sha(store)
        resp = client.post("/api/admin/reload")
        assert resp.status_code == 422 and "输出文件与某个输入文件相同" in resp.json()["detail"]
        assert _sha(store) == before
        assert client.get("/health").status_code == 200
