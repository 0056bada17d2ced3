"""Outputs never destroy an input, never leave half a report set, and unwritable places are one-line errors.

Issue 9, items 1 (shapefile parts in another letter case, sidecars in the way), 2 (interrupted runs)
and 10 (--out in a read-only folder or under a file).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner
from conftest import skip_or_fail_in_ci
from shapely.geometry import box

from ecogis.cli import main

REPO = Path(__file__).resolve().parents[1]
LAYERS = REPO / "layers"
PROJECT = LAYERS / "project.yaml"
ECOGIS = Path(sys.executable).parent / "ecogis"
CHECK_REPORTS = {"check.html", "check.docx", "check.xlsx", "check.json"}
RASTER_CHANGE = [LAYERS / "raster" / "lc_2015.tif", LAYERS / "raster" / "lc_2023.tif",
                 "--zones", LAYERS / "reserve" / "liaohekou.geojson", "--kind", "reserve", "--by", "zone",
                 "--no-progress"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_line_error(result, *words):
    """Exit 2, exactly one error line on stderr naming ``words``, and no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("ecogis: error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def hashes(folder: Path) -> dict:
    """sha256 of every file under ``folder`` (hidden ones too), by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden_temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.exists() else []


def parcels(n=1) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"名称": [f"地块{i}" for i in range(n)]},
                            geometry=[box(121.80 + i / 100, 40.90, 121.805 + i / 100, 40.905) for i in range(n)],
                            crs=4490)


@pytest.fixture
def site_shp(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "x.shp"
    parcels(2).to_file(path, encoding="UTF-8")
    assert {p.suffix for p in folder.iterdir()} == {".shp", ".shx", ".dbf", ".prj", ".cpg"}
    return path


# ------------------------------------------------------------------ item 1: never over an input


@pytest.mark.parametrize("name", ["x.SHP", "X.shp", "X.SHP"])
@pytest.mark.parametrize("overwrite", [False, True])
def test_convert_onto_the_input_shapefile_in_another_case_is_refused(site_shp, name, overwrite):
    before = hashes(site_shp.parent)
    result = run("convert", site_shp, site_shp.with_name(name), *(["--overwrite"] if overwrite else []))
    assert_one_line_error(result, name, "input")
    assert hashes(site_shp.parent) == before  # no part rewritten, nothing added (not even a temporary)


def test_validate_fix_onto_the_input_in_another_case_is_refused(site_shp):
    before = hashes(site_shp.parent)
    result = run("validate", site_shp, "--fix", site_shp.with_name("x.SHP"), "--overwrite")
    assert_one_line_error(result, "x.SHP", "input")
    assert hashes(site_shp.parent) == before


def test_zipped_shapefile_and_exchange_text_inputs_are_not_replaced_in_another_case(site_shp, tmp_path):
    folder = site_shp.parent
    assert run("convert", site_shp, folder / "x.zip").exit_code == 0
    shutil.copy(LAYERS / "sites" / "sites_zone41.txt", folder / "parcels.txt")
    before = hashes(folder)
    assert_one_line_error(run("convert", folder / "x.zip", folder / "X.ZIP", "--overwrite"), "X.ZIP", "input")
    assert_one_line_error(run("convert", folder / "parcels.txt", folder / "Parcels.TXT", "--overwrite"),
                          "Parcels.TXT", "input")
    assert hashes(folder) == before


@pytest.mark.parametrize("part", ["site.dbf", "site.prj", "site.shx", "site.cpg", "SITE.DBF", "site.qix"])
def test_shapefile_output_beside_an_existing_part_is_refused(tmp_path, part):
    src = tmp_path / "src.geojson"
    parcels().to_file(src)
    (tmp_path / part).write_bytes(b"someone else's file")
    result = run("convert", src, tmp_path / "site.shp")
    assert_one_line_error(result, "site.shp", part, "--overwrite")
    assert (tmp_path / part).read_bytes() == b"someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([part, "src.geojson"])


def test_overwrite_replaces_the_whole_shapefile_and_drops_its_old_parts(tmp_path):
    src = tmp_path / "src.geojson"
    parcels(3).to_file(src)
    parcels(1).to_file(tmp_path / "site.shp")
    (tmp_path / "site.QIX").write_bytes(b"spatial index of the old shapefile")
    result = run("convert", src, tmp_path / "site.shp", "--overwrite")
    assert result.exit_code == 0, result.stderr
    assert len(gpd.read_file(tmp_path / "site.shp")) == 3
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["site.cpg", "site.dbf", "site.prj", "site.shp", "site.shx", "src.geojson"]


def test_check_report_onto_the_site_file_in_another_case_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    site = out / "CHECK.JSON"  # a GeoJSON site that sits where check.json would go
    parcels().to_file(site, driver="GeoJSON")
    before = hashes(out)
    result = run("check", site, "-p", PROJECT, "--out", out, "--format", "json", "--overwrite")
    assert_one_line_error(result, "check.json", "input")
    assert hashes(out) == before


# ------------------------------------------------------------------ item 2: all reports or none


def _interrupt_while_writing(args, out: Path, sig) -> subprocess.Popen:
    """Start ``ecogis ARGS`` and send ``sig`` as soon as it starts writing into ``out`` (or beside it)."""
    proc = subprocess.Popen([str(ECOGIS), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if out.exists() or hidden_temporaries(out.parent):
            proc.send_signal(sig)
            break
        time.sleep(0.002)
    proc.communicate(timeout=120)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_check_leaves_every_report_or_none_and_the_rerun_succeeds(tmp_path, sig):
    out = tmp_path / "reports" / "check"
    args = ["check", "--at", "121.85,40.95", "-p", PROJECT, "--out", out]
    proc = _interrupt_while_writing(args, out, sig)
    assert proc.returncode != 0, "the run ended before it was interrupted"
    if out.exists():  # the signal came while the finished set was moved into place
        assert {p.name for p in out.iterdir()} == CHECK_REPORTS
    if sig == signal.SIGINT:  # Ctrl-C cleans up its temporary folder
        assert hidden_temporaries(out.parent) == []
    else:  # a killed run may leave one; it is hidden
        assert all(name.startswith(".check.") for name in hidden_temporaries(out.parent))
    again = subprocess.run([str(ECOGIS), *map(str, args), *(["--overwrite"] if out.exists() else [])],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert {p.name for p in out.iterdir()} == CHECK_REPORTS
    assert hidden_temporaries(out.parent) == []  # the stale temporary of the killed run is gone


def test_interrupted_raster_change_leaves_every_output_or_none(tmp_path):
    out = tmp_path / "change"
    args = ["raster", "change", *RASTER_CHANGE, "--out", out]
    proc = _interrupt_while_writing(args, out, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it was killed"
    assert not out.exists() or len(list(out.iterdir())) == 5
    again = run(*args, *(["--overwrite"] if out.exists() else []))
    assert again.exit_code == 0, again.stderr
    assert len(list(out.iterdir())) == 5 and hidden_temporaries(tmp_path) == []


def _fail(*args, **kwargs):
    from ecogis.errors import EcogisError

    raise EcogisError("report could not be rendered (simulated)")


@pytest.fixture
def audit_spec(tmp_path):
    gpd.GeoDataFrame({"name": ["测试市"]}, geometry=[box(121.0, 40.0, 121.3, 40.2)], crs=4490).to_file(
        tmp_path / "city.gpkg")
    gpd.GeoDataFrame({"id": ["R1"]}, geometry=[box(121.0, 40.0, 121.1, 40.1)], crs=4490).to_file(
        tmp_path / "redline.gpkg")
    spec = tmp_path / "audit.yaml"
    spec.write_text(textwrap.dedent("""
        title: 测试
        layers:
          redline: {path: redline.gpkg, kind: redline}
          city: city.gpkg
        checks:
          - {id: area, type: area_share, layer: redline, within: city, min_share: 1}
        """), encoding="utf-8")
    return spec


@pytest.mark.parametrize("command", ["check", "audit", "raster change"])
def test_a_report_that_fails_to_render_leaves_no_partial_set(tmp_path, monkeypatch, audit_spec, command):
    out = tmp_path / "out"
    if command == "check":  # check.html and check.docx are rendered first, then the workbook fails
        monkeypatch.setattr("ecogis.render.check_xlsx.render_check_xlsx", _fail)
        args = ["check", "--at", "121.85,40.95", "-p", PROJECT, "--out", out]
    elif command == "audit":  # audit.xlsx is saved first, then the CSV tables fail
        monkeypatch.setattr("ecogis.render.audit_table.write_text_atomic", _fail)
        args = ["audit", audit_spec, "--out", out]
    else:  # the tables and patches are written first, then the GeoTIFF fails
        monkeypatch.setattr("ecogis.raster.output.write_change_raster", _fail)
        args = ["raster", "change", *RASTER_CHANGE, "--out", out]
    assert_one_line_error(run(*args), "simulated")
    assert not out.exists()
    assert hidden_temporaries(tmp_path) == []
    monkeypatch.undo()
    assert run(*args).exit_code in (0, 1)  # and the rerun is not blocked by "output exists"


# ------------------------------------------------------------------ item 10: unwritable places


@contextlib.contextmanager
def _read_only(folder: Path):
    """Make ``folder`` unwritable: chmod for users; root ignores modes, so it is made immutable."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", folder], capture_output=True).returncode:
        skip_or_fail_in_ci("running as root on a file system without chattr +i",
                           "no read-only folder possible; run the tests as a user or on ext4")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", folder], check=True)


