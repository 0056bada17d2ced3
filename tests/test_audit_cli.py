"""`ecogis audit` / `ecogis area` as a user sees them: each assumption once, Chinese by default and
English with --lang en, and one-line errors for bad specs that name the spec file, check and key."""
from __future__ import annotations

import json
import re
import textwrap

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from ecogis.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    gpd.GeoDataFrame({"name": ["测试市"]}, geometry=[box(121.0, 40.0, 121.3, 40.2)], crs=4490).to_file(d / "city.gpkg")
    gpd.GeoDataFrame({"id": ["R1", "R2"], "type": ["湿地", "湿地"]},
                     geometry=[box(121.0, 40.0, 121.1, 40.1), box(121.05, 40.0, 121.15, 40.1)],
                     crs=4490).to_file(d / "redline.gpkg")
    # a table without CRS: the reader guesses EPSG:4490 and says so (an assumption to report once)
    pd.DataFrame({"名称": ["甲", "乙"], "规模": [20, 40], "经度": [121.05, 121.25], "纬度": [40.05, 40.15]}).to_csv(
        d / "heat.csv", index=False)
    pd.DataFrame({"名称": ["厂"], "经度": [121.06], "纬度": [40.06]}).to_csv(d / "chp.csv", index=False)
    (d / "ok.yaml").write_text(textwrap.dedent("""
        title: 测试
        title_en: Test audit
        layers:
          redline: {path: redline.gpkg, kind: redline}
          city: city.gpkg
          heat: {path: heat.csv, kind: facility}
          chp: {path: chp.csv, kind: facility}
        checks:
          - id: area
            type: area_share
            layer: redline
            within: city
            min_share: 1
          - id: near
            title: 热源距热电厂
            title_en: Heat sources near the CHP plant
            type: within_distance
            layer: heat
            near: chp
            distance_m: 5000
            max_count: 1
          - id: near_again
            type: within_distance
            layer: heat
            near: chp
            distance_m: 1000
        """), encoding="utf-8")
    return d


def test_each_assumption_is_reported_once(world, chinese_default):
    res = run("audit", world / "ok.yaml")
    assert res.exit_code == 0, res.output
    assert "warning" not in res.stderr            # not echoed again by the CLI wrapper
    guesses = [line for line in res.stdout.splitlines() if "heat.csv" in line and "推断为 EPSG:4490" in line]
    assert len(guesses) == 1 and guesses[0].strip().startswith("注意：")
    as_json = json.loads(run("audit", world / "ok.yaml", "--json").stdout)
    assert any("heat.csv" in n and "EPSG:4490" in n for n in as_json["notes"])  # kept in --json
    near = {c["id"]: c for c in as_json["checks"]}["near"]
    assert any("heat.csv" in n for n in near["notes"])                       # and on the check that used it


def test_chinese_by_default_english_with_lang_en(world, chinese_default):
    zh = run("audit", world / "ok.yaml").stdout
    en = run("audit", world / "ok.yaml", "--lang", "en").stdout
    assert "结果：" in zh and "要求：" in zh and "占测试市" in zh and "仅报告（无要求）" in zh
    assert "椭球面积（CGCS2000）" in zh and "测地线距离" in zh
    for line in zh.splitlines():
        if line.strip().startswith(("结果：", "要求：")):
            assert not re.search(r"\b(of|within|share|count|before|after|report only)\b", line), line
    for line in en.splitlines():
        if line.strip().startswith(("value:", "expected:", "method:")):
            assert not CJK.search(line.replace("测试市", "").replace("city.gpkg", "")), line
    assert "km²" in zh and "km²" in en
    assert zh.startswith("测试") and en.startswith("Test audit")
    assert "热源距热电厂" in zh and "Heat sources near the CHP plant" in en and "热源距热电厂" not in en


def test_area_command_text_and_json(world, chinese_default):
    zh = run("area", world / "redline.gpkg", "--within", world / "city.gpkg", "--unit", "公顷")
    assert zh.exit_code == 0 and "公顷" in zh.stdout and "椭球面积" in zh.stdout and "EPSG:4490" in zh.stdout
    assert "warning" not in zh.stderr
    en = run("area", world / "redline.gpkg", "--within", world / "city.gpkg", "--lang", "en", "--method", "plane")
    assert "comparison only" in en.stdout and not CJK.search(en.stdout.replace("测试市", ""))
    out = json.loads(run("area", world / "redline.gpkg", "--json").stdout)
    assert out["unit"] == "km2" and isinstance(out["area"], float) and isinstance(out["overlap_removed"], float)


@pytest.mark.parametrize("change, key", [
    (("type: within_distance\n    layer: heat", "type: within_range\n    layer: heat"), "type"),
    (("near: chp\n    distance_m: 5000", "near: chp_plants\n    distance_m: 5000"), "near"),
    (("min_share: 1", "min_share: 1\n    unit: acres"), "unit"),
    (("min_share: 1", "min_share: 1 %"), "min_share"),
    (("max_count: 1", "max_count: one"), "max_count"),
    (("max_count: 1", "max_cont: 1"), "max_cont"),
    (("near: chp\n    distance_m: 5000\n", "near: chp\n"), "distance_m"),
])
def test_bad_spec_is_one_line_naming_file_check_and_key(world, change, key):
    text = (world / "ok.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    bad = world / f"bad_{key}.yaml"
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    res = run("audit", bad)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert bad.name in lines[0] and f"'{key}'" in lines[0]
    assert "'area'" in lines[0] or "'near'" in lines[0]


def test_table_is_localised_and_sheet_names_are_safe(world, tmp_path, chinese_default):
    from openpyxl import load_workbook

    text = (world / "ok.yaml").read_text(encoding="utf-8")
    spec = world / "ids.yaml"
    spec.write_text(text.replace("id: near_again", "id: near/again:[1]").replace("id: area", "id: 汇总"),
                    encoding="utf-8")
    res = run("audit", spec, "--out", tmp_path / "t")
    assert res.exit_code == 0, res.output
    wb = load_workbook(tmp_path / "t" / "audit.xlsx")
    assert wb.sheetnames == ["汇总", "汇总_2", "near", "near_again__1_"]
    details = (tmp_path / "t" / "audit_details.csv").read_text(encoding="utf-8-sig").splitlines()
    assert details[0].startswith("检查项,") and "距离（m，测地线）" in details[0]


def test_recorded_assumptions_keep_notes_and_reraise_on_error():
    import warnings

    from ecogis.audit import recorded_assumptions
    from ecogis.errors import AssumptionWarning, EcogisError, warn_assumption

    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with recorded_assumptions([]) as notes:
            warn_assumption("guessed CRS")
            warn_assumption("guessed CRS")
            warnings.warn("unrelated", RuntimeWarning)
    assert notes == ["guessed CRS"]                                      # recorded once, not passed on
    assert [w.category for w in outer] == [RuntimeWarning]               # other warnings pass through
    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with pytest.raises(EcogisError):
            with recorded_assumptions([]):
                warn_assumption("guessed encoding")
                raise EcogisError("bad input")
    assert [str(w.message) for w in outer if w.category is AssumptionWarning] == ["guessed encoding"]
