"""ecogis's full-screen and measure controls write what folium's plugins write (folium.plugins is not
imported by HTML reports: it compiles forty plugins' templates)."""
import subprocess
import sys

import folium
import folium.plugins
import pytest

from ecogis.render.folium_plugins import Fullscreen, MeasureControl


def _script(element_class, **options) -> str:
    m = folium.Map(tiles=None)
    m._id = "fixed"
    control = element_class(**options).add_to(m)
    control._id = "fixed"
    return control._template.module.script(control, {})


def test_fullscreen_script_is_folium_plugins_script():
    opts = {"position": "topleft", "title": "全屏", "title_cancel": "退出全屏"}
    assert _script(Fullscreen, **opts) == _script(folium.plugins.Fullscreen, **opts)
    assert Fullscreen.default_js == folium.plugins.Fullscreen.default_js
    assert Fullscreen.default_css == folium.plugins.Fullscreen.default_css


def test_measure_script_is_folium_plugins_script():
    opts = {"position": "topleft", "primary_length_unit": "meters", "secondary_length_unit": "kilometers",
            "primary_area_unit": "sqmeters", "secondary_area_unit": "hectares", "localization": "cn"}
    assert _script(MeasureControl, **opts) == _script(folium.plugins.MeasureControl, **opts)
    assert MeasureControl.default_js == folium.plugins.MeasureControl.default_js
    assert MeasureControl.default_css == folium.plugins.MeasureControl.default_css


def test_map_module_does_not_import_folium_plugins_or_openpyxl():
    code = ("import sys, ecogis.render.folium_map, ecogis.render.check_html; "
            "print(sorted(m for m in sys.modules if m.startswith(('folium.plugins', 'openpyxl'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _layer_page(geojson_class, data) -> str:
    """The page of a map with one GeoJson layer of ``geojson_class``, folium's random ids fixed."""
    m = folium.Map(tiles=None)
    m._id = "m"
    layer = geojson_class(data, name="河", style_function=lambda f: {"color": "#c00"},
                          tooltip=folium.GeoJsonTooltip(fields=["name"]))
    layer._id = "layer"
    layer.add_to(m)
    for i, child in enumerate(layer._children.values()):
        child._id = f"child{i}"
    return m.get_root().render()


def test_plain_geojson_writes_what_folium_writes_without_parsing_it_again():
    from ecogis.render.folium_geojson import PlainGeoJson

    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 0, "properties": {"name": "river {{ 7*7 }}"},
         "geometry": {"type": "Point", "coordinates": [121.5, 41.0]}}]}
    folium_page, plain_page = _layer_page(folium.GeoJson, data), _layer_page(PlainGeoJson, data)
    # folium parses each rendered script as a template again: it evaluates the feature's text; ecogis does not
    assert "river 49" in folium_page and "river {{ 7*7 }}" in plain_page
    data["features"][0]["properties"]["name"] = "辽河"
    same = [page.replace("\n", "").replace(" ", "")
            for page in (_layer_page(folium.GeoJson, data), _layer_page(PlainGeoJson, data))]
    assert same[0] == same[1]   # otherwise the same page, up to a template's trailing newline


def _tooltip_css(tooltip_class) -> str:
    m = folium.Map(tiles=None)
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 0, "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}
    layer = folium.GeoJson(data).add_to(m)
    tooltip = tooltip_class(fields=["name"]).add_to(layer)
    tooltip._id = "fixed"
    tooltip.render()
    return "".join(m.get_root().header._children["geo_json_tooltip_fixedtablestyle"].render().split())


def test_text_tooltip_adds_folium_table_css_and_checks_fields():
    from ecogis.render.folium_geojson import TextTooltip

    assert _tooltip_css(TextTooltip) == _tooltip_css(folium.GeoJsonTooltip)
    m = folium.Map(tiles=None)
    layer = folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 0, "properties": {"name": "a"},
         "geometry": {"type": "Point", "coordinates": [1, 2]}}]}).add_to(m)
    TextTooltip(fields=["missing"]).add_to(layer)
    with pytest.raises(AssertionError, match="missing"):
        m.get_root().render()
