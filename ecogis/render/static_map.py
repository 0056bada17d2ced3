"""Print-ready static maps (PNG, PDF, SVG) for reports, drawn with matplotlib.

Layout (A4 landscape by default): title on top; the map in a neat line with graticule labels in
degrees and minutes on all four sides, a north arrow (指北针) and a scale bar; on the right a location
inset (区位图) showing the map extent in its province, and the legend; a note line with the CRS.

Coordinates: the map is drawn in the unprefixed CGCS2000 3-degree Gauss-Kruger zone that contains the
data (:func:`ecogis.crs.gk_crs_for_lon`), so the scale bar is in true metres on the projection
plane (the GK scale factor is below 1.0003 within a 3-degree zone: under 0.03 % error). The north
arrow points to true north: it is turned by the meridian convergence at the map centre.

Modules: this one lays the page out (fonts, extent, figure, output); ``static_layers`` draws the
layers, ``static_furniture`` the graticule, scale bar, north arrow, inset and legend.

Fonts: Chinese text needs a CJK font. ecogis uses a font file named by the environment variable
``ECOGIS_CJK_FONT``, else Noto Sans CJK SC as shipped by the ``mplfonts`` package (a dependency, so a
fresh pip install renders Chinese without root), else the first installed of Source Han Sans SC,
WenQuanYi, Microsoft YaHei, SimHei, PingFang SC.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import math
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from pyproj import Transformer

from ecogis.crs import describe_crs, gk_crs_for_lon
from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.messages import say, translate
from ecogis.outputs import atomic_path
from ecogis.render import static_figure, static_inset
from ecogis.render import static_furniture as furniture
from ecogis.render import styles as st
from ecogis.render.map_credits import credit_parts
from ecogis.render.map_layers import focus_box, layer_styles, layers_bounds, map_layers
from ecogis.render.static_layers import draw_layer, in_view, place_labels

FORMATS = ("png", "pdf", "svg")
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
                "Sarasa Gothic SC")
A4_LANDSCAPE = (11.69, 8.27)
MAIN_BOX = (0.055, 0.10, 0.66, 0.78)     # figure fraction: left, bottom, width, height
INSET_BOX = (0.765, 0.56, 0.205, 0.30)
#: the least resolution of a figure on paper at the width it is placed at (dots per inch): 200 for
#: print, and a margin so that a figure widened a little in Word keeps it
PRINT_DPI = 220
LEGEND_BOX = (0.765, 0.10, 0.205, 0.43)


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
            raise error("maps.missing_font", path=user)
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


@contextlib.contextmanager
def quiet_font_lookup():
    """Silence matplotlib's "findfont: ..." log lines (a missing bold face falls back to regular, a
    family is looked up down the list) while a map is drawn and saved; missing glyphs are still
    reported (:func:`_report_warnings`)."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _rc(families) -> dict:
    # explicit family names (not "sans-serif") so that the figure keeps its fonts outside this context.
    # PDF: Type 3 fonts. Type 42 would embed the CFF outlines of Noto/Source Han (OpenType "OTTO")
    # as TrueType data, which PDF readers flag as a font type mismatch.
    return {"font.family": list(families), "font.sans-serif": list(families), "axes.unicode_minus": False,
            "pdf.fonttype": 3, "svg.fonttype": "path", "hatch.linewidth": 0.8,
            "text.parse_math": False}   # names are text: "$\\x$" is not TeX


# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------
def _map_crs(items, shared=None):
    """The unprefixed 3-degree GK CRS of the data's central longitude."""
    west, _, east, _ = layers_bounds(_to_crs(shared, n, k, g, GEOGRAPHIC_CRS) for n, k, g in items)
    return gk_crs_for_lon([west, east])


