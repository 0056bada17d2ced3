"""Official areas and lengths: ellipsoidal (椭球面积), geodesic and plane, in m², 公顷, km² and 亩.

Three area methods, all vectorised over whole layers:

``ellipsoid`` (default, the official figure)
    The land-survey ellipsoidal area on the CGCS2000 ellipsoid (a = 6378137 m,
    f = 1/298.257222101). Vertices given in Gauss-Kruger (or any projected) coordinates are inverse
    projected to geodetic latitude B and longitude L, and each ring is summed as ellipsoidal
    trapezoids, following 国土调查办发〔2008〕32号《图幅理论面积与图斑椭球面积计算公式及要求》
    (formula (2), "椭球面上任意梯形面积计算公式"), carried into the third national land survey rules
    TD/T 1055-2019 with the CGCS2000 ellipsoid. The area of the trapezoid bounded by two parallels
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

import numpy as np
import pyproj
import shapely

from ecogis.errors import EcogisError

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
    """Convert an area in square metres to ``unit`` (m2, ha, km2 or mu; 1 亩 = 10000/15 m²)."""
    return np.asarray(m2, dtype=float) / UNITS[normalise_unit(unit)][0] if np.ndim(m2) else \
        float(m2) / UNITS[normalise_unit(unit)][0]


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


def _to_geographic(x, y, crs: pyproj.CRS):
    """Longitude/latitude in degrees on the CRS's own datum (inverse Gauss-Kruger for GK zones)."""
    if crs.is_geographic:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    tr = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Polygons and multipolygons unchanged, polygon parts of collections kept, everything else empty."""
    types = shapely.get_type_id(geoms)
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
    poly = _polygonal(geoms)
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
                     chunk: int = 200_000) -> np.ndarray:
    """Official ellipsoidal area (椭球面积) in m² on the CGCS2000 ellipsoid, one value per geometry.

    Parameters
    ----------
    geoms : array-like of shapely geometries (GeoSeries, list, ndarray); non-polygons give 0.
    crs : the CRS of the coordinates (EPSG:4529 GK zone 41, EPSG:4490 geographic, ...).
        Projected coordinates are inverse projected vertex by vertex (no densification: the official
        procedure). Geographic coordinates are densified to ``densify_deg`` degrees first
        (``None`` or 0 to skip).
    chunk : geometries per batch (bounds memory; each batch is fully vectorised).

    Method: see the module docstring (国土调查办发〔2008〕32号 formula (2), TD/T 1055-2019).
    Vectorised: one ragged coordinate array, one inverse projection, numpy reductions per ring.
    """
    geoms = _as_geometry_array(geoms)
    crs = _as_crs(crs)
    transformer = None if crs.is_geographic else pyproj.Transformer.from_crs(
        crs, crs.geodetic_crs, always_xy=True)
    out = np.zeros(len(geoms))
    for lo in range(0, len(geoms), chunk):
        part = geoms[lo:lo + chunk]
        if transformer is None and densify_deg:
            part = shapely.segmentize(part, densify_deg)
        out[lo:lo + chunk] = _ellipsoidal_area_batch(part, transformer)
    return out


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
    lat_rad = np.radians(lat)
    strip = dlon * _series(lat_rad[1:] - lat_rad[:-1], (lat_rad[1:] + lat_rad[:-1]) * 0.5)
    strip[ring_off[1:-1] - 1] = 0.0  # the step from one ring's last vertex to the next ring's first
    ring_area = np.add.reduceat(strip, starts) * (2.0 * CGCS2000_B ** 2 * np.pi / 180.0)
    out += np.bincount(ring_geom, weights=sign * np.abs(ring_area), minlength=len(geoms))
    return out


def geodesic_area(geoms, crs) -> np.ndarray:
    """Geodesic area in m² (GeographicLib through pyproj.Geod, CGCS2000 ellipsoid), one per geometry.

    Edges are geodesics between the vertices (after inverse projection of projected input). Loops
    over features inside pyproj; use :func:`ellipsoidal_area` for large layers.
    """
    geoms = _as_geometry_array(geoms)
    crs = _as_crs(crs)
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
    target = _as_crs(plane_crs) if plane_crs is not None else (crs if crs.is_projected else None)
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
    try:
        from ecogis.crs import gk_crs_for_lon
        return pyproj.CRS.from_user_input(gk_crs_for_lon(float(lon[0])))
    except ImportError:  # pragma: no cover - the CRS module is written by a teammate
        cm = int(round(float(lon[0]) / 3.0)) * 3
        return pyproj.CRS.from_epsg(4534 + (cm - 75) // 3)


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
