"""GeoParquet layers and sites (a file or a folder of parts): read with the same CRS handling, field
mapping and normalisation as the other formats; ``ecogis convert x.gpkg y.parquet`` writes GeoParquet."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from click.testing import CliRunner
from conftest import LONLAT_INFERRED, assumed

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.cli.io_cmds import convert
from ecogis.errors import EcogisError
from ecogis.io import read_layer
from ecogis.io.read import detect_format

LAYERS = Path(__file__).resolve().parent.parent / "layers"
REDLINE_2023 = LAYERS / "redline" / "redline_2023.gpkg"


@pytest.fixture(scope="module")
def redline():
    """The sample 2023 red line as geopandas reads it (CRS, field names and text as stored)."""
    return gpd.read_file(REDLINE_2023)


def without_crs_member(src: Path, dst: Path) -> None:
    """Copy a GeoParquet file with the ``crs`` member removed from its metadata (spec default: CRS84)."""
    table = pq.read_table(src)
    geo = json.loads(table.schema.metadata[b"geo"])
    for col in geo["columns"].values():
        col.pop("crs", None)
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, b"geo": json.dumps(geo).encode()}), dst)


def test_geoparquet_layer_reads_like_its_geopackage(redline, tmp_path):
    out = tmp_path / "redline.parquet"
    redline.to_parquet(out)
    assert detect_format(out) == "parquet"
    a = read_layer(REDLINE_2023, kind="redline")
    b = read_layer(out, kind="redline")
    assert b.crs == a.crs == redline.crs
    assert b.attrs["ecogis"]["crs_source"] == "file" and b.attrs["ecogis"]["format"] == "parquet"
    assert b.attrs["ecogis"]["encoding"] == "utf-8"
    assert list(b.columns) == list(a.columns)  # the same canonical fields from the same mapping
    pd.testing.assert_frame_equal(pd.DataFrame(b.drop(columns="geometry")), pd.DataFrame(a.drop(columns="geometry")))
    assert shapely.equals_exact(np.asarray(b.geometry.values), np.asarray(redline.geometry.values), 0).all()


def test_folder_of_parquet_parts_is_one_layer(redline, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    half = len(redline) // 2
    redline.iloc[:half].to_parquet(folder / "part-0.parquet")
    redline.iloc[half:].to_parquet(folder / "part-1.parquet")
    assert detect_format(folder) == "parquet"
    gdf = read_layer(folder, kind="redline")
    assert len(gdf) == len(redline) and gdf.crs == redline.crs and gdf.attrs["ecogis"]["parts"] == 2
    assert sorted(shapely.to_wkb(np.asarray(gdf.geometry.values))) == \
        sorted(shapely.to_wkb(np.asarray(redline.geometry.values)))


@pytest.mark.parametrize("how", ["crs null", "crs member missing"])
def test_geoparquet_without_a_crs_is_inferred_and_said(tmp_path, how):
    lonlat = gpd.GeoDataFrame({"name": ["甲", "乙"]}, geometry=shapely.points([[121.9, 41.1], [122.1, 40.9]]),
                               crs="EPSG:4490")
    stated = tmp_path / "stated.parquet"
    path = tmp_path / "bare.parquet"
    if how == "crs null":
        lonlat.set_crs(None, allow_override=True).to_parquet(path)
        assert json.loads(pq.read_schema(path).metadata[b"geo"])["columns"]["geometry"]["crs"] is None
    else:
        lonlat.to_parquet(stated)
        without_crs_member(stated, path)
        assert gpd.read_parquet(path).crs == "OGC:CRS84"  # what geopandas alone would assume, unsaid
    with assumed(LONLAT_INFERRED):
        gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 4490 and gdf.attrs["ecogis"]["crs_source"] == "inferred"
    assert read_layer(path, crs="EPSG:4490").attrs["ecogis"]["crs_source"] == "user"  # no note: given


def test_plain_parquet_without_geo_metadata_is_an_error(tmp_path):
    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": [1.0], "y": [2.0]}), path)
    with pytest.raises(EcogisError, match="without GeoParquet metadata"):
        read_layer(path)


def test_parquet_has_no_layers_to_choose(redline, tmp_path):
    path = tmp_path / "redline.parquet"
    redline.to_parquet(path)
    with pytest.raises(EcogisError, match="no layers to choose"):
        read_layer(path, layer="redline")


def test_check_with_a_parquet_layer_equals_the_geopackage_check(redline, tmp_path):
    redline.to_parquet(tmp_path / "redline.parquet")
    findings = {}
    for name, path in (("gpkg", REDLINE_2023), ("parquet", tmp_path / "redline.parquet")):
        yml = tmp_path / f"{name}.yaml"
        yml.write_text(f"name: t\nbuffers_m: [500]\nlayers:\n  redline: {{kind: redline, path: '{path}'}}\n",
                       encoding="utf-8")
        findings[name] = check("122.05,41.02", yml, site_crs="EPSG:4490").findings.frame
    assert len(findings["gpkg"]) > 0
    pd.testing.assert_frame_equal(findings["parquet"], findings["gpkg"])


def test_batch_sites_from_geoparquet_equal_sites_from_geopackage(tmp_path):
    rng = np.random.default_rng(1)
    x, y = rng.uniform(121.9, 122.2, 50), rng.uniform(40.9, 41.2, 50)
    sites = gpd.GeoDataFrame({"id": [f"S{i}" for i in range(50)], "name": [f"场址{i}" for i in range(50)]},
                             geometry=shapely.box(x, y, x + 0.004, y + 0.003), crs="EPSG:4490")
    sites.to_file(tmp_path / "sites.gpkg")
    sites.to_parquet(tmp_path / "sites.parquet")
    yml = tmp_path / "p.yaml"
    yml.write_text(f"name: t\nbuffers_m: [500]\nlayers:\n  redline: {{kind: redline, path: '{REDLINE_2023}'}}\n",
                   encoding="utf-8")
    out = {}
    for suffix in ("gpkg", "parquet"):
        res = CliRunner().invoke(check_cmd, [str(tmp_path / f"sites.{suffix}"), "-p", str(yml), "--batch",
                                             "--format", "json", "--out", str(tmp_path / suffix)])
        assert res.exit_code == 0, res.output
        out[suffix] = json.loads(next((tmp_path / suffix).glob("*.json")).read_text(encoding="utf-8"))
    assert out["parquet"]["sites"] == out["gpkg"]["sites"] and out["parquet"]["findings"] == out["gpkg"]["findings"]
    assert len(out["gpkg"]["sites"]) == 50


def test_convert_writes_geoparquet(redline, tmp_path):
    dest = tmp_path / "redline.parquet"
    res = CliRunner().invoke(convert, [str(REDLINE_2023), str(dest)])
    assert res.exit_code == 0, res.output
    geo = json.loads(pq.read_schema(dest).metadata[b"geo"])
    assert geo["version"].startswith("1.") and geo["columns"]["geometry"]["crs"]["id"]["code"] == 4490
    back = gpd.read_parquet(dest)
    assert back.crs == redline.crs and len(back) == len(redline)
    assert shapely.equals_exact(np.asarray(back.geometry.values), np.asarray(redline.geometry.values), 1e-9).all()
