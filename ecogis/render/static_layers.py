"""Static maps: drawing the layers of a map with matplotlib, in the map's projected CRS.

Polygons and lines are drawn as one compound path per paint group (built from shapely coordinate
arrays), points as one scatter per marker shape; colours are looked up once per distinct value.
Style widths and radii are screen pixels (the HTML map's units); on paper they are drawn thinner.
"""
from __future__ import annotations

import geopandas as gpd
import matplotlib.patheffects as pe
import numpy as np
import pandas as pd
import shapely
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from ecogis.render import styles as st

PT_PER_PX = 0.6                           # style widths are screen pixels; print a bit thinner
MARKER_SHAPES = {"triangle": "^", "diamond": "D", "square": "s", "circle": "o"}


def dashes(dash: str | None, lw: float):
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


def draw_layer(ax, kind, style, gdf, styles, label_points: bool) -> None:
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
            _draw_lines(ax, shape_geoms[as_line], codes[as_line], paints, lw, dashes(style.get("dash"), lw), gid)
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
