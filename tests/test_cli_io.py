"""ecogis info / validate / convert: exit codes, --json keys, one-line errors, never over the input."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import prcoords
import pyproj
import pytest
import shapely
from click.testing import CliRunner

from ecogis.cli import main
from tests.conftest import LAYERS

NAMES = ["辽河口核心区", "盘锦湿地"]
SQUARES = [shapely.box(121.80, 40.90, 121.84, 40.93), shapely.box(121.90, 40.90, 121.92, 40.91)]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def gbk_shp(tmp_path):
    path = tmp_path / "redline.shp"
    gdf = gpd.GeoDataFrame({"名称": NAMES}, geometry=SQUARES, crs=4490).to_crs(4529)
    gdf["geometry"] = shapely.transform(gdf.geometry.values, lambda c: np.round(c, 3))  # survey mm grid
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    path.with_suffix(".prj").unlink()
    return path


def test_info_json_keys_and_values(gbk_shp):
    result = run("info", gbk_shp, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("crs", "crs_source", "encoding", "count", "geometry_types", "bounds", "fields", "notes"):
        assert key in data
    assert data["crs"] == "EPSG:4529" and data["crs_source"] == "inferred"
    assert data["encoding"] == "GB18030" and data["encoding_source"] == "detected"
    assert data["count"] == 2 and data["geometry_types"] == ["Polygon"] and data["fields"] == ["名称"]
    assert len(data["bounds"]) == 4 and data["bounds"][0] > 41_000_000  # zone prefix kept
    np.testing.assert_allclose(data["bounds_lonlat"], [121.80, 40.90, 121.92, 40.93], atol=1e-7)
    assert any("GB18030" in n for n in data["notes"]) and any("EPSG:4529" in n for n in data["notes"])
    assert "warning" in result.stderr  # assumptions are also shown on stderr


def test_info_human_text(gbk_shp):
    result = run("info", gbk_shp)
    assert result.exit_code == 0
    assert "坐标系 CRS" in result.stdout and "EPSG:4529" in result.stdout and "名称" in result.stdout


def test_info_lists_layers_of_a_multi_layer_file(tmp_path):
    path = tmp_path / "panjin.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=SQUARES[:1], crs=4490).to_file(path, layer="city")
    gpd.GeoDataFrame({"name": ["b"]}, geometry=SQUARES[1:], crs=4490).to_file(path, layer="districts")
    data = json.loads(run("info", path, "--json").stdout)
    assert [layer["name"] for layer in data["layers"]] == ["city", "districts"]
    assert [(layer["count"], layer["crs"]) for layer in data["layers"]] == [(1, "EPSG:4490"), (1, "EPSG:4490")]
    data = json.loads(run("info", path, "--layer", "districts", "--json").stdout)
    assert data["layer"] == "districts" and data["crs_source"] == "file" and data["count"] == 1


@pytest.mark.parametrize("args,needle", [
    (["info", "missing.shp"], "file not found"),
    (["info", "notes.txt"], "not a land-survey coordinate exchange file"),
    (["validate", "missing.gpkg"], "file not found"),
    (["convert", "missing.shp", "out.gpkg"], "file not found"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("随便写的文字\n", encoding="utf-8")
    result = run(*args)
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("ecogis: error")]
    assert len(lines) == 1 and needle in lines[0]
    assert result.stdout == ""


def test_missing_shx_exit_2(gbk_shp):
    gbk_shp.with_suffix(".shx").unlink()
    result = run("info", gbk_shp)
    assert result.exit_code == 2 and ".shx" in result.stderr


def test_convert_never_overwrites_input(gbk_shp, tmp_path):
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = run("convert", gbk_shp, gbk_shp, "--overwrite")
    assert result.exit_code == 2 and "same file as an input" in result.stderr
    result = run("convert", gbk_shp, gbk_shp.with_suffix(".dbf"), "--overwrite")
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_convert_refuses_existing_output_without_overwrite(gbk_shp, tmp_path):
    out = tmp_path / "out.gpkg"
    assert run("convert", gbk_shp, out).exit_code == 0
    first = out.read_bytes()
    result = run("convert", gbk_shp, out)
    assert result.exit_code == 2 and "--overwrite" in result.stderr
    assert out.read_bytes() == first
    assert run("convert", gbk_shp, out, "--overwrite", "--to-crs", "EPSG:4490").exit_code == 0
    assert gpd.read_file(out).crs.to_epsg() == 4490


def test_convert_gcj02_both_ways_against_prcoords(tmp_path):
    src = tmp_path / "sites.geojson"
    lonlat = [(121.83, 40.91), (122.07, 41.12)]
    gpd.GeoDataFrame({"名称": NAMES}, geometry=shapely.points(lonlat), crs=4490).to_file(src)
    amap = tmp_path / "sites_gcj.geojson"
    result = run("convert", src, amap, "--to-crs", "GCJ-02", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["to_crs"] == "GCJ-02"
    gcj = gpd.read_file(amap)
    ref = [prcoords.wgs_gcj((lat, lon)) for lon, lat in lonlat]
    geod = pyproj.Geod(ellps="GRS80")
    _, _, d = geod.inv(gcj.geometry.x, gcj.geometry.y, [r.lon for r in ref], [r.lat for r in ref])
    assert np.max(d) < 0.5
    back = tmp_path / "back.gpkg"
    assert run("convert", amap, back, "--from-crs", "GCJ-02").exit_code == 0
    out = gpd.read_file(back)
    _, _, d = geod.inv(out.geometry.x, out.geometry.y, [p[0] for p in lonlat], [p[1] for p in lonlat])
    assert out.crs.to_epsg() == 4490 and np.max(d) < 0.5
    bd = tmp_path / "sites_bd.csv"
    assert run("convert", src, bd, "--to-crs", "BD-09").exit_code == 0
    table = bd.read_text(encoding="utf-8-sig").splitlines()
    ref_bd = prcoords.wgs_bd((lonlat[0][1], lonlat[0][0]))
    lon, lat = map(float, table[1].split(",")[1:3])
    assert geod.inv(lon, lat, ref_bd.lon, ref_bd.lat)[2] < 0.5


def test_convert_exchange_text_both_ways(gbk_shp, tmp_path):
    txt = tmp_path / "parcels.txt"
    result = run("convert", gbk_shp, txt)
    assert result.exit_code == 0, result.stderr
    assert "[属性描述]" in txt.read_text(encoding="gb18030")
    gpkg = tmp_path / "parcels.gpkg"
    assert run("convert", txt, gpkg).exit_code == 0
    back = gpd.read_file(gpkg)
    orig = gpd.read_file(gbk_shp).set_crs(4529, allow_override=True)
    assert back.crs.to_epsg() == 4529
    np.testing.assert_allclose(sorted(back.area), sorted(orig.area), rtol=0, atol=1e-6)


def test_validate_exit_codes_and_fix(tmp_path):
    bowtie = shapely.from_wkt("POLYGON ((121 41, 121.1 41.1, 121.1 41, 121 41.1, 121 41))")
    src = tmp_path / "bad.gpkg"
    gpd.GeoDataFrame({"名称": NAMES}, geometry=[bowtie, SQUARES[0]], crs=4490).to_file(src)
    before = src.read_bytes()
    result = run("validate", src, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["passed"] is False and data["verdict"] == "FAIL" and data["counts"]["invalid"] == 1
    assert data["issues"][0]["feature"] == 0 and data["issues"][0]["x"] == pytest.approx(121.05)
    fixed = tmp_path / "fixed.gpkg"
    result = run("validate", src, "--fix", fixed, "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["fix"]["repaired"] == 1
    assert json.loads(result.stdout)["fix"]["passed_after"] is True
    assert src.read_bytes() == before
    out = gpd.read_file(fixed)
    assert out.is_valid.all() and set(out.geom_type) <= {"Polygon", "MultiPolygon"}
    assert run("validate", fixed).exit_code == 0
    assert run("validate", src, "--fix", src).exit_code == 2  # never over the input
    assert src.read_bytes() == before


def test_help_teaches_with_examples():
    for cmd in ("info", "validate", "convert"):
        result = run(cmd, "--help")
        assert result.exit_code == 0 and "Examples" in result.stdout and "--json" in result.stdout
    assert "GCJ-02" in run("convert", "--help").stdout


# ------------------------------------------------------------------ bad inputs a planner meets, by kind

EXCHANGE = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n带号=41\n[地块坐标]\n"
            "5,,1,地块,面,,,,@\nJ1,1,4535963.953,41407166.594\nJ2,1,4536363.953,41407166.594\n"
            "J3,1,4536363.953,41406766.594\nJ4,1,4535963.953,41406766.594\nJ1,1,4535963.953,41407166.594\n")


def _zip_two_shapefiles(shp, out):
    import zipfile

    with zipfile.ZipFile(out, "w") as zf:
        for stem in ("redline", "other"):
            for part in shp.parent.glob("redline.*"):
                zf.write(part, arcname=stem + part.suffix)
    return out


def _bad_inputs(folder, shp):
    """name -> (path, extra CLI args, words the one-line error must contain)."""
    import shutil

    def write(name, text, encoding="utf-8"):
        (folder / name).write_text(text, encoding=encoding)
        return folder / name

    (folder / "empty.shp").write_bytes(b"")
    lonely = folder / "lonely"
    lonely.mkdir()
    shutil.copy(shp.with_suffix(".dbf"), lonely / "redline.dbf")
    gpkg = folder / "two_layers.gpkg"
    for name, geom in zip(("city", "districts"), SQUARES):
        gpd.GeoDataFrame({"name": [name]}, geometry=[geom], crs=4490).to_file(gpkg, layer=name)
    projected = folder / "projected.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=SQUARES[:1], crs=4490).to_crs(4529).to_file(projected)
    return {
        "empty file": (folder / "empty.shp", [], ["empty"]),
        "dbf without shp": (lonely / "redline.dbf", [], ["attribute table", "redline.shp"]),
        "zip with two shapefiles": (_zip_two_shapefiles(shp, folder / "two.zip"), [], ["other", "redline", "--layer"]),
        "zip member not there": (folder / "two.zip", ["--layer", "nope"], ["'nope'"]),
        "not a zip": (write("broken.zip", "PK? no"), [], ["not a valid zip"]),
        "gpkg with several layers": (gpkg, [], ["city", "districts", "--layer"]),
        "dms typo": (write("dms.csv", "名称,经度,纬度\nA,121°45′30″,40°58′12″\nB,121°45′3O″,40°58′12″\n"),
                     [], ["'经度'", "row 2", "121°45′3O″"]),
        "minutes over 59": (write("dms60.csv", "名称,经度,纬度\nA,121°75′30″,40°58′12″\n"), [],
                            ["'经度'", "row 1", "below 60"]),
        "6-digit Y without --cm": (write("gk6.csv", "名称,X,Y\nA,4535963.9,412345.6\nB,4536963.9,413345.6\n"),
                                   [], ["--cm"]),
        "two zone prefixes": (write("zones.csv", "名称,X,Y\nA,4535963.9,41412345.6\nB,4536963.9,40613345.6\n"),
                              [], ["40, 41", "Split"]),
        "unknown zone value": (write("reserve.csv", "名称,功能分区,经度,纬度\nA,核心区,121.8,40.9\nB,外围区,121.9,40.9\n"),
                               ["--kind", "reserve"], ["功能分区", "外围区", "核心区", "name 'B'"]),
        "GCJ-02 on projected data": (projected, ["--crs", "GCJ-02"], ["GCJ-02", "EPSG:4529"]),
    }


@pytest.mark.parametrize("kind", ["empty file", "dbf without shp", "zip with two shapefiles", "zip member not there",
                                  "not a zip", "gpkg with several layers", "dms typo", "minutes over 59",
                                  "6-digit Y without --cm", "two zone prefixes",
                                  "unknown zone value", "GCJ-02 on projected data"])
def test_each_bad_input_is_one_line_naming_file_and_what_to_do(gbk_shp, tmp_path, kind):
    path, extra, words = _bad_inputs(tmp_path, gbk_shp)[kind]
    command = "validate" if kind in ("gpkg with several layers", "zip with two shapefiles") else "info"
    result = run(command, path, *extra)
    assert result.exit_code == 2, result.stdout
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("ecogis: error")]
    assert len(errors) == 1 and result.stdout == ""
    assert path.name in errors[0]
    for word in words:
        assert word in errors[0]
    assert ". " in errors[0].split(": ", 2)[-1]  # a reason, then what to do


def test_zip_with_two_shapefiles_reads_the_one_named(gbk_shp, tmp_path):
    two = _zip_two_shapefiles(gbk_shp, tmp_path / "two.zip")
    listing = json.loads(run("info", two, "--json").stdout)
    assert sorted(d["name"] for d in listing["layers"]) == ["other", "redline"]
    data = json.loads(run("info", two, "--layer", "other", "--json").stdout)
    assert data["layer"] == "other" and data["count"] == 2 and data["encoding"] == "GB18030"


def test_json_notes_hold_every_assumption(gbk_shp):
    info = json.loads(run("info", gbk_shp, "--json").stdout)
    valid = run("validate", gbk_shp, "--json")
    data = json.loads(valid.stdout)
    warned = [ln[len("ecogis: warning: "):] for ln in valid.stderr.splitlines() if ln.startswith("ecogis: warning")]
    assert info["swap_xy"] is False
    assert any("GB18030" in n for n in data["notes"]) and any("inferred" in n for n in data["notes"])
    assert set(warned) == set(data["notes"])


def test_convert_to_exchange_text_reports_the_zone_written(tmp_path):
    src = tmp_path / "reserve.geojson"
    gpd.GeoDataFrame({"名称": NAMES}, geometry=SQUARES, crs=4490).to_file(src)
    out = tmp_path / "reserve.txt"
    result = run("convert", src, out, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    text = out.read_text(encoding="gb18030")
    # 121.8-121.92 E lies in 3-degree zone 41 (CM 123 E): EPSG:4529, prefixed eastings 41xxxxxx
    assert data["to_crs"] == "EPSG:4529" and "带号=41" in text
    assert any("zone 41" in n for n in data["notes"])
    assert ",辽河口核心区,面," in text  # the 名称 column becomes 地块名称


def test_convert_warns_when_proj_cannot_shift_the_datum(tmp_path):
    src = tmp_path / "xian80.gpkg"
    gpd.GeoDataFrame({"名称": NAMES}, geometry=SQUARES, crs=4490).to_crs(2365).to_file(src)
    result = run("convert", src, tmp_path / "cgcs.gpkg", "--to-crs", "EPSG:4490", "--json")
    assert result.exit_code == 0, result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert any("Xian 1980" in n and "official parameters" in n for n in notes)
    wgs = tmp_path / "wgs.gpkg"
    gpd.GeoDataFrame({"名称": NAMES}, geometry=SQUARES, crs=4326).to_file(wgs)
    result = run("convert", wgs, tmp_path / "cgcs2.gpkg", "--to-crs", "EPSG:4490", "--json")
    assert json.loads(result.stdout)["notes"] == []


def test_help_lists_every_layer_kind():
    from ecogis.kinds import KINDS

    text = " ".join(run("info", "--help").stdout.split())
    for kind in KINDS:
        assert kind in text


def test_converted_table_does_not_keep_contradicting_coordinate_columns(tmp_path):
    src = tmp_path / "amap.csv"
    src.write_text("名称,经度,纬度\nA,121.98,41.1\n", encoding="utf-8")
    out = tmp_path / "sites.geojson"
    result = run("convert", src, out, "--from-crs", "GCJ-02", "--json")
    assert result.exit_code == 0, result.stderr
    back = gpd.read_file(out)
    assert list(back.columns) == ["名称", "geometry"]
    assert back.geometry.x[0] != pytest.approx(121.98, abs=1e-4)  # moved by the GCJ-02 offset
    same = tmp_path / "same.geojson"
    assert run("convert", src, same).exit_code == 0
    assert set(gpd.read_file(same).columns) == {"名称", "经度", "纬度", "geometry"}  # unchanged: kept


def test_info_shows_the_first_features_text_to_check_the_encoding(gbk_shp):
    data = json.loads(run("info", gbk_shp, "--json").stdout)
    assert data["first_feature"] == {"名称": NAMES[0]}
    assert f"名称={NAMES[0]}" in run("info", gbk_shp).stdout


@pytest.mark.parametrize("cm", ["nan", "inf", "-inf", "200", "0"])
def test_central_meridian_outside_china_or_not_finite_is_refused(cm):
    result = run("info", LAYERS / "sites" / "sites_zone41.txt", "--cm", cm)
    assert result.exit_code == 2, result.output
    assert "sites_zone41.txt" in result.stderr and "from 75 to 135" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
