"""Interactive HTML maps (folium/Leaflet) that work offline.

``make_map`` draws ecogis layers with the styles of :mod:`ecogis.render.styles`: red line, graded
reserve zones, water-source zones, sites, water sections coloured by GB 3838-2002 class, outfalls by
type and status, dashed boundaries; with legend, layer control, scale bar, full-screen and measure
controls, Chinese popups and tooltips.

Offline: folium normally links Leaflet, jQuery, Bootstrap and plugins from CDNs. The map returned
here is an :class:`OfflineMap`: when rendered (``save``, ``get_root().render()``, notebooks) it
inlines the vendored Leaflet 1.9.4, Leaflet.fullscreen 3.0.0 and leaflet-measure 2.1.7 from
``ecogis/render/vendor`` and drops the CDN links, so the HTML needs no network unless a tiled
base map is chosen.

Coordinates: layers in any CRS are transformed to EPSG:4326 for display (CGCS2000 and WGS 84 agree
to about a metre). For the GCJ-02 Amap base map the data are shifted to GCJ-02 for display only.
"""
from __future__ import annotations

import base64
import contextlib
import html
import json
import os
import re
import warnings
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.plugins import Fullscreen, MeasureControl
from folium.template import Template

from ecogis.errors import EcogisError, warn_assumption
from ecogis.outputs import write_text_atomic
from ecogis.render import styles as st
from ecogis.render.map_layers import layer_styles, legend_order, map_layers

BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img", "amap", "amap-img")
DISPLAY_CRS = "EPSG:4326"
COORD_DECIMALS = 6            # ~0.1 m: enough for display, keeps the HTML small
SIMPLIFY_VERTICES = 50_000    # layers with more vertices are simplified for display
MAX_POPUP_FIELDS = 14
MIN_EXTENT_DEG = 0.02         # smallest initial view (about 2 km)

# folium resource name -> vendored file (relative to ecogis/render/vendor), in load order.
VENDORED = {
    "leaflet_css": "leaflet/leaflet.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_measure_css": "leaflet-measure/leaflet-measure.css",
    "leaflet": "leaflet/leaflet.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "leaflet_measure_js": "leaflet-measure/leaflet-measure.min.js",
}
# folium defaults that ecogis maps do not use (no awesome-markers icons, no Bootstrap, no jQuery).
DROPPED = {
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
}


# --------------------------------------------------------------------------------------------
# Offline assets
# --------------------------------------------------------------------------------------------
def _vendor_file(rel: str):
    return resources.files("ecogis.render").joinpath("vendor", *rel.split("/"))


def _inline_css(rel: str) -> str:
    css = _vendor_file(rel).read_text(encoding="utf-8")
    folder = rel.rsplit("/", 1)[0]

    def data_uri(match):
        url = match.group(1).strip("'\"")
        if url.startswith(("data:", "#")):
            return match.group(0)
        data = _vendor_file(f"{folder}/{url}").read_bytes()
        mime = "image/svg+xml" if url.endswith(".svg") else "image/png"
        return f"url(data:{mime};base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\(([^)]+)\)", data_uri, css)


def _inline_js(rel: str) -> str:
    js = _vendor_file(rel).read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return js.replace("</script", "<\\/script")


def vendor_assets_html(names) -> str:
    """<style>/<script> tags with the vendored assets ``names`` inlined (in load order)."""
    parts = []
    for name, rel in VENDORED.items():
        if name not in names:
            continue
        if rel.endswith(".css"):
            parts.append(f"<style>/* {rel} */\n{_inline_css(rel)}</style>")
        else:
            parts.append(f"<script>/*! {rel}\n{_licence(rel)}*/\n{_inline_js(rel)}</script>")
    return "\n".join(parts)


def _licence(rel: str) -> str:
    """The licence text of the vendored package that ``rel`` belongs to (kept with the inlined code)."""
    text = _vendor_file(rel.split("/")[0] + "/LICENSE").read_text(encoding="utf-8")
    return text.replace("*/", "* /")


