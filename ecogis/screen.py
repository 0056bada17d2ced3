"""The screening engine: every site against every control layer, vectorised over (site, feature) pairs.

:func:`screen` returns plain tables (findings DataFrame, site table, zone summaries);
:func:`ecogis.check.check` reads the inputs and wraps them into a :class:`ecogis.check.CheckResult`.

Method (the same for one site and for a batch of 10⁵):

* Sites and layers are projected to the CGCS2000 3° Gauss-Kruger zone (no prefix) that contains the
  site's longitude (:func:`ecogis.crs.gk_crs_for_lon`); sites in different zones are processed per zone.
* Sites are screened in chunks (:data:`CHUNK_SITES`; the batch progress bar advances per chunk); each
  layer is projected and indexed once. Candidate pairs come from a shapely ``STRtree`` per layer
  (envelopes grown by the largest search distance), never from a loop over layer features; every
  geometric operation runs on the pair arrays, and findings stay columnar.
* Overlap geometries are intersections in that GK plane (a site wholly inside a feature is its own
  overlap); their **areas** are the official ellipsoidal area on the CGCS2000 ellipsoid
  (:func:`ecogis.geodesy.ellipsoidal_area`) and their **lengths** geodesic (:func:`ecogis.geodesy.geodesic_length`).
* **Distances** are geodesic metres on the CGCS2000 ellipsoid (``pyproj.Geod.inv``) between the two
  nearest points, which are found in the GK plane (``shapely.shortest_line``). The nearest feature
  beyond the search distance is found with an envelope-tree bound, then exact planar distances.
* Each finding gets the most specific rule from the rules file (one lookup per distinct case,
  :mod:`ecogis.screen_rules`).
* No GEOS test where a cheap bound decides (:mod:`ecogis.screen_bounds`): a pair whose envelopes or
  bounding circles are farther apart than the search radius gets no exact distance, one whose
  envelopes or circles do not meet no ``intersects``.
* ``relations="intersects"`` (``ecogis check --relations intersects``) computes the overlaps only:
  no buffers and no nearest feature, stated in the check's notes.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.crs import describe_crs, metric_crs
from ecogis.error_messages import error, phrase
from ecogis.geodesy import GEOD, convert_area, ellipsoidal_area, geodesic_length, gk_zone_for_lon
from ecogis.geodesy import GEOGRAPHIC_CRS as GEOGRAPHIC
from ecogis.kinds import zone_field
from ecogis.messages import register, say
from ecogis.rules import VERDICTS, RuleSet, site_uses, verdict_rank
from ecogis.screen_bounds import circle_gap, envelope_gap, grown_boxes, reach
from ecogis.screen_rules import _apply_rules

#: what screen() computes: every relation, or the overlaps only (no buffers, no nearest feature)
RELATIONS = ("all", "intersects")
NAME_FIELDS = ("name", "id", "名称", "NAME", "编号")
CHUNK_SITES = 5_000  # sites per chunk in screen(): bounds memory, one progress step each
GEOM_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                            "MultiPolygon", "GeometryCollection"], dtype=object)
FINDING_COLUMNS = ["site", "site_name", "layer", "kind", "feature", "zone", "relation", "overlap_area_m2",
                   "overlap_length_m", "share_of_site", "distance_m", "buffer_m", "verdict", "rule_id", "rule",
                   "basis", "rule_en"]

register({"overlaps_only": (
    "only overlaps were screened (relations=intersects): no buffer distances and no nearest feature; "
    "verdicts cover overlaps only, within-buffer rules were not applied (use relations=all for a full screening)",
    "仅筛查了重叠（--relations）：未计算缓冲区距离和最近要素；结论只反映重叠，未适用缓冲区规则"
    "（完整筛查请用 --relations all）")})


@dataclass
class ZoneSummary:
    """Overlap of the whole site (all parts, dissolved) with one zone of one layer (dissolved)."""

    layer: str
    kind: str
    zone: str | None
    features: int
    overlap_area_m2: float
    overlap_length_m: float
    share_of_site: float | None
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["overlap_area_ha"] = float(convert_area(self.overlap_area_m2, "ha"))
        d["overlap_area_mu"] = float(convert_area(self.overlap_area_m2, "mu"))
        return d


def feature_labels(gdf: gpd.GeoDataFrame, positions: Any) -> list[str]:
    """Label of each feature: its first name-like field, else ``#<1-based position>`` (whole columns)."""
    positions = np.asarray(positions, dtype=np.int64)
    fallback = pd.Series(positions + 1, dtype=np.int64).astype(str).radd("#")
    for col in NAME_FIELDS:
        if col in gdf.columns:
            vals = gdf[col].iloc[positions].reset_index(drop=True)
            text = vals.astype(str)
            ok = vals.notna() & (text.str.strip() != "")
            labels: list[str] = text.where(ok, fallback).tolist()
            return labels
    fallback_labels: list[str] = fallback.tolist()
    return fallback_labels


