"""Pairs of features within a distance: both layers in one Gauss-Kruger plane, candidates from an STRtree,
geodesic distances (CGCS2000) between the nearest points. Used by ``within_distance`` in one process and
per slice on a Dask cluster (:mod:`ecogis.audit.dask_ops`)."""
from __future__ import annotations

import numpy as np
import shapely

from ecogis import area as A


def in_one_plane(a_gdf, b_gdf):
    """The geometries of ``a`` and ``b`` in the Gauss-Kruger plane of both, and that plane."""
    plane = A.default_plane_crs(np.r_[np.asarray(a_gdf.geometry.values, dtype=object),
                                      np.asarray(b_gdf.to_crs(a_gdf.crs).geometry.values, dtype=object)], a_gdf.crs)
    a = np.asarray(a_gdf.to_crs(plane).geometry.values, dtype=object)
    b = np.asarray(b_gdf.to_crs(plane).geometry.values, dtype=object)
    return a, b, plane


def pairs_within(a, b, plane, distance_m: float):
    """Pairs (i, j, geodesic metres) of geometries ``a`` and ``b`` (in the GK plane ``plane``) whose
    planar distance is within ``distance_m`` plus the scale margin."""
    tree = shapely.STRtree(b)
    ia, ib = tree.query(a, predicate="dwithin", distance=distance_m * 1.01 + 1.0)
    if len(ia) == 0:
        return ia, ib, np.zeros(0)
    lines = shapely.shortest_line(a[ia], b[ib])
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    d = A.geodesic_length(shapely.linestrings(coords), plane)
    return ia, ib, d
