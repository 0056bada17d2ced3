"""Findings of a chunk of sites against one indexed layer, vectorised over (site, feature) pairs as numpy
columns: overlaps (official ellipsoidal areas, geodesic lengths), features within the buffer distances
(geodesic distances between the nearest points) and the nearest feature. The method is described in
:mod:`ecogis.screen`; cheap bounds (:mod:`ecogis.screen_bounds`) and the overlay-free clipping of convex
sites (:mod:`ecogis.screen_clip`) spare GEOS work whose answer is known."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyproj
import shapely

from ecogis.geodesy import GEOD, cached_transformer, ellipsoidal_area, geodesic_length
from ecogis.geodesy import GEOGRAPHIC_CRS as GEOGRAPHIC
from ecogis.screen_bounds import circle_gap, envelope_gap, grown_boxes, reach
from ecogis.screen_clip import INSIDE, PARTIAL, UNDECIDED, ConvexGroups, clip_pairs, convex_sites
from ecogis.screen_index import IndexedLayer
from ecogis.screen_near import nearest_points
from ecogis.screen_rules import taken

#: pair findings as numpy columns (a scalar stands for a whole column)
Columns = dict[str, Any]

_PAIR_COLUMNS = ("_s", "_f", "relation", "overlap_area_m2", "overlap_length_m", "share_of_site", "distance_m",
                 "buffer_m")


def pairs_findings(lyr: IndexedLayer, s_geoms: np.ndarray, gk: pyproj.CRS, buffers_m: Sequence[float],
                    site_area: np.ndarray, site_len: np.ndarray) -> Columns:
    """Findings of sites ``s_geoms`` (GK) against one indexed layer, as numpy columns (no row objects).

    1. candidate pairs: STRtree envelope query with each site's envelope grown by the planar search
       radius (no exact distance in the tree; a feature within that distance always has such an envelope),
       then the envelope and bounding-circle gaps (lower bounds of the planar distance) in numpy;
    2. intersects: overlap area (official ellipsoidal, one call on all pieces) and length; a site wholly
       inside a feature is its own overlap piece (no overlay);
    3. other candidates: nearest points in the plane (:func:`_nearest_xy`), geodesic distance for the
       pairs within the planar radius only; kept when the geodesic distance is within ``search``;
    4. nearest: from the pairs when one is within ``search``, else :func:`_nearest_features`.
    """
    f_geoms, search, radius = lyr.geoms, lyr.search, lyr.radius
    s_bounds = shapely.bounds(s_geoms)
    convex = convex_sites(s_geoms)[1]  # the sites the numpy paths take, once per chunk
    if search <= 0:  # no buffer: the pairs whose envelopes meet, then which of them intersect
        si, fi = lyr.tree.query(s_geoms)
        hit, known = _hits(lyr, s_geoms, si, fi, np.arange(len(si)), gk, site_area, convex)
        si, fi = si[hit], fi[hit]
        parts = [_overlap_columns(si, fi, s_geoms, f_geoms, gk, site_area, site_len, known[hit])]
        if not lyr.nearest:  # overlaps only
            return _concat_columns(parts)
        return _with_nearest(lyr, s_geoms, s_bounds, gk, parts, np.zeros(0, np.int64), np.zeros(0, np.int64),
                             np.zeros(0), convex)
    si, fi = lyr.tree.query(grown_boxes(s_bounds, radius))
    # no exact test where the envelopes or the bounding circles decide (both are lower bounds)
    gap = np.maximum(envelope_gap(s_bounds[si], lyr.bounds[fi]),
                     circle_gap(s_bounds[si], reach(s_geoms, s_bounds)[si], lyr.bounds[fi], lyr.reach[fi]))
    hit, known = _hits(lyr, s_geoms, si, fi, np.flatnonzero(gap <= 0), gk, site_area, convex)
    parts = [_overlap_columns(si[hit], fi[hit], s_geoms, f_geoms, gk, site_area, site_len, known[hit])]
    # not touching, and the envelopes not farther apart than the radius: exact nearest points
    near = ~hit & (gap <= radius)
    ni, nj = si[near], fi[near]
    xy = _nearest_xy(lyr, s_geoms, ni, nj, convex, beyond=radius)  # NaN: farther than the radius
    near_plane = _planar_length(xy) <= radius
    ni, nj = ni[near_plane], nj[near_plane]
    dist = _geodesic_xy(xy[near_plane], gk)
    keep = dist <= search
    d = dist[keep]
    parts.append({"_s": ni[keep], "_f": nj[keep], "relation": "within_buffer", "distance_m": d,
                  "buffer_m": _buffer_band(d, buffers_m)})
    return _with_nearest(lyr, s_geoms, s_bounds, gk, parts, ni, nj, dist, convex)


def _hits(lyr: IndexedLayer, s_geoms: np.ndarray, si: np.ndarray, fi: np.ndarray, cand: np.ndarray,
          gk: pyproj.CRS, site_area: np.ndarray, convex: ConvexGroups) -> tuple[np.ndarray, np.ndarray]:
    """Which pairs (``si``, ``fi``) intersect (only the candidates ``cand`` can), and the official overlap
    area (m²) of those the edge clipping decided (:func:`ecogis.screen_clip.clip_pairs`: a convex site
    and a polygon; a site wholly inside is its own area), NaN where GEOS decides (``intersects``, then
    the overlay in :func:`_overlap_columns`)."""
    hit = np.zeros(len(si), dtype=bool)
    known = np.full(len(si), np.nan)
    state, area = clip_pairs(lyr.edges, s_geoms, lyr.geoms, si[cand], fi[cand], gk, convex) if lyr.edges is not None \
        else (np.full(len(cand), UNDECIDED, dtype=np.int8), np.zeros(len(cand)))
    hit[cand[state > 0]] = True
    known[cand[state == PARTIAL]] = area[state == PARTIAL]
    known[cand[state == INSIDE]] = site_area[si[cand[state == INSIDE]]]
    rest = cand[state == UNDECIDED]
    hit[rest] = shapely.intersects(lyr.geoms[fi[rest]], s_geoms[si[rest]])  # prepared features first
    return hit, known


def _with_nearest(lyr: IndexedLayer, s_geoms: np.ndarray, s_bounds: np.ndarray, gk: pyproj.CRS,
                  parts: list[Columns], ni: np.ndarray, nj: np.ndarray, dist: np.ndarray,
                  convex: ConvexGroups) -> Columns:
    """``parts`` (overlaps, then pairs within the search distance: sites ``ni``, features ``nj``, geodesic
    ``dist``) with the nearest feature of every site appended, as one set of columns."""
    search = lyr.search
    # nearest: one feature per site, always reported. Among the candidate pairs when one lies within
    # the search distance (no feature outside the planar search radius can be nearer); else STRtree.
    ii = parts[0]["_s"]
    near_s, near_f, near_d = _nearest_of_pairs(np.r_[ii, ni], np.r_[parts[0]["_f"], nj],
                                               np.r_[np.zeros(len(ii)), dist], search)
    rest = np.setdiff1d(np.arange(len(s_geoms)), near_s)
    if len(rest):  # nothing within the search distance: nearest in the plane, then its geodesic distance
        rs, rf = _nearest_features(lyr, s_geoms, s_bounds, rest)
        rd = _geodesic_xy(_nearest_xy(lyr, s_geoms, rs, rf, convex), gk)
        near_s, near_f, near_d = np.r_[near_s, rs], np.r_[near_f, rf], np.r_[near_d, rd]
    parts.append({"_s": near_s, "_f": near_f, "relation": "nearest", "distance_m": near_d})
    return _concat_columns(parts)


def _nearest_features(lyr: IndexedLayer, s_geoms: np.ndarray, s_bounds: np.ndarray,
                      which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest feature (planar distance in the GK plane) of each site ``which``, exactly, in three array steps:

    1. the feature with the nearest *envelope* (STRtree of the feature envelopes: cheap distances);
    2. the site's distance to that feature bounds the answer from above;
    3. every feature whose envelope lies within that bound is a candidate; the smallest exact distance wins.
    """
    assert lyr.envelope_tree is not None  # indexed for every relation
    qs, qf = lyr.envelope_tree.query_nearest(s_geoms[which], all_matches=False)
    sites = which[qs]
    if len(sites) == 0:  # no finite envelope distance at all (coordinates not finite in this zone)
        return sites, qf
    d1 = np.nan_to_num(shapely.distance(lyr.geoms[qf], s_geoms[sites]), nan=np.inf)  # prepared first: faster
    upper = d1 * (1 + 1e-9) + 1e-6  # rounding margin
    b = s_bounds[sites]
    ci, cj = lyr.tree.query(grown_boxes(b, upper))
    # the step-1 feature is measured already
    keep = (envelope_gap(b[ci], lyr.bounds[cj]) <= upper[ci]) & (cj != qf[ci])
    ci, cj = ci[keep], cj[keep]
    # the step-1 feature is always a candidate (it also answers when distances are not finite, e.g.
    # features projected into a far-away zone for a site with swapped axes)
    d = np.r_[d1, np.nan_to_num(shapely.distance(lyr.geoms[cj], s_geoms[sites[ci]]), nan=np.inf)]
    ci, cj = np.r_[np.arange(len(sites)), ci], np.r_[qf, cj]
    order = np.lexsort((cj, d, ci))  # per site: smallest distance, then lowest feature position
    first = order[np.r_[True, ci[order][1:] != ci[order][:-1]]]
    return sites[ci[first]], cj[first]


