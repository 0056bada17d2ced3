"""The layer cache (ecogis.layer_cache): a cached check states the same results and assumptions as an
uncached one, any changed byte of a source file or side-car is a new entry, a damaged entry is read
again from the source, the cache never writes beside the inputs, and ``--no-cache`` switches it off.

Expectations are the uncached reads themselves (the cache must not change any answer), the bytes
this test writes, and the files it finds on disk.
"""
from __future__ import annotations

import json
import os
import shutil
import warnings

import pytest
from click.testing import CliRunner
from conftest import LAYERS

import ecogis.io
from ecogis import layer_cache
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.layer_info import LayerInfo
from ecogis.project import LayerSpec

SITES = LAYERS / "sites" / "sites_zone41.txt"
PROJECT = LAYERS / "project.yaml"
REDLINE_PARTS = ("redline.shp", "redline.dbf", "redline.shx", "redline.prj")


def _check_json(project, *extra: str) -> tuple[dict, str]:
    """``ecogis check SITES -p project --json`` in this process: the JSON and stderr."""
    res = CliRunner().invoke(check_cmd, [str(SITES), "--project", str(project), "--json", *extra],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), res.stderr


@pytest.fixture
def guessing_project(tmp_path):
    """A project on the sample layers whose reads guess: the red line's encoding (no .cpg, no encoding:),
    the outfalls' encoding and CRS (no crs:), beside the sample's access list and control units."""
    text = f"""name: cache test
boundary: {{path: {LAYERS}/boundary/panjin.gpkg, layer: city, kind: boundary}}
buffers_m: [500, 1000]
layers:
  redline: {{kind: redline, path: {LAYERS}/redline/redline.shp}}
  outfalls: {{kind: outfall, path: {LAYERS}/water/outfalls.csv}}
  reserve: {{kind: reserve, path: {LAYERS}/reserve/liaohekou.geojson}}
  control_units: {{kind: control_unit, path: {LAYERS}/zoning/control_units.gpkg}}
  access_list: {{kind: access_list, path: {LAYERS}/zoning/access_list.xlsx}}
"""
    path = tmp_path / "project.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _entries(folder, what="layer") -> set:
    return set((folder / what).glob("*.pickle")) if (folder / what).exists() else set()


@pytest.fixture
def redline(tmp_path):
    """A copy of the sample red line shapefile (with a .cpg saying GBK, so no encoding is guessed)."""
    folder = tmp_path / "src"
    folder.mkdir()
    for name in REDLINE_PARTS:
        shutil.copy(LAYERS / "redline" / name, folder / name)
    (folder / "redline.cpg").write_text("GBK", encoding="ascii")
    return folder / "redline.shp"


@pytest.fixture
def count_reads(monkeypatch):
    """How many times a layer is read from its source (ecogis.io.read_layer_info calls)."""
    calls = []
    real = ecogis.io.read_layer_info

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(ecogis.io, "read_layer_info", counting)
    return calls


