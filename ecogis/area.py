"""Official areas of layers: dissolve, clip to a boundary, share, breakdown, comparison with a published figure.

The area and length kernels, the CGCS2000 constants and the units are in :mod:`ecogis.geodesy` (the
formula of 国土调查办发〔2008〕32号 is documented there). The functions of the same names here
(:func:`ellipsoidal_area`, :func:`geodesic_area`, :func:`plane_area`, :func:`geodesic_length`,
:func:`convert_area`) are the public entry points for input from users: a missing or unknown CRS or
unit is an :class:`~ecogis.errors.EcogisError`, coordinates on another ellipsoid than CGCS2000 are
warned, and a plane area defaults to the 3° Gauss-Kruger zone of the data. All areas are m² unless a
``unit`` is given; the text of a result is written by :mod:`ecogis.render.area_text`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis import geodesy
from ecogis.crs import crs_label, gk_crs_for_lon
from ecogis.error_messages import error, phrase
from ecogis.errors import EcogisError, warn_assumption
from ecogis.geodesy import DENSIFY_DEG, UNITS, polygonal

if TYPE_CHECKING:
    import geopandas as gpd

#: method -> (Chinese label, English label)
METHODS = {
    "ellipsoid": ("椭球面积", "ellipsoidal area"),
    "geodesic": ("测地线面积", "geodesic area"),
    "plane": ("平面面积（仅供比较）", "plane area (comparison only)"),
}


class Text(NamedTuple):
    """A short text in Chinese and English; ``text(lang)`` picks one ("zh" or "en")."""

    zh: str
    en: str

    def __call__(self, lang: str = "zh") -> str:
        return self._asdict().get(lang, self.en)


def text_in(value, lang: str = "zh") -> str:
    """``value`` in ``lang`` when it is a :class:`Text`, else unchanged (notes from readers are plain text)."""
    return value(lang) if isinstance(value, Text) else str(value)


def note_in(value, lang: str = "zh") -> str:
    """A note for a report in ``lang``: a :class:`Text` in that language; a reader's English note (plain
    text) translated by :func:`ecogis.messages.translate` for Chinese reports. JSON keeps :func:`text_in`."""
    from ecogis.messages import translate

    return translate(text_in(value, lang), lang)


def normalise_unit(unit: str) -> str:
    """Return the canonical unit key (m2, ha, km2, mu) for ``unit`` or its Chinese/English alias."""
    key = geodesy.unit_key(unit)
    if key is None:
        raise error("area.unknown_unit", field="unit", unit=repr(unit), hint="area.use_units")
    return key


def convert_area(m2, unit: str):
    """Convert an area in square metres to ``unit`` (m2, ha, km2 or mu; 1 亩 = 10000/15 m²).

    Scalars give a float, arrays an array. An unknown unit is an EcogisError.
    """
    return geodesy.convert_area(m2, normalise_unit(unit))


def unit_label(unit: str, lang: str = "zh") -> str:
    """Printable unit name: "km²", "公顷"/"ha", "亩"/"mu"."""
    zh, en = UNITS[normalise_unit(unit)][1:3]
    return {"zh": zh}.get(lang, en)


def method_label(method: str, lang: str = "zh") -> str:
    """Printable method name, e.g. "椭球面积" / "ellipsoidal area"."""
    if method not in METHODS:
        raise error("area.unknown_method", field="method", method=repr(method), hint="area.use_methods")
    zh, en = METHODS[method]
    return {"zh": zh}.get(lang, en)


def _as_crs(crs) -> pyproj.CRS:
    if crs is None:
        raise error("area.no_crs_given", field="crs", hint="area.pass_crs")
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise error("area.unknown_crs", field="crs", crs=repr(crs), reason=exc) from exc


def _as_plane_crs(crs) -> pyproj.CRS:
    """``crs`` as a projected CRS in metres, for plane areas (a geographic CRS has no plane: degrees)."""
    target = _as_crs(crs)
    units = {a.unit_name for a in target.axis_info}
    if not target.is_projected or not units <= {"metre", "meter"}:
        raise error("area.not_plane", field="plane_crs", crs=crs_label(target), hint="area.give_gk")
    return target


def ellipsoidal_area(geoms, crs, *, densify_deg: float | None = DENSIFY_DEG,
                     batch_coords: int = 4_000_000) -> np.ndarray:
    """Official ellipsoidal area (椭球面积) in m² on the CGCS2000 ellipsoid, one value per geometry.

    :func:`ecogis.geodesy.ellipsoidal_area` (see there for the parameters) for input from users:
    ``crs`` is required, and coordinates on another ellipsoid are warned.
    """
    crs = _as_crs(crs)
    _check_ellipsoid(crs)
    return geodesy.ellipsoidal_area(geoms, crs, densify_deg=densify_deg, batch_coords=batch_coords)


def _check_ellipsoid(crs: pyproj.CRS) -> None:
    """Warn when the coordinates are on another ellipsoid (Xian 1980, Beijing 1954) than CGCS2000."""
    if not geodesy.on_cgcs2000_ellipsoid(crs):
        # on_cgcs2000_ellipsoid is True for a CRS without an ellipsoid, so it has one here
        ellipsoid = crs.ellipsoid.name  # type: ignore[union-attr]
        warn_assumption(f"coordinates are on the {ellipsoid} ellipsoid ({crs.name}); the ellipsoidal area is "
                        "summed on CGCS2000 from their latitudes/longitudes. For official figures convert the "
                        "data to CGCS2000 first (ecogis convert IN OUT --to-crs EPSG:4490 or a CGCS2000 GK zone)")


def geodesic_area(geoms, crs, *, densify_deg: float | None = DENSIFY_DEG) -> np.ndarray:
    """Geodesic area in m² (GeographicLib, CGCS2000 ellipsoid) per geometry: :func:`ecogis.geodesy.geodesic_area`."""
    return geodesy.geodesic_area(geoms, _as_crs(crs), densify_deg=densify_deg)


def plane_area(geoms, crs, plane_crs=None) -> np.ndarray:
    """Plane area in m² in ``plane_crs`` (default: ``crs`` if projected, else the 3° GK zone of the data).

    For comparison only, never the official figure: :func:`ecogis.geodesy.plane_area`.
    """
    crs = _as_crs(crs)
    target = _as_plane_crs(plane_crs) if plane_crs is not None else (crs if crs.is_projected else None)
    if target is None:
        target = default_plane_crs(geoms, crs)
    return geodesy.plane_area(geoms, crs, target)


def default_plane_crs(geoms, crs) -> pyproj.CRS:
    """The CGCS2000 3° Gauss-Kruger zone (no prefix) whose central meridian is nearest the data."""
    geoms = geodesy.geometry_array(geoms)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    lon, _ = geodesy.to_lonlat(np.array([(x0 + x1) / 2]), np.array([(y0 + y1) / 2]), _as_crs(crs))
    return gk_crs_for_lon(float(lon[0]))


def area(geoms, crs, method: str = "ellipsoid", **kwargs) -> np.ndarray:
    """Area in m² per geometry by ``method`` ("ellipsoid" official, "geodesic", "plane")."""
    method_label(method)
    funcs: dict[str, Callable[..., np.ndarray]] = {
        "ellipsoid": ellipsoidal_area, "geodesic": geodesic_area, "plane": plane_area}
    func = funcs[method]
    return func(geoms, crs, **kwargs)


def geodesic_length(geoms, crs) -> np.ndarray:
    """Geodesic length in metres per geometry (CGCS2000 ellipsoid): :func:`ecogis.geodesy.geodesic_length`."""
    return geodesy.geodesic_length(geoms, _as_crs(crs))


# --------------------------------------------------------------------------------------------------
# layer area: dissolve, clip to a boundary, share, breakdown, comparison with a published figure
# --------------------------------------------------------------------------------------------------

@dataclass
class AreaGroup:
    """One row of a breakdown: ``area`` in the result's unit; ``share_pct`` of ``share_of`` (see AreaResult)."""

    key: str
    area: float
    share_pct: float | None
    area_m2: float
    base_area: float | None = None  # the area the share is taken of (district area), same unit

    def to_dict(self) -> dict:
        return {"key": self.key, "area": self.area, "share_pct": self.share_pct, "area_m2": self.area_m2,
                "base_area": self.base_area}


