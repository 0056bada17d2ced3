"""CSV/XLSX point tables: column detection, DMS and ddd.mmss angles, encodings, CRS inference, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io import read_layer
from ecogis.io.table import find_coordinate_columns, parse_angles

# 121°45′30.5″ = 121 + 45/60 + 30.5/3600 (closed form)
LON = 121 + 45 / 60 + 30.5 / 3600
LAT = 40 + 58 / 60 + 12 / 3600


def utf8_detected():
    """The assumption every UTF-8 table without a declared encoding reports."""
    return pytest.warns(AssumptionWarning, match=r"text decoded as UTF-8 \(detected; tables do not declare")


def cgcs2000_inferred():
    """The assumption every longitude/latitude table without a CRS reports."""
    return pytest.warns(AssumptionWarning, match=r"no CRS in the file; inferred EPSG:4490")


@pytest.mark.parametrize("text", ["121°45′30.5″", "121°45'30.5\"", "121度45分30.5秒", "121 45 30.5",
                                  "E121°45′30.5″", "121°45′30.5″E", "121d45m30.5s", "121:45:30.5",
                                  "121°45＇30.5＂", "121º45′30.5″", " 121° 45′ 30.5″ "])
def test_dms_spellings(text):
    assert parse_angles(pd.Series([text]))[0] == pytest.approx(LON, abs=1e-12)


def test_dms_south_west_and_decimal_minutes():
    values = parse_angles(pd.Series(["S12°30′", "W0°0′36″", "121°45.5′"]))
    np.testing.assert_allclose(values, [-12.5, -0.01, 121 + 45.5 / 60])


def test_ddd_mmss_only_when_asked():
    s = pd.Series(["121.4530", "40.5812"])
    np.testing.assert_allclose(parse_angles(s), [121.4530, 40.5812])  # auto: decimal degrees
    np.testing.assert_allclose(parse_angles(s, angle="ddd.mmss"), [121 + 45 / 60 + 30 / 3600, 40 + 58 / 60 + 12 / 3600])


def test_ddd_mmss_rejects_minutes_over_59():
    with pytest.raises(EcogisError, match=r"row 2.*121\.6130"):
        parse_angles(pd.Series(["121.4530", "121.6130"]), column="经度", angle="ddd.mmss")


def test_bad_dms_names_row_and_column(tmp_path):
    path = tmp_path / "sections.csv"
    path.write_text("断面名称,经度,纬度\n太平河新生桥,121°45′30.5″,40°58′12″\n清水河闸,121°4x′,40°59′00″\n",
                    encoding="utf-8")
    with pytest.raises(EcogisError) as err, utf8_detected():
        read_layer(path)
    text = str(err.value)
    assert "row 2" in text and "line 3" in text and "'经度'" in text and "121°4x′" in text
    assert str(path) in text


@pytest.mark.parametrize("columns,expected", [
    (["名称", "经度", "纬度"], ("经度", "纬度", "lonlat")),
    (["name", "Lon", "LAT"], ("Lon", "LAT", "lonlat")),
    (["name", "longitude", "latitude"], ("longitude", "latitude", "lonlat")),
    (["id", "X", "Y"], ("X", "Y", "xy")),
    (["id", "E", "N"], ("E", "N", "en")),
    (["站点", "经度(°)", "纬度（°）"], ("经度(°)", "纬度（°）", "lonlat")),
    (["id", "value"], (None, None, None)),
])
def test_column_detection(columns, expected):
    assert find_coordinate_columns(columns) == expected


def test_user_names_coordinate_columns(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("名称,东经度数,北纬度数\n甲,121.8,40.9\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="no coordinate columns"), utf8_detected():
        read_layer(path)
    with utf8_detected(), cgcs2000_inferred():
        gdf = read_layer(path, fields={"东经度数": "lon", "北纬度数": "lat"})
    assert (gdf.geometry.x[0], gdf.geometry.y[0]) == (121.8, 40.9)


def test_xlsx_with_dms_is_read_as_cgcs2000(tmp_path):
    path = tmp_path / "sections.xlsx"
    pd.DataFrame({"断面名称": ["太平河新生桥", "清水河闸"], "经度": ["121°45′30.5″", "121°50′0″"],
                  "纬度": ["40°58′12″", "41°0′0″"], "目标水质": ["Ⅳ", "Ⅴ"]}).to_excel(path, index=False)
    with pytest.warns(AssumptionWarning, match="EPSG:4490"):
        gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4490 and gdf.attrs["ecogis"]["crs_source"] == "inferred"
    np.testing.assert_allclose(gdf.geometry.x, [LON, 121 + 50 / 60])
    np.testing.assert_allclose(gdf.geometry.y, [LAT, 41.0])
    assert list(gdf["断面名称"]) == ["太平河新生桥", "清水河闸"]


def test_xlsx_several_sheets_need_a_layer(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"lon": [121.8], "lat": [40.9]}).to_excel(xw, sheet_name="国控", index=False)
        pd.DataFrame({"lon": [121.9], "lat": [41.0]}).to_excel(xw, sheet_name="省控", index=False)
    with pytest.raises(EcogisError, match="2 sheets.*国控, 省控"):
        read_layer(path)
    gdf = read_layer(path, layer="省控", crs="EPSG:4490")
    assert gdf.geometry.x[0] == 121.9


def test_gbk_csv_is_detected(tmp_path):
    path = tmp_path / "outfalls.csv"
    path.write_bytes("名称,经度,纬度\n大洼排污口,122.05,40.99\n".encode("gbk"))
    with pytest.warns(AssumptionWarning, match="GB18030"), cgcs2000_inferred():
        gdf = read_layer(path)
    assert gdf["名称"][0] == "大洼排污口"
    assert gdf.attrs["ecogis"]["encoding"] == "GB18030"


def test_surveying_xy_table_with_zone_prefix(tmp_path):
    # X = northing, Y = easting with zone prefix 41 (surveying order)
    path = tmp_path / "pts.csv"
    path.write_text("点号,X,Y\nJ1,4534000.0,41400000.0\nJ2,4535000.0,41401000.0\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning, match="swap"), utf8_detected():
        gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4529
    np.testing.assert_allclose(gdf.geometry.x, [41400000.0, 41401000.0])
    np.testing.assert_allclose(gdf.geometry.y, [4534000.0, 4535000.0])


def test_wkt_column(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text('name,WKT\na,"LINESTRING (121.8 40.9, 121.9 41.0)"\n', encoding="utf-8")
    gdf = read_layer(path, crs="EPSG:4490")
    assert gdf.geom_type[0] == "LineString" and gdf.attrs["ecogis"]["crs_source"] == "user"


def test_table_without_rows(tmp_path):
    path = tmp_path / "head.csv"
    path.write_text("名称,经度,纬度\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="no rows"), utf8_detected():
        read_layer(path)


def test_surveying_xy_table_with_user_crs_is_still_swapped(tmp_path):
    # 6-digit eastings (no prefix) in surveying order; the user names the CRS (CM 123E, EPSG:4550)
    path = tmp_path / "pts.csv"
    path.write_text("点号,X,Y\nJ1,4534000.0,400000.0\nJ2,4535000.0,401000.0\n", encoding="utf-8")
    with pytest.warns(AssumptionWarning, match="surveying order"), utf8_detected():
        gdf = read_layer(path, crs="EPSG:4550")
    assert gdf.attrs["ecogis"]["crs_source"] == "user" and gdf.attrs["ecogis"]["swap_xy"] is True
    np.testing.assert_allclose(gdf.geometry.x, [400000.0, 401000.0])
    np.testing.assert_allclose(gdf.geometry.y, [4534000.0, 4535000.0])


def test_correct_order_with_user_crs_is_left_alone(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("id,E,N\n1,41400000.0,4534000.0\n", encoding="utf-8")
    gdf = read_layer(path, crs="EPSG:4529")
    assert "swap_xy" not in gdf.attrs["ecogis"] and gdf.geometry.x[0] == 41400000.0


def test_title_rows_above_the_header_and_rows_without_coordinates(tmp_path):
    path = tmp_path / "sections.xlsx"
    rows = [["盘锦市地表水监测断面一览表", None, None], ["断面名称", "经度", "纬度"],
            ["太平河新生桥", "121°45′30.5″", "40°58′12″"], ["合计：1个", None, None]]
    pd.DataFrame(rows).to_excel(path, index=False, header=False)
    with pytest.warns(AssumptionWarning) as record:
        gdf = read_layer(path)
    messages = " ".join(str(w.message) for w in record)
    assert "line 2" in messages and "skipped 1 row(s) without coordinates (line 4)" in messages
    assert list(gdf["断面名称"]) == ["太平河新生桥"]
    assert gdf.geometry.x[gdf.index[0]] == pytest.approx(LON)


def test_one_missing_coordinate_is_an_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("名称,经度,纬度\n甲,121.8,40.9\n乙,,41.0\n", encoding="utf-8")
    with pytest.raises(EcogisError, match=r"row 2 \(line 3.*empty coordinate"), utf8_detected():
        read_layer(path)


def test_merged_title_cells_and_a_notes_sheet(tmp_path):
    import openpyxl

    path = tmp_path / "sections.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["盘锦市地表水监测断面一览表"])
    ws.merge_cells("A1:C1")
    ws.append(["（2024年，示意）"])
    ws.merge_cells("A2:C2")
    ws.append(["断面名称", "经度", "纬度"])
    ws.append(["太平河新生桥", "121°45′30.5″", "40°58′12″"])
    wb.create_sheet("说明").append(["本表为示意数据"])  # a title-only sheet holds no rows
    wb.save(path)
    with pytest.warns(AssumptionWarning, match="line 3"), cgcs2000_inferred():
        gdf = read_layer(path)
    assert list(gdf["断面名称"]) == ["太平河新生桥"]
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == (pytest.approx(LON), pytest.approx(LAT))
    assert gdf.attrs["ecogis"]["encoding"] == "UTF-8"


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "p.csv"
    # line 1 header, 2 blank, 3 A, 4 blank, 5 C (minutes 75 cannot be)
    path.write_text("名称,经度,纬度\n\nA,121°45′30.5″,40°58′12″\n\nC,121°75′30″,40°58′12″\n", encoding="utf-8")
    with pytest.raises(EcogisError, match=r"line 5 with the header"), utf8_detected():
        read_layer(path)


def test_unknown_value_names_the_table_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,功能分区,经度,纬度\n甲,核心区,121.8,40.9\n\n乙,外围区,121.9,40.9\n", encoding="utf-8")
    with pytest.raises(EcogisError, match=r"name '乙', table line 4\).*外围区"), \
            utf8_detected(), cgcs2000_inferred():
        read_layer(path, kind="reserve")
