"""The message catalogue and the Note type: notes by key, English text for JSON and stderr, Chinese for reports."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import warnings
from pathlib import Path

import pytest
from conftest import sample_assumed

import ecogis
from ecogis.errors import AssumptionWarning
from ecogis.messages import MESSAGES, Note, note, register, say, to_zh, translate
from ecogis.notes import Notes, note_of

PACKAGE = Path(ecogis.__file__).parent
for _module in pkgutil.walk_packages(ecogis.__path__, "ecogis."):  # each registers its own templates
    importlib.import_module(_module.name)
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_no_module_writes_an_english_f_string_note():
    """Notes are said by key (warn_assumption is a shim for other callers); no module calls it."""
    callers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name == "warn_assumption":
                    callers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert callers == []


def test_no_regular_expression_translates_messages():
    for name in ("messages.py", "notes.py"):
        source = (PACKAGE / name).read_text(encoding="utf-8")
        assert ".match(" not in source and "re.compile" not in source.replace('re.compile(r"\\{(\\w+)\\}")', ""), name


def test_every_key_has_an_english_and_a_chinese_template_with_the_same_fields():
    assert len(MESSAGES) > 100
    for key, (en, zh) in MESSAGES.items():
        assert en and zh, key
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), key


@pytest.mark.parametrize("key", sorted(k for k in MESSAGES if not k.startswith("error.")))  # errors: tests/test_error_messages.py
def test_every_chinese_template_is_chinese(key):
    """Every English word of a template is translated: what is left are the fields, options,
    identifiers and commands to type."""
    en, zh = MESSAGES[key]
    if not re.sub(r"\{\w+\}|[\s:;：；]", "", zh):  # a frame such as "{path}: {note}"
        assert not re.sub(r"\{\w+\}|[\s:;]", "", en), key
        return
    assert CJK.search(zh) or (zh == en and not re.search(r"[A-Za-z]{3,}", en)), key  # km², m²
    leftover = re.sub(r"\{\w+\}|[A-Za-z]+[:=]|--[\w-]+|\w*_\w*|ecogis convert|apt install [\w-]+|[\w.]+\.\w+\b", "", zh)
    english = [w for w in re.findall(r"[A-Za-z]{4,}", leftover)
               if w not in {"EPSG", "CGCS", "HTML", "shapefile", "gpkg", "figsize", "PROJ", "exactextract",
                            "legend", "within", "ecogis", "FFFD", "adcode", "DataV", "GeoJSON"}]
    # format, field and product names: a metadata tag, an audit key, the program, U+FFFD, a field, a format
    assert not english, f"{key}: English words left in {zh!r}"


def test_the_message_from_the_brief_reads_as_a_chinese_engineer_would_write_it():
    n = note("no_cpg", path="layers/redline/redline.shp", found="GB18030")
    assert n == "layers/redline/redline.shp: no .cpg file; attribute text decoded as GB18030 (detected, check the names)"
    assert n.text("zh") == "layers/redline/redline.shp：未找到 .cpg 文件，属性文本按 GB18030 解码（自动识别，请核对名称）"
    assert (n.key, n.path, n.severity) == ("no_cpg", "layers/redline/redline.shp", "assumption")


def test_inferred_crs_note_words_the_crs_and_every_clause_of_the_reason_in_chinese():
    from ecogis.crs import describe_crs
    from ecogis.crs_infer import infer_crs

    guess = infer_crs([121.9, 122.1], [40.9, 41.2])
    n = note("read_crs_inferred", path="t.csv", crs=describe_crs(guess.crs), reason=guess.reason)
    assert n == f"t.csv: no CRS in the file; inferred {describe_crs(guess.crs)} from the coordinates: {guess.reason}"
    assert n.startswith("t.csv: no CRS in the file; inferred EPSG:4490 (China Geodetic Coordinate System 2000)")
    zh = n.text("zh")
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
def test_every_crs_guess_reason_is_worded_in_chinese(x, y, cm, expected):
    from ecogis.crs_infer import infer_crs

    reason = infer_crs(x, y, cm=cm).reason
    zh = reason.text("zh")
    assert expected in zh
    assert "；" in zh and "; " in reason  # clauses joined the way each language writes them
    assert not re.search(r"[A-Za-z]{5,}", re.sub(r"Gauss|Kruger|EPSG|CGCS", "", zh)), zh


@pytest.mark.parametrize("code,english,chinese", [
    (4529, "EPSG:4529 (CGCS2000 / 3-degree Gauss-Kruger zone 41)", "EPSG:4529（CGCS2000 3 度带高斯-克吕格投影第 41 带）"),
    (2385, "EPSG:2385 (Xian 1980 / 3-degree Gauss-Kruger CM 120E)",
     "EPSG:2385（西安 1980 3 度带高斯-克吕格投影，中央经线 120°E）"),
    ("GCJ-02", None, "GCJ-02（高德、腾讯地图坐标系，相对 WGS 84 偏移可达数百米）"),
    (32650, "EPSG:32650 (WGS 84 / UTM zone 50N)", "EPSG:32650 (WGS 84 / UTM zone 50N)"),
])
def test_a_crs_description_is_a_note_in_both_languages(code, english, chinese):
    """PROJ's name of the CRS in English; the catalogue's words in Chinese; a CRS outside the
    catalogue keeps PROJ's name in both."""
    import pyproj

    from ecogis.crs import describe_crs

    described = describe_crs(code)
    if english is not None:
        assert described == english == f"EPSG:{code} ({pyproj.CRS.from_epsg(code).name})"
    assert described.text("zh") == chinese


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