@dataclass
class AreaResult:
    """Area of a layer after dissolving, optionally within a boundary and broken down.

    Every area is in ``unit`` (m2, ha, km2, mu) by ``method`` (ellipsoid, geodesic, plane); ``crs`` is
    the CRS of the coordinates the area was computed from and ``ellipsoid`` the surface it is
    measured on. ``overlap_removed`` is the area counted twice or more by the input features and
    removed by dissolving. ``share_pct`` = area within the boundary / boundary area x 100.
    ``groups[*].share_pct`` is a share of ``share_of``: "district" (each district's own area),
    "boundary" (the boundary area) or "total" (the layer's dissolved area).
    """

    area: float
    unit: str
    method: str
    crs: str | None
    area_m2: float
    layer: str | None = None
    label: str | None = None
    label_en: str | None = None
    features: int = 0
    ellipsoid: str = "CGCS2000 (a=6378137 m, f=1/298.257222101)"
    plane_crs: str | None = None
    overlap_removed: float = 0.0
    sum_of_features: float = 0.0
    within: Text | str | None = None
    boundary_area: float | None = None
    share_pct: float | None = None
    polygon_share_pct: float | None = None
    boundary_area_source: str | None = None
    outside_area: float | None = None
    by: str | None = None
    share_of: str | None = None
    groups: list[AreaGroup] = field(default_factory=list)
    declared: float | None = None
    declared_diff: float | None = None
    declared_diff_pct: float | None = None
    declared_share_pct: float | None = None
    declared_share_diff_pp: float | None = None
    notes: list = field(default_factory=list)  # str or Text

    def to_dict(self, lang: str = "en") -> dict:
        """Plain JSON-able dict: numbers as numbers, English keys; ``notes`` and ``method_label`` in ``lang``."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("groups", "notes")}
        out["within"] = None if self.within is None else text_in(self.within, lang)
        out["groups"] = [g.to_dict() for g in self.groups]
        out["method_label"] = method_label(self.method, lang)
        out["notes"] = [text_in(n, lang) for n in self.notes]
        return out

def _what(what: str):
    """The name of the layer an error is about, in every language ("layer", "boundary", ... or a file)."""
    words = {"layer": phrase("area.what_layer"), "boundary": phrase("area.what_boundary"),
             "before layer": phrase("area.what_before"), "after layer": phrase("area.what_after")}
    return words.get(what, what)


def polygon_geometries(gdf, *, path=None, what: str = "layer", return_index: bool = False):
    """The polygon geometries of a layer, repaired with make_valid (warned) and without empties.

    With ``return_index`` also the row positions in ``gdf`` they come from.
    Raises EcogisError when the layer has no CRS or no polygons.
    """
    if gdf.crs is None:
        raise error("area.layer_no_crs", path=path, what=_what(what), hint="area.pass_crs_option")
    geoms = polygonal(np.asarray(gdf.geometry.values, dtype=object))
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if not ok.any():
        raise error("area.no_polygons", path=path, what=_what(what), hint="area.needs_polygons")
    invalid = ok & ~shapely.is_valid(geoms)
    if invalid.any():
        first = [str(i) for i in np.flatnonzero(invalid)[:5]]
        warn_assumption(f"{path or what}: {int(invalid.sum())} invalid polygon(s) repaired with make_valid "
                        f"(features {', '.join(first)}{'...' if invalid.sum() > 5 else ''})")
        geoms[invalid] = polygonal(shapely.make_valid(geoms[invalid]))
    keep = ok & ~shapely.is_missing(geoms)
    return (geoms[keep], np.flatnonzero(keep)) if return_index else geoms[keep]


def boundary_in_crs(boundary, crs) -> "gpd.GeoDataFrame":
    """A boundary (or any polygon layer) in ``crs``; geographic edges densified first so they keep their shape."""
    b = boundary
    if b.crs is None:
        raise error("area.boundary_no_crs", hint="area.boundary_prj")
    if b.crs.is_geographic:
        b = b.set_geometry(shapely.segmentize(np.asarray(b.geometry.values, dtype=object), DENSIFY_DEG))
    return b.to_crs(crs)


def layer_area(gdf, *, method: str = "ellipsoid", unit: str = "km2", within=None, within_label=None,
               by: str | None = None, districts=None, declared: float | None = None,
               declared_share: float | None = None, plane_crs=None, label: str | None = None,
               boundary_area: float | None = None, boundary_area_source: str | None = None) -> AreaResult:
    """Area of a polygon layer, counted once (dissolved), optionally within a boundary and broken down.

    Parameters
    ----------
    gdf : GeoDataFrame of polygons (any CRS; Gauss-Kruger or CGCS2000 longitude/latitude typical).
    method : "ellipsoid" (official 椭球面积), "geodesic" or "plane" (comparison only).
    unit : "m2", "ha", "km2" or "mu".
    within : GeoDataFrame of the boundary (all its features together); ``within_label`` names it.
    by : a field of ``gdf`` to break the total down by, or "districts" to break it down by the
        features of ``districts`` (a GeoDataFrame with a ``name`` column, e.g. the districts of the city).
    declared, declared_share : published area (in ``unit``) and share (%) to compare with.
    boundary_area, boundary_area_source : the published area of the boundary (in ``unit``) and where it
        is published, when the share must be taken of that figure rather than of the boundary polygon
        (e.g. a statistical total that includes sea areas). The polygon share stays in
        ``polygon_share_pct`` and the difference is noted.

    Geometry operations (union, intersection) run in the layer's CRS; areas by ``method``.
    """
    unit = normalise_unit(unit)
    method_label(method)
    crs = gdf.crs
    meta = getattr(gdf, "attrs", {}).get("ecogis", {}) or {}
    geoms, rows = polygon_geometries(gdf, path=meta.get("path"), return_index=True)
    kw = {}
    if method == "plane":  # one plane for the layer, its boundary and its groups
        if plane_crs is not None:
            plane_crs = _as_plane_crs(plane_crs)
        else:
            plane_crs = crs if crs.is_projected else default_plane_crs(geoms, crs)
        kw = {"plane_crs": plane_crs}

    def measure(g):
        return area(np.atleast_1d(np.asarray(g, dtype=object)), crs, method, **kw)

    def conv(m2):
        return None if m2 is None else float(convert_area(float(m2), unit))

    labels = _kind_labels(meta.get("kind"))
    raw_m2 = float(measure(geoms).sum())
    dissolved = shapely.union_all(geoms)
    dissolved_m2 = float(measure(dissolved)[0])
    result = AreaResult(
        area=conv(dissolved_m2), unit=unit, method=method, crs=crs_label(crs), area_m2=dissolved_m2,
        layer=meta.get("path"), label=label or labels[0], label_en=label or labels[1], features=len(geoms),
        plane_crs=None if method != "plane" else crs_label(plane_crs),
        overlap_removed=conv(max(raw_m2 - dissolved_m2, 0.0)), sum_of_features=conv(raw_m2),
        notes=list(meta.get("notes") or []),
    )
    if method == "plane":
        result.notes.append(Text(f"平面面积（{result.plane_crs}）仅供比较，不是官方椭球面积",
                                 f"plane area in {result.plane_crs} is for comparison only, "
                                 "not the official ellipsoidal figure"))
    base_geom = None
    if within is not None:
        base_geom = shapely.union_all(polygon_geometries(boundary_in_crs(within, crs), what="boundary"))
        dissolved = _clip_to_boundary(result, dissolved, base_geom, within_label, measure, conv)
        if boundary_area is not None:
            _share_of_published_area(result, float(boundary_area), boundary_area_source or "given")
    if by:
        result.by = by
        result.groups, result.share_of = _breakdown(gdf, geoms, rows, dissolved, base_geom, by, districts,
                                                    crs, measure, conv, meta.get("path"))
        _note_overlapping_groups(result)
    _compare_with_declared(result, declared, declared_share)
    return result


def _note_overlapping_groups(result: AreaResult) -> None:
    """Say so when the groups add up to more than the total: they overlap (a place of two types, or
    overlapping districts), and each is counted once within its group but in several groups."""
    total_m2 = sum(g.area_m2 for g in result.groups)
    if total_m2 > result.area_m2 * (1 + 1e-9) + 1.0:
        extra_m2 = total_m2 - result.area_m2
        extra = convert_area(extra_m2, result.unit)
        u_zh, u_en = unit_label(result.unit), unit_label(result.unit, "en")
        result.notes.append(Text(
            f"各分组相互重叠：分组面积之和比总面积多 {extra:.2f} {u_zh}"
            f"（{extra_m2:.0f} m²，{method_label(result.method)}；"
            "同一地块属于多个分组时在每组各计一次）",
            f"the groups overlap: their areas add up to {extra:.2f} {u_en} ({extra_m2:.0f} m², "
            f"{method_label(result.method, 'en')}) more than the total (a place in several groups is counted "
            "once in each)"))


def _clip_to_boundary(result: AreaResult, dissolved, base_geom, label, measure, conv):
    """Clip the dissolved layer to the boundary; set area, boundary area, share and outside area.
    Returns the clipped geometry."""
    inside = shapely.intersection(dissolved, base_geom)
    inside_m2, boundary_m2 = (float(v) for v in measure([inside, base_geom]))
    result.within = label or "boundary"
    result.outside_area = conv(max(result.area_m2 - inside_m2, 0.0))
    result.area, result.area_m2 = conv(inside_m2), inside_m2
    result.boundary_area = conv(boundary_m2)
    result.share_pct = result.polygon_share_pct = 100.0 * inside_m2 / boundary_m2
    return inside


def _share_of_published_area(result: AreaResult, published: float, source: str) -> None:
    """Take the share of a published boundary area (same unit) instead of the polygon's; say so in a note."""
    unit, method = result.unit, result.method
    result.share_pct = 100.0 * result.area / published
    result.boundary_area_source = source
    pub, poly = f"{published:g}", f"{result.boundary_area:.2f}"
    result.notes.append(Text(
        f"占比按公布的范围面积 {pub} {unit_label(unit)}（{source}）计算；"
        f"按范围多边形面积（{poly} {unit_label(unit)}，{method_label(method)}）为 {result.polygon_share_pct:.2f}%",
        f"share taken of the published boundary area {pub} {unit_label(unit, 'en')} ({source}); of the boundary "
        f"polygon ({poly} {unit_label(unit, 'en')}, {method_label(method, 'en')}) "
        f"it is {result.polygon_share_pct:.2f}%"))
    result.boundary_area = published


