"""The two Leaflet plugin controls of ecogis maps (full screen, measure), as folium elements.

They write the same JavaScript as folium's ``folium.plugins.Fullscreen`` and ``MeasureControl`` (folium
0.20, MIT licence) and name the same resources (vendored by :mod:`ecogis.render.folium_offline`), but
importing them does not import ``folium.plugins``: that package imports and compiles the templates of
its forty plugins, ≈ 80 ms of every HTML report for two controls. Their scripts go into the page as text
(:class:`ecogis.render.folium_offline.PlainMacro`).
"""
from __future__ import annotations

from folium.elements import JSCSSMixin
from folium.template import Template
from folium.utilities import remove_empty

from ecogis.render.folium_offline import PlainMacro


class Fullscreen(JSCSSMixin, PlainMacro):
    """The full-screen button (Leaflet.fullscreen 3.0.0): ``L.control.fullscreen(options)``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.fullscreen(
                {{ this.options|tojavascript }}
            ).addTo({{this._parent.get_name()}});
        {% endmacro %}
        """)
    default_js = [("Control.Fullscreen.js",
                   "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js")]
    default_css = [("Control.FullScreen.css",
                    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css")]

    def __init__(self, position: str = "topleft", title: str = "Full Screen", title_cancel: str = "Exit Full Screen",
                 force_separate_button: bool = False, **kwargs):
        super().__init__()
        self._name = "Fullscreen"
        self.options = remove_empty(position=position, title=title, title_cancel=title_cancel,
                                    force_separate_button=force_separate_button, **kwargs)


class MeasureControl(JSCSSMixin, PlainMacro):
    """The distance and area measure control (leaflet-measure 2.1.7), with folium's fix for Leaflet ≥ 1.8
    (no auto-pan of the capture marker, ljagis/leaflet-measure#171)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new L.Control.Measure(
                {{ this.options|tojavascript }});
            {{this._parent.get_name()}}.addControl({{this.get_name()}});

            // Workaround for using this plugin with Leaflet>=1.8.0
            // https://github.com/ljagis/leaflet-measure/issues/171
            L.Control.Measure.include({
                _setCaptureMarkerIcon: function () {
                    // disable autopan
                    this._captureMarker.options.autoPanOnFocus = false;
                    // default function
                    this._captureMarker.setIcon(
                        L.divIcon({
                            iconSize: this._map.getSize().multiplyBy(2)
                        })
                    );
                },
            });

        {% endmacro %}
        """)
    default_js = [("leaflet_measure_js",
                   "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js")]
    default_css = [("leaflet_measure_css",
                    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css")]

    def __init__(self, position: str = "topright", primary_length_unit: str = "meters",
                 secondary_length_unit: str = "miles", primary_area_unit: str = "sqmeters",
                 secondary_area_unit: str = "acres", **kwargs):
        super().__init__()
        self._name = "MeasureControl"
        self.options = remove_empty(position=position, primary_length_unit=primary_length_unit,
                                    secondary_length_unit=secondary_length_unit, primary_area_unit=primary_area_unit,
                                    secondary_area_unit=secondary_area_unit, **kwargs)
