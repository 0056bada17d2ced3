"""Cheap lower bounds of the planar distance between (site, feature) pairs in the GK plane, in numpy:
envelope gaps and bounding-circle gaps. :mod:`ecogis.screen` leaves a pair out of an exact GEOS test
when a bound already decides it (farther than the search radius, or not touching)."""
from __future__ import annotations

import numpy as np
import shapely


def grown_boxes(bounds: np.ndarray, margin: float | np.ndarray) -> np.ndarray:
    """Envelopes ``bounds`` ((n, 4) array, GK metres) grown by ``margin`` (scalar or per row) on every side."""
    boxes: np.ndarray = shapely.box(bounds[:, 0] - margin, bounds[:, 1] - margin,
                                    bounds[:, 2] + margin, bounds[:, 3] + margin)
    return boxes


def envelope_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Planar distance (GK metres) between envelopes ``a[k]`` and ``b[k]`` ((n, 4) arrays); 0 when they meet.
    A lower bound of the distance between the geometries."""
    dx = np.maximum(0.0, np.maximum(b[:, 0] - a[:, 2], a[:, 0] - b[:, 2]))
    dy = np.maximum(0.0, np.maximum(b[:, 1] - a[:, 3], a[:, 1] - b[:, 3]))
    gap: np.ndarray = np.hypot(dx, dy)
    return gap


def reach(geoms: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Per geometry, the largest distance (GK m) of a vertex from the centre of its envelope ``bounds``:
    the geometry lies in that circle (a disc holding every vertex holds their convex hull). Non-finite
    coordinates (a site projected far outside its zone) give NaN, which :func:`circle_gap` takes as no bound."""
    xy, idx = shapely.get_coordinates(geoms, return_index=True)
    cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    reach = np.zeros(len(geoms))
    with np.errstate(invalid="ignore"):
        np.maximum.at(reach, idx, np.hypot(xy[:, 0] - cx[idx], xy[:, 1] - cy[idx]))
    return reach


def circle_gap(a: np.ndarray, ra: np.ndarray, b: np.ndarray, rb: np.ndarray) -> np.ndarray:
    """Planar gap (GK m) between the bounding circles (envelope centres, radii ``ra``/``rb``) of pairs with
    envelopes ``a[k]``, ``b[k]``: a lower bound of their distance (1 mm less, for rounding; -inf when empty)."""
    dx = (a[:, 0] + a[:, 2] - b[:, 0] - b[:, 2]) / 2
    dy = (a[:, 1] + a[:, 3] - b[:, 1] - b[:, 3]) / 2
    gap: np.ndarray = np.nan_to_num(np.hypot(dx, dy) - ra - rb - 1e-3, nan=-np.inf)
    return gap
