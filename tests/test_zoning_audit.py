"""Audit check type ``unit_areas``: the sample control units of Panjin by class against figures computed
here (pyproj.Geod for the ellipsoidal area, shapely in CGCS2000 GK zone 41 for the plane area)."""
from __future__ import annotations

import geopandas as gpd
import pyproj
import pytest
from conftest import LAYERS

from ecogis.audit.runner import run_audit
from ecogis.audit.spec import load_spec
from ecogis.errors import EcogisError

GEOD = pyproj.Geod(ellps="GRS80")
UNITS = LAYERS / "zoning/control_units.gpkg"


@pytest.fixture(scope="module")
def figures():
    raw = gpd.read_file(UNITS)
    plane = raw.to_crs(4529)  # CGCS2000 3° Gauss-Kruger zone 41, with the zone prefix
    ellipsoid = {c: sum(abs(GEOD.geometry_area_perimeter(g)[0]) for g in grp.geometry) / 1e6
                 for c, grp in raw.groupby("管控单元分类")}
    flat = {c: float(grp.area.sum()) / 1e6 for c, grp in plane.groupby("管控单元分类")}
    return ellipsoid, flat


def spec(tmp_path, check: str):
    path = tmp_path / "audit.yaml"
    path.write_text(f"title: 管控单元面积\nlayers:\n  units: {{path: {UNITS}, kind: control_unit}}\n"
                    f"checks:\n  - id: units\n    type: unit_areas\n    layer: units\n{check}", encoding="utf-8")
    return load_spec(path)


def declared(values):
    return "{" + ", ".join(f"{k}: {v:.6f}" for k, v in values.items()) + "}"


def test_ellipsoidal_class_areas_match_published_figures(tmp_path, figures):
    ellipsoid, _ = figures
    report = run_audit(spec(tmp_path, f"    declared: {declared(ellipsoid)}\n    tolerance_pct: 0.001\n"
                                      f"    declared_total: {sum(ellipsoid.values()):.6f}\n"))
    (check,) = report.checks
    assert check.passed and check.verdict == "PASS"
    assert check.metrics["method"] == "ellipsoid" and "ellipsoid" in check.method
    assert check.metrics["total"] == pytest.approx(sum(ellipsoid.values()), rel=1e-6)


def test_plane_figures_in_a_named_zone_and_a_wrong_figure_fails(tmp_path, figures):
    ellipsoid, flat = figures
    report = run_audit(spec(tmp_path, f"    method: plane\n    gk_zone: 41\n    declared: {declared(flat)}\n"
                                      "    tolerance_pct: 0.0001\n"))
    (check,) = report.checks
    assert check.passed and check.metrics["method"] == "plane" and "4529" in check.crs
    assert check.metrics["by_class"] == pytest.approx(flat, rel=1e-9)
    assert any(abs(flat[c] - ellipsoid[c]) / ellipsoid[c] > 1e-4 for c in flat)  # the methods differ
    wrong = {**flat, "优先保护单元": flat["优先保护单元"] * 1.01}
    (check,) = run_audit(spec(tmp_path, f"    method: plane\n    gk_zone: 41\n    declared: {declared(wrong)}\n"
                                        "    tolerance_pct: 0.1\n")).checks
    assert not check.passed and check.verdict == "FAIL"


def test_plane_without_a_zone_is_an_error_naming_the_check(tmp_path):
    with pytest.raises(EcogisError, match="units"):
        run_audit(spec(tmp_path, "    method: plane\n"))