class RawHTML(Element):
    """Literal HTML text in the page (branca's ``Element(text)`` would parse the text as a Jinja
    template: slow for the 270 kB of inlined Leaflet, and wrong for text containing ``{{``)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


def _walk(element):
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


class OfflineMap(folium.Map):
    """A folium Map whose rendering inlines vendored Leaflet assets instead of CDN links."""

    def render(self, **kwargs):
        needed: set[str] = set()
        external: list[str] = []
        for element in _walk(self):
            if not hasattr(element, "default_js"):
                continue
            for attr in ("default_js", "default_css"):
                resources_ = getattr(type(element), attr, [])
                keep = []
                for name, url in resources_:
                    if name in VENDORED:
                        needed.add(name)
                    elif name not in DROPPED:
                        keep.append((name, url))
                        external.append(url)
                setattr(element, attr, keep)
        if external:
            warnings.warn(f"map elements need online resources: {sorted(set(external))}", stacklevel=2)
        self.get_root().header.add_child(RawHTML(vendor_assets_html(needed)), name="ecogis_vendor", index=0)
        with _compact_utf8_json(self):
            super().render(**kwargs)


@contextlib.contextmanager
def _compact_utf8_json(root):
    """Make the templates' ``tojson`` write UTF-8 text and no blanks while ``root`` renders.

    Jinja's default ``json.dumps`` writes every Chinese character as a six-byte ``\\uXXXX`` escape
    (three bytes in UTF-8; the page declares ``charset=UTF-8``) and puts a blank after every comma
    of the coordinate arrays. ``<``, ``>``, ``&`` and ``'`` stay escaped (Jinja's htmlsafe dumps),
    so the JSON stays safe inside <script>. The policies are restored afterwards, so other folium
    maps in the process are not affected.
    """
    envs = {id(e._template.environment): e._template.environment for e in _walk(root)
            if getattr(e, "_template", None) is not None}
    saved = {key: env.policies.get("json.dumps_kwargs") for key, env in envs.items()}
    for env in envs.values():
        env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    try:
        yield
    finally:
        for key, env in envs.items():
            env.policies["json.dumps_kwargs"] = saved[key]


def map_html(m: folium.Map) -> str:
    """The complete, self-contained HTML document of map ``m``."""
    return m.get_root().render()


def save_map(m: folium.Map, path, *, overwrite: bool = False) -> Path:
    """Write map ``m`` as one self-contained HTML file (atomic; refuses to overwrite unless asked)."""
    return write_text_atomic(path, map_html(m), overwrite=overwrite)


# --------------------------------------------------------------------------------------------
# Map elements (legend, title, north arrow, scale bar, hatch patterns)
# --------------------------------------------------------------------------------------------
class _ScriptElement(MacroElement):
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


def _js_string(text: str) -> str:
    """A JavaScript string literal in UTF-8 that cannot close the enclosing <script>."""
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


def _control_js(position: str, css_class: str, inner_html: str) -> str:
    return (
        "(function(){var c=L.control({position:%s});c.onAdd=function(){"
        "var d=L.DomUtil.create('div',%s);d.innerHTML=%s;"
        "L.DomEvent.disableClickPropagation(d);L.DomEvent.disableScrollPropagation(d);return d;};"
        "c.addTo({map});})();" % (json.dumps(position), json.dumps(css_class), _js_string(inner_html))
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


def _hatch_defs(styles: dict) -> str:
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


# --------------------------------------------------------------------------------------------
# Feature styles (Leaflet path options) per kind
# --------------------------------------------------------------------------------------------
def _fill_of(style: dict, kind: str) -> tuple[str, float]:
    if style.get("hatch"):
        return f"url(#ecogis-hatch-{kind})", 1.0
    return style.get("fill", style.get("stroke", "#3388ff")), float(style.get("fill_opacity", 0.3))


def _marker_svg(shape: str, size: float, fill: str, stroke: str, width: float) -> str:
    s = size
    if shape == "triangle":
        pts = f"{s/2},{width} {s-width},{s-width} {width},{s-width}"
    elif shape == "diamond":
        pts = f"{s/2},{width} {s-width},{s/2} {s/2},{s-width} {width},{s/2}"
    else:  # square
        pts = f"{width},{width} {s-width},{width} {s-width},{s-width} {width},{s-width}"
    return (f'<svg width="{s}" height="{s}" viewBox="0 0 {s} {s}"><polygon points="{pts}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/></svg>')


def _make_styler(kind: str, style: dict, styles: dict, css_class: str):
    """Return style_function(feature) -> Leaflet options for ``kind``."""
    by = style.get("by")
    geometry = style.get("geometry", "polygon")
    marker = style.get("marker")

    if marker == "section":
        def styler(feature):
            p = feature["properties"]
            _, measured = st.water_class_entry(styles, p.get("measured_class"))
            _, target = st.water_class_entry(styles, p.get("target_class"))
            return {"className": css_class, "radius": style.get("radius", 7), "color": target["color"], "fill": True,
                    "weight": style.get("width", 3), "fillColor": measured["color"],
                    "fillOpacity": style.get("fill_opacity", 1), "opacity": 1}
        return styler

    if marker in ("shape", "square"):
        size = 2 * float(style.get("radius", 6)) + 2

        def styler(feature):
            p = feature["properties"]
            if marker == "shape":
                shape = style.get("shapes", {}).get(str(p.get("type", "")).strip(), style.get("other_shape", {}))
                shape = shape.get("shape", "square")
                _, val = st.value_entry(style, p.get(by)) if by else ("", {})
            else:
                shape, val = "square", {}
            fill = val.get("fill", style.get("fill", "#888"))
            svg = _marker_svg(shape, size, fill, style.get("stroke", "#222"), float(style.get("width", 1)))
            return {"html": svg, "className": f"ecogis-marker {css_class}"}
        return styler

    def styler(feature):
        entry = dict(style)
        if feature["properties"].get("_pin"):
            return {"className": css_class + " ecogis-site-pin", "radius": style["pin"], "fill": False,
                    "color": style.get("stroke", "#333"), "weight": 3, "opacity": 0.9}
        if by:
            _, val = st.value_entry(style, feature["properties"].get(by))
            entry.update({k: v for k, v in val.items() if k not in ("zh", "en")})
        fill, fill_opacity = _fill_of(entry, kind)
        out = {"className": css_class, "color": entry.get("stroke", "#333"), "weight": entry.get("width", 1.5),
               "opacity": 1, "fill": True, "fillColor": fill, "fillOpacity": fill_opacity}
        if geometry == "line" or "LineString" in feature["geometry"]["type"]:   # lines are never filled
            out.update(fill=False, fillOpacity=0)
        if entry.get("dash"):
            out["dashArray"] = entry["dash"]
        if "radius" in entry:
            out["radius"] = entry["radius"]
        return out
    return styler


# --------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------
def _display_value(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v)


def _popup_fields(gdf, styles: dict) -> list[str]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name and not str(c).startswith("_")]
    known = [f for f in styles["fields"] if f in cols]
    rest = [c for c in cols if c not in known]
    return (known + rest)[:MAX_POPUP_FIELDS]


def _round_coords(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))


def _simplify_for_display(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Topology-preserving simplification (degrees) of polygons and lines; points untouched."""
    types = shapely.get_type_id(geoms)
    mask = (types != 0) & (types != 4)   # not Point / MultiPoint
    out = geoms.copy()
    out[mask] = shapely.simplify(geoms[mask], tolerance, preserve_topology=True)
    return out


