"""The geodesy leaf: CGCS2000 constants, the shared Geod, Gauss-Kruger zone numbers, the geographic CRS.

Expected values come from the PROJ database (the EPSG definitions of the CGCS2000 zones and datum),
not from ecogis.
"""
from __future__ import annotations

import numpy as np
import pyproj
import pytest

from ecogis.crs import metric_crs
from ecogis.geodesy import CGCS2000_A, CGCS2000_F, GEOD, GEOGRAPHIC_CRS, GEOGRAPHIC_EPSG, gk_zone_for_lon


def test_constants_are_the_cgcs2000_datum_of_proj():
    ell = pyproj.CRS.from_epsg(4490).ellipsoid
    assert GEOGRAPHIC_EPSG == 4490 and GEOGRAPHIC_CRS.equals(pyproj.CRS.from_epsg(4490))
    assert CGCS2000_A == ell.semi_major_metre
    assert 1 / CGCS2000_F == pytest.approx(ell.inverse_flattening, abs=1e-9)
    assert (GEOD.a, GEOD.f) == (CGCS2000_A, CGCS2000_F)


def _params(crs: pyproj.CRS) -> dict:
    return {p.name: p.value for p in crs.coordinate_operation.params}


def _central_meridian(epsg: int) -> float:
    return _params(pyproj.CRS.from_epsg(epsg))["Longitude of natural origin"]


@pytest.mark.parametrize("lon", [73.7, 75.0, 109.49, 109.51, 121.8, 123.0, 134.9])
def test_zone_of_a_longitude_is_the_epsg_zone_around_it(lon):
    zone3 = gk_zone_for_lon(lon)
    assert abs(lon - _central_meridian(4534 + zone3 - 25)) <= 1.5  # CGCS2000 3° GK zones, no prefix
    zone6 = gk_zone_for_lon(lon, 6)
    assert abs(lon - _central_meridian(4502 + zone6 - 13)) <= 3.0  # CGCS2000 6° GK zones, no prefix


def test_zone_numbers_of_an_array_are_those_of_its_elements():
    lons = np.array([118.4, 121.8, 124.6])
    assert gk_zone_for_lon(lons).tolist() == [gk_zone_for_lon(v) for v in lons] == [39, 41, 42]


def test_metric_crs_outside_china_is_a_transverse_mercator_at_the_nearest_3_degree_meridian():
    crs = metric_crs(10.2)  # no CGCS2000 zone there (e.g. swapped X/Y)
    assert crs.coordinate_operation.method_name == "Transverse Mercator"
    assert _params(crs)["Longitude of natural origin"] == 9.0
    assert metric_crs(121.8).equals(pyproj.CRS.from_epsg(4550))  # zone 41 (CM 123°E), no prefix


def test_no_zone_for_a_longitude_that_is_not_finite():
    with pytest.raises(ValueError, match="not finite"):
        gk_zone_for_lon(np.array([121.8, np.nan]))
