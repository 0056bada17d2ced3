"""Official areas and lengths: ellipsoidal (椭球面积), geodesic and plane, in m², 公顷, km² and 亩.

Three area methods, all vectorised over whole layers:

``ellipsoid`` (default, the official figure)
    The land-survey ellipsoidal area on the CGCS2000 ellipsoid (a = 6378137 m,
    f = 1/298.257222101). Vertices given in Gauss-Kruger (or any projected) coordinates are inverse
    projected to geodetic latitude B and longitude L, and each ring is summed as ellipsoidal
    trapezoids, following 《图幅理论面积与图斑椭球面积计算公式及要求》, issued with 国土调查办发〔2008〕32号
    《关于统一图幅理论面积与图斑椭球面积计算要求的通知》 (国务院第二次全国土地调查领导小组办公室,
    2008-03-27), formula (2) "椭球面上任意梯形面积计算公式" (ΔL 图块经差, B2 − B1 图块纬差, in
    radians), carried into the third national land survey rules TD/T 1055-2019 with the CGCS2000 ellipsoid. The area of the trapezoid bounded by two parallels
    B1, B2 and two meridians ΔL apart is::

        S = 2 b² ΔL [ A sin(ΔB/2) cos Bm − B sin(3ΔB/2) cos 3Bm + C sin(5ΔB/2) cos 5Bm
                      − D sin(7ΔB/2) cos 7Bm + E sin(9ΔB/2) cos 9Bm ]

    with ΔB = B2 − B1, Bm = (B1 + B2)/2 and
    A = 1 + (3/6)e² + (30/80)e⁴ + (35/112)e⁶ + (630/2304)e⁸,
    B = (1/6)e² + (15/80)e⁴ + (21/112)e⁶ + (420/2304)e⁸,
    C = (3/80)e⁴ + (7/112)e⁶ + (180/2304)e⁸, D = (1/112)e⁶ + (45/2304)e⁸, E = (5/2304)e⁸.
    A polygon is cut into narrow horizontal trapezoids (横向曲边梯形), one per edge, between the edge
    and a reference meridian (ΔL = mean longitude of the edge minus the reference), and the signed
    trapezoids are summed; holes subtract and the parts of a multipolygon add. Data in geographic
    coordinates are densified first (``densify_deg``), so the result does not depend on whether an
    edge is read as a geodesic, a rhumb line or a straight line in longitude/latitude.
    Implementation: by 2 sin(nΔB/2) cos(nBm) = sin nB2 − sin nB1, the bracket equals
    (G(B2) − G(B1))/2 with G(B) = A sin B − B sin 3B + C sin 5B − D sin 7B + E sin 9B, a polynomial in
    sin B; G is evaluated once per vertex (the same numbers as the term-by-term series, which
    :func:`trapezoid_area` keeps for reference and testing).

``geodesic``
    GeographicLib (Karney 2013) through :class:`pyproj.Geod` on the same ellipsoid: exact for
    geodesic edges. Agrees with ``ellipsoid`` to far better than 1 m² per km² on densified data.

``plane``
    Planar area in a projected CRS (by default the 3° Gauss-Kruger zone of the data). Off by the
    projection's area scale (about +0.1 % at 1.5° from the central meridian). For comparison only:
    never the official figure.

All functions take an array-like of shapely geometries (list, ndarray, GeoSeries) and the CRS of their
coordinates, and return a float64 ndarray (m² or m) aligned with the input; missing or empty
geometries give 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.crs import crs_label, gk_crs_for_lon
from ecogis.errors import EcogisError, warn_assumption

#: CGCS2000 ellipsoid (the same numbers as GRS 80 to well below a millimetre).
CGCS2000_A = 6378137.0
CGCS2000_F = 1.0 / 298.257222101
CGCS2000_B = CGCS2000_A * (1.0 - CGCS2000_F)
CGCS2000_E2 = CGCS2000_F * (2.0 - CGCS2000_F)
GEOD = pyproj.Geod(a=CGCS2000_A, f=CGCS2000_F)

#: Default densification step for geographic input, degrees (about 55 m of latitude).
DENSIFY_DEG = 0.0005

#: unit -> (square metres per unit, Chinese label, English label)
UNITS = {
    "m2": (1.0, "m²", "m²"),
    "ha": (10_000.0, "公顷", "ha"),
    "km2": (1_000_000.0, "km²", "km²"),
    "mu": (10_000.0 / 15.0, "亩", "mu"),
}
_UNIT_ALIASES = {
    "m2": "m2", "m²": "m2", "m^2": "m2", "sqm": "m2", "平方米": "m2",
    "ha": "ha", "hectare": "ha", "公顷": "ha",
    "km2": "km2", "km²": "km2", "km^2": "km2", "平方公里": "km2", "平方千米": "km2",
    "mu": "mu", "亩": "mu",
}

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
        return self.zh if lang == "zh" else self.en


def text_in(value, lang: str = "zh") -> str:
    """``value`` in ``lang`` when it is a :class:`Text`, else unchanged (notes from readers are plain text)."""
    return value(lang) if isinstance(value, Text) else str(value)


def note_in(value, lang: str = "zh") -> str:
    """A note for a report in ``lang``: a :class:`Text` in that language; a reader's English note (plain
    text) translated by :func:`ecogis.messages.translate` for Chinese reports. JSON keeps :func:`text_in`."""
    from ecogis.messages import translate

    return translate(text_in(value, lang), lang)


def _series_coefficients(e2: float):
    """The constants A..E of formula (2) in 国土调查办发〔2008〕32号 for first eccentricity squared ``e2``."""
    e4, e6, e8 = e2 * e2, e2 ** 3, e2 ** 4
    return (
        1.0 + (3 / 6) * e2 + (30 / 80) * e4 + (35 / 112) * e6 + (630 / 2304) * e8,
        (1 / 6) * e2 + (15 / 80) * e4 + (21 / 112) * e6 + (420 / 2304) * e8,
        (3 / 80) * e4 + (7 / 112) * e6 + (180 / 2304) * e8,
        (1 / 112) * e6 + (45 / 2304) * e8,
        (5 / 2304) * e8,
    )


_COEF = _series_coefficients(CGCS2000_E2)


def normalise_unit(unit: str) -> str:
    """Return the canonical unit key (m2, ha, km2, mu) for ``unit`` or its Chinese/English alias."""
    key = _UNIT_ALIASES.get(str(unit).strip().lower()) or _UNIT_ALIASES.get(str(unit).strip())
    if key is None:
        raise EcogisError(f"unknown area unit {unit!r}", field="unit",
                          hint="Use one of m2, ha (公顷), km2, mu (亩)")
    return key


def convert_area(m2, unit: str):
    """Convert an area in square metres to ``unit`` (m2, ha, km2 or mu; 1 亩 = 10000/15 m²).

    Scalars give a float, arrays an array.
    """
    factor = UNITS[normalise_unit(unit)][0]
    return np.asarray(m2, dtype=float) / factor if np.ndim(m2) else float(m2) / factor


def unit_label(unit: str, lang: str = "zh") -> str:
    """Printable unit name: "km²", "公顷"/"ha", "亩"/"mu"."""
    entry = UNITS[normalise_unit(unit)]
    return entry[1] if lang == "zh" else entry[2]


def method_label(method: str, lang: str = "zh") -> str:
    """Printable method name, e.g. "椭球面积" / "ellipsoidal area"."""
    if method not in METHODS:
        raise EcogisError(f"unknown area method {method!r}", field="method",
                          hint="Use ellipsoid (official), geodesic or plane")
    return METHODS[method][0 if lang == "zh" else 1]


def trapezoid_area(dlon_rad, lat1_rad, lat2_rad):
    """Area (m²) of the ellipsoidal trapezoid between parallels lat1, lat2 and meridians dlon apart.

    Formula (2) of 国土调查办发〔2008〕32号 on the CGCS2000 ellipsoid; signed (positive when
    lat2 > lat1 and dlon > 0). Inputs in radians, broadcast as numpy arrays.
    """
    lat1 = np.asarray(lat1_rad, dtype=float)
    lat2 = np.asarray(lat2_rad, dtype=float)
    return 2.0 * CGCS2000_B ** 2 * np.asarray(dlon_rad, dtype=float) * _series(lat2 - lat1, (lat1 + lat2) / 2.0)


def _series(db, bm):
    """The bracket of formula (2): A sin(ΔB/2) cos Bm − B sin(3ΔB/2) cos 3Bm + ... + E sin(9ΔB/2) cos 9Bm.

    sin(nΔB/2) and cos(nBm) for n = 3, 5, 7, 9 come from the exact multiple-angle recurrences
    f((n+2)x) = 2 cos(2x) f(nx) − f((n−2)x), so only one sine and one cosine are evaluated per edge.
    """
    a_, b_, c_, d_, e_ = _COEF
    s1 = np.sin(db * 0.5)
    c2 = 1.0 - 2.0 * s1 * s1            # cos(ΔB), accurate for tiny ΔB
    k1 = np.cos(bm)
    k2 = 2.0 * k1 * k1 - 1.0            # cos(2 Bm)
    two_c2, two_k2 = 2.0 * c2, 2.0 * k2
    s3 = s1 * (two_c2 + 1.0)
    k3 = k1 * (two_k2 - 1.0)
    out = a_ * s1 * k1
    out -= b_ * s3 * k3
    s5 = two_c2 * s3 - s1
    k5 = two_k2 * k3 - k1
    out += c_ * s5 * k5
    s7 = two_c2 * s5 - s3
    k7 = two_k2 * k5 - k3
    out -= d_ * s7 * k7
    out += e_ * (two_c2 * s7 - s5) * (two_k2 * k7 - k5)
    return out


def _series_polynomial(coef):
    """Coefficients p0..p4 with G(B) = sinB (p0 + p1 sin²B + p2 sin⁴B + p3 sin⁶B + p4 sin⁸B), where
    G(B) = A sin B − B sin 3B + C sin 5B − D sin 7B + E sin 9B.

    By 2 sin(nΔB/2) cos(nBm) = sin(nB2) − sin(nB1), the bracket of formula (2) equals
    (G(B2) − G(B1)) / 2 exactly; expanding sin(nB) in powers of sin B (Chebyshev) gives the polynomial.
    Evaluating G once per vertex costs one sine and a Horner step instead of ten trigonometric terms
    per edge; the trapezoids are the same numbers.
    """
    a_, b_, c_, d_, e_ = coef
    return (a_ - 3 * b_ + 5 * c_ - 7 * d_ + 9 * e_,
            4 * b_ - 20 * c_ + 56 * d_ - 120 * e_,
            16 * c_ - 112 * d_ + 432 * e_,
            64 * d_ - 576 * e_,
            256 * e_)


_POLY = _series_polynomial(_COEF)


def _g_of_lat(lat_rad):
    """G(B) of :func:`_series_polynomial` for an array of latitudes (radians)."""
    p0, p1, p2, p3, p4 = _POLY
    s = np.sin(lat_rad)
    s2 = s * s
    return s * (p0 + s2 * (p1 + s2 * (p2 + s2 * (p3 + s2 * p4))))


# --------------------------------------------------------------------------------------------------
# geometry plumbing
# --------------------------------------------------------------------------------------------------

def _as_geometry_array(geoms) -> np.ndarray:
    if hasattr(geoms, "geometry") and hasattr(geoms, "columns"):  # a GeoDataFrame
        geoms = geoms.geometry
    if isinstance(geoms, shapely.Geometry):
        geoms = [geoms]
    arr = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    return np.array(arr, dtype=object)


def _as_crs(crs) -> pyproj.CRS:
    if crs is None:
        raise EcogisError("no CRS given for the geometries", field="crs",
                          hint="Pass the CRS of the coordinates, e.g. EPSG:4490 or EPSG:4529")
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise EcogisError(f"unknown CRS {crs!r} ({exc})", field="crs") from exc


def _as_plane_crs(crs) -> pyproj.CRS:
    """``crs`` as a projected CRS in metres, for plane areas (a geographic CRS has no plane: degrees)."""
    target = _as_crs(crs)
    units = {a.unit_name for a in target.axis_info}
    if not target.is_projected or not units <= {"metre", "meter"}:
        raise EcogisError(f"{crs_label(target)} is not a projected CRS in metres, so it gives no plane area",
                          field="plane_crs", hint="Give a Gauss-Kruger CRS such as EPSG:4529, or leave it out")
    return target


def _to_geographic(x, y, crs: pyproj.CRS):
    """Longitude/latitude in degrees on the CRS's own datum (inverse Gauss-Kruger for GK zones)."""
    if crs.is_geographic:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    tr = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def _polygonal(geoms: np.ndarray, types: np.ndarray | None = None) -> np.ndarray:
    """Polygons and multipolygons unchanged, polygon parts of collections kept, everything else empty."""
    types = shapely.get_type_id(geoms) if types is None else types
    out = geoms.copy()
    out[(types != 3) & (types != 6) & (types != 7)] = None
    for i in np.flatnonzero(types == 7):  # GeometryCollection (rare: overlay output)
        parts = shapely.get_parts(out[i])
        polys = shapely.get_parts(parts[np.isin(shapely.get_type_id(parts), (3, 6))])
        out[i] = shapely.multipolygons(polys) if len(polys) else None
    return out