def _to_crs(shared: dict | None, name: str, kind, gdf, crs):
    """``gdf.to_crs(crs)`` without ``attrs`` (pandas deep-copies them at every step of the drawing; the
    titles and kinds were read before), kept in ``shared`` (by layer name and CRS) for the next figure of
    the same layers; the site, which changes from figure to figure, is projected each time."""
    key = (name, str(crs))
    if shared is not None and kind != "site" and key in shared:
        return shared[key]
    out = gdf.to_crs(crs)
    out.attrs = {}
    if shared is not None and kind != "site":
        shared[key] = out
    return out


#: the margin around the view (share of its width and height) within which lines and polygons are drawn
VIEW_MARGIN = 0.05


def _drawn_box(xlim, ylim) -> tuple[float, float, float, float]:
    """The view widened by :data:`VIEW_MARGIN`: features beyond it cannot reach into the axes."""
    mx, my = (xlim[1] - xlim[0]) * VIEW_MARGIN, (ylim[1] - ylim[0]) * VIEW_MARGIN
    return xlim[0] - mx, ylim[0] - my, xlim[1] + mx, ylim[1] + my


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
# Public API
# --------------------------------------------------------------------------------------------
#: kinds whose polygons are labelled with their names (red-line parcels, reserves)
LABELLED_KINDS = ("redline", "reserve")


def build_figure(layers: dict, site=None, title: str | None = None, lang: str = "zh", styles=None,
                 kinds: dict | None = None, inset: bool = True, province: str | None = None,
                 figsize=A4_LANDSCAPE, note: str | None = None, focus=None, notes: list | None = None,
                 review_no: str | None = None, source: str | None = None, shared: dict | None = None,
                 dpi: float = 100.0, reuse: bool = False) -> Figure:
    """Draw the static map and return the matplotlib Figure (see :func:`render_static`).

    ``dpi``: the resolution the figure will be saved at (its text is measured at it, the inset's outlines
    are simplified for it). Only the lines and polygons that reach into the view are drawn. ``shared``: a
    dict kept by the caller across several figures of the same ``layers`` (other sites or views): the
    projected layers are kept in it and reused. ``reuse`` (with ``shared``): the figure and its axes of the
    previous call with the same ``shared`` (and size, dpi, inset) are emptied and drawn into again, which
    draws the same pixels as a new figure in less time (no new axes; the renderer keeps the text metrics
    it measured); the previous figure is then this one. The figure's ``ecogis`` attribute holds {crs, scale_bar_m,
    north_angle_deg, province, main_ax}.
    """
    notes = [] if notes is None else notes
    styles = st.load_styles(styles)
    families = cjk_font_families()
    with matplotlib.rc_context(_rc(families)):
        items = _items(layers, site, kinds, styles, notes, shared)
        crs = _map_crs(items, shared)
        proj = [(n, k, _to_crs(shared, n, k, g, crs)) for n, k, g in items]
        data_bounds = layers_bounds(g for _, _, g in proj)
        view = focus_box(focus, site)
        if view is not None:
            data_bounds = Transformer.from_crs(GEOGRAPHIC_CRS, crs, always_xy=True).transform_bounds(*view)

        fig, ax, iax, lax = static_figure.frame(shared if reuse else None, figsize, dpi, inset, MAIN_BOX,
                                                 INSET_BOX, LEGEND_BOX)
        box_w, box_h = figsize[0] * MAIN_BOX[2], figsize[1] * MAIN_BOX[3]
        xlim, ylim = _fit_limits(data_bounds, box_w, box_h)
        ax.set_facecolor(styles.get("background", "white"))
        titles = st.unique_titles(items, styles, lang)
        groups = []
        labels: dict[bool, list[Any]] = {True: [], False: []}      # site labels are placed first
        for (name, kind, gdf), ttl, style in zip(proj, titles, layer_styles(proj, styles, notes)):
            if not len(gdf):
                continue
            kept = None if shared is None or kind == "site" else shared.setdefault(("drawn", name), {})
            labels[kind == "site"] += draw_layer(ax, kind, style, gdf, styles,
                                                 label_points=kind in ("water_section", "site"),
                                                 label_shapes=kind in LABELLED_KINDS, view=_drawn_box(xlim, ylim),
                                                 kept=kept)
            shown = in_view(np.asarray(gdf.geometry.values), (xlim[0], ylim[0], xlim[1], ylim[1]))
            if shown.any():  # the legend lists what the map shows
                in_view_rows = gdf if shown.all() else gdf.iloc[np.flatnonzero(shown)]
                groups.append((ttl, st.legend_items(kind or "default", styles, in_view_rows, lang, ttl, style)))
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        place_labels(ax, labels[True] + labels[False])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_linewidth(1.4)
        furniture.graticule(ax, crs, xlim, ylim)
        scale_m = furniture.scale_bar(ax, xlim, ylim, styles, lang)
        angle = furniture.north_angle(crs, xlim, ylim)
        furniture.north_arrow(ax, angle, styles, lang)

        if title:
            fig.text(0.5, 0.955, title, ha="center", va="center", fontsize=20, fontweight="bold", gid="title")
        prov_name = None
        if inset:
            geo_extent = Transformer.from_crs(crs, GEOGRAPHIC_CRS, always_xy=True).transform_bounds(
                xlim[0], ylim[0], xlim[1], ylim[1])
            prov_name = static_inset.inset(iax, geo_extent, province, styles, lang, notes, _boundary_adcode(items),
                                           px_wide=INSET_BOX[2] * figsize[0] * dpi)
        furniture.legend(lax, groups, styles, lang, furniture.renderer(fig), notes)
        footer = fig.text(MAIN_BOX[0], 0.035, note or _default_note(crs, lang, prov_name, review_no, source),
                          fontsize=7, color="#333", ha="left", va="center", gid="note")
        # wrapped at the figure's edge only when it reaches past it (matplotlib's wrapping measures the
        # text word by word at every draw, even when it fits on one line)
        footer.set_wrap(bool(footer.get_window_extent(furniture.renderer(fig)).x1 > fig.bbox.x1))
        # what was drawn, on the figure itself (matplotlib allows new attributes)
        fig.ecogis = {"crs": crs.to_string(), "scale_bar_m": scale_m, "north_angle_deg": angle,  # type: ignore[attr-defined]
                      "province": prov_name, "main_ax": ax, "families": families}
    return fig