def test_translate_keeps_english_for_english_reports_and_plain_text_as_it_is():
    n = note("table_encoding", path="a.csv", encoding="UTF-8")
    assert n == "a.csv: text decoded as UTF-8 (detected; tables do not declare an encoding)"
    assert translate(n, "en") == n
    assert translate(n, "zh").startswith("a.csv：文本按 UTF-8 解码")
    assert to_zh(n) == translate(n, "zh")
    assert translate("something nobody registered", "zh") == "something nobody registered"
    assert translate("", "zh") == ""


def test_a_note_needs_a_registered_key_and_every_field_of_its_template():
    with pytest.raises(KeyError, match="not registered"):
        note("no_such_message")
    with pytest.raises(KeyError, match="found"):
        note("no_cpg", path="a.shp")
    with pytest.raises(ValueError, match="severity"):
        note("no_cpg", path="a.shp", found="UTF-8", severity="serious")


def test_a_note_of_clauses_joins_them_as_each_language_writes():
    joined = Note.join([note("datum_given", datum="Xian1980"), "EPSG:2365", ""])
    assert joined == "datum Xian1980 as given; EPSG:2365"
    assert joined.text("zh") == "大地基准按给定的 Xian1980；EPSG:2365"
    assert Note.plain("EPSG:4326").text("zh") == "EPSG:4326"


def test_notes_keep_each_note_once_in_order_and_speak_both_languages():
    notes = Notes()
    first = notes.add("no_cpg", path="a.shp", found="GB18030")
    notes.append(note("no_cpg", path="a.shp", found="GB18030"))
    notes.extend([note("datum_given", datum="Xian1980"), first])
    notes += [note("datum_given", datum="Xian1980")]
    assert len(notes) == 2 and notes[0] is first
    assert notes.to_list() == [first, "datum Xian1980 as given"]
    assert notes.to_list("zh") == [first.text("zh"), "大地基准按给定的 Xian1980"]
    assert isinstance(notes, list) and Notes(notes) == notes


def test_notes_turn_into_assumption_warnings_for_library_users():
    notes = Notes([note("no_cpg", path="a.shp", found="GB18030")])
    with pytest.warns(AssumptionWarning, match="no .cpg file") as caught:
        notes.warn()
    assert len(caught) == 1
    assert note_of(caught[0].message).key == "no_cpg"


def test_a_note_survives_pickling_and_has_a_language_independent_dict():
    import json
    import pickle

    from ecogis.crs_infer import infer_crs

    reason = infer_crs([121.9, 122.1], [40.9, 41.2]).reason
    n = note("read_crs_inferred", path="t.csv", crs="EPSG:4490", reason=reason)
    back = pickle.loads(pickle.dumps(n))
    assert back == n and back.text("zh") == n.text("zh") and back.key == "read_crs_inferred"
    d = n.to_dict()
    assert d["key"] == "read_crs_inferred" and d["path"] == "t.csv" and "text" not in d
    assert n.to_dict("zh")["text"] == n.text("zh")
    assert json.dumps([n]) == json.dumps([str(n)])


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
    n = note("band_one", path="lc.tif", count=3)
    assert n == RASTER["band_one"][0].format(path="lc.tif", count=3)
    assert n.text("zh") == "lc.tif：栅格有 3 个波段，以第 1 波段为地类代码"


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
        assert isinstance(n, Note) and n.key in MESSAGES, n
        zh = n.text("zh")
        assert zh != n and CJK.search(zh), n


def test_boundary_note_names_the_level_in_chinese():
    from ecogis.boundaries import get_boundary

    with pytest.warns(AssumptionWarning, match="resolved to"):
        gdf = get_boundary("盘锦")
    (found,) = gdf.attrs["ecogis"]["notes"]
    assert to_zh(found) == "行政区名称 '盘锦' 匹配为 辽宁省 盘锦市（地级，行政区划代码 211100）"


NO_CPG = note("no_cpg", path="r.shp", found="GB18030")


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


def test_every_say_and_note_call_names_a_registered_message_with_its_fields():
    found = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("say", "note", "make_note")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found += 1
                key = node.args[0].value
                assert key in MESSAGES, f"{path}:{node.lineno}: say({key!r}) is not registered"
                fields = set(re.findall(r"\{(\w+)\}", MESSAGES[key][0]))
                given = {k.arg for k in node.keywords} - {"warn", "severity"}
                if None in given:  # fields passed as **mapping: only the names written out can be checked
                    assert given - {None} <= fields, f"{path}:{node.lineno}: say({key!r}) gives {given}"
                    continue
                assert given == fields, f"{path}:{node.lineno}: say({key!r}) gives {given}, template needs {fields}"
    assert found >= 10  # the raster package


def test_a_note_unpickles_in_a_process_that_never_imported_its_module():
    """Batch workers are spawned: a note of a module the receiving process never imported (the
    exchange-text dialect note) must still unpickle there, with both of its languages."""
    import pickle
    import subprocess
    import sys

    import ecogis.io.exchange.dialects  # noqa: F401  registers exchange.dialect in this process

    n = note("exchange.dialect", path="sites.txt", dialect="省标")
    code = ("import pickle, sys; n = pickle.loads(sys.stdin.buffer.read()); "
            "import ecogis.io.exchange.dialects; "  # after unpickling: the templates must match
            "print(n.key); print(n.text('zh'))")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(n), capture_output=True, check=True)
    key, zh = out.stdout.decode().splitlines()
    assert key == "exchange.dialect" and zh == n.text("zh") and "sites.txt" in zh
