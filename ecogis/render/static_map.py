"""Print-ready static maps (PNG, PDF, SVG) for reports, drawn with matplotlib.

Layout (A4 landscape by default): title on top; the map in a neat line with graticule labels in
degrees and minutes on all four sides, a north arrow (指北针) and a scale bar; on the right a location
inset (区位图) showing the map extent in its province, and the legend; a note line with the CRS.

Coordinates: the map is drawn in the unprefixed CGCS2000 3-degree Gauss-Kruger zone that contains the
data (:func:`ecogis.crs.gk_crs_for_lon`), so the scale bar is in true metres on the projection
plane (the GK scale factor is below 1.0003 within a 3-degree zone: under 0.03 % error). The north
arrow points to true north: it is turned by the meridian convergence at the map centre.

Fonts: Chinese text needs a CJK font. ecogis uses a font file named by the environment variable
``ECOGIS_CJK_FONT``, else Noto Sans CJK SC as shipped by the ``mplfonts`` package (a dependency, so a
fresh pip install renders Chinese without root), else the first installed of Source Han Sans SC,
WenQuanYi, Microsoft YaHei, SimHei, PingFang SC.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import warnings
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
from matplotlib.patches import Patch, PathPatch, Polygon as MplPolygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.colors import to_rgba
import matplotlib.patheffects as pe
from pyproj import Transformer

from ecogis.errors import EcogisError, warn_assumption
from ecogis.outputs import atomic_path
from ecogis.render import styles as st
from ecogis.render.map_layers import layer_styles, legend_order, map_layers

FORMATS = ("png", "pdf", "svg")
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
                "Sarasa Gothic SC")
A4_LANDSCAPE = (11.69, 8.27)
MAIN_BOX = (0.055, 0.10, 0.66, 0.78)     # figure fraction: left, bottom, width, height
INSET_BOX = (0.765, 0.56, 0.205, 0.30)
LEGEND_BOX = (0.765, 0.10, 0.205, 0.43)
PT_PER_PX = 0.6                           # style widths are screen pixels; print a bit thinner
MARKER_SHAPES = {"triangle": "^", "diamond": "D", "square": "s", "circle": "o"}


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def cjk_font_families() -> tuple[str, ...]:
    """Font family list for matplotlib: a full CJK font if one is installed, then fallbacks.

    Registers ``ECOGIS_CJK_FONT`` (a font file) and the mplfonts copy of Noto Sans CJK SC with matplotlib.
    """
    families = []
    user = os.environ.get("ECOGIS_CJK_FONT")
    if user:
        if not Path(user).exists():
            raise EcogisError("ECOGIS_CJK_FONT names a missing font file", path=user)
        font_manager.fontManager.addfont(user)
        families.append(font_manager.FontProperties(fname=user).get_name())
    packaged = _packaged_font()
    if packaged:
        families.append(packaged)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families += [f for f in CJK_FAMILIES if f in installed]
    families.append("DejaVu Sans")
    return tuple(dict.fromkeys(families))


def _packaged_font() -> str | None:
    """Register the full Noto Sans CJK SC that the mplfonts package ships; return its family name."""
    try:
        from importlib import resources
        path = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf")
    except ModuleNotFoundError:
        return None
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _rc(families) -> dict:
    # explicit family names (not "sans-serif") so that the figure keeps its fonts outside this context.
    # PDF: Type 3 fonts. Type 42 would embed the CFF outlines of Noto/Source Han (OpenType "OTTO")
    # as TrueType data, which PDF readers flag as a font type mismatch.
    return {"font.family": list(families), "font.sans-serif": list(families), "axes.unicode_minus": False,
            "pdf.fonttype": 3, "svg.fonttype": "path", "hatch.linewidth": 0.8}


# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------
def _map_crs(items):
    """The unprefixed 3-degree GK CRS of the data's central longitude."""
    from ecogis.crs import gk_crs_for_lon

    boxes = np.array([g.to_crs(4490).total_bounds for _, _, g in items if len(g)])
    lon = [boxes[:, 0].min(), boxes[:, 2].max()]
    return gk_crs_for_lon(lon)


def _nice_below(x: float) -> float:
    exp = math.floor(math.log10(x))
    best = 10 ** exp
    for m in (1, 2, 5):
        if m * 10 ** exp <= x:
            best = m * 10 ** exp
    return best