def screen(sites: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet,
           buffers_m: Sequence[float], *, site_use: object = None, summarise: bool = True, progress: bool = False,
           chunk_size: int | None = None,
           relations: str = "all") -> tuple[pd.DataFrame, pd.DataFrame, list[ZoneSummary]]:
    """Screen every site against every layer; vectorised over (site, feature) pairs from STRtrees.

    Sites are processed in chunks of ``chunk_size`` (default :data:`CHUNK_SITES`) against every layer;
    the progress bar (tqdm, stderr) advances per chunk of sites. Each layer is projected to the GK zone
    and indexed once per zone, not per chunk. All findings are kept in memory: for many sites use
    :func:`screen_chunks`, which hands each chunk over instead.

    ``relations="intersects"`` computes the overlapping pairs and their overlap areas/lengths only:
    no buffer search and no nearest feature (``buffers_m`` and within_buffer rules are then ignored).

    Returns ``(findings DataFrame, site table, zone summaries)``. Distances and lengths in geodesic
    metres, areas in m² (ellipsoidal), all on the CGCS2000 ellipsoid.
    """
    buffers_m = _checked_buffers(relations, buffers_m)
    frames, tables, zones = [], [], []
    bar = _progress_bar(len(sites), progress)
    try:
        for gk, part, lon, lat in _zone_parts(sites):
            indexed = _index_layers(layers, gk, ruleset, buffers_m, site_use, relations)
            chunks = list(_zone_chunks(part, lon, lat, gk, indexed, ruleset, buffers_m, site_use, bar,
                                       chunk_size or CHUNK_SITES))
            frame = pd.concat([fr for fr, _ in chunks], ignore_index=True)
            frames.append(frame)
            tables.append(pd.concat([tb for _, tb in chunks], ignore_index=True))
            if summarise:
                zones.extend(_zone_summaries_of_part(part, indexed, frame, gk, ruleset, site_use))
    finally:
        if bar is not None:
            bar.close()
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)
    return frame, pd.concat(tables, ignore_index=True), merge_zone_summaries(zones)


