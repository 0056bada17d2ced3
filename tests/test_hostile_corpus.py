"""Every command over the hostile-input corpus (tests/hostile): no traceback, a clear answer, nothing lost.

For each (command, input) pair, run in-process with click's CliRunner, the test asserts:

* no traceback: no uncaught exception (``result.exception`` is None or SystemExit) and no "Traceback"
  in the output;
* exit code 2 with ONE error line on stderr (``ecogis: error: ...``, after any ``ecogis: warning:``
  lines; click's own usage errors end in one ``Error: ...`` line) that names the file, and the feature
  where the damage is in one feature; or exit 0/3 with a recorded note (a warning on stderr or a notes
  section in the output), unless the case says plain success is right (hostile names must be reported,
  not refused); exit 1 (validate found errors, an audit check failed) is itself the recorded answer;
* no input file changed and no file added beside the inputs (every file of the case folder and of the
  world is hashed before and after);
* no partial output after a failure: the output's folder is empty after exit 2, and no hidden temporary
  is left after any exit.

A few real subprocesses prove that stderr carries no traceback outside the runner too.
"""
from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import HOSTILE_NAMES, build_corpus, corpus_cases

from ecogis.cli import main

CASES = corpus_cases()
BY_ID = {c.id: c for c in CASES}
ECOGIS = str(Path(sys.executable).parent / "ecogis")
USAGE_LINES = ("Usage:", "Try '")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    build_corpus(root)
    return root


# ---------------------------------------------------------------------------- which commands, which inputs

def _vector_commands(p, world, out):
    return {
        "info": ["info", p],
        "validate": ["validate", p],
        "convert": ["convert", p, str(out / "converted.gpkg")],
        "area": ["area", p],
        "check": ["check", p, "-p", f"{world}/project.yaml", "--format", "json", "--out", str(out / "report")],
        "map": ["map", p, "--out", str(out / "map.html")],
    }


def _commands(case, root: Path, out: Path) -> dict[str, list[str]]:
    """The command lines to run ``case`` through (``out``: an empty folder for outputs)."""
    world = root / "world"
    p = str(root / case.path) if case.path else None
    site = f"{world}/site.geojson"
    zones = ["--zones", f"{world}/reserve.geojson", "--kind", "reserve", "--by", "zone", "--no-progress"]
    if case.role == "vector":
        cmds = _vector_commands(p, world, out)
        if case.group == "geometry":   # broken polygons as raster zones
            cmds["zonal"] = ["raster", "zonal", f"{world}/lc_a.tif", "--zones", p, "--no-progress"]
        if case.group in ("shapefile", "encoding", "geojson") and not case.feature:
            # damage to the whole file: validate and map read it as info and check do
            cmds = {k: cmds[k] for k in ("info", "convert", "area", "check")}
        return cmds
    if case.role == "exchange":
        cmds = _vector_commands(p, world, out)
        cmds["convert"] = ["convert", p, str(out / "converted.geojson")]
        return cmds
    if case.role == "table":
        return {"info": ["info", p], "convert": ["convert", p, str(out / "converted.gpkg")],
                "check": ["check", p, "-p", f"{world}/project.yaml", "--batch", "--format", "json",
                          "--out", str(out / "report")]}
    if case.role == "project":
        return {"check": ["check", site, "-p", p, "--json"],
                "map": ["map", "--project", p, "--out", str(out / "map.html")]}
    if case.role == "rules":
        return {"check": ["check", site, "-p", f"{world}/project.yaml", "--rules", p, "--json"]}
    if case.role == "styles":
        return {"map": ["map", f"{world}/redline.geojson", "--styles", p, "--out", str(out / "map.html")]}
    if case.role == "legend":
        return {"zonal": ["raster", "zonal", f"{world}/lc_a.tif", *zones, "--classes", p]}
    if case.role == "audit":
        return {"audit": ["audit", p, "--out", str(out / "audit")]}
    if case.role == "raster":
        return {"zonal": ["raster", "zonal", p, *zones, "--out", str(out / "zonal")],
                "change_before": ["raster", "change", p, f"{world}/lc_b.tif", *zones, "--out", str(out / "change")],
                "change_after": ["raster", "change", f"{world}/lc_a.tif", p, *zones, "--out", str(out / "change")]}
    if case.role == "names":
        return {"check": ["check", p, "-p", f"{world}/project.yaml", "--format", "html,docx,xlsx,json",
                          "--out", str(out / "report")],
                "map": ["map", f"{world}/redline.geojson", "--site", p, "--out", str(out / "map.html")],
                "convert_csv": ["convert", p, str(out / "sites.csv")]}
    if case.role == "args":
        places = {"{world}": str(world), "{case}": str(root / "cases" / case.id), "{out}": str(out)}
        argv = list(case.args)
        for key, value in places.items():
            argv = [a.replace(key, value) for a in argv]
        return {case.args[0]: argv}
    raise AssertionError(f"unknown role {case.role}")


