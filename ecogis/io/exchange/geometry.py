"""Geometries of the parsed parcels: rings and parts from the vertex runs, holes by containment."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ecogis.error_messages import error
from ecogis.io.exchange.parse import _Parsed
from ecogis.messages import say


@dataclass
class _Runs:
    """Consecutive vertex runs with the same parcel and ring number (one run = one ring or part)."""

    start: np.ndarray
    stop: np.ndarray
    parcel: np.ndarray
    ring: np.ndarray  # 圈号 as written
    key: np.ndarray  # ring identity within the parcel: 部件号 and 圈号 (省标 vertex lines carry both)
    vertex_run: np.ndarray  # run index of every vertex
    unclosed: np.ndarray | None = None  # per run: a polygon ring written without its closing vertex


def _runs(parsed: _Parsed, path) -> _Runs:
    parcel_of = np.asarray(parsed.v_parcel)
    ring_no = np.asarray(parsed.v_ring)
    key = np.asarray(parsed.v_part).astype(np.int64) * 1_000_000 + ring_no
    new_run = np.ones(len(ring_no), dtype=bool)
    new_run[1:] = (parcel_of[1:] != parcel_of[:-1]) | (key[1:] != key[:-1])
    start = np.flatnonzero(new_run)
    runs = _Runs(start, np.r_[start[1:], len(ring_no)], parcel_of[start], ring_no[start], key[start],
                 np.cumsum(new_run) - 1)
    order = np.lexsort((runs.start, runs.key, runs.parcel))
    again = (runs.parcel[order][1:] == runs.parcel[order][:-1]) & (runs.key[order][1:] == runs.key[order][:-1])
    if again.any():
        r = order[1:][again][np.argmin(runs.start[order[1:][again]])]
        raise error("exchange.ring_again", path=path, line=parsed.v_line[runs.start[r]], ring=runs.ring[r],
                    parcel=parsed.parcels[runs.parcel[r]].parcel_no, hint="exchange.ring_together")
    return runs


def _check_point_counts(parsed: _Parsed, runs: _Runs, path):
    """界址点数 must equal the parcel's vertex lines, or for 面 the lines without the closing vertices, or
    with them where a ring was written without one; 0 or empty (None) is not checked."""
    n = len(parsed.parcels)
    n_vertices = np.bincount(np.asarray(parsed.v_parcel), minlength=n)
    n_unclosed = np.bincount(runs.parcel, weights=runs.unclosed, minlength=n).astype(int)
    n_closed = np.bincount(runs.parcel, minlength=n) - n_unclosed
    declared = np.array([-1 if p.count is None else p.count for p in parsed.parcels])
    polygon = np.array([p.record_type == "面" for p in parsed.parcels])
    ok = (declared == -1) | (declared == n_vertices) | (polygon & ((declared == n_vertices - n_closed)
                                                                   | (declared == n_vertices + n_unclosed)))
    if not ok.all():
        k = int(np.flatnonzero(~ok)[0])
        parcel = parsed.parcels[k]
        first, last = parsed.v_line[parcel.first_vertex], parsed.v_line[parcel.first_vertex + parcel.n_vertices - 1]
        raise error("exchange.count_mismatch", path=path, line=parcel.line, parcel=parcel.parcel_no,
                    count=parcel.count, found=n_vertices[k], first=first, last=last, hint="exchange.fix_count")


def _compact(ids: np.ndarray) -> np.ndarray:
    """Renumber sorted group ids 0, 1, 2, ... (shapely's ``indices`` must have no gaps)."""
    return np.unique(ids, return_inverse=True)[1]


def _build_geometries(parsed: _Parsed, easting, northing, path) -> np.ndarray:
    """One geometry per parcel, vectorised over rings with shapely (a Python loop only over parcels with
    several polygon rings, to sort holes from parts)."""
    runs = _runs(parsed, path)
    coords = np.column_stack([easting, northing])
    record = np.array([p.record_type for p in parsed.parcels])
    run_record = record[runs.parcel]
    runs.unclosed = (run_record == "面") & (np.abs(coords[runs.start] - coords[runs.stop - 1]) > 1e-6).any(axis=1)
    _check_point_counts(parsed, runs, path)
    geoms = np.empty(len(parsed.parcels), dtype=object)
    if (run_record == "面").any():
        _polygons(parsed, runs, run_record == "面", coords, geoms, path)
    if (run_record == "线").any():
        _lines(parsed, runs, run_record == "线", coords, geoms, path)
    if (record == "点").any():
        vertex = (record == "点")[np.asarray(parsed.v_parcel)]
        parcel = np.asarray(parsed.v_parcel)[vertex]
        multi = shapely.multipoints(shapely.points(coords[vertex]), indices=_compact(parcel))
        _store(geoms, np.unique(parcel), multi)
    return geoms


def _store(geoms, parcels, multi):
    """Put multi-part geometries into ``geoms``; single parts are unwrapped (Point, LineString)."""
    single = shapely.get_num_geometries(multi) == 1
    multi = multi.copy()
    multi[single] = shapely.get_geometry(multi[single], 0)
    geoms[parcels] = multi


def _lines(parsed, runs, sel, coords, geoms, path):
    short = sel & (runs.stop - runs.start < 2)
    if short.any():
        r = int(np.flatnonzero(short)[0])
        raise error("exchange.line_one_vertex", path=path, line=parsed.v_line[runs.start[r]], ring=runs.ring[r],
                    parcel=parsed.parcels[runs.parcel[r]].parcel_no, hint="exchange.two_vertices")
    vertex = sel[runs.vertex_run]
    lines = shapely.linestrings(coords[vertex], indices=_compact(runs.vertex_run[vertex]))
    multi = shapely.multilinestrings(lines, indices=_compact(runs.parcel[sel]))
    _store(geoms, np.unique(runs.parcel[sel]), multi)


def _polygons(parsed, runs, sel, coords, geoms, path):
    idx = np.flatnonzero(sel)
    unclosed = runs.unclosed[idx]
    short = runs.stop[idx] - runs.start[idx] < np.where(unclosed, 3, 4)
    if short.any():
        _ring_error(parsed, runs, idx[np.flatnonzero(short)[0]], coords, path)
    for r in idx[unclosed]:  # noted once per file (the first ring and how many), or an error when strict
        parsed.deviations.add("exchange.unclosed", parsed.v_line[runs.stop[r] - 1],
                              parcel=repr(parsed.parcels[runs.parcel[r]].parcel_no))
    vertex = sel[runs.vertex_run]
    rings = shapely.linearrings(coords[vertex], indices=_compact(runs.vertex_run[vertex]))  # closes open rings
    polys = shapely.polygons(rings)
    # a bow-tie's two loops cancel in the signed area: only a ring that encloses nothing once repaired is flat
    flat = shapely.area(polys) == 0
    flat[flat] = shapely.area(shapely.make_valid(polys[flat])) == 0
    if flat.any():
        _ring_error(parsed, runs, idx[np.flatnonzero(flat)[0]], coords, path)
    parcel = runs.parcel[idx]
    counts = np.bincount(parcel, minlength=len(geoms))
    single = counts[parcel] == 1
    geoms[parcel[single]] = polys[single]
    for k in np.flatnonzero(counts > 1):
        geoms[k] = _assemble_polygon(polys[parcel == k])


def _ring_error(parsed, runs, r, coords, path):
    """Raise for ring (run) ``r``, which is too short or encloses no area."""
    name = parsed.parcels[runs.parcel[r]].parcel_no
    first_line = parsed.v_line[runs.start[r]]
    ring = coords[runs.start[r]:runs.stop[r]]
    corners = len(np.unique(ring, axis=0))
    if corners < 3:
        raise error("exchange.ring_few_vertices", path=path, line=first_line, ring=runs.ring[r], parcel=name,
                    hint="exchange.ring_corners")
    raise error("exchange.ring_collinear", path=path, line=first_line, ring=runs.ring[r], parcel=name,
                hint="exchange.ring_corners")


def _note_invalid_parcels(parsed: _Parsed, geoms, path, notes):
    """Warn, naming parcel and line, about polygons that are not valid (a bow-tie, rings that cross).

    They are kept as written, as every reader does; the commands that compute with them repair them in
    memory (shapely.make_valid) and ``ecogis validate`` reports them."""
    invalid = np.isin(shapely.get_type_id(geoms), (3, 6))
    invalid[invalid] = ~shapely.is_valid(geoms[invalid])
    for k in np.flatnonzero(invalid):
        parcel = parsed.parcels[k]
        say("exchange_invalid_parcel", notes, path=path, line=parcel.line, parcel=repr(parcel.parcel_no),
            reason=shapely.is_valid_reason(geoms[k]))


def _assemble_polygon(polys: np.ndarray):
    """Polygon or MultiPolygon from one parcel's ring polygons: a ring inside an odd number of the other
    rings is a hole of the innermost shell containing it; the others are shells (parts). Containment is
    tested on the repaired rings, so that a hole inside one loop of a bow-tie shell stays a hole."""
    repaired = shapely.make_valid(polys)
    container, contained = shapely.STRtree(repaired).query(repaired, predicate="contains")
    keep = container != contained
    container, contained = container[keep], contained[keep]
    depth = np.bincount(contained, minlength=len(polys))
    shells = np.flatnonzero(depth % 2 == 0)
    holes: dict[int, list[int]] = {int(i): [] for i in shells}
    for i in np.flatnonzero(depth % 2 == 1):
        parents = container[(contained == i) & (depth[container] % 2 == 0)]
        holes[int(parents[np.argmax(depth[parents])])].append(polys[i].exterior)
    parts = [shapely.Polygon(polys[i].exterior, holes[int(i)]) for i in shells]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
