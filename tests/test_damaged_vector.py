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


# ------------------------------------------------------------------------------------------- item 8

def ring_shp(folder: Path, damage: str) -> Path:
    """Site shapefile written by ecogis whose first parcel (坏地块, a triangle) gets an unclosed ring
    (last point moved off the first) or a ring of two points (its point count rewritten)."""
    triangle = shapely.Polygon([(121.80, 40.94), (121.81, 40.94), (121.805, 40.95)])
    gdf = gpd.GeoDataFrame({"name": ["坏地块", "农田地块"]}, geometry=[triangle, square(*IN_FIELDS)], crs=4490)
    path = write_layer(gdf, folder / "site.shp")
    shp = bytearray(path.read_bytes())
    content = 100 + 8  # the first record, after the file header and the record header
    n_parts, n_points = struct.unpack("<ii", shp[content + 36:content + 44])
    points = content + 44 + 4 * n_parts
    if damage == "unclosed":
        struct.pack_into("<d", shp, points + 16 * (n_points - 1), 121.79)  # last x no longer the first x
    else:
        struct.pack_into("<i", shp, content + 40, 2)  # the ring now has two points
    path.write_bytes(bytes(shp))
    return path


COMMANDS = {
    "info": lambda p, out: ("info", p, "--json"),
    "validate": lambda p, out: ("validate", p, "--json"),
    "convert": lambda p, out: ("convert", p, out / "copy.gpkg"),
    "area": lambda p, out: ("area", p, "--json"),
    "check": lambda p, out: ("check", p, "-p", PROJECT, "--json"),
    "map": lambda p, out: ("map", p, "--out", out / "map.html"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_unclosed_ring_is_closed_with_a_note_in_every_command(tmp_path, command):
    path = ring_shp(tmp_path, "unclosed")
    out = tmp_path / "out"
    out.mkdir()
    result = run(*COMMANDS[command](path, out))
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)  # validate exits 1 on findings
    assert "Traceback" not in result.stderr and "GEOSException" not in result.stderr
    said = result.stderr + result.stdout  # the note on stderr or in the --json notes
    assert f"{path}: feature(s) 0 (name '坏地块'): unclosed polygon ring(s) closed" in said
    assert "Non closed ring" not in result.stderr


def test_check_of_an_unclosed_site_ring_measures_the_closed_polygon(tmp_path):
    result = run("check", ring_shp(tmp_path, "unclosed"), "-p", PROJECT, "--json")
    assert result.exit_code == 0, result.stderr
    site = next(s for s in json.loads(result.stdout)["sites"] if s["name"] == "坏地块")
    assert site["geometry_type"] == "Polygon" and site["area_m2"] > 400_000  # not a line, not nothing


@pytest.mark.parametrize("command", ["check", "map"])
def test_two_point_ring_site_is_refused_naming_the_feature(tmp_path, command):
    path = ring_shp(tmp_path, "two-point")
    out = tmp_path / "out"
    out.mkdir()
    assert_one_line_error(run(*COMMANDS[command](path, out)), str(path), "坏地块", "no area", "3 distinct points")


def bowtie_project(tmp_path) -> Path:
    """A project whose one red-line polygon is a bow-tie (GK zone 41 metres): two 1 km² triangles
    touching at (41401000, 4531000)."""
    x0, y0 = 41_400_000, 4_530_000
    bowtie = shapely.Polygon([(x0, y0), (x0 + 2000, y0 + 2000), (x0 + 2000, y0), (x0, y0 + 2000)])
    assert not bowtie.is_valid
    red = gpd.GeoDataFrame({"HXBH": ["HX99"], "HXMC": ["蝶形红线"], "HXLX": ["水源涵养"]}, geometry=[bowtie],
                           crs=4529)
    red.to_file(tmp_path / "red.shp", encoding="UTF-8")
    project = tmp_path / "project.yaml"
    project.write_text("name: 蝶形\nlayers:\n  redline: {kind: redline, path: red.shp}\n", encoding="utf-8")
    return project


def test_self_intersecting_red_line_is_repaired_with_a_note_and_keeps_its_lobes(tmp_path):
    project = bowtie_project(tmp_path)
    site = gpd.GeoDataFrame({"name": ["西侧地块"]}, crs=4529,
                            geometry=[shapely.box(41_399_000, 4_529_000, 41_401_000, 4_533_000)])
    site_path = write_layer(site, tmp_path / "site.gpkg")  # covers the west lobe, touches the east one
    result = run("check", site_path, "-p", project, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert any("red.shp: feature" in n and "蝶形红线" in n and "repaired" in n for n in data["assumptions"])
    overlap = sum(f["overlap_area_m2"] or 0 for f in data["findings"]
                  if f["layer"] == "redline" and f["relation"] == "intersects")
    # the west triangle: 1 km² in the plane, the ellipsoidal area within 0.1 % of it (GK scale ~1.0001)
    assert overlap == pytest.approx(1_000_000, rel=1e-3)
    assert data["verdict"] != "符合"


def gbk_geojson(tmp_path, text=NAMES[0].encode("gbk")) -> Path:
    path = tmp_path / "site.geojson"
    feature = (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "'
               + text + b'"}, "geometry": {"type": "Point", "coordinates": [122.05, 41.05]}}]}')
    path.write_bytes(feature)
    return path


def test_gbk_geojson_is_read_with_a_note_citing_rfc_7946(tmp_path):
    path = gbk_geojson(tmp_path)
    result = run("info", path, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["first_feature"] == {"name": NAMES[0]} and data["encoding"] == "GB18030"
    assert any(str(path) in n and "RFC 7946" in n and "GB18030" in n for n in data["notes"])


def test_geojson_in_no_known_encoding_says_utf8_not_none(tmp_path):
    path = gbk_geojson(tmp_path, b"\xff\xfe\xff")
    line = assert_one_line_error(run("info", path), str(path), "not valid UTF-8", "RFC 7946")
    assert "None" not in line


# ------------------------------------------------------------------------------------------- item 6

def test_check_of_a_xian_1980_site_against_cgcs2000_layers_warns_about_the_datum(tmp_path):
    site = gpd.GeoDataFrame({"name": ["西安80地块"]}, geometry=[square(*IN_FIELDS)], crs=4610)
    path = write_layer(site, tmp_path / "site.shp")
    assert "Xian" in path.with_suffix(".prj").read_text()
    result = run("check", path, "-p", PROJECT, "--json")
    assert result.exit_code == 0, result.stderr
    notes = [n for n in json.loads(result.stdout)["assumptions"] if "different datums" in n]
    assert len(notes) == 1 and "Xian 1980" in notes[0] and "redline" in notes[0] and "China 2000" in notes[0]


def test_check_of_a_cgcs2000_site_says_nothing_about_datums(site_shp):
    result = run("check", site_shp, "-p", PROJECT, "--json")
    assert not [n for n in json.loads(result.stdout)["assumptions"] if "datum" in n]


@pytest.fixture
def xian_site(tmp_path):
    site = gpd.GeoDataFrame({"name": ["西安80地块"]}, geometry=[square(*IN_FIELDS)], crs=4610)
    return write_layer(site, tmp_path / "xian.shp")


def test_map_with_a_xian_1980_site_over_cgcs2000_layers_warns_about_the_datum(xian_site, tmp_path):
    result = run("map", LAYERS / "redline" / "redline.shp", "--site", xian_site, "--out", tmp_path / "m.html")
    assert result.exit_code == 0, result.stderr
    assert "the site and layer(s) redline are on different datums: EPSG:4610 (Xian 1980)" in result.stderr


def test_area_within_a_boundary_on_another_datum_says_so(xian_site):
    result = run("area", xian_site, "--within", LAYERS / "boundary" / "panjin.gpkg", "--within-layer", "city",
                 "--json", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert any("--within boundary are on different datums" in n and "Xian 1980" in n
               for n in json.loads(result.stdout)["notes"])


def test_audit_of_layers_on_two_datums_says_so(xian_site, tmp_path):
    spec = tmp_path / "audit.yaml"
    spec.write_text(f"title: 测试\nlayers:\n  site: {xian_site}\n  city: {{path: {LAYERS / 'boundary' / 'panjin.gpkg'}, "
                    "layer: city}\nchecks:\n  - {id: share, type: area_share, layer: site, within: city, min_share: 0}\n",
                    encoding="utf-8")
    result = run("audit", spec, "--json", "--lang", "en")
    assert result.exit_code in (0, 1), result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert any("different datums" in n and "Xian 1980" in n for n in notes), notes


def test_raster_zonal_with_zones_on_another_datum_says_so(tmp_path):
    zones = gpd.read_file(LAYERS / "reserve" / "liaohekou.geojson").set_crs(4610, allow_override=True)
    zones.to_file(tmp_path / "zones.gpkg")  # the same polygons, declared Xian 1980; the raster is CGCS2000
    result = run("raster", "zonal", LAYERS / "raster" / "lc_2023.tif", "--zones", tmp_path / "zones.gpkg",
                 "--json", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "the zones and the raster are on different datums: EPSG:4610 (Xian 1980)" in result.stdout


def test_red_line_feature_without_geometry_is_named_in_the_check(tmp_path):
    """A control-layer feature with a null shape cannot be screened: the check names it, never silently."""
    x0, y0 = 41_400_000, 4_530_000
    red = gpd.GeoDataFrame({"HXBH": ["HX01", "HX02"], "HXMC": ["完好红线", "损坏红线"], "HXLX": ["水源涵养"] * 2},
                           geometry=[shapely.box(x0, y0, x0 + 1000, y0 + 1000), None], crs=4529)
    red.to_file(tmp_path / "red.shp", encoding="UTF-8")
    project = tmp_path / "project.yaml"
    project.write_text("name: 空几何\nlayers:\n  redline: {kind: redline, path: red.shp}\n", encoding="utf-8")
    result = run("check", "--at", "123.0,40.9", "-p", project, "--json")
    assert result.exit_code == 0, result.stderr
    notes = [n for n in json.loads(result.stdout)["assumptions"] if "without geometry" in n]
    assert len(notes) == 1 and "red.shp" in notes[0] and "损坏红线" in notes[0] and "1 feature(s)" in notes[0]
    assert "损坏红线" in result.stderr


# ------------------------------------------------- damage GDAL refuses or hides (hostile corpus findings)

def patch(path: Path, offset: int, fmt: str, value) -> None:
    """Overwrite bytes of ``path`` at ``offset`` with ``value`` packed as ``fmt`` (struct)."""
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("feature,entry_byte,value", [(0, 0, -7), (1, 0, -7), (0, 4, -1), (1, 4, -1)],
                         ids=["offset-r0", "offset-r1", "length-r0", "length-r1"])
def test_negative_shx_entry_is_the_same_error_as_other_wrong_offsets(site_shp, feature, entry_byte, value):
    """GDAL refuses such a .shx at open ("Invalid offset/length for entity N"): the message is still ours."""
    patch(site_shp.with_suffix(".shx"), 100 + 8 * feature + entry_byte, ">i", value)
    name = ["核心区地块", "农田地块"][feature]
    for command in (("info", site_shp), ("check", site_shp, "-p", PROJECT, "--json")):
        line = assert_one_line_error(run(*command), str(site_shp), "site.shx disagrees with site.shp", name)
        assert f"feature {feature}" in line and "entity" not in line


def hostile_shapefile(folder: Path, shapes, shape_type=5) -> Path:
    """site.shp written byte by byte (NaN and infinite coordinates as broken tools write them), CGCS2000."""
    from hostile import shapefile as raw
    from hostile.corpus import CGCS2000_WKT

    main, index = raw.shp_shx(shapes, shape_type)
    rows = [(i + 1, name, "工业用地") for i, name in enumerate(["坏地块", "好地块", "三号"][:len(shapes)])]
    parts = {".shp": main, ".shx": index, ".dbf": raw.dbf([("ID", "N", 10), ("NAME", "C", 40), ("USE", "C", 20)],
                                                          rows), ".prj": CGCS2000_WKT.encode(), ".cpg": b"UTF-8"}
    for suffix, data in parts.items():
        (folder / f"site{suffix}").write_bytes(data)
    return folder / "site.shp"


GOOD_RING = [(122.20, 40.75), (122.21, 40.75), (122.21, 40.76), (122.20, 40.76), (122.20, 40.75)]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_non_finite_coordinate_is_an_error_naming_the_feature(tmp_path, bad):
    ring = [(121.64, 40.84), (bad, 40.84), (121.65, 40.85), (121.64, 40.85), (121.64, 40.84)]
    path = hostile_shapefile(tmp_path, [[GOOD_RING], [ring]])
    for command in (("area", path), ("convert", path, tmp_path / "out.gpkg")):
        assert_one_line_error(run(*command), str(path), "feature 1", "好地块", "not a finite number")
        assert "RuntimeWarning" not in run(*command).stderr
    assert not (tmp_path / "out.gpkg").exists()


def test_nan_point_of_a_site_is_an_error_naming_the_feature(tmp_path):
    path = hostile_shapefile(tmp_path, [(121.645, 40.845), (float("nan"), 40.8)], shape_type=1)
    assert_one_line_error(run("check", path, "-p", PROJECT, "--json"), "feature 1", "好地块", "not a finite number")


@pytest.mark.parametrize("bad_ring,why", [([(121.6, 91.0), (121.7, 91.0), (121.7, 92.0), (121.6, 91.0)], "91"),
                                          ([(121.6, 40.8), (1e300, 40.8), (1e300, 1e300), (121.6, 40.8)], "1e+300")],
                         ids=["latitude-over-90", "huge"])
def test_geojson_coordinate_outside_longitude_latitude_names_the_feature(tmp_path, bad_ring, why):
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "好地块"}, "geometry": {"type": "Polygon",
                                                                         "coordinates": [GOOD_RING]}},
        {"type": "Feature", "properties": {"name": "坏地块"}, "geometry": {"type": "Polygon",
                                                                         "coordinates": [bad_ring]}}]}))
    line = assert_one_line_error(run("area", path), str(path), "feature 1", "坏地块", "does not fit", why)
    assert "longitude/latitude" in line