def _rings(geoms: np.ndarray):
    """Ragged ring arrays: coords (n, 2), ring offsets into coords, ring sign (+1 shell, -1 hole),
    geometry index per ring. Rings are closed (first vertex repeated last)."""
    n = len(geoms)
    types = shapely.get_type_id(geoms)
    if np.all(types == 3) and not shapely.get_num_interior_rings(geoms).any():
        # fast path, the common case: simple polygons without holes, one ring per geometry
        coords, geom_of = shapely.get_coordinates(geoms, return_index=True)
        counts = np.bincount(geom_of, minlength=n)
        ring_geom = np.flatnonzero(counts)
        ring_off = np.r_[0, np.cumsum(counts[ring_geom])]
        return coords, ring_off, np.ones(len(ring_geom)), ring_geom
    poly = _polygonal(geoms, types)
    if not np.any(shapely.get_type_id(poly) >= 0):
        return np.empty((0, 2)), np.zeros(1, int), np.empty(0), np.empty(0, int)
    gtype, coords, offsets = shapely.to_ragged_array(poly, include_z=False)
    ring_off = offsets[0]
    poly_off = offsets[1]
    if gtype == shapely.GeometryType.MULTIPOLYGON:
        geom_off = offsets[2]
    else:
        geom_off = np.arange(len(poly_off))
    n_polys = len(poly_off) - 1
    ring_poly = np.repeat(np.arange(n_polys), np.diff(poly_off))
    poly_geom = np.repeat(np.arange(n), np.diff(geom_off))
    ring_geom = poly_geom[ring_poly]
    sign = -np.ones(len(ring_off) - 1)
    sign[poly_off[:-1][np.diff(poly_off) > 0]] = 1.0  # first ring of each polygon is its shell
    return coords, np.asarray(ring_off), sign, ring_geom


