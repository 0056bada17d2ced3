"""The declared 地块面积 (公顷) compared with the area computed from the vertices."""
from __future__ import annotations

import numpy as np

from ecogis.area import ellipsoidal_area
from ecogis.errors import warn_assumption

#: warn when the declared area differs from the ellipsoidal area by more than this share
AREA_TOLERANCE = 0.01


def _check_declared_areas(gdf, path, notes):
    """Warn where 地块面积 (hectares) disagrees with the ellipsoidal area by more than 1 %."""
    polygonal = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    declared = gdf["declared_area"].to_numpy()
    check = polygonal & np.isfinite(declared)
    if not check.any():
        return
    computed = np.full(len(gdf), np.nan)
    computed[check] = ellipsoidal_area(gdf.geometry.values[check], gdf.crs) / 10_000.0
    for i in np.flatnonzero(check):
        ratio = declared[i] / computed[i] if computed[i] > 0 else np.inf
        if abs(ratio - 1.0) <= AREA_TOLERANCE:
            continue
        unit_hint = ""
        for factor, unit in ((10_000.0, "m²"), (15.0, "亩")):
            if abs(ratio / factor - 1.0) <= AREA_TOLERANCE:
                unit_hint = f"; it looks like {unit}, not 公顷"
        warn_assumption(f"{path}: parcel {gdf['parcel_no'].iat[i]!r}: declared area {declared[i]:g} 公顷 differs "
                        f"from the ellipsoidal area {computed[i]:.4f} 公顷 (CGCS2000 ellipsoid){unit_hint}", notes)
