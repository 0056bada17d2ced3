"""The audit package: check types come from one registry filled by ``@check_type``, which the spec
validator and the runner both read; a bad spec names its line."""
from __future__ import annotations

import textwrap

import geopandas as gpd
import pytest
from shapely.geometry import box

import ecogis.audit as audit
from ecogis.audit import CHECK_TYPES, CheckContext, CheckResult, check_type, load_spec, run_audit
from ecogis.errors import EcogisError

BUILT_IN = ("area_share", "count_in_zones", "compliance", "length_share", "within_distance", "no_decrease",
            "topology", "unit_areas")


@pytest.fixture
def squares(tmp_path):
    """Two 0.1° squares (CGCS2000) in squares.gpkg."""
    gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[box(121.0, 40.0, 121.1, 40.1), box(121.2, 40.0, 121.3, 40.1)],
                     crs=4490).to_file(tmp_path / "squares.gpkg")
    return tmp_path


@pytest.fixture
def feature_count_type():
    """A check type registered the way the built-in ones are, removed again after the test."""

    @check_type("feature_count", keys={"layer": "layer", "expect": int, "share": float},
                required=("layer", "expect"), percent=("share",))
    def feature_count(ctx: CheckContext) -> CheckResult:
        n, expect = len(ctx.layer("layer")), ctx.get("expect", kind=int)
        return CheckResult(ctx.id, ctx.type, "features", str(n), f"= {expect}", n == expect, {"count": n})

    yield feature_count
    del CHECK_TYPES["feature_count"]


def _spec(folder, checks: str, name="spec.yaml"):
    path = folder / name
    path.write_text("layers:\n  squares: squares.gpkg\nchecks:\n" + textwrap.indent(textwrap.dedent(checks), "  "),
                    encoding="utf-8")
    return path


def test_the_built_in_check_types_are_registered():
    assert set(BUILT_IN) <= set(CHECK_TYPES)
    for name in BUILT_IN:
        assert CHECK_TYPES[name].name == name and callable(CHECK_TYPES[name].run)


def test_an_unknown_type_lists_the_registered_ones(squares):
    path = _spec(squares, "- id: x\n  type: magic\n  layer: squares\n")
    with pytest.raises(EcogisError) as err:
        load_spec(path)
    assert "line 5" in err.value.reason and "'magic'" in err.value.reason
    assert err.value.reason.endswith("known: " + ", ".join(BUILT_IN))  # in the order they are documented


def test_a_registered_type_is_validated_and_run_from_its_declaration(squares, feature_count_type):
    report = run_audit(load_spec(_spec(squares, "- id: n\n  type: feature_count\n  layer: squares\n  expect: 2\n")))
    assert [(c.id, c.type, c.passed, c.metrics) for c in report.checks] == [("n", "feature_count", True, {"count": 2})]
    assert audit.CHECKS["feature_count"] is feature_count_type
    assert audit.REQUIRED_KEYS["feature_count"] == ("layer", "expect")


@pytest.mark.parametrize("extra,key,words", [
    ("", "expect", "missing key 'expect'"),
    ("  expect: 2\n  colour: red\n", "colour", "unknown key 'colour'; feature_count takes"),
    ("  expect: 2.5\n", "expect", "must be a whole number"),
    ("  expect: 2\n  share: 150\n", "share", "at most 100"),
])
def test_a_registered_type_s_keys_are_checked_before_any_data_is_read(squares, feature_count_type, extra, key, words):
    (squares / "squares.gpkg").unlink()  # the errors come from the declaration, not from reading the layer
    path = _spec(squares, "- id: n\n  type: feature_count\n  layer: squares.yaml\n" + extra)
    (squares / "squares.yaml").write_text("", encoding="utf-8")  # an existing file: a valid layer reference
    with pytest.raises(EcogisError) as err:
        load_spec(path)
    assert words in err.value.reason and err.value.field == key
    assert err.value.reason.startswith("check 'n' (feature_count, line ")


def test_a_type_is_registered_once_and_declares_its_required_keys():
    with pytest.raises(ValueError, match="registered twice"):
        check_type("topology", keys={"layer": "layer"})(lambda ctx: None)
    with pytest.raises(ValueError, match="not among its keys"):
        check_type("broken", keys={"layer": "layer"}, required=("near",))
    assert "broken" not in CHECK_TYPES


def test_the_former_tables_are_views_of_the_registry():
    assert audit.CHECK_KEYS["within_distance"]["distance_m"] is float
    assert audit.REQUIRED_KEYS["within_distance"] == ("layer", "near", "distance_m")
    assert audit.REQUIRED_KEYS["length_share"] == ("layer", "value")
    assert set(audit.CHECKS) == set(CHECK_TYPES)
    with pytest.raises(AttributeError):
        audit.NO_SUCH_NAME  # noqa: B018


@pytest.mark.parametrize("text,line,words", [
    ("title: x\nlayers: [a, b]\nchecks:\n  - {type: topology, layer: a}\n", 2, "'layers' must map names"),
    ("title: x\ndefaults: 5\nchecks:\n  - {type: topology, layer: squares.gpkg}\n", 2, "'defaults' must map"),
    ("title: x\n\nchecks: {a: 1}\n", 3, "non-empty list 'checks'"),
    ("title: x\nchecks:\n  - {type: topology, layer: squares.gpkg}\n  - 7\n", 4, "check #2 is not a mapping"),
])
def test_a_bad_spec_structure_names_its_line(squares, text, line, words):
    path = squares / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EcogisError) as err:
        load_spec(path)
    assert err.value.reason.startswith(f"line {line}: ") and words in err.value.reason
    assert err.value.path is not None and str(err.value.path).endswith("bad.yaml")


def test_a_bad_default_names_the_line_of_the_defaults(squares):
    path = squares / "spec.yaml"
    path.write_text("title: x\ndefaults:\n  unit: acres\nlayers:\n  squares: squares.gpkg\nchecks:\n"
                    "  - {id: a, type: area_share, layer: squares}\n", encoding="utf-8")
    with pytest.raises(EcogisError) as err:
        load_spec(path)
    assert err.value.reason.startswith("check 'a' (area_share, line 3, from 'defaults'): ")
    assert "acres" in err.value.reason and err.value.field == "unit"
