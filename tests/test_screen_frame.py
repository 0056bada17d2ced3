"""The findings frame of a chunk built in one pass (ecogis.screen_frame.findings_frame) is the frame that
pandas concatenates from one frame per layer: the same columns, values, dtypes and missing-value objects.

Expectation: ``pd.concat`` of the per-layer frames (ecogis.screen_frame.layer_frame, one layer at a time).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import LAYERS

from ecogis.crs import metric_crs
from ecogis.geodesy import ellipsoidal_area, geodesic_length
from ecogis.project import load_project
from ecogis.rules import load_rules
from ecogis.screen_frame import findings_frame, layer_frame
from ecogis.screen_index import index_layers
from ecogis.screen_pairs import pairs_findings
from ecogis.site_input import read_site

GK41 = metric_crs(123.0)  # the zone of the sample sites


@pytest.fixture(scope="module")
def found():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        layers = load_project(LAYERS / "project.yaml").read_layers()
        sites, _ = read_site(LAYERS / "sites" / "sites_zone41.txt")
    sites = sites.to_crs(GK41)
    s_geoms = np.asarray(sites.geometry.values)
    area, length = ellipsoidal_area(s_geoms, GK41), geodesic_length(s_geoms, GK41)
    indexed = index_layers(layers, GK41, load_rules(), [500.0, 1000.0], None)
    pairs = [(lyr, pairs_findings(lyr, s_geoms, GK41, [500.0, 1000.0], area, length)) for lyr in indexed]
    return pairs, sites["id"].to_numpy(dtype=object), sites["name"].to_numpy(dtype=object)


def _concatenated(pairs, ids, names) -> pd.DataFrame:
    frames = [layer_frame(lyr, cols, ids, names) for lyr, cols in pairs if len(cols["_s"])]
    return pd.concat(frames, ignore_index=True)


def _assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for col in want.columns:  # None and NaN are equal to assert_frame_equal: compare the objects' types
        if want[col].dtype == object:
            assert got[col].map(type).tolist() == want[col].map(type).tolist(), col


def test_the_one_pass_frame_is_the_concatenation_of_the_layer_frames(found):
    pairs, ids, names = found
    want = _concatenated(pairs, ids, names)
    assert len(want) > 0 and want["layer"].nunique() >= 10
    assert want["zone"].dtype == object  # layers without zones make the zone column an object column
    _assert_identical(findings_frame(pairs, ids, names), want)


def test_layers_with_zones_only_keep_a_text_zone_column(found):
    pairs, ids, names = found
    zoned = [(lyr, cols) for lyr, cols in pairs if any(z is not None for z in lyr.zones)]
    assert len(zoned) >= 2
    want = _concatenated(zoned, ids, names)
    assert isinstance(want["zone"].dtype, pd.StringDtype)
    _assert_identical(findings_frame(zoned, ids, names), want)


def test_one_layer_or_none_with_findings(found):
    pairs, ids, names = found
    empty = {k: (v[:0] if hasattr(v, "__len__") and not isinstance(v, str) else v) for k, v in pairs[0][1].items()}
    one = [(pairs[0][0], empty), pairs[1]]
    _assert_identical(findings_frame(one, ids, names), _concatenated(one, ids, names))
    assert findings_frame([(pairs[0][0], empty)], ids, names) is None
