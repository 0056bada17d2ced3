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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis import geodesy
from ecogis.area_result import (  # noqa: F401  (the result types and labels, public here as before)
    METHODS,
    UNITS,
    AreaGroup,
    AreaResult,
    Text,
    _method_note,
    _unit_note,
    method_label,
    normalise_unit,
    note_in,
    text_in,
    unit_label,
)
from ecogis.crs import crs_label, gk_crs_for_lon
from ecogis.error_messages import error, phrase
from ecogis.errors import EcogisError
from ecogis.geodesy import DENSIFY_DEG, polygonal
from ecogis.layer_info import LayerInfo
from ecogis.messages import note, say
from ecogis.notes import Notes

if TYPE_CHECKING:
    import geopandas as gpd

def convert_area(m2, unit: str):
    """Convert an area in square metres to ``unit`` (m2, ha, km2 or mu; 1 亩 = 10000/15 m²).

    Scalars give a float, arrays an array. An unknown unit is an EcogisError.
    """
    return geodesy.convert_area(m2, normalise_unit(unit))


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
        say("area_other_ellipsoid", ellipsoid=ellipsoid, crs=crs.name)


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
        say("area_repaired", severity="repair", what=path or what, count=int(invalid.sum()),
            features=", ".join(first) + ("..." if invalid.sum() > 5 else ""))
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
    info = LayerInfo.of(gdf)
    geoms, rows = polygon_geometries(gdf, path=info.path, return_index=True)
    kw = {}
    if method == "plane":  # one plane for the layer, its boundary and its groups
        if plane_crs is not None:
            plane_crs = _as_plane_crs(plane_crs)
        else:
            plane_crs = crs if crs.is_projected else default_plane_crs(geoms, crs)
        kw = {"plane_crs": plane_crs}

    def measure(g):
        return area(np.atleast_1d(np.asarray(g, dtype=object)), crs, method, **kw)

    labels = _kind_labels(info.kind)
    raw_m2 = float(measure(geoms).sum())
    dissolved = shapely.union_all(geoms)
    dissolved_m2 = float(measure(dissolved)[0])
    result = AreaResult(
        unit=unit, method=method, crs=crs_label(crs), area_m2=dissolved_m2,
        layer=info.path, label=label or labels[0], label_en=label or labels[1], features=len(geoms),
        plane_crs=None if method != "plane" else crs_label(plane_crs),
        overlap_removed_m2=max(raw_m2 - dissolved_m2, 0.0), sum_of_features_m2=raw_m2,
        notes=Notes(info.notes),
    )
    if method == "plane":
        result.notes.append(note("area_plane_only", severity="info", crs=result.plane_crs))
    base_geom = None
    if within is not None:
        base_geom = shapely.union_all(polygon_geometries(boundary_in_crs(within, crs), what="boundary"))
        dissolved = _clip_to_boundary(result, dissolved, base_geom, within_label, measure)
        if boundary_area is not None:
            _share_of_published_area(result, float(boundary_area), boundary_area_source or "given")
    if by:
        result.by = by
        result.groups, result.share_of = _breakdown(gdf, geoms, rows, dissolved, base_geom, by, districts,
                                                    crs, measure, unit, info.path)
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
        shown = f"{extra:.2f}" if extra >= 0.005 else "< 0.01"  # never "0.00" for an overlap that is there
        result.notes.append(note("area_groups_overlap", severity="info", extra=shown,
                                 unit=_unit_note(result.unit), m2=f"{extra_m2:.0f}",
                                 method=_method_note(result.method)))


def _clip_to_boundary(result: AreaResult, dissolved, base_geom, label, measure):
    """Clip the dissolved layer to the boundary; set area, boundary area, share and outside area.
    Returns the clipped geometry."""
    inside = shapely.intersection(dissolved, base_geom)
    inside_m2, boundary_m2 = (float(v) for v in measure([inside, base_geom]))
    result.within = label or "boundary"
    result.outside_area_m2 = max(result.area_m2 - inside_m2, 0.0)
    result.area_m2 = inside_m2
    result.boundary_area_m2 = boundary_m2
    result.share_pct = result.polygon_share_pct = 100.0 * inside_m2 / boundary_m2
    return inside


def _share_of_published_area(result: AreaResult, published: float, source: str) -> None:
    """Take the share of a published boundary area (same unit) instead of the polygon's; say so in a note."""
    unit, method = result.unit, result.method
    result.share_pct = 100.0 * result.area / published
    result.boundary_area_source = source
    pub, poly = f"{published:g}", f"{result.boundary_area:.2f}"
    result.notes.append(note("area_published_share", severity="info", published=pub, unit=_unit_note(unit),
                             source=source, polygon=poly, method=_method_note(method),
                             share=f"{result.polygon_share_pct:.2f}"))
    result.boundary_area_published = published


def _compare_with_declared(result: AreaResult, declared, declared_share) -> None:
    """Differences from a published area (same unit, and %) and a published share (percentage points)."""
    if declared is not None:
        result.declared = float(declared)
        result.declared_diff_pct = 100.0 * (result.area - result.declared) / result.declared
    if declared_share is not None:
        result.declared_share_pct = float(declared_share)
        if result.share_pct is not None:
            result.declared_share_diff_pp = result.share_pct - float(declared_share)
        else:
            result.notes.append(note("area_share_not_compared"))


def _kind_labels(kind) -> tuple[str | None, str | None]:
    """(Chinese, English) title of a layer kind, e.g. ("生态保护红线", "Ecological protection red line")."""
    if not kind:
        return None, None
    from ecogis.kinds import resolve_kind

    try:
        spec = resolve_kind(kind)
    except EcogisError:
        return None, None
    return spec.title_zh, spec.title_en


def _breakdown(gdf, geoms, rows, dissolved, base_geom, by, districts, crs, measure, unit, path):
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
        return [AreaGroup(str(n), float(a), float(100.0 * a / b) if b > 0 else None, unit, float(b))
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
    groups = [AreaGroup(str(k), float(a), 100.0 * a / base_m2 if base_m2 > 0 else None, unit)
              for k, a in zip(names, group_m2)]
    return groups, ("boundary" if base_geom is not None else "total")


def boundary_label(gdf, ref: str) -> Text | str:
    """"盘锦市（panjin.gpkg:city）" / "盘锦市 (panjin.gpkg:city)" for a boundary of one named feature: its
    name and where it came from (``ref``); else ``ref``."""
    if "name" in gdf.columns and len(gdf) == 1:
        name = gdf["name"].iloc[0]
        return Text(f"{name}（{ref}）", f"{name} ({ref})")
    return ref