def _fit_limits(bounds, box_w_in: float, box_h_in: float, pad: float = 0.06, min_size: float = 2000.0):
    """Axis limits around ``bounds`` (metres) with the width/height ratio of the axes box.

    The view is at least ``min_size`` metres across (a point site gets its surroundings).
    """
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if max(w, h) < min_size:
        w = h = min_size / (1 + 2 * pad)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    ratio = box_w_in / box_h_in
    if w / h > ratio:
        h = w / ratio
    else:
        w = h * ratio
    return (cx - w / 2, cx + w / 2), (cy - h / 2, cy + h / 2)


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
def _dashes(dash: str | None, lw: float):
    if not dash:
        return "solid"
    seq = [float(v) * PT_PER_PX / max(lw, 0.1) for v in str(dash).split()]
    return (0, tuple(seq))


def _per_value(gdf, column: str | None, fn) -> np.ndarray:
    """``fn(value)`` for each row's ``column`` value, computed once per distinct value (object array).

    A missing column counts as None in every row.
    """
    if column is None or column not in gdf:
        return np.array([fn(None)] * len(gdf), dtype=object) if len(gdf) else np.empty(0, dtype=object)
    codes, uniques = pd.factorize(gdf[column].astype(object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(None if pd.isna(v) else v) for v in uniques]
    return mapped[codes]


def _paint_groups(style: dict, gdf) -> tuple[np.ndarray, list[tuple]]:
    """(group code per feature, [(fill RGBA, stroke colour)] per group) for a categorical or plain style."""
    def paint(entry):
        return to_rgba(entry.get("fill", "#888888"), float(entry.get("fill_opacity", 0.3))), \
            entry.get("stroke", "#333333")

    by = style.get("by")
    if not by:
        return np.zeros(len(gdf), dtype=int), [paint(style)]
    paints = _per_value(gdf, by, lambda v: paint({**style, **st.value_entry(style, v)[1]}))
    codes, uniques = pd.factorize(pd.Series([repr(p) for p in paints], dtype=object))
    first = {c: i for i, c in reversed(list(enumerate(codes)))}
    return codes, [paints[first[c]] for c in range(len(uniques))]


def _path(geoms: np.ndarray, closed: bool) -> MplPath:
    """One compound matplotlib Path of all rings (``closed``) or lines in ``geoms`` (vectorised)."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    if not len(coords):
        return MplPath(np.zeros((0, 2)))
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.flatnonzero(np.r_[True, np.diff(index) != 0])
    codes[starts] = MplPath.MOVETO
    if closed:
        codes[np.r_[starts[1:] - 1, len(coords) - 1]] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _draw_polygons(ax, geoms, codes, paints, lw, hatch, gid) -> None:
    """Polygons as one PathPatch per paint group (nonzero fill: exteriors counter-clockwise, holes
    clockwise), so that 10 000 hatched polygons draw as a few patches, not 10 000."""
    polys = shapely.orient_polygons(geoms)
    for code, (fill, stroke) in enumerate(paints):
        parts = shapely.get_parts(polys[codes == code])
        parts = parts[shapely.get_type_id(parts) == 3]
        rings = shapely.get_rings(parts)
        ax.add_patch(PathPatch(_path(rings, closed=True), facecolor=fill, edgecolor=stroke, linewidth=lw,
                               hatch=hatch, zorder=2, gid=gid))


def _draw_lines(ax, geoms, codes, paints, lw, linestyle, gid) -> None:
    """Lines, and polygons as their outlines, as one unfilled PathPatch per paint group."""
    lines = np.where(shapely.get_type_id(geoms) >= 3, shapely.boundary(geoms), geoms)
    for code, (_, stroke) in enumerate(paints):
        parts = shapely.get_parts(lines[codes == code])
        ax.add_patch(PathPatch(_path(parts, closed=False), fill=False, edgecolor=stroke, linewidth=lw,
                               linestyle=linestyle, capstyle="round", joinstyle="round", zorder=3, gid=gid))


def _draw_layer(ax, kind, style, gdf, styles, label_points: bool) -> None:
    """Draw one layer (in the map CRS) with ``style`` (see :func:`ecogis.render.styles.layer_style`)."""
    geometry = style.get("geometry", "polygon")
    lw = float(style.get("width", 1.5)) * PT_PER_PX * 1.4
    geoms = np.asarray(gdf.geometry.values)
    types = shapely.get_type_id(geoms)
    is_point = (types == 0) | (types == 4)
    points, shapes = gdf[is_point], gdf[~is_point]
    gid = f"layer-{kind or 'default'}"
    if len(shapes):
        codes, paints = _paint_groups(style, shapes)
        # lines are never filled, and a "line" kind draws polygons as their outlines
        as_line = np.isin(types[~is_point], (1, 2, 5)) | (geometry == "line")
        shape_geoms = geoms[~is_point]
        if as_line.any():
            _draw_lines(ax, shape_geoms[as_line], codes[as_line], paints, lw, _dashes(style.get("dash"), lw), gid)
        if not as_line.all():
            _draw_polygons(ax, shape_geoms[~as_line], codes[~as_line], paints, lw,
                           "////" if style.get("hatch") else None, gid)
        if style.get("pin"):
            _draw_pins(ax, style, shapes, gid)
    if len(points):
        _draw_points(ax, style, styles, points, gid)
        if label_points and "name" in points:
            _label_points(ax, points)


def _draw_pins(ax, style, shapes, gid) -> None:
    """A ring and the name at a point inside each parcel, so that small sites stay visible."""
    pins = shapely.point_on_surface(np.asarray(shapes.geometry.values))
    xy = shapely.get_coordinates(pins)
    r = float(style["pin"])
    ax.scatter(xy[:, 0], xy[:, 1], s=(2 * r) ** 2, facecolors="none", edgecolors=style.get("stroke", "#333"),
               linewidths=1.8, zorder=7, gid=gid + "-pin")
    if "name" in shapes:
        _label_points(ax, gpd.GeoDataFrame({"name": shapes["name"].tolist()}, geometry=pins, crs=shapes.crs))


def _draw_points(ax, style, styles, points, gid) -> None:
    """Point features as markers (the first point of a multipoint); colours looked up per distinct value."""
    xy = shapely.get_coordinates(shapely.get_geometry(np.asarray(points.geometry.values), 0))
    marker = style.get("marker")
    r = float(style.get("radius", 5))
    size = (1.4 * r) ** 2          # style radius is in screen pixels; points are smaller on paper
    if marker == "section":
        def colour(v):
            return st.water_class_entry(styles, v)[1]["color"]

        ax.scatter(xy[:, 0], xy[:, 1], s=size, c=list(_per_value(points, "measured_class", colour)),
                   edgecolors=list(_per_value(points, "target_class", colour)), linewidths=2.2, zorder=6, gid=gid)
        return
    by = style.get("by")
    fill = style.get("fill", style.get("stroke", "#333"))
    fills = (_per_value(points, by, lambda v: st.value_entry(style, v)[1].get("fill", fill)) if by
             else np.array([fill] * len(points), dtype=object))
    if marker == "shape":
        shapes, other = style.get("shapes", {}), style.get("other_shape", {})
        shape_of = _per_value(points, "type", lambda t: shapes.get(str(t).strip(), other).get("shape", "square"))
        for shp in sorted(set(shape_of)):
            sel = shape_of == shp
            ax.scatter(xy[sel, 0], xy[sel, 1], s=size, marker=MARKER_SHAPES.get(shp, "s"), c=list(fills[sel]),
                       edgecolors=style.get("stroke", "#222"), linewidths=0.8, zorder=6, gid=gid)
        return
    ax.scatter(xy[:, 0], xy[:, 1], s=size, marker=MARKER_SHAPES.get(marker or "circle", "o"),
               c=list(fills), edgecolors=style.get("stroke", "#333"), linewidths=0.6, zorder=5, gid=gid)


def _label_points(ax, points) -> None:
    halo = [pe.withStroke(linewidth=2.5, foreground="white")]
    for geom, name in zip(points.geometry.values, points["name"].tolist()):
        if name is None or (isinstance(name, float) and np.isnan(name)):
            continue
        pt = geom if geom.geom_type == "Point" else shapely.get_point(geom, 0)
        ax.annotate(str(name), (pt.x, pt.y), xytext=(6, 4), textcoords="offset points", fontsize=7,
                    color="#111", path_effects=halo, zorder=7, annotation_clip=True)


# --------------------------------------------------------------------------------------------
# Map furniture: graticule, scale bar, north arrow, legend, inset
# --------------------------------------------------------------------------------------------
def _dms(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    value = abs(value)
    deg = int(math.floor(value + 1e-9))
    minutes = (value - deg) * 60
    if abs(minutes - round(minutes)) < 1e-6:
        return f"{deg}°{int(round(minutes)):02d}′{hemi}"
    return f"{deg}°{minutes:05.2f}′{hemi}"


def _graticule(ax, crs, xlim, ylim) -> None:
    """Meridians and parallels in degrees/minutes, labelled on the four sides of the neat line."""
    to_geo = Transformer.from_crs(crs, 4490, always_xy=True)
    to_map = Transformer.from_crs(4490, crs, always_xy=True)
    ex = np.linspace(*xlim, 200)
    ey = np.linspace(*ylim, 200)
    edges = {
        "bottom": to_geo.transform(ex, np.full_like(ex, ylim[0])),
        "top": to_geo.transform(ex, np.full_like(ex, ylim[1])),
        "left": to_geo.transform(np.full_like(ey, xlim[0]), ey),
        "right": to_geo.transform(np.full_like(ey, xlim[1]), ey),
    }
    lons = np.concatenate([edges["bottom"][0], edges["top"][0]])
    lats = np.concatenate([edges["left"][1], edges["right"][1]])
    step = _graticule_step(max(lons.max() - lons.min(), lats.max() - lats.min()))
    lon_vals = np.arange(math.ceil(lons.min() / step) * step, lons.max(), step)
    lat_vals = np.arange(math.ceil(lats.min() / step) * step, lats.max(), step)
    line_kw = dict(color="#8a8a8a", linewidth=0.4, linestyle=(0, (4, 3)), zorder=1.5)
    lat_span = np.linspace(lats.min() - step, lats.max() + step, 100)
    lon_span = np.linspace(lons.min() - step, lons.max() + step, 100)
    for lon in lon_vals:
        x, y = to_map.transform(np.full_like(lat_span, lon), lat_span)
        ax.plot(x, y, **line_kw)
    for lat in lat_vals:
        x, y = to_map.transform(lon_span, np.full_like(lon_span, lat))
        ax.plot(x, y, **line_kw)
    label_kw = dict(fontsize=7, color="#222", clip_on=False)
    for side, (glon, glat) in edges.items():
        along = ex if side in ("bottom", "top") else ey
        geo = glon if side in ("bottom", "top") else glat
        vals = lon_vals if side in ("bottom", "top") else lat_vals
        order = np.argsort(geo)
        for v in vals:
            if not geo.min() <= v <= geo.max():
                continue
            pos = float(np.interp(v, geo[order], along[order]))
            text = _dms(v, "E", "W") if side in ("bottom", "top") else _dms(v, "N", "S")
            if side == "bottom":
                ax.annotate(text, (pos, ylim[0]), xytext=(0, -4), textcoords="offset points", ha="center",
                            va="top", **label_kw)
            elif side == "top":
                ax.annotate(text, (pos, ylim[1]), xytext=(0, 4), textcoords="offset points", ha="center",
                            va="bottom", **label_kw)
            elif side == "left":
                ax.annotate(text, (xlim[0], pos), xytext=(-4, 0), textcoords="offset points", ha="right",
                            va="center", rotation=90, rotation_mode="anchor", **label_kw)
            else:
                ax.annotate(text, (xlim[1], pos), xytext=(4, 0), textcoords="offset points", ha="left",
                            va="center", rotation=-90, rotation_mode="anchor", **label_kw)


def _graticule_step(span_deg: float) -> float:
    for minutes in (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600):
        if span_deg / (minutes / 60) <= 5:
            return minutes / 60
    return 15.0


def _scale_bar(ax, xlim, ylim, styles, lang) -> float:
    """Alternating black/white scale bar in the lower left, in true metres; returns its length."""
    width = xlim[1] - xlim[0]
    length = _nice_below(width * 0.22)
    seg = length / 4
    x0 = xlim[0] + width * 0.04
    y0 = ylim[0] + (ylim[1] - ylim[0]) * 0.045
    h = (ylim[1] - ylim[0]) * 0.009
    km = length >= 1000
    unit = st.text(styles, "km" if km else "m", lang)
    ax.add_patch(Rectangle((x0 - width * 0.015, y0 - h * 1.6), length + width * 0.07, h * 5.6,
                           facecolor="white", edgecolor="none", alpha=0.85, zorder=8, gid="scale-bar-bg"))
    for i in range(4):
        ax.add_patch(Rectangle((x0 + i * seg, y0), seg, h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=9, gid="scale-bar"))
    for frac in (0, 0.5, 1):
        value = length * frac / (1000 if km else 1)
        ax.text(x0 + length * frac, y0 + h * 1.5, f"{value:g}", ha="center", va="bottom", fontsize=7, zorder=9)
    ax.text(x0 + length + width * 0.012, y0 + h / 2, unit, ha="left", va="center", fontsize=7, zorder=9)
    return length


def _north_angle(crs, xlim, ylim) -> float:
    """Angle (degrees, counter-clockwise from grid up) of true north at the map centre."""
    cx, cy = (xlim[0] + xlim[1]) / 2, (ylim[0] + ylim[1]) / 2
    to_geo = Transformer.from_crs(crs, 4490, always_xy=True)
    to_map = Transformer.from_crs(4490, crs, always_xy=True)
    lon, lat = to_geo.transform(cx, cy)
    x1, y1 = to_map.transform(lon, lat + 0.01)
    return math.degrees(math.atan2(-(x1 - cx), y1 - cy))


def _north_arrow(ax, angle: float, styles, lang) -> None:
    """指北针: a two-tone arrow (in points, so it is not distorted) turned to true north."""
    w, h = 22.0, 34.0
    area = DrawingArea(w, h, 0, 0)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def rot(pts):
        return [((x - w / 2) * c - (y - h / 2) * s + w / 2, (x - w / 2) * s + (y - h / 2) * c + h / 2)
                for x, y in pts]

    tip, left, right, notch = (w / 2, h), (1, 0), (w - 1, 0), (w / 2, h * 0.3)
    area.add_artist(MplPolygon(rot([tip, notch, left]), closed=True, facecolor="white", edgecolor="black",
                               linewidth=0.8, gid="north-arrow-west"))
    area.add_artist(MplPolygon(rot([tip, right, notch]), closed=True, facecolor="black", edgecolor="black",
                               linewidth=0.8, gid="north-arrow-east"))
    label = TextArea(st.text(styles, "north", lang), textprops=dict(fontsize=11, fontweight="bold"))
    box = VPacker(children=[label, area], align="center", pad=0, sep=2)
    anchored = AnchoredOffsetbox(loc="upper right", child=box, frameon=False, pad=0.6, borderpad=0.8)
    anchored.set_gid("north-arrow")
    anchored.set_zorder(10)
    ax.add_artist(anchored)


def _legend_handle(item: dict):
    sym = item["symbol"]
    lw = float(item.get("width", 1)) * PT_PER_PX * 1.4
    if sym == "polygon":
        return Patch(facecolor=to_rgba(item["fill"], item["fill_opacity"]), edgecolor=item["stroke"],
                     linewidth=min(lw, 2.5), hatch="////" if item.get("hatch") else None,
                     linestyle=_dashes(item.get("dash"), lw))
    if sym == "line":
        return Line2D([], [], color=item["stroke"], linewidth=lw, linestyle=_dashes(item.get("dash"), lw))
    if sym in ("circle", "marker"):
        mk = MARKER_SHAPES.get(item.get("shape", "circle"), "o")
        return Line2D([], [], linestyle="none", marker=mk, markersize=7, markerfacecolor=item["fill"],
                      markeredgecolor=item["stroke"], markeredgewidth=min(float(item.get("width", 1)), 2.5) * 0.8)
    return Patch(facecolor="none", edgecolor="none")


def _legend_rows(groups) -> list[list[tuple]]:
    """Legend entries per group as [(handle, label, bold)] (see :func:`map_layers.legend_order`)."""
    out = []
    for title, rows, titled in legend_order(groups):
        head = [(_blank_handle(), title, True)] if titled else []
        out.append(head + [(_legend_handle(item), ("  " if titled else "") + item["text"], False) for item in rows])
    return out


def _blank_handle():
    return Patch(facecolor="none", edgecolor="none")


def _columns(blocks: list[list], ncols: int) -> tuple[list, int]:
    """Pack blocks (groups of legend rows, in order) into at most ``ncols`` columns, none split.

    Returns (entries in matplotlib's column-major order, number of columns used); each column is
    padded with blank rows to the same height, so that a column break never falls inside a group.
    """
    sizes = [len(b) for b in blocks]
    height = max(max(sizes), -(-sum(sizes) // ncols))
    while True:   # the smallest column height at which the blocks fit in ncols columns
        cols, used = [[]], 0
        for block in blocks:
            if used + len(block) > height:
                cols.append([])
                used = 0
            cols[-1].extend(block)
            used += len(block)
        if len(cols) <= ncols:
            break
        height += 1
    blank = (_blank_handle(), "", False)
    return [entry for col in cols for entry in col + [blank] * (height - len(col))], len(cols)


def _legend(lax, groups, styles, lang, renderer) -> None:
    """The legend in its box: the largest text, then more columns, that fit; groups stay whole."""
    blocks = _legend_rows(groups)
    lax.set_axis_off()
    for fontsize, max_cols in ((8, 1), (7, 1), (7, 2), (6, 2), (5.5, 3)):
        entries, ncols = _columns(blocks, max_cols)
        leg = lax.legend([e[0] for e in entries], [e[1] for e in entries], loc="upper left",
                         bbox_to_anchor=(0, 0, 1, 1), mode="expand", title=st.text(styles, "legend", lang),
                         fontsize=fontsize, title_fontsize=11, frameon=True, fancybox=False, edgecolor="black",
                         borderpad=0.7, handlelength=2.0, handleheight=1.0, labelspacing=0.4,
                         ncols=ncols, columnspacing=0.8, borderaxespad=0)
        box, axbox = leg.get_window_extent(renderer), lax.get_window_extent(renderer)
        px = fontsize * lax.figure.dpi / 72
        widest = max(t.get_window_extent(renderer).width for t in leg.get_texts())
        column = widest + (2.0 + 0.8 + 0.8) * px        # handle, handle pad, column spacing
        if box.height <= axbox.height * 1.001 and column * ncols <= axbox.width:
            break
    leg.get_frame().set_linewidth(0.8)
    for text, entry in zip(leg.get_texts(), entries):
        if entry[2]:
            text.set_fontweight("bold")
    leg.set_gid("legend")


def _province_of(extent: tuple, province: str | None, adcode: str | None = None):
    """Province boundary (EPSG:4490) covering most of ``extent`` (west, south, east, north), or the
    named one, and its cities. A boundary layer's adcode (first two digits) names the province."""
    from ecogis.boundaries import get_boundary, get_districts

    if province:
        prov = get_boundary(province, level="province")
    elif adcode and len(str(adcode)) == 6 and str(adcode).isdigit():
        prov = get_boundary(str(adcode)[:2] + "0000", level="province")
    else:
        name = _province_at(tuple(round(v, 3) for v in extent))
        if name is None:
            return None, None
        prov = get_boundary(name, level="province")
    try:
        children = get_districts(prov["name"].iloc[0])
    except EcogisError:
        children = None
    return prov, children


@lru_cache(maxsize=64)
def _province_at(extent: tuple) -> str | None:
    """Name of the province (Tianditu boundaries) that covers most of the box ``extent``, None outside
    China. A box, not its centre: a coastal map's centre may lie in the sea."""
    from ecogis.boundaries import get_boundary, list_names

    names = list(list_names("province"))
    geoms = np.array([get_boundary(n, level="province").geometry.iloc[0] for n in names])
    area = shapely.area(shapely.intersection(geoms, shapely.box(*extent)))
    return names[int(area.argmax())] if area.max() > 0 else None


def _inset(iax, items_extent_geo, province, styles, lang, notes, adcode=None) -> str | None:
    """Location inset: the province, its cities, and the map extent in red. Returns the province name."""
    try:
        prov, children = _province_of(items_extent_geo, province, adcode)
        if prov is None:
            warn_assumption("location inset left empty: the map extent is in no Chinese province", notes)
    except (ImportError, EcogisError, OSError) as exc:
        warn_assumption(f"location inset left out: province boundary not available ({exc})", notes)
        prov, children = None, None
    iax.set_xticks([])
    iax.set_yticks([])
    for spine in iax.spines.values():
        spine.set_linewidth(0.8)
    iax.set_title(st.text(styles, "inset", lang), fontsize=10, pad=4)
    extent = shapely.box(*items_extent_geo)
    if prov is None:
        iax.text(0.5, 0.5, "—", transform=iax.transAxes, ha="center", va="center")
        return None
    prov.plot(ax=iax, facecolor="#f2efe6", edgecolor="#333", linewidth=0.7)
    if children is not None and len(children):
        children.boundary.plot(ax=iax, color="#999", linewidth=0.3)
    gpd.GeoSeries([extent], crs=4490).plot(ax=iax, facecolor=to_rgba("#e60000", 0.35), edgecolor="#e60000",
                                           linewidth=1.2)
    pw = prov.total_bounds[2] - prov.total_bounds[0]
    if extent.bounds[2] - extent.bounds[0] < 0.03 * pw:   # too small to see: mark the place
        iax.plot([extent.centroid.x], [extent.centroid.y], marker="*", markersize=11, color="#e60000",
                 markeredgecolor="white", markeredgewidth=0.6, zorder=5)
    x0, y0, x1, y1 = prov.total_bounds
    x0, y0 = min(x0, extent.bounds[0]), min(y0, extent.bounds[1])
    x1, y1 = max(x1, extent.bounds[2]), max(y1, extent.bounds[3])
    pad = 0.04 * max(x1 - x0, y1 - y0)
    iax.set_xlim(x0 - pad, x1 + pad)
    iax.set_ylim(y0 - pad, y1 + pad)
    iax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)), adjustable="box", anchor="N")
    iax.set_xlabel("")
    iax.set_ylabel("")
    name = prov["name"].iloc[0]
    iax.text(0.03, 0.03, name, transform=iax.transAxes, fontsize=8, color="#333")
    return name


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def build_figure(layers: dict, site=None, title: str | None = None, lang: str = "zh", styles=None,
                 kinds: dict | None = None, inset: bool = True, province: str | None = None,
                 figsize=A4_LANDSCAPE, note: str | None = None, focus=None, notes: list | None = None) -> Figure:
    """Draw the static map and return the matplotlib Figure (see :func:`render_static`).

    The figure's ``ecogis`` attribute holds {crs, scale_bar_m, north_angle_deg, province, main_ax}.
    """
    notes = [] if notes is None else notes
    styles = st.load_styles(styles)
    families = cjk_font_families()
    with matplotlib.rc_context(_rc(families)):
        items = map_layers(layers, site, kinds, styles)
        crs = _map_crs(items)
        proj = [(n, k, g.to_crs(crs)) for n, k, g in items]
        bounds = np.array([g.total_bounds for _, _, g in proj if len(g)])
        data_bounds = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
        view = st.focus_box(focus, site)
        if view is not None:
            data_bounds = Transformer.from_crs(4490, crs, always_xy=True).transform_bounds(*view)

        # the base canvas until all layers are plotted: geopandas calls draw_idle after each plot,
        # which would redraw the whole figure every time on an Agg canvas
        fig = Figure(figsize=figsize)
        ax = fig.add_axes(MAIN_BOX)
        box_w, box_h = figsize[0] * MAIN_BOX[2], figsize[1] * MAIN_BOX[3]
        xlim, ylim = _fit_limits(data_bounds, box_w, box_h)
        ax.set_facecolor(styles.get("background", "white"))
        titles = st.unique_titles(items, styles, lang)
        groups = []
        for (name, kind, gdf), ttl, style in zip(proj, titles, layer_styles(proj, styles, notes)):
            if not len(gdf):
                warn_assumption(f"layer {name!r} has no features to draw: left out of the legend", notes)
                continue
            _draw_layer(ax, kind, style, gdf, styles, label_points=kind in ("water_section", "site"))
            groups.append((ttl, st.legend_items(kind or "default", styles, gdf, lang, ttl, style)))
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_linewidth(1.4)
        _graticule(ax, crs, xlim, ylim)
        scale_m = _scale_bar(ax, xlim, ylim, styles, lang)
        angle = _north_angle(crs, xlim, ylim)
        _north_arrow(ax, angle, styles, lang)

        if title:
            fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=20, fontweight="bold", gid="title")
        prov_name = None
        if inset:
            iax = fig.add_axes(INSET_BOX)
            geo_extent = Transformer.from_crs(crs, 4490, always_xy=True).transform_bounds(
                xlim[0], ylim[0], xlim[1], ylim[1])
            prov_name = _inset(iax, geo_extent, province, styles, lang, notes, _boundary_adcode(items))
        lax = fig.add_axes(LEGEND_BOX)
        _legend(lax, groups, styles, lang, _renderer(fig))
        fig.text(MAIN_BOX[0], 0.035, note or _default_note(crs, lang, prov_name), fontsize=7, color="#333",
                 ha="left", va="center", gid="note")
        fig.ecogis = {"crs": crs.to_string(), "scale_bar_m": scale_m, "north_angle_deg": angle,
                      "province": prov_name, "main_ax": ax, "families": families}
    return fig


