"""The audit report on the sample spec (scripts/panjin_audit.yaml): a report-only check is 仅报告, the
share check whose base is divided back from its own figures is flagged circular, the report states
date, operator and data sources, and names layers by their labels, never by their keys."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecogis.cli.area_cmds import audit

SPEC = Path(__file__).resolve().parents[1] / "scripts" / "panjin_audit.yaml"


@pytest.fixture(scope="module")
def text():
    res = CliRunner().invoke(audit, [str(SPEC), "--operator", "张三"])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_report_only_check_is_not_a_pass(text):
    line = next(ln for ln in text.splitlines() if "heating_near_chp_listed" in ln)
    assert line.startswith("[仅报告]")
    assert any(ln.startswith("共 10 项：") and "仅报告 1 项" in ln for ln in text.splitlines())


def test_circular_share_is_flagged(text):
    line = next(ln for ln in text.splitlines() if "redline_land_area" in ln and ln.startswith("["))
    assert "循环校验" in line
    assert any(ln.strip().startswith("循环：") and "4102.6" in ln for ln in text.splitlines())


def test_report_states_date_operator_and_sources(text):
    lines = text.splitlines()
    assert f"日期：{datetime.date.today().isoformat()}" in lines
    assert "操作人：张三" in lines
    assert any("生态保护红线（示意）" in ln and "2019-12-31" in ln and "EPSG:4529" in ln for ln in lines)
    # two layers of one GeoPackage: each with its own feature count (the city is one polygon)
    assert any(ln.strip().startswith("盘锦市行政区域：") and "，1 个要素" in ln for ln in lines)
    assert any(ln.strip().startswith("盘锦市各区县：") and "，4 个要素" in ln for ln in lines)


def test_layers_named_by_label_not_key(text):
    assert "（city）" not in text and "与 town" not in text
    assert "占盘锦市行政区域的" in text and "与城镇开发边界重叠" in text


def test_english_report_only_and_circular():
    res = CliRunner().invoke(audit, [str(SPEC), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "[REPORT ONLY] heating_near_chp_listed" in res.stdout
    assert "[PASS (circular)] redline_land_area" in res.stdout
    assert "Operator: not stated (use --operator)" in res.stdout


def test_audit_table_shows_report_only_and_circular(tmp_path, chinese_default):
    import csv

    res = CliRunner().invoke(audit, [str(SPEC), "--out", str(tmp_path), "--operator", "张三"])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "audit.csv", encoding="utf-8-sig") as f:
        rows = {r["编号"]: r for r in csv.DictReader(f)}
    assert rows["heating_near_chp_listed"]["结论"] == "仅报告"
    assert rows["redline_land_area"]["结论"] == "通过（循环校验）"
    assert rows["wells_closed_per_zone"]["结论"] == "通过"
