"""Nearest points of disjoint (site, feature) pairs in numpy (ecogis.screen_near) against GEOS
(``shapely.shortest_line`` / ``shapely.distance``), and the screening's within-buffer pairs and distances
against GEOS nearest points measured with GeographicLib (pyproj.Geod), pair by pair."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from batch_data import GEOD, GK, TO_GEO, X0, Y0, stars
from shapely import affinity

from ecogis.errors import AssumptionWarning
from ecogis.rules import load_rules
from ecogis.screen import screen
from ecogis.screen_clip import edge_index
from ecogis.screen_near import nearest_points

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_check import make_redline, make_sites  # noqa: E402  (the benchmark's own data)


def features(rng):
    """Stars (some with a hole), a multipolygon of two stars, a square with a square hole, a C shape."""
    feats = stars(rng, 30)
    feats.append(shapely.MultiPolygon(stars(rng, 2)))
    feats.append(shapely.box(X0 + 7000, Y0, X0 + 8000, Y0 + 1000).difference(
        shapely.box(X0 + 7200, Y0 + 200, X0 + 7800, Y0 + 800)))
    feats.append(shapely.box(X0 + 7000, Y0 + 2000, X0 + 8000, Y0 + 3000).difference(
        shapely.box(X0 + 7300, Y0 + 2300, X0 + 8100, Y0 + 2700)))  # a notch open to the east
    return np.array(feats, dtype=object)


def sites(rng, n=600):
    """Rotated rectangles, triangles and hexagons (convex, some clockwise), parcels inside the square's
    hole and the C's notch, and concave parcels (which the numpy path leaves to GEOS)."""
    x, y = rng.uniform(X0 - 500, X0 + 8500, n), rng.uniform(Y0 - 500, Y0 + 6500, n)
    out = []
    for k, (cx, cy) in enumerate(zip(x, y)):
        w, h = rng.uniform(10, 200, 2)
        if k % 4 == 0:
            g = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        elif k % 4 == 1:
            g = shapely.Point(cx, cy).buffer(w / 2, quad_segs=1 if k % 8 == 1 else 2)  # square / octagon
        elif k % 4 == 2:
            g = shapely.Polygon([(cx, cy), (cx + w, cy + h / 3), (cx + w / 4, cy + h)])
        else:
            g = shapely.Polygon([(cx, cy), (cx + w, cy), (cx + w, cy + h), (cx + w / 2, cy + h / 4),
                                 (cx, cy + h)])  # concave
        g = affinity.rotate(g, rng.uniform(0, 180), origin="centroid")
        out.append(g.reverse() if k % 3 == 0 else g)  # some clockwise
    out += [shapely.box(X0 + 7400, Y0 + 400, X0 + 7500, Y0 + 450),  # in the hole
            shapely.box(X0 + 7600, Y0 + 2400, X0 + 7700, Y0 + 2600)]  # in the notch
    return np.array(out, dtype=object)


def disjoint_pairs(s, f, within):
    si, fi = shapely.STRtree(f).query(s, predicate="dwithin", distance=within)
    keep = ~shapely.intersects(s[si], f[fi])
    return si[keep], fi[keep]


def test_nearest_points_equal_geos_shortest_line_on_every_disjoint_pair():
    rng = np.random.default_rng(11)
    f, s = features(rng), sites(rng)
    shapely.prepare(f)
    si, fi = disjoint_pairs(s, f, 1500.0)
    xy, done = nearest_points(edge_index(f, GK), s, si, fi)
    convex = np.arange(len(s)) % 4 != 3  # the concave parcels are left to GEOS
    assert np.array_equal(done, convex[si]) and done.sum() > 2000
    want = shapely.get_coordinates(shapely.shortest_line(f[fi[done]], s[si[done]])).reshape(-1, 2, 2)
    got = xy[done]
    # the same points (1 µm), except for the two axis-parallel parcels in the hole and the notch, whose
    # edges are parallel to the feature's: many point pairs are nearest there (the distance is checked)
    untied = si[done] < len(s) - 2
    np.testing.assert_allclose(got[untied], want[untied], rtol=0, atol=1e-6)
    planar = np.hypot(*(got[:, 1] - got[:, 0]).T)
    np.testing.assert_allclose(planar, shapely.distance(f[fi[done]], s[si[done]]), rtol=1e-9, atol=1e-6)
    assert np.isnan(xy[~done]).all()
    # the parcels in the hole and in the notch: nearest to the hole's / the notch's edges
    for site, feature, expected in ((len(s) - 2, len(f) - 2, 200.0), (len(s) - 1, len(f) - 1, 100.0)):
        k = np.flatnonzero((si == site) & (fi == feature))
        assert len(k) == 1 and done[k[0]]
        assert np.hypot(*(xy[k[0], 1] - xy[k[0], 0])) == pytest.approx(expected, abs=1e-6)


