"""``ecogis map`` as a library call: write_map draws layers into a file and returns a MapResult."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.render.map_file import check_map_output, format_map_result, write_map


def _layers():
    redline = gpd.GeoDataFrame({"名称": ["辽河口红线"]}, geometry=[box(121.70, 40.90, 121.90, 41.05)], crs=4490)
    redline.attrs["ecogis"] = {"kind": "redline", "notes": ["hx.shp: read note"]}
    wells = gpd.GeoDataFrame({"名称": ["井1", "井2"]}, geometry=[Point(121.8, 41.0), Point(121.85, 41.02)], crs=4490)
    return {"hx": redline, "wells": wells}


def test_write_map_html_returns_what_it_drew(tmp_path):
    out = tmp_path / "m.html"
    with pytest.warns(AssumptionWarning, match="'wells' has no known kind"):
        result = write_map(_layers(), out, title="测试图")
    assert result.format == "html" and result.bytes == out.stat().st_size > 0
    assert [(s.name, s.kind, s.features, s.crs) for s in result.layers] == [
        ("hx", "redline", 1, "EPSG:4490"), ("wells", None, 2, "EPSG:4490")]
    assert result.notes[0] == "hx.shp: read note" and any("'wells' has no known kind" in n for n in result.notes)
    assert result.site is None
    assert "测试图" in out.read_text(encoding="utf-8")
    assert format_map_result(result).startswith(f"wrote {out} (html, 2 layer(s), ")
    assert result.to_dict()["layers"][0] == {"name": "hx", "kind": "redline", "features": 1, "crs": "EPSG:4490"}


def test_a_static_map_warns_that_a_basemap_does_not_apply(tmp_path):
    out = tmp_path / "m.png"
    notes: list = []
    with pytest.warns(AssumptionWarning) as warned:
        result = write_map(_layers(), out, basemap="osm", dpi=50, inset=False, notes=notes)
    assert any("applies to HTML maps only" in str(w.message) for w in warned)
    assert out.read_bytes()[:4] == b"\x89PNG" and result.dpi == 50 and result.basemap is None
    assert any("applies to HTML maps only" in n for n in result.notes) and notes == result.notes[1:]


@pytest.mark.parametrize("name,message", [("m.jpg", "unsupported output type"), ("exists.html", "exists")])
def test_the_output_is_checked_before_any_layer_is_read(tmp_path, name, message):
    (tmp_path / "exists.html").write_text("keep me", encoding="utf-8")
    with pytest.raises(EcogisError, match=message):
        check_map_output(tmp_path / name)
    assert (tmp_path / "exists.html").read_text(encoding="utf-8") == "keep me"