def screen_chunks(sites: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet,
                  buffers_m: Sequence[float], *, site_use: object = None, progress: bool = False,
                  chunk_size: int | None = None, relations: str = "all") -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Like :func:`screen` without zone summaries, yielding ``(findings DataFrame, site table)`` per chunk
    of at most ``chunk_size`` sites (default :data:`CHUNK_SITES`) instead of keeping them all: memory
    is bounded by one chunk's findings, whatever the number of sites. Each site is in exactly one chunk.
    """
    buffers_m = _checked_buffers(relations, buffers_m)
    bar = _progress_bar(len(sites), progress)
    try:
        for gk, part, lon, lat in _zone_parts(sites):
            indexed = _index_layers(layers, gk, ruleset, buffers_m, site_use, relations)
            yield from _zone_chunks(part, lon, lat, gk, indexed, ruleset, buffers_m, site_use, bar,
                                    chunk_size or CHUNK_SITES)
    finally:
        if bar is not None:
            bar.close()


def screened_buffers(relations: str, buffers_m: Sequence[float], notes: list[Any]) -> list[float]:
    """The buffer distances (m) a check with ``relations`` screens: none for overlaps only, which is
    then stated in ``notes`` (an assumption warning: the verdicts are not a full screening)."""
    if _checked_buffers(relations, buffers_m) == ():
        say("overlaps_only", notes)
        return []
    return list(buffers_m)


def _checked_buffers(relations: str, buffers_m: Sequence[float]) -> Sequence[float]:
    """The buffer distances to screen: none in the overlap-only mode; an unknown mode is an error."""
    if relations not in RELATIONS:
        raise error("scale.unknown_relations", field="relations", relations=repr(relations),
                    hint=phrase("scale.use_relations", choices=" or ".join(RELATIONS)))
    return () if relations == "intersects" else buffers_m


def _zone_parts(sites: gpd.GeoDataFrame) -> Iterator[tuple[pyproj.CRS, gpd.GeoDataFrame, np.ndarray, np.ndarray]]:
    """Per 3° GK zone of the site centres: ``(zone CRS, sites projected to it, centre lon, centre lat)``."""
    lon, lat = _site_centres(sites)
    zone_no = gk_zone_for_lon(lon)  # 3° zone n has central meridian 3n°E
    for zn in np.unique(zone_no):
        idx = np.flatnonzero(zone_no == zn)
        gk = metric_crs(zn * 3.0)
        part = sites.iloc[idx]
        yield gk, (part if part.crs == gk else part.to_crs(gk)), lon[idx], lat[idx]


def _site_centres(sites: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (EPSG:4490 degrees) of each site's centroid, taken in the site's own CRS: only
    the centre points are projected, not the geometries."""
    c = shapely.centroid(np.asarray(sites.geometry.values))
    x, y = shapely.get_x(c), shapely.get_y(c)
    if sites.crs is not None and pyproj.CRS(sites.crs) == GEOGRAPHIC:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lon, lat = _transformer(pyproj.CRS(sites.crs), GEOGRAPHIC).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@lru_cache(maxsize=32)
def _transformer(src: pyproj.CRS, dst: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def _progress_bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="screening sites", unit="site", file=sys.stderr, dynamic_ncols=True)


@dataclass
class _IndexedLayer:
    """One control layer projected to the analysis GK zone, with its STRtree and per-feature labels."""

    name: str
    kind: str
    gdf: gpd.GeoDataFrame  # the projected, non-empty features (original index kept)
    geoms: np.ndarray
    bounds: np.ndarray  # (n, 4) envelopes
    reach: np.ndarray  # (n,) largest distance (GK m) of a vertex from its envelope's centre: bounding circles
    tree: shapely.STRtree
    envelope_tree: shapely.STRtree  # of the feature envelopes (boxes), for cheap nearest-neighbour bounds
    labels: np.ndarray  # feature label per feature (str)
    zones: np.ndarray  # zone value per feature (str or None)
    search: float  # largest distance (geodesic m) any buffer or rule looks at
    radius: float  # planar search radius in the GK plane (m), with margin for the scale factor
    nearest: bool = True  # also find the nearest feature of each site (False: overlaps only)


def _index_layer(name: str, layer: gpd.GeoDataFrame, gk: pyproj.CRS, ruleset: RuleSet, buffers_m: Sequence[float],
                 site_use: object, relations: str = "all") -> _IndexedLayer | None:
    kind = layer.attrs.get("ecogis", {}).get("kind") or name
    lyr = layer if layer.crs == gk else layer.to_crs(gk)
    lyr = lyr.loc[~(shapely.is_missing(lyr.geometry.values) | shapely.is_empty(lyr.geometry.values))]
    if len(lyr) == 0:
        return None
    geoms = np.asarray(lyr.geometry.values)  # plain object arrays: no pandas ufunc overhead
    shapely.prepare(geoms)  # contains_properly, distances and nearest points against the same features
    zcol = zone_field(kind)  # the attribute that splits the kind into zones (ecogis.layers.KINDS)
    zones = np.full(len(lyr), None, dtype=object)
    if zcol in lyr.columns:
        vals = lyr[zcol].to_numpy(dtype=object)
        ok = pd.notna(vals)
        zones[ok] = vals[ok].astype(str)
    search = _search_distance(ruleset, kind, buffers_m, site_use) if relations == "all" else 0.0
    bounds = shapely.bounds(geoms)
    return _IndexedLayer(name=name, kind=kind, gdf=lyr, geoms=geoms, bounds=bounds, reach=reach(geoms, bounds),
                         tree=shapely.STRtree(geoms), envelope_tree=shapely.STRtree(shapely.envelope(geoms)),
                         labels=np.array(feature_labels(lyr, np.arange(len(lyr))), dtype=object), zones=zones,
                         # GK scale factor < 1.001 inside a 3° zone: planar >= geodesic / 1.001
                         search=search, radius=search * 1.002 + 1.0 if search > 0 else 0.0,
                         nearest=relations == "all")


