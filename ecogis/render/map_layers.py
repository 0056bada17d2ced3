"""What both map renderers (folium and matplotlib) do the same way before drawing.

Layers are checked, given their kind, sorted into drawing order and stripped of empty geometries;
each gets a display title and a style; legend groups are put in order; the data extent and the
initial view are computed. The renderers then only draw.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from ecogis.crs import gk_crs_for_lon
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.kinds import KINDS
from ecogis.messages import say
from ecogis.render import styles as st


def map_layers(layers: dict, site, kinds: dict | None, styles: dict,
               notes: list | None = None) -> list[tuple[str, str | None, gpd.GeoDataFrame]]:
    """(name, kind, GeoDataFrame) per layer, the site last as kind ``site``, in the styles' draw order.

    The kind is ``kinds[name]``, else ``gdf.attrs["ecogis"]["kind"]``. Rows with missing or empty
    geometry are dropped; a layer left empty is warned about (renderers leave it out of the legend).
    Raises EcogisError naming the layer for a non-GeoDataFrame or a layer without CRS, and when
    there is nothing to draw.
    """
    items = [(str(name), (kinds or {}).get(name) or _meta(gdf).get("kind"), gdf) for name, gdf in layers.items()]
    if site is not None:
        items.append(("site", "site", site))
    if not items:
        raise error("maps.no_layers", hint="maps.pass_layer")
    for name, _, gdf in items:
        _check_layer(name, gdf)
    order = {k: i for i, k in enumerate(styles.get("draw_order", []))}
    items.sort(key=lambda it: order.get(it[1], len(order)))
    items = [(n, k, _drawable(g)) for n, k, g in items]
    if not any(len(g) for _, _, g in items):
        files = ", ".join(str(_meta(g).get("path") or n) for n, _, g in items)
        raise error("maps.all_empty", files=files, hint="maps.check_files")
    for name, _, gdf in items:
        if not len(gdf):
            say("map_layer_empty", notes, name=repr(name))
    return items


def _drawable(gdf):
    """``gdf`` without its rows of missing or empty geometry (``gdf`` itself when it has none: the renderers
    never change the layers they draw, and pandas deep-copies ``attrs`` with every copy)."""
    geoms = np.asarray(gdf.geometry.values)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return gdf if keep.all() else gdf[keep]


def _meta(gdf) -> dict:
    return getattr(gdf, "attrs", {}).get("ecogis") or {}


def _check_layer(name: str, gdf) -> None:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise error("maps.not_geodataframe", name=name, type=type(gdf).__name__)
    if gdf.crs is None:
        raise error("maps.no_crs", name=name, path=_meta(gdf).get("path"), hint="maps.read_with_crs")


def layer_styles(items, styles: dict, notes: list) -> list[dict]:
    """The style of each (name, kind, gdf) item (:func:`ecogis.render.styles.layer_style`); layers of
    no known kind are warned about; layers with no style entry get the default palette's colours in turn."""
    out, n_plain = [], 0
    for name, kind, gdf in items:
        if kind not in KINDS and kind not in styles["kinds"]:
            say("map_unknown_kind", notes, name=repr(name), kind=kind)
        out.append(st.layer_style(styles, kind, gdf, n_plain))
        n_plain += st.style_key(styles, kind) is None
    return out


def legend_order(groups) -> list[tuple[str, list, bool]]:
    """(title, rows, titled) per legend group: single-symbol layers first (their one row names the
    layer), then categorical layers, whose rows go under the layer title (``titled``)."""
    def is_single(rows, title):
        return len(rows) == 1 and rows[0]["text"] == title

    single = [(t, rows, False) for t, rows in groups if is_single(rows, t)]
    multi = [(t, rows, True) for t, rows in groups if not is_single(rows, t)]
    return single + multi


def layers_bounds(gdfs) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) over the non-empty GeoDataFrames ``gdfs``, in their common CRS."""
    boxes = np.array([g.total_bounds for g in gdfs if len(g)])
    return boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()


def focus_box(focus, site=None, min_size_m: float = 2000.0, pad: float = 0.6):
    """Lon/lat box (west, south, east, north; EPSG:4490) for a map's initial view, or None for all data.

    ``focus`` is None (all data), ``"site"`` (the site's bounds widened by ``pad`` of their size on
    each side and to at least ``min_size_m`` metres, measured in the local Gauss-Kruger zone) or a
    box (west, south, east, north) in EPSG:4490 degrees.
    """
    if focus is None:
        return None
    if isinstance(focus, str):
        if focus != "site":
            raise error("maps.unknown_focus", focus=focus)
        if site is None or len(site) == 0:
            raise error("maps.focus_needs_site", hint="maps.pass_site")
        geo = site.to_crs(GEOGRAPHIC_CRS)
        gk = gk_crs_for_lon([geo.total_bounds[0], geo.total_bounds[2]])
        x0, y0, x1, y1 = geo.to_crs(gk).total_bounds
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half = max((x1 - x0) * (0.5 + pad), (y1 - y0) * (0.5 + pad), min_size_m / 2)
        return Transformer.from_crs(gk, GEOGRAPHIC_CRS, always_xy=True).transform_bounds(
            cx - half, cy - half, cx + half, cy + half)
    west, south, east, north = (float(v) for v in focus)
    if not (west < east and south < north):
        raise error("maps.bad_focus_box", focus=focus)
    return west, south, east, north
