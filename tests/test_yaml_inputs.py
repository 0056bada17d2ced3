"""Hostile YAML files and number ranges (issue 9, items 4, 5, 7, 9 and 10): projects, rules files,
audit specs, styles and legends built here byte by byte, run through the commands that read them.

Each bad input must end in exit code 2 with one line on stderr naming the file (and the line or the
field), never a traceback, a hang, or a figure computed from a value that was silently changed.
"""
from __future__ import annotations

import json
import time

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from ecogis.cli import main
from ecogis.errors import EcogisError
from ecogis.raster.legend import load_legend
from ecogis.render.styles import load_styles

AT = "121.05,40.05"  # inside the red-line square below (EPSG:4490 degrees)


def run(*args):
    """Run ecogis in-process; the result with exit code, stdout and stderr."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def assert_refused(result, *words):
    """Exit 2, one line on stderr (after any warnings) that contains every word, no traceback."""
    errors = [line for line in result.stderr.splitlines() if line.startswith("ecogis: error:")]
    assert result.exit_code == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert len(errors) == 1, result.stderr
    for word in words:
        assert str(word) in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def world(tmp_path):
    """A red-line square, two reserve zones with six wells (3 closed, 1 producing in the core zone,
    2 closed in the buffer zone), and a project that uses the red line."""
    gpd.GeoDataFrame({"name": ["红线A"], "type": ["生态保护红线"]}, geometry=[box(121.0, 40.0, 121.1, 40.1)],
                     crs="EPSG:4490").to_file(tmp_path / "redline.geojson")
    gpd.GeoDataFrame({"name": ["核心", "缓冲"], "zone": ["核心区", "缓冲区"]},
                     geometry=[box(121.0, 40.0, 121.1, 40.1), box(121.1, 40.0, 121.2, 40.1)],
                     crs="EPSG:4490").to_file(tmp_path / "reserve.geojson")
    wells = [(121.01, "已关停"), (121.02, "已关停"), (121.03, "已关停"), (121.04, "在产"), (121.15, "已关停"),
             (121.16, "已关停")]
    gpd.GeoDataFrame({"name": [f"井{i}" for i in range(len(wells))], "status": [s for _, s in wells]},
                     geometry=[Point(x, 40.05) for x, _ in wells], crs="EPSG:4490").to_file(tmp_path / "wells.geojson")
    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    return tmp_path


PROJECT = "name: 测试项目\nlayers:\n  redline: {kind: redline, path: redline.geojson}\n"

COUNT_SPEC = """\
layers:
  wells: {{path: wells.geojson}}
  reserve: {{path: reserve.geojson}}
checks:
  - id: closed
    type: count_in_zones
    points: wells
    zones: reserve
    zone_field: zone
    where: {where}
    expect: {expect}
"""


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def check_project(project, *extra):
    return run("check", "--at", AT, "--project", project, "--json", *extra)


# --------------------------------------------------------------------------------------------------
# item 4: an audit filter that matches nothing

def test_audit_filter_with_the_right_value_counts_by_hand(world):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{status: 已关停}", expect="{核心区: 3, 缓冲区: 2}"))
    res = run("audit", spec, "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["checks"][0]["metrics"]["counts"]["核心区"] == 3


@pytest.mark.parametrize("where", ["{status: 关停}", "{status: {ne: 关停}}", "{status: [已关停, 关停]}",
                                   "{status: {not_in: [关停]}}", "{status: {contains: 停产}}"])
def test_audit_filter_on_a_value_no_feature_has_is_an_error(world, where):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where=where, expect="{核心区: 0}"))
    line = assert_refused(run("audit", spec), spec, "status", "values present", "已关停", "在产")
    assert "where" in line


def test_audit_filter_on_a_field_that_does_not_exist_is_an_error(world):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{state: 已关停}", expect="{核心区: 3}"))
    assert_refused(run("audit", spec), spec, "'state'", "fields:", "status")


def test_audit_number_filter_on_a_text_field_is_an_error(world):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{status: {lt: 35}}", expect="{核心区: 0}"))
    assert_refused(run("audit", spec), spec, "status", "no numbers", "已关停")


def test_audit_limit_for_a_zone_that_does_not_exist_is_an_error(world):
    # max: {核心: 0} would pass with count 0 whatever the wells say
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{status: 在产}", expect="{核心: 0}"))
    assert_refused(run("audit", spec), spec, "'核心'", "核心区", "缓冲区")


# --------------------------------------------------------------------------------------------------
# item 5: a key given twice

def test_project_with_a_second_redline_key_is_an_error_naming_the_line(world):
    project = write(world / "dup.yaml", PROJECT + "  redline: {kind: redline, path: reserve.geojson}\n")
    assert_refused(check_project(project), project, "line 4", "'redline'", "twice", "line 3")


def test_rules_file_with_a_rule_id_twice_is_an_error_naming_the_line(world):
    rules = write(world / "rules.yaml", "rules:\n  - {id: redline-intersects, verdict: 限制}\n"
                                        "  - {id: redline-intersects, verdict: 符合}\n")
    assert_refused(check_project(world / "project.yaml", "--rules", rules), rules, "line 3", "redline-intersects")


def test_rule_with_a_key_twice_is_an_error_naming_the_line(world):
    rules = write(world / "rules.yaml", "rules:\n  - id: mine\n    kind: redline\n    relation: intersects\n"
                                        "    verdict: 禁止\n    verdict: 符合\n")
    assert_refused(check_project(world / "project.yaml", "--rules", rules), rules, "line 6", "'verdict'", "line 5")


def test_audit_spec_with_a_key_twice_is_an_error_naming_the_line(world):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{status: 已关停}", expect="{核心区: 3}")
                 + "    expect: {核心区: 0}\n")
    assert_refused(run("audit", spec), spec, "line 12", "'expect'", "line 11")


# --------------------------------------------------------------------------------------------------
# item 7: numbers out of range

@pytest.mark.parametrize("value", ["1e12", "inf", "nan", "-500", "0"])
def test_check_buffer_out_of_range_is_refused_with_the_range(world, value):
    assert_refused(check_project(world / "project.yaml", "--buffer", f"500,{value}"), "buffer", "100 km")


@pytest.mark.parametrize("value", [".inf", ".nan", "-1", "1e12"])
def test_project_and_rules_buffers_out_of_range_are_refused(world, value):
    project = write(world / "p.yaml", PROJECT + f"buffers_m: [500, {value}]\n")
    assert_refused(check_project(project), project, "line 4", "100 km")
    rules = write(world / "rules.yaml", f"buffers_m: [{value}]\nrules:\n"
                                        f"  - {{id: redline-near, within_m: {value}}}\n")
    assert_refused(check_project(world / "project.yaml", "--rules", rules), rules, "line 1", "100 km")


def test_rule_distance_out_of_range_is_refused(world):
    rules = write(world / "rules.yaml", "rules:\n  - {id: redline-near, within_m: .inf}\n")
    assert_refused(check_project(world / "project.yaml", "--rules", rules), rules, "line 2", "within_m")


AREA_SPEC = """\
layers:
  redline: {{path: redline.geojson}}
  reserve: {{path: reserve.geojson}}