# --------------------------------------------------------------------------------------------------
# areas
# --------------------------------------------------------------------------------------------------

def ellipsoidal_area(geoms, crs, *, densify_deg: float | None = DENSIFY_DEG,
                     batch_coords: int = 4_000_000) -> np.ndarray:
    """Official ellipsoidal area (椭球面积) in m² on the CGCS2000 ellipsoid, one value per geometry.

    Parameters
    ----------
    geoms : array-like of shapely geometries (GeoSeries, list, ndarray); non-polygons give 0.
    crs : the CRS of the coordinates (EPSG:4529 GK zone 41, EPSG:4490 geographic, ...).
        Projected coordinates are inverse projected vertex by vertex (no densification: the official
        procedure). Geographic coordinates are densified to ``densify_deg`` degrees first
        (``None`` or 0 to skip).
    batch_coords : vertices per batch (bounds memory; each batch is fully vectorised).

    Method: see the module docstring (国土调查办发〔2008〕32号 formula (2), TD/T 1055-2019).
    Vectorised: one ragged coordinate array, one inverse projection, numpy reductions per ring.
    """
    geoms = _as_geometry_array(geoms)
    crs = _as_crs(crs)
    _check_ellipsoid(crs)
    transformer = None if crs.is_geographic else pyproj.Transformer.from_crs(
        crs, crs.geodetic_crs, always_xy=True)
    if transformer is None and densify_deg:
        geoms = shapely.segmentize(geoms, densify_deg)
    out = np.zeros(len(geoms))
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    cuts = np.unique(np.searchsorted(ends, np.arange(batch_coords, ends[-1] if len(ends) else 0, batch_coords)))
    bounds = np.r_[0, cuts[cuts > 0], len(geoms)] if len(geoms) else np.array([0, 0])
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if hi > lo:
            out[lo:hi] = _ellipsoidal_area_batch(geoms[lo:hi], transformer)
    return out


