"""The reading errors that were English only (exchange-file line errors, coordinates that do not fit a
CRS, a CRS that cannot be inferred, a GeoParquet layer) come by key: the English text is unchanged and
the Chinese one names the same line, feature and values."""
from __future__ import annotations

import warnings

import geopandas as gpd
import pytest
import shapely

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io import read_layer

HEADER = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=41\n"
          "[地块坐标]\n")  # lines 1-7; the first line after it is line 8


def read_error(path, **kw) -> EcogisError:
    with pytest.raises(EcogisError) as info:
        read_layer(path, **kw)
    return info.value


PARCEL = "3,,A,地块A,面,,,,@\nJ1,1,4535000.000,41407000.000\n"


@pytest.mark.parametrize("text, english, chinese", [
    (HEADER + PARCEL + "J2,1,4535400.000,41407000.000,9\n",  # a vertex line of 5 fields, line 10
     "line 10: vertex line has 5 fields, expected 4 (点号,圈号,X,Y) or 6",
     ["第 10 行：界址点行有 5 个字段，应为 4 个", "界址点行的格式例如 J1,1,4534567.123,41512345.678"]),
    (HEADER.replace("[地块坐标]", "[界址坐标]") + PARCEL,  # a misspelt coordinate section, line 7
     "line 7: unknown section [界址坐标]", ["第 7 行：未知的节 [界址坐标]", "坐标交换文件包含 [属性描述] 和 [地块坐标] 两节"]),
    (HEADER + PARCEL + "J2,1,45350a0.000,41407400.000\n",  # an X that is no number, line 10
     "line 10: X (northing) '45350a0.000' is not a number", ["第 10 行：X（北坐标） '45350a0.000' 不是数值"]),
])
def test_an_exchange_line_error_names_its_line_in_both_languages(tmp_path, text, english, chinese):
    path = tmp_path / "parcels.txt"
    path.write_text(text, encoding="utf-8")
    err = read_error(path)
    assert english in err.text("en")
    for words in chinese:  # the reason, and the hint where there is one
        assert words in err.text("zh")


def test_coordinates_that_do_not_fit_the_crs_given_are_refused_in_both_languages(tmp_path):
    gdf = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[shapely.box(121.8, 40.9, 121.9, 41.0)], crs=4490)
    gdf.to_file(tmp_path / "a.gpkg")
    with pytest.warns(AssumptionWarning, match="the file says EPSG:4490 but the CRS given, EPSG:4529, is used"):
        err = read_error(tmp_path / "a.gpkg", crs="EPSG:4529")
    en, zh = err.text("en"), err.text("zh")
    # EPSG:4529 is CGCS2000 3-degree zone 41 with the zone prefix: eastings 41 000 000..42 000 000 m
    assert "do not fit the CRS given" in en and "Gauss-Kruger metres with eastings 41000000..42000000" in en
    assert "不符合给定的坐标系" in zh and "东坐标在 41000000..42000000 之间的高斯-克吕格坐标（米）" in zh
    assert "这些数值看起来是" in zh and "crs=EPSG:4490" in zh


def test_a_crs_that_cannot_be_inferred_names_the_odd_feature_in_both_languages(tmp_path):
    # nine points in zone 41 (prefixed eastings) and one 0,0 placeholder, in a shapefile without .prj
    points = [shapely.Point(41406966.59 + i, 4536163.95 + i) for i in range(9)] + [shapely.Point(0, 0)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)  # pyogrio: no .prj, on purpose
        gpd.GeoDataFrame({"名称": [f"点{i}" for i in range(10)]}, geometry=points).to_file(tmp_path / "p.shp")
    err = read_error(tmp_path / "p.shp")
    assert "feature 9 has coordinates (0, 0) unlike the rest" in err.text("en")
    assert "第 9 个要素的坐标 (0, 0) 与其余要素不同" in err.text("zh")


def test_a_geoparquet_has_no_layer_to_choose_in_both_languages(tmp_path):
    path = tmp_path / "a.parquet"
    gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[shapely.Point(121.8, 40.9)], crs=4490).to_parquet(path)
    err = read_error(path, layer="a")
    assert err.field == "layer"
    assert "a GeoParquet holds one table: it has no layers to choose" in err.text("en")
    assert "GeoParquet 只含一个表：没有可选择的图层" in err.text("zh")
