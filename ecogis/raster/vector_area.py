"""Official area of vector polygons (zones, change patches) and area units.

Areas are ``ecogis.area.ellipsoidal_area``: the project's official ellipsoidal method on the CGCS2000
ellipsoid (DESIGN.md, "Area"), so raster figures agree with ``ecogis area``.
"""
from __future__ import annotations

import numpy as np

from ecogis.area import ellipsoidal_area

M2_PER = {"m2": 1.0, "ha": 10_000.0, "mu": 10_000.0 / 15.0, "km2": 1_000_000.0}
OFFICIAL_AREA_METHOD = "official ellipsoidal area (ecogis.area, CGCS2000)"


def units(m2: float) -> dict:
    """``{"m2", "ha", "mu"}`` of an area in m² (1 公顷 = 10 000 m², 1 亩 = 10 000/15 m²)."""
    return {"m2": float(m2), "ha": float(m2) / M2_PER["ha"], "mu": float(m2) / M2_PER["mu"]}


def official_area(geoms, crs) -> tuple[np.ndarray, str]:
    """Area in m² of each polygon in ``geoms`` (CRS ``crs``) and the name of the method used."""
    geoms = np.asarray(geoms, dtype=object)
    return np.asarray(ellipsoidal_area(geoms, crs), float), OFFICIAL_AREA_METHOD
