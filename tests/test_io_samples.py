"""The bundled messy sample layers (layers/) read correctly: GBK without .cpg, DMS XLSX, exchange text.

Expected values are facts about the inputs, not ecogis output: Panjin lies within about
121.4-122.6 E, 40.6-41.5 N; the red-line shapefile was written in GBK without a .cpg; the exchange text
is in CGCS2000 3-degree zone 41 with the zone prefix (EPSG:4529).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import LAYERS, sample_assumed

from ecogis.io import read_layer

PANJIN = (121.4, 40.6, 122.6, 41.5)
MOJIBAKE = re.compile(r"[\u00c0-\u00ff]")  # Latin-1 letters appear when GBK is decoded as Latin-1


def _read(rel, **kw):
    with sample_assumed(rel):
        return read_layer(LAYERS / rel, **kw)


def _inside_panjin(gdf):
    b = gdf.to_crs(4490).total_bounds
    return PANJIN[0] <= b[0] and b[2] <= PANJIN[2] and PANJIN[1] <= b[1] and b[3] <= PANJIN[3]


def test_gbk_redline_shapefile_without_cpg():
    assert not (LAYERS / "redline" / "redline.cpg").exists()
    gdf = _read("redline/redline.shp")
    meta = gdf.attrs["ecogis"]
    assert meta["encoding"] == "GB18030" and meta["encoding_source"] == "detected"
    text = " ".join(gdf.select_dtypes(exclude="number").drop(columns="geometry").astype(str).to_numpy().ravel())
    assert re.search(r"[\u4e00-\u9fff]", text) and not MOJIBAKE.search(text)
    assert _inside_panjin(gdf)


def test_sections_xlsx_with_dms():
    gdf = _read("water/sections.xlsx")
    assert gdf.crs.to_epsg() == 4490 and gdf.attrs["ecogis"]["crs_source"] == "inferred"
    assert _inside_panjin(gdf)
    assert np.isfinite(gdf.geometry.x).all()


def test_exchange_text_zone41():
    gdf = _read("sites/sites_zone41.txt")
    assert gdf.crs.to_epsg() == 4529 and gdf.attrs["ecogis"]["format"] == "exchange"
    assert _inside_panjin(gdf)


@pytest.mark.parametrize("rel,kind", [("reserve/liaohekou.geojson", "reserve"),
                                      ("water/sections.xlsx", "water_section"),
                                      ("water/outfalls.csv", "outfall")])
def test_sample_layers_normalise_to_their_kind(rel, kind):
    gdf = _read(rel, kind=kind)
    assert gdf.attrs["ecogis"]["kind"] == kind and len(gdf) > 0
    assert _inside_panjin(gdf)