def _index_layers(layers: dict[str, gpd.GeoDataFrame], gk: pyproj.CRS, ruleset: RuleSet, buffers_m: Sequence[float],
                  site_use: object, relations: str = "all") -> list[_IndexedLayer]:
    """Every non-empty layer projected to ``gk`` and indexed (once per GK zone)."""
    return [x for x in (_index_layer(n, g, gk, ruleset, buffers_m, site_use, relations)
                        for n, g in layers.items()) if x]


def _site_table(sites_gk: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, gk: pyproj.CRS) -> pd.DataFrame:
    """One row per site: id, name, geometry type, area (m², ellipsoidal), length (geodesic m), centre."""
    s_geoms = np.asarray(sites_gk.geometry.values)
    dims = shapely.get_dimensions(s_geoms)
    site_area = np.zeros(len(s_geoms))
    site_len = np.zeros(len(s_geoms))
    site_area[dims == 2] = ellipsoidal_area(s_geoms[dims == 2], gk)
    site_len[dims == 1] = geodesic_length(s_geoms[dims == 1], gk)
    table = pd.DataFrame({"id": sites_gk["id"].values, "name": sites_gk["name"].values,
                          "geometry_type": GEOM_TYPE_NAMES[shapely.get_type_id(s_geoms)], "area_m2": site_area,
                          "length_m": site_len, "lon": lon, "lat": lat})
    table["analysis_crs"] = describe_crs(gk) if gk.to_epsg() else gk.to_proj4()
    return table