@pytest.mark.parametrize("offset,value", [(36, 10**6), (40, 10**6), (44, 999)],
                         ids=["parts", "points", "part-index"])
def test_shp_record_gdal_cannot_read_is_an_error_naming_the_feature(site_shp, tmp_path, offset, value):
    """GDAL reads such a record as no geometry: refused, never an area without it."""
    patch(site_shp, 100 + 8 + offset, "<i", value)  # the first record's content
    for command in (("area", site_shp), ("convert", site_shp, tmp_path / "out.gpkg"), ("info", site_shp)):
        assert_one_line_error(run(*command), str(site_shp), "feature 0", "核心区地块", ".shp record")


def test_unknown_shape_type_in_the_shp_header_is_noted(site_shp):
    patch(site_shp, 32, "<i", 99)
    result = run("info", site_shp, "--json")
    assert result.exit_code == 0, result.stderr
    assert any("unknown shape type 99" in n for n in json.loads(result.stdout)["notes"])


@pytest.mark.parametrize("command", ["info", "area", "convert", "map"])
def test_feature_without_geometry_is_noted_by_every_command(site_with_null_shape, tmp_path, command):
    """The site file is read as a layer (map guesses kind site from its name): each says so, once."""
    args = {"info": ("info", site_with_null_shape, "--json"), "area": ("area", site_with_null_shape, "--json"),
            "convert": ("convert", site_with_null_shape, tmp_path / "out.gpkg"),
            "map": ("map", site_with_null_shape, "--out", tmp_path / "map.html")}[command]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    notes = {n for n in said(result, "--json" in args) if "without geometry" in n}
    assert len(notes) == 1, notes
    assert "核心区地块" in notes.pop()


