"""Finding records from whole columns in plain Python (ecogis.check_result.FindingTable.records): the
same dicts as the pandas way (astype(object), NaN as None, ha/亩 and the English verdict added as
columns), computed here with pandas on the sample check and on a frame with missing values."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from conftest import LAYERS

from ecogis.check import check
from ecogis.check_result import FindingTable
from ecogis.rules import VERDICT_EN


def _pandas_records(frame: pd.DataFrame) -> list[dict]:
    df = frame.copy()
    df["overlap_area_ha"] = df["overlap_area_m2"].astype(float) / 10_000.0
    df["overlap_area_mu"] = df["overlap_area_m2"].astype(float) * 0.0015  # 1 亩 = 10000/15 m²
    df["verdict_en"] = df["verdict"].map(VERDICT_EN)
    cols = {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns}
    return [dict(zip(cols, row)) for row in zip(*cols.values())]


def _same(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert list(g) == list(w)
        for key, value in w.items():
            if isinstance(value, float):
                assert math.isclose(g[key], value, rel_tol=1e-12), key
            else:
                assert g[key] == value and type(g[key]) is type(value), key


def test_records_of_the_sample_check_are_the_pandas_records():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = check(LAYERS / "sites" / "sites_zone41.txt", LAYERS / "project.yaml")
    assert len(result.findings) > 100
    _same(result.findings.records(), _pandas_records(result.findings.frame))


def test_missing_values_are_none_and_an_unknown_verdict_has_no_english():
    frame = pd.DataFrame({"site": ["A", "B", None], "zone": pd.array(["核心区", None, "x"], dtype="str"),
                          "overlap_area_m2": [1500.0, np.nan, 0.0], "distance_m": [np.nan, 12.5, 3.0],
                          "verdict": ["禁止", "符合", "？"], "buffer_m": pd.array([500, None, 1000], dtype="Int64")})
    table = FindingTable(frame)
    got = table.records()
    _same(got, _pandas_records(table.frame))
    assert got[1]["overlap_area_m2"] is None and got[1]["overlap_area_ha"] is None
    assert got[2]["verdict_en"] is None and got[0]["verdict_en"] == "prohibited"
    assert math.isclose(got[0]["overlap_area_mu"], 1.0 * 1500 / (10_000 / 15), rel_tol=1e-12)
