"""Interactive HTML maps (folium/Leaflet) that work offline.

``make_map`` draws ecogis layers with the styles of :mod:`ecogis.render.styles`: red line, graded
reserve zones, water-source zones, sites, water sections coloured by GB 3838-2002 class, outfalls by
type and status, dashed boundaries; with legend, layer control, scale bar, full-screen and measure
controls, Chinese popups and tooltips.

Offline: the map returned is an :class:`ecogis.render.folium_offline.OfflineMap`: when rendered
(``save_map``, ``get_root().render()``, notebooks) it inlines the vendored Leaflet and plugins, so
the HTML needs no network unless a tiled base map is chosen. Legend, north arrow and other page
elements are in :mod:`ecogis.render.folium_controls`.

Coordinates: layers in any CRS are transformed to EPSG:4326 for display (CGCS2000 and WGS 84 agree
to about a metre). For the GCJ-02 Amap base map the data are shifted to GCJ-02 for display only.
"""
from __future__ import annotations

import html
import os
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import error
from ecogis.messages import say
from ecogis.render import styles as st
from ecogis.render.basemap_names import BASEMAPS  # noqa: F401 (also public here)
from ecogis.render.cells import visible_text
from ecogis.render.folium_controls import add_controls, add_page_style, legend_html, marker_svg
from ecogis.render.folium_geojson import PlainGeoJson, TextPopup, TextTooltip
from ecogis.render.folium_offline import GeometryText, OfflineMap, map_html, save_map  # noqa: F401 (public API)
from ecogis.render.folium_templates import compiled_templates
from ecogis.render.map_layers import focus_box, layer_styles, map_layers
from ecogis.webcrs import to_web_crs

DISPLAY_CRS = "EPSG:4326"
#: CRSs whose degrees are drawn as they are: PROJ's CGCS2000 -> WGS 84 operation is a no-op ("ballpark
#: geographic offset", the two agree to about a metre), so to_crs(DISPLAY_CRS) would return them unchanged
AS_DISPLAYED = ("EPSG:4326", "EPSG:4490")
COORD_DECIMALS = 6            # ~0.1 m: enough for display, keeps the HTML small
SIMPLIFY_VERTICES = 50_000    # layers with more vertices are simplified for display
MAX_POPUP_FIELDS = 14
#: GeoJSON geometry types by shapely type id
GEOMETRY_TYPES = ("Point", "LineString", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                  "GeometryCollection")
MIN_EXTENT_DEG = 0.02         # smallest initial view (about 2 km)
#: base-map layer names (and the Tianditu label-tile layer, "c" Chinese / "e" English) per language
BASEMAP_WORDS = {
    "zh": {"tianditu_vec": "天地图矢量", "tianditu_img": "天地图影像", "labels": "注记", "amap": "高德地图",
           "tianditu_labels_vec": "cva", "tianditu_labels_img": "cia"},
    "en": {"tianditu_vec": "Tianditu vec", "tianditu_img": "Tianditu img", "labels": " labels", "amap": "Amap",
           "tianditu_labels_vec": "eva", "tianditu_labels_img": "eia"},
}


# --------------------------------------------------------------------------------------------
# Feature styles (Leaflet path options) per kind
# --------------------------------------------------------------------------------------------
def _fill_of(style: dict, key: str) -> tuple[str, float]:
    """Leaflet fill and its opacity; a hatched style entry fills with its pattern (named after ``key``)."""
    if style.get("hatch"):
        return f"url(#ecogis-hatch-{key})", 1.0
    return style.get("fill", style.get("stroke", "#3388ff")), float(style.get("fill_opacity", 0.3))


def _marker_size(style: dict) -> float:
    """Side (px) of the square SVG icon of a ``shape``/``square`` marker: the diameter plus a 1 px margin each side."""
    return 2 * float(style.get("radius", 6)) + 2


