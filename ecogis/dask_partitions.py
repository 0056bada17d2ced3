"""The partitions of a batch on Dask (:mod:`ecogis.engine_dask`): per use group, per CGCS2000 3° Gauss-Kruger
zone of the site centres, then in the order of the Hilbert curve through the site centres (dask-geopandas
``hilbert_distance``), so each partition covers a compact area. Used by the calling process (sites in
memory) and by the workers (sites read there, :mod:`ecogis.site_parts`)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import geopandas as gpd
import numpy as np

from ecogis.batch_pool import site_zones

HILBERT_LEVEL = 16  # 2¹⁶ cells a side over the sites' extent


def partitions(sites: gpd.GeoDataFrame, groups: Iterable[tuple[Any, object]], chunk_size: int,
               total_bounds: np.ndarray | None = None) -> Iterator[tuple[int, object, np.ndarray]]:
    """``(GK zone number, site use, row positions)`` per partition: per use group, per 3° GK zone in
    ascending order, then ``chunk_size`` sites in the Hilbert order of their centres (stable) over
    ``total_bounds`` (default: the sites')."""
    zones = site_zones(sites)
    hilbert = hilbert_order(sites, total_bounds)
    for rows, use in groups:
        rows = np.asarray(rows, dtype=np.int64)
        for zn in np.unique(zones[rows]):
            in_zone = rows[zones[rows] == zn]
            in_zone = in_zone[np.argsort(hilbert[in_zone], kind="stable")]
            for lo in range(0, len(in_zone), chunk_size):
                yield int(zn), use, in_zone[lo:lo + chunk_size]


def hilbert_order(sites: gpd.GeoDataFrame, total_bounds: np.ndarray | None = None) -> np.ndarray:
    """Hilbert distance (dask-geopandas, level 16 over ``total_bounds``, default the sites' extent) of each
    site's envelope centre."""
    import dask_geopandas

    frame = dask_geopandas.from_geopandas(gpd.GeoDataFrame(geometry=sites.geometry.values, crs=sites.crs),
                                          npartitions=1)
    bounds = sites.total_bounds if total_bounds is None else total_bounds
    series = frame.hilbert_distance(total_bounds=bounds, level=HILBERT_LEVEL)
    return np.asarray(series.compute(scheduler="synchronous"), dtype=np.int64)
