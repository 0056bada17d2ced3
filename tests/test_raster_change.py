"""Change detection: transitions, new-construction patches, grid alignment, legends, CLI outputs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import from_origin
from shapely.geometry import box
from test_raster import geod_area, write_raster

from ecogis.cli import main
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.raster import zonal_composition
from ecogis.raster.change import change_detection

ORIGIN = (121.70, 40.90)  # top-left of the test grids, inside the Liaohekou area
RES = 0.0005
T = from_origin(*ORIGIN, RES, RES)
# synthetic "new construction" patch: rows 40..59, cols 60..89 (20 x 30 cells)
PATCH = (40, 60, 20, 30)
PATCH_BOX = box(ORIGIN[0] + 60 * RES, ORIGIN[1] - 60 * RES, ORIGIN[0] + 90 * RES, ORIGIN[1] - 40 * RES)


def landcover_pair(tmp_path, after_transform=None, after_arr=None, legend="CLCD"):
    before = np.full((160, 200), 9, np.uint8)  # wetland
    before[:, 150:] = 5  # water in the east
    after = before.copy()
    r, c, h, w = PATCH
    after[r:r + h, c:c + w] = 8  # wetland -> impervious (construction)
    after[120:130, 10:20] = 1  # wetland -> cropland (a change, not of interest)
    b = write_raster(tmp_path / "lc_2015.tif", before, "EPSG:4490", T, legend=legend)
    a = write_raster(tmp_path / "lc_2023.tif", after if after_arr is None else after_arr, "EPSG:4490",
                     after_transform or T, legend=legend)
    return b, a, before, after


def reserve():
    # buffer zone holds the whole patch, core zone holds the cropland change
    core = box(121.7, 40.83, 121.76, 40.84)  # rows 120..139 (10 rows of the cropland block inside)
    buffer = box(121.72, 40.86, 121.76, 40.885)
    experimental = box(121.77, 40.86, 121.8, 40.9)
    return gpd.GeoDataFrame({"name": ["辽河口"] * 3, "zone": ["核心区", "缓冲区", "实验区"]},
                            geometry=[core, buffer, experimental], crs=4490)


def test_new_construction_patch_is_found_with_its_area_and_location(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    res = change_detection(b, a, reserve(), by="zone", within=["核心区", "缓冲区"])
    p = res.patches
    assert len(p) == 1
    row = p.iloc[0]
    assert (row.zone, row.from_code, row.to_code) == ("缓冲区", 9, 8)
    assert row.area_m2 == pytest.approx(geod_area(PATCH_BOX, 4490), rel=1e-5)
    assert row.area_ha == pytest.approx(row.area_m2 / 1e4)
    assert row.area_mu == pytest.approx(row.area_m2 * 15 / 1e4)   # 1 亩 = 10000/15 m²
    c = PATCH_BOX.centroid
    assert (row.centroid_lon, row.centroid_lat) == (pytest.approx(c.x, abs=RES / 10), pytest.approx(c.y, abs=RES / 10))
    assert p.geometry.iloc[0].symmetric_difference(PATCH_BOX).area < 1e-12


def test_transition_matrix_by_zone(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    res = change_detection(b, a, reserve(), by="zone")
    zones = {z.zone: {(t.from_code, t.to_code): t.m2 for t in z.transitions} for z in res.zones}
    patch = geod_area(PATCH_BOX, 4490)
    buffer_total = geod_area(box(121.72, 40.86, 121.76, 40.885), 4490)
    assert zones["缓冲区"][(9, 8)] == pytest.approx(patch, rel=1e-6)
    assert zones["缓冲区"][(9, 9)] == pytest.approx(buffer_total - patch, rel=1e-6)
    crop = geod_area(box(121.705, 40.835, 121.71, 40.84), 4490)  # cropland block rows 120..129 inside core
    assert zones["核心区"][(9, 1)] == pytest.approx(crop, rel=1e-6)
    assert res.zones[0].changed_m2((8, 7)) == pytest.approx(0.0, abs=1e-3)  # core: no construction
    exp = zones["实验区"]
    assert set(exp) == {(5, 5), (9, 9)}


def test_after_on_a_finer_grid_is_aligned_with_nearest_neighbour(tmp_path):
    *_, after = landcover_pair(tmp_path)
    fine = np.repeat(np.repeat(after, 2, axis=0), 2, axis=1)  # same map on a 2x finer grid
    b, a, *_ = landcover_pair(tmp_path, after_transform=from_origin(*ORIGIN, RES / 2, RES / 2), after_arr=fine)
    with pytest.warns(UserWarning, match="another grid"):
        res = change_detection(b, a, reserve(), by="zone", within=["缓冲区"])
    assert res.resampled
    assert len(res.patches) == 1
    assert res.patches.area_m2.iloc[0] == pytest.approx(geod_area(PATCH_BOX, 4490), rel=1e-5)


def test_legend_mismatch_is_an_error(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text("name: GlobeLand30\nclasses:\n  - {code: 10, zh: 耕地, en: Cultivated land}\n"
                     "  - {code: 80, zh: 人造地表, en: Artificial surfaces}\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="class legends differ"), \
            pytest.warns(AssumptionWarning, match="declares legend 'CLCD'; using 'GlobeLand30' as given"):
        change_detection(b, a, reserve(), by="zone", after_legend=other)


def test_unknown_code_in_after_raster_is_named(tmp_path):
    *_, after = landcover_pair(tmp_path)
    after = after.copy()
    after[50, 70] = 99
    b, a, *_ = landcover_pair(tmp_path, after_arr=after)
    with pytest.raises(EcogisError, match=r"\[99\]") as exc:
        change_detection(b, a, reserve(), by="zone")
    assert "lc_2023.tif" in str(exc.value)


def test_blocks_under_a_memory_cap_give_the_same_patch(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    res = change_detection(b, a, reserve(), by="zone", within=["缓冲区"], memory_mb=0.05)  # ~1300 cells
    assert res.max_window_cells * 40 <= 0.05 * 2**20
    assert len(res.patches) == 1  # pieces cut by window edges are merged back into one patch
    assert res.patches.area_m2.iloc[0] == pytest.approx(geod_area(PATCH_BOX, 4490), rel=1e-5)


def test_cli_change_writes_layer_tables_and_cog(tmp_path, chinese_default):
    b, a, *_ = landcover_pair(tmp_path)
    zpath = tmp_path / "reserve.geojson"
    reserve().to_file(zpath)
    out = tmp_path / "out"
    args = ["raster", "change", str(b), str(a), "--zones", str(zpath), "--by", "zone", "--in", "核心区,缓冲区",
            "--out", str(out), "--json", "--no-progress"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert len(doc["patches"]) == 1 and doc["patches"][0]["zone"] == "缓冲区"
    from ecogis.io import read_layer

    layer = read_layer(out / "patches.gpkg", layer="patches")
    assert len(layer) == 1 and layer.crs.to_epsg() == 4490
    assert layer.area_m2.iloc[0] == pytest.approx(geod_area(PATCH_BOX, 4490), rel=1e-5)
    with rasterio.open(out / "change.tif") as ds:
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        arr = ds.read(1)
        assert int((arr == 8).sum()) == 20 * 30 and set(np.unique(arr)) <= {0, 8}
    table = (out / "transitions.csv").read_text(encoding="utf-8-sig")
    assert "缓冲区" in table and "不透水面" in table
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "输出文件已存在" in again.stderr  # Chinese by default
    assert CliRunner().invoke(main, args + ["--overwrite"]).exit_code == 0


def test_cli_zonal_json_and_bad_input(tmp_path):
    b, *_ = landcover_pair(tmp_path)
    zpath = tmp_path / "reserve.geojson"
    reserve().to_file(zpath)
    r = CliRunner().invoke(main, ["raster", "zonal", str(b), "--zones", str(zpath), "--by", "zone", "--json",
                                  "--no-progress"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    core = next(z for z in doc["zones"] if z["zone"] == "核心区")
    assert core["classes"][0]["code"] == 9
    assert core["classes"][0]["area_m2"] == pytest.approx(geod_area(box(121.7, 40.83, 121.76, 40.84), 4490), rel=1e-6)
    assert "ellipsoidal" in doc["pixel_area_method"]
    bad = CliRunner().invoke(main, ["raster", "zonal", str(b), "--zones", str(zpath), "--by", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.stderr


def test_projected_gk_rasters_patch_area_is_ellipsoidal(tmp_path):
    x0, y0 = 41_380_000, 4_540_000  # ~117 km west of the zone-41 central meridian
    before = np.full((100, 100), 1, np.uint8)
    after = before.copy()
    after[30:40, 50:70] = 7  # cropland -> bare soil, 10 x 20 cells of 30 m
    t = from_origin(x0, y0, 30, 30)
    b = write_raster(tmp_path / "b.tif", before, "EPSG:4529", t)
    a = write_raster(tmp_path / "a.tif", after, "EPSG:4529", t)
    patch = box(x0 + 50 * 30, y0 - 40 * 30, x0 + 70 * 30, y0 - 30 * 30)
    zone = gpd.GeoDataFrame({"zone": ["缓冲区"]}, geometry=[box(x0, y0 - 3000, x0 + 3000, y0)], crs=4529)
    res = change_detection(b, a, zone, by="zone")
    expected = geod_area(patch, 4529)
    assert res.patches.area_m2.iloc[0] == pytest.approx(expected, rel=1e-6)
    assert res.zones[0].changed_m2((7,)) == pytest.approx(expected, rel=1e-6)
    assert patch.area / expected - 1 > 3e-4  # plane area would be visibly wrong


REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "layers" / "raster"
RESERVE = REPO / "layers" / "reserve" / "liaohekou.geojson"


def test_sample_rasters_reproduce_the_planted_patches():
    planted = json.loads((SAMPLES / "planted_changes.json").read_text(encoding="utf-8"))["planted"]
    res = change_detection(SAMPLES / "lc_2015.tif", SAMPLES / "lc_2023.tif", RESERVE, kind="reserve", by="zone",
                           within=["核心区", "缓冲区"])
    assert len(res.patches) == len(planted)
    for p in planted:
        zone = "缓冲区" if "buffer" in p["what"] else "核心区"
        hit = res.patches[(res.patches.zone == zone) & (res.patches.to_code == p["to_code"])]
        assert len(hit) == 1
        expected = box(*p["bounds_lonlat"])
        assert hit.area_m2.iloc[0] == pytest.approx(geod_area(expected, 4490), rel=1e-5)
        assert hit.centroid_lon.iloc[0] == pytest.approx(expected.centroid.x, abs=RES / 10)
        assert hit.centroid_lat.iloc[0] == pytest.approx(expected.centroid.y, abs=RES / 10)


def test_zones_wholly_outside_the_raster_are_an_error(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    far = gpd.GeoDataFrame({"zone": ["核心区"]}, geometry=[box(100.0, 30.0, 100.1, 30.1)], crs=4490)
    with pytest.raises(EcogisError, match="overlaps the raster") as err:
        zonal_composition(b, far, by="zone")
    assert str(b) in str(err.value)
    with pytest.raises(EcogisError, match="overlaps the raster"):
        change_detection(b, a, far, by="zone")


def test_cli_text_is_chinese_by_default_and_english_with_lang_en(tmp_path, chinese_default):
    b, a, *_ = landcover_pair(tmp_path, legend=None)
    zpath = tmp_path / "reserve.geojson"
    reserve().to_file(zpath)
    args = ["raster", "zonal", str(b), "--zones", str(zpath), "--by", "zone", "--no-progress"]
    zh = CliRunner().invoke(main, args)
    en = CliRunner().invoke(main, args + ["--lang", "en"])
    assert zh.exit_code == 0 and en.exit_code == 0, zh.output + en.output
    body_zh = re.sub(r"\S+\.(tif|geojson)\S*|--[a-z-]+", "", zh.stdout)  # file names, option names
    # the only Latin words in Chinese text are file paths, units, EPSG names and tool names
    words = set(re.findall(r"[A-Za-z]{3,}", body_zh)) - {"EPSG", "China", "Geodetic", "Coordinate", "System",
                                                           "CLCD", "CGCS", "exactextract", "ecogis", "area",
                                                           "pyproj", "get_factors", "get", "factors"}
    assert not words, words
    assert "公顷" in zh.stdout and "亩" in zh.stdout and "椭球" in zh.stdout
    assert "公顷" not in en.stdout and " ha " in en.stdout and " mu" in en.stdout and "ellipsoidal" in en.stdout


def test_nodata_in_after_is_nodata_area_not_a_transition(tmp_path):
    _, _, before, after = landcover_pair(tmp_path)
    after[10:20, 160:170] = 0  # a cloud gap in AFTER: rows 10..19, cols 160..169, inside the experimental zone
    b = write_raster(tmp_path / "b.tif", before, "EPSG:4490", T)
    a = write_raster(tmp_path / "a.tif", after, "EPSG:4490", T)
    res = change_detection(b, a, reserve(), by="zone")
    exp = next(z for z in res.zones if z.zone == "实验区")
    gap = geod_area(box(121.78, 40.89, 121.785, 40.895), 4490)
    assert exp.nodata_m2 == pytest.approx(gap, rel=1e-6)
    assert {(t.from_code, t.to_code) for t in exp.transitions} == {(5, 5), (9, 9)}
    total = geod_area(box(121.77, 40.86, 121.8, 40.9), 4490)
    assert sum(t.m2 for t in exp.transitions) == pytest.approx(total - gap, rel=1e-6)


def test_cli_refuses_existing_outputs_before_any_work(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    zpath = tmp_path / "reserve.geojson"
    reserve().to_file(zpath)
    out = tmp_path / "out"
    out.mkdir()
    (out / "change.json").write_text("{}", encoding="utf-8")
    (out / "zonal.csv").write_text("", encoding="utf-8")
    # --in names no zone: had the analysis run first, that error would come instead
    r = CliRunner().invoke(main, ["raster", "change", str(b), str(a), "--zones", str(zpath), "--by", "zone",
                                  "--in", "nowhere", "--out", str(out)])
    assert r.exit_code == 2 and "change.json" in r.stderr and "exists" in r.stderr
    r = CliRunner().invoke(main, ["raster", "zonal", str(b), "--zones", str(zpath), "--by", "nope", "--out", str(out)])
    assert r.exit_code == 2 and "zonal.csv" in r.stderr and "exists" in r.stderr
    assert (out / "change.json").read_text(encoding="utf-8") == "{}"


def test_unknown_zone_in_within_is_an_error_naming_the_zones(tmp_path):
    b, a, *_ = landcover_pair(tmp_path)
    with pytest.raises(EcogisError, match=r"no zone named \['核心'\].*缓冲区") as err:
        change_detection(b, a, reserve(), by="zone", within=["缓冲区", "核心"])
    assert err.value.field == "zone"
