"""ecogis.geodesy.cached_transformer: one pyproj Transformer per thread and CRS pair, giving the coordinates of a new
Transformer.from_crs (computed here with pyproj directly)."""
from __future__ import annotations

import threading

import numpy as np
import pyproj

from ecogis.geodesy import cached_transformer as transformer

GK41 = pyproj.CRS("EPSG:4529")  # CGCS2000 / 3-degree Gauss-Kruger zone 41 (with the zone prefix)
LON_LAT = pyproj.CRS("EPSG:4490")


def test_the_same_coordinates_as_a_new_transformer():
    x, y = np.array([41_500_000.0, 41_512_345.678]), np.array([4_500_000.0, 4_534_567.123])
    want = pyproj.Transformer.from_crs(GK41, LON_LAT, always_xy=True).transform(x, y)
    assert np.array_equal(np.asarray(transformer(GK41, LON_LAT).transform(x, y)), np.asarray(want))
    geo = pyproj.Transformer.from_crs(GK41, GK41.geodetic_crs, always_xy=True).transform(x, y)
    assert np.array_equal(np.asarray(transformer(GK41).transform(x, y)), np.asarray(geo))
    swapped = pyproj.Transformer.from_crs(GK41, LON_LAT).transform(x, y)  # authority axis order: lat, lon
    assert np.array_equal(np.asarray(transformer(GK41, LON_LAT, always_xy=False).transform(x, y)),
                          np.asarray(swapped))


def test_built_once_per_thread_and_crs_pair():
    first = transformer(GK41, LON_LAT)
    assert transformer(pyproj.CRS("EPSG:4529"), pyproj.CRS("EPSG:4490")) is first  # equal definitions
    assert transformer(LON_LAT, GK41) is not first
    assert transformer(GK41, LON_LAT, always_xy=False) is not first
    assert transformer(GK41) is transformer(pyproj.CRS("EPSG:4529"))
    other = []
    thread = threading.Thread(target=lambda: other.append(transformer(GK41, LON_LAT)))
    thread.start()
    thread.join()
    assert other[0] is not first  # each thread its own