def said(result, as_json: bool) -> list[str]:
    """Warnings on stderr (without their prefix) plus the notes of --json output."""
    lines = [ln.removeprefix("ecogis: warning: ") for ln in result.stderr.splitlines()]
    return lines + (json.loads(result.stdout)["notes"] if as_json else [])


def test_skip_empty_site_gets_one_note_not_two(site_with_null_shape):
    result = run("check", site_with_null_shape, "-p", PROJECT, "--json", "--skip-empty")
    assert result.exit_code == 0, result.stderr
    assert len([n for n in json.loads(result.stdout)["assumptions"] if "核心区地块" in n]) == 1


def dbf_of(site_shp: Path) -> Path:
    return site_shp.with_suffix(".dbf")


def _first_field_length(dbf: Path) -> int:
    return dbf.read_bytes()[32 + 16]


@pytest.mark.parametrize("damage,words", [
    ("record-length-0", ("record-length field says 0",)),
    ("record-length-short", ("record-length field says 30",)),
    ("field-length-0", ("field 'name'", "length 0")),
    ("record-count-1", ("record count says 1", "holds 2 records")),
])
def test_inconsistent_dbf_header_is_an_error_naming_the_dbf(site_shp, damage, words):
    dbf = dbf_of(site_shp)
    if damage == "record-length-0":
        patch(dbf, 10, "<H", 0)
    elif damage == "record-length-short":
        patch(dbf, 10, "<H", 30)
    elif damage == "field-length-0":
        patch(dbf, 32 + 16, "B", 0)
    else:
        patch(dbf, 4, "<I", 1)  # GDAL would then read one feature of two
    for command in (("info", site_shp), ("area", site_shp)):
        assert_one_line_error(run(*command), str(site_shp), "site.dbf", *words)


