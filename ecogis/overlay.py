"""Geometry helpers of the overlays in a projected plane (the Gauss-Kruger zone of a screening, metres).

* :func:`made_valid`: invalid geometries rebuilt by ``shapely.make_valid`` so that a polygon stays a
  polygon (``method="structure"``: a self-intersecting ring keeps the area of each lobe, collapsed spikes
  are dropped); lines and points by the default method.
* :func:`valid_in_plane`: the same for geometries that a projection made invalid. A feature valid in
  degrees can self-intersect after projection where two of its edges come within rounding of each other;
  GEOS overlays of such a feature are not defined, so the screening repairs it once, in its index.
* :func:`dissolved_overlap`: ``site ∩ ⋃ features`` (the dissolved features, no double counting), computed
  as ``⋃ (site ∩ featureᵢ)``: each feature is first cut to the site, so the union only nodes small pieces
  instead of whole large features (the same point set; areas agree to rounding, tested).
"""
from __future__ import annotations

import numpy as np
import shapely

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def made_valid(bad: np.ndarray) -> np.ndarray:
    """``bad`` (invalid geometries) rebuilt valid: polygons by ``method="structure"`` (a polygon may come
    out with no area: the caller decides), other geometries by the default (linework) method."""
    polygonal = np.isin(shapely.get_type_id(bad), _POLYGONAL)
    out = np.empty(len(bad), dtype=object)
    out[polygonal] = shapely.make_valid(bad[polygonal], method="structure", keep_collapsed=False)
    out[~polygonal] = shapely.make_valid(bad[~polygonal])
    return out


def valid_in_plane(geoms: np.ndarray) -> np.ndarray:
    """``geoms`` (projected) with the invalid ones rebuilt by :func:`made_valid`; the same array when all
    are valid (missing geometries stay missing)."""
    bad = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
    if len(bad) == 0:
        return geoms
    out = np.array(geoms, dtype=object)
    out[bad] = made_valid(out[bad])
    return out


def dissolved_overlap(site: shapely.Geometry, features: np.ndarray) -> shapely.Geometry:
    """The part of ``site`` inside the union of ``features`` (valid geometries in one plane), as one
    geometry: the union of each feature cut to the site."""
    pieces = shapely.intersection(np.asarray(features, dtype=object), site)
    return pieces[0] if len(pieces) == 1 else shapely.union_all(pieces)
