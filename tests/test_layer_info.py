"""LayerInfo: what ecogis knows about a layer, returned beside the frame (read_layer_info)."""
from __future__ import annotations

import pickle

import geopandas as gpd
import pytest
import shapely
from conftest import LAYERS, UTF8_TABLE, assumed

import ecogis
from ecogis.io import read_layer, read_layer_info
from ecogis.layer_info import LayerInfo
from ecogis.notes import Note, Notes


def _table(tmp_path):
    path = tmp_path / "wells.csv"
    path.write_text("名称,经度,纬度\n一号井,121.90,40.90\n二号井,122.10,41.20\n", encoding="utf-8")
    return path


def test_a_table_read_says_its_format_columns_encoding_and_guessed_crs(tmp_path):
    path = _table(tmp_path)
    with assumed(UTF8_TABLE, r"no CRS in the file; inferred EPSG:4490"):
        gdf, info = read_layer_info(path)
    assert isinstance(info, LayerInfo) and len(gdf) == 2
    assert (info.path, info.format, info.layer, info.kind) == (str(path), "table", None, None)
    assert (info.crs, info.crs_source) == ("EPSG:4490", "inferred")
    assert (info.encoding, info.encoding_source) == ("UTF-8", "detected")
    assert list(info.columns) == ["经度", "纬度"] and not info.swap_xy
    assert isinstance(info.notes, Notes) and all(isinstance(n, Note) for n in info.notes)
    assert [n.key for n in info.notes] == ["table_encoding", "read_crs_inferred"]
    assert all(n.path == str(path) for n in info.notes)


def test_read_layer_returns_the_same_frame_and_its_attrs_are_the_info_as_a_dict(tmp_path):
    path = _table(tmp_path)
    with assumed(UTF8_TABLE, r"inferred EPSG:4490"):
        gdf, info = read_layer_info(path)
    with assumed(UTF8_TABLE, r"inferred EPSG:4490"):
        plain = read_layer(path)
    assert plain.equals(gdf)
    assert plain.attrs["ecogis"] == gdf.attrs["ecogis"] == info.to_dict()
    assert LayerInfo.of(plain) == info


def test_a_file_crs_and_a_given_web_map_crs_are_told_apart(tmp_path):
    path = tmp_path / "parcels.gpkg"
    gpd.GeoDataFrame({"id": ["1"]}, geometry=[shapely.box(41_500_000, 4_520_000, 41_500_100, 4_520_100)],
                     crs="EPSG:4529").to_file(path)
    _, info = read_layer_info(path)
    assert (info.format, info.crs, info.crs_source, info.converted_to) == ("vector", "EPSG:4529", "file", None)
    assert info.notes == []

    web = tmp_path / "amap.gpkg"
    gpd.GeoDataFrame({"id": ["1"]}, geometry=[shapely.Point(121.9, 40.9)], crs="EPSG:4326").to_file(web)
    with pytest.warns(ecogis.AssumptionWarning, match="GCJ-02"):
        gdf, info = read_layer_info(web, crs="GCJ-02")
    assert (info.crs, info.crs_source, info.converted_to) == ("GCJ-02", "user", "EPSG:4490")
    assert gdf.crs.to_epsg() == 4490
    assert [n.key for n in info.notes] == ["web_converted_given"]


def test_a_kind_adds_its_field_map_from_canonical_names_to_the_file_columns():
    path = LAYERS / "wells/oil_wells.gpkg"
    raw = gpd.read_file(path)
    gdf, info = read_layer_info(path, kind="well")
    assert info.kind == "well" and info.field_map
    for canonical, source in info.field_map.items():
        assert canonical in gdf.columns and source in raw.columns


def test_unknown_keys_go_to_extra_and_come_back_and_the_info_pickles():
    meta = {"path": "a.txt", "format": "exchange", "crs": "EPSG:4529", "header": {"带号": "41"},
            "notes": ["plain text note"]}
    info = LayerInfo.from_dict(meta)
    assert info.extra == {"header": {"带号": "41"}} and info.notes == ["plain text note"]
    assert info.to_dict()["header"] == {"带号": "41"}
    assert {k: v for k, v in info.to_dict().items() if v is not None} == meta
    assert pickle.loads(pickle.dumps(info)) == info
    copy = info.updated(kind="site")
    copy.notes.append("another")
    assert info.kind is None and info.notes == ["plain text note"]
