"""The README's main command on the sample data in layers/.

Expected values come from the sample data's own construction (the 800 m point was placed with
pyproj.Geod.fwd, parcel A is a 400 m square in Gauss-Kruger zone 41 whose ellipsoidal area is
recomputed here with pyproj), not from ecogis output (the exchange file's declared area was written
by ecogis).
"""
from __future__ import annotations

import json

import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from conftest import LAYERS, sample_assumed

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.project import load_project

PROJECT = LAYERS / "project.yaml"
SITES = LAYERS / "sites" / "sites_zone41.txt"
POINTS = LAYERS / "sites" / "points.csv"


def parcel_a_m2() -> float:
    """Ellipsoidal area (m²) of parcel A: its corners from the exchange text (X north, Y east with the
    zone prefix, CGCS2000 GK zone 41 = EPSG:4529), densified to 1 m and measured with pyproj.Geod."""
    lines = SITES.read_text(encoding="gb18030").splitlines()
    start = next(i for i, line in enumerate(lines) if line.split(",")[2:3] == ["A"]) + 1
    corners = []
    for line in lines[start:]:
        if line.endswith("@"):
            break
        _, _, north, east = line.split(",")
        corners.append((float(east), float(north)))
    to_geo = pyproj.Transformer.from_crs(4529, 4490, always_xy=True)
    dense = shapely.segmentize(shapely.Polygon(corners), 1.0)
    geo = shapely.transform(dense, lambda xy: np.column_stack(to_geo.transform(xy[:, 0], xy[:, 1])))
    return abs(pyproj.Geod(ellps="GRS80").geometry_area_perimeter(geo)[0])


def test_readme_main_command_runs_on_the_sample_sites(tmp_path):
    out = tmp_path / "check"
    res = CliRunner().invoke(check_cmd, [str(SITES), "--project", str(PROJECT), "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    for f in ("check.html", "check.docx", "check.xlsx", "check.json"):
        assert (out / f).stat().st_size > 0
    data = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "禁止"
    site_a = [s for s in data["sites"] if s["id"] == "A"][0]
    assert site_a["area_m2"] == pytest.approx(parcel_a_m2(), abs=1.0)  # a 400 m square in the GK plane
    core = [f for f in data["findings"] if f["site"] == "A" and f["zone"] == "核心区" and f["relation"] == "intersects"]
    assert core and core[0]["verdict"] == "禁止"
    assert core[0]["share_of_site"] == pytest.approx(0.5, abs=0.01)  # "一半位于核心区"


def test_sample_point_800_m_from_an_outfall_and_in_a_source_zone():
    project = load_project(PROJECT)
    with sample_assumed("sites/points.csv"):
        result = check(POINTS, project)
    p1 = [f for f in result.findings if f.site == "P1" and f.kind == "outfall" and f.relation == "nearest"][0]
    assert p1.distance_m == pytest.approx(800.0, abs=1.0)
    verdicts = {s.id: s.verdict for s in result.sites}
    assert verdicts["P2"] == "禁止"  # 水源一级保护区内 (水污染防治法 Art. 65)
    p2 = [f for f in result.findings if f.site == "P2" and f.kind == "water_source" and f.relation == "intersects"]
    assert p2 and "第六十五条" in p2[0].basis