def _template_safe(styler):
    """``styler`` whose text values cannot change the page: folium writes the styles into its page
    template unescaped (``{{`` is template syntax there, ``</script>`` ends the script), so braces go,
    and quotes and angle brackets too except in a marker's SVG (``html``, built by ``marker_svg``)."""
    def safe(feature):
        out = styler(feature)
        for key, value in out.items():
            if isinstance(value, str):
                out[key] = re.sub(r"[{}]" if key == "html" else r'[{}<>"]', "", value)
        return out
    return safe


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
        size = _marker_size(style)

        def styler(feature):
            p = feature["properties"]
            if marker == "shape":
                shape = style.get("shapes", {}).get(str(p.get("type", "")).strip(), style.get("other_shape", {}))
                shape = shape.get("shape", "square")
                _, val = st.value_entry(style, p.get(by)) if by else ("", {})
            else:
                shape, val = "square", {}
            fill = val.get("fill", style.get("fill", "#888"))
            svg = marker_svg(shape, size, fill, style.get("stroke", "#222"), float(style.get("width", 1)))
            return {"html": svg, "className": f"ecogis-marker {css_class}"}
        return styler

    def styler(feature):  # type: ignore[no-redef]  # the section styler above has returned
        entry = dict(style)
        if feature["properties"].get("_pin"):
            return {"className": css_class + " ecogis-site-pin", "radius": style["pin"], "fill": False,
                    "color": style.get("stroke", "#333"), "weight": 3, "opacity": 0.9}
        if by:
            _, val = st.value_entry(style, feature["properties"].get(by))
            entry.update({k: v for k, v in val.items() if k not in ("zh", "en")})
        fill, fill_opacity = _fill_of(entry, st.style_key(styles, kind) or "default")
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
    return visible_text(str(v))


def _attribute_table(gdf) -> pd.DataFrame:
    """The columns of ``gdf`` but its geometry, as a DataFrame sharing its data and without ``attrs``: pandas
    deep-copies a frame's ``attrs`` (a layer's read notes) into every column taken from it."""
    return pd.DataFrame(gdf, copy=False).drop(columns=gdf.active_geometry_name)


def _popup_fields(table, styles: dict) -> list[str]:
    """The columns of the attribute ``table`` shown in popups: the styles' known fields first, at most
    :data:`MAX_POPUP_FIELDS`."""
    cols = [c for c in table.columns if not str(c).startswith("_")]
    known = [f for f in styles["fields"] if f in cols]
    rest = [c for c in cols if c not in known]
    return (known + rest)[:MAX_POPUP_FIELDS]


def _round_coords(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))


def _not_points(geoms: np.ndarray) -> np.ndarray:
    """True for lines and polygons (not Point / MultiPoint)."""
    return ~np.isin(shapely.get_type_id(geoms), (0, 4))


