"""Controls and page elements of folium maps: legend, north arrow, title, CSS, hatch patterns,
marker symbols. Legend symbols come from :func:`ecogis.render.styles.legend_items`."""
from __future__ import annotations

import html
import json

import folium
from folium.template import Template

from ecogis.render import styles as st
from ecogis.render.cells import visible_text
from ecogis.render.folium_offline import PlainMacro, RawHTML, template_safe_json
from ecogis.render.folium_plugins import Fullscreen, MeasureControl
from ecogis.render.map_layers import legend_order


class PlainLayerControl(folium.LayerControl, PlainMacro):
    """folium's layer control (same script), put into the page as text (:class:`PlainMacro`)."""


class ScriptElement(PlainMacro):
    """A MacroElement that adds a fixed script (with ``{map}`` replaced by the map variable)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.head }}{% endmacro %}
        {% macro script(this, kwargs) %}{{ this.code.replace('{map}', this._parent.get_name()) }}{% endmacro %}
        """
    )

    def __init__(self, name: str, code: str = "", head: str = ""):
        super().__init__()
        self._name = name
        self.code = code
        self.head = head

#: the control texts that do not come from styles.yaml, per language
CONTROL_WORDS = {
    "zh": {"simplified": "{title}：显示已简化（约 {metres} 米），分析使用原始数据", "measure_locale": "cn"},
    "en": {"simplified": "{title}: simplified for display (about {metres} m); analyses use full data",
           "measure_locale": "en"},
}


