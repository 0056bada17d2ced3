"""The chapter 生态环境分区管控符合性分析 read back from the DOCX, HTML, XLSX and JSON reports."""
from __future__ import annotations

import json
import re

import docx
import geopandas as gpd
import openpyxl
import pytest
from click.testing import CliRunner
from shapely.geometry import box
from test_zoning import GK, SITE, UNIT_TEXT, project  # noqa: F401  (the project fixture)

from ecogis.cli.check_cmds import check as check_cmd

CHAPTER = "生态环境分区管控符合性分析"


@pytest.fixture
def reports(project, tmp_path, chinese_default):  # noqa: F811
    site = tmp_path / "site.geojson"
    gpd.GeoDataFrame({"id": ["S1"], "name": ["场址"]}, geometry=[SITE], crs=GK).to_crs(4490).to_file(site)
    out = tmp_path / "out"
    res = CliRunner().invoke(check_cmd, [str(site), "-p", str(project), "--industry", "C2614", "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def test_docx_has_the_chapter_with_units_requirements_and_summary(reports):
    doc = docx.Document(reports / "check.docx")
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert re.fullmatch(rf"\d+ {CHAPTER}", headings[-1])  # the last numbered chapter of the report
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[1].text: t for t in doc.tables}
    units = tables["场址|单元编码"]
    assert [c.text for c in units.rows[1].cells][1:4] == ["ZH21110220001", "示意产业园区", "重点管控单元"]
    assert units.rows[1].cells[10].text == "100.00%"
    reqs = tables["场址|层级"]
    banned = [[c.text for c in r.cells] for r in reqs.rows[1:] if r.cells[5].text == "禁止"]
    assert banned == [["S1", "单元", "ZH21110220001", "空间布局约束", UNIT_TEXT, "禁止",
                       "项目行业 C2614 属清单禁止类 C26", banned[0][7]]]
    summary = {r.cells[0].text: [c.text for c in r.cells] for r in tables["管控类型|图层"].rows[1:]}
    assert summary["环境管控单元（准入清单）"][-1] == "禁止"
    assert summary["生态保护红线"][1:] == ["未提供图层", "", "", "", "", "", "无法判定"]


def test_html_xlsx_and_json_carry_the_chapter(reports):
    page = (reports / "check.html").read_text(encoding="utf-8")
    assert f"<h2>{CHAPTER}</h2>" in page and "id=\"zoning-requirements\"" in page and UNIT_TEXT in page
    wb = openpyxl.load_workbook(reports / "check.xlsx")
    assert {"空间管控汇总", "管控单元", "准入清单分析"} <= set(wb.sheetnames)
    rows = list(wb["准入清单分析"].iter_rows(values_only=True))
    assert ("S1", "单元", "ZH21110220001", "空间布局约束", UNIT_TEXT, "禁止") == rows[[r[5] for r in rows].index("禁止")][:6]
    unit = list(wb["管控单元"].iter_rows(values_only=True))[1]
    assert isinstance(unit[8], float) and unit[10] == pytest.approx(1.0)  # numbers stay numbers
    data = json.loads((reports / "check.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "禁止" and data["zoning"]["verdict"] == "禁止"
    assert [r["matched"] for r in data["zoning"]["requirements"] if r["verdict"] == "禁止"] == ["C26"]
    assert data["zoning"]["industry"] == {"code": "C2614", "name": "有机化学原料制造"}


def test_the_english_chapter(project, tmp_path):  # noqa: F811
    out = tmp_path / "en"
    site = tmp_path / "s.geojson"
    gpd.GeoDataFrame({"id": ["S1"]}, geometry=[box(455_000, 4_534_000, 456_000, 4_535_000)],
                     crs=GK).to_crs(4490).to_file(site)
    res = CliRunner().invoke(check_cmd, [str(site), "-p", str(project), "--industry", "D4411", "--lang", "en",
                                         "--format", "html", "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    page = (out / "check.html").read_text(encoding="utf-8")
    assert "Compliance with zoned environmental control" in page and "text-only requirement" in page


def test_a_bad_industry_code_is_one_line_naming_the_form(project):  # noqa: F811
    res = CliRunner().invoke(check_cmd, ["--at", "121.9,41.0", "-p", str(project), "--industry", "2614", "--json"])
    assert res.exit_code == 2 and "GB/T 4754-2017" in res.output and "Traceback" not in res.output
