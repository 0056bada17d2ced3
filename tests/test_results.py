"""The result objects: exported from ecogis, each with .notes, one to_dict(lang=None) convention
(language-independent keys; labels only when a language is asked for) and one pass/fail spelling."""
from __future__ import annotations

import inspect

import geopandas as gpd
import pytest
import shapely

import ecogis
from ecogis.area import Text, layer_area
from ecogis.messages import note
from ecogis.validate import validate_layer

# BatchCheck is streamed (its JSON is written chunk by chunk by ecogis.render.batch_output): no to_dict
RESULT_TYPES = ["AreaResult", "AreaGroup", "AuditReport", "AuditCheckResult", "CheckResult",
                "ConversionResult", "Finding", "SiteSummary", "ValidationReport", "Issue", "RepairResult",
                "ZonalResult", "ChangeResult", "LayerDescription"]


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_every_result_type_is_exported_and_takes_an_optional_language(name):
    assert "BatchCheck" in ecogis.__all__
    cls = getattr(ecogis, name)
    assert name in ecogis.__all__
    lang = inspect.signature(cls.to_dict).parameters["lang"]
    assert lang.default is None


@pytest.mark.parametrize("name", ["AreaResult", "AuditReport", "AuditCheckResult", "BatchCheck", "CheckResult",
                                  "ConversionResult", "ValidationReport", "ZonalResult", "ChangeResult",
                                  "LayerDescription"])
def test_every_result_owns_its_notes(name):
    cls = getattr(ecogis, name)
    assert "notes" in {f for f in getattr(cls, "__dataclass_fields__", {})} or isinstance(
        inspect.getattr_static(cls, "notes"), property)


def _audit_check(passed):
    return ecogis.AuditCheckResult(id="c1", type="area", title=Text("红线面积", "red-line area"),
                                   value=Text("1 平方千米", "1 km²"), expected="≥ 0", passed=passed,
                                   notes=[note("no_cpg", path="r.shp", found="GB18030")])


def test_pass_and_fail_are_spelled_once_across_audit_and_validation():
    square = shapely.box(121.2, 41.0, 121.3, 41.1)
    bowtie = shapely.from_wkt("POLYGON ((121 41, 121.1 41.1, 121.1 41, 121 41.1, 121 41))")
    good = validate_layer(gpd.GeoDataFrame(geometry=[square], crs=4490))
    bad = validate_layer(gpd.GeoDataFrame(geometry=[square, bowtie], crs=4490))
    report = ecogis.AuditReport(title="t", spec="a.yaml", checks=[_audit_check(True), _audit_check(False)])
    for result, passed in ((good, True), (bad, False), (report.checks[0], True), (report.checks[1], False),
                           (report, False)):
        d = result.to_dict()
        assert (result.passed, d["passed"]) == (passed, passed)
        assert result.verdict == d["verdict"] == ("PASS" if passed else "FAIL")
        assert "ok" not in d


def test_wording_only_when_a_language_is_asked_for():
    check = _audit_check(True)
    plain = check.to_dict()
    assert not {"title", "value", "expected"} & set(plain)
    assert plain["notes"] == ["r.shp: no .cpg file; attribute text decoded as GB18030 (detected, check the names)"]
    zh, en = check.to_dict("zh"), check.to_dict("en")
    assert (zh["title"], zh["value"], en["title"], en["value"]) == ("红线面积", "1 平方千米", "red-line area", "1 km²")
    assert set(zh) == set(en) == set(plain) | {"title", "value", "expected"}
    assert zh["notes"] == plain["notes"]  # notes in JSON stay English in every language


def test_area_result_keeps_codes_and_says_its_method_only_in_a_language():
    side = 1000.0  # a 1 km square in CGCS2000 GK zone 41: plane area exactly 1e6 m²
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(41_500_000, 4_520_000, 41_500_000 + side, 4_520_000 + side)],
                           crs="EPSG:4529")
    res = layer_area(gdf, method="plane", unit="ha")
    assert res.area_m2 == pytest.approx(side * side, rel=1e-12)
    assert res.area == pytest.approx(side * side / 10_000, rel=1e-12)  # a view in the unit asked for
    computed = {f for f in ecogis.AreaResult.__dataclass_fields__ if "area" in f or f in ("overlap_removed",
                                                                                          "sum_of_features")}
    # held in m²; only the published figures the user gave stay in their unit
    assert computed - {"boundary_area_published", "boundary_area_source"} == {
        "area_m2", "boundary_area_m2", "outside_area_m2"}
    assert {"overlap_removed_m2", "sum_of_features_m2"} <= set(ecogis.AreaResult.__dataclass_fields__)
    d = res.to_dict()
    assert d["method"] == "plane" and "method_label" not in d
    assert res.to_dict("zh")["method_label"] == "平面面积（仅供比较）"
    assert res.to_dict("en")["method_label"] == "plane area (comparison only)"
    (plane,) = res.notes
    assert plane.key == "area_plane_only" and plane.severity == "info"
    assert d["notes"] == [str(plane)] == ["plane area in EPSG:4529 is for comparison only, not the official "
                                          "ellipsoidal figure"]
    assert plane.text("zh") == "平面面积（EPSG:4529）仅供比较，不是官方椭球面积"


def test_a_site_check_names_its_verdict_in_a_language_only_when_asked():
    site = ecogis.SiteSummary(id="1", name="a", geometry_type="Polygon", area_m2=1.0, length_m=0.0, lon=121.9,
                              lat=40.9, verdict="禁止")
    assert "verdict_label" not in site.to_dict()
    assert site.to_dict("en")["verdict_label"] == "prohibited"
    assert site.to_dict("zh")["verdict_label"] == "禁止"
