"""write_layer: each format round-trips through read_layer; outputs are atomic and never clobber."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from conftest import LONLAT_INFERRED, assumes, skip_or_fail_in_ci

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io import read_layer, write_layer

NAMES = ["辽河口核心区", "盘锦湿地"]


def _polygons(crs=4490):
    outer = shapely.box(121.80, 40.90, 121.84, 40.93)
    with_hole = shapely.Polygon(outer.exterior.coords, [shapely.box(121.81, 40.91, 121.82, 40.92).exterior.coords])
    other = shapely.box(121.90, 40.90, 121.92, 40.91)
    return gpd.GeoDataFrame({"名称": NAMES, "编号": [1, 2]}, geometry=[with_hole, other], crs=4490).to_crs(crs)


def _points():
    return gpd.GeoDataFrame({"名称": NAMES}, geometry=shapely.points([[121.8, 40.9], [122.05, 41.1]]), crs=4490)


@pytest.mark.parametrize("suffix", [".shp", ".zip", ".gpkg", ".geojson", ".kml", ".kmz", ".gdb", ".csv", ".xlsx"])
def test_round_trip_keeps_chinese_and_geometry(tmp_path, suffix):
    driver = {".kmz": "LIBKML", ".gdb": "OpenFileGDB"}.get(suffix)
    if driver and driver not in pyogrio.list_drivers(write=True):
        skip_or_fail_in_ci(f"no {driver} writer in this GDAL", "install pyogrio's wheel, whose GDAL has it")
    src = _polygons()
    out = write_layer(src, tmp_path / f"layer{suffix}")
    back = read_layer(out, crs="EPSG:4490" if suffix in (".csv", ".xlsx") else None)
    assert sorted(back["名称"]) == sorted(NAMES)
    back = back.to_crs(4490).sort_values("名称", ignore_index=True)
    ref = src.sort_values("名称", ignore_index=True)
    # same shapes (KML goes through WGS 84, which pyproj treats as CGCS2000 here)
    diff = shapely.area(shapely.symmetric_difference(back.geometry.values, ref.geometry.values))
    assert np.all(diff < 1e-12)
    assert _holes(back.geometry.values) == _holes(ref.geometry.values)


def _holes(geoms):
    """Interior rings per feature (also for MultiPolygons, as FileGDB returns)."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    return np.bincount(index, weights=shapely.get_num_interior_rings(parts), minlength=len(geoms)).tolist()