def _renderer(fig):
    """An Agg renderer to measure text: the figure's own if it has an Agg canvas, else a new one.

    Figures are built on the base canvas (geopandas redraws an Agg canvas after every layer).
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    return canvas.get_renderer()


def _boundary_adcode(items) -> str | None:
    """The adcode of the first boundary-kind layer, if it has one."""
    for _, kind, gdf in items:
        if kind == "boundary" and "adcode" in gdf and len(gdf):
            value = gdf["adcode"].dropna()
            if len(value):
                return str(value.iloc[0]).split(".")[0]
    return None


def _default_note(crs, lang: str, province: str | None) -> str:
    try:
        from ecogis.crs import describe_crs
        crs_text = describe_crs(crs)
    except ImportError:
        crs_text = crs.to_string()
    today = _dt.date.today().isoformat()
    if lang == "zh":
        parts = [f"坐标系：{crs_text}", "比例尺为投影平面距离（米）"]
        if province:
            parts.append("区位图行政区划：天地图")
        parts.append(f"制图：ecogis，{today}")
        return "；".join(parts)
    parts = [f"CRS: {crs_text}", "scale bar in projected metres"]
    if province:
        parts.append("location map boundaries: Tianditu")
    parts.append(f"made with ecogis, {today}")
    return "; ".join(parts)


def render_static(layers: dict, out, site=None, title: str | None = None, dpi: int = 300, lang: str = "zh",
                  styles=None, kinds: dict | None = None, inset: bool = True, province: str | None = None,
                  overwrite: bool = False, figsize=A4_LANDSCAPE, note: str | None = None, focus=None,
                  notes: list | None = None) -> Path:
    """Write a print-ready static map to ``out`` (.png, .pdf or .svg) and return its path.

    Parameters
    ----------
    layers : dict[str, GeoDataFrame]
        name -> layer in any CRS; ``attrs["ecogis"]["kind"]`` (or ``kinds[name]``) picks the style.
    site : GeoDataFrame, optional
        Project site, drawn with a bold outline and its name.
    title : str, optional
        Map title (图名) above the map.
    dpi : int
        Raster resolution for PNG (300 for print, the default).
    lang : "zh" or "en"
    styles : path or dict, optional
        Overrides merged over ``ecogis/render/styles.yaml``.
    inset, province :
        Draw the location inset (区位图) in the province containing the data, or in ``province``.
    focus : None, "site" or (west, south, east, north)
        Map extent: all data (default), the site and its surroundings (at least 2 km), or a box in
        EPSG:4490 degrees.
    overwrite : bool
        Replace an existing ``out`` (otherwise EcogisError). The file is written atomically.

    Chinese glyphs missing from the available fonts are reported as AssumptionWarnings (install
    fonts-noto-cjk or set ECOGIS_CJK_FONT).
    """
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise EcogisError(f"unsupported static map format {out.suffix!r}; use .png, .pdf or .svg", path=out)
    notes = [] if notes is None else notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        fig = build_figure(layers, site=site, title=title, lang=lang, styles=styles, kinds=kinds, inset=inset,
                           province=province, figsize=figsize, note=note, focus=focus, notes=notes)
        with matplotlib.rc_context(_rc(fig.ecogis["families"])):
            with atomic_path(out, overwrite=overwrite) as tmp:
                fig.savefig(tmp, dpi=dpi, format=fmt, facecolor="white")
    _report_warnings(caught, notes)
    return out


def _report_warnings(caught, notes) -> None:
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        warn_assumption(
            f"{len(missing)} character(s) have no glyph in the installed fonts and print as boxes "
            f"({missing[0]}...); install a CJK font (apt install fonts-noto-cjk) or set ECOGIS_CJK_FONT",
            notes)
    for w in caught:
        if "missing from font" in str(w.message):
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
