"""Project definitions: YAML with relative paths, zero-config GeoPackage, line-numbered errors."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from ecogis.errors import EcogisError
from ecogis.project import load_project


@pytest.fixture
def gpkg(tmp_path):
    p = tmp_path / "data" / "controls.gpkg"
    p.parent.mkdir()
    gpd.GeoDataFrame({"name": ["辽河口"], "zone": ["核心区"]}, geometry=[box(121.8, 40.9, 121.9, 41.0)],
                     crs=4490).to_file(p, layer="reserve")
    gpd.GeoDataFrame({"name": ["排污口1"], "type": ["入海"]}, geometry=[Point(121.7, 40.8)],
                     crs=4490).to_file(p, layer="outfall_sea")
    gpd.GeoDataFrame({"name": ["盘锦市"]}, geometry=[box(121.0, 40.5, 122.5, 41.5)], crs=4490).to_file(p, layer="boundary")
    gpd.GeoDataFrame({"x": [1]}, geometry=[Point(0, 0)], crs=4490).to_file(p, layer="misc")
    return p


def test_yaml_paths_resolve_against_the_project_file(tmp_path, gpkg):
    rules = tmp_path / "data" / "r.yaml"
    rules.write_text("rules: []\n", encoding="utf-8")
    p = tmp_path / "proj" / "p.yaml"
    p.parent.mkdir()
    p.write_text("name: 样例\nboundary: {path: ../data/controls.gpkg, layer: boundary}\nrules: ../data/r.yaml\n"
                 "buffers_m: 1000,500\nlayers:\n  reserve: {kind: reserve, path: ../data/controls.gpkg, layer: reserve}\n",
                 encoding="utf-8")
    proj = load_project(p)
    assert proj.name == "样例"
    assert proj.layers["reserve"].path == tmp_path / "proj" / ".." / "data" / "controls.gpkg"
    assert proj.rules_path.resolve() == rules.resolve()
    assert proj.buffers_m == [500, 1000]
    layers = proj.read_layers()
    assert layers["reserve"].attrs["ecogis"]["kind"] == "reserve"
    assert list(layers["reserve"]["zone"]) == ["核心区"]
    assert proj.read_boundary()["name"].iloc[0] == "盘锦市"


def test_zero_config_geopackage(gpkg):
    proj = load_project(gpkg)
    assert set(proj.layers) == {"reserve", "outfall_sea"}
    assert proj.layers["outfall_sea"].kind == "outfall"
    assert proj.boundary is not None and proj.boundary.layer == "boundary"


@pytest.mark.parametrize("text, line, words", [
    ("layers:\n  a: {kind: forest, path: x.gpkg}\n", 2, "unknown kind"),
    ("layers:\n  a: {kind: reserve, path: missing.gpkg}\n", 2, "file not found"),
    ("layers:\n  a: {kind: reserve}\n", 2, "missing 'path'"),
    ("layerz:\n  a: {kind: reserve}\n", 1, "unknown key"),
    ("boundary:\n  path: x.gpkg\n  colour: red\nlayers:\n  a: {kind: reserve, path: x.gpkg}\n", 3, "unknown key 'colour'"),
    ("boundary: missing.gpkg\nlayers:\n  a: {kind: reserve, path: x.gpkg}\n", 1, "file not found"),
    ("site_crs: EPSG:4529\nlayers:\n  a: {kind: reserve, path: x.gpkg}\n", 1, "unknown key 'site_crs'"),
    ("buffers_m: [500, -1]\nlayers:\n  a: {kind: reserve, path: x.gpkg}\n", 1, "buffer distance"),
    ("layers:\n  a:\n    kind: reserve\n    path: x.gpkg\n    colour: red\n", 5, "unknown key"),
])
def test_malformed_project_names_the_line(tmp_path, text, line, words):
    (tmp_path / "x.gpkg").write_bytes(b"")
    p = tmp_path / "p.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(EcogisError) as exc:
        load_project(p)
    assert f"line {line}" in str(exc.value) and words in str(exc.value) and str(p) in str(exc.value)


def test_missing_project_is_an_error(tmp_path):
    with pytest.raises(EcogisError, match="not found"):
        load_project(tmp_path / "nope.yaml")


def test_a_gpkg_that_is_not_a_geopackage_is_an_error_naming_it(tmp_path):
    bad = tmp_path / "controls.gpkg"
    bad.write_text("not a geopackage", encoding="utf-8")
    with pytest.raises(EcogisError, match="cannot list layers") as exc:
        load_project(bad)
    assert str(bad) in str(exc.value)