def _compare_with_declared(result: AreaResult, declared, declared_share) -> None:
    """Differences from a published area (same unit, and %) and a published share (percentage points)."""
    if declared is not None:
        result.declared = float(declared)
        result.declared_diff = result.area - float(declared)
        result.declared_diff_pct = 100.0 * result.declared_diff / float(declared)
    if declared_share is not None:
        result.declared_share_pct = float(declared_share)
        if result.share_pct is not None:
            result.declared_share_diff_pp = result.share_pct - float(declared_share)
        else:
            result.notes.append(Text("给出了公布占比但没有范围（within）：未比较",
                                     "declared share given without a boundary (within): not compared"))


def _kind_labels(kind) -> tuple[str | None, str | None]:
    """(Chinese, English) title of a layer kind, e.g. ("生态保护红线", "Ecological protection red line")."""
    if not kind:
        return None, None
    from ecogis.layers import resolve_kind

    try:
        spec = resolve_kind(kind)
    except EcogisError:
        return None, None
    return spec.title_zh, spec.title_en


def _breakdown(gdf, geoms, rows, dissolved, base_geom, by, districts, crs, measure, conv, path):
    """Groups of a breakdown and what their shares are of: by districts (each district's area) or by a
    field of the layer (``geoms`` are its polygons, from rows ``rows``; shares of the boundary or total)."""
    if by == "districts":
        if districts is None:
            raise error("area.by_districts", field="by", hint="area.give_within")
        d = boundary_in_crs(districts, crs)
        names = d["name"].astype(str).to_numpy() if "name" in d.columns else np.arange(len(d)).astype(str)
        dgeoms = np.asarray(d.geometry.values, dtype=object)
        parts = shapely.intersection(dissolved, dgeoms)
        part_m2 = measure(parts)
        base_m2 = measure(dgeoms)
        return [AreaGroup(str(n), conv(a), float(100.0 * a / b) if b > 0 else None, float(a), conv(b))
                for n, a, b in zip(names, part_m2, base_m2)], "district"
    if by not in gdf.columns:
        raise error("area.no_by_field", path=path, field=by, by=repr(by), fields=", ".join(map(str, gdf.columns)),
                    hint="area.pick_by")
    keys = gdf[by].where(gdf[by].notna(), "(空)").astype(str).to_numpy()[rows]
    codes, names = pd.factorize(keys)  # groups in order of first appearance
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    # one union per group over its own features: O(features) in all, the unions run in GEOS
    unions = np.array([shapely.union_all(geoms[order[lo:hi]]) for lo, hi in zip(bounds[:-1], bounds[1:])],
                      dtype=object)
    if base_geom is not None:
        unions = shapely.intersection(unions, base_geom)
    group_m2 = measure(unions) if len(unions) else np.zeros(0)
    total_m2 = float(measure(dissolved)[0])
    base_m2 = float(measure(base_geom)[0]) if base_geom is not None else total_m2
    groups = [AreaGroup(str(k), conv(a), 100.0 * a / base_m2 if base_m2 > 0 else None, float(a))
              for k, a in zip(names, group_m2)]
    return groups, ("boundary" if base_geom is not None else "total")


def boundary_label(gdf, ref: str) -> Text | str:
    """"盘锦市（panjin.gpkg:city）" / "盘锦市 (panjin.gpkg:city)" for a boundary of one named feature: its
    name and where it came from (``ref``); else ``ref``."""
    if "name" in gdf.columns and len(gdf) == 1:
        name = gdf["name"].iloc[0]
        return Text(f"{name}（{ref}）", f"{name} ({ref})")
    return ref
