"""Overlap of a small convex site with a polygon feature without a GEOS overlay: exact edge clipping in numpy.

For a convex site C and a feature P (any polygon or multipolygon, holes allowed), the boundary of
C ∩ P is made of the parts of P's edges inside C and the parts of C's edges inside P. Its official
ellipsoidal area (formula (2) of 国土调查办发〔2008〕32号, as :func:`ecogis.geodesy.ellipsoidal_area`) is a sum
over those boundary edges of ``(mid-longitude − reference) × (G(B₂) − G(B₁))`` when every ring is oriented
with the interior on its left (shells counter-clockwise, holes clockwise), so it needs the edges only,
never the rings of the piece:

* P's edges near C (envelope test over the feature's edges); each is split where it crosses C's edges;
* C's edges are split where P's edges cross them (sorted along the edge); inside-ness alternates at each
  crossing, starting from a point-in-polygon test of C's first vertex (``shapely.contains_xy``);
* every vertex is inverse projected once (P's vertices when a piece first needs them, the crossings
  per chunk).

Pairs this cannot decide exactly are left to GEOS (:data:`UNDECIDED`): sites that are not convex polygons
of at most :data:`MAX_VERTICES` vertices, features that are not polygonal, and any pair with a vertex
within :data:`TOLERANCE_M` of the other's edge line (touching, shared edges, vertices on the boundary).
Planar coordinates: the GK zone (metres); areas m² on the CGCS2000 ellipsoid.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from ecogis.geodesy import CGCS2000_B, _g_of_lat, cached_transformer

#: pair states returned by :func:`clip_pairs`
UNDECIDED, DISJOINT, PARTIAL, INSIDE = -1, 0, 1, 2
MAX_VERTICES = 16  # larger sites go to GEOS (the per-pair work grows with the site's edges)
MAX_FEATURE_EDGES = 4096  # features with more edges go to GEOS (every edge of the feature is scanned)
BLOCK_EDGES = 8  # consecutive edges of a feature tested together first (envelope of the block)
ROWS_PER_BATCH = 2_000_000  # (pair, feature edge) rows held at once
TOLERANCE_M = 1e-6  # a vertex closer than this to the other's edge line: GEOS decides the pair
_AREA_FACTOR = CGCS2000_B ** 2 * np.pi / 180.0  # longitudes stay in degrees, as in ellipsoidal_area


@dataclass
class EdgeIndex:
    """The edges of a layer's polygonal features (interior on the left), GK metres, feature by feature
    (the edges of feature j are ``offsets[j]:offsets[j + 1]``), with their envelopes. The longitude
    (degrees) and G(latitude) (:func:`ecogis.geodesy._g_of_lat`) of a vertex are computed the first time
    a clipped piece needs it (:meth:`geo`), not for every vertex of the layer."""

    xy0: np.ndarray  # (n, 2) start of each edge
    xy1: np.ndarray  # (n, 2) end
    box: np.ndarray  # (n, 4) envelope of each edge
    offsets: np.ndarray  # (features + 1,)
    polygonal: np.ndarray  # (features,) bool: the feature's edges are indexed (polygonal, not too many)
    block_start: np.ndarray  # (blocks + 1,) first edge of each block of consecutive edges of one feature
    block_box: np.ndarray  # (blocks, 4) envelope of each block
    block_offsets: np.ndarray  # (features + 1,) the blocks of feature j are block_offsets[j]:block_offsets[j + 1]
    xy: np.ndarray  # (vertices, 2) the ring vertices; edge e runs from xy[start[e]] to xy[start[e] + 1]
    start: np.ndarray  # (n,)
    to_geo: pyproj.Transformer  # GK -> the GK CRS's geographic CRS (degrees)
    lon: np.ndarray  # (vertices,) longitude, NaN until computed
    g: np.ndarray  # (vertices,) G(latitude), NaN until computed
    projected: np.ndarray  # (vertices,) bool

    def geo(self, vertex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Longitude (degrees) and G(latitude) of the vertices ``vertex`` (positions in :attr:`xy`),
        inverse projected once each, on first use."""
        todo = np.unique(vertex[~self.projected[vertex]])
        if len(todo):
            lon, lat = self.to_geo.transform(self.xy[todo, 0], self.xy[todo, 1])
            self.lon[todo], self.g[todo] = lon, _g_of_lat(np.radians(np.asarray(lat)))
            self.projected[todo] = True
        return self.lon[vertex], self.g[vertex]


