"""Static maps: the map furniture around the layers.

Graticule labelled in degrees and minutes, scale bar in true metres of the GK projection plane,
north arrow (指北针) turned to true north, and the legend (groups never split across columns); the
location inset (区位图) is in :mod:`ecogis.render.static_inset`.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
from matplotlib.patches import Patch, Rectangle
from matplotlib.patches import Polygon as MplPolygon
from pyproj import Transformer

from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.messages import say
from ecogis.render import styles as st
from ecogis.render.map_layers import legend_order
from ecogis.render.static_layers import MARKER_SHAPES, PT_PER_PX, dashes


def _nice_below(x: float) -> float:
    exp = math.floor(math.log10(x))
    best = 10 ** exp
    for m in (1, 2, 5):
        if m * 10 ** exp <= x:
            best = m * 10 ** exp
    return best


def _dms(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    value = abs(value)
    deg = int(math.floor(value + 1e-9))
    minutes = (value - deg) * 60
    if abs(minutes - round(minutes)) < 1e-6:
        return f"{deg}°{int(round(minutes)):02d}′{hemi}"
    return f"{deg}°{minutes:05.2f}′{hemi}"


def graticule(ax, crs, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    """Meridians and parallels in degrees/minutes, labelled on the four sides of the neat line."""
    to_geo = Transformer.from_crs(crs, GEOGRAPHIC_CRS, always_xy=True)
    to_map = Transformer.from_crs(GEOGRAPHIC_CRS, crs, always_xy=True)
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


def scale_bar(ax, xlim, ylim, styles, lang) -> float:
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


def north_angle(crs, xlim, ylim) -> float:
    """Angle (degrees, counter-clockwise from grid up) of true north at the map centre."""
    cx, cy = (xlim[0] + xlim[1]) / 2, (ylim[0] + ylim[1]) / 2
    to_geo = Transformer.from_crs(crs, GEOGRAPHIC_CRS, always_xy=True)
    to_map = Transformer.from_crs(GEOGRAPHIC_CRS, crs, always_xy=True)
    lon, lat = to_geo.transform(cx, cy)
    x1, y1 = to_map.transform(lon, lat + 0.01)
    return math.degrees(math.atan2(-(x1 - cx), y1 - cy))


def north_arrow(ax, angle: float, styles, lang) -> None:
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
                     linestyle=dashes(item.get("dash"), lw))
    if sym == "line":
        return Line2D([], [], color=item["stroke"], linewidth=lw, linestyle=dashes(item.get("dash"), lw))
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
        cols: list[list[Any]] = [[]]
        used = 0
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


LEGEND_FONT_SIZES = (8, 7, 6.5, 6, 5.5, 5, 4.5)     # points; each tried with 1, 2, 3 columns
#: a layout is measured only when its overflow, scaled from the last one measured with as many columns,
#: is at most this (text widths and row heights scale with the font size; the scaling is within a few %)
PREDICTED_SLACK = 0.05


def legend(lax, groups, styles, lang, renderer, notes: list | None = None) -> None:
    """The legend in its box: the largest text, then the fewest columns, that fit; groups stay whole.

    If no layout fits, the one that overflows least is used and an assumption note says so. A layout is
    drawn and measured only when it can fit: at most as many rows as the box holds, and an overflow
    predicted from the last layout measured with as many columns at most :data:`PREDICTED_SLACK`.
    """
    blocks = _legend_rows(groups)
    lax.set_axis_off()
    box_pt = lax.get_window_extent(renderer).height * 72 / lax.figure.dpi
    best = None
    measured: dict[int, tuple[float, float]] = {}     # columns -> (font size, overflow) last measured
    for fontsize in LEGEND_FONT_SIZES:
        for max_cols in (1, 2, 3):
            entries, ncols = _columns(blocks, max_cols)
            if len(entries) // ncols * 1.4 * fontsize > 1.1 * box_pt:
                continue        # rows of at least 1.4 em (text and 0.4 em spacing) cannot fit
            if ncols in measured and _scaled(*measured[ncols], fontsize) > PREDICTED_SLACK:
                continue
            leg, entries, overflow = _try_legend(lax, blocks, fontsize, max_cols, styles, lang, renderer)
            if overflow <= 0:
                return _finish_legend(leg, entries)
            measured[ncols] = (fontsize, overflow)
            if best is None or overflow < best[0]:
                best = (overflow, fontsize, max_cols)
    _, fontsize, max_cols = best or (None, LEGEND_FONT_SIZES[-1], 3)
    leg, entries, overflow = _try_legend(lax, blocks, fontsize, max_cols, styles, lang, renderer)
    say("map_legend_overflow", notes, rows=sum(len(b) for b in blocks), overflow=f"{overflow:.0%}", size=fontsize)
    _finish_legend(leg, entries)


def _scaled(size: float, overflow: float, new_size: float) -> float:
    """The overflow of a legend at ``new_size`` points, from its ``overflow`` at ``size``."""
    return (1 + overflow) * new_size / size - 1


def _try_legend(lax, blocks, fontsize, max_cols, styles, lang, renderer):
    """Draw the legend at ``fontsize`` in up to ``max_cols`` columns; return (legend, entries, overflow),
    overflow being the fraction by which the legend is taller or wider than its box (<= 0: fits)."""
    entries, ncols = _columns(blocks, max_cols)
    leg = lax.legend([e[0] for e in entries], [e[1] for e in entries], loc="upper left",
                     bbox_to_anchor=(0, 0, 1, 1), mode="expand", title=st.text(styles, "legend", lang),
                     fontsize=fontsize, title_fontsize=11, frameon=True, fancybox=False, edgecolor="black",
                     borderpad=0.7, handlelength=2.0, handleheight=1.0, labelspacing=0.4,
                     ncols=ncols, columnspacing=0.8, borderaxespad=0)
    for handle in leg.legend_handles:        # markers no taller than a row of text
        if isinstance(handle, Line2D) and handle.get_marker() not in (None, "None", "none", ""):
            handle.set_markersize(min(7.0, fontsize * 1.1))
    box, axbox = leg.get_window_extent(renderer), lax.get_window_extent(renderer)
    em = fontsize * lax.figure.dpi / 72
    widths = np.array([t.get_window_extent(renderer).width for t in leg.get_texts()])
    widths[[e[2] for e in entries]] *= 1.08                      # bold group titles are wider
    rows = len(entries) // ncols
    columns = widths.reshape(ncols, rows).max(axis=1) + (2.0 + 0.8 + 0.8) * em   # + handle, pad, spacing
    needed = columns.sum() + 2 * 0.7 * em                         # + border padding
    return leg, entries, max(box.height / axbox.height, needed / axbox.width) - 1


def _finish_legend(leg, entries) -> None:
    leg.get_frame().set_linewidth(0.8)
    for text, entry in zip(leg.get_texts(), entries):
        if entry[2]:
            text.set_fontweight("bold")
    leg.set_gid("legend")


def canvas(fig) -> FigureCanvasAgg:
    """The figure's Agg canvas: its own if it has one, else a new one (which becomes the figure's)."""
    return fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)


def renderer(fig):
    """An Agg renderer to measure text: the figure's own canvas's (kept while the figure keeps its size
    and dpi, with the text metrics it has measured)."""
    return canvas(fig).get_renderer()
