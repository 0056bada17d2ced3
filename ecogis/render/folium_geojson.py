"""The folium elements of a map layer: its GeoJSON, and popups and tooltips that show values as text.

:class:`PlainGeoJson`, :class:`TextPopup` and :class:`TextTooltip` put their rendered script into the page
as it is (:class:`ecogis.render.folium_offline.PlainMacro`) instead of compiling it as a template again.
"""
from __future__ import annotations

import folium
from folium.template import Template

from ecogis.render.folium_offline import PlainMacro, RawHTML


class PlainGeoJson(folium.GeoJson, PlainMacro):
    """folium's GeoJson layer (same script), its rendered script (the layer's GeoJSON) kept as text."""


# Popups and tooltips: folium's GeoJsonPopup/GeoJsonTooltip build their table as an HTML string from
# the feature's values and field labels, so a parcel named <img src=x onerror=...> would run script.
# These build the same table with DOM nodes and textContent: names and values are only ever text.
TEXT_TABLE_JS = """
    function(layer){
    let div = L.DomUtil.create('div');
    let fields = {{ this.fields | tojson | safe }};
    let aliases = {{ this.aliases | tojson | safe }};
    let table = L.DomUtil.create('table', '', div);
    fields.forEach(function(field, i){
        let tr = L.DomUtil.create('tr', '', table);
        {% if this.labels %}L.DomUtil.create('th', '', tr).textContent = aliases[i];{% endif %}
        let v = layer.feature.properties[field];
        L.DomUtil.create('td', '', tr).textContent =
            (v === null || v === undefined) ? '' : (typeof v == 'object' ? JSON.stringify(v) : String(v));
    });
    return div;
    }
    """


#: the table CSS folium's GeoJsonDetail adds to the page for each popup and tooltip (folium 0.20), compiled once
DETAIL_CSS = Template("""<style>
.{{ this.class_name }} {
{{ this.style }}
}
.{{ this.class_name }} table{
margin: auto;
}
.{{ this.class_name }} tr{
text-align: left;
}
.{{ this.class_name }} th{
padding: 2px; padding-right: 8px;
}
</style>""")


class _TextDetail(PlainMacro):
    """folium's ``GeoJsonDetail.render`` for a popup or tooltip of a GeoJson layer: the fields must be
    properties of the features, GeometryCollections are warned about, the table CSS goes into the page
    header; but that CSS template is compiled once, not twice for every popup and tooltip."""

    def render(self, **kwargs):
        features = self._parent.data["features"]
        keys = [k for k in (features[0]["properties"] if features else ()) if k not in ("style", "highlight")]
        for field in self.fields:
            assert field in keys, f"The field {field} is not available in the data. Choose from: {keys}."
        self.warn_for_geometry_collections()
        self.get_root().header.add_child(RawHTML(DETAIL_CSS.render(this=self)), name=self.get_name() + "tablestyle")
        super().render(**kwargs)


class TextPopup(_TextDetail, folium.GeoJsonPopup):
    """folium's GeoJsonPopup (same table and CSS classes) with names and values inserted as text."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindPopup(""" + TEXT_TABLE_JS + """,{{ this.popup_options | tojavascript }});
    {% endmacro %}
    """)


class TextTooltip(_TextDetail, folium.GeoJsonTooltip):
    """folium's GeoJsonTooltip with names and values inserted as text."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(""" + TEXT_TABLE_JS + """,{{ this.tooltip_options | tojavascript }});
    {% endmacro %}
    """)