def test_pairs_farther_than_beyond_are_answered_without_points():
    rng = np.random.default_rng(12)
    f, s = features(rng), sites(rng)
    si, fi = disjoint_pairs(s, f, 1500.0)
    xy, done = nearest_points(edge_index(f, GK), s, si, fi, beyond=300.0)
    far = done & np.isnan(xy).any(axis=(1, 2))
    assert far.sum() > 100
    assert (shapely.distance(f[fi[far]], s[si[far]]) > 300.0).all()
    answered = done & ~far
    np.testing.assert_allclose(np.hypot(*(xy[answered, 1] - xy[answered, 0]).T),
                               shapely.distance(f[fi[answered]], s[si[answered]]), rtol=1e-9, atol=1e-6)


def test_no_pairs_and_every_pair_beyond():
    rng = np.random.default_rng(13)
    f, s = features(rng), sites(rng, 40)
    idx = edge_index(f, GK)
    xy, done = nearest_points(idx, s, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert xy.shape == (0, 2, 2) and done.shape == (0,)
    si, fi = np.zeros(8, dtype=np.int64), np.arange(8)  # one rectangle against 8 features
    xy, done = nearest_points(idx, s, si, fi, beyond=-1.0)  # every pair is farther than -1 m
    assert done.all() and np.isnan(xy).all()


def geodesic(xy):
    """GeographicLib distance (m) between the two GK points of each row of ``xy`` ((n, 2, 2))."""
    lon, lat = TO_GEO.transform(xy[:, :, 0], xy[:, :, 1])
    return GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])[2]


def test_screening_within_buffer_pairs_and_distances_on_the_benchmark_data():
    """The benchmark's generator (rotated parcels, 64-vertex stars, EPSG:4550), 500 m buffer: the pairs
    within the buffer and their distances equal GEOS nearest points measured with GeographicLib, and
    every site's nearest feature is the one GEOS finds nearest."""
    rng = np.random.default_rng(5)
    red, parcels = make_redline(4000, 64, rng), make_sites(2000, rng)
    f, s = np.asarray(red.geometry.values), np.asarray(parcels.geometry.values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        frame, _, _ = screen(parcels, {"redline": red}, load_rules(), [500.0], summarise=False)
    si, fi = disjoint_pairs(s, f, 520.0)  # the GK scale factor: planar within 1.001 × the geodesic
    d = geodesic(shapely.get_coordinates(shapely.shortest_line(f[fi], s[si])).reshape(-1, 2, 2))
    want = {(parcels["id"].iloc[a], red["name"].iloc[b]): v for a, b, v in zip(si, fi, d) if v <= 500.0}
    mine = frame[frame["relation"] == "within_buffer"]
    got = dict(zip(zip(mine["site"], mine["feature"]), mine["distance_m"]))
    assert got.keys() == want.keys() and len(want) > 1000
    np.testing.assert_allclose([got[k] for k in want], list(want.values()), rtol=1e-9, atol=1e-6)
    nearest = frame[frame["relation"] == "nearest"]
    assert len(nearest) == len(parcels)
    by_site = dict(zip(nearest["site"], zip(nearest["feature"], nearest["distance_m"])))
    qs, qf = shapely.STRtree(f).query_nearest(s, all_matches=True)  # GEOS: the nearest feature(s) of each site
    first = np.r_[True, qs[1:] != qs[:-1]]  # ties: the lowest feature position, as ecogis reports
    assert np.array_equal(qs[first], np.arange(len(s)))
    line = shapely.get_coordinates(shapely.shortest_line(f[qf[first]], s)).reshape(-1, 2, 2)
    apart = ~shapely.intersects(f[qf[first]], s)  # (a site overlapping features has distance 0 to any of them)
    got_f, got_d = (np.array(v) for v in zip(*(by_site[i] for i in parcels["id"])))
    assert apart.sum() > 1000 and (got_d[~apart] == 0).all()
    assert got_f[apart].tolist() == red["name"].to_numpy()[qf[first]][apart].tolist()
    np.testing.assert_allclose(got_d[apart], geodesic(line)[apart], rtol=1e-9, atol=1e-6)
