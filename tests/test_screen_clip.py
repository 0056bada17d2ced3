"""The overlay-free overlap of a convex site with a polygon (ecogis.screen_clip) against GEOS and pyproj:
the pair states against shapely's predicates, the areas against the official area of shapely's own
intersection piece (to 1e-9) and against GeographicLib on the densified piece; edge cases (touching,
shared edges, wholly inside, holes, multipolygons, clockwise and non-convex sites) either agree or are
left to GEOS."""
from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from shapely import affinity

from ecogis.geodesy import ellipsoidal_area
from ecogis.screen_clip import DISJOINT, INSIDE, PARTIAL, UNDECIDED, clip_pairs, edge_index

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E
GEOD = pyproj.Geod(ellps="GRS80")
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
X0, Y0 = 440_000.0, 4_530_000.0


def star(rng, cx, cy, r0, n=48, hole=False):
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = r0 * (1 + 0.35 * rng.uniform(-1, 1, n))
    shell = np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]
    holes = [shapely.Point(cx, cy).buffer(r0 * 0.3, quad_segs=3).exterior.coords] if hole else None
    return shapely.Polygon(shell, holes)


CENTRES = np.random.default_rng(7).uniform((X0, Y0, 150), (X0 + 3000, Y0 + 3000, 400), (30, 3))


def features(rng):
    """Stars round :data:`CENTRES` (every third with a hole, one clockwise), a multipolygon of two stars,
    a square with a square hole."""
    out = [star(rng, x, y, r, hole=k % 3 == 0) for k, (x, y, r) in enumerate(CENTRES)]
    out[1] = shapely.reverse(out[1])  # clockwise shell: the index orients it
    out.append(shapely.MultiPolygon([star(rng, X0 + 4000, Y0, 200), star(rng, X0 + 4500, Y0, 200)]))
    out.append(shapely.Polygon(shapely.box(X0 - 1000, Y0 - 1000, X0 - 400, Y0 - 400).exterior.coords,
                               [shapely.box(X0 - 800, Y0 - 800, X0 - 600, Y0 - 600).exterior.coords]))
    return np.array(out, dtype=object)


def random_sites(rng, n=400):
    """Rotated rectangles, a few hexagons and triangles, some clockwise, over the features."""
    x, y = rng.uniform(X0 - 1100, X0 + 4800, n), rng.uniform(Y0 - 1100, Y0 + 3200, n)
    h = rng.uniform(10, 160, n)
    out = [affinity.rotate(shapely.box(a - s, b - s * 0.6, a + s, b + s * 0.6), ang, origin="centroid")
           for a, b, s, ang in zip(x, y, h, rng.uniform(0, 90, n))]
    for k in range(0, n, 7):
        out[k] = shapely.Point(x[k], y[k]).buffer(h[k], quad_segs=1 + k % 2)  # squares and octagons
    for k in range(3, n, 11):
        out[k] = shapely.reverse(out[k])  # clockwise
    # squares round the holes: the hole inside the site, the site partly or wholly inside the star
    out += [shapely.box(x - 0.45 * r, y - 0.45 * r, x + 0.45 * r, y + 0.45 * r) for x, y, r in CENTRES[::3]]
    return np.array(out, dtype=object)


def run(sites, feats):
    shapely.prepare(feats)
    si, fi = shapely.STRtree(feats).query(sites)
    state, area = clip_pairs(edge_index(feats, GK), sites, feats, si, fi, GK)
    return si, fi, state, area


