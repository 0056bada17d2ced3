"""The overlap-only mode (``relations="intersects"``) never says 符合 for a rule it did not evaluate: a
site with no overlap is 无法判定 wherever a within-buffer rule could have applied, and every report
says that only overlaps were computed."""
from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pyproj
import pytest
import shapely
from click.testing import CliRunner

from ecogis.check import check
from ecogis.check_batch import check_batch
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E
X0, Y0 = 440_000.0, 4_530_000.0
NOTE_EN = "only overlaps computed"
NOTE_ZH = "只计算了重叠"


@pytest.fixture(scope="module")
def sites():
    """S-in overlaps the red-line square; S-near is 200 m from it (需论证 in a full screening, within
    the 500 m rule); S-far is 3 km away (符合 in a full screening)."""
    geoms = [shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200),
             shapely.box(X0 + 1200, Y0, X0 + 1300, Y0 + 100),
             shapely.box(X0 + 4000, Y0, X0 + 4100, Y0 + 100)]
    return gpd.GeoDataFrame({"id": ["S-in", "S-near", "S-far"], "name": ["内", "近", "远"]}, geometry=geoms, crs=GK)


def write_project(tmp, kind):
    square = gpd.GeoDataFrame({"name": ["图斑1"]}, geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=GK)
    square.to_file(tmp / "controls.gpkg", layer=kind)
    yml = tmp / "project.yaml"
    yml.write_text(f"name: 范围测试\nbuffers_m: [500]\nlayers:\n"
                   f"  {kind}: {{kind: {kind}, path: controls.gpkg, layer: {kind}}}\n", encoding="utf-8")
    return yml


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("scope"), "redline")


def site_verdicts(result):
    return {s.id: s.verdict for s in result.sites}


def test_full_screening_reference(project, sites):
    full = check(sites, project)
    assert site_verdicts(full) == {"S-in": "禁止", "S-near": "需论证", "S-far": "符合"}


def test_overlap_only_site_without_overlap_is_undetermined_not_clear(project, sites):
    with pytest.warns(AssumptionWarning, match=NOTE_EN):
        only = check(sites, project, relations="intersects")
    # the overlap keeps its own verdict; the others were not checked against the 500 m rule
    assert site_verdicts(only) == {"S-in": "禁止", "S-near": "无法判定", "S-far": "无法判定"}
    assert only.verdict == "禁止"
    with pytest.warns(AssumptionWarning, match=NOTE_EN):
        alone = check(sites.iloc[[2]], project, relations="intersects")
    assert alone.verdict == "无法判定" and len(alone.findings) == 0


def test_overlap_only_batch_rows_name_the_unevaluated_rule(project, sites):
    with pytest.warns(AssumptionWarning, match=NOTE_EN):
        batch = check_batch(sites, project, relations="intersects")
        rows = next(iter(batch.chunks())).sites.set_index("id")
    assert rows["verdict"].to_dict() == {"S-in": "禁止", "S-near": "无法判定", "S-far": "无法判定"}
    assert rows.loc["S-far", "worst_relation"] == "within_buffer"
    assert rows.loc["S-far", "worst_rule_id"] == "redline-near" and pd.isna(rows.loc["S-far", "worst_feature"])
    assert batch.verdict == "禁止"
    assert "redline-near" in {r["id"] for r in batch.rules}  # the referenced rule is in the rules table


def test_layer_without_a_buffer_rule_is_fully_evaluated_by_its_overlaps(tmp_path, sites):
    # the only within-buffer rule of wells gives 符合: not evaluating it cannot hide a worse verdict
    project = write_project(tmp_path, "well")
    with pytest.warns(AssumptionWarning, match=NOTE_EN):
        only = check(sites.iloc[[2]], project, relations="intersects")
    assert only.verdict == "符合"


def test_every_report_format_says_only_overlaps_were_computed(project, sites, tmp_path):
    site_file = tmp_path / "sites.geojson"
    sites.iloc[[2]].to_file(site_file)
    out = tmp_path / "out"
    res = CliRunner().invoke(check_cmd, [str(site_file), "-p", str(project), "--relations", "intersects",
                                         "--format", "json,html,xlsx,docx", "--lang", "zh", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert doc["verdict"] == "无法判定" and [s["verdict"] for s in doc["sites"]] == ["无法判定"]
    assert any(NOTE_EN in json.dumps(a, ensure_ascii=False) or NOTE_ZH in json.dumps(a, ensure_ascii=False)
               for a in doc["assumptions"])
    assert NOTE_ZH in (out / "check.html").read_text(encoding="utf-8")
    cells = [str(c) for ws in openpyxl.load_workbook(out / "check.xlsx").worksheets
             for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(NOTE_ZH in c for c in cells)
    with zipfile.ZipFile(out / "check.docx") as z:
        assert NOTE_ZH in z.read("word/document.xml").decode("utf-8")


def test_cli_batch_json_overlap_only_is_undetermined(project, sites, tmp_path):
    site_file = tmp_path / "sites.geojson"
    sites.to_file(site_file)
    res = CliRunner().invoke(check_cmd, [str(site_file), "-p", str(project), "--relations", "intersects",
                                         "--batch", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {s["id"]: s["verdict"] for s in doc["sites"]} == {"S-in": "禁止", "S-near": "无法判定",
                                                             "S-far": "无法判定"}