def edge_index(geoms: np.ndarray, gk: pyproj.CRS) -> EdgeIndex:
    """Index the edges of the polygons and multipolygons among ``geoms`` (GK, one array per layer)."""
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    oriented = np.where(polygonal, shapely.orient_polygons(geoms, exterior_cw=False), None)  # shells CCW
    parts, part_feature = shapely.get_parts(oriented, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_feature = part_feature[ring_part]
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    start = np.flatnonzero(ring_of[1:] == ring_of[:-1])  # consecutive vertices of one ring: an edge
    xy0, xy1 = xy[start], xy[start + 1]
    counts = np.bincount(ring_feature[ring_of[start]], minlength=len(geoms))
    offsets = np.r_[0, np.cumsum(counts)]
    box = np.c_[np.minimum(xy0, xy1), np.maximum(xy0, xy1)]
    nblocks = -(-counts // BLOCK_EDGES)
    block_offsets = np.r_[0, np.cumsum(nblocks)]
    first = np.repeat(offsets[:-1], nblocks) + BLOCK_EDGES * (np.arange(block_offsets[-1])
                                                             - np.repeat(block_offsets[:-1], nblocks))
    block_box = np.c_[np.minimum.reduceat(box[:, :2], first), np.maximum.reduceat(box[:, 2:], first)] \
        if len(first) else np.zeros((0, 4))
    return EdgeIndex(xy0=xy0, xy1=xy1, box=box, offsets=offsets, polygonal=polygonal & (counts <= MAX_FEATURE_EDGES),
                     block_start=np.r_[first, len(xy0)], block_box=block_box, block_offsets=block_offsets,
                     xy=xy, start=start, to_geo=cached_transformer(gk),
                     lon=np.full(len(xy), np.nan), g=np.full(len(xy), np.nan), projected=np.zeros(len(xy), dtype=bool))


#: per vertex count, (site positions, (m, n, 2) vertices counter-clockwise): :func:`convex_sites`
ConvexGroups = list[tuple[np.ndarray, np.ndarray]]


def convex_sites(s_geoms: np.ndarray) -> tuple[np.ndarray, ConvexGroups]:
    """Per site its vertex count when it is a strictly convex polygon without holes of at most
    :data:`MAX_VERTICES` vertices (else 0), and per count ``(site positions, (m, n, 2) vertices CCW)``."""
    count = np.zeros(len(s_geoms), dtype=np.int64)
    ok = np.flatnonzero((shapely.get_type_id(s_geoms) == 3) & (shapely.get_num_interior_rings(s_geoms) == 0))
    ncoord = shapely.get_num_coordinates(s_geoms[ok])
    ok, ncoord = ok[(ncoord >= 4) & (ncoord <= MAX_VERTICES + 1)], ncoord[(ncoord >= 4) & (ncoord <= MAX_VERTICES + 1)]
    groups = []
    for n in np.unique(ncoord):
        sites = ok[ncoord == n]
        v = shapely.get_coordinates(s_geoms[sites]).reshape(len(sites), n, 2)[:, :-1]
        d = np.roll(v, -1, axis=1) - v
        signed = np.sum(v[:, :, 0] * np.roll(v[:, :, 1], -1, axis=1) - np.roll(v[:, :, 0], -1, axis=1) * v[:, :, 1], 1)
        v = np.where((signed < 0)[:, None, None], v[:, ::-1], v)  # counter-clockwise
        d = np.roll(v, -1, axis=1) - v
        turn = d[:, :, 0] * np.roll(d[:, :, 1], -1, axis=1) - d[:, :, 1] * np.roll(d[:, :, 0], -1, axis=1)
        convex = np.all(turn > 0, axis=1)
        count[sites[convex]] = n - 1
        groups.append((sites[convex], v[convex]))
    return count, groups


def clip_pairs(idx: EdgeIndex, s_geoms: np.ndarray, f_geoms: np.ndarray, ii: np.ndarray, jj: np.ndarray,
               gk: pyproj.CRS, groups: ConvexGroups | None = None) -> tuple[np.ndarray, np.ndarray]:
    """State (:data:`DISJOINT`, :data:`PARTIAL`, :data:`INSIDE` or :data:`UNDECIDED`) and official overlap
    area (m², for PARTIAL) of each pair (site ``ii``, feature ``jj``); the features ``f_geoms`` prepared;
    ``groups``: ``convex_sites(s_geoms)[1]`` when known."""
    state = np.full(len(ii), UNDECIDED, dtype=np.int8)
    area = np.zeros(len(ii))
    groups = convex_sites(s_geoms)[1] if groups is None else groups
    to_geo = cached_transformer(gk)
    for sites, verts in groups:
        local = np.full(len(s_geoms), -1)
        local[sites] = np.arange(len(sites))
        pm = np.flatnonzero((local[ii] >= 0) & idx.polygonal[jj])
        rows = np.cumsum(np.diff(idx.offsets)[jj[pm]])
        for part in np.split(pm, np.searchsorted(rows, np.arange(ROWS_PER_BATCH, rows[-1], ROWS_PER_BATCH))
                             if len(pm) else []):
            if len(part):
                state[part], area[part] = _clip_group(idx, verts, local[ii[part]], jj[part], f_geoms, to_geo)
    return state, area


def _edge_rows(idx: EdgeIndex, lo: np.ndarray, hi: np.ndarray, feat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pair, edge) of every edge of each pair's feature whose envelope meets the pair's site envelope
    (``lo``/``hi``: (pairs, 2) corners): the only edges that can lie in or cross the site. Blocks of
    :data:`BLOCK_EDGES` consecutive edges are tested first, then the edges of the blocks that meet."""
    pair, block = _meeting(idx.block_box, idx.block_offsets[feat], np.diff(idx.block_offsets)[feat], lo, hi)
    start = idx.block_start[block]
    sub, e = _meeting(idx.box, start, idx.block_start[block + 1] - start, lo[pair], hi[pair])
    return pair[sub], e


def _meeting(box: np.ndarray, first: np.ndarray, count: np.ndarray, lo: np.ndarray,
             hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For query k, the items ``first[k]:first[k] + count[k]`` whose envelope (``box``) meets the query's
    (``lo[k]``, ``hi[k]``): (query, item) pairs."""
    query = np.repeat(np.arange(len(first)), count)
    item = np.arange(len(query)) + np.repeat(first - (np.cumsum(count) - count), count)
    b = box[item]
    q_lo, q_hi = lo[query], hi[query]
    near = ((b[:, 0] <= q_hi[:, 0]) & (b[:, 1] <= q_hi[:, 1]) & (b[:, 2] >= q_lo[:, 0]) & (b[:, 3] >= q_lo[:, 1]))
    return query[near], item[near]


def _clip_group(idx: EdgeIndex, verts: np.ndarray, site: np.ndarray, feat: np.ndarray, f_geoms: np.ndarray,
                to_geo: pyproj.Transformer) -> tuple[np.ndarray, np.ndarray]:
    """:func:`clip_pairs` for sites with the same vertex count: ``verts`` (m, n, 2) CCW, pairs (site, feat)."""
    m, n = verts.shape[:2]
    npair = len(site)
    pair, e = _edge_rows(idx, verts[site].min(axis=1), verts[site].max(axis=1), feat)
    origin = verts[site, 0]  # local coordinates: differences of nearby points are exact
    c = verts[site[pair]] - origin[pair][:, None, :]  # (rows, n, 2)
    d = np.roll(c, -1, axis=1) - c
    p0 = idx.xy0[e] - origin[pair]
    p1 = idx.xy1[e] - origin[pair]
    pe = p1 - p0

    def cross(ax, ay, bx, by):
        return ax * by - ay * bx

    a = cross(d[..., 0], d[..., 1], p0[:, None, 0] - c[..., 0], p0[:, None, 1] - c[..., 1])  # side of p0, edge k
    b = cross(d[..., 0], d[..., 1], p1[:, None, 0] - c[..., 0], p1[:, None, 1] - c[..., 1])
    s = cross(pe[:, None, 0], pe[:, None, 1], c[..., 0] - p0[:, None, 0], c[..., 1] - p0[:, None, 1])  # side of c_k
    s_next = np.roll(s, -1, axis=1)
    dlen = np.hypot(d[..., 0], d[..., 1])
    elen = np.hypot(pe[:, 0], pe[:, 1])[:, None]
    tol_d, tol_e = TOLERANCE_M * dlen, TOLERANCE_M * elen
    degenerate = np.zeros(npair, dtype=bool)
    close = ~((np.abs(a) >= tol_d) & (np.abs(b) >= tol_d) & (np.abs(s) >= tol_e)).all(axis=1)  # NaN: close
    degenerate[pair[close]] = True
    crosses = ((a > 0) != (b > 0)) & ((s > 0) != (s_next > 0))
    r, k = np.nonzero(crosses)
    t = a[r, k] / (a[r, k] - b[r, k])
    u = s[r, k] / (s[r, k] - s_next[r, k])
    x = p0[r] + t[:, None] * pe[r] + origin[pair[r]]
    xlon, xlat = to_geo.transform(x[:, 0], x[:, 1])
    xlon, xg = np.asarray(xlon), _g_of_lat(np.radians(np.asarray(xlat)))
    # site vertices on the ellipsoid, and whether each lies in the feature
    vxy = verts[site].reshape(-1, 2)
    vlon, vlat = to_geo.transform(vxy[:, 0], vxy[:, 1])
    vlon, vg = np.asarray(vlon).reshape(npair, n), _g_of_lat(np.radians(np.asarray(vlat))).reshape(npair, n)
    cgroup = pair[r] * n + k  # site edge (pair, k)
    ncross = np.bincount(cgroup, minlength=npair * n).reshape(npair, n)
    first_in = shapely.contains_xy(f_geoms[feat], verts[site, 0, 0], verts[site, 0, 1])
    parity = np.cumsum(ncross, axis=1) % 2
    v_in = first_in[:, None] ^ np.c_[np.zeros(npair, dtype=bool), parity[:, :-1].astype(bool)]
    degenerate |= (parity[:, -1] == 1)  # an odd number of crossings around the site: not consistent
    # the boundary edges of the overlap: feature edges inside the site, then site edges inside the feature
    p_in = (a > 0).all(axis=1)
    ref = vlon[:, 0]
    # the ends of the feature edges that can have a part inside (start inside, or crossing the site)
    lon0, g0, lon1, g1 = np.zeros((4, len(e)))
    need = p_in.copy()
    need[r] = True
    lon0[need], g0[need] = idx.geo(idx.start[e[need]])
    lon1[need], g1[need] = idx.geo(idx.start[e[need]] + 1)
    fp, fa, fb, ga, gb = _inside_runs(len(e), lon0, g0, lon1, g1, p_in, r, t, xlon, xg)
    sp, sa, sb, ha, hb = _inside_runs(npair * n, vlon.ravel(), vg.ravel(), np.roll(vlon, -1, axis=1).ravel(),
                                      np.roll(vg, -1, axis=1).ravel(), v_in.ravel(), cgroup, u, xlon, xg)
    fpair, spair = pair[fp], sp // n
    total = np.zeros(npair)  # (bincount of nothing is an integer array)
    total += np.bincount(fpair, weights=(0.5 * (fa + fb) - ref[fpair]) * (gb - ga), minlength=npair)
    total += np.bincount(spair, weights=(0.5 * (sa + sb) - ref[spair]) * (hb - ha), minlength=npair)
    area = total * _AREA_FACTOR
    edges_in = np.bincount(fpair, minlength=npair)
    crossings = ncross.sum(axis=1)
    state = np.where(edges_in + np.bincount(spair, minlength=npair) == 0, DISJOINT, PARTIAL).astype(np.int8)
    state[(crossings == 0) & (edges_in == 0) & first_in] = INSIDE
    state[degenerate | ((state == PARTIAL) & ~(area > 0))] = UNDECIDED
    return state, np.where(state == PARTIAL, area, 0.0)


def _inside_runs(ngroups: int, start_lon: np.ndarray, start_g: np.ndarray, end_lon: np.ndarray,
                 end_g: np.ndarray, start_in: np.ndarray, ev_group: np.ndarray, ev_param: np.ndarray,
                 ev_lon: np.ndarray, ev_g: np.ndarray) -> tuple[np.ndarray, ...]:
    """The inside parts of directed edges split at crossings: per edge (group) its start and end point,
    whether the start is inside, and the crossings on it (group, parameter along the edge, point).
    Inside-ness alternates at each crossing. Returns (group, lon_a, lon_b, g_a, g_b) per inside part."""
    order = np.lexsort((ev_param, ev_group))
    eg = ev_group[order]
    cnt = np.bincount(eg, minlength=ngroups)
    npts = cnt + 2
    off = np.r_[0, np.cumsum(npts)]
    lon, g = np.empty(off[-1]), np.empty(off[-1])
    lon[off[:-1]], g[off[:-1]] = start_lon, start_g
    lon[off[1:] - 1], g[off[1:] - 1] = end_lon, end_g
    pos = off[eg] + 1 + (np.arange(len(eg)) - np.r_[0, np.cumsum(cnt)][eg])
    lon[pos], g[pos] = ev_lon[order], ev_g[order]
    group = np.repeat(np.arange(ngroups), npts)
    j = np.arange(off[-1] - 1) - off[group[:-1]]  # index of the part along its edge
    keep = (group[:-1] == group[1:]) & (start_in[group[:-1]] ^ (j % 2 == 1))
    return group[:-1][keep], lon[:-1][keep], lon[1:][keep], g[:-1][keep], g[1:][keep]
