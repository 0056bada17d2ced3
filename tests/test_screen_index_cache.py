"""The screening index kept in the layer cache (ecogis.screen_index.layer_arrays through
ecogis.layer_cache.derived): a cached index is the fresh one, field by field; a check screened from it
states the same findings as one screened without the cache; a changed layer file is a new entry.

Expectations are the uncached computations themselves (the cache must not change any answer) and the
bytes this test writes.
"""
from __future__ import annotations

import math
import os
import shutil
import warnings

import numpy as np
import pyproj
import pytest
import shapely
from conftest import LAYERS

from ecogis import layer_cache
from ecogis.check import check
from ecogis.crs import metric_crs
from ecogis.layer_info import LayerInfo
from ecogis.project import LayerSpec, load_project
from ecogis.screen_index import layer_arrays

SITES = LAYERS / "sites" / "sites_zone41.txt"
PROJECT = LAYERS / "project.yaml"
GK41 = metric_crs(123.0)  # the zone of the sample sites (3° zone 41, central meridian 123° E)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        return func(*args, **kwargs)


def _layers():
    return _quiet(load_project(PROJECT).read_layers)


def _index_of(name, layer, gk=GK41):
    from ecogis.rules import load_rules
    from ecogis.screen_index import index_layer

    return index_layer(name, layer, gk, load_rules(), [500.0, 1000.0], None)


def _entries(folder) -> set:
    return set((folder / "screen-index").glob("*.pickle")) if (folder / "screen-index").exists() else set()


def _same_arrays(a, b) -> None:
    """Field by field: the same features, geometries (exact coordinates), labels, zones and edges."""
    assert np.array_equal(a.index, b.index)
    assert np.array_equal(shapely.to_wkb(a.geoms), shapely.to_wkb(b.geoms))
    assert np.array_equal(a.bounds, b.bounds) and np.array_equal(a.reach, b.reach, equal_nan=True)
    assert a.labels.tolist() == b.labels.tolist() and a.zones.tolist() == b.zones.tolist()
    for field in ("xy0", "xy1", "box", "offsets", "polygonal", "block_start", "block_box", "block_offsets", "xy",
                  "start"):
        assert np.array_equal(getattr(a.edges, field), getattr(b.edges, field)), field


def test_cached_index_of_every_sample_layer_is_the_fresh_one(layer_cache_dir, monkeypatch):
    _ = [_index_of(n, g) for n, g in _layers().items()]  # fills the layer and index entries
    entries = _entries(layer_cache_dir)
    assert len(entries) == len(_layers())  # one per layer (read again: hits, the same keys)
    hits = {n: _index_of(n, g) for n, g in _layers().items()}  # layers and indexes from the cache
    assert _entries(layer_cache_dir) == entries
    monkeypatch.setenv("ECOGIS_NO_CACHE", "1")
    for name, layer in _layers().items():
        fresh = layer_arrays(layer, LayerInfo.of(layer).kind, GK41)
        _same_arrays(hits[name], fresh)
        assert hits[name].kind == LayerInfo.of(layer).kind and hits[name].name == name
        assert shapely.is_prepared(hits[name].geoms).all()  # prepared again after unpickling


def _findings(result) -> list[dict]:
    return result.to_dict()["findings"]


def _assert_same_findings(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.keys() == w.keys()
        for key, value in w.items():
            if isinstance(value, float) and not math.isnan(value):
                assert g[key] == pytest.approx(value, rel=1e-9, abs=0.0), key
            else:
                assert g[key] == value, key


def test_a_check_screened_from_the_cached_index_states_the_same_findings(layer_cache_dir, monkeypatch):
    _quiet(check, SITES, PROJECT)  # fills the cache
    assert _entries(layer_cache_dir)
    cached = _quiet(check, SITES, PROJECT)
    monkeypatch.setenv("ECOGIS_NO_CACHE", "1")
    fresh = _quiet(check, SITES, PROJECT)
    _assert_same_findings(_findings(cached), _findings(fresh))
    assert cached.verdict == fresh.verdict
    assert [s.verdict for s in cached.sites] == [s.verdict for s in fresh.sites]
    assert [z.to_dict() for z in cached.zones] == [z.to_dict() for z in fresh.zones]
    assert [str(n) for n in cached.assumptions] == [str(n) for n in fresh.assumptions]


@pytest.fixture
def redline(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    for name in ("redline.shp", "redline.dbf", "redline.shx", "redline.prj"):
        shutil.copy(LAYERS / "redline" / name, folder / name)
    (folder / "redline.cpg").write_text("GBK", encoding="ascii")
    return folder / "redline.shp"


def _read(path):
    return _quiet(LayerSpec(name="redline", kind="redline", path=path).read)


def test_a_changed_layer_file_is_a_new_index_entry(layer_cache_dir, redline):
    first = _read(redline)
    before = _index_of("redline", first)
    assert len(_entries(layer_cache_dir)) == 1
    assert layer_cache.key_of(_read(redline)) == layer_cache.key_of(first)  # a hit: the same key
    target = redline.with_suffix(".shp")
    data = bytearray(target.read_bytes())
    data[len(data) - 8] ^= 0x01  # the lowest byte of the last coordinate: same size, another geometry
    target.write_bytes(bytes(data))
    changed = _read(redline)
    assert layer_cache.key_of(changed) != layer_cache.key_of(first)
    after = _index_of("redline", changed)
    assert len(_entries(layer_cache_dir)) == 2
    assert not np.array_equal(shapely.to_wkb(after.geoms), shapely.to_wkb(before.geoms))
    assert np.array_equal(shapely.to_wkb(after.geoms), shapely.to_wkb(
        layer_arrays(changed, "redline", GK41).geoms))  # the new bytes, not the old entry


def test_another_zone_is_another_entry(layer_cache_dir, redline):
    layer = _read(redline)
    in41, in40 = _index_of("redline", layer), _index_of("redline", layer, metric_crs(120.0))
    assert len(_entries(layer_cache_dir)) == 2
    to40 = pyproj.Transformer.from_crs(GK41, metric_crs(120.0), always_xy=True)
    first = shapely.get_coordinates(in41.geoms[:1])[0]
    assert shapely.get_coordinates(in40.geoms[:1])[0] == pytest.approx(to40.transform(*first), abs=1e-6)


def test_a_layer_not_from_the_cache_is_indexed_without_it(layer_cache_dir, redline):
    layer = _read(redline)
    part = layer.iloc[:1]  # a new object: no cache key, its index is computed and not kept
    assert layer_cache.key_of(part) is None
    indexed = _index_of("redline", part)
    assert len(indexed.geoms) == 1 and not _entries(layer_cache_dir)


def test_no_entry_with_the_cache_switched_off(monkeypatch, tmp_path, redline):
    monkeypatch.setenv("ECOGIS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ECOGIS_NO_CACHE", "1")
    _index_of("redline", _read(redline))
    assert not os.path.exists(tmp_path / "cache")
