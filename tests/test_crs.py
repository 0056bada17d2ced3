"""Tests for ecogis.crs: the EPSG catalogue against PROJ, CRS inference, GCJ-02/BD-09 against prcoords."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import prcoords
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from ecogis import crs as C
from ecogis import crs_infer, webcrs
from ecogis.errors import EcogisError

GEOD = pyproj.Geod(ellps="WGS84")

# Zone ranges and central meridians as stated in DESIGN.md (3-degree: CM = 3n, 6-degree: CM = 6n - 3).
ZONES = {3: range(25, 46), 6: range(13, 24)}
DATUM_GEOGRAPHIC = {"CGCS2000": 4490, "Xian1980": 4610, "Beijing1954": 4214}


def _params(code):
    op = pyproj.CRS.from_epsg(code).coordinate_operation
    return {p.name: p.value for p in op.params}


# ---------------------------------------------------------------- catalogue

@pytest.mark.parametrize("datum", sorted(DATUM_GEOGRAPHIC))
@pytest.mark.parametrize("width", [3, 6])
@pytest.mark.parametrize("prefixed", [True, False])
def test_every_catalogued_code_matches_proj(datum, width, prefixed):
    for zone in ZONES[width]:
        code = C.gk_epsg(zone, width, datum, prefixed)
        crs = pyproj.CRS.from_epsg(code)
        params = _params(code)
        cm = 3 * zone if width == 3 else 6 * zone - 3
        assert params["Longitude of natural origin"] == cm, (code, crs.name)
        assert params["Latitude of natural origin"] == 0
        assert params["Scale factor at natural origin"] == 1
        assert params["False easting"] == (zone * 1_000_000 + 500_000 if prefixed else 500_000), code
        assert params["False northing"] == 0
        assert crs.geodetic_crs.to_epsg() == DATUM_GEOGRAPHIC[datum], (code, crs.name)
        entry = C.gk_zone_of(crs)
        assert (entry.datum, entry.width, entry.zone, entry.prefixed, entry.cm) == (datum, width, zone, prefixed, cm)


def test_design_md_codes():
    assert C.gk_epsg(41) == 4529  # Panjin, as stated in DESIGN.md
    assert C.gk_epsg(25) == 4513 and C.gk_epsg(45) == 4533
    assert C.gk_epsg(25, prefixed=False) == 4534 and C.gk_epsg(45, prefixed=False) == 4554
    assert C.gk_epsg(13, 6) == 4491 and C.gk_epsg(23, 6, prefixed=False) == 4512
    assert C.gk_epsg(25, datum="Xian1980") == 2349 and C.gk_epsg(45, datum="西安80", prefixed=False) == 2390
    assert C.gk_epsg(25, datum="Beijing1954") == 2401 and C.gk_epsg(45, datum="北京54", prefixed=False) == 2442


def test_gk_epsg_rejects_zones_outside_china():
    with pytest.raises(EcogisError, match="zone 46"):
        C.gk_epsg(46)
    with pytest.raises(EcogisError, match="zone 24"):
        C.gk_epsg(24, width=6)
    with pytest.raises(EcogisError, match="not 3 or 6"):
        C.gk_epsg(41, width=4)
    with pytest.raises(EcogisError, match="unknown datum"):
        C.gk_epsg(41, datum="Tokyo")


@pytest.mark.parametrize("lon,width,cm", [(122.9, 3, 123), (121.6, 3, 123), (121.4, 3, 120), (124.49, 3, 123),
                                           (122.0, 6, 123), (119.9, 6, 117), (75.2, 3, 75)])
def test_gk_crs_for_lon_contains_lon(lon, width, cm):
    crs = C.gk_crs_for_lon(lon, width)
    params = _params(crs.to_epsg())
    assert params["Longitude of natural origin"] == cm
    assert params["False easting"] == 500_000
    assert abs(lon - cm) <= width / 2


def test_gk_zone_of_non_gk():
    assert C.gk_zone_of(4490) is None
    assert C.gk_zone_of("EPSG:32651") is None
    assert C.gk_zone_of("GCJ-02") is None


# ---------------------------------------------------------------- resolve / describe

@pytest.mark.parametrize("value,code", [
    (4529, 4529), ("4529", 4529), ("EPSG:4529", 4529), ("epsg:4490", 4490), ("CGCS2000", 4490),
    ("WGS84", 4326), ("WGS 84", 4326), ("Xian1980", 4610), ("西安80", 4610), ("Beijing1954", 4214),
    ("北京54", 4214), ("2000国家大地坐标系", 4490), (pyproj.CRS.from_epsg(4549), 4549),
])
def test_resolve_crs(value, code):
    assert C.resolve_crs(value).to_epsg() == code


@pytest.mark.parametrize("value,name", [("GCJ-02", "GCJ-02"), ("gcj02", "GCJ-02"), ("火星坐标", "GCJ-02"),
                                        ("BD-09", "BD-09"), ("bd09", "BD-09"), ("百度", "BD-09")])
def test_resolve_web_systems(value, name):
    assert C.resolve_crs(value) == name


@pytest.mark.parametrize("value", ["EPSG:999999", "not a crs", "Tokyo datum", 123456789])
def test_resolve_unknown_is_clear_error(value):
    with pytest.raises(EcogisError) as info:
        C.resolve_crs(value)
    assert "EPSG" in str(info.value)  # the hint names what to pass


def test_describe_crs():
    assert C.describe_crs(4529) == "EPSG:4529 (CGCS2000 / 3-degree Gauss-Kruger zone 41)"
    assert C.describe_crs("gcj02").startswith("GCJ-02")
    assert C.describe_crs("BD-09").startswith("BD-09")
    assert C.crs_label("EPSG:4490") == "EPSG:4490"


# ---------------------------------------------------------------- infer_crs

PANJIN_LON = np.array([121.60, 121.95, 122.30, 122.55])
PANJIN_LAT = np.array([40.75, 40.95, 41.10, 41.35])


def _project(code, lon=PANJIN_LON, lat=PANJIN_LAT):
    return pyproj.Transformer.from_crs(4490, code, always_xy=True).transform(lon, lat)


def _assert_round_trip(guess, x, y, lon=PANJIN_LON, lat=PANJIN_LAT):
    """The guessed CRS must map the (swapped if told) coordinates back to the original lon/lat."""
    if guess.swap_xy:
        x, y = y, x
    back_lon, back_lat = pyproj.Transformer.from_crs(guess.crs, 4490, always_xy=True).transform(x, y)
    _, _, dist = GEOD.inv(back_lon, back_lat, lon, lat)
    assert np.max(dist) < 0.001


def test_infer_lonlat():
    guess = crs_infer.infer_crs(PANJIN_LON, PANJIN_LAT)
    assert guess.crs.to_epsg() == 4490 and not guess.swap_xy
    assert "CGCS2000" in guess.reason and "assumed" in guess.reason


def test_infer_latlon_swapped():
    guess = crs_infer.infer_crs(PANJIN_LAT, PANJIN_LON)
    assert guess.crs.to_epsg() == 4490 and guess.swap_xy
    _assert_round_trip(guess, PANJIN_LAT, PANJIN_LON)


def test_infer_prefixed_3_degree_zone():
    e, n = _project(4529)
    guess = crs_infer.infer_crs(e, n)
    assert guess.crs.to_epsg() == 4529 and not guess.swap_xy
    assert (guess.zone, guess.width, guess.prefixed) == (41, 3, True)
    assert "41" in guess.reason and "CGCS2000" in guess.reason
    _assert_round_trip(guess, e, n)


def test_infer_prefixed_surveying_order_is_swapped():
    e, n = _project(4529)
    guess = crs_infer.infer_crs(n, e)  # X = northing first, as surveyors write it
    assert guess.crs.to_epsg() == 4529 and guess.swap_xy
    assert "swapped" in guess.reason
    _assert_round_trip(guess, n, e)


def test_infer_prefixed_6_degree_zone():
    e, n = _project(4499)  # CGCS2000 6-degree zone 21 (CM 123)
    guess = crs_infer.infer_crs(e, n)
    assert guess.crs.to_epsg() == 4499 and (guess.zone, guess.width) == (21, 6)
    _assert_round_trip(guess, e, n)


def test_infer_prefixed_other_datum():
    e, n = _project(4529)
    assert crs_infer.infer_crs(e, n, datum="Xian1980").crs.to_epsg() == 2365


def test_infer_unprefixed_needs_cm():
    e, n = _project(4550)
    with pytest.raises(EcogisError, match="central meridian"):
        crs_infer.infer_crs(e, n)
    guess = crs_infer.infer_crs(e, n, cm=123)
    assert guess.crs.to_epsg() == 4550 and not guess.swap_xy and guess.prefixed is False
    _assert_round_trip(guess, e, n)
    swapped = crs_infer.infer_crs(n, e, cm=123)
    assert swapped.swap_xy and swapped.crs.to_epsg() == 4550
    _assert_round_trip(swapped, n, e)


def test_infer_unprefixed_cm_must_be_a_zone_meridian():
    e, n = _project(4550)
    with pytest.raises(EcogisError, match="central meridian"):
        crs_infer.infer_crs(e, n, cm=122)


def test_infer_prefix_and_cm_disagree():
    e, n = _project(4529)
    with pytest.raises(EcogisError, match="does not match the zone prefix 41"):
        crs_infer.infer_crs(e, n, cm=120)


def test_infer_mixed_zones_is_error():
    e40, n40 = _project(4528, np.array([119.8, 119.9]), np.array([42.0, 42.1]))
    e41, n41 = _project(4529, np.array([121.8, 121.9]), np.array([42.0, 42.1]))
    with pytest.raises(EcogisError, match="several zone prefixes"):
        crs_infer.infer_crs(np.r_[e40, e41], np.r_[n40, n41])


def test_infer_outside_china_and_garbage():
    with pytest.raises(EcogisError, match="outside China"):
        crs_infer.infer_crs([2.35], [48.85])  # Paris
    with pytest.raises(EcogisError, match="cannot infer"):
        crs_infer.infer_crs([1.5e9], [3.0])
    with pytest.raises(EcogisError, match="no finite"):
        crs_infer.infer_crs([np.nan], [np.nan])


# ---------------------------------------------------------------- GCJ-02 / BD-09 against prcoords

def _china_points(n=400, seed=20260):
    rng = np.random.default_rng(seed)
    return rng.uniform(74.0, 134.0, n), rng.uniform(18.0, 53.0, n)


def _metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def _reference(func, lon, lat):
    pts = [func(prcoords.Coords(la, lo)) for lo, la in zip(lon, lat)]
    return np.array([p.lon for p in pts]), np.array([p.lat for p in pts])


@pytest.mark.parametrize("ours,theirs", [
    (webcrs.wgs84_to_gcj02, prcoords.wgs_gcj),
    (webcrs.gcj02_to_wgs84, prcoords.gcj_wgs_bored),
    (webcrs.gcj02_to_bd09, prcoords.gcj_bd),
    (webcrs.bd09_to_gcj02, prcoords.bd_gcj_bored),
    (webcrs.wgs84_to_bd09, prcoords.wgs_bd),
    (webcrs.bd09_to_wgs84, prcoords.bd_wgs_bored),
])
def test_web_transforms_match_prcoords(ours, theirs):
    lon, lat = _china_points()
    got_lon, got_lat = ours(lon, lat)
    ref_lon, ref_lat = _reference(theirs, lon, lat)
    dist = _metres(got_lon, got_lat, ref_lon, ref_lat)
    assert np.max(dist) < 0.5, np.max(dist)
    # and the shift itself is real (hundreds of metres), so the comparison is not trivially zero
    assert np.median(_metres(lon, lat, got_lon, got_lat)) > 100


def test_reverse_gcj_is_iterated_not_one_step():
    lon, lat = _china_points(200, seed=7)
    g_lon, g_lat = webcrs.wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = webcrs.gcj02_to_wgs84(g_lon, g_lat)
    assert np.max(np.abs(back_lon - lon)) < 1e-7 and np.max(np.abs(back_lat - lat)) < 1e-7
    rough = _reference(prcoords.gcj_wgs, g_lon, g_lat)  # the one-step approximation is worse
    assert np.max(_metres(rough[0], rough[1], lon, lat)) > np.max(_metres(back_lon, back_lat, lon, lat))


def test_bd_round_trip():
    lon, lat = _china_points(200, seed=8)
    b = webcrs.wgs84_to_bd09(lon, lat)
    back = webcrs.bd09_to_wgs84(*b)
    assert np.max(np.abs(back[0] - lon)) < 1e-7 and np.max(np.abs(back[1] - lat)) < 1e-7


def test_gcj_identity_outside_china():
    lon, lat = np.array([2.35, -74.0]), np.array([48.85, 40.7])
    g = webcrs.wgs84_to_gcj02(lon, lat)
    assert np.array_equal(g[0], lon) and np.array_equal(g[1], lat)
    assert np.array_equal(webcrs.gcj02_to_wgs84(lon, lat)[0], lon)


def test_scalar_in_scalar_out():
    lon, lat = webcrs.wgs84_to_gcj02(121.7, 40.9)
    assert isinstance(lon, float) and isinstance(lat, float)
    ref = prcoords.wgs_gcj((40.9, 121.7))
    assert _metres(lon, lat, ref.lon, ref.lat) < 0.01


def _layer():
    outer = [(121.60, 40.80), (121.80, 40.80), (121.80, 41.00), (121.60, 41.00), (121.60, 40.80)]
    hole = [(121.65, 40.85), (121.70, 40.85), (121.70, 40.90), (121.65, 40.85)]
    geoms = [shapely.Polygon(outer, [hole]), shapely.LineString([(122.0, 41.0), (122.1, 41.1)]),
             shapely.Point(121.9, 40.7)]
    return gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=geoms, crs=4326)


@pytest.mark.parametrize("system,forward", [("GCJ-02", prcoords.wgs_gcj), ("bd09", prcoords.wgs_bd)])
def test_to_and_from_web_crs_every_vertex(system, forward):
    layer = _layer()
    web = webcrs.to_web_crs(layer, system)
    assert web.crs is None and web.attrs["ecogis"]["crs"] == C.resolve_crs(system)
    src = shapely.get_coordinates(layer.geometry.values)
    got = shapely.get_coordinates(web.geometry.values)
    ref = _reference(forward, src[:, 0], src[:, 1])
    assert np.max(_metres(got[:, 0], got[:, 1], *ref)) < 0.5
    back = webcrs.from_web_crs(web, system)
    assert back.crs.to_epsg() == 4490
    assert list(back["name"]) == ["a", "b", "c"]
    assert len(back.geometry.iloc[0].interiors) == 1
    back_xy = shapely.get_coordinates(back.geometry.values)
    assert np.max(_metres(back_xy[:, 0], back_xy[:, 1], src[:, 0], src[:, 1])) < 0.01


def test_to_web_crs_reprojects_projected_input():
    layer = _layer().to_crs(4529)
    web = webcrs.to_web_crs(layer, "GCJ-02")
    ref = prcoords.wgs_gcj((40.7, 121.9))
    pt = web.geometry.iloc[2]
    assert _metres(pt.x, pt.y, ref.lon, ref.lat) < 0.5


def test_from_web_crs_rejects_real_crs_name():
    with pytest.raises(EcogisError, match="not a web-map system"):
        webcrs.from_web_crs(_layer(), "EPSG:4490")


def test_no_prcoords_warnings_in_sample():
    # prcoords warns outside its China box; our samples must lie inside it
    lon, lat = _china_points()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _reference(prcoords.wgs_gcj, lon, lat)


@settings(max_examples=200, deadline=None)
@given(st.floats(72.1, 137.7), st.floats(0.9, 55.7))
def test_gcj_round_trip_property(lon, lat):
    g = webcrs.wgs84_to_gcj02(lon, lat)
    back = webcrs.gcj02_to_wgs84(*g)
    assert abs(back[0] - lon) < 1e-7 and abs(back[1] - lat) < 1e-7
    ref = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
    assert _metres(g[0], g[1], ref.lon, ref.lat) < 0.5


def test_from_web_crs_keeps_missing_geometries():
    layer = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[None, shapely.Point(121.7, 40.9)], crs=4326)
    out = webcrs.from_web_crs(layer, "GCJ-02")
    assert out.geometry.iloc[0] is None and out.geometry.iloc[1] is not None


def test_resolve_epsg_spellings():
    assert C.resolve_crs("epsg 4529").to_epsg() == 4529
    assert C.resolve_crs(" EPSG:4529 ").to_epsg() == 4529


@pytest.mark.parametrize("src,dst,warned", [
    (2365, 4490, True),   # Xian 1980 GK zone 41 -> CGCS2000: PROJ only has a ballpark (no shift)
    (4214, 4529, True),   # Beijing 1954 -> CGCS2000 GK
    (4490, 2365, True),
    (4326, 4490, False),  # WGS 84 ~ CGCS2000 for this work
    (4529, 4490, False),  # same datum
    (4214, 4326, False),  # PROJ has published Beijing 1954 -> WGS 84 parameters
])
def test_datum_change_note_only_when_proj_has_no_parameters(src, dst, warned):
    from ecogis.crs import datum_change_note

    note = datum_change_note(pyproj.CRS.from_epsg(src), pyproj.CRS.from_epsg(dst))
    assert (note is not None) == warned
    if warned:
        assert f"EPSG:{src}" in note and "official parameters" in note


def test_inferred_cgcs2000_names_the_xian80_and_beijing54_codes_of_the_same_zone():
    # DESIGN.md: Xian 1980 3-degree prefixed codes run 2349 (zone 25) ..., Beijing 1954 2401 (zone 25) ...
    guess = crs_infer.infer_crs([41_512_345.0, 41_513_000.0], [4_540_000.0, 4_541_000.0])
    assert "EPSG:2365" in guess.reason and "EPSG:2417" in guess.reason
    guess = crs_infer.infer_crs([512_345.0, 513_000.0], [4_540_000.0, 4_541_000.0], cm=123)  # unprefixed: 2370 + 16
    assert "EPSG:2386" in guess.reason and "EPSG:2438" in guess.reason
    guess = crs_infer.infer_crs([121.8], [40.9])
    assert "EPSG:4610" in guess.reason and "EPSG:4214" in guess.reason
    assert "instead" not in crs_infer.infer_crs([121.8], [40.9], datum="Xian1980").reason  # datum given: no advice
