"""Static maps: drawing the layers of a map with matplotlib, in the map's projected CRS.

Polygons and lines are drawn as one compound path per paint group (built from shapely coordinate
arrays), points as one scatter per marker shape; colours are looked up once per distinct value.
Style widths and radii are screen pixels (the HTML map's units); on paper they are drawn thinner.
The patches are added without updating the axes' data limits (the map sets its extent itself;
matplotlib would walk every vertex of every path in Python to extend them).
"""
from __future__ import annotations

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


def compound_path(geoms: np.ndarray, closed: bool) -> MplPath:
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
        ax.add_artist(PathPatch(compound_path(rings, closed=True), facecolor=fill, edgecolor=stroke, linewidth=lw,
                                hatch=hatch, zorder=2, gid=gid))


def _draw_lines(ax, geoms, codes, paints, lw, linestyle, gid) -> None:
    """Lines, and polygons as their outlines, as one unfilled PathPatch per paint group."""
    lines = np.where(np.isin(shapely.get_type_id(geoms), (3, 6)), shapely.boundary(geoms), geoms)
    for code, (_, stroke) in enumerate(paints):
        parts = shapely.get_parts(lines[codes == code])
        ax.add_artist(PathPatch(compound_path(parts, closed=False), fill=False, edgecolor=stroke, linewidth=lw,
                                linestyle=linestyle, capstyle="round", joinstyle="round", zorder=3, gid=gid))


def draw_layer(ax, kind, style, gdf, styles, label_points: bool,
               label_shapes: bool = False, view=None, kept: dict | None = None) -> list[tuple[float, float, str]]:
    """Draw one layer (in the map CRS) with ``style`` (see :func:`ecogis.render.styles.layer_style`).

    ``view`` (x0, y0, x1, y1 in the map CRS, a margin included): only the lines and polygons whose bounds
    meet it are drawn; the others would fall outside the axes (what shows is the same, the paths smaller).
    Returns the name labels to place, (x, y, text), once the map extent is fixed (:func:`place_labels`):
    points' names with ``label_points``, polygons' names (once per name, inside its largest part) with
    ``label_shapes`` (from every feature, so that a label does not move with the view). ``kept``: a dict
    the caller keeps for the next maps of the same layer (the same ``gdf`` and style): what does not
    depend on the view is worked out once and kept in it.
    """
    if kept is not None and kept.get("gdf") is gdf and kept.get("style") == style:
        layer = kept["layer"]
    else:
        layer = _Layer(style, gdf, label_points, label_shapes)
        if kept is not None:
            kept.update(gdf=gdf, style=style, layer=layer)
    geometry = style.get("geometry", "polygon")
    lw = float(style.get("width", 1.5)) * PT_PER_PX * 1.4
    gid = f"layer-{kind or 'default'}"
    if len(layer.shapes):
        shape_geoms, drawn = layer.geoms[~layer.is_point], in_view(layer.geoms[~layer.is_point], view)
        shape_geoms = clip_to_view(shape_geoms, drawn, view)
        # lines are never filled, and a "line" kind draws polygons as their outlines
        as_line = layer.as_line | (geometry == "line")
        codes, paints = layer.codes, layer.paints
        if as_line.any():
            sel = as_line & drawn
            _draw_lines(ax, shape_geoms[sel], codes[sel], paints, lw, dashes(style.get("dash"), lw), gid)
        if not as_line.all():
            sel = ~as_line & drawn
            _draw_polygons(ax, shape_geoms[sel], codes[sel], paints, lw, "////" if style.get("hatch") else None, gid)
        if style.get("pin"):
            _draw_pins(ax, style, layer.pins, gid)
    if len(layer.points):  # points are cheap: all drawn
        _draw_points(ax, style, styles, layer.points, gid)
    return list(layer.labels)


class _Layer:
    """What drawing a layer needs that does not depend on the view: its geometries and types, the point
    and other rows, the paint group of each feature, the pins and the name labels."""

    def __init__(self, style: dict, gdf, label_points: bool, label_shapes: bool):
        self.geoms = np.asarray(gdf.geometry.values)
        types = shapely.get_type_id(self.geoms)
        self.is_point = (types == 0) | (types == 4)
        self.points, self.shapes = _split(gdf, self.is_point)
        self.as_line = np.isin(types[~self.is_point], (1, 2, 5))
        self.labels: list[tuple[float, float, str]] = []
        self.pins = None
        if len(self.shapes):
            self.codes, self.paints = _paint_groups(style, self.shapes)
            if style.get("pin"):
                self.pins = shapely.point_on_surface(np.asarray(self.shapes.geometry.values))
                self.labels += _labels(self.pins, self.shapes["name"]) if "name" in self.shapes else []
            elif label_shapes and "name" in self.shapes:
                self.labels += _shape_labels(self.shapes)
        if len(self.points) and label_points and "name" in self.points:
            self.labels += _labels(shapely.get_geometry(self.geoms[self.is_point], 0), self.points["name"])