def _overlap_columns(ii: np.ndarray, jj: np.ndarray, s_geoms: np.ndarray, f_geoms: np.ndarray, gk: pyproj.CRS,
                     site_area: np.ndarray, site_len: np.ndarray, known: np.ndarray | None = None) -> Columns:
    """Overlap area (polygons, m², official ellipsoidal) and length (lines, geodesic m) of intersecting pairs;
    ``known``: areas found already (:func:`_hits`; NaN where not)."""
    n = len(ii)
    area = np.zeros(n)
    length = np.zeros(n)
    if n:
        done = np.isfinite(known) if known is not None else np.zeros(n, dtype=bool)
        area[done] = known[done]  # type: ignore[index]
        # a site part wholly inside a feature overlaps by itself: no overlay, its area is known (only
        # a site whose envelope lies in the feature's can be inside it)
        sb, fb = shapely.bounds(s_geoms[ii]), shapely.bounds(f_geoms[jj])
        may = np.flatnonzero(np.all(sb[:, :2] >= fb[:, :2], axis=1) & np.all(sb[:, 2:] <= fb[:, 2:], axis=1) & ~done)
        inside = np.zeros(n, dtype=bool)
        inside[may] = shapely.contains_properly(f_geoms[jj[may]], s_geoms[ii[may]])
        area[inside] = site_area[ii[inside]]
        pieces = s_geoms[ii].copy()
        cut = np.flatnonzero(~(inside | done))
        pieces[cut] = shapely.intersection(s_geoms[ii[cut]], f_geoms[jj[cut]])
        area[cut] = _areas(pieces[cut], gk)
        flat = np.flatnonzero(area <= 0)  # lines, points, or polygons touching along an edge
        if len(flat):
            lines = lineal(pieces[flat])
            length[flat] = geodesic_length(lines, gk) if np.any(lines != None) else 0.0  # noqa: E711
    share = np.where(site_area[ii] > 0, area / np.where(site_area[ii] > 0, site_area[ii], 1.0),
                     np.where(site_len[ii] > 0, length / np.where(site_len[ii] > 0, site_len[ii], 1.0), np.nan))
    polygonal = (shapely.get_dimensions(s_geoms[ii]) == 2) & (shapely.get_dimensions(f_geoms[jj]) == 2)
    return {"_s": ii, "_f": jj, "relation": "intersects",
            "overlap_area_m2": np.where(polygonal, area, np.nan),
            "overlap_length_m": np.where(length > 0, length, np.nan),
            # share of the site: area for polygon sites, length for line sites
            "share_of_site": np.where(polygonal | ((site_len[ii] > 0) & (length > 0)), share, np.nan),
            "distance_m": np.zeros(n)}


