"""--lang zh|en on every command (and on the group), for stderr warnings and errors too; Chinese by
default; ECOGIS_LANG=en sets English once for every command; --help says so."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from ecogis.cli import BUILTIN_HELP, main
from tests.conftest import LAYERS

POINTS = LAYERS / "sites" / "points.csv"  # a UTF-8 table of lon/lat without CRS: two notes
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args])


def _warnings(stderr: str) -> list[str]:
    return [ln[len("ecogis: warning: "):] for ln in stderr.splitlines() if ln.startswith("ecogis: warning: ")]


def _errors(stderr: str) -> list[str]:
    return [ln[len("ecogis: error: "):] for ln in stderr.splitlines() if ln.startswith("ecogis: error: ")]


@pytest.fixture(autouse=True)
def _no_lang_in_env(chinese_default):
    """These tests set the language themselves (the suite's default is English)."""


def test_info_prints_the_same_warnings_in_english_and_in_chinese():
    en, zh = run("info", POINTS, "--lang", "en"), run("info", POINTS, "--lang", "zh")
    assert en.exit_code == zh.exit_code == 0
    en_lines, zh_lines = _warnings(en.stderr), _warnings(zh.stderr)
    assert len(en_lines) == len(zh_lines) == 2
    assert "text decoded as UTF-8 (detected; tables do not declare an encoding)" in en_lines[0]
    assert "no CRS in the file; inferred EPSG:4490" in en_lines[1]
    assert "文本按 UTF-8 解码（自动识别；表格文件不声明编码" in zh_lines[0]
    assert "文件未带坐标系，按坐标范围推断为 EPSG:4490" in zh_lines[1]
    for line in zh_lines:
        assert not re.search(r"\b(decoded|inferred|coordinates|datum)\b", line), line
    # the English lines are the notes of --json (the language-independent record)
    notes = json.loads(run("info", POINTS, "--json", "--lang", "en").stdout)["notes"]
    assert en_lines == notes


def test_chinese_is_the_default_and_the_group_option_applies_to_the_command():
    default, group_en, group_zh = run("info", POINTS), run("--lang", "en", "info", POINTS), \
        run("--lang", "zh", "info", POINTS)
    assert _warnings(default.stderr) == _warnings(run("info", POINTS, "--lang", "zh").stderr)
    assert all(CJK.search(w) for w in _warnings(default.stderr))
    assert _warnings(group_en.stderr) == _warnings(run("info", POINTS, "--lang", "en").stderr)
    assert _warnings(group_zh.stderr) == _warnings(default.stderr)
    # the command's own --lang wins over the group's
    assert _warnings(run("--lang", "zh", "info", POINTS, "--lang", "en").stderr) == _warnings(group_en.stderr)


def test_ecogis_lang_sets_english_once_and_lang_overrides_it():
    env_en = run("info", POINTS, env={"ECOGIS_LANG": "en"})
    assert _warnings(env_en.stderr) == _warnings(run("info", POINTS, "--lang", "en").stderr)
    assert not any(CJK.search(w.split(":", 1)[1]) for w in _warnings(env_en.stderr))
    env_en_cli_zh = run("info", POINTS, "--lang", "zh", env={"ECOGIS_LANG": "en"})
    assert _warnings(env_en_cli_zh.stderr) == _warnings(run("info", POINTS).stderr)
    group_zh = run("--lang", "zh", "info", POINTS, env={"ECOGIS_LANG": "en"})
    assert _warnings(group_zh.stderr) == _warnings(run("info", POINTS).stderr)


def test_an_unknown_ecogis_lang_is_bad_input():
    res = run("info", POINTS, env={"ECOGIS_LANG": "fr"})
    assert res.exit_code == 2 and "ECOGIS_LANG" in res.stderr and "Traceback" not in res.stderr


def test_an_error_is_one_line_in_either_language_with_exit_code_2():
    en = run("info", POINTS, "--field", "bad", "--lang", "en")
    zh = run("info", POINTS, "--field", "bad")
    env = run("info", POINTS, "--field", "bad", env={"ECOGIS_LANG": "en"})
    for res in (en, zh, env):
        assert res.exit_code == 2 and res.stdout == "" and len(_errors(res.stderr)) == 1
    assert _errors(en.stderr) == ["--field 'bad' is not SOURCE=CANONICAL. Example: --field 保护区名=name"]
    assert _errors(zh.stderr) == ["--field 'bad' 的格式应为 源字段=标准字段。例如：--field 保护区名=name"]
    assert _errors(env.stderr) == _errors(en.stderr)


def test_an_option_range_error_in_both_languages():
    args = ("raster", "zonal", LAYERS / "redline" / "redline.shp", "--zones", LAYERS / "redline" / "redline.shp",
            "--memory-mb", "0")
    en, zh = run(*args, "--lang", "en"), run(*args, "--lang", "zh")
    assert en.exit_code == zh.exit_code == 2
    assert _errors(en.stderr) == ["field '--memory-mb': must be a finite number above 0, got 0"]
    assert _errors(zh.stderr) == ["字段 “--memory-mb”：应为大于 0 的有限数值，实为 0"]


@pytest.mark.parametrize("command", [[]] + [[name] for name in BUILTIN_HELP if name != "raster"]
                         + [["raster", "zonal"], ["raster", "change"]])
def test_help_of_every_command_names_lang_and_ecogis_lang(command):
    res = run(*command, "--help")
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    assert "--lang [zh|en]" in text and "ECOGIS_LANG=en" in text and "default" in text
