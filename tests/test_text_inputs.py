"""Hostile text inputs (issue 9, items 10 and 11): CSV/XLSX point tables, coordinate exchange texts and
``check --at``. Each gets a one-line error naming the file, line or value and what to do (exit 2, no
traceback), or a correct read with a note."""
from __future__ import annotations

import openpyxl
import pytest
import shapely
from click.testing import CliRunner

from ecogis.cli import main
from ecogis.errors import AssumptionWarning
from ecogis.io import read_layer
from tests.conftest import LAYERS, LONLAT_INFERRED, UTF8_TABLE, assumes

PROJECT = LAYERS / "project.yaml"


def run(*args):
    """Run the CLI; return (exit code, stderr). A traceback (an exception other than SystemExit) fails."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def one_error_line(stderr: str) -> str:
    """The single ``ecogis: error:`` line of ``stderr`` (warnings may precede it)."""
    errors = [line for line in stderr.splitlines() if line.startswith("ecogis: error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    return errors[0]


# ------------------------------------------------------------------------------------- check --at

@pytest.mark.parametrize("text", ["abc", "", "121.85;40.95", "121.85,40.95,3", "GEOMETRYCOLLECTION (POINT (1 2))"])
def test_at_that_is_no_coordinate_says_what_was_expected(tmp_path, text, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "abc").write_text("a file of that name must not be read")
    code, stderr = run("check", "--at", text, "-p", PROJECT, "--json")
    line = one_error_line(stderr)
    assert code == 2
    assert f"--at {text!r}" in line
    assert "lon,lat" in line and "73-136" in line and "3-54" in line and "Gauss-Kruger" in line
    assert "file not found" not in line and "folder" not in line


@pytest.mark.parametrize("text, reason", [("1e300,1e300", "neither longitude/latitude in China nor Gauss-Kruger"),
                                          ("121.85,95", "outside China"),
                                          ("nan,nan", "finite"), ("inf,40.9", "finite"),
                                          ("POINT (121.85 inf)", "finite"), ("POINT EMPTY", "empty")])
def test_at_out_of_range_or_not_finite_names_the_valid_ranges(text, reason):
    code, stderr = run("check", "--at", text, "-p", PROJECT, "--json")
    line = one_error_line(stderr)
    assert code == 2
    assert f"--at {text!r}" in line and reason in line
    assert "73-136" in line and "file not found" not in line


@pytest.mark.parametrize("site_crs", ["EPSG:4529", "EPSG:4490", "GCJ-02"])
def test_at_out_of_range_for_the_site_crs_given(site_crs):
    code, stderr = run("check", "--at", "1e300,1e300", "--site-crs", site_crs, "-p", PROJECT, "--json")
    line = one_error_line(stderr)
    assert code == 2 and f"--at '1e300,1e300' is not a position in {site_crs}" in line


@pytest.mark.parametrize("text", ["+121.85, 40.95", "POINT Z (121.85 40.95 3)", "4536163.95,41406966.59"])
def test_at_still_takes_coordinates_and_wkt(text):
    code, stderr = run("check", "--at", text, "-p", PROJECT, "--json")
    assert code == 0, stderr


# ------------------------------------------------------------------------------------- exchange texts

EXCHANGE_HEADER = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=41\n"
                   "[地块坐标]\n")  # 带号 on line 6, the first parcel line is line 8
X0, Y0 = 4535000.0, 41407000.0  # X = northing, Y = easting with the zone prefix 41


def parcel(count, no, rings) -> str:
    """A parcel line and its vertex lines; ``rings`` is a list of [(dx, dy), ...] offsets from X0, Y0."""
    lines = [f"{count},,{no},地块{no},面,,,,@"]
    for ring_no, ring in enumerate(rings, start=1):
        lines += [f"J{i},{ring_no},{X0 + dx:.3f},{Y0 + dy:.3f}" for i, (dx, dy) in enumerate(ring, start=1)]
    return "\n".join(lines) + "\n"


SQUARE = [(0, 0), (0, 400), (400, 400), (400, 0), (0, 0)]
BOW_TIE = [(0, 0), (400, 400), (400, 0), (0, 400), (0, 0)]  # the edges 1-2 and 3-4 cross at (200, 200)


def exchange_file(tmp_path, body, name="parcels.txt", encoding="utf-8", header=EXCHANGE_HEADER):
    path = tmp_path / name
    path.write_bytes((header + body).encode(encoding))
    return path


def test_bow_tie_parcel_is_read_as_self_intersecting_not_as_degenerate(tmp_path):
    path = exchange_file(tmp_path, parcel(5, "BT", [BOW_TIE]))
    with pytest.warns(AssumptionWarning, match=r"line 8: parcel 'BT' is not a valid polygon \(Self-intersection"):
        gdf = read_layer(path)
    # both loops are kept: two triangles of 400 m x 200 m / 2 each once repaired
    assert shapely.make_valid(gdf.geometry.iloc[0]).area == pytest.approx(2 * 400 * 200 / 2)
    code, stderr = run("check", path, "-p", PROJECT, "--json")
    assert code == 0, stderr
    assert "fewer than 3 distinct vertices" not in stderr
    assert "name '地块BT'): invalid geometry (Self-intersection" in stderr and "repaired" in stderr


def test_hole_inside_one_loop_of_a_bow_tie_stays_a_hole(tmp_path):
    hole = [(100, 150), (100, 250), (150, 200), (100, 150)]  # inside the loop between northings 0 and 200
    path = exchange_file(tmp_path, parcel(9, "BH", [BOW_TIE, hole]))
    with pytest.warns(AssumptionWarning, match="parcel 'BH' is not a valid polygon"):
        geom = read_layer(path).geometry.iloc[0]
    loops, hole_area = 2 * 400 * 200 / 2, 100 * 50 / 2
    assert shapely.make_valid(geom).area == pytest.approx(loops - hole_area)


@pytest.mark.parametrize("ring, expected", [
    ([(0, 0), (100, 100), (200, 200), (0, 0)], "ring 1 of parcel 'L' has all its vertices on one line"),
    ([(0, 0), (100, 100), (0, 0), (0, 0)], "ring 1 of parcel 'L' has fewer than 3 distinct vertices"),
    ([(0, 0), (100, 100), (0, 100)], "ring 1 of parcel 'L' is not closed"),
])
def test_degenerate_rings_are_named_for_what_they_are(tmp_path, ring, expected):
    path = exchange_file(tmp_path, parcel(len(ring), "L", [ring]))
    code, stderr = run("info", path)
    assert code == 2 and expected in one_error_line(stderr) and str(path) in stderr


def test_utf16_exchange_files_are_decoded(tmp_path):
    text = parcel(5, "A", [SQUARE])
    utf8 = read_layer(exchange_file(tmp_path, text))
    with_bom = read_layer(exchange_file(tmp_path, text, "bom.txt", encoding="utf-16"))
    assert with_bom.attrs["ecogis"]["encoding"] == "UTF-16"
    assert with_bom.geometry.iloc[0].equals(utf8.geometry.iloc[0]) and with_bom["name"].iloc[0] == "地块A"
    code, stderr = run("info", exchange_file(tmp_path, text, "bare.txt", encoding="utf-16-le"))
    assert code == 0, stderr
    assert "no byte-order mark, but every other byte is 0: text decoded as UTF-16LE" in stderr


@pytest.mark.parametrize("value, expected", [("nan", "line 10: X (northing) 'nan' is not a finite number"),
                                             ("inf", "line 10: X (northing) 'inf' is not a finite number"),
                                             ("-Infinity", "line 10: X (northing) '-Infinity' is not a finite"),
                                             ("45350a0.000", "line 10: X (northing) '45350a0.000' is not a number")])
def test_vertex_values_that_are_no_finite_numbers_name_the_line(tmp_path, value, expected):
    body = parcel(5, "A", [SQUARE]).replace(f"J2,1,{X0:.3f}", f"J2,1,{value}")
    code, stderr = run("info", exchange_file(tmp_path, body))
    assert code == 2 and expected in one_error_line(stderr)


@pytest.mark.parametrize("body", [parcel(0, "Z", []) + parcel(5, "A", [SQUARE]),
                                  parcel(5, "A", [SQUARE]) + parcel(0, "Z", [])])
def test_parcel_with_no_vertices_is_named(tmp_path, body):
    code, stderr = run("info", exchange_file(tmp_path, body))
    assert code == 2 and "parcel 'Z' has no vertex lines" in one_error_line(stderr)


@pytest.mark.parametrize("zone, width", [("99", "3"), ("20", "3"), ("41", "6"), ("99", "")])
def test_header_zone_that_does_not_exist_names_the_header_line(tmp_path, zone, width):
    header = EXCHANGE_HEADER.replace("带号=41", f"带号={zone}").replace("几度分带=3", f"几度分带={width}")
    code, stderr = run("info", exchange_file(tmp_path, parcel(5, "A", [SQUARE]), header=header))
    line = one_error_line(stderr)
    assert code == 2 and f"line 6: 带号 {zone} is not a" in line and "25-45" in line and "13-23" in line


def test_exchange_file_with_only_the_header(tmp_path):
    code, stderr = run("info", exchange_file(tmp_path, ""))
    assert code == 2 and "the [地块坐标] section holds no parcels" in one_error_line(stderr)


def test_mixed_line_endings_are_read(tmp_path):
    text = EXCHANGE_HEADER + parcel(5, "A", [SQUARE])
    lines = text.splitlines()
    mixed = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(mixed.encode("utf-8"))
    gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4529 and gdf.geometry.iloc[0].area == pytest.approx(400 * 400)


def test_nul_byte_in_an_exchange_text_names_the_line(tmp_path):
    body = parcel(5, "A", [SQUARE]).replace("地块A", "地块\x00A")
    code, stderr = run("info", exchange_file(tmp_path, body))
    assert code == 2 and "line 8 holds a control character (U+0000, NUL)" in one_error_line(stderr)


# ------------------------------------------------------------------------------------- CSV and XLSX tables

CSV_HEADER = "编号,名称,经度,纬度\n"
CSV_ROWS = "P1,甲,121.98,40.99\nP2,乙,121.99,41.33\n"


def table_file(tmp_path, data: bytes, name="points.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_points(path):
    """(names, [(lon, lat), ...]) of a point table read with read_layer."""
    gdf = read_layer(path)
    return list(gdf["名称"]), [(round(p.x, 6), round(p.y, 6)) for p in gdf.geometry]


EXPECTED = (["甲", "乙"], [(121.98, 40.99), (121.99, 41.33)])


@assumes(UTF8_TABLE, LONLAT_INFERRED)
def test_full_width_comma_separators_are_read_with_a_note(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + CSV_ROWS).replace(",", "，").encode("utf-8"))
    with pytest.warns(AssumptionWarning, match="separated by full-width commas"):
        assert read_points(path) == EXPECTED


def test_full_width_commas_on_some_lines_name_the_line(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + "P1,甲,121.98,40.99\nP2，乙，121.99，41.33\n").encode("utf-8"))
    code, stderr = run("info", path)
    line = one_error_line(stderr)
    assert code == 2 and str(path) in line and "line 3 has 1 field" in line and "full-width commas" in line


@assumes(UTF8_TABLE, LONLAT_INFERRED)
def test_full_width_comma_inside_a_value_is_kept(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + "P1,甲，一期,121.98,40.99\n").encode("utf-8"))

    assert list(read_layer(path)["名称"]) == ["甲，一期"]


@pytest.mark.parametrize("rows, expected", [
    ("P1,甲,121.98,40.99,1.5\n", "line 2 has 5 fields but line 1 (the first row) has 4"),
    ("P1,甲,121.98,40.99\nP2,121.99,41.33\n", "line 3 has 3 fields but line 1 (the first row) has 4"),
    ('P1,"甲,121.98,40.99\nP2,乙,121.99,41.33\n', "line 2: cannot split the fields"),
])
def test_ragged_rows_and_unclosed_quotes_name_the_line(tmp_path, rows, expected):
    code, stderr = run("info", table_file(tmp_path, (CSV_HEADER + rows).encode("utf-8")))
    assert code == 2 and expected in one_error_line(stderr)


@assumes(UTF8_TABLE, LONLAT_INFERRED)
def test_trailing_separators_do_not_shift_the_columns(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + CSV_ROWS.replace("\n", ",\n")).encode("utf-8"))
    assert read_points(path) == EXPECTED


def test_title_line_without_separators_is_named(tmp_path):
    code, stderr = run("info", table_file(tmp_path, ("监测点一览表\n" + CSV_HEADER + CSV_ROWS).encode("utf-8")))
    assert code == 2 and "Line 1 looks like a title" in one_error_line(stderr)


def test_nul_byte_in_a_table_names_the_line(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + "P1,甲\x00,121.98,40.99\n").encode("utf-8"))
    code, stderr = run("info", path)
    assert code == 2 and "line 2 holds a control character (U+0000, NUL)" in one_error_line(stderr)


@pytest.mark.parametrize("data, message", [(b"", "the file is empty"), (b"\n \r\n", "the file is empty"),
                                           (CSV_HEADER.encode(), "the table has no rows")])
def test_empty_table_and_header_only(tmp_path, data, message):
    code, stderr = run("info", table_file(tmp_path, data))
    assert code == 2 and message in one_error_line(stderr)


@pytest.mark.parametrize("encoding, label", [("utf-8-sig", "UTF-8-SIG"), ("gbk", "GB18030"), ("utf-16", "UTF-16"),
                                             ("utf-32", "UTF-32"),
                                             ("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_table_encodings_are_decoded(tmp_path, encoding, label):
    path = table_file(tmp_path, (CSV_HEADER + CSV_ROWS).encode(encoding))
    with pytest.warns(AssumptionWarning):  # the inferred CRS at least
        assert read_points(path) == EXPECTED
        assert read_layer(path).attrs["ecogis"]["encoding"] == label


@pytest.mark.parametrize("data, message", [(b"", "the workbook is empty (0 bytes)"),
                                           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old binary Excel"),
                                           ("编号,经度,纬度\n".encode(), "not an XLSX workbook"),
                                           (b"PK\x03\x04" + bytes(100), "cannot read the workbook")])
def test_broken_workbooks(tmp_path, data, message):
    path = table_file(tmp_path, data, "points.xlsx")
    code, stderr = run("info", path)
    line = one_error_line(stderr)
    assert code == 2 and str(path) in line and message in line


@assumes(LONLAT_INFERRED)
def test_workbook_with_merged_header_cells(tmp_path):
    path = tmp_path / "points.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "名称", "坐标", None])
    ws.merge_cells("C1:D1")
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.append([None, None, "经度", "纬度"])
    ws.append(["P1", "甲", 121.98, 40.99])
    ws.append(["P2", "乙", 121.99, 41.33])
    wb.save(path)

    with pytest.warns(AssumptionWarning, match="column names were found on line 2"):
        gdf = read_layer(path)
    assert [(p.x, p.y) for p in gdf.geometry] == EXPECTED[1]


@assumes(LONLAT_INFERRED)
def test_workbook_coordinates_as_text_with_spaces(tmp_path):
    path = tmp_path / "points.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "经度", "纬度"])
    ws.append(["甲", " 121.98 ", "\u300040.99\u00a0"])
    ws.append(["乙", "121.99", "41. 33"])
    wb.save(path)
    code, stderr = run("info", path)
    line = one_error_line(stderr)
    assert code == 2 and "field '纬度': row 2 (line 3 with the header): cannot read '41. 33'" in line
    ws.delete_rows(3)
    wb.save(path)
    assert read_points(path)[1] == EXPECTED[1][:1]


@pytest.mark.parametrize("which", ["parcel", "vertex"])
@pytest.mark.parametrize("separator, name", [("，", "full-width commas (，)"), ("\t", "tabs")])
def test_exchange_line_without_ascii_commas_is_named(tmp_path, which, separator, name):
    lines = parcel(5, "A", [SQUARE]).splitlines(keepends=True)
    k = 0 if which == "parcel" else 2  # line 8 or line 10
    lines[k] = lines[k].replace(",", separator)
    code, stderr = run("info", exchange_file(tmp_path, "".join(lines)))
    line = one_error_line(stderr)
    assert code == 2 and f"line {8 + k}: the fields are separated by {name}, not ASCII commas" in line
    assert "before the first parcel line" not in line


def test_negative_declared_area_is_named(tmp_path):
    code, stderr = run("info", exchange_file(tmp_path, parcel(5, "A", [SQUARE]).replace("5,,A", "5,-1.5,A")))
    assert code == 2 and "line 8: 地块面积 (area) '-1.5' is negative" in one_error_line(stderr)


def test_header_key_given_twice_with_different_values(tmp_path):
    header = EXCHANGE_HEADER.replace("带号=41\n", "带号=41\n带号=40\n")
    code, stderr = run("info", exchange_file(tmp_path, parcel(5, "A", [SQUARE]), header=header))
    assert code == 2 and "line 7: 带号 is given twice: '41' on line 6 and '40' here" in one_error_line(stderr)


@pytest.mark.parametrize("x, y", [("1e300", f"{Y0:.3f}"), ("0", "0")])
def test_one_wild_vertex_is_named_when_the_crs_cannot_be_inferred(tmp_path, x, y):
    body = parcel(5, "A", [SQUARE]).replace(f"J2,1,{X0:.3f},{Y0 + 400:.3f}", f"J2,1,{x},{y}")
    code, stderr = run("info", exchange_file(tmp_path, body))
    assert code == 2 and "line 10 (X" in one_error_line(stderr) and "lies more than 1000 km" in stderr


@assumes(UTF8_TABLE, LONLAT_INFERRED)
def test_table_with_old_mac_line_ends_is_read(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + CSV_ROWS).replace("\n", "\r").encode("utf-8"))
    assert read_points(path) == EXPECTED


def test_line_numbers_count_quoted_values_that_span_lines(tmp_path):
    text = '名称,经度,纬度\r\n"甲\r\n(一期)",121.98,40.99\r\n\r\n乙,121.9x,41.33\r\n'  # 乙 is on line 5
    code, stderr = run("info", table_file(tmp_path, text.encode("utf-8")))
    assert code == 2 and "(line 5 with the header): cannot read '121.9x'" in one_error_line(stderr)


@assumes(r"no CRS in the file; inferred EPSG:4529")
def test_workbook_coordinates_with_digits_grouped_by_spaces(tmp_path):
    path = tmp_path / "points.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["点号", "X", "Y"])
    ws.append(["J1", "4 534 567.123", "41\u00a0512\u00a0345.678"])  # surveying order, zone 41 prefix
    ws.append(["J2", 4534600.0, 41512400.0])
    wb.save(path)
    with pytest.warns(AssumptionWarning, match=r"field 'X': 1 value\(s\) with digits grouped by spaces.*line 2"), \
            pytest.warns(AssumptionWarning, match=r"field 'Y': 1 value\(s\) with digits grouped by spaces.*line 2"):
        gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4529
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == (41512345.678, 4534567.123)


@assumes(UTF8_TABLE, LONLAT_INFERRED)
def test_space_separated_degrees_minutes_seconds_stay_angles(tmp_path):
    path = table_file(tmp_path, "名称,经度,纬度\n甲,121 045 030,40 58 12\n".encode("utf-8"))
    assert read_points(path)[1] == [(round(121 + 45 / 60 + 30 / 3600, 6), round(40 + 58 / 60 + 12 / 3600, 6))]


@assumes(UTF8_TABLE, LONLAT_INFERRED)
def test_trailing_separator_after_the_header_only(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER.replace("\n", ",\n") + CSV_ROWS).encode("utf-8"))
    assert read_points(path) == EXPECTED


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x0c"])
def test_other_control_characters_in_a_table_name_the_line(tmp_path, character):
    path = table_file(tmp_path, (CSV_HEADER + f"P1,甲{character},121.98,40.99\n").encode("utf-8"))
    code, stderr = run("info", path)
    assert code == 2 and f"line 2 holds a control character (U+{ord(character):04X})" in one_error_line(stderr)


@assumes(r"text decoded as GB18030 \(detected", LONLAT_INFERRED)
def test_dos_end_of_file_mark_is_ignored(tmp_path):
    path = table_file(tmp_path, (CSV_HEADER + CSV_ROWS).replace("\n", "\r\n").encode("gbk") + b"\x1a")
    assert read_points(path) == EXPECTED


def test_infinite_table_coordinates_are_named(tmp_path):
    code, stderr = run("info", table_file(tmp_path, (CSV_HEADER + "P1,甲,inf,40.99\n").encode("utf-8"), "inf.csv"))
    assert code == 2 and "field '经度': row 1 (line 2 with the header): cannot read 'inf' as a finite number" in stderr


def test_wild_vertex_under_a_crs_given_by_the_user_is_named(tmp_path):
    body = parcel(5, "A", [SQUARE]).replace(f"J2,1,{X0:.3f}", "J2,1,1e300")
    code, stderr = run("check", exchange_file(tmp_path, body), "--site-crs", "EPSG:4529", "-p", PROJECT, "--json")
    line = one_error_line(stderr)
    assert code == 2 and "line 10: easting 41407400, northing 1e+300 is not a position in EPSG:4529" in line