def _areas(geoms: np.ndarray, gk: pyproj.CRS) -> np.ndarray:
    """Official ellipsoidal areas (m²); simple polygons (one ring) in one call, the rest in another, so
    the common case stays on ellipsoidal_area's single-ring fast path."""
    out = np.zeros(len(geoms))
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    for part in (np.flatnonzero(simple), np.flatnonzero(~simple)):
        if len(part):
            out[part] = ellipsoidal_area(geoms[part], gk)
    return out


def _concat_columns(parts: list[Columns]) -> Columns:
    """Concatenate column dicts; scalar values are repeated, missing float columns are NaN."""
    out: Columns = {}
    sizes = [len(p["_s"]) for p in parts]
    for col in _PAIR_COLUMNS:
        if all(isinstance(p.get(col), str) for p in parts):  # one text per part (the relation)
            out[col] = taken(np.array([p[col] for p in parts], dtype=object), np.repeat(np.arange(len(parts)), sizes))
            continue
        vals = []
        for p, n in zip(parts, sizes):
            v = p.get(col, np.nan)
            vals.append(np.full(n, v, dtype=object if isinstance(v, str) else float) if np.ndim(v) == 0
                        else np.asarray(v))
        out[col] = np.concatenate(vals) if vals else np.zeros(0)
    out["_s"] = out["_s"].astype(np.int64)
    out["_f"] = out["_f"].astype(np.int64)
    return out