def project_layers(layers: dict, site, shared: dict, kinds: dict | None = None, styles=None) -> None:
    """Project ``layers`` to the map CRS of ``site`` into ``shared`` as :func:`build_figure` does for the
    first figure drawn with it (which then finds them there), without drawing; its notes are not kept
    (the first figure makes them again)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        styles = st.load_styles(styles)
        items = map_layers(layers, site, kinds, styles, [])
        crs = _map_crs(items, shared)
        for name, kind, gdf in items:
            _to_crs(shared, name, kind, gdf, crs)


def _items(layers: dict, site, kinds, styles: dict, notes: list, shared: dict | None) -> list:
    """:func:`map_layers` of ``layers`` and ``site``; with ``shared``, the layers' items of the first figure
    are kept and the next figures only put their own site in the site's place."""
    kept = None if shared is None or site is None else shared.get("items")
    if kept is not None:
        try:
            (_, _, fresh), = map_layers({"site": site}, None, {"site": "site"}, styles, [])
        except EcogisError:     # an empty site: as without the shortcut (which says so)
            kept = None
        else:
            at = max(i for i, item in enumerate(kept) if item[1] == "site")   # the site, after any site-kind layer
            return [*kept[:at], ("site", "site", fresh), *kept[at + 1:]]
    items = map_layers(layers, site, kinds, styles, notes)
    if shared is not None and site is not None:
        shared["items"] = items
    return items


def _boundary_adcode(items) -> str | None:
    """The adcode of the first boundary-kind layer, if it has one."""
    for _, kind, gdf in items:
        if kind == "boundary" and "adcode" in gdf and len(gdf):
            value = gdf["adcode"].dropna()
            if len(value):
                return str(value.iloc[0]).split(".")[0]
    return None


