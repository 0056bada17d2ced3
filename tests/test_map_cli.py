"""``ecogis map``: outputs, exit codes, JSON, kinds from KIND=FILE, project layers, sample data."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from click.testing import CliRunner
from conftest import LAYERS
from shapely.geometry import Point, box

from ecogis.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("layers")
    gpd.GeoDataFrame({"名称": ["辽河口红线"], "类型": ["生物多样性维护"]},
                     geometry=[box(121.70, 40.90, 121.90, 41.05)], crs=4490).to_file(d / "hx.geojson")
    gpd.GeoDataFrame({"名称": ["兴安"], "目标水质": ["Ⅲ类"], "水质类别": ["IV"]},
                     geometry=[Point(121.80, 41.10)], crs=4490).to_file(d / "sections.geojson")
    gpd.GeoDataFrame({"项目名称": ["拟建项目"]}, geometry=[box(121.75, 40.95, 121.76, 40.96)],
                     crs=4490).to_file(d / "site.geojson")
    return d


def _run(args):
    return CliRunner().invoke(main, ["map", *map(str, args)])


def test_html_map_with_kinds_and_json(files, tmp_path):
    out = tmp_path / "m.html"
    res = _run([f"redline={files / 'hx.geojson'}", files / "sections.geojson", "--site", files / "site.geojson",
                "--title", "测试图", "--out", out, "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout[res.stdout.index("{"):])
    assert payload["format"] == "html" and payload["bytes"] == out.stat().st_size
    kinds = {layer["name"]: layer["kind"] for layer in payload["layers"]}
    assert kinds == {"hx": "redline", "sections": "water_section"}   # the second from its file name
    assert any("from its name" in n for n in payload["notes"])
    html = out.read_text(encoding="utf-8")

    assert "辽河口红线" in html and "测试图" in html   # UTF-8 text, not \\uXXXX escapes
    assert '"measured_class":"Ⅳ"' in html   # "IV" normalised to the class Ⅳ
    # a second run refuses to overwrite (exit 2, one line), --overwrite replaces
    res = _run([f"redline={files / 'hx.geojson'}", "--out", out])
    assert res.exit_code == 2 and "exists" in res.stderr
    res = _run([f"redline={files / 'hx.geojson'}", "--out", out, "--overwrite"])
    assert res.exit_code == 0, res.output


def test_static_map_from_cli(files, tmp_path):
    out = tmp_path / "m.png"
    res = _run([f"redline={files / 'hx.geojson'}", "--out", out, "--dpi", "50", "--no-inset"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args,message", [
    (["--out", "x.jpg", "a.geojson"], "unsupported output type"),
    (["missing.shp", "--out", "x.html"], "layer not found"),
    (["--out", "x.html"], "no layers"),
])
def test_bad_input_exits_2(tmp_path, args, message):
    args = [str(tmp_path / a) if a.endswith((".jpg", ".html", ".shp", ".geojson")) else a for a in args]
    res = _run(args)
    assert res.exit_code == 2
    assert message in res.stderr


def test_help_teaches():
    res = _run(["--help"])
    assert res.exit_code == 0
    for word in ("KIND=FILE", "--basemap", "Examples", "GCJ-02", ".png"):
        assert word in res.output


def test_sample_data_map(tmp_path):
    out = tmp_path / "panjin.html"
    res = _run([f"boundary={LAYERS / 'boundary' / 'panjin.gpkg'}:city", LAYERS / "redline" / "redline.shp",
                f"reserve={LAYERS / 'reserve' / 'liaohekou.geojson'}", LAYERS / "water" / "outfalls.csv",
                "--out", out, "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout[res.stdout.index("{"):])
    assert {layer["kind"] for layer in payload["layers"]} == {"boundary", "redline", "reserve", "outfall"}
    assert payload["bytes"] < 1_500_000


def test_change_patches_layer_maps_to_png_and_html(tmp_path):
    """Regression: a layer written by `ecogis raster change` (patches.gpkg: no kind, Chinese names
    with arrows, numeric area fields) maps to PNG and HTML with the default style."""
    patches = tmp_path / "patches.gpkg"
    gpd.GeoDataFrame(
        {"id": ["P0001", "P0002"], "name": ["P0001 湿地→裸地", "P0002 草地→建设用地"], "zone": ["核心区", "缓冲区"],
         "from_code": [9, 4], "to_code": [7, 8], "area_m2": [58445.74, 12000.0], "area_ha": [5.844574, 1.2]},
        geometry=[box(121.734, 40.943, 121.736, 40.946), box(121.93, 40.9425, 121.932, 40.9485)], crs=4490,
    ).to_file(patches, layer="patches")
    png = tmp_path / "x.png"
    res = _run([patches, "--out", png, "--dpi", "50", "--json"])
    assert res.exit_code == 0, res.output + str(res.exception)
    payload = json.loads(res.stdout[res.stdout.index("{"):])
    assert payload["layers"] == [{"name": "patches", "kind": None, "features": 2, "crs": "EPSG:4490"}]
    assert any("no known kind" in n for n in payload["notes"])
    assert png.read_bytes()[:4] == b"\x89PNG"
    html_out = tmp_path / "x.html"
    res = _run([patches, "--out", html_out])
    assert res.exit_code == 0, res.output + str(res.exception)
    assert "湿地→裸地" in html_out.read_text(encoding="utf-8")


@pytest.mark.parametrize("text,message", [
    ("kinds: {foo: 1}\n", "kinds.foo: expected a mapping"),
    ('kinds:\n  redline: {stroke: "#zz0000"}\n', "kinds.redline.stroke: expected a colour"),
    ("kinds:\n  reserve: {fill_opacity: half}\n", "kinds.reserve.fill_opacity: expected a number"),
    ("kinds:\n  redline: {width: .inf}\n", "kinds.redline.width: expected a number from 0 to 50"),
    ("kinds:\n  redline: {width: .nan}\n", "kinds.redline.width: expected a number from 0 to 50"),
    ("kinds:\n  reserve: {fill_opacity: 1.5}\n", "kinds.reserve.fill_opacity: expected a number from 0 to 1"),
])
def test_bad_style_file_is_named(files, tmp_path, text, message):
    bad = tmp_path / "my_styles.yaml"
    bad.write_text(text, encoding="utf-8")
    res = _run([f"redline={files / 'hx.geojson'}", "--styles", bad, "--out", tmp_path / "m.html"])
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "my_styles.yaml" in res.stderr
    assert not (tmp_path / "m.html").exists()