def _read(path, **options):
    """LayerSpec.read of ``path`` (warnings recorded: a changed .prj may be an unknown CRS)."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        gdf = LayerSpec(name="redline", kind="redline", path=path, **options).read()
    return gdf, LayerInfo.of(gdf)


def test_cached_check_gives_the_json_and_warnings_of_an_uncached_one(layer_cache_dir, guessing_project):
    uncached, uncached_err = _check_json(guessing_project, "--no-cache")
    assert not layer_cache_dir.exists()  # --no-cache writes nothing
    first, first_err = _check_json(guessing_project)  # fills the cache
    assert len(_entries(layer_cache_dir)) == 5  # 4 layers and the boundary (the access list apart)
    assert len(_entries(layer_cache_dir, "access_list")) == 1
    cached, cached_err = _check_json(guessing_project)
    assert cached == uncached == first  # findings, areas, notes, inputs: all the same
    layer_notes = {name: layer["notes"] for name, layer in cached["inputs"]["layers"].items()}
    assert any("GB18030" in n for n in layer_notes["redline"])
    assert any("inferred EPSG:4490" in n for n in layer_notes["outfalls"])
    assert [n for n in cached["assumptions"] if "GB18030" in n or "inferred" in n]
    assert cached_err == uncached_err == first_err  # the warnings on stderr, in the same order
    assert "GB18030" in cached_err and "EPSG:4490" in cached_err


def test_stated_assumptions_of_a_cached_check_in_chinese(layer_cache_dir, guessing_project):
    uncached, uncached_err = _check_json(guessing_project, "--no-cache", "--lang", "zh")
    _check_json(guessing_project, "--lang", "zh")
    cached, cached_err = _check_json(guessing_project, "--lang", "zh")
    assert cached == uncached and cached_err == uncached_err


def test_notes_and_warnings_of_a_read_are_replayed(layer_cache_dir, tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    for name in REDLINE_PARTS:  # no .cpg: the encoding is guessed, with a note and a warning
        shutil.copy(LAYERS / "redline" / name, folder / name)
    runs = []
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gdf = LayerSpec(name="redline", kind="redline", path=folder / "redline.shp").read()
        info = LayerInfo.of(gdf)
        runs.append((gdf, info, [str(w.message) for w in caught]))
    assert len(_entries(layer_cache_dir)) == 1
    (gdf1, info1, warned1), (gdf2, info2, warned2) = runs
    assert any("GB18030" in n for n in info1.notes)
    assert list(info2.notes) == list(info1.notes)
    assert warned2 == warned1 and any("GB18030" in w for w in warned1)
    assert gdf2.equals(gdf1) and list(gdf2.dtypes) == list(gdf1.dtypes) and gdf2.crs == gdf1.crs


def test_a_hit_does_not_read_the_source(layer_cache_dir, redline, count_reads):
    first, _ = _read(redline)
    second, _ = _read(redline)
    assert len(count_reads) == 1
    assert second.equals(first)


def _flip(data: bytes, part: str) -> tuple[int, int]:
    """Where to change one byte of ``part`` and the bits to flip, keeping the file readable: a space of the
    last .dbf record, the lowest byte of the last .shp coordinate, the 0 of False_Northing, GBK -> GBk."""
    if part.endswith(".prj"):
        return data.index(b'False_Northing",') + len(b'False_Northing",'), 0x01
    return {".dbf": (len(data) - 2, 0x01), ".shp": (len(data) - 8, 0x01), ".cpg": (2, 0x20)}[part[-4:]]


@pytest.mark.parametrize("part", ["redline.dbf", "redline.cpg", "redline.prj", "redline.shp"])
def test_one_changed_byte_of_the_layer_or_a_side_car_is_a_new_entry(layer_cache_dir, redline, count_reads,
                                                                   monkeypatch, part):
    monkeypatch.setattr(layer_cache, "SETTLE_S", 0.0)  # the stat fast path in use: it must still see the change
    first, _ = _read(redline)
    _read(redline)
    assert len(count_reads) == 1
    target = redline.parent / part
    data = bytearray(target.read_bytes())
    stat = target.stat()
    at, bits = _flip(bytes(data), part)
    data[at] ^= bits  # same size, and the mtime set back: only the ctime and the bytes tell
    target.write_bytes(bytes(data))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed, _ = _read(redline)
    assert len(count_reads) == 2
    assert len(_entries(layer_cache_dir)) == 2
    if part == "redline.dbf":  # the new bytes are what the cached read returns
        assert not changed.drop(columns="geometry").equals(first.drop(columns="geometry"))
    if part == "redline.shp":
        assert not changed.geometry.equals(first.geometry)
    if part == "redline.prj":
        assert changed.crs != first.crs


def test_read_options_are_part_of_the_key(layer_cache_dir, redline, count_reads):
    _read(redline)
    _read(redline, encoding="gbk")
    _read(redline, fields={"HXMC": "name"})
    assert len(count_reads) == 3
    assert len(_entries(layer_cache_dir)) == 3


def test_a_truncated_or_garbage_entry_is_read_again(layer_cache_dir, redline, count_reads):
    first, info = _read(redline)
    (entry,) = _entries(layer_cache_dir)
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    again, again_info = _read(redline)
    assert len(count_reads) == 2
    assert again.equals(first) and list(again_info.notes) == list(info.notes)
    entry.write_bytes(b"not a pickle")
    _read(redline)
    assert len(count_reads) == 3
    _read(redline)  # the entry was rewritten whole
    assert len(count_reads) == 3


def test_the_cache_never_writes_beside_the_inputs(layer_cache_dir, redline):
    before = sorted(p.name for p in redline.parent.iterdir())
    _read(redline)
    _read(redline)
    assert sorted(p.name for p in redline.parent.iterdir()) == before
    assert _entries(layer_cache_dir)


def test_an_unwritable_cache_folder_is_no_error(layer_cache_dir, redline, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(layer_cache.CACHE_DIR_ENV, str(blocker / "cache"))  # a folder under a file
    gdf, _ = _read(redline)
    assert len(gdf) > 0


def test_switched_off_by_the_environment(monkeypatch, tmp_path, redline, count_reads):
    monkeypatch.setenv(layer_cache.CACHE_DIR_ENV, str(tmp_path / "c"))
    monkeypatch.setenv(layer_cache.NO_CACHE_ENV, "1")
    _read(redline)
    _read(redline)
    assert len(count_reads) == 2 and not (tmp_path / "c").exists()
    monkeypatch.setenv(layer_cache.NO_CACHE_ENV, "0")
    _read(redline)
    _read(redline)
    assert len(count_reads) == 3


def test_cache_folder_default_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(layer_cache.CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert layer_cache.cache_dir().name == "ecogis"
    monkeypatch.setenv(layer_cache.CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert layer_cache.cache_dir() == tmp_path / "mine"


def test_source_files_are_the_file_and_its_side_cars(redline):
    (redline.parent / "other.shp").write_bytes(b"")
    (redline.parent / "redline_old.dbf").write_bytes(b"")
    names = [p.name for p in layer_cache.source_files(redline)]
    assert names == sorted(["redline.cpg", *REDLINE_PARTS])
    assert layer_cache.source_files(redline.parent) is None  # a folder is not cached


def test_the_html_font_subset_is_kept_by_its_characters(layer_cache_dir, monkeypatch):
    from ecogis.render import html_fonts

    if html_fonts._font_path() is None:
        pytest.skip("the CJK font of mplfonts is not installed")
    made = []
    real = html_fonts._make_subset
    monkeypatch.setattr(html_fonts, "_make_subset", lambda path, chars: made.append(chars) or real(path, chars))
    html_fonts._subset.cache_clear()
    with layer_cache.switched_off():
        uncached = html_fonts._subset("生态保护红线")
    html_fonts._subset.cache_clear()
    first = html_fonts._subset("生态保护红线")
    html_fonts._subset.cache_clear()
    second = html_fonts._subset("生态保护红线")
    html_fonts._subset.cache_clear()
    other = html_fonts._subset("生态")
    html_fonts._subset.cache_clear()
    assert made == ["生态保护红线", "生态保护红线", "生态"]  # the second read came from the cache
    assert second == first == uncached  # the same bytes (no time stamp of the run in the font)
    assert other != first
    assert len(_entries(layer_cache_dir, "font_subset")) == 2


def test_the_key_does_not_depend_on_what_was_imported_before():
    """A check of a shapefile site imports GDAL (pyogrio, openpyxl for XLSX) before the layers are read;
    one of an exchange text does not: both must find the same entries."""
    import subprocess
    import sys

    code = "import ecogis.layer_cache as c; print(c._code_fingerprint())"
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    after = subprocess.run([sys.executable, "-c", "import pyogrio, openpyxl, pyarrow; " + code],
                           capture_output=True, text=True, check=True).stdout
    assert plain.strip() and plain == after


def test_the_same_relative_path_in_two_folders_is_hashed_once_each(layer_cache_dir, tmp_path, monkeypatch):
    """Checks run alternately from two copies of a project (relative layer paths) reuse each copy's
    digest: the record of one copy does not displace the other's."""
    monkeypatch.setattr(layer_cache, "SETTLE_S", 0.0)
    for copy in ("a", "b"):
        (tmp_path / copy / "src").mkdir(parents=True)
        for name in REDLINE_PARTS:
            shutil.copy(LAYERS / "redline" / name, tmp_path / copy / "src" / name)
    hashed = []
    real = layer_cache.hashlib.file_digest
    monkeypatch.setattr(layer_cache.hashlib, "file_digest", lambda fh, algo: hashed.append(fh.name) or real(fh, algo))
    relative = layer_cache.Path("src") / "redline.shp"
    for copy in ("a", "b", "a", "b"):
        monkeypatch.chdir(tmp_path / copy)
        layer_cache._DIGEST_INDEX.clear()  # a new process: the records as saved in the cache folder
        layer_cache._digests(layer_cache_dir).of(relative)
        layer_cache._digests(layer_cache_dir).save()
    assert hashed == [str(relative)] * 2  # once per copy, not on every run


def test_a_yaml_file_read_before_is_not_parsed_again(layer_cache_dir, tmp_path, monkeypatch):
    """load_yaml_lines through the cache: the same data and line numbers, no parse on a hit, a new parse
    when a byte changes."""
    from ecogis import yaml_parse, yamlio

    path = tmp_path / "p.yaml"
    path.write_text("name: 盘锦\nlayers:\n  redline: {kind: redline}\n", encoding="utf-8")
    parses = []
    real = yaml_parse.parse
    monkeypatch.setattr(yaml_parse, "parse", lambda *a: parses.append(a[1]) or real(*a))
    first, again = yamlio.load_yaml_lines(path), yamlio.load_yaml_lines(path)
    assert len(parses) == 1
    assert again == first == {"name": "盘锦", "layers": {"redline": {"kind": "redline"}}}
    assert (again.lines, again["layers"].lines) == ({"name": 1, "layers": 2}, {"redline": 3})
    path.write_text("name: 大洼\n", encoding="utf-8")
    assert yamlio.load_yaml_lines(path) == {"name": "大洼"} and len(parses) == 2