@pytest.fixture
def read_only_folder(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    with _read_only(folder):
        yield folder


def _commands_writing_to(place: Path, audit_spec: Path, tmp_path: Path) -> dict:
    src = tmp_path / "src.geojson"
    parcels().to_file(src)
    return {
        "check": ["check", "--at", "121.85,40.95", "-p", PROJECT, "--out", place / "out"],
        "map": ["map", src, "--out", place / "map.html"],
        "audit": ["audit", audit_spec, "--out", place / "out"],
        "convert": ["convert", src, place / "out.shp"],
        "validate --fix": ["validate", src, "--fix", place / "out.gpkg"],
        "raster change": ["raster", "change", *RASTER_CHANGE, "--out", place / "out"],
    }


COMMANDS = ["check", "map", "audit", "convert", "validate --fix", "raster change"]


@pytest.mark.parametrize("command", COMMANDS)
def test_output_in_a_read_only_folder_is_a_one_line_error(read_only_folder, audit_spec, tmp_path, command):
    args = _commands_writing_to(read_only_folder, audit_spec, tmp_path)[command]
    assert_one_line_error(run(*args), str(read_only_folder), "permission denied")
    assert list(read_only_folder.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_output_under_a_file_is_a_one_line_error(audit_spec, tmp_path, command):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    args = _commands_writing_to(a_file, audit_spec, tmp_path)[command]
    assert_one_line_error(run(*args), str(a_file), "is a file, not a folder")
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_report_set_goes_into_an_existing_folder_whose_parent_is_read_only(tmp_path, audit_spec):
    """The temporary of a report set sits inside an existing --out folder, not in its parent."""
    parent = tmp_path / "shared"
    out = parent / "mine"
    out.mkdir(parents=True)
    with _read_only(parent):
        result = run("audit", audit_spec, "--out", out)
        assert result.exit_code == 0, result.stderr
        assert sorted(p.name for p in out.iterdir()) == ["audit.csv", "audit.xlsx", "audit_details.csv"]


def test_overwrite_never_replaces_a_folder_with_a_file(tmp_path):
    src = tmp_path / "src.geojson"
    parcels().to_file(src)
    for name in ("map.html", "out.gpkg"):
        (tmp_path / name / "keep").mkdir(parents=True)
    assert_one_line_error(run("map", src, "--out", tmp_path / "map.html", "--overwrite"), "map.html", "is a folder")
    assert_one_line_error(run("convert", src, tmp_path / "out.gpkg", "--overwrite"), "out.gpkg", "is a folder")
    assert (tmp_path / "map.html" / "keep").is_dir() and (tmp_path / "out.gpkg" / "keep").is_dir()


def test_shapefile_output_in_upper_case_is_written_and_reported_as_gdal_names_it(tmp_path):
    src = tmp_path / "src.geojson"
    parcels(2).to_file(src)
    result = run("convert", src, tmp_path / "out.SHP", "--json")
    assert result.exit_code == 0, result.stderr
    written = Path(json.loads(result.stdout)["output"])
    assert written.exists() and len(gpd.read_file(written)) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.stem == "out") == [
        "out.cpg", "out.dbf", "out.prj", "out.shp", "out.shx"]