def test_states_and_areas_match_geos_on_random_pairs():
    rng = np.random.default_rng(11)
    feats, sites = features(rng), random_sites(rng)
    si, fi, state, area = run(sites, feats)
    decided = state != UNDECIDED
    assert decided.mean() > 0.95 and {DISJOINT, PARTIAL, INSIDE} <= set(state.tolist())
    intersects = shapely.intersects(feats[fi], sites[si])
    np.testing.assert_array_equal(state[decided] > 0, intersects[decided])
    np.testing.assert_array_equal(state[decided] == INSIDE, shapely.contains_properly(feats[fi], sites[si])[decided])
    part = np.flatnonzero(state == PARTIAL)
    pieces = shapely.intersection(sites[si[part]], feats[fi[part]])
    np.testing.assert_allclose(area[part], ellipsoidal_area(pieces, GK), rtol=1e-9, atol=0)
    assert (shapely.get_type_id(pieces) == 6).any()  # some pieces have two parts (a concave feature)
    assert any(shapely.get_num_interior_rings(p) for p in pieces)  # and some a hole (of the feature, in the site)


def geodesic_area(piece, step=2.0):
    """GeographicLib area (m²) of a GK piece densified to ``step`` m: a second library, another method."""
    total = 0.0
    for poly in shapely.get_parts(piece):
        for k, ring in enumerate([poly.exterior, *poly.interiors]):
            lon, lat = TO_GEO.transform(*np.asarray(shapely.segmentize(ring, step).coords).T)
            total += abs(GEOD.polygon_area_perimeter(lon, lat)[0]) * (1 if k == 0 else -1)
    return total


def test_areas_match_geographiclib_on_the_densified_geos_piece():
    rng = np.random.default_rng(12)
    feats, sites = features(rng), random_sites(rng, 150)
    si, fi, state, area = run(sites, feats)
    part = np.flatnonzero((state == PARTIAL))
    big = part[area[part] > 100.0][:40]  # GeographicLib's sum has ~1e-4 m² of noise
    assert len(big) >= 20
    for k in big:
        piece = shapely.intersection(sites[si[k]], feats[fi[k]])
        # the official vertex method and geodesic edges differ by up to ~1e-5 on 300 m site edges
        assert area[k] == pytest.approx(geodesic_area(piece), rel=1.5e-5), k


def square(x, y, w, h=None):
    return shapely.box(x, y, x + w, y + (w if h is None else h))


@pytest.mark.parametrize("site, expected", [
    (square(X0 + 100, Y0 + 100, 50), INSIDE),  # wholly inside the feature
    (square(X0 - 100, Y0 - 100, 50), DISJOINT),
    (square(X0 + 380, Y0 + 380, 40), DISJOINT),  # inside the feature's hole
    (square(X0 + 300, Y0 + 300, 400), PARTIAL),  # the whole hole inside the site
    (square(X0 - 50, Y0 + 200, 100), PARTIAL),  # across the edge
    (shapely.Polygon([(X0 + 500, Y0 - 100), (X0 + 1100, Y0 + 500), (X0 + 500, Y0 + 1100), (X0 - 100, Y0 + 500)]),
     PARTIAL),  # a diamond over the feature's corners, every edge crossed
    (square(X0 - 50, Y0 + 200, 50), UNDECIDED),  # shares the feature's edge from outside: touching
    (square(X0, Y0 + 200, 50), UNDECIDED),  # shares the feature's edge from inside
    (square(X0 - 50, Y0 - 50, 50), UNDECIDED),  # touches the feature's corner only
    (square(X0 + 1000, Y0 + 1000, 1e-7), UNDECIDED),  # smaller than the tolerance, on the corner
    (shapely.Polygon([(X0 - 50, Y0 + 100), (X0 + 50, Y0 + 100), (X0, Y0 + 150), (X0 + 50, Y0 + 200),
                      (X0 - 50, Y0 + 200)]), UNDECIDED),  # not convex: left to GEOS
])
def test_edge_cases(site, expected):
    feature = shapely.Polygon(square(X0, Y0, 1000).exterior.coords, [square(X0 + 350, Y0 + 350, 300).exterior.coords])
    feats, sites = np.array([feature], dtype=object), np.array([site], dtype=object)
    state, area = clip_pairs(edge_index(feats, GK), sites, feats, np.array([0]), np.array([0]), GK)
    assert state[0] == expected
    if expected == PARTIAL:
        assert area[0] == pytest.approx(ellipsoidal_area([shapely.intersection(site, feature)], GK)[0], rel=1e-9)
    if expected != UNDECIDED:
        assert (state[0] > 0) == shapely.intersects(site, feature)