def _pairs():
    # commands are known without the corpus on disk: build them against placeholder folders
    fake = Path("/corpus")
    return [(case.id, name) for case in CASES for name in _commands(case, fake, fake / "out")
            if not _checked_with_reports(case, name)]


def _checked_with_reports(case, command) -> bool:
    """Pairs run (and their reports read) by test_hostile_name_is_text_in_xlsx_csv_and_not_markup_in_html."""
    return case.role == "names" and case.expect == "ok" and command in ("check", "convert_csv")


# ------------------------------------------------------------------------------------------- checks

def _snapshot(folders) -> dict[str, str]:
    """sha256 of every file under ``folders`` (hidden ones included)."""
    digests = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


PROGRESS = re.compile(r"\d+%\|")   # a tqdm progress bar redrawn with \r


def _error_line(stderr: str) -> str:
    """The one error line of an exit-2 run; fails on anything else on stderr but warnings and progress bars."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not PROGRESS.search(ln)]
    errors = [ln for ln in lines if ln.startswith(("ecogis: error:", "Error: "))]
    others = [ln for ln in lines if not ln.startswith(("ecogis: warning:", "ecogis: error:", "Error: ") + USAGE_LINES)]
    assert len(errors) == 1 and not others, f"expected one error line on stderr, got:\n{stderr}"
    return errors[0]


NOTE_MARKERS = ("注意", "说明", "Notes:", "Note:", "空几何 empty", "无效几何 invalid")


def _has_note(result) -> bool:
    """A warning on stderr, a notes section in the text output, or notes in --json output."""
    if "ecogis: warning:" in result.stderr or any(m in result.stdout for m in NOTE_MARKERS):
        return True
    try:
        payload = json.loads(result.stdout)
    except ValueError:
        return False
    return bool(isinstance(payload, dict) and (payload.get("notes") or payload.get("empty_geometries")
                                               or payload.get("invalid_geometries")))


def run_case(case, command, root: Path, out: Path):
    """Run one command over one case and assert the corpus contract; return the click Result."""
    argv = _commands(case, root, out)[command]
    guarded = [root / "world"] + ([root / "cases" / case.id] if (root / "cases" / case.id).exists() else [])
    before = _snapshot(guarded)
    result = CliRunner().invoke(main, argv)
    where = f"{case.id} / {command}: exit {result.exit_code}\nstderr: {result.stderr[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{where}\nuncaught {type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.stdout + result.stderr, where
    assert _snapshot(guarded) == before, f"{where}\nan input was changed, or a file appeared beside the inputs"
    hidden = [p for p in out.rglob(".*")]
    assert not hidden, f"{where}\ntemporary files left: {hidden}"
    if result.exit_code == 2:
        line = _error_line(result.stderr)
        assert any(n in line for n in case.must_name()), f"{where}\nthe error does not name {case.must_name()}"
        wrong = [t for t in case.never_say if t in line]
        assert not wrong, f"{where}\nthe error points the wrong way ({wrong[0]!r})"
        if case.feature and command != "info":
            assert "feature" in line, f"{where}\nthe error does not name the feature"
        assert not any(out.iterdir()), f"{where}\npartial output left: {list(out.iterdir())}"
        assert case.expect != "ok", f"{where}\nrefused an input that must be accepted"
    else:
        assert result.exit_code in (0, 1, 3), where
        assert case.expect != "error", f"{where}\naccepted an input that must be refused"
        if result.exit_code != 1 and not case.may_be_quiet(command):   # 1: the report says what failed
            assert _has_note(result), f"{where}\nsucceeded on a hostile input without a note"
    return result


@pytest.mark.parametrize("case_id,command", _pairs(), ids=[f"{c}-{m}" for c, m in _pairs()])
def test_command_on_hostile_input(corpus, tmp_path, case_id, command):
    run_case(BY_ID[case_id], command, corpus, tmp_path)


# ----------------------------------------------------------------------------------- hostile names

@pytest.mark.parametrize("case_id", [c.id for c in CASES if c.role == "names" and c.expect == "ok"])
def test_hostile_name_is_text_in_xlsx_csv_and_not_markup_in_html(corpus, tmp_path, case_id):
    """Item 12/13 at the corpus level: a formula stays text, markup stays text."""
    import csv

    from openpyxl import load_workbook

    run_case(BY_ID[case_id], "check", corpus, tmp_path)
    name = HOSTILE_NAMES[case_id.replace("csvname_", "name_")]
    workbook = load_workbook(tmp_path / "report" / "check.xlsx")
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a text cell was written as a formula"
    html = (tmp_path / "report" / "check.html").read_text(encoding="utf-8")
    if "<" in name:
        assert name not in html, "the name reached the HTML report as markup"
    run_case(BY_ID[case_id], "convert_csv", corpus, tmp_path)
    with open(tmp_path / "sites.csv", encoding="utf-8-sig", newline="") as f:
        texts = [cell for row in csv.reader(f) for cell in row]
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@") and not _is_number(t)], \
        "a CSV cell starts with a formula character"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------ real processes

SUBPROCESS_CASES = [("shx_offset_r0_zero", "check"), ("tif_trunc_400", "zonal"), ("proj_alias_bomb", "check"),
                    ("ex_utf16", "info"), ("geom_shp_unclosed_ring", "area"), ("csv_full_width_commas", "check")]


@pytest.mark.parametrize("case_id,command", SUBPROCESS_CASES)
def test_real_process_has_no_traceback(corpus, tmp_path, case_id, command):
    argv = _commands(BY_ID[case_id], corpus, tmp_path)[command]
    before = _snapshot([corpus / "world", corpus / "cases" / case_id])
    res = subprocess.run([ECOGIS, *argv], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode in (0, 1, 2, 3), res.stderr
    if res.returncode == 2:
        _error_line(res.stderr)
        assert not any(tmp_path.iterdir())
    assert _snapshot([corpus / "world", corpus / "cases" / case_id]) == before


REPORTS = {"check.html", "check.docx", "check.xlsx", "check.json"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_check_leaves_all_reports_or_none(corpus, tmp_path, sig):
    """Item 2: the signal arrives as soon as the first output appears; afterwards the report folder is
    complete or absent. After SIGINT nothing else is left; after SIGKILL only hidden temporaries (named
    ``.<name>.*`` by ecogis.outputs.atomic_path) may remain, which a rerun ignores."""
    world = corpus / "world"
    out = tmp_path / "report"
    argv = [ECOGIS, "check", str(world / "site.geojson"), "-p", str(world / "project.yaml"), "--out", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not any(tmp_path.rglob("*")) and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    if out.exists():
        names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
        assert names >= REPORTS, f"partial report set after {sig.name}: {sorted(names)}"
    visible = [p.name for p in tmp_path.iterdir() if p.name != "report" and not p.name.startswith(".")]
    assert not visible, f"files left after {sig.name}: {visible}"
    if sig == signal.SIGINT:
        hidden = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob(".*")]
        assert not hidden, f"temporary files left after SIGINT: {hidden}"
        assert "Traceback" not in stderr, stderr
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0 or (out.exists() and "exists" in rerun.stderr), rerun.stderr
    if rerun.returncode == 0:
        assert {p.name for p in out.iterdir()} >= REPORTS


# ----------------------------------------------------------------------------------- the generator

def test_corpus_is_deterministic_and_large(tmp_path):
    def contents(root):
        build_corpus(root)
        return {Path(k).relative_to(root): v for k, v in _snapshot([root]).items()}

    assert contents(tmp_path / "a") == contents(tmp_path / "b")
    assert len(CASES) >= 300 and len({c.group for c in CASES}) >= 10
    assert (tmp_path / "a" / "cases" / "tif_zero_bytes" / "tif_zero_bytes.tif").stat().st_size == 0


# ------------------------------------------------------------ damaged rasters and raster options (item 10)

def _cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _land_cover(path, rows=10, cols=30):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="uint8", nodata=0,
                       crs="EPSG:4490", transform=from_origin(121.6, 40.9, 0.01, 0.01)) as dst:
        dst.write((np.arange(rows * cols).reshape(rows, cols) % 9 + 1).astype("uint8"), 1)


@pytest.fixture
def raster_world(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    _land_cover(tmp_path / "good.tif")
    full = (tmp_path / "good.tif").read_bytes()
    (tmp_path / "cut.tif").write_bytes(full[:-100])   # header intact, the strips cut short
    gpd.GeoDataFrame({"功能分区": ["核心区", "缓冲区"]}, geometry=[box(121.6, 40.8, 121.7, 40.9),
                     box(121.7, 40.8, 121.8, 40.9)], crs=4490).to_file(tmp_path / "zones.geojson")
    return tmp_path


@pytest.mark.parametrize("which", ["zonal", "change_before", "change_after"])
def test_truncated_geotiff_is_a_one_line_error_naming_the_file(raster_world, which):
    d = raster_world
    zones = ["--zones", d / "zones.geojson", "--kind", "reserve", "--by", "zone", "--no-progress"]
    args = {"zonal": ["raster", "zonal", d / "cut.tif", *zones, "--out", d / "out"],
            "change_before": ["raster", "change", d / "cut.tif", d / "good.tif", *zones, "--out", d / "out"],
            "change_after": ["raster", "change", d / "good.tif", d / "cut.tif", *zones, "--out", d / "out"]}[which]
    before = (d / "cut.tif").read_bytes()
    res = _cli(*args)
    assert res.exit_code == 2
    line = _error_line(res.stderr)
    assert "cut.tif" in line and "truncated" in line
    assert not (d / "out").exists()
    assert (d / "cut.tif").read_bytes() == before


def test_damaged_compressed_geotiff_is_a_one_line_error_naming_the_file(tmp_path):
    """Cells that cannot be decoded (the file has its full length) fail when read: one line, exit 2."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "garbled.tif"
    with rasterio.open(path, "w", driver="GTiff", width=30, height=10, count=1, dtype="uint8", nodata=0,
                       crs="EPSG:4490", transform=from_origin(121.6, 40.9, 0.01, 0.01), compress="deflate") as dst:
        dst.write(np.random.default_rng(0).integers(1, 10, (10, 30), dtype="uint8"), 1)
    with rasterio.open(path) as ds:
        offset = int(ds.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1))
    data = bytearray(path.read_bytes())
    data[offset:offset + 40] = bytes(40)    # garble the start of the compressed cells
    path.write_bytes(bytes(data))
    import geopandas as gpd
    from shapely.geometry import box

    gpd.GeoDataFrame({"功能分区": ["核心区"]}, geometry=[box(121.6, 40.8, 121.7, 40.9)],
                     crs=4490).to_file(tmp_path / "zones.geojson")
    res = _cli("raster", "zonal", path, "--zones", tmp_path / "zones.geojson", "--kind", "reserve", "--no-progress")
    assert res.exit_code == 2
    line = _error_line(res.stderr)
    assert "garbled.tif" in line and "cannot read cells" in line


