"""ecogis's full-screen and measure controls write what folium's plugins write (folium.plugins is not
imported by HTML reports: it compiles forty plugins' templates)."""
import subprocess
import sys

import folium
import folium.plugins

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
