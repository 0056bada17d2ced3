"""Damaged vector files (issue 9): a broken .shx, a lying .cpg, a bad .dbf header, invalid polygons.

Each hostile input is built here from a real file that ecogis wrote, then damaged byte by byte. A
damaged feature is never dropped in silence: the command exits 2 with one line naming the file and the
feature, or it goes on with a note that says what was done.
"""
from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from ecogis.cli import main
from ecogis.io import read_layer, write_layer

LAYERS = Path(__file__).resolve().parents[1] / "layers"
PROJECT = LAYERS / "project.yaml"
IN_REDLINE = (121.80005, 40.94536)  # inside red line HX01 (the check says 禁止 there)
IN_FIELDS = (122.05, 41.05)  # far from every control layer (符合)


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert not (result.exception and not isinstance(result.exception, SystemExit)), result.exception
    return result


def assert_one_line_error(result, *words):
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("ecogis: error")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in errors[0], (word, errors[0])
    return errors[0]


def square(lon, lat, half=0.001):
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


@pytest.fixture
def site_shp(tmp_path):
    """Two parcels written by ecogis: 核心区地块 in the red line, 农田地块 far from every layer."""
    gdf = gpd.GeoDataFrame({"name": ["核心区地块", "农田地块"]},
                           geometry=[square(*IN_REDLINE), square(*IN_FIELDS)], crs=4490)
    return write_layer(gdf, tmp_path / "site.shp")


def shx_entry(shp: Path, feature: int, offset_words: int) -> None:
    """Overwrite the offset (in 16-bit words) of ``feature`` (0-based) in the .shx beside ``shp``."""
    shx = shp.with_suffix(".shx")
    data = bytearray(shx.read_bytes())
    struct.pack_into(">i", data, 100 + 8 * feature, offset_words)
    shx.write_bytes(bytes(data))


def digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# ------------------------------------------------------------------------------------------- item 3

@pytest.mark.parametrize("offset_words", [30, 0, 10**6], ids=["into-header", "zero", "past-end"])
def test_wrong_shx_offset_is_an_error_naming_the_feature(site_shp, offset_words):
    shx_entry(site_shp, 0, offset_words)
    before = digest(site_shp.parent)
    result = run("check", site_shp, "-p", PROJECT, "--json", "--fail-on", "限制")
    line = assert_one_line_error(result, str(site_shp), "site.shx disagrees with site.shp", "核心区地块")
    assert "符合" not in result.stdout and "feature 0" in line
    assert digest(site_shp.parent) == before


def test_shx_pointing_at_another_record_is_an_error(site_shp):
    data = site_shp.with_suffix(".shx").read_bytes()
    second = struct.unpack(">i", data[108:112])[0]
    shx_entry(site_shp, 0, second)  # both entries now point at the record of 农田地块
    assert_one_line_error(run("info", site_shp), "disagrees", "核心区地块")


def test_shx_missing_the_last_records_is_an_error(site_shp):
    shx = site_shp.with_suffix(".shx")
    data = bytearray(shx.read_bytes()[:108])  # header + the first entry: 农田地块 would vanish
    struct.pack_into(">i", data, 24, len(data) // 2)  # a consistent header: the file length in words
    shx.write_bytes(bytes(data))
    assert_one_line_error(run("check", site_shp, "-p", PROJECT, "--json"), "site.shx lists 1 feature(s)")


def test_wrong_shx_offset_in_a_zip_is_an_error(site_shp, tmp_path):
    shx_entry(site_shp, 0, 0)
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in site_shp.parent.glob("site.*"):
            if part.suffix != ".zip":
                zf.write(part, f"data/{part.name}")
    assert_one_line_error(run("info", archive), "disagrees", "核心区地块")


def test_the_shapefile_ecogis_wrote_reads_without_complaint(site_shp):
    result = run("check", site_shp, "-p", PROJECT, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "禁止"


@pytest.fixture
def site_with_null_shape(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["核心区地块", "农田地块"]}, geometry=[None, square(*IN_FIELDS)], crs=4490)
    return write_layer(gdf, tmp_path / "site.shp")


def test_empty_site_feature_is_an_error(site_with_null_shape):
    result = run("check", site_with_null_shape, "-p", PROJECT, "--json", "--fail-on", "限制")
    assert_one_line_error(result, str(site_with_null_shape), "核心区地块", "no geometry", "--skip-empty")


def test_skip_empty_leaves_it_out_with_a_note(site_with_null_shape):
    result = run("check", site_with_null_shape, "-p", PROJECT, "--json", "--skip-empty")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["name"] for s in data["sites"]] == ["农田地块"]
    assert any("--skip-empty" in n and "核心区地块" in n for n in data["assumptions"])


