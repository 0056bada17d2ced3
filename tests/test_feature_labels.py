"""Feature labels (ecogis.screen_index.feature_labels) in plain Python for text, integer, float and boolean
name fields: the same text as pandas' whole-column ``astype(str)`` with missing or blank values replaced by
``#<position + 1>`` (computed here with pandas, the way the labels were made before)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from ecogis.screen_index import feature_labels


def _pandas_labels(gdf, positions) -> list[str]:
    positions = np.asarray(positions, dtype=np.int64)
    fallback = pd.Series(positions + 1, dtype=np.int64).astype(str).radd("#")
    for col in ("name", "id", "名称", "NAME", "编号"):
        if col in gdf.columns:
            vals = gdf[col].iloc[positions].reset_index(drop=True)
            text = vals.astype(str)
            return text.where(vals.notna() & (text.str.strip() != ""), fallback).tolist()
    return fallback.tolist()


COLUMNS = {
    "text": ["a", None, " ", "b\u3000", "", "辽河口"],
    "int": [1, 2, 3, 4, 5, 6],
    "float": [1.5, np.nan, 3.0, 1e20, 0.1 + 0.2, -0.0],
    "bool": [True, False, True, True, False, True],
    "nullable int": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
    "mixed": ["x", 1, 2.5, None, np.nan, "  y "],
    "string": pd.array(["a", None, "c", " ", "e", "f"], dtype="string"),
    "dates": pd.to_datetime(["2020-01-01"] * 6),
    "categories": pd.Categorical(["a", "b", None, "a", "b", "a"]),
}


@pytest.mark.parametrize("kind", COLUMNS)
@pytest.mark.parametrize("field", ["name", "编号", "not a name field"])
def test_labels_are_the_pandas_text_of_the_name_field(kind, field):
    gdf = gpd.GeoDataFrame({field: COLUMNS[kind]}, geometry=[shapely.Point(0, 0)] * 6)
    for positions in ([0, 1, 2, 3, 4, 5], [5, 2], []):
        assert feature_labels(gdf, positions) == _pandas_labels(gdf, positions)


def test_blank_and_missing_names_are_numbered_by_position():
    gdf = gpd.GeoDataFrame({"name": ["甲", None, "  ", "丁"]}, geometry=[shapely.Point(0, 0)] * 4)
    assert feature_labels(gdf, [0, 1, 2, 3]) == ["甲", "#2", "#3", "丁"]
