"""The project's own description (industry, type, description, use) from the command line, the site
attributes and a project-description file, with the stated precedence CLI > site attribute > file."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import box
from test_zoning import GK, SITE, project  # noqa: F401  (the fixture)

from ecogis.check import check
from ecogis.cli import main
from ecogis.errors import EcogisError
from ecogis.render.zoning_html import zoning_html

OTHER = box(444_000, 4_536_000, 445_000, 4_537_000)  # also in the 重点管控单元 (whose list prohibits C26)


def sites(**columns):
    return gpd.GeoDataFrame({"id": ["S1", "S2"], **columns}, geometry=[SITE, OTHER], crs=GK)


def info_file(tmp_path, text):
    path = tmp_path / "info.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_description_file_gives_the_industry(project, tmp_path):  # noqa: F811
    info = info_file(tmp_path, "industry: C2614\nindustry_name: 有机化学原料制造\ntype: area\ndescription: 化工项目\n")
    z = check(sites(), project, project_info=info).zoning
    assert z.site_verdicts == {"S1": "禁止", "S2": "禁止"}
    d = z.project_description
    assert d["industry"] == {"code": "C2614", "name": "有机化学原料制造"}
    assert d["project_type"] == "area" and d["description"] == "化工项目"
    assert d["sources"] == {"industry": "file", "project_type": "file", "description": "file"}
    assert d["file"] == str(info) and d["precedence"] == ["cli", "site", "file"]


def test_a_site_attribute_wins_over_the_file(project, tmp_path):  # noqa: F811
    info = info_file(tmp_path, "industry: C2614\n")
    z = check(sites(行业代码=[None, "D4411"], 项目类型=["面状", "线性"]), project, project_info=info).zoning
    assert z.site_verdicts == {"S1": "禁止", "S2": "需论证"}  # D4411 is not in the unit's C26
    s2 = z.site_descriptions["S2"]
    assert s2["industry"]["code"] == "D4411" and s2["sources"]["industry"] == "site"
    assert s2["project_type"] == "linear" and s2["sources"]["project_type"] == "site"
    assert z.site_descriptions["S1"]["sources"] == {"industry": "file", "project_type": "site"}


def test_the_command_line_wins_over_site_attributes_and_file(project, tmp_path):  # noqa: F811
    info = info_file(tmp_path, "industry: C2614\ndescription: 文件中的描述\n")
    z = check(sites(行业代码=["C2614", "C2614"]), project, industry="D4411", project_info=info).zoning
    assert z.site_verdicts == {"S1": "需论证", "S2": "需论证"}  # no site is judged as C2614
    assert z.site_descriptions == {}
    assert z.project_description["sources"] == {"industry": "cli", "description": "file"}
    assert {r.industry for r in z.requirements if r.industry} == {"D4411"}


def test_project_file_holds_the_description(project):  # noqa: F811
    project.write_text(project.read_text(encoding="utf-8")
                       + "project_info: {industry: 'C2614:有机化学原料制造', type: point}\n", encoding="utf-8")
    z = check(sites(), project).zoning
    assert z.site_verdicts["S1"] == "禁止"
    assert z.project_description["project_type"] == "point"


def test_the_report_states_sources_and_precedence(project, tmp_path):  # noqa: F811
    info = info_file(tmp_path, "industry: C2614\ntype: area\n")
    result = check(sites(行业代码=[None, "D4411"]), project, description="年产5万吨", project_info=info)
    page = zoning_html(result, "zh")
    assert "C2614 有机化学原料制造（项目描述文件）" in page
    assert "项目描述：年产5万吨（命令行）" in page
    assert "命令行（--industry、--description、--use）&gt; 场址属性" in page
    assert "场址 S2：" in page and "D4411 火力发电（场址属性）" in page


@pytest.mark.parametrize("text,match", [("industry: X99\n", "followed by 2, 3 or 4 digits"),
                                        ("industry: C2614\ntype: 隧道\n", "unknown project type '隧道'"),
                                        ("industry: C2614\nindustri: C26\n", "line 2: unknown key 'industri'")])
def test_bad_description_files_are_errors_naming_the_file(project, tmp_path, text, match):  # noqa: F811
    info = info_file(tmp_path, text)
    with pytest.raises(EcogisError, match=match) as err:
        check(sites(), project, project_info=info)
    assert "info.yaml" in str(err.value)


def test_a_bad_site_code_names_the_site_and_the_form(project):  # noqa: F811
    with pytest.raises(EcogisError, match=r"site S2.*GB/T 4754-2017 code: a section letter A-T"):
        check(sites(行业代码=["C2614", "化工"]), project)


def test_cli_project_info_and_a_bad_file_is_one_line(project, tmp_path):  # noqa: F811
    gpkg = tmp_path / "site.gpkg"
    sites().iloc[[0]].to_file(gpkg)
    info = info_file(tmp_path, "industry: C2614\n")
    run = CliRunner().invoke(main, ["check", str(gpkg), "-p", str(project), "--project-info", str(info), "--json",
                                    "--lang", "en"])
    assert run.exit_code == 0, run.output
    payload = json.loads(run.stdout)
    assert payload["zoning"]["project_description"]["sources"] == {"industry": "file"}
    assert payload["verdict"] == "禁止"
    bad = info_file(tmp_path, "industry: Z9\n")
    run = CliRunner().invoke(main, ["check", str(gpkg), "-p", str(project), "--project-info", str(bad),
                                    "--lang", "en"])
    assert run.exit_code == 2
    assert "Traceback" not in run.output
    assert "GB/T 4754-2017" in run.output


def test_a_list_of_uses_is_kept_and_shown(project):  # noqa: F811
    result = check(sites(), project, industry="C2614", site_use=["well", "油井"])
    assert result.zoning.project_description["use"] == ["well", "油井"]
    assert "用途（--use）：well、油井（命令行）" in zoning_html(result, "zh")