def test_skip_empty_is_documented():
    assert "--skip-empty" in run("check", "--help").stdout


# ------------------------------------------------------------------------------------------- item 11

def _zip_into_folder(shp: Path, archive: Path, stems=("site",)) -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.parent.glob("site.*"):
            for stem in stems:
                zf.write(part, f"交付/data/{stem}{part.suffix}")
    return archive


def test_info_reads_a_zip_whose_shapefile_sits_in_a_sub_folder(site_shp, tmp_path):
    archive = _zip_into_folder(site_shp, tmp_path / "delivery.zip")
    result = run("info", archive, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["count"] == 2


def test_info_lists_the_shapefiles_of_a_sub_folder_in_a_zip(site_shp, tmp_path):
    archive = _zip_into_folder(site_shp, tmp_path / "delivery.zip", stems=("redline", "reserve"))
    result = run("info", archive, "--json")
    assert result.exit_code == 0, result.stderr
    layers = {d["name"]: d["count"] for d in json.loads(result.stdout)["layers"]}
    assert layers == {"redline": 2, "reserve": 2}


# ------------------------------------------------------------------------------------------- item 5

NAMES = ["辽河口核心区", "盘锦湿地"]


def names_shp(folder: Path, encoding: str, cpg: str | None) -> Path:
    """A shapefile whose .dbf holds NAMES in ``encoding`` and whose .cpg says ``cpg``."""
    gdf = gpd.GeoDataFrame({"名称": NAMES}, geometry=[square(*IN_FIELDS), square(*IN_REDLINE)], crs=4490)
    path = folder / "redline.shp"
    gdf.to_file(path, encoding=encoding)
    if cpg is not None:
        path.with_suffix(".cpg").write_text(cpg)
    return path


def test_cpg_saying_gbk_on_utf8_text_warns_and_reads_the_text(tmp_path):
    path = names_shp(tmp_path, "UTF-8", "GBK")
    result = run("info", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    note = next(n for n in data["notes"] if ".cpg says GBK" in n)
    assert str(path) in note and "valid UTF-8" in note and "--encoding GBK" in note
    assert "名称" in str(data) and "鍚嶇О" not in str(data)  # the field name, not its GBK mojibake


def test_encoding_option_still_overrides_the_detection(tmp_path):
    path = names_shp(tmp_path, "UTF-8", "GBK")
    gdf = read_layer(path, encoding="GBK")
    assert "名称" not in gdf.columns  # the user asked for GBK and gets it, mojibake included


def test_cpg_saying_utf8_on_gbk_text_warns_and_reads_the_text(tmp_path):
    path = names_shp(tmp_path, "GBK", "UTF-8")
    result = run("info", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert any(str(path) in n and ".cpg says UTF-8" in n and "GB18030" in n for n in data["notes"])
    assert "名称" in str(data)


def test_a_right_cpg_gives_no_note(tmp_path):
    path = names_shp(tmp_path, "GBK", "936")
    data = json.loads(run("info", path, "--json").stdout)
    assert not [n for n in data["notes"] if ".cpg" in n] and "名称" in str(data)


@pytest.mark.parametrize("header_len", [33, 0, 64, 66, 129, 65000])
def test_dbf_with_a_corrupt_header_length_is_an_error(tmp_path, header_len):
    path = names_shp(tmp_path, "GBK", "936")
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    assert struct.unpack("<H", data[8:10])[0] == 65  # 32 + one 32-byte descriptor + the 0x0D terminator
    struct.pack_into("<H", data, 8, header_len)
    dbf.write_bytes(bytes(data))
    for command in (("info", path), ("check", path, "-p", PROJECT, "--json")):
        assert_one_line_error(run(*command), str(path), "redline.dbf", "header", str(header_len))