def _check_ellipsoid(crs: pyproj.CRS) -> None:
    """Warn when the coordinates are on another ellipsoid (Xian 1980, Beijing 1954) than CGCS2000."""
    ell = crs.ellipsoid
    if ell is not None and abs(ell.semi_major_metre - CGCS2000_A) > 0.5:
        warn_assumption(f"coordinates are on the {ell.name} ellipsoid ({crs.name}); the ellipsoidal area is "
                        "summed on CGCS2000 from their latitudes/longitudes. For official figures convert the "
                        "data to CGCS2000 first (ecogis convert IN OUT --to-crs EPSG:4490 or a CGCS2000 GK zone)")


def _ellipsoidal_area_batch(geoms: np.ndarray, transformer) -> np.ndarray:
    coords, ring_off, sign, ring_geom = _rings(geoms)
    out = np.zeros(len(geoms))
    if len(coords) == 0:
        return out
    if transformer is None:
        lon, lat = coords[:, 0], coords[:, 1]
    else:
        lon, lat = (np.asarray(v) for v in transformer.transform(coords[:, 0], coords[:, 1]))
    starts = ring_off[:-1]
    # Reference meridian per ring: its first vertex. Any per-ring constant gives the same closed-ring
    # sum; a near one keeps the terms small. Longitudes stay in degrees: the trapezoid is linear in
    # ΔL, so the degree->radian factor is applied once per ring below.
    dlon = (lon[1:] + lon[:-1]) * 0.5 - np.repeat(lon[starts], np.diff(ring_off))[:-1]
    g = _g_of_lat(np.radians(lat))
    strip = dlon * np.diff(g)  # = dlon * 2 * bracket of formula (2), edge by edge
    strip[ring_off[1:-1] - 1] = 0.0  # the step from one ring's last vertex to the next ring's first
    ring_area = np.add.reduceat(strip, starts) * (CGCS2000_B ** 2 * np.pi / 180.0)
    out += np.bincount(ring_geom, weights=sign * np.abs(ring_area), minlength=len(geoms))
    return out