def clip_to_view(geoms: np.ndarray, drawn: np.ndarray, view) -> np.ndarray:
    """``geoms`` with those that are ``drawn`` and reach beyond the box ``view`` (x0, y0, x1, y1; the
    axes' extent and a margin) cut to it: what shows inside the axes is the same, the paths a fraction
    of the vertices. The cut edges lie in the margin, outside the axes, which clip them."""
    if view is None:
        return geoms
    bounds = shapely.bounds(geoms)
    x0, y0, x1, y1 = view
    beyond = drawn & ((bounds[:, 0] < x0) | (bounds[:, 1] < y0) | (bounds[:, 2] > x1) | (bounds[:, 3] > y1))
    if not beyond.any():
        return geoms
    out = geoms.copy()
    out[beyond] = shapely.clip_by_rect(geoms[beyond], x0, y0, x1, y1)
    return out


def _split(gdf, is_point: np.ndarray):
    """(point rows, other rows) of ``gdf``; a layer of one kind is not copied (most are)."""
    if is_point.all():
        return gdf, gdf.iloc[:0]
    if not is_point.any():
        return gdf.iloc[:0], gdf
    return gdf[is_point], gdf[~is_point]


def in_view(geoms: np.ndarray, view) -> np.ndarray:
    """Whether each geometry's bounds meet the box ``view`` (x0, y0, x1, y1); all True without a view."""
    if view is None:
        return np.ones(len(geoms), dtype=bool)
    bounds = shapely.bounds(geoms)
    x0, y0, x1, y1 = view
    return (bounds[:, 0] <= x1) & (bounds[:, 2] >= x0) & (bounds[:, 1] <= y1) & (bounds[:, 3] >= y0)


def _shape_labels(shapes) -> list:
    """One label per distinct name, at a point inside the largest polygon of that name."""
    named = shapes[shapes["name"].notna()]
    if not len(named):
        return []
    geoms = np.asarray(named.geometry.values)
    largest = named.assign(_area=shapely.area(geoms)).sort_values("_area", ascending=False)
    largest = largest.drop_duplicates("name")
    return _labels(shapely.point_on_surface(np.asarray(largest.geometry.values)), largest["name"])


def _draw_pins(ax, style, pins, gid) -> None:
    """A ring at each of the ``pins`` (a point inside each parcel), so that small sites stay visible."""
    xy = shapely.get_coordinates(pins)
    r = float(style["pin"])
    ax.scatter(xy[:, 0], xy[:, 1], s=(2 * r) ** 2, facecolors="none", edgecolors=style.get("stroke", "#333"),
               linewidths=1.8, zorder=7, gid=gid + "-pin")


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


def _labels(points: np.ndarray, names) -> list[tuple[float, float, str]]:
    xy = shapely.get_coordinates(points)
    return [(x, y, str(n)) for (x, y), n in zip(xy, names.tolist()) if not pd.isna(n) and str(n).strip()]


# label positions tried in turn: offset (points), horizontal and vertical alignment
LABEL_POSITIONS = ((6, 3, "left", "bottom"), (6, -3, "left", "top"), (-6, 3, "right", "bottom"),
                   (-6, -3, "right", "top"), (9, 0, "left", "center"), (-9, 0, "right", "center"))
LABEL_FONTSIZE = 7


def place_labels(ax, labels) -> None:
    """Name labels beside their points, each at the first position whose box overlaps no label placed
    before it (in the given order); a label that fits nowhere takes the first position.

    Text boxes are estimated (CJK characters one em wide, others 0.6 em), so no renderer is needed.
    Call after the axes limits and aspect are final.
    """
    ax.apply_aspect()
    to_pt = ax.transData.transform
    scale = 72 / ax.figure.dpi
    halo = [pe.withStroke(linewidth=2.5, foreground="white")]
    placed: list[tuple] = []
    for x, y, text in labels:
        px, py = to_pt((x, y)) * scale
        w = sum(1.0 if ord(c) >= 0x2E80 else 0.6 for c in text) * LABEL_FONTSIZE
        h = LABEL_FONTSIZE * 1.25
        boxes = [_label_box(px, py, w, h, pos) for pos in LABEL_POSITIONS]
        free = [i for i, b in enumerate(boxes) if not any(_overlap(b, other) for other in placed)]
        i = free[0] if free else 0
        placed.append(boxes[i])
        dx, dy, ha, va = LABEL_POSITIONS[i]
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=LABEL_FONTSIZE, color="#111", path_effects=halo, zorder=7, annotation_clip=True)


def _label_box(px, py, w, h, pos) -> tuple[float, float, float, float]:
    dx, dy, ha, va = pos
    x0 = px + dx if ha == "left" else px + dx - w
    y0 = {"bottom": py + dy, "top": py + dy - h, "center": py - h / 2}[va]
    return x0, y0, x0 + w, y0 + h


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
