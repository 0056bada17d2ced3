"""The web-map coordinate systems GCJ-02 (Amap/Gaode, Tencent) and BD-09 (Baidu): conversions to and
from WGS 84 longitude/latitude, vectorised with numpy in both directions, and :func:`from_web_crs` /
:func:`to_web_crs` for whole GeoDataFrames.

GCJ-02 is the identity outside the rectangle 72.004-137.8347 E, 0.8293-55.8271 N (the test used by the
published implementations, e.g. eviltransform and PRCoords). BD-09 is defined on top of GCJ-02 and its
extra rotation/offset is applied everywhere. The transforms output WGS 84 longitudes/latitudes, which
ecogis labels EPSG:4490 (CGCS2000): the two differ by centimetres to decimetres in China, far below the
accuracy of web-map data."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import ArrayLike

from ecogis.crs import BD09, GCJ02, WEB_SYSTEMS, resolve_crs
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_EPSG

if TYPE_CHECKING:
    import geopandas as gpd

#: lon/lat degrees: floats for scalar input, arrays for array input
LonLat = tuple[Any, Any]

_GCJ_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_GCJ_EE = 0.00669342162296594323  # its first eccentricity squared
_BD_K = math.pi * 3000.0 / 180.0
_ITER_TOL = 1e-10  # degrees; reverse transforms iterate to this (far below the 1e-7 deg required)
_ITER_MAX = 30


def in_gcj_area(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where GCJ-02 applies: the rectangle 72.004-137.8347 E, 0.8293-55.8271 N."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside: np.ndarray = (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)
    return inside


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS 84 (degrees) at WGS 84 position lon/lat, zero outside the GCJ area."""
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_gcj_area(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon.copy(), lat.copy()


def _out(lon: np.ndarray, lat: np.ndarray, like: ArrayLike) -> LonLat:
    if np.ndim(like) == 0:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """WGS 84 (or CGCS2000) longitude/latitude degrees -> GCJ-02. Identity outside China's rectangle."""
    lo, la = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(lo, la)
    return _out(lo + dlon, la + dlat, lon)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """GCJ-02 -> WGS 84 longitude/latitude degrees, by fixed-point iteration to 1e-10 degrees.

    Solves wgs84_to_gcj02(w) = g for w (not the one-step approximation w = g - offset(g), which is off
    by up to a few metres).
    """
    glon, glat = _arrays(lon, lat)
    return _out(*_solve(wgs84_to_gcj02, glon, glat, glon, glat), lon)


def _solve(forward: Callable[[np.ndarray, np.ndarray], LonLat], lon: np.ndarray, lat: np.ndarray,
           lon0: np.ndarray, lat0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with ``forward(x, y) == (lon, lat)``, by fixed-point iteration from (lon0, lat0) until every
    point is within ``_ITER_TOL`` degrees (at most ``_ITER_MAX`` steps); arrays in, arrays out."""
    x, y = lon0, lat0
    for _ in range(_ITER_MAX):
        flon, flat = forward(x, y)
        err_lon, err_lat = flon - lon, flat - lat
        x, y = x - err_lon, y - err_lat
        if np.all(np.abs(err_lon) < _ITER_TOL) and np.all(np.abs(err_lat) < _ITER_TOL):
            break
    return x, y


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """GCJ-02 -> BD-09 (Baidu) longitude/latitude degrees."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_K)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_K)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, lon)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """BD-09 -> GCJ-02 longitude/latitude degrees, by fixed-point iteration to 1e-10 degrees."""
    blon, blat = _arrays(lon, lat)
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_K)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_K)
    return _out(*_solve(gcj02_to_bd09, blon, blat, z * np.cos(theta), z * np.sin(theta)), lon)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """WGS 84 -> BD-09 longitude/latitude degrees (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """BD-09 -> WGS 84 longitude/latitude degrees (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


def _web_system(system: object) -> str:
    resolved = resolve_crs(system)
    if not isinstance(resolved, str) or resolved not in WEB_SYSTEMS:
        raise error("crs.not_web_system", system=system, hint="crs.use_web")
    return resolved


def _transform_geometries(geoms: Any, func: Callable[[np.ndarray, np.ndarray], LonLat]) -> np.ndarray:
    def xy(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])
    out: np.ndarray = shapely.transform(np.asarray(geoms), xy)
    return out


def from_web_crs(gdf: gpd.GeoDataFrame, system: object) -> gpd.GeoDataFrame:
    """Convert a GeoDataFrame whose lon/lat are in ``system`` (GCJ-02 or BD-09) to EPSG:4490.

    Every vertex is converted (vectorised, shapely.transform). The CRS the GeoDataFrame carries is
    ignored (web-map data is often labelled EPSG:4326); the result is labelled EPSG:4490 (WGS 84 taken
    as CGCS2000, see the module notes). Returns a new GeoDataFrame; attrs are kept.
    """
    system = _web_system(system)
    out = gdf.copy()
    out["geometry"] = _transform_geometries(gdf.geometry.values, _TO_WGS[system])
    out = out.set_geometry("geometry").set_crs(GEOGRAPHIC_EPSG, allow_override=True)
    return out


def to_web_crs(gdf: gpd.GeoDataFrame, system: object) -> gpd.GeoDataFrame:
    """Convert a GeoDataFrame to web-map lon/lat ``system`` (GCJ-02 or BD-09), for display or export.

    The data is first reprojected to EPSG:4490. pyproj has no CRS for GCJ-02/BD-09, so the result
    has ``crs=None`` and ``attrs["ecogis"]["crs"]`` set to the system name; do not overlay it with
    data in any real CRS.
    """
    system = _web_system(system)
    if gdf.crs is None:
        raise error("crs.no_crs_for_web", hint="crs.read_with_crs")
    geo = gdf.to_crs(GEOGRAPHIC_EPSG)
    out = geo.copy()
    out["geometry"] = _transform_geometries(geo.geometry.values, _FROM_WGS[system])
    out = out.set_geometry("geometry").set_crs(None, allow_override=True)
    meta = dict(out.attrs.get("ecogis", {}))
    meta.update(crs=system)
    out.attrs["ecogis"] = meta
    return out
