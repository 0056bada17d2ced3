"""Official area of vector polygons (zones, change patches) and area units.

Uses ``ecogis.area.ellipsoidal_area`` (the project's official ellipsoidal method) when it is
installed; otherwise the geodesic area on the CGCS2000 ellipsoid (pyproj.Geod, GeographicLib) of the
polygons densified to 10 m in their own CRS, which agrees with the official method to well under
1 m² per km² (see DESIGN.md, "Area").
"""
from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Geod

M2_PER = {"m2": 1.0, "ha": 10_000.0, "mu": 10_000.0 / 15.0, "km2": 1_000_000.0}
DENSIFY_M = 10.0


def units(m2: float) -> dict:
    """``{"m2", "ha", "mu"}`` of an area in m² (1 公顷 = 10 000 m², 1 亩 = 10 000/15 m²)."""
    return {"m2": float(m2), "ha": float(m2) / M2_PER["ha"], "mu": float(m2) / M2_PER["mu"]}


def official_area(geoms, crs) -> tuple[np.ndarray, str]:
    """Area in m² of each polygon in ``geoms`` (CRS ``crs``) and the name of the method used."""
    geoms = np.asarray(geoms, dtype=object)
    try:
        from ecogis.area import ellipsoidal_area
    except ImportError:
        return _geodesic_area(geoms, crs), "geodesic area on the CGCS2000 ellipsoid (pyproj.Geod), 10 m densified"
    return np.asarray(ellipsoidal_area(geoms, crs), float), "official ellipsoidal area (ecogis.area, CGCS2000)"


def _geodesic_area(geoms, crs) -> np.ndarray:
    import geopandas as gpd

    crs = CRS(crs)
    step = DENSIFY_M if not crs.is_geographic else DENSIFY_M / 111_000.0
    dense = shapely.segmentize(geoms, step)
    geo = gpd.GeoSeries(dense, crs=crs).to_crs(4490)
    geod = Geod(ellps="GRS80")  # CGCS2000 ellipsoid == GRS80 to 0.1 mm in b
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) if g is not None and not g.is_empty else 0.0
                     for g in geo])