def _feature_collection(gdf, fields: list[str], layer_label: str) -> dict:
    """GeoJSON dict with string properties ``fields`` plus ``_layer`` for popups."""
    geoms = gdf.geometry.values._data if hasattr(gdf.geometry.values, "_data") else np.asarray(gdf.geometry.values)
    geometries = json.loads("[" + ",".join(shapely.to_geojson(geoms)) + "]") if len(geoms) else []
    columns = [[_display_value(v) for v in gdf[f].tolist()] for f in fields]
    features = [{"type": "Feature", "id": i, "geometry": g,
                 "properties": {**dict(zip(fields, values)), "_layer": layer_label}}
                for i, (g, *values) in enumerate(zip(geometries, *columns))]
    return {"type": "FeatureCollection", "features": features}


def _to_display(gdf, basemap: str, notes: list[str]) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:4326 for display, shifted to GCJ-02 for the Amap base maps."""
    gdf = gdf.to_crs(DISPLAY_CRS)
    if basemap.startswith("amap"):
        try:
            from ecogis.crs import to_web_crs
        except ImportError as exc:
            raise EcogisError(
                "the Amap (GCJ-02) base map needs ecogis.crs.to_web_crs to shift data for display",
                hint="Use --basemap none, osm or tianditu-vec",
            ) from exc
        gdf = to_web_crs(gdf, "GCJ-02")
        warn_assumption("data shifted from CGCS2000 to GCJ-02 for display on Amap tiles only "
                        "(popups show the original attributes; do not digitise from this map)", notes)
    return gdf


# --------------------------------------------------------------------------------------------
# Base maps
# --------------------------------------------------------------------------------------------
def _add_basemap(m, basemap: str, lang: str, tianditu_key: str | None) -> None:
    if basemap == "none":
        return
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False, control=True).add_to(m)
        return
    if basemap.startswith("tianditu"):
        key = tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise EcogisError(
                "the Tianditu base map needs a key",
                hint="Set TIANDITU_KEY (or pass --tianditu-key); for offline maps use --basemap none",
            )
        base, note = ("vec", "cva") if basemap == "tianditu-vec" else ("img", "cia")
        if lang == "en":
            note = "eva" if base == "vec" else "eia"
        url = "https://t{s}.tianditu.gov.cn/DataServer?T=%s_w&x={x}&y={y}&l={z}&tk=" + key
        attr = "© 天地图 (国家地理信息公共服务平台)"
        name = {"vec": "天地图矢量", "img": "天地图影像"}[base] if lang == "zh" else f"Tianditu {base}"
        folium.TileLayer(url % base, attr=attr, name=name, subdomains="01234567", max_zoom=18,
                         overlay=False).add_to(m)
        folium.TileLayer(url % note, attr=attr, name=name + ("注记" if lang == "zh" else " labels"),
                         subdomains="01234567", max_zoom=18, overlay=True).add_to(m)
        return
    if basemap.startswith("amap"):
        style = 6 if basemap == "amap-img" else 7
        folium.TileLayer(
            f"https://webrd0{{s}}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style={style}&x={{x}}&y={{y}}&z={{z}}",
            attr="© 高德地图 (GCJ-02; data shifted for display only)", name="高德地图" if lang == "zh" else "Amap",
            subdomains="1234", max_zoom=18, overlay=False,
        ).add_to(m)
        return
    raise EcogisError(f"unknown base map {basemap!r}; expected one of {', '.join(BASEMAPS)}")


# --------------------------------------------------------------------------------------------
# Legend
# --------------------------------------------------------------------------------------------
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


def _row(swatch: str, text: str) -> str:
    return f'<div class="row">{swatch}<span>{html.escape(text)}</span></div>'


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
        return _marker_svg(item["shape"], 14, item["fill"], item["stroke"], item["width"])
    return ""


def _legend_html(groups, styles: dict, lang: str, simplified=()) -> str:
    """Legend HTML: single-symbol layers first, then one titled group per categorical layer."""
    parts = [f"<details open><summary><h4>{html.escape(st.text(styles, 'legend', lang))}</h4></summary>"]
    for title, rows, titled in legend_order(groups):
        if titled:
            parts.append(f'<div class="grp">{html.escape(title)}</div>')
        for item in rows:
            swatch, text = _swatch(item), item["text"]
            parts.append(_row(swatch, text) if swatch else f'<div class="note">{html.escape(text)}</div>')
    for title, tol_m in simplified:
        note = (f"{title}：显示已简化（约 {tol_m:.0f} 米），分析使用原始数据" if lang == "zh"
                else f"{title}: simplified for display (about {tol_m:.0f} m); analyses use full data")
        parts.append(f'<div class="note">{html.escape(note)}</div>')
    parts.append("</details>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# make_map
# --------------------------------------------------------------------------------------------
def _bounds(items) -> tuple[float, float, float, float]:
    boxes = np.array([g.total_bounds for _, _, g in items if len(g)])
    return boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()


def make_map(layers: dict, site=None, basemap: str = "none", lang: str = "zh", title: str | None = None,
             tianditu_key: str | None = None, styles=None, kinds: dict | None = None,
             simplify: bool = True, focus=None, notes: list | None = None) -> folium.Map:
    """Build an interactive, offline-capable folium map of ecogis layers.

    Parameters
    ----------
    layers : dict[str, GeoDataFrame]
        name -> layer in any CRS; ``gdf.attrs["ecogis"]["kind"]`` (or ``kinds[name]``) picks the style.
    site : GeoDataFrame, optional
        Project site, drawn with a bold outline above the control layers.
    basemap : {"none", "osm", "tianditu-vec", "tianditu-img", "amap", "amap-img"}
        "none" (default) draws on a plain background and needs no network. Tianditu needs a key
        (``tianditu_key`` or env TIANDITU_KEY). Amap tiles are GCJ-02: data are shifted for display only.
    lang : "zh" or "en"
        Language of legend, layer names, popups.
    styles : path or dict, optional
        Style overrides merged over ``ecogis/render/styles.yaml``.
    simplify : bool
        Simplify layers above 50 000 vertices for display (tolerance 1/20 000 of the data extent:
        one pixel four zoom levels in from the fitted view; the legend says so). Never for analysis.
    focus : None, "site" or (west, south, east, north)
        Initial view: all data (default), the site and its surroundings (at least 2 km), or a box
        in EPSG:4490 degrees. All layers are drawn either way.
    notes : list, optional
        Receives the assumptions made (also emitted as AssumptionWarning).

    Returns an :class:`OfflineMap` (a ``folium.Map``); save it with :func:`save_map`.
    """
    notes = [] if notes is None else notes
    if basemap not in BASEMAPS:
        raise EcogisError(f"unknown base map {basemap!r}; expected one of {', '.join(BASEMAPS)}")
    styles = st.load_styles(styles)
    items = [(name, kind, _to_display(gdf, basemap, notes))
             for name, kind, gdf in map_layers(layers, site, kinds, styles)]
    west, south, east, north = _bounds(items)
    if max(east - west, north - south) < MIN_EXTENT_DEG:   # a point or a tiny parcel: show ~2 km
        cx, cy, half = (west + east) / 2, (south + north) / 2, MIN_EXTENT_DEG / 2
        west, south, east, north = cx - half, cy - half, cx + half, cy + half
    extent = max(east - west, north - south)

    m = OfflineMap(location=[(south + north) / 2, (west + east) / 2], zoom_start=10, tiles=None,
                   control_scale=False, zoom_control=True)
    _add_basemap(m, basemap, lang, tianditu_key)
    m.get_root().header.add_child(RawHTML(MAP_CSS), name="ecogis_css")
    if basemap == "none":
        m.get_root().header.add_child(
            RawHTML(f"<style>.folium-map.leaflet-container{{background:{styles['background']}}}</style>"),
            name="ecogis_background")
    hatch = _hatch_defs(styles)
    if hatch:
        m.get_root().html.add_child(RawHTML(hatch), name="ecogis_hatch")

    display_names = st.unique_titles(items, styles, lang)
    legend_groups, simplified = [], []
    all_styles = layer_styles(items, styles, notes)
    for index, ((name, kind, gdf), display, style) in enumerate(zip(items, display_names, all_styles)):
        if simplify:
            gdf, tol_m = _display_geometry(gdf, name, extent, notes)
            if tol_m:
                simplified.append((display, tol_m))
        gdf = gdf.set_geometry(_round_coords(np.asarray(gdf.geometry.values)), crs=gdf.crs)
        _add_layer(m, index, name, kind, gdf, style, styles, display, lang)
        if len(gdf):
            legend_groups.append((display, st.legend_items(kind or "default", styles, gdf, lang, display, style)))
        else:
            warn_assumption(f"layer {name!r} has no features to draw: left out of the legend", notes)

    legend = _legend_html(legend_groups, styles, lang, simplified)
    # keep the legend clear of the (expanded) layer control above it
    control_px = 26 * (len(items) + (basemap != "none") * 2) + 20
    m.get_root().header.add_child(RawHTML(
        f"<style>.ecogis-legend{{max-height:calc(100vh - min(45vh, {control_px}px) - 100px)}}</style>"),
        name="ecogis_legend_css")
    m.add_child(_ScriptElement("ecogis_legend", _control_js("bottomright", "ecogis-legend", legend)))
    north_svg = NORTH_SVG.replace("{label}", html.escape(st.text(styles, "north", lang)))
    m.add_child(_ScriptElement("ecogis_north", _control_js("topleft", "ecogis-north", north_svg)))
    m.add_child(_ScriptElement(
        "ecogis_scale", "L.control.scale({position:'bottomleft',metric:true,imperial:false,maxWidth:180}).addTo({map});"))
    if title:
        m.add_child(_ScriptElement(
            "ecogis_title",
            "(function(){var t=L.DomUtil.create('div','ecogis-title',{map}.getContainer());t.textContent=%s;"
            "L.DomEvent.disableClickPropagation(t);})();" % _js_string(title)))
    Fullscreen(position="topleft", title=st.text(styles, "fullscreen", lang),
               title_cancel=st.text(styles, "exit_fullscreen", lang)).add_to(m)
    MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                   primary_area_unit="sqmeters", secondary_area_unit="hectares",
                   localization="cn" if lang == "zh" else "en").add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    view = st.focus_box(focus, site) or (west, south, east, north)
    m.fit_bounds([[view[1], view[0]], [view[3], view[2]]], padding=(30, 30))
    return m


def _pin_features(gdf, data: dict, style: dict) -> None:
    """Append a point inside each polygon/line (``_pin`` features) so that small parcels stay visible."""
    geoms = np.asarray(gdf.geometry.values)
    types = shapely.get_type_id(geoms)
    idx = np.flatnonzero((types != 0) & (types != 4))
    if not len(idx):
        return
    pins = shapely.point_on_surface(geoms[idx])
    for i, pin in zip(idx, _round_coords(pins)):
        props = dict(data["features"][i]["properties"], _pin=1)
        data["features"].append({"type": "Feature", "id": len(data["features"]), "properties": props,
                                 "geometry": json.loads(shapely.to_geojson(pin))})


def _display_geometry(gdf, name: str, extent: float, notes: list):
    """Simplify a large layer for display only; returns (gdf, tolerance in metres or None).

    Layers above SIMPLIFY_VERTICES vertices are simplified (topology preserving) with a tolerance of
    1/20 000 of the data extent: a twentieth of a pixel at the fitted view, one pixel four zoom
    levels further in. The input GeoDataFrame is not changed.
    """
    geoms = np.asarray(gdf.geometry.values)
    n_vertices = int(shapely.get_num_coordinates(geoms).sum())
    if n_vertices <= SIMPLIFY_VERTICES:
        return gdf, None
    tol = extent / 20_000
    simplified = _simplify_for_display(geoms, tol)
    kept = int(shapely.get_num_coordinates(simplified).sum())
    tol_m = tol * 111_320
    warn_assumption(
        f"layer {name!r} simplified for display only ({n_vertices} -> {kept} vertices, tolerance "
        f"{tol:.1e} degrees, about {tol_m:.0f} m); analyses use the full geometry", notes)
    return gdf.set_geometry(simplified, crs=gdf.crs), tol_m


def _add_layer(m, index, name, kind, gdf, style, styles, display, lang) -> None:
    css_class = f"ecogis-layer ecogis-layer-{index} ecogis-kind-{kind or 'default'}"
    fields = _popup_fields(gdf, styles)
    data = _feature_collection(gdf, fields, display)
    if style.get("pin"):
        _pin_features(gdf, data, style)
    styler = _make_styler(kind or "default", style, styles, css_class)
    marker = None
    types = {f["geometry"]["type"] for f in data["features"]}
    if types & {"Point", "MultiPoint"}:
        if style.get("marker") in ("shape", "square"):
            size = 2 * float(style.get("radius", 6)) + 2
            marker = folium.Marker(icon=folium.DivIcon(html="", icon_size=(size, size),
                                                       icon_anchor=(size / 2, size / 2)))
        else:
            marker = folium.CircleMarker(radius=float(style.get("radius", 5)))
    layer_word = st.text(styles, "layers", lang)
    aliases = [layer_word] + [st.field_label(styles, f, lang) for f in fields]
    label_field = next((f for f in ("name", "id") if f in fields), fields[0] if fields else "_layer")
    highlight = None
    if style.get("geometry", "polygon") != "point":
        highlight = lambda feature: {"weight": 4, "color": "#00e5ff"}  # noqa: E731
    has_features = bool(data["features"])   # folium checks popup fields against the features
    folium.GeoJson(
        data, name=display, style_function=styler, highlight_function=highlight, marker=marker,
        popup=folium.GeoJsonPopup(fields=["_layer"] + fields, aliases=aliases, localize=False, max_width=360)
        if has_features else None,
        tooltip=folium.GeoJsonTooltip(fields=[label_field], aliases=[st.field_label(styles, label_field, lang)
                                                                      if label_field != "_layer" else layer_word],
                                      localize=False, sticky=True) if has_features else None,
        smooth_factor=1.0,
    ).add_to(m)