def test_empty_raster_file_says_it_is_empty(raster_world):
    (raster_world / "empty.tif").write_bytes(b"")
    res = _cli("raster", "zonal", raster_world / "empty.tif", "--zones", raster_world / "zones.geojson",
               "--kind", "reserve", "--no-progress")
    assert res.exit_code == 2 and "0 bytes" in _error_line(res.stderr)


@pytest.mark.parametrize("option,value", [("--memory-mb", "nan"), ("--memory-mb", "0"), ("--memory-mb", "-5"),
                                          ("--min-area", "nan"), ("--min-area", "-1"), ("--min-area", "inf")])
def test_raster_numeric_options_out_of_range_name_the_option(raster_world, option, value):
    d = raster_world
    res = _cli("raster", "change", d / "good.tif", d / "good.tif", "--zones", d / "zones.geojson", "--kind", "reserve",
               "--no-progress", "--out", d / "out", option, value)
    assert res.exit_code == 2
    assert option in _error_line(res.stderr)
    assert not (d / "out").exists()


def test_info_counts_invalid_geometries(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon, box

    bowtie = Polygon([(121.0, 40.0), (121.1, 40.1), (121.1, 40.0), (121.0, 40.1), (121.0, 40.0)])
    gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[bowtie, box(121.2, 40.0, 121.3, 40.1)],
                     crs=4490).to_file(tmp_path / "bowtie.gpkg")
    res = _cli("info", tmp_path / "bowtie.gpkg", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["invalid_geometries"] == 1
    assert "无效几何 invalid: 1" in _cli("info", tmp_path / "bowtie.gpkg").stdout


def test_map_of_only_empty_layers_names_the_files(tmp_path):
    (tmp_path / "hollow.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "a"}, "geometry": None}]}), encoding="utf-8")
    res = _cli("map", tmp_path / "hollow.geojson", "--out", tmp_path / "m.html")
    assert res.exit_code == 2 and "hollow.geojson" in _error_line(res.stderr)
    assert not (tmp_path / "m.html").exists()


def test_info_reads_a_zip_whose_shapefile_sits_in_a_sub_folder(tmp_path):
    """Item 11: `info x.zip` failed where the other commands read the shapefile in a sub-folder of the zip."""
    import zipfile

    import geopandas as gpd
    from shapely.geometry import box

    gpd.GeoDataFrame({"name": ["甲"]}, geometry=[box(121.6, 40.8, 121.7, 40.9)], crs=4490).to_file(
        tmp_path / "site.shp", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "delivery.zip", "w") as zf:
        for part in tmp_path.glob("site.*"):
            zf.write(part, f"成果/{part.name}")
    res = _cli("info", tmp_path / "delivery.zip", "--json")
    assert res.exit_code == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["count"] == 1 and info["first_feature"]["name"] == "甲"


def test_map_styles_file_with_a_yaml_error_is_one_line_naming_file_and_line(tmp_path):
    (tmp_path / "red.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Polygon", "coordinates": [
            [[121.6, 40.8], [121.7, 40.8], [121.7, 40.9], [121.6, 40.8]]]}}]}), encoding="utf-8")
    (tmp_path / "my_styles.yaml").write_text("kinds:\n  redline: {stroke: '#c00000'\n", encoding="utf-8")
    res = _cli("map", tmp_path / "red.geojson", "--styles", tmp_path / "my_styles.yaml", "--out", tmp_path / "m.html")
    assert res.exit_code == 2
    line = _error_line(res.stderr)
    assert "my_styles.yaml" in line and "line 3" in line
    assert not (tmp_path / "m.html").exists()