def geodesic_area(geoms, crs, *, densify_deg: float | None = DENSIFY_DEG) -> np.ndarray:
    """Geodesic area in m² (GeographicLib through pyproj.Geod, CGCS2000 ellipsoid), one per geometry.

    Edges are geodesics between the vertices (after inverse projection of projected input);
    geographic input is densified to ``densify_deg`` first, as in :func:`ellipsoidal_area`, so both
    methods measure the same shape. Loops over features inside pyproj; use :func:`ellipsoidal_area`
    for large layers.
    """
    geoms = _as_geometry_array(geoms)
    crs = _as_crs(crs)
    if crs.is_geographic and densify_deg:
        geoms = shapely.segmentize(geoms, densify_deg)
    poly = shapely.orient_polygons(_polygonal(geoms), exterior_cw=False)
    if not crs.is_geographic:
        tr = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        poly = shapely.transform(poly, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    out = np.zeros(len(poly))
    for i, g in enumerate(poly):
        if g is not None and not g.is_empty:
            out[i] = GEOD.geometry_area_perimeter(g)[0]
    return out


def plane_area(geoms, crs, plane_crs=None) -> np.ndarray:
    """Plane area in m² in ``plane_crs`` (default: ``crs`` if projected, else the 3° GK zone of the data).

    For comparison only: a Gauss-Kruger plane area exceeds the ellipsoidal one by the area scale
    k² ≈ 1 + y²/R² (y = distance from the central meridian). Never report it as the official figure.
    """
    geoms = _as_geometry_array(geoms)
    crs = _as_crs(crs)
    target = _as_plane_crs(plane_crs) if plane_crs is not None else (crs if crs.is_projected else None)
    if target is None:
        target = default_plane_crs(geoms, crs)
    if not target.equals(crs):
        tr = pyproj.Transformer.from_crs(crs, target, always_xy=True)
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    return np.asarray(shapely.area(_polygonal(geoms)), dtype=float).copy() if len(geoms) else np.zeros(0)


def default_plane_crs(geoms, crs) -> pyproj.CRS:
    """The CGCS2000 3° Gauss-Kruger zone (no prefix) whose central meridian is nearest the data."""
    geoms = _as_geometry_array(geoms)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    lon, _ = _to_geographic(np.array([(x0 + x1) / 2]), np.array([(y0 + y1) / 2]), _as_crs(crs))
    return gk_crs_for_lon(float(lon[0]))


def area(geoms, crs, method: str = "ellipsoid", **kwargs) -> np.ndarray:
    """Area in m² per geometry by ``method`` ("ellipsoid" official, "geodesic", "plane")."""
    method_label(method)
    func = {"ellipsoid": ellipsoidal_area, "geodesic": geodesic_area, "plane": plane_area}[method]
    return func(geoms, crs, **kwargs)


# --------------------------------------------------------------------------------------------------
# lengths
# --------------------------------------------------------------------------------------------------

def geodesic_length(geoms, crs) -> np.ndarray:
    """Geodesic length in metres per geometry (CGCS2000 ellipsoid, GeographicLib via pyproj.Geod.inv).

    Lines sum their segments; polygons give their perimeter (all rings); points give 0.
    Vectorised: every segment of the layer in one ``Geod.inv`` call, summed with ``np.bincount``.
    """
    geoms = _as_geometry_array(geoms)
    crs = _as_crs(crs)
    out = np.zeros(len(geoms))
    types = shapely.get_type_id(geoms)
    lines = np.where(np.isin(types, (3, 6)), shapely.boundary(geoms), geoms)
    lines[~np.isin(types, (1, 2, 3, 5, 6, 7))] = None
    parts, part_geom = shapely.get_parts(lines, return_index=True)
    keep = np.isin(shapely.get_type_id(parts), (1, 2))  # drop points of collections
    parts, part_geom = parts[keep], part_geom[keep]
    if len(parts) == 0:
        return out
    coords, coord_part = shapely.get_coordinates(parts, return_index=True)
    lon, lat = _to_geographic(coords[:, 0], coords[:, 1], crs)
    same = coord_part[1:] == coord_part[:-1]
    _, _, dist = GEOD.inv(lon[:-1][same], lat[:-1][same], lon[1:][same], lat[1:][same])
    seg_len = np.bincount(coord_part[:-1][same], weights=dist, minlength=len(parts))
    out += np.bincount(part_geom, weights=seg_len, minlength=len(geoms))
    return out


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
    crs: str
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

    def text(self, lang: str = "zh") -> str:
        """Human-readable report; every number carries its unit, the method and the CRS."""
        zh = lang == "zh"
        u = unit_label(self.unit, lang)
        surface = "CGCS2000" if self.method != "plane" else (self.plane_crs or self.crs)
        what = (self.label if zh else self.label_en) or ("图层" if zh else "Layer")
        method = method_label(self.method, lang)
        f = {"u": u, "m": method, "s": surface, "what": what, "layer": self.layer or "-", "self": self,
             "within": text_in(self.within, lang)}
        lines = [_AREA_LINES["area"](lang).format(**f), _AREA_LINES["data"](lang).format(**f),
                 _AREA_LINES["overlap"](lang).format(**f)]
        if self.within:
            lines.append(_AREA_LINES["within"](lang).format(**f))
        if self.declared is not None:
            lines.append(_AREA_LINES["declared"](lang).format(**f))
        if self.declared_share_pct is not None and self.share_pct is not None:
            lines.append(_AREA_LINES["declared_share"](lang).format(**f))
        if self.groups:
            base = _SHARE_OF[self.share_of](lang)
            by = ("区县" if zh else "districts") if self.by == "districts" else self.by
            lines.append(_AREA_LINES["groups"](lang).format(by=by, **f))
            for g in self.groups:
                share = "-" if g.share_pct is None else f"{g.share_pct:.2f}%"
                lines.append(_AREA_LINES["group"](lang).format(g=g, share=share, base=base, **f))
        lines += [("注意：" if zh else "Note: ") + note_in(n, lang) for n in self.notes]
        return "\n".join(lines)


_AREA_LINES = {
    "area": Text("{what}面积 {self.area:.2f} {u}（{m}，{s}）", "{what} area {self.area:.2f} {u} ({m}, {s})"),
    "data": Text("数据：{layer}，{self.features} 个要素，坐标系 {self.crs}",
                 "Data: {layer}, {self.features} features, CRS {self.crs}"),
    "overlap": Text("重叠扣除 {self.overlap_removed:.2f} {u}（融合前要素面积合计 {self.sum_of_features:.2f} {u}，{m}）",
                    "Overlap removed {self.overlap_removed:.2f} {u} (sum of feature areas before dissolving "
                    "{self.sum_of_features:.2f} {u}, {m})"),
    "within": Text("范围：{within}，面积 {self.boundary_area:.2f} {u}；占比 {self.share_pct:.2f}%"
                   "（范围外 {self.outside_area:.2f} {u} 未计入）",
                   "Within {within} ({self.boundary_area:.2f} {u}): share {self.share_pct:.2f}% "
                   "({self.outside_area:.2f} {u} outside not counted)"),
    "declared": Text("公布值 {self.declared:.2f} {u}，差值 {self.declared_diff:+.2f} {u}（{self.declared_diff_pct:+.3f}%）",
                     "Declared {self.declared:.2f} {u}, difference {self.declared_diff:+.2f} {u} "
                     "({self.declared_diff_pct:+.3f}%)"),
    "declared_share": Text("公布占比 {self.declared_share_pct:.2f}%，差值 {self.declared_share_diff_pp:+.2f} 个百分点",
                           "Declared share {self.declared_share_pct:.2f}%, difference "
                           "{self.declared_share_diff_pp:+.2f} percentage points"),
    "groups": Text("按{by}分组（{m}，{s}）：", "Breakdown by {by} ({m}, {s}):"),
    "group": Text("  {g.key}：{g.area:.2f} {u}，{base} {share}", "  {g.key}: {g.area:.2f} {u}, {share} {base}"),
}
_SHARE_OF = {"district": Text("占本区面积", "of the district"), "boundary": Text("占范围面积", "of the boundary"),
             "total": Text("占总面积", "of the total")}


def polygon_geometries(gdf, *, path=None, what: str = "layer", return_index: bool = False):
    """The polygon geometries of a layer, repaired with make_valid (warned) and without empties.

    With ``return_index`` also the row positions in ``gdf`` they come from.
    Raises EcogisError when the layer has no CRS or no polygons.
    """
    if gdf.crs is None:
        raise EcogisError(f"the {what} has no CRS", path=path, hint="Pass crs= / --crs (e.g. EPSG:4529)")
    geoms = _polygonal(np.asarray(gdf.geometry.values, dtype=object))
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if not ok.any():
        raise EcogisError(f"the {what} has no polygons", path=path,
                          hint="Area needs polygon features (a line or point layer has no area)")
    invalid = ok & ~shapely.is_valid(geoms)
    if invalid.any():
        first = [str(i) for i in np.flatnonzero(invalid)[:5]]
        warn_assumption(f"{path or what}: {int(invalid.sum())} invalid polygon(s) repaired with make_valid "
                        f"(features {', '.join(first)}{'...' if invalid.sum() > 5 else ''})")
        geoms[invalid] = _polygonal(shapely.make_valid(geoms[invalid]))
    keep = ok & ~shapely.is_missing(geoms)
    return (geoms[keep], np.flatnonzero(keep)) if return_index else geoms[keep]


def boundary_in_crs(boundary, crs) -> "gpd.GeoDataFrame":
    """A boundary (or any polygon layer) in ``crs``; geographic edges densified first so they keep their shape."""
    b = boundary
    if b.crs is None:
        raise EcogisError("the boundary has no CRS", hint="Give the boundary file a .prj or use an admin name")
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
            f"各分组相互重叠：分组面积之和比总面积多 {extra:.2f} {u_zh}（{extra_m2:.0f} m²，{method_label(result.method)}；"
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
        f"polygon ({poly} {unit_label(unit, 'en')}, {method_label(method, 'en')}) it is {result.polygon_share_pct:.2f}%"))
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
            raise EcogisError("--by districts needs the districts of the boundary", field="by",
                              hint="Give --within an administrative name (e.g. 盘锦市) or a boundary file "
                                   "with several named features")
        d = boundary_in_crs(districts, crs)
        names = d["name"].astype(str).to_numpy() if "name" in d.columns else np.arange(len(d)).astype(str)
        dgeoms = np.asarray(d.geometry.values, dtype=object)
        parts = shapely.intersection(dissolved, dgeoms)
        part_m2 = measure(parts)
        base_m2 = measure(dgeoms)
        return [AreaGroup(str(n), conv(a), float(100.0 * a / b) if b > 0 else None, float(a), conv(b))
                for n, a, b in zip(names, part_m2, base_m2)], "district"
    if by not in gdf.columns:
        raise EcogisError(f"no field {by!r} in the layer; fields: {', '.join(map(str, gdf.columns))}",
                          path=path, field=by, hint="Pick a field for --by, or use --by districts")
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


