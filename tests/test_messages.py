"""The shared message registry: English notes stay English, Chinese reports show them in Chinese."""
from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest
from conftest import sample_assumed

import ecogis
import ecogis.raster.messages  # noqa: F401  (registers the raster templates)
from ecogis.errors import AssumptionWarning
from ecogis.messages import MESSAGES, _clauses, register, say, to_zh, translate

PACKAGE = Path(ecogis.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _sample(node) -> str | None:
    """The English text of a message expression with every interpolated value replaced by a word.

    Handles f-strings, plain strings, implicit and ``+`` concatenation, and ``"..." if c else "..."``
    parts (the first branch); returns None for a bare variable (a message built elsewhere)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out, names = [], {}
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(part.value)
            elif isinstance(part.value, ast.IfExp) and isinstance(part.value.body, ast.Constant):
                out.append(str(part.value.body.value))  # f"{'lines' if n > 1 else 'line'}"
            else:  # the same expression twice gives the same word, as at run time
                out.append(names.setdefault(ast.unparse(part.value), f"v{len(names)}"))
        return "".join(out)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.IfExp):
        return _sample(node.body)
    return None


def _call_sites():
    """(file:line, sample English text) for every warn_assumption(...) call with a literal message."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "warn_assumption":
                yield f"{path.relative_to(PACKAGE)}:{node.lineno}", node.args[0]


#: call sites whose message is a variable: the text comes from a registered source (say(), datum_change_note)
_INDIRECT = {"errors.py", "messages.py", "convert.py"}


def test_the_scan_finds_the_call_sites():
    sites = list(_call_sites())
    assert len(sites) > 40
    assert any(where.startswith("io/vector.py") for where, _ in sites)


@pytest.mark.parametrize("where,node", list(_call_sites()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_warn_assumption_call_has_a_chinese_template(where, node):
    text = _sample(node)
    if text is None or not re.sub(r"v\d+|[\s:;]", "", text):  # no words of its own: "{src}: {note}"
        assert where.split(":")[0] in _INDIRECT, f"{where}: message is not a literal; register it and list it here"
        return
    zh = to_zh(text)
    assert zh != text and CJK.search(zh), f"{where}: no Chinese template matches {text!r}"
    # every English word of the template was translated: what is left are the interpolated values
    # (options, identifiers and commands to type stay as they are)
    leftover = re.sub(r"v\d+|--[\w-]+|\w*_\w*|ecogis convert|apt install [\w-]+|[\w.]+\.\w+\b", "", zh)
    english = [w for w in re.findall(r"[A-Za-z]{4,}", leftover)
               if w not in {"EPSG", "CGCS", "HTML", "shapefile", "gpkg", "figsize"}]
    assert not english, f"{where}: English words left in {zh!r}"


def test_the_message_from_the_brief_reads_as_a_chinese_engineer_would_write_it():
    note = "layers/redline/redline.shp: no .cpg file; attribute text decoded as GB18030 (detected, check the names)"
    assert to_zh(note) == "layers/redline/redline.shp：未找到 .cpg 文件，属性文本按 GB18030 解码（自动识别，请核对名称）"


def test_inferred_crs_note_translates_the_crs_and_every_clause_of_the_reason():
    from ecogis.crs import describe_crs, infer_crs

    guess = infer_crs([121.9, 122.1], [40.9, 41.2])
    note = f"t.csv: no CRS in the file; inferred {describe_crs(guess.crs)} from the coordinates: {guess.reason}"
    zh = to_zh(note)
    assert zh.startswith("t.csv：文件未带坐标系，按坐标范围推断为 EPSG:4490（CGCS2000 经纬度）")
    assert "大地基准假定为 CGCS2000" in zh and "如有不同请用 crs= 指定" in zh
    assert "西安 1980" in zh and "EPSG:4610" in zh
    assert not re.search(r"\b(the|datum|coordinates|pass|instead)\b", zh), zh


@pytest.mark.parametrize("x,y,cm,expected", [
    ([41_500_000.0, 41_520_000.0], [4_520_000.0, 4_540_000.0], None, "第 41 带"),
    ([4_520_000.0, 4_540_000.0], [41_500_000.0, 41_520_000.0], None, "已互换"),
    ([500_000.0, 520_000.0], [4_520_000.0, 4_540_000.0], 123, "中央经线 123°E 由用户给定"),
    ([40.9, 41.2], [121.9, 122.1], None, "原为纬度、经度顺序"),
])
def test_every_crs_guess_reason_is_translated(x, y, cm, expected):
    from ecogis.crs import infer_crs

    reason = infer_crs(x, y, cm=cm).reason
    zh = to_zh(reason)
    assert expected in zh
    assert not re.search(r"[A-Za-z]{5,}", re.sub(r"Gauss|Kruger|EPSG|CGCS", "", zh)), zh


def test_say_records_english_and_warns():
    notes = []
    with pytest.warns(AssumptionWarning, match="no .cpg file"):
        text = say("no_cpg", notes, path="a.shp", found="GB18030")
    assert notes == [text] == ["a.shp: no .cpg file; attribute text decoded as GB18030 (detected, check the names)"]
    quiet = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        say("datum_given", quiet, warn=False, datum="Xian1980")
    assert quiet == ["datum Xian1980 as given"]


def test_translate_keeps_english_for_english_reports_and_unknown_notes_as_they_are():
    note = "a.csv: text decoded as UTF-8 (detected; tables do not declare an encoding)"
    assert translate(note, "en") == note
    assert translate(note, "zh").startswith("a.csv：文本按 UTF-8 解码")
    assert translate("something nobody registered", "zh") == "something nobody registered"
    assert translate("", "zh") == ""


def test_a_field_named_twice_must_hold_the_same_text():
    ok = "a.shp: the .cpg says UTF-8 but the attribute text is not valid UTF-8; decoded as GB18030 instead"
    assert "已改按 GB18030 解码" in to_zh(ok)
    odd = "a.shp: the .cpg says UTF-8 but the attribute text is not valid CP936; decoded as GB18030 instead"
    assert to_zh(odd) == odd


def test_clauses_split_only_outside_brackets():
    assert _clauses("a (b; c); d [e; f]; g") == ["a (b; c)", "d [e; f]", "g"]


def test_register_refuses_templates_with_different_fields_or_a_changed_text():
    with pytest.raises(ValueError, match="different fields"):
        register({"test_bad_fields": ("{a} and {b}", "{a}")})
    key = next(iter(MESSAGES))
    with pytest.raises(ValueError, match="twice"):
        register({key: ("changed", "改了")})
    assert "test_bad_fields" not in MESSAGES


def test_raster_messages_are_in_the_shared_registry():
    from ecogis.raster.messages import MESSAGES as RASTER

    for key, pair in RASTER.items():
        assert MESSAGES[key] == pair
    text = RASTER["band_one"][0].format(path="lc.tif", count=3)
    assert to_zh(text) == "lc.tif：栅格有 3 个波段，以第 1 波段为地类代码"


def test_sample_layers_notes_are_translated_in_chinese_reports(tmp_path):
    """Read the sample data as a user would and check every recorded note has a Chinese wording."""
    from ecogis.io import read_layer

    repo = PACKAGE.parent
    rels = ["redline/redline.shp", "water/sections.xlsx", "energy/heat_sources.csv", "sites/sites_zone41.txt"]
    notes = []
    with sample_assumed(*rels):
        for rel in rels:
            notes += read_layer(repo / "layers" / rel).attrs["ecogis"]["notes"]
    assert notes  # the GBK shapefile without .cpg and the exchange text carry guesses
    for n in notes:
        zh = to_zh(n)
        assert zh != n and CJK.search(zh), n


def test_boundary_note_names_the_level_in_chinese():
    from ecogis.boundaries import get_boundary

    with pytest.warns(AssumptionWarning, match="resolved to"):
        gdf = get_boundary("盘锦")
    (note,) = gdf.attrs["ecogis"]["notes"]
    assert to_zh(note) == "行政区名称 '盘锦' 匹配为 辽宁省 盘锦市（地级，行政区划代码 211100）"


NO_CPG = "r.shp: no .cpg file; attribute text decoded as GB18030 (detected, check the names)"


def test_audit_text_and_xlsx_translate_the_notes_and_json_keeps_english(tmp_path):
    import openpyxl

    from ecogis.area import Text
    from ecogis.audit import AuditReport, CheckResult
    from ecogis.render.audit_table import audit_text, write_audit_table

    check = CheckResult(id="c1", type="area", title=Text("红线面积", "red-line area"), value="1 km²",
                        expected="≥ 0 km²", passed=True, notes=[NO_CPG])
    report = AuditReport(title=Text("审计", "audit"), spec="a.yaml", checks=[check], notes=[NO_CPG])
    zh = audit_text(report, "zh")
    assert "注意：r.shp：未找到 .cpg 文件，属性文本按 GB18030 解码（自动识别，请核对名称）" in zh
    assert "no .cpg" not in zh
    assert NO_CPG in audit_text(report, "en")
    assert report.to_dict("zh")["notes"] == [NO_CPG] == report.to_dict("zh")["checks"][0]["notes"]
    write_audit_table(report, tmp_path / "out", lang="zh")
    cells = [c for row in openpyxl.load_workbook(tmp_path / "out" / "audit.xlsx").worksheets[0].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert "r.shp：未找到 .cpg 文件，属性文本按 GB18030 解码（自动识别，请核对名称）" in cells


def test_area_command_prints_the_reader_notes_in_the_report_language(chinese_default):
    from click.testing import CliRunner

    from ecogis.cli import main

    shp = PACKAGE.parent / "layers/redline/redline.shp"
    runner = CliRunner()
    zh = runner.invoke(main, ["area", str(shp), "--kind", "redline"])
    en = runner.invoke(main, ["area", str(shp), "--kind", "redline", "--lang", "en"])
    js = runner.invoke(main, ["area", str(shp), "--kind", "redline", "--json"])
    assert zh.exit_code == en.exit_code == js.exit_code == 0, zh.output + en.output
    assert "未找到 .cpg 文件，属性文本按 GB18030 解码（自动识别，请核对名称）" in zh.stdout
    assert "no .cpg file" not in zh.stdout
    assert "no .cpg file; attribute text decoded as GB18030" in en.stdout
    assert any("no .cpg file" in n for n in __import__("json").loads(js.stdout)["notes"])


def test_every_say_call_names_a_registered_message_with_its_fields():
    found = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found += 1
                key = node.args[0].value
                assert key in MESSAGES, f"{path}:{node.lineno}: say({key!r}) is not registered"
                fields = set(re.findall(r"\{(\w+)\}", MESSAGES[key][0]))
                given = {k.arg for k in node.keywords} - {"warn"}
                assert given == fields, f"{path}:{node.lineno}: say({key!r}) gives {given}, template needs {fields}"
    assert found >= 10  # the raster package
