"""``ecogis info`` as a library call: describe_layer / list_layers / guess_kind return plain result
objects; the text is rendered by ecogis.render.layer_text. Expected values are read with pyogrio and
pyproj directly, not with ecogis."""
from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
import shapely
from conftest import LAYERS

import ecogis
from ecogis.describe import LayerDescription, LayerListing, LayerSummary
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.render.layer_text import format_layer_description, format_layer_listing

REDLINE = LAYERS / "redline" / "redline.shp"
BOUNDARY = LAYERS / "boundary" / "panjin.gpkg"


@pytest.fixture(scope="module")
def redline() -> LayerDescription:
    with pytest.warns(AssumptionWarning, match="no .cpg file"):
        return ecogis.describe_layer(REDLINE)


def test_describe_layer_counts_and_bounds_as_the_file_holds_them(redline):
    info = pyogrio.read_info(REDLINE, encoding="GB18030")
    frame = pyogrio.read_dataframe(REDLINE, encoding="GB18030")
    assert redline.count == info["features"] == 7
    assert redline.bounds == pytest.approx(list(frame.total_bounds), abs=1e-6)
    assert redline.bounds_units == "metre"
    assert redline.fields == [c for c in frame.columns if c != "geometry"]
    assert redline.geometry_types == sorted(set(frame.geom_type))


def test_describe_layer_gives_lonlat_bounds_on_cgcs2000(redline):
    import pyproj

    frame = pyogrio.read_dataframe(REDLINE, encoding="GB18030")
    to_lonlat = pyproj.Transformer.from_crs(frame.crs, 4490, always_xy=True)
    lon, lat = to_lonlat.transform(*shapely.get_coordinates(frame.geometry.values).T)
    assert redline.bounds_lonlat == pytest.approx([lon.min(), lat.min(), lon.max(), lat.max()], abs=1e-6)


def test_describe_layer_keeps_the_reading_assumptions_as_notes(redline):
    assert any("no .cpg file" in n and "GB18030" in n for n in redline.notes)
    assert redline.encoding == "GB18030" and redline.encoding_source == "detected"
    assert redline.with_notes([redline.notes[0], "extra"]).notes == [*redline.notes, "extra"]


def test_the_result_is_plain_data_with_the_keys_of_info_json(redline):
    d = redline.to_dict()
    assert {"path", "crs", "crs_source", "encoding", "count", "bounds", "bounds_lonlat", "fields", "notes",
            "empty_geometries", "invalid_geometries"} <= set(d)
    assert d["count"] == 7 and isinstance(d["notes"], list)


def test_the_renderer_writes_the_info_text(redline):
    text = format_layer_description(redline)
    assert text.splitlines()[0].startswith("文件 file:") and "redline.shp" in text.splitlines()[0]
    assert "要素数 count:    7" in text and "EPSG:4529" in text and "GB18030" in text
    assert "注意 notes:" in text and "未找到 .cpg 文件" in text   # the note in Chinese


def test_list_layers_reads_the_layers_of_a_geopackage_from_its_metadata():
    expected = {name: geometry for name, geometry in pyogrio.list_layers(BOUNDARY) if geometry is not None}
    listing = ecogis.list_layers(BOUNDARY)
    assert {s.name: s.geometry_type for s in listing} == expected and len(expected) > 1
    counts = {name: pyogrio.read_info(BOUNDARY, layer=name)["features"] for name in expected}
    assert {s.name: s.count for s in listing} == counts
    text = format_layer_listing(LayerListing(str(BOUNDARY), listing))
    assert f"该文件有 {len(expected)} 个图层" in text and all(f"  {name}  (" in text for name in expected)


def test_list_layers_is_empty_for_a_single_layer_file():
    assert ecogis.list_layers(REDLINE) == []
    assert ecogis.list_layers(LAYERS / "water" / "outfalls.csv") == []


def test_a_missing_file_is_an_ecogis_error(tmp_path):
    with pytest.raises(EcogisError, match="missing.shp"):
        ecogis.describe_layer(tmp_path / "missing.shp")


@pytest.mark.parametrize("path,kind", [
    ("layers/redline/redline.shp", "redline"),
    ("layers/water/sections.xlsx", "water_section"),
    ("delivery/panjin-redline_2023.gpkg", "redline"),
    ("data/unknown.gpkg", None),
])
def test_guess_kind_reads_the_file_and_folder_names(path, kind):
    assert ecogis.guess_kind(Path(path)) == kind


def test_the_result_types_are_exported():
    assert ecogis.LayerDescription is LayerDescription and ecogis.LayerSummary is LayerSummary
    assert {"describe_layer", "list_layers", "guess_kind", "LayerDescription"} <= set(ecogis.__all__)
