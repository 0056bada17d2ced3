"""Nearest points of disjoint (site, feature) pairs in numpy, as ``shapely.shortest_line`` finds them.

Two disjoint polygons are nearest at a pair of boundary segments, and two segments that do not cross
are nearest at an end point of one of them: the nearest points are the nearest of (a site vertex, its
projection on a feature edge) and (a feature vertex, its projection on a site edge) — the candidates
GEOS compares (``LineSegment::closestPoints``), with the same projection formula. The feature's edges
come from the layer's :class:`ecogis.screen_clip.EdgeIndex` and are pruned by their envelopes:

1. per pair, the block of :data:`ecogis.screen_clip.BLOCK_EDGES` consecutive edges whose envelope is
   nearest the site's envelope (a pair whose nearest block is farther than ``beyond`` stops here); the
   smallest distance ``U`` between a site vertex and a vertex of that block bounds the answer from above;
2. every block and then edge whose envelope lies within ``U`` of the site's envelope (no farther edge
   can hold a nearer point) is measured exactly; the nearest candidate of all wins.

Only for pairs known not to intersect (a crossing is not looked for), small convex sites
(:func:`ecogis.screen_clip.convex_sites`) and indexed polygon features; the caller asks GEOS for the
rest (and for pairs whose coordinates are not finite). Planar GK metres.
"""
from __future__ import annotations

import numpy as np

from ecogis.screen_bounds import envelope_gap
from ecogis.screen_clip import ConvexGroups, EdgeIndex, convex_sites

PAIRS_PER_BATCH = 4096  # pairs computed together: their (pair, edge) rows stay small (faster in numpy)