def _nearest_of_pairs(si: np.ndarray, fi: np.ndarray, dist: np.ndarray,
                      search: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site, the pair with the smallest distance, kept only when that distance is within ``search``."""
    if len(si) == 0:
        return si, fi, dist
    order = np.lexsort((dist, si))
    first = order[np.r_[True, si[order][1:] != si[order][:-1]]]
    first = first[dist[first] <= search]
    return si[first], fi[first], dist[first]


def lineal(geoms: np.ndarray) -> np.ndarray:
    """Line parts of each geometry (points and polygons dropped): for overlap lengths."""
    types = shapely.get_type_id(geoms)
    # numpy's stubs reject None as the fill value of np.where; here it is the object array's missing geometry
    out: np.ndarray = np.where(np.isin(types, (1, 2, 5)), geoms, None)  # type: ignore[call-overload]
    coll = np.flatnonzero(types == 7)
    for k in coll:  # rare: mixed intersections such as a line touching a polygon edge
        parts = [p for p in shapely.get_parts(geoms[k]) if shapely.get_type_id(p) in (1, 2)]
        out[k] = shapely.multilinestrings(parts) if parts else None
    return out


def _nearest_xy(lyr: IndexedLayer, s_geoms: np.ndarray, ii: np.ndarray, jj: np.ndarray,
                convex: ConvexGroups, beyond: float = np.inf) -> np.ndarray:
    """Nearest points ``(pairs, 2, 2)`` (GK m; ``[:, 0]`` on the feature, ``[:, 1]`` on the site) of the
    disjoint pairs (site ``ii``, feature ``jj``): in numpy over the layer's edges where it can
    (:func:`ecogis.screen_near.nearest_points`, the points ``shapely.shortest_line`` gives), else GEOS.
    NaN where there are none (an empty geometry) and where the numpy path finds the pair farther apart
    than ``beyond`` (GK m)."""
    if lyr.edges is not None:
        xy, done = nearest_points(lyr.edges, s_geoms, ii, jj, convex, beyond)
    else:
        xy, done = np.full((len(ii), 2, 2), np.nan), np.zeros(len(ii), dtype=bool)
    rest = np.flatnonzero(~done)
    if len(rest):
        lines = shapely.shortest_line(lyr.geoms[jj[rest]], s_geoms[ii[rest]])  # prepared features first: faster
        valid = ~(shapely.is_missing(lines) | shapely.is_empty(lines))
        xy[rest[valid]] = shapely.get_coordinates(lines[valid]).reshape(-1, 2, 2)
    return xy


def _planar_length(xy: np.ndarray) -> np.ndarray:
    """Length (GK m) of the segments ``xy`` ((n, 2, 2) end points), as GEOS measures a line (NaN stays NaN)."""
    dx, dy = xy[:, 1, 0] - xy[:, 0, 0], xy[:, 1, 1] - xy[:, 0, 1]
    length: np.ndarray = np.sqrt(dx * dx + dy * dy)
    return length


def _geodesic_xy(xy: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Geodesic distance (m) between the two end points ``xy`` ((n, 2, 2), projected ``crs``) of each segment."""
    if len(xy) == 0:
        return np.zeros(0)
    lon, lat = cached_transformer(pyproj.CRS.from_user_input(crs), GEOGRAPHIC).transform(xy[:, :, 0], xy[:, :, 1])
    _, _, dist = GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    return np.asarray(dist, dtype=float)


def _buffer_band(dist: np.ndarray, buffers_m: Sequence[float]) -> np.ndarray:
    """The smallest buffer distance that contains each distance (NaN beyond the largest)."""
    b = np.asarray(sorted(buffers_m), dtype=float)
    if len(b) == 0:
        return np.full(len(dist), np.nan)
    k = np.searchsorted(b, dist, side="left")
    return np.where(k < len(b), b[np.minimum(k, len(b) - 1)], np.nan)