def test_clockwise_site_and_multipolygon_feature():
    multi = shapely.MultiPolygon([square(X0, Y0, 100), square(X0 + 150, Y0, 100)])
    site = shapely.reverse(square(X0 + 50, Y0 + 20, 150, 40))  # clockwise, across both parts and the gap
    feats, sites = np.array([multi], dtype=object), np.array([site], dtype=object)
    state, area = clip_pairs(edge_index(feats, GK), sites, feats, np.array([0]), np.array([0]), GK)
    assert state[0] == PARTIAL
    want = ellipsoidal_area([shapely.intersection(site, multi)], GK)[0]
    assert area[0] == pytest.approx(want, rel=1e-9)
    assert want == pytest.approx(2 * 50 * 40, rel=2e-3)  # two 50 m × 40 m pieces (GK scale ~1.0003² here)


def test_feature_inside_the_site_and_non_polygon_features():
    small = star(np.random.default_rng(1), X0 + 500, Y0 + 500, 50)
    line = shapely.LineString([(X0, Y0), (X0 + 900, Y0 + 900)])
    feats = np.array([small, line], dtype=object)
    sites = np.array([square(X0, Y0, 1000)], dtype=object)
    state, area = clip_pairs(edge_index(feats, GK), sites, feats, np.array([0, 0]), np.array([0, 1]), GK)
    assert state.tolist() == [PARTIAL, UNDECIDED]  # the star is the whole overlap; lines go to GEOS
    assert area[0] == pytest.approx(ellipsoidal_area([small], GK)[0], rel=1e-12)


@pytest.mark.parametrize("relations", ["all", "intersects"])
def test_screening_overlaps_equal_the_official_area_of_the_geos_pieces(relations):
    """Every overlap of ``screen`` (the clipping where it decides, GEOS elsewhere), edge cases included,
    has the official area of shapely's intersection piece, and every intersecting pair is found."""
    import geopandas as gpd

    from ecogis.rules import load_rules
    from ecogis.screen import screen

    rng = np.random.default_rng(13)
    feats = features(rng)
    edge = [square(X0 - 1000, Y0 - 1100, 100), square(X0 - 1100, Y0 - 1100, 100),  # corner and edge touching
            square(X0 - 900, Y0 - 900, 50), square(X0 - 790, Y0 - 790, 180)]  # in the hole; the hole in it
    sites = np.r_[random_sites(rng, 200), np.array(edge, dtype=object)]
    red = gpd.GeoDataFrame({"name": [f"F{k}" for k in range(len(feats))]}, geometry=feats, crs=GK)
    red.attrs["ecogis"] = {"kind": "redline"}
    site_gdf = gpd.GeoDataFrame({"id": [f"S{k}" for k in range(len(sites))], "name": ["s"] * len(sites)},
                                geometry=sites, crs=GK)
    frame, _, _ = screen(site_gdf, {"redline": red}, load_rules(), [300.0], relations=relations)
    hits = frame[frame["relation"] == "intersects"]
    want = {(f"S{i}", f"F{j}") for i, j in zip(*shapely.STRtree(feats).query(sites, predicate="intersects"))}
    assert set(zip(hits["site"], hits["feature"])) == want
    s_idx = hits["site"].str[1:].astype(int).to_numpy()
    f_idx = hits["feature"].str[1:].astype(int).to_numpy()
    official = ellipsoidal_area(shapely.intersection(sites[s_idx], feats[f_idx]), GK)
    np.testing.assert_allclose(hits["overlap_area_m2"].to_numpy(float), official, rtol=1e-9, atol=1e-9)
