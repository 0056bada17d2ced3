"""Official area of vector polygons (zones, change patches) and area units.

Areas are ``ecogis.area.ellipsoidal_area``: the project's official ellipsoidal method on the CGCS2000
ellipsoid (DESIGN.md, "Area"), so raster figures agree with ``ecogis area``.
"""
from __future__ import annotations

import numpy as np

from ecogis.area import ellipsoidal_area
from ecogis.geodesy import convert_area

OFFICIAL_AREA_METHOD = "official ellipsoidal area (ecogis.area, CGCS2000)"
AREA_UNITS = {"area_m2": "m²", "area_ha": "公顷 (ha)", "area_mu": "亩 (mu)"}   # units of area_columns()


def units(m2) -> dict:
    """``{"m2", "ha", "mu"}`` of an area in m² (1 公顷 = 10 000 m², 1 亩 = 10 000/15 m²); floats for a
    number, arrays for an array (:func:`ecogis.geodesy.convert_area`)."""
    return {u: convert_area(m2, u) for u in ("m2", "ha", "mu")}


def area_columns(m2) -> dict:
    """``{"area_m2", "area_ha", "area_mu"}``: :func:`units` named as table columns."""
    return {f"area_{u}": v for u, v in units(m2).items()}


def official_area(geoms, crs) -> tuple[np.ndarray, str]:
    """Area in m² of each polygon in ``geoms`` (CRS ``crs``) and the name of the method used."""
    geoms = np.asarray(geoms, dtype=object)
    return np.asarray(ellipsoidal_area(geoms, crs), float), OFFICIAL_AREA_METHOD