def _relative_to(value, base) -> Path:
    """``value`` as a path, relative to the folder ``base`` when given (an absolute path stays as it is)."""
    return Path(value) if base is None else Path(base) / value


def resolve_boundary(value, layer=None, base=None):
    """A boundary given as a file path or an administrative name -> (GeoDataFrame, label).

    A path (relative to ``base`` when given) is read with :func:`ecogis.io.read_layer`; anything else
    is looked up with :func:`ecogis.boundaries.get_boundary` (e.g. 盘锦市, 大洼区, an adcode).
    """
    if isinstance(value, (str, Path)):
        path = _relative_to(value, base)
        if path.exists():
            from ecogis.io import read_layer

            gdf = read_layer(path, layer=layer)
            return gdf, boundary_label(gdf, path.name + (f":{layer}" if layer else ""))
        if path.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".gdb", ".kml", ".zip", ".csv", ".xlsx"):
            raise EcogisError("boundary file not found", path=path,
                              hint="Check the path (paths in an audit spec are relative to the spec file)")
    from ecogis.boundaries import get_boundary

    gdf = get_boundary(str(value))
    return gdf, str(gdf["name"].iloc[0])


def resolve_districts(value, boundary_value=None, layer=None, base=None):
    """Districts for a breakdown: a file/name given explicitly, else those of the administrative boundary."""
    if value is not None:
        path = _relative_to(value, base)
        if path.exists():
            from ecogis.io import read_layer

            return read_layer(path, layer=layer)
        from ecogis.boundaries import get_districts

        return get_districts(str(value))
    if boundary_value is None:
        raise EcogisError("a breakdown by districts needs a boundary or a districts layer", field="by",
                          hint="Give --within 盘锦市 (an administrative name) or --districts FILE")
    path = _relative_to(boundary_value, base)
    if path.exists():
        raise EcogisError("districts of a boundary file are not known", path=path, field="by",
                          hint="Pass the districts layer with --districts FILE (and --districts-layer)")
    from ecogis.boundaries import get_districts

    return get_districts(str(boundary_value))