checks:
  - id: area
    type: area_share
    layer: redline
    within: reserve
    {key}: {value}
"""


@pytest.mark.parametrize("key, value", [("declared", ".inf"), ("declared", "-5"), ("declared", "0"),
                                        ("declared_share", "150"), ("declared_share", ".nan"),
                                        ("tolerance", "-0.1"), ("tolerance_pct", ".inf"),
                                        ("boundary_area", "0"), ("boundary_area", ".inf")])
def test_audit_numbers_out_of_range_are_refused_naming_the_key(world, key, value):
    spec = write(world / "a.yaml", AREA_SPEC.format(key=key, value=value))
    assert_refused(run("audit", spec), spec, f"'{key}'", "line 9")


@pytest.mark.parametrize("expect", ["{核心区: .inf}", "{核心区: -1}", "{核心区: .nan}"])
def test_audit_counts_out_of_range_are_refused(world, expect):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{status: 已关停}", expect=expect))
    assert_refused(run("audit", spec), spec, "expect", "whole number")


def test_audit_default_out_of_range_is_refused(world):
    spec = write(world / "a.yaml", "defaults: {tolerance: .inf}\n" + AREA_SPEC.format(key="declared", value="1"))
    assert_refused(run("audit", spec), spec, "'tolerance'")


def test_audit_distance_and_required_share_out_of_range_are_refused(world):
    spec = write(world / "a.yaml", "layers:\n  wells: {path: wells.geojson}\nchecks:\n"
                                   "  - {id: near, type: within_distance, layer: wells, near: wells, distance_m: .inf}\n")
    assert_refused(run("audit", spec), spec, "'distance_m'")
    spec = write(world / "a.yaml", "layers:\n  wells: {path: wells.geojson}\nchecks:\n"
                                   "  - {id: ok, type: compliance, layer: wells, require_pct: 150}\n")
    assert_refused(run("audit", spec), spec, "require_pct", "0 to 100")


def test_area_plane_in_a_geographic_crs_is_refused(world):
    res = run("area", world / "redline.geojson", "--method", "plane", "--plane-crs", "EPSG:4490")
    assert_refused(res, "EPSG:4490", "not a projected CRS")
    assert "0.00" not in res.stdout


@pytest.mark.parametrize("option, value", [("--declared", "inf"), ("--declared", "-1"), ("--declared", "nan"),
                                           ("--declared-share", "150"), ("--boundary-area", "0"),
                                           ("--boundary-area", "inf")])
def test_area_published_figures_out_of_range_are_refused(world, option, value):
    assert_refused(run("area", world / "redline.geojson", "--within", world / "reserve.geojson", option, value),
                   option)


# --------------------------------------------------------------------------------------------------
# item 9: encodings, alias bombs, malformed YAML

@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig", "utf-16-be"])
def test_project_in_another_encoding_is_read(world, encoding):
    text = PROJECT if encoding != "utf-16-be" else "\ufeff" + PROJECT  # UTF-16 BE with its byte-order mark
    project = write(world / "p.yaml", text, encoding)
    res = check_project(project)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["project"] == "测试项目"
    assert ("GB18030" in res.stderr) == (encoding == "gbk")


def test_audit_spec_and_rules_in_gbk_are_read_with_a_warning(world):
    spec = write(world / "a.yaml", COUNT_SPEC.format(where="{status: 已关停}", expect="{核心区: 3, 缓冲区: 2}"), "gbk")
    res = run("audit", spec)
    assert res.exit_code == 0 and "GB18030" in res.stderr, res.stderr
    rules = write(world / "rules.yaml", "rules:\n  - {id: redline-intersects, verdict: 需论证}\n", "gbk")
    res = check_project(world / "project.yaml", "--rules", rules)
    assert res.exit_code == 0 and json.loads(res.stdout)["verdict"] == "需论证"


def test_utf16_without_byte_order_mark_says_save_as_utf8(world):
    project = write(world / "p.yaml", PROJECT, "utf-16-le")
    assert_refused(check_project(project), project, "UTF-8")


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize("text, line", [(BILLION_LAUGHS, 1), ("name: x\nlayers: &l [*l]\n", 2),
                                        ("name: x\nlayers: *nowhere\n", 2)])
def test_aliases_are_refused_at_once_naming_the_line(world, text, line):
    for command in (lambda p: check_project(p), lambda p: check_project(world / "project.yaml", "--rules", p),
                    lambda p: run("audit", p)):
        path = write(world / "bomb.yaml", text)
        start = time.monotonic()
        assert_refused(command(path), path, f"line {line}", "aliases")
        assert time.monotonic() - start < 10


def test_styles_and_legends_refuse_aliases_and_duplicate_keys(world):
    styles = write(world / "styles.yaml", "background: &c '#ffffff'\ntext: {title: *c}\n")
    with pytest.raises(EcogisError, match="line 1.*aliases"):
        load_styles(styles)
    legend = write(world / "legend.yaml", "classes:\n  - {code: 1, zh: 耕地, en: cropland, code: 2}\n")
    with pytest.raises(EcogisError, match="line 2.*'code'.*twice") as err:
        load_legend(legend)
    assert str(legend) in str(err.value)


def test_legend_in_gbk_is_read(world):
    legend = write(world / "legend.yaml", "classes:\n  - {code: 1, zh: 耕地, en: cropland, color: '#ffff00'}\n", "gbk")
    with pytest.warns(UserWarning, match="GB18030"):
        assert load_legend(legend).classes[0].zh == "耕地"


@pytest.mark.parametrize("text, words", [
    ("name: x\nlayers:\n\tredline: {kind: redline, path: redline.geojson}\n", ["line 3", "tabs"]),
    ("name: x\nlayers:\n  redline: {kind: redline,\n path: redline.geojson\n", ["line"]),
    ("- name: x\n- layers: 5\n", ["mapping"]),
    ("just a sentence\n", ["mapping"]),
    ("name: x\nlayers: 5\n", ["line 2", "'layers'"]),
    ("name: x\nlayers:\n  redline: {kind: redline, path: nowhere.geojson}\n", ["line 3", "nowhere.geojson"]),
    ("name: x\nlayers:\n  redline: {kind: redline, path: redline.geojson}\nrules: nowhere.yaml\n",
     ["line 4", "nowhere.yaml"]),
    ("[" * 20000 + "]" * 20000 + "\n", ["nested"]),
    ("a: !!python/object/apply:os.system [echo]\n", ["line 1", "tag"]),
])
def test_malformed_project_is_one_line(world, text, words):
    project = write(world / "bad.yaml", text)
    assert_refused(check_project(project), project, *words)


@pytest.mark.parametrize("text, words", [
    ("checks: 5\n", ["checks"]),
    ("- 1\n- 2\n", ["checks"]),
    ("layers: 5\nchecks:\n  - {type: topology, layer: x}\n", ["layers"]),
    ("layers:\n  x: {path: 5}\nchecks:\n  - {type: topology, layer: x}\n", ["line 2", "'path'"]),
    ("checks:\n  - {id: [a], type: topology, layer: x}\n", ["line 2", "'id'"]),
    ("checks:\n  - {type: [topology], layer: x}\n", ["line 2", "unknown type"]),
    ("checks:\n  - {type: topology, layer: nowhere.gpkg}\n", ["nowhere.gpkg"]),
])
def test_malformed_audit_spec_is_one_line(world, text, words):
    spec = write(world / "bad.yaml", text)
    assert_refused(run("audit", spec), spec, *words)


# --------------------------------------------------------------------------------------------------
# item 10: zero denominators in audit shares

def test_audit_boundary_area_zero_is_an_error_not_a_division_by_zero(world):
    spec = write(world / "a.yaml", AREA_SPEC.format(key="boundary_area", value="0"))
    assert_refused(run("audit", spec), spec, "'boundary_area'", "above 0")