def js_string(text: str) -> str:
    """A JavaScript string literal in UTF-8 that cannot close or change the enclosing <script>
    (``<``, ``>`` and ``&`` written as ``\\u003c`` ...) nor the page template (no ``{{``)."""
    return (template_safe_json(text, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def control_js(position: str, css_class: str, inner_html: str) -> str:
    return (
        "(function(){var c=L.control({position:%s});c.onAdd=function(){"
        "var d=L.DomUtil.create('div',%s);d.innerHTML=%s;"
        "L.DomEvent.disableClickPropagation(d);L.DomEvent.disableScrollPropagation(d);return d;};"
        "c.addTo({map});})();" % (json.dumps(position), json.dumps(css_class), js_string(inner_html))
    )


MAP_CSS = """
<style>
.ecogis-legend{background:rgba(255,255,255,.94);padding:8px 10px;border:1px solid #777;
  border-radius:3px;font:13px/1.45 "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
  "PingFang SC","SimHei",sans-serif;color:#222;max-height:60vh;overflow-y:auto;box-shadow:0 1px 4px rgba(0,0,0,.25)}
.ecogis-legend h4{margin:0 0 5px;font-size:14px;display:inline;letter-spacing:.3em}
.ecogis-legend summary{cursor:pointer;text-align:center;margin-bottom:4px}
.ecogis-legend .row{display:flex;align-items:center;gap:6px;white-space:nowrap}
.ecogis-legend .grp{margin-top:4px;font-weight:bold}
.ecogis-legend .note{color:#555;font-size:12px}
.ecogis-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:800;
  background:rgba(255,255,255,.9);padding:4px 16px;border:1px solid #888;border-radius:3px;
  font:bold 18px "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","SimHei",sans-serif;color:#111}
.ecogis-north{background:rgba(255,255,255,.85);border:1px solid #888;border-radius:3px;padding:2px 4px;line-height:0}
.leaflet-control-layers-list{max-height:45vh;overflow-y:auto}
.foliumpopup table{font-size:13px}
.foliumpopup th{text-align:right;padding-right:6px;color:#444;white-space:nowrap}
</style>
"""

NORTH_SVG = (
    '<svg width="26" height="40" viewBox="0 0 26 40" aria-label="north">'
    '<polygon points="13,2 22,30 13,24" fill="#111"/><polygon points="13,2 4,30 13,24" fill="#fff" '
    'stroke="#111" stroke-width="1"/><polygon points="13,2 22,30 13,24" fill="none" stroke="#111" stroke-width="1"/>'
    '<text x="13" y="39" font-size="10" text-anchor="middle" font-weight="bold">{label}</text></svg>'
)


def hatch_defs(styles: dict) -> str:
    """Hidden SVG <pattern> defs for kinds with a ``hatch`` entry (used as fill: url(#...))."""
    patterns = []
    for kind, style in styles["kinds"].items():
        hatch = style.get("hatch")
        if not hatch:
            continue
        s = float(hatch.get("spacing", 8))
        patterns.append(
            f'<pattern id="ecogis-hatch-{kind}" patternUnits="userSpaceOnUse" width="{s}" height="{s}" '
            f'patternTransform="rotate({hatch.get("angle", 45)})">'
            f'<rect width="{s}" height="{s}" fill="{style.get("fill", "none")}" '
            f'fill-opacity="{style.get("fill_opacity", 0.2)}"/>'
            f'<line x1="0" y1="0" x2="0" y2="{s}" stroke="{hatch.get("color", style.get("stroke"))}" '
            f'stroke-width="{hatch.get("width", 1)}"/></pattern>'
        )
    if not patterns:
        return ""
    return ('<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
            + "".join(patterns) + "</defs></svg>")


def marker_svg(shape: str, size: float, fill: str, stroke: str, width: float) -> str:
    fill, stroke = html.escape(str(fill)), html.escape(str(stroke))
    s = size
    if shape == "triangle":
        pts = f"{s/2},{width} {s-width},{s-width} {width},{s-width}"
    elif shape == "diamond":
        pts = f"{s/2},{width} {s-width},{s/2} {s/2},{s-width} {width},{s/2}"
    else:  # square
        pts = f"{width},{width} {s-width},{width} {s-width},{s-width} {width},{s-width}"
    return (f'<svg width="{s}" height="{s}" viewBox="0 0 {s} {s}"><polygon points="{pts}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/></svg>')


def _swatch_polygon(fill: str, opacity: float, stroke: str, width: float, dash: str | None, hatch_id=None) -> str:
    fill_attr = f'url(#{hatch_id})' if hatch_id else fill
    op = 1 if hatch_id else opacity
    da = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg width="28" height="16"><rect x="1" y="1" width="26" height="14" fill="{fill_attr}" '
            f'fill-opacity="{op}" stroke="{stroke}" stroke-width="{min(width, 3)}"{da}/></svg>')


def _swatch_line(stroke: str, width: float, dash: str | None) -> str:
    da = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg width="28" height="16"><line x1="1" y1="8" x2="27" y2="8" stroke="{stroke}" '
            f'stroke-width="{width}"{da}/></svg>')


def _swatch_circle(fill: str, stroke: str, width: float, r: float = 6) -> str:
    return (f'<svg width="28" height="16"><circle cx="14" cy="8" r="{r}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width}"/></svg>')


def _text(text: str) -> str:
    """``text`` as HTML text: escaped, control characters shown as ``\\x00`` escapes."""
    return html.escape(visible_text(str(text)))


def _row(swatch: str, text: str) -> str:
    return f'<div class="row">{swatch}<span>{_text(text)}</span></div>'


def _swatch(item: dict) -> str:
    """SVG swatch for a legend item of :func:`ecogis.render.styles.legend_items`."""
    sym = item["symbol"]
    if sym == "polygon":
        hatch_id = f"ecogis-hatch-{item['hatch']}" if item.get("hatch") else None
        return _swatch_polygon(item["fill"], item["fill_opacity"], item["stroke"], item["width"],
                               item.get("dash"), hatch_id)
    if sym == "line":
        return _swatch_line(item["stroke"], item["width"], item.get("dash"))
    if sym == "circle":
        return _swatch_circle(item["fill"], item["stroke"], item["width"])
    if sym == "marker":
        return marker_svg(item["shape"], 14, item["fill"], item["stroke"], item["width"])
    return ""


