"""Surveyors' coordinate files (issue 13 item 2): CASS .dat (点号,编码,Y,X,H: Y before X) and plain
点号,X,Y tables, read as points in file order with their 点号; CRS inferred as for other files; the
central-meridian hint fits the data's latitude."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.io import read_layer

# a 100 m x 100 m square near Panjin (zone 41, CM 123 E), corners in file order
NORTH, EAST = 4534567.123, 512345.678
CORNERS = [(EAST, NORTH), (EAST + 100, NORTH), (EAST + 100, NORTH + 100), (EAST, NORTH + 100)]


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_cass_dat_puts_y_before_x(tmp_path):
    text = "".join(f"J{i},{'JD' if i == 2 else ''},{e:.3f},{n:.3f},{10 + i:.2f}\r\n"
                   for i, (e, n) in enumerate(CORNERS, start=1))
    path = _write(tmp_path, "site.dat", text)
    with pytest.warns(AssumptionWarning, match="EPSG:4550"):
        gdf = read_layer(path, cm=123)
    assert gdf.crs.to_epsg() == 4550 and list(gdf["name"]) == ["J1", "J2", "J3", "J4"]
    assert list(gdf["code"]) == ["", "JD", "", ""] and list(gdf["h"]) == [11.0, 12.0, 13.0, 14.0]
    assert np.allclose(shapely.get_coordinates(gdf.geometry.values), CORNERS)  # x = easting = CASS's Y
    assert any("CASS .dat" in n and "Y = easting before X = northing" in n for n in gdf.attrs["ecogis"]["notes"])


def test_plain_table_with_zone_prefix_and_header(tmp_path):
    rows = "".join(f"J{i},{n:.3f},{41_000_000 + e:.3f}\n" for i, (e, n) in enumerate(CORNERS, start=1))
    for name, text in (("bare.txt", rows), ("header.txt", "点号,X,Y\n" + rows)):
        with pytest.warns(AssumptionWarning, match="zone prefix 41"):
            gdf = read_layer(_write(tmp_path, name, text))
        assert gdf.crs.to_epsg() == 4529 and list(gdf["name"]) == ["J1", "J2", "J3", "J4"]
        expected = [(41_000_000 + e, n) for e, n in CORNERS]
        assert np.allclose(shapely.get_coordinates(gdf.geometry.values), expected)
    header_east_first = "点名,Y,X\n" + "".join(f"P{i},{e:.3f},{n:.3f}\n" for i, (e, n) in enumerate(CORNERS))
    with pytest.warns(AssumptionWarning, match="EPSG:4550"):
        gdf = read_layer(_write(tmp_path, "yx.txt", header_east_first), cm=123)
    assert np.allclose(shapely.get_coordinates(gdf.geometry.values), CORNERS)


def test_gbk_names_are_decoded_and_said(tmp_path):
    text = "".join(f"界址点{i},,{e:.3f},{n:.3f},0\r\n" for i, (e, n) in enumerate(CORNERS, start=1))
    with pytest.warns(AssumptionWarning) as record:
        gdf = read_layer(_write(tmp_path, "gbk.dat", text, "gb18030"), cm=123)
    assert gdf["name"].iloc[0] == "界址点1" and gdf.attrs["ecogis"]["encoding"] == "GB18030"
    assert any("decoded as GB18030" in str(w.message) for w in record)


def test_bad_line_is_named(tmp_path):
    text = "J1,,512345.678,4534567.123,0\nJ2,,5123x5.678,4534567.123,0\n"
    with pytest.raises(EcogisError, match="line 2: 'J2,,5123x5.678"):
        read_layer(_write(tmp_path, "bad.dat", text), cm=123)


@pytest.mark.parametrize("northing, latitude, zones", [(3_514_567.0, "31.7", "26-41"), (4_534_567.0, "40.9", "25-42")])
def test_the_central_meridian_hint_fits_the_data_latitude(tmp_path, northing, latitude, zones):
    text = f"1,,512345.678,{northing:.3f},0\n2,,512445.678,{northing:.3f},0\n"
    with pytest.raises(EcogisError) as info:
        read_layer(_write(tmp_path, "nozone.dat", text))
    message = str(info.value)
    assert f"near {latitude} N" in message and f"zones {zones}" in message and "Panjin" not in message
    # the example zone is one of those China spans at that latitude
    example = int(message.split("for zone ")[1].split(",")[0])
    low, high = map(int, zones.split("-"))
    assert low <= example <= high


def test_a_dat_that_is_no_coordinate_file_says_so(tmp_path):
    with pytest.raises(EcogisError, match="not a coordinate file.*line 2 reads 'world'"):
        read_layer(_write(tmp_path, "data.dat", "hello\nworld\n"))