def nearest_points(idx: EdgeIndex, s_geoms: np.ndarray, ii: np.ndarray, jj: np.ndarray,
                   groups: ConvexGroups | None = None, beyond: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Nearest points ``(pairs, 2, 2)``: ``[:, 0]`` on the feature ``jj``, ``[:, 1]`` on the site ``ii`` (GK m),
    for disjoint pairs; and a mask of the pairs answered (the others are NaN: ask GEOS). Pairs found
    farther apart than ``beyond`` (GK m) are answered with NaN points (not looked for further).
    ``groups``: ``convex_sites(s_geoms)[1]`` when known."""
    out = np.full((len(ii), 2, 2), np.nan)
    far = np.zeros(len(ii), dtype=bool)
    groups = convex_sites(s_geoms)[1] if groups is None else groups
    for sites, verts in groups:
        local = np.full(len(s_geoms), -1)
        local[sites] = np.arange(len(sites))
        pm = np.flatnonzero((local[ii] >= 0) & idx.polygonal[jj] & (np.diff(idx.offsets)[jj] > 0))
        for lo in range(0, len(pm), PAIRS_PER_BATCH):
            part = pm[lo:lo + PAIRS_PER_BATCH]
            out[part], far[part] = _group_nearest(idx, verts[local[ii[part]]], jj[part], beyond)
    return out, np.isfinite(out).all(axis=(1, 2)) | far


def _group_nearest(idx: EdgeIndex, verts: np.ndarray, feat: np.ndarray,
                   beyond: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest points of the pairs of sites ``verts`` ((pairs, n, 2) vertices) and features ``feat``, and
    which pairs are farther apart than ``beyond`` (no points for those)."""
    npair = len(feat)
    vx, vy = np.ascontiguousarray(verts[:, :, 0]), np.ascontiguousarray(verts[:, :, 1])
    box = np.c_[vx.min(axis=1), vy.min(axis=1), vx.max(axis=1), vy.max(axis=1)]
    nblocks = np.diff(idx.block_offsets)[feat]
    query = np.repeat(np.arange(npair), nblocks)  # sorted: every pair's blocks are consecutive
    block = np.arange(len(query)) + np.repeat(idx.block_offsets[feat] - (np.cumsum(nblocks) - nblocks), nblocks)
    gap = envelope_gap(box[query], idx.block_box[block])
    best = _first_smallest(query, gap)  # per pair, its nearest block
    far = gap[best] > beyond  # (best is in pair order) every block farther than that: nothing to look for
    best = best[~far]
    # an upper bound: the distance between a site vertex and a vertex of that block
    pair, edge = _block_edges(idx, query[best], block[best])
    d2 = np.min((vx[pair] - idx.xy0[edge, 0, None]) ** 2 + (vy[pair] - idx.xy0[edge, 1, None]) ** 2, axis=1)
    upper = np.full(npair, -1.0)  # far pairs: no block
    starts = _starts(pair)
    upper[pair[starts]] = np.sqrt(np.minimum.reduceat(d2, starts)) * (1 + 1e-9) + 1e-9  # margin: keep the nearest
    near = gap <= upper[query]
    pair, edge = _block_edges(idx, query[near], block[near])
    near = envelope_gap(box[pair], idx.box[edge]) <= upper[pair]
    pair, edge = pair[near], edge[near]
    d2, pts = _candidates(idx, vx, vy, pair, edge)
    first = _first_smallest(pair, d2)
    out = np.full((npair, 2, 2), np.nan)
    out[pair[first]] = pts[first]
    return out, far


def _starts(group: np.ndarray) -> np.ndarray:
    """Where each run of equal values of the sorted ``group`` starts."""
    return np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else np.zeros(0, dtype=np.intp)


def _first_smallest(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per run of equal values of the sorted ``group``, the position of its first smallest ``value``."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.intp)
    new_run = np.r_[True, group[1:] != group[:-1]]
    smallest = np.flatnonzero(value == np.minimum.reduceat(value, np.flatnonzero(new_run))[np.cumsum(new_run) - 1])
    return smallest[np.r_[True, group[smallest][1:] != group[smallest][:-1]]]


def _block_edges(idx: EdgeIndex, pair: np.ndarray, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pair, edge) for every edge of each (pair, block)."""
    start = idx.block_start[block]
    count = idx.block_start[block + 1] - start
    rows = np.repeat(np.arange(len(pair)), count)
    return pair[rows], np.arange(len(rows)) + np.repeat(start - (np.cumsum(count) - count), count)


def _candidates(idx: EdgeIndex, vx: np.ndarray, vy: np.ndarray, pair: np.ndarray,
                edge: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (pair, feature edge) row: the squared distance and the points ``[feature point, site point]``
    of its nearest candidate: each site vertex against the edge, the edge's start against each site edge."""
    cx, cy = vx[pair], vy[pair]  # (rows, n) site vertices
    ax, ay = idx.xy0[edge, 0, None], idx.xy0[edge, 1, None]
    bx, by = idx.xy1[edge, 0, None], idx.xy1[edge, 1, None]
    ex, ey = _closest_on_segment(cx, cy, ax, ay, bx, by)  # site vertex -> feature edge
    sx, sy = _closest_on_segment(ax, ay, cx, cy, np.roll(cx, -1, axis=1), np.roll(cy, -1, axis=1))  # -> site edge
    d_edge = (ex - cx) ** 2 + (ey - cy) ** 2
    d_site = (sx - ax) ** 2 + (sy - ay) ** 2
    rows = np.arange(len(pair))
    k_edge, k_site = np.argmin(d_edge, axis=1), np.argmin(d_site, axis=1)
    de, ds = d_edge[rows, k_edge], d_site[rows, k_site]
    use_site = ds < de
    pts = np.empty((len(pair), 2, 2))
    pts[:, 0, 0] = np.where(use_site, ax[:, 0], ex[rows, k_edge])
    pts[:, 0, 1] = np.where(use_site, ay[:, 0], ey[rows, k_edge])
    pts[:, 1, 0] = np.where(use_site, sx[rows, k_site], cx[rows, k_edge])
    pts[:, 1, 1] = np.where(use_site, sy[rows, k_site], cy[rows, k_edge])
    return np.minimum(de, ds), pts


def _closest_on_segment(px: np.ndarray, py: np.ndarray, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray,
                        by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The point of segment a-b nearest p (broadcast coordinate arrays), as GEOS computes it:
    ``a + r (b − a)`` with the projection factor r, or the end point when r ≤ 0 or r ≥ 1."""
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        r = ((px - ax) * dx + (py - ay) * dy) / len2
    r = np.where(len2 > 0, r, 0.0)
    qx, qy = ax + np.clip(r, 0.0, 1.0) * dx, ay + np.clip(r, 0.0, 1.0) * dy
    end = r >= 1  # the end point itself, not a + (b - a)
    if end.any():
        qx, qy = np.where(end, bx, qx), np.where(end, by, qy)
    return qx, qy