def test_zone_with_a_spike_is_repaired_with_a_note_not_a_crash(raster_world):
    """Item 8 for raster zones: a polygon with a spike (make_valid gives a polygon plus a line) was an
    uncaught RuntimeError in exactextract; now its polygonal part is used, with a note naming it."""
    import geopandas as gpd
    from shapely.geometry import Polygon

    from ecogis.area import ellipsoidal_area

    spiky = Polygon([(121.6, 40.8), (121.7, 40.8), (121.7, 40.9), (121.75, 40.9), (121.7, 40.9), (121.6, 40.9)])
    square = Polygon([(121.6, 40.8), (121.7, 40.8), (121.7, 40.9), (121.6, 40.9)])
    gpd.GeoDataFrame({"功能分区": ["核心区"]}, geometry=[spiky], crs=4490).to_file(raster_world / "spiky.geojson")
    res = _cli("raster", "zonal", raster_world / "good.tif", "--zones", raster_world / "spiky.geojson",
               "--kind", "reserve", "--no-progress", "--json")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert any("repaired" in n and "feature row 0" in n for n in out["notes"])
    expected = float(ellipsoidal_area(gpd.GeoSeries([square], crs=4490), 4490)[0])
    assert out["zones"][0]["zone_area"]["m2"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("text,expect", [
    ("name: x\nclasses:\n  - {code: 1, zh: 甲, en: A\n", "line"),                                  # unclosed flow
    ("classes:\n  - {code: 1, zh: 甲, en: A}\n  - {code: 99999999999999999999, zh: 乙, en: B}\n", "'code'"),
])
def test_bad_legend_file_is_one_line_naming_file_and_place(raster_world, text, expect):
    (raster_world / "legend.yaml").write_text(text, encoding="utf-8")
    res = _cli("raster", "zonal", raster_world / "good.tif", "--zones", raster_world / "zones.geojson",
               "--kind", "reserve", "--no-progress", "--classes", raster_world / "legend.yaml")
    assert res.exit_code == 2
    line = _error_line(res.stderr)
    assert "legend.yaml" in line and expect in line