#: the footer under every map, in the map's language
FOOTER = {
    "zh": {"crs": "坐标系：{crs}", "scale": "比例尺为投影平面距离（米）", "inset": "区位图行政区划：天地图",
           "made": "制图：ecogis，{today}", "sep": "；"},
    "en": {"crs": "CRS: {crs}", "scale": "scale bar in projected metres", "inset": "location map boundaries: Tianditu",
           "made": "made with ecogis, {today}", "sep": "; "},
}


def _default_note(crs, lang: str, province: str | None, review_no: str | None = None,
                  source: str | None = None) -> str:
    """The footer: CRS, scale, inset source, 审图号, data source and date, all in ``lang``."""
    w = FOOTER.get(lang, FOOTER["zh"])
    parts = [w["crs"].format(crs=translate(describe_crs(crs), lang)), w["scale"]]
    if province:
        parts.append(w["inset"])
    parts += credit_parts(lang, review_no, source)
    parts.append(w["made"].format(today=_dt.date.today().isoformat()))
    return w["sep"].join(parts)


def dpi_for_width(width_cm: float, figsize=A4_LANDSCAPE, print_dpi: float = PRINT_DPI) -> int:
    """The dpi to save a figure of ``figsize`` (inches) at so that, placed ``width_cm`` wide on the page,
    it has ``print_dpi`` dots per inch (an A4-landscape figure placed 16 cm wide: 119 dpi)."""
    return math.ceil(print_dpi * width_cm / 2.54 / figsize[0])


def render_static(layers: dict, out, site=None, title: str | None = None, dpi: int = 300, lang: str = "zh",
                  styles=None, kinds: dict | None = None, inset: bool = True, province: str | None = None,
                  overwrite: bool = False, figsize=A4_LANDSCAPE, note: str | None = None, focus=None,
                  notes: list | None = None, review_no: str | None = None, source: str | None = None,
                  shared: dict | None = None, png_compress: int | None = None, reuse: bool = False) -> Path:
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
    review_no, source : str, optional
        The map's 审图号 and data source, printed in the footer (which says so when they are missing).
    shared : dict, optional
        Kept by the caller across several maps of the same ``layers`` (see :func:`build_figure`).
    png_compress : int, optional
        zlib level 0–9 of a PNG (Pillow's default 6 when None): the pixels are the same at every level,
        a lower one writes faster and larger (level 1: about 0.6× the time, 1.1× the bytes). With a
        level, an opaque figure is written in RGB (:func:`ecogis.render.static_figure.write_png`).
    reuse : bool
        With ``shared``: draw into the figure of the previous map drawn with the same ``shared``, emptied
        (see :func:`build_figure`).

    Chinese glyphs missing from the available fonts are reported as AssumptionWarnings (install
    fonts-noto-cjk or set ECOGIS_CJK_FONT).
    """
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise error("maps.bad_static_format", suffix=out.suffix, path=out)
    notes = [] if notes is None else notes
    with warnings.catch_warnings(record=True) as caught, quiet_font_lookup():
        warnings.simplefilter("always", UserWarning)
        fig = build_figure(layers, site=site, title=title, lang=lang, styles=styles, kinds=kinds, inset=inset,
                           province=province, figsize=figsize, note=note, focus=focus, notes=notes,
                           review_no=review_no, source=source, shared=shared, dpi=dpi, reuse=reuse)
        with matplotlib.rc_context(_rc(fig.ecogis["families"])):  # type: ignore[attr-defined]  # set by build_figure
            with atomic_path(out, overwrite=overwrite) as tmp:
                if fmt == "png" and png_compress is not None:
                    static_figure.write_png(fig, tmp, png_compress)
                else:
                    fig.savefig(tmp, dpi=dpi, format=fmt, facecolor="white")
    _report_warnings(caught, notes)
    return out


def _report_warnings(caught, notes) -> None:
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        say("map_missing_glyphs", notes, count=len(missing), chars=missing[0])
    for w in caught:
        if "missing from font" in str(w.message):
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
