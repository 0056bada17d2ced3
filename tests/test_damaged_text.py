"""Text that decodes but holds U+FFFD replacement characters (issue 13 item 6): damage at the source,
reported with the count and the fields instead of the generic "check the names"."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from ecogis.errors import AssumptionWarning
from ecogis.io import read_layer

DAMAGED = "盘锦\ufffd\ufffd保护区"


def _messages(record):
    return [str(w.message) for w in record]


def test_shapefile_without_cpg(tmp_path):
    path = tmp_path / "reserve.shp"
    gpd.GeoDataFrame({"name": [DAMAGED, "完好"], "type": ["核心区", "实\ufffd区"]},
                     geometry=[shapely.Point(121.8, 40.9), shapely.Point(121.9, 40.9)], crs=4490).to_file(
        path, encoding="utf-8")
    path.with_suffix(".cpg").unlink()
    with pytest.warns(AssumptionWarning) as record:
        gdf = read_layer(path)
    messages = _messages(record)
    assert gdf["name"].iloc[0] == DAMAGED
    assert any("3 U+FFFD replacement character(s)" in m and "name (2), type (1)" in m for m in messages)
    assert not any("check the names" in m for m in messages)


def test_csv_and_exchange_text(tmp_path):
    csv = tmp_path / "sites.csv"
    csv.write_text(f"名称,经度,纬度\n{DAMAGED},121.8,40.9\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning) as record:
        read_layer(csv, crs="EPSG:4490")
    assert any("2 U+FFFD replacement character(s) (�) in field(s) 名称 (2)" in m for m in _messages(record))
    txt = tmp_path / "parcels.txt"
    txt.write_text("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n带号=41\n[地块坐标]\n"
                   f"5,,1,{DAMAGED},面,,,,@\nJ1,1,4540000,41500000\nJ2,1,4540000,41500100\n"
                   "J3,1,4540100,41500100\nJ4,1,4540100,41500000\nJ1,1,4540000,41500000\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning, match=r"in field\(s\) name \(2\)"):
        read_layer(txt)


def test_clean_text_says_nothing(tmp_path):
    csv = tmp_path / "clean.csv"
    csv.write_text("名称,经度,纬度\n盘锦,121.8,40.9\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning) as record:  # the detected encoding, said for every table
        assert len(read_layer(csv, crs="EPSG:4490")) == 1
    assert not any("U+FFFD" in m for m in _messages(record))
