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