def test_dbf_field_of_unknown_type_is_read_as_text_with_a_note(site_shp):
    patch(dbf_of(site_shp), 32 + 11, "B", ord("?"))
    result = run("info", site_shp, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert any("field 'name' of site.dbf has an unknown dBASE type '?'" in n for n in data["notes"])
    assert "核心区地块" in result.stdout


def test_cpg_of_garbage_bytes_is_a_warning_naming_the_cpg(site_shp):
    site_shp.with_suffix(".cpg").write_bytes(b"\xff\xfe\x00")
    result = run("info", site_shp, "--json")
    assert result.exit_code == 0, result.stderr
    assert any(".cpg names an unknown code page" in n for n in json.loads(result.stdout)["notes"])
    assert "核心区地块" in result.stdout


def test_geojson_crs_member_naming_no_crs_is_a_warning(tmp_path):
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "crs": {"type": "name", "properties": {"name": "EPSG:999999"}},
                                "features": [{"type": "Feature", "properties": {"name": "好地块"},
                                              "geometry": {"type": "Polygon", "coordinates": [GOOD_RING]}}]}))
    for command in (("info", path, "--json"), ("area", path, "--json")):
        result = run(*command)
        assert result.exit_code == 0, result.stderr
        warning = list({n for n in said(result, True) if '"crs" member' in n})
        assert len(warning) == 1 and str(path) in warning[0]
        assert "EPSG:999999" in warning[0] and "EPSG:4326" in warning[0] and "--crs" in warning[0]
    assert '"crs" member' not in run("info", path, "--crs", "EPSG:4490").stderr


def test_dbf_records_longer_than_their_fields_are_read_with_a_note(tmp_path):
    """A record length 10 bytes over the fields, with the records really that long: values still line up."""
    from hostile import shapefile as raw

    fields = [("ID", "N", 10), ("NAME", "C", 40), ("PAD", "C", 10)]
    data = bytearray(raw.dbf(fields, [(1, "好地块", "x"), (2, "二号", "y")]))
    header_len = 32 + 32 * len(fields) + 1
    data[header_len - 33:header_len - 1] = b"\r" + bytes(31)   # drop the PAD descriptor, keep its bytes
    data = bytes(data[:header_len - 32]) + bytes(data[header_len:])
    data = data[:8] + struct.pack("<H", header_len - 32) + data[10:]
    path = hostile_shapefile(tmp_path, [[GOOD_RING], [GOOD_RING]])
    path.with_suffix(".dbf").write_bytes(data)
    result = run("info", path, "--json")
    assert result.exit_code == 0, result.stderr
    assert any("the last 10 byte(s) of each record are ignored" in n for n in json.loads(result.stdout)["notes"])
    assert "好地块" in result.stdout
