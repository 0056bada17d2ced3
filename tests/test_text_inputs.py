"""Hostile text inputs (issue 9, items 10 and 11): CSV/XLSX point tables, coordinate exchange texts and
``check --at``. Each gets a one-line error naming the file, line or value and what to do (exit 2, no
traceback), or a correct read with a note."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from ecogis.cli import main
from tests.conftest import LAYERS

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


def exchange_file(tmp_path, body, name="parcels.txt", encoding="utf-8", header=EXCHANGE_HEADER) -> str:
    path = tmp_path / name
    path.write_bytes((header + body).encode(encoding))
    return path


def test_bow_tie_parcel_is_read_as_self_intersecting_not_as_degenerate(tmp_path):
    from ecogis.errors import AssumptionWarning
    from ecogis.io import read_layer

    path = exchange_file(tmp_path, parcel(5, "BT", [BOW_TIE]))
    with pytest.warns(AssumptionWarning, match=r"line 8: parcel 'BT' is not a valid polygon \(Self-intersection"):
        gdf = read_layer(path)
    # both loops are kept: two triangles of 400 m x 200 m / 2 each once repaired
    import shapely

    assert shapely.make_valid(gdf.geometry.iloc[0]).area == pytest.approx(2 * 400 * 200 / 2)
    code, stderr = run("check", path, "-p", PROJECT, "--json")
    assert code == 0, stderr
    assert "fewer than 3 distinct vertices" not in stderr
    assert "site feature 地块BT: invalid geometry (Self-intersection" in stderr and "repaired" in stderr


def test_hole_inside_one_loop_of_a_bow_tie_stays_a_hole(tmp_path):
    import shapely

    from ecogis.io import read_layer

    hole = [(100, 150), (100, 250), (150, 200), (100, 150)]  # inside the loop between northings 0 and 200
    path = exchange_file(tmp_path, parcel(9, "BH", [BOW_TIE, hole]))
    with pytest.warns(UserWarning):
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
    from ecogis.io import read_layer

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
    from ecogis.io import read_layer

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
    assert code == 2 and "line 8 holds a NUL byte" in one_error_line(stderr)