def _simplify_for_display(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Topology-preserving simplification (degrees) of polygons and lines; points untouched."""
    mask = _not_points(geoms)
    out = geoms.copy()
    out[mask] = shapely.simplify(geoms[mask], tolerance, preserve_topology=True)
    return out


def _feature_collection(table, geoms: np.ndarray, fields: list[str], layer_label: str) -> dict:
    """GeoJSON dict of the display geometries ``geoms`` (one per row of the attribute ``table``) with string
    properties ``fields`` (columns of ``table``) plus ``_layer`` for popups."""
    geometries = [GeometryText(text, kind) for text, kind in zip(shapely.to_geojson(geoms), _geojson_types(geoms))]
    columns = [[_display_value(v) for v in table[f].tolist()] for f in fields]
    features = [{"type": "Feature", "id": i, "geometry": g,
                 "properties": {**dict(zip(fields, values)), "_layer": layer_label}}
                for i, (g, *values) in enumerate(zip(geometries, *columns))]
    return {"type": "FeatureCollection", "features": features}


def _geojson_types(geoms: np.ndarray) -> list[str]:
    """The GeoJSON ``type`` of each geometry (shapely's type names are GeoJSON's)."""
    return [GEOMETRY_TYPES[i] for i in shapely.get_type_id(geoms).tolist()]


def _to_display(gdf, basemap: str) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:4326 for display, shifted to GCJ-02 for the Amap base maps."""
    gdf = gdf.to_crs(DISPLAY_CRS)
    return to_web_crs(gdf, "GCJ-02") if basemap.startswith("amap") else gdf


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
            raise error("map.tianditu_key", hint="map.set_tianditu_key")
        base = "vec" if basemap == "tianditu-vec" else "img"
        words = BASEMAP_WORDS[lang]
        url = "https://t{s}.tianditu.gov.cn/DataServer?T=%s_w&x={x}&y={y}&l={z}&tk=" + key
        attr = "© 天地图 (国家地理信息公共服务平台)"
        name = words["tianditu_" + base]
        folium.TileLayer(url % base, attr=attr, name=name, subdomains="01234567", max_zoom=18,
                         overlay=False).add_to(m)
        folium.TileLayer(url % words["tianditu_labels_" + base], attr=attr, name=name + words["labels"],
                         subdomains="01234567", max_zoom=18, overlay=True).add_to(m)
        return
    # amap, amap-img (make_map has checked the name)
    style = 6 if basemap == "amap-img" else 7
    folium.TileLayer(
        f"https://webrd0{{s}}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style={style}&x={{x}}&y={{y}}&z={{z}}",
        attr="© 高德地图 (GCJ-02; data shifted for display only)", name=BASEMAP_WORDS[lang]["amap"],
        subdomains="1234", max_zoom=18, overlay=False,
    ).add_to(m)


# --------------------------------------------------------------------------------------------
# make_map
# --------------------------------------------------------------------------------------------
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
        raise error("map.unknown_basemap", basemap=repr(basemap), basemaps=", ".join(BASEMAPS))
    styles = st.load_styles(styles)
    if basemap.startswith("amap"):
        say("map_gcj02_display", notes)
    items = map_layers(layers, site, kinds, styles, notes)
    display_geoms = _display_geometries(items, basemap)
    boxes = np.array([shapely.total_bounds(g) for g in display_geoms if len(g)])
    west, south = boxes[:, 0].min(), boxes[:, 1].min()
    east, north = boxes[:, 2].max(), boxes[:, 3].max()
    if max(east - west, north - south) < MIN_EXTENT_DEG:   # a point or a tiny parcel: show ~2 km
        cx, cy, half = (west + east) / 2, (south + north) / 2, MIN_EXTENT_DEG / 2
        west, south, east, north = cx - half, cy - half, cx + half, cy + half
    extent = max(east - west, north - south)

    with compiled_templates():   # the fixed <meta> element of the map's figure: its template from the cache
        m = OfflineMap(location=[(south + north) / 2, (west + east) / 2], zoom_start=10, tiles=None,
                       control_scale=False, zoom_control=True, zoom_snap=0.25, zoom_delta=0.5)
    _add_basemap(m, basemap, lang, tianditu_key)
    add_page_style(m, styles, basemap)

    display_names = [visible_text(t) for t in st.unique_titles(items, styles, lang)]
    legend_groups, simplified = [], []
    all_styles = layer_styles(items, styles, notes)
    for index, ((name, kind, gdf), geoms, display, style) in enumerate(
            zip(items, display_geoms, display_names, all_styles)):
        if simplify:
            geoms, tol_m = _display_geometry(geoms, name, extent, notes)
            if tol_m:
                simplified.append((display, tol_m))
        table = _attribute_table(gdf)
        _add_layer(m, index, name, kind, table, _round_coords(geoms), style, styles, display, lang)
        if len(gdf):
            legend_groups.append((display, st.legend_items(kind or "default", styles, table, lang, display, style)))

    add_controls(m, legend_html(legend_groups, styles, lang, simplified), styles, lang, title=title,
                 n_layers=len(items) + (basemap != "none") * 2)
    view = focus_box(focus, site) or (west, south, east, north)
    m.fit_bounds([[view[1], view[0]], [view[3], view[2]]], padding=(30, 30))
    return m


def _pin_features(geoms: np.ndarray, data: dict) -> None:
    """Append a point inside each polygon/line of the display geometries ``geoms`` (``_pin`` features) so
    that small parcels stay visible."""
    idx = np.flatnonzero(_not_points(geoms))
    if not len(idx):
        return
    pins = shapely.point_on_surface(geoms[idx])
    for i, pin in zip(idx, shapely.to_geojson(_round_coords(pins))):
        props = dict(data["features"][i]["properties"], _pin=1)
        data["features"].append({"type": "Feature", "id": len(data["features"]), "properties": props,
                                 "geometry": GeometryText(pin, "Point")})


def _display_geometries(items, basemap: str) -> list[np.ndarray]:
    """The geometries of each (name, kind, gdf) item in EPSG:4326 for display, GCJ-02 for the Amap base
    maps (:func:`_to_display`). Layers in one CRS are transformed together (one PROJ transformer)."""
    if basemap.startswith("amap"):
        return [np.asarray(_to_display(gdf, basemap).geometry.values) for _, _, gdf in items]
    groups: dict[str, list[int]] = {}
    for i, (_, _, gdf) in enumerate(items):
        groups.setdefault(gdf.crs.srs, []).append(i)
    out: list = [None] * len(items)
    for srs, members in groups.items():
        parts = [np.asarray(items[i][2].geometry.values) for i in members]
        if srs in AS_DISPLAYED:
            moved = parts
        else:
            together = gpd.GeoSeries(np.concatenate(parts), crs=items[members[0]][2].crs).to_crs(DISPLAY_CRS)
            moved = np.split(np.asarray(together.values), np.cumsum([len(p) for p in parts])[:-1])
        for i, piece in zip(members, moved):
            out[i] = piece
    return out


def _display_geometry(geoms: np.ndarray, name: str, extent: float, notes: list):
    """Simplify a large layer for display only; returns (geometries, tolerance in metres or None).

    Layers above SIMPLIFY_VERTICES vertices are simplified (topology preserving) with a tolerance of
    1/20 000 of the data extent: a twentieth of a pixel at the fitted view, one pixel four zoom
    levels further in. ``geoms`` (EPSG:4326) are not changed.
    """
    n_vertices = int(shapely.get_num_coordinates(geoms).sum())
    if n_vertices <= SIMPLIFY_VERTICES:
        return geoms, None
    tol = extent / 20_000
    simplified = _simplify_for_display(geoms, tol)
    kept = int(shapely.get_num_coordinates(simplified).sum())
    tol_m = tol * 111_320
    say("map_simplified", notes, name=repr(name), before=n_vertices, after=kept, tol=f"{tol:.1e}",
        metres=f"{tol_m:.0f}")
    return simplified, tol_m


def _add_layer(m, index, name, kind, table, geoms, style, styles, display, lang) -> None:
    """Draw a layer: its attribute ``table`` (:func:`_attribute_table`) and display geometries ``geoms``
    (EPSG:4326, one per row)."""
    kind_class = re.sub(r"[^\w-]", "_", kind or "default")   # a kind of the user's is any text
    css_class = f"ecogis-layer ecogis-layer-{index} ecogis-kind-{kind_class}"
    fields = _popup_fields(table, styles)
    data = _feature_collection(table, geoms, fields, display)
    if style.get("pin"):
        _pin_features(geoms, data)
    styler = _template_safe(_make_styler(kind or "default", style, styles, css_class))
    marker = None
    types = {f["geometry"]["type"] for f in data["features"]}
    if types & {"Point", "MultiPoint"}:
        if style.get("marker") in ("shape", "square"):
            size = _marker_size(style)
            # folium's hints say int; Leaflet takes fractional pixel sizes, as drawn so far
            marker = folium.Marker(icon=folium.DivIcon(html="", icon_size=(size, size),  # type: ignore[arg-type]
                                                       icon_anchor=(size / 2, size / 2)))  # type: ignore[arg-type]
        else:
            marker = folium.CircleMarker(radius=float(style.get("radius", 5)))
    layer_word = st.text(styles, "layers", lang)
    aliases = [layer_word] + [visible_text(st.field_label(styles, f, lang)) for f in fields]
    label_field = next((f for f in ("name", "id") if f in fields), fields[0] if fields else "_layer")
    highlight = None
    if style.get("geometry", "polygon") != "point":
        highlight = lambda feature: {"weight": 4, "color": "#00e5ff"}  # noqa: E731
    has_features = bool(data["features"])   # folium checks popup fields against the features
    PlainGeoJson(
        data, name=html.escape(display),   # the layer control shows the name as HTML
        style_function=styler, highlight_function=highlight, marker=marker,
        popup=TextPopup(fields=["_layer"] + fields, aliases=aliases, localize=False, max_width=360)
        if has_features else None,
        tooltip=TextTooltip(fields=[label_field], aliases=[visible_text(st.field_label(styles, label_field, lang))
                                                           if label_field != "_layer" else layer_word],
                            localize=False, sticky=True) if has_features else None,
        smooth_factor=1.0,
    ).add_to(m)