@assumes(LONLAT_INFERRED)
def test_point_table_columns(tmp_path):
    out = write_layer(_points(), tmp_path / "pts.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "名称,经度,纬度"
    back = read_layer(out)
    np.testing.assert_allclose(back.geometry.x, [121.8, 122.05])
    assert back.crs.to_epsg() == 4490


@assumes(r"not valid UTF-8, decoded as GB18030 \(GBK\)")  # the exchange writer's encoding
def test_exchange_text_round_trip_keeps_holes_and_area(tmp_path):
    from ecogis.area import ellipsoidal_area

    src = _polygons(4529)
    # vertices on the millimetre grid the format writes, so nothing is lost to rounding
    src["geometry"] = shapely.transform(src.geometry.values, lambda c: np.round(c, 3))
    out = write_layer(src, tmp_path / "parcels.txt")
    assert "[地块坐标]" in out.read_text(encoding="gb18030")
    back = read_layer(out)
    assert back.crs.to_epsg() == 4529
    assert _holes(back.geometry.values) == [1, 0]
    a0 = ellipsoidal_area(src.geometry.values, src.crs)
    a1 = ellipsoidal_area(back.geometry.values, back.crs)
    np.testing.assert_allclose(a1, a0, rtol=0, atol=1e-3)
    np.testing.assert_allclose(back.geometry.area, src.geometry.area, rtol=0, atol=1e-6)
    assert back.geometry.iloc[0].equals_exact(src.geometry.iloc[0], tolerance=1e-6)


def test_refuses_to_overwrite_unless_asked(tmp_path):
    path = write_layer(_points(), tmp_path / "a.gpkg")
    before = path.read_bytes()
    with pytest.raises(EcogisError, match="output exists.*--overwrite"):
        write_layer(_points().iloc[:1], path)
    assert path.read_bytes() == before
    write_layer(_points().iloc[:1], path, overwrite=True)
    assert len(read_layer(path)) == 1


def test_never_writes_over_an_input_even_with_overwrite(tmp_path):
    path = write_layer(_points(), tmp_path / "in.geojson")
    before = path.read_bytes()
    with pytest.raises(EcogisError, match="same file as an input"):
        write_layer(_points(), path, overwrite=True, inputs=(path,))
    assert path.read_bytes() == before


def test_shapefile_output_is_utf8_with_cpg(tmp_path):
    path = write_layer(_points(), tmp_path / "p.shp")
    assert path.with_suffix(".cpg").read_text().strip().upper().replace("-", "") == "UTF8"
    assert read_layer(path).attrs["ecogis"]["encoding_source"] == "cpg"


def test_unknown_suffix_and_empty_layer(tmp_path):
    with pytest.raises(EcogisError, match="cannot write .dxf"):
        write_layer(_points(), tmp_path / "a.dxf")
    with pytest.raises(EcogisError, match="no features"):
        write_layer(_points().iloc[:0], tmp_path / "a.gpkg")
    assert not (tmp_path / "a.gpkg").exists()


@pytest.mark.parametrize("suffix", [".shp", ".zip"])
def test_long_chinese_field_names_fit_the_dbf_limit_and_read_back(tmp_path, suffix):
    src = _points()
    src["面积(公顷)"] = [1.5, 2.5]
    src["调整说明文字"] = ["新增", "调出"]
    src["调整说明附注"] = ["甲", "乙"]  # same first three characters: must stay distinct
    with pytest.warns(AssumptionWarning, match="10 bytes"):
        out = write_layer(src, tmp_path / f"pts{suffix}")
    back = read_layer(out)
    names = [c for c in back.columns if c != "geometry"]
    assert all(len(c.encode("utf-8")) <= 10 for c in names) and len(set(names)) == len(names) == 4
    assert list(back[names[1]]) == [1.5, 2.5] and sorted(back[names[2]]) == ["新增", "调出"]


def test_point_table_with_a_missing_geometry_keeps_its_row_empty(tmp_path):
    src = gpd.GeoDataFrame({"名称": ["甲", "乙", "丙"]},
                           geometry=[shapely.Point(121.8, 40.9), None, shapely.Point(122.05, 41.1)], crs=4490)
    out = write_layer(src, tmp_path / "pts.csv")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[2] == "乙,," and lines[3] == "丙,122.05,41.1"


def test_filegdb_takes_polygons_and_multipolygons_together(tmp_path):
    if "OpenFileGDB" not in pyogrio.list_drivers(write=True):
        skip_or_fail_in_ci("no OpenFileGDB writer in this GDAL", "install pyogrio's wheel, whose GDAL has it")
    src = _polygons()
    src.loc[1, "geometry"] = shapely.MultiPolygon([src.geometry.iloc[1], shapely.box(122.0, 40.9, 122.01, 40.91)])
    back = read_layer(write_layer(src, tmp_path / "mixed.gdb"))
    assert set(back.geom_type) == {"MultiPolygon"}
    np.testing.assert_allclose(sorted(back.to_crs(4529).area), sorted(src.to_crs(4529).area), rtol=1e-9)


def test_wkt_table_of_a_detailed_polygon_reads_back(tmp_path):
    # 20 000 vertices: a WKT cell far above the csv module's default field limit (131 072 characters)
    ring = shapely.Point(121.8, 40.9).buffer(0.05, quad_segs=5000)
    src = gpd.GeoDataFrame({"名称": ["盘锦市"]}, geometry=[ring], crs=4490)
    back = read_layer(write_layer(src, tmp_path / "city.csv"), crs="EPSG:4490")
    assert back.geometry.iloc[0].equals_exact(ring, tolerance=1e-12)


def test_exchange_text_refuses_web_map_coordinates(tmp_path):
    from ecogis.webcrs import to_web_crs

    gcj = to_web_crs(_points(), "GCJ-02")
    with pytest.raises(EcogisError, match="not GCJ-02 web-map ones"):
        write_layer(gcj, tmp_path / "sites.txt")
    assert not (tmp_path / "sites.txt").exists()