def legend_html(groups, styles: dict, lang: str, simplified=()) -> str:
    """Legend HTML: single-symbol layers first, then one titled group per categorical layer."""
    parts = [f"<details open><summary><h4>{html.escape(st.text(styles, 'legend', lang))}</h4></summary>"]
    for title, rows, titled in legend_order(groups):
        if titled:
            parts.append(f'<div class="grp">{_text(title)}</div>')
        for item in rows:
            swatch, text = _swatch(item), item["text"]
            parts.append(_row(swatch, text) if swatch else f'<div class="note">{_text(text)}</div>')
    for title, tol_m in simplified:
        note = CONTROL_WORDS[lang]["simplified"].format(title=title, metres=f"{tol_m:.0f}")
        parts.append(f'<div class="note">{html.escape(note)}</div>')
    parts.append("</details>")
    return "".join(parts)


def add_page_style(m, styles: dict, basemap: str) -> None:
    """The page CSS, the plain background of maps without tiles, and the SVG hatch patterns."""
    root = m.get_root()
    root.header.add_child(RawHTML(MAP_CSS), name="ecogis_css")
    if basemap == "none":
        root.header.add_child(
            RawHTML(f"<style>.folium-map.leaflet-container{{background:{styles['background']}}}</style>"),
            name="ecogis_background")
    hatch = hatch_defs(styles)
    if hatch:
        root.html.add_child(RawHTML(hatch), name="ecogis_hatch")


def add_controls(m, legend: str, styles: dict, lang: str, title: str | None, n_layers: int) -> None:
    """Legend, north arrow, scale bar (in 米/千米 for Chinese maps), title, full-screen and measure
    controls, and the (expanded) layer control with ``n_layers`` rows."""
    # keep the legend clear of the expanded layer control above it
    control_px = 26 * n_layers + 20
    m.get_root().header.add_child(RawHTML(
        f"<style>.ecogis-legend{{max-height:calc(100vh - min(45vh, {control_px}px) - 100px)}}</style>"),
        name="ecogis_legend_css")
    m.add_child(ScriptElement("ecogis_legend", control_js("bottomright", "ecogis-legend", legend)))
    north_svg = NORTH_SVG.replace("{label}", html.escape(st.text(styles, "north", lang)))
    m.add_child(ScriptElement("ecogis_north", control_js("topleft", "ecogis-north", north_svg)))
    m.add_child(ScriptElement("ecogis_scale", _scale_js(st.text(styles, "m", lang), st.text(styles, "km", lang))))
    if title:
        m.add_child(ScriptElement(
            "ecogis_title",
            "(function(){var t=L.DomUtil.create('div','ecogis-title',{map}.getContainer());t.textContent=%s;"
            "L.DomEvent.disableClickPropagation(t);})();" % js_string(visible_text(title))))
    Fullscreen(position="topleft", title=st.text(styles, "fullscreen", lang),
               title_cancel=st.text(styles, "exit_fullscreen", lang)).add_to(m)
    MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                   primary_area_unit="sqmeters", secondary_area_unit="hectares",
                   localization=CONTROL_WORDS[lang]["measure_locale"]).add_to(m)
    PlainLayerControl(position="topright", collapsed=False).add_to(m)


def _scale_js(metre: str, kilometre: str) -> str:
    """Leaflet's metric scale bar with its unit words replaced ("500 m" -> "500 米")."""
    return (
        "(function(){var S=L.Control.Scale.extend({_updateScale:function(el,text,ratio){"
        "text=text.replace(/ km$/,' '+%s).replace(/ m$/,' '+%s);"
        "L.Control.Scale.prototype._updateScale.call(this,el,text,ratio);}});"
        "new S({position:'bottomleft',metric:true,imperial:false,maxWidth:180}).addTo({map});})();"
        % (js_string(kilometre), js_string(metre))
    )