def _zone_chunks(sites_gk: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, gk: pyproj.CRS,
                 indexed: list[_IndexedLayer], ruleset: RuleSet, buffers_m: Sequence[float], site_use: object,
                 bar: Any, chunk_size: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield ``(findings with rules, site table)`` per chunk of the sites of one GK zone."""
    for lo in range(0, len(sites_gk), chunk_size):
        hi = min(lo + chunk_size, len(sites_gk))
        chunk = sites_gk.iloc[lo:hi]
        table = _site_table(chunk, lon[lo:hi], lat[lo:hi], gk)
        s_geoms = np.asarray(chunk.geometry.values)
        site_area, site_len = table["area_m2"].to_numpy(), table["length_m"].to_numpy()
        ids, names = chunk["id"].to_numpy(dtype=object), chunk["name"].to_numpy(dtype=object)
        frames = [_findings_frame(lyr, _pairs_findings(lyr, s_geoms, gk, buffers_m, site_area, site_len),
                                  ids, names) for lyr in indexed]
        frames = [fr for fr in frames if len(fr)]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS[:-5])
        if bar is not None:
            bar.update(hi - lo)
        yield _apply_rules(frame, ruleset, site_use), table


def _zone_summaries_of_part(sites_gk: gpd.GeoDataFrame, indexed: list[_IndexedLayer], frame: pd.DataFrame,
                            gk: pyproj.CRS, ruleset: RuleSet, site_use: object) -> list[ZoneSummary]:
    """Zone summaries of the dissolved sites of one GK zone, with the verdict of each zone's rule."""
    site_union = shapely.union_all(np.asarray(sites_gk.geometry.values))
    summaries = []
    for lyr in indexed:
        summaries.extend(_zone_summaries(lyr, site_union, frame[frame["layer"] == lyr.name], gk))
    for z in summaries:
        rule = ruleset.match(z.kind, "intersects", zone=z.zone, site_use=site_use)
        z.verdict = rule.verdict if rule else VERDICTS[0]
    return summaries


def _search_distance(ruleset: RuleSet, kind: str, buffers_m: Sequence[float], site_use: object) -> float:
    """Largest distance (m) any buffer or applicable within_buffer rule looks at for this kind."""
    uses = site_uses(site_use)
    within = [r.within_m for r in ruleset.rules if r.kind == kind and r.relation == "within_buffer"
              and r.within_m and r.fits_use(uses)]
    return max([0.0, *buffers_m, *within])


#: pair findings as numpy columns (a scalar stands for a whole column)
Columns = dict[str, Any]

_PAIR_COLUMNS = ("_s", "_f", "relation", "overlap_area_m2", "overlap_length_m", "share_of_site", "distance_m",
                 "buffer_m")


def _pairs_findings(lyr: _IndexedLayer, s_geoms: np.ndarray, gk: pyproj.CRS, buffers_m: Sequence[float],
                    site_area: np.ndarray, site_len: np.ndarray) -> Columns:
    """Findings of sites ``s_geoms`` (GK) against one indexed layer, as numpy columns (no row objects).

    1. candidate pairs: STRtree envelope query with each site's envelope grown by the planar search
       radius (no exact distance in the tree; a feature within that distance always has such an envelope),
       then the envelope and bounding-circle gaps (lower bounds of the planar distance) in numpy;
    2. intersects: overlap area (official ellipsoidal, one call on all pieces) and length; a site wholly
       inside a feature is its own overlap piece (no overlay);
    3. other candidates: nearest points in the plane (shapely.shortest_line), geodesic distance for the
       pairs within the planar radius only; kept when the geodesic distance is within ``search``;
    4. nearest: from the pairs when one is within ``search``, else :func:`_nearest_features`.
    """
    f_geoms, search, radius = lyr.geoms, lyr.search, lyr.radius
    s_bounds = shapely.bounds(s_geoms)
    if search <= 0:  # no buffer: the tree's exact intersects test gives the overlapping pairs
        si, fi = lyr.tree.query(s_geoms, predicate="intersects")
        parts = [_overlap_columns(si, fi, s_geoms, f_geoms, gk, site_area, site_len)]
        if not lyr.nearest:  # overlaps only
            return _concat_columns(parts)
        return _with_nearest(lyr, s_geoms, s_bounds, gk, parts, np.zeros(0, np.int64), np.zeros(0, np.int64),
                             np.zeros(0))
    si, fi = lyr.tree.query(grown_boxes(s_bounds, radius))
    # no exact test where the envelopes or the bounding circles decide (both are lower bounds)
    gap = np.maximum(envelope_gap(s_bounds[si], lyr.bounds[fi]),
                     circle_gap(s_bounds[si], reach(s_geoms, s_bounds)[si], lyr.bounds[fi], lyr.reach[fi]))
    touch = np.flatnonzero(gap <= 0)
    hit = np.zeros(len(si), dtype=bool)
    hit[touch] = shapely.intersects(f_geoms[fi[touch]], s_geoms[si[touch]])  # prepared features first
    parts = [_overlap_columns(si[hit], fi[hit], s_geoms, f_geoms, gk, site_area, site_len)]
    # not touching, and the envelopes not farther apart than the radius: exact nearest points
    near = ~hit & (gap <= radius)
    ni, nj = si[near], fi[near]
    lines = shapely.shortest_line(f_geoms[nj], s_geoms[ni])  # prepared features first: faster
    near_plane = shapely.length(lines) <= radius
    ni, nj = ni[near_plane], nj[near_plane]
    dist = _geodesic_line_length(lines[near_plane], gk)
    keep = dist <= search
    d = dist[keep]
    parts.append({"_s": ni[keep], "_f": nj[keep], "relation": "within_buffer", "distance_m": d,
                  "buffer_m": _buffer_band(d, buffers_m)})
    return _with_nearest(lyr, s_geoms, s_bounds, gk, parts, ni, nj, dist)


def _with_nearest(lyr: _IndexedLayer, s_geoms: np.ndarray, s_bounds: np.ndarray, gk: pyproj.CRS,
                  parts: list[Columns], ni: np.ndarray, nj: np.ndarray, dist: np.ndarray) -> Columns:
    """``parts`` (overlaps, then pairs within the search distance: sites ``ni``, features ``nj``, geodesic
    ``dist``) with the nearest feature of every site appended, as one set of columns."""
    f_geoms, search = lyr.geoms, lyr.search
    # nearest: one feature per site, always reported. Among the candidate pairs when one lies within
    # the search distance (no feature outside the planar search radius can be nearer); else STRtree.
    ii = parts[0]["_s"]
    near_s, near_f, near_d = _nearest_of_pairs(np.r_[ii, ni], np.r_[parts[0]["_f"], nj],
                                               np.r_[np.zeros(len(ii)), dist], search)
    rest = np.setdiff1d(np.arange(len(s_geoms)), near_s)
    if len(rest):  # nothing within the search distance: nearest in the plane, then its geodesic distance
        rs, rf = _nearest_features(lyr, s_geoms, s_bounds, rest)
        rd = _geodesic_line_length(shapely.shortest_line(f_geoms[rf], s_geoms[rs]), gk)
        near_s, near_f, near_d = np.r_[near_s, rs], np.r_[near_f, rf], np.r_[near_d, rd]
    parts.append({"_s": near_s, "_f": near_f, "relation": "nearest", "distance_m": near_d})
    return _concat_columns(parts)


def _nearest_features(lyr: _IndexedLayer, s_geoms: np.ndarray, s_bounds: np.ndarray,
                      which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest feature (planar distance in the GK plane) of each site ``which``, exactly, in three array steps:

    1. the feature with the nearest *envelope* (STRtree of the feature envelopes: cheap distances);
    2. the site's distance to that feature bounds the answer from above;
    3. every feature whose envelope lies within that bound is a candidate; the smallest exact distance wins.
    """
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
                     site_area: np.ndarray, site_len: np.ndarray) -> Columns:
    """Overlap area (polygons, m², official ellipsoidal) and length (lines, geodesic m) of intersecting pairs."""
    n = len(ii)
    area = np.zeros(n)
    length = np.zeros(n)
    if n:
        # a site part wholly inside a feature overlaps by itself: no overlay, its area is known (only
        # a site whose envelope lies in the feature's can be inside it)
        sb, fb = shapely.bounds(s_geoms[ii]), shapely.bounds(f_geoms[jj])
        may = np.flatnonzero(np.all(sb[:, :2] >= fb[:, :2], axis=1) & np.all(sb[:, 2:] <= fb[:, 2:], axis=1))
        inside = np.zeros(n, dtype=bool)
        inside[may] = shapely.contains_properly(f_geoms[jj[may]], s_geoms[ii[may]])
        area[inside] = site_area[ii[inside]]
        pieces = s_geoms[ii].copy()
        cut = np.flatnonzero(~inside)
        pieces[cut] = shapely.intersection(s_geoms[ii[cut]], f_geoms[jj[cut]])
        area[cut] = _areas(pieces[cut], gk)
        flat = np.flatnonzero(area <= 0)  # lines, points, or polygons touching along an edge
        if len(flat):
            lineal = _lineal(pieces[flat])
            length[flat] = geodesic_length(lineal, gk) if np.any(lineal != None) else 0.0  # noqa: E711
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
        vals = []
        for p, n in zip(parts, sizes):
            v = p.get(col, np.nan)
            vals.append(np.full(n, v, dtype=object if isinstance(v, str) else float) if np.ndim(v) == 0
                        else np.asarray(v))
        out[col] = np.concatenate(vals) if vals else np.zeros(0)
    out["_s"] = out["_s"].astype(np.int64)
    out["_f"] = out["_f"].astype(np.int64)
    return out


def _findings_frame(lyr: _IndexedLayer, cols: Columns, site_ids: np.ndarray, site_names: np.ndarray) -> pd.DataFrame:
    """A layer's findings as a DataFrame from the pair columns (site/feature labels by indexing)."""
    s, f = cols["_s"], cols["_f"]
    fr = pd.DataFrame({"site": site_ids[s], "site_name": site_names[s], "layer": lyr.name, "kind": lyr.kind,
                       "feature": lyr.labels[f], "zone": lyr.zones[f], **cols})
    fr["_feature_index"] = lyr.gdf.index.values[f]
    return fr


def _nearest_of_pairs(si: np.ndarray, fi: np.ndarray, dist: np.ndarray,
                      search: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site, the pair with the smallest distance, kept only when that distance is within ``search``."""
    if len(si) == 0:
        return si, fi, dist
    order = np.lexsort((dist, si))
    first = order[np.r_[True, si[order][1:] != si[order][:-1]]]
    first = first[dist[first] <= search]
    return si[first], fi[first], dist[first]


def _lineal(geoms: np.ndarray) -> np.ndarray:
    """Line parts of each geometry (points and polygons dropped): for overlap lengths."""
    types = shapely.get_type_id(geoms)
    # numpy's stubs reject None as the fill value of np.where; here it is the object array's missing geometry
    out: np.ndarray = np.where(np.isin(types, (1, 2, 5)), geoms, None)  # type: ignore[call-overload]
    coll = np.flatnonzero(types == 7)
    for k in coll:  # rare: mixed intersections such as a line touching a polygon edge
        parts = [p for p in shapely.get_parts(geoms[k]) if shapely.get_type_id(p) in (1, 2)]
        out[k] = shapely.multilinestrings(parts) if parts else None
    return out


def _geodesic_line_length(lines: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Geodesic distance (m) between the two end points of each two-point line (projected ``crs``)."""
    if len(lines) == 0:
        return np.zeros(0)
    xy = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    lon, lat = _transformer(pyproj.CRS(crs), GEOGRAPHIC).transform(xy[:, :, 0], xy[:, :, 1])
    _, _, dist = GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    return np.asarray(dist, dtype=float)


def _buffer_band(dist: np.ndarray, buffers_m: Sequence[float]) -> np.ndarray:
    """The smallest buffer distance that contains each distance (NaN beyond the largest)."""
    b = np.asarray(sorted(buffers_m), dtype=float)
    if len(b) == 0:
        return np.full(len(dist), np.nan)
    k = np.searchsorted(b, dist, side="left")
    return np.where(k < len(b), b[np.minimum(k, len(b) - 1)], np.nan)


def _zone_summaries(lyr: _IndexedLayer, site_union: shapely.Geometry, fr: pd.DataFrame,
                    gk: pyproj.CRS) -> list[ZoneSummary]:
    """Per zone: the dissolved site (``site_union``, GK) against the dissolved zone features (no double
    counting); areas m² (official ellipsoidal), lengths geodesic m."""
    hits = fr[fr["relation"] == "intersects"]
    if len(hits) == 0:
        return []
    total_area = float(ellipsoidal_area([site_union], gk)[0]) if shapely.get_dimensions(site_union) == 2 else 0.0
    total_len = float(geodesic_length([site_union], gk)[0]) if shapely.get_dimensions(site_union) == 1 else 0.0
    out = []
    for zone, grp in hits.groupby(hits["zone"].fillna("\0"), sort=True):
        feats = np.unique(grp["_f"].values)
        inter = shapely.intersection(site_union, shapely.union_all(lyr.geoms[feats]))
        area = float(ellipsoidal_area([inter], gk)[0]) if total_area > 0 else 0.0
        length = float(geodesic_length(_lineal(np.array([inter], dtype=object)), gk)[0])
        share = area / total_area if total_area > 0 else (length / total_len if total_len > 0 else None)
        out.append(ZoneSummary(layer=lyr.name, kind=lyr.kind, zone=None if zone == "\0" else zone, features=len(feats),
                               overlap_area_m2=area, overlap_length_m=length, share_of_site=share,
                               verdict=VERDICTS[0]))
    return out


def merge_zone_summaries(zones: list[ZoneSummary]) -> list[ZoneSummary]:
    """One summary per layer and zone: the parts of sites screened apart (GK zones, uses) added up."""
    merged: dict[tuple[str, str | None], ZoneSummary] = {}
    for z in zones:
        key = (z.layer, z.zone)
        if key in merged:  # sites in two GK zones: add the parts (shares are then not meaningful)
            m = merged[key]
            m.features += z.features
            m.overlap_area_m2 += z.overlap_area_m2
            m.overlap_length_m += z.overlap_length_m
            m.share_of_site = None
            m.verdict = max(m.verdict, z.verdict, key=verdict_rank)  # parts screened for different uses
        else:
            merged[key] = z
    return list(merged.values())
