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
  nearest points, which are found in the GK plane (the points ``shapely.shortest_line`` gives; in numpy
  over the layer's edges for small convex sites, :mod:`ecogis.screen_near`). The nearest feature
  beyond the search distance is found with an envelope-tree bound, then exact planar distances.
* Each finding gets the most specific rule from the rules file (one lookup per distinct case,
  :mod:`ecogis.screen_rules`).
* No GEOS test where a cheap bound decides (:mod:`ecogis.screen_bounds`): a pair whose envelopes or
  bounding circles are farther apart than the search radius gets no exact distance, one whose
  envelopes or circles do not meet no ``intersects``.
* No GEOS overlay for a small convex site against a polygon (:mod:`ecogis.screen_clip`): its edges
  are clipped in numpy and the official area summed edge by edge (equal to the GEOS piece's official
  area to 1e-9); GEOS decides every pair the clipping cannot (touching, other site shapes).
* Modules: layers indexed per zone (:mod:`ecogis.screen_index`), the pair findings
  (:mod:`ecogis.screen_pairs`), zone summaries (:mod:`ecogis.screen_zones`), rules
  (:mod:`ecogis.screen_rules`), what the overlap-only mode leaves unevaluated (:mod:`ecogis.screen_scope`).
* ``relations="intersects"`` (``ecogis check --relations intersects``) computes the overlaps only:
  no buffers and no nearest feature, stated in the check's notes.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.crs import describe_crs, metric_crs
from ecogis.error_messages import error, phrase
from ecogis.geodesy import GEOGRAPHIC_CRS as GEOGRAPHIC
from ecogis.geodesy import cached_transformer, ellipsoidal_area, geodesic_length, gk_zone_for_lon
from ecogis.messages import register, say
from ecogis.rules import RuleSet
from ecogis.screen_frame import findings_frame
from ecogis.screen_index import IndexedLayer, feature_labels, index_layers, search_distance
from ecogis.screen_pairs import pairs_findings
from ecogis.screen_rules import _apply_rules
from ecogis.screen_zones import ZoneSummary, merge_zone_summaries, zone_summaries_of_part

__all__ = ["CHUNK_SITES", "FINDING_COLUMNS", "RELATIONS", "ZoneSummary", "feature_labels", "merge_zone_summaries",
           "screen", "screen_chunks", "screened_buffers"]
_search_distance = search_distance  # the name the rules tests use

#: what screen() computes: every relation, or the overlaps only (no buffers, no nearest feature)
RELATIONS = ("all", "intersects")
CHUNK_SITES = 5_000  # sites per chunk in screen(): bounds memory, one progress step each
GEOM_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                            "MultiPolygon", "GeometryCollection"], dtype=object)
FINDING_COLUMNS = ["site", "site_name", "layer", "kind", "feature", "zone", "relation", "overlap_area_m2",
                   "overlap_length_m", "share_of_site", "distance_m", "buffer_m", "verdict", "rule_id", "rule",
                   "basis", "rule_en"]

register({"overlaps_only": (
    "only overlaps were screened (relations=intersects): only overlaps computed, no buffer distances and no "
    "nearest feature; the within-buffer rules were not evaluated, so a site without a worse finding is "
    "无法判定 (undetermined), not 符合, for every layer with such a rule (use relations=all for a full screening)",
    "仅筛查了重叠（--relations）：只计算了重叠，未计算缓冲区距离和最近要素；缓冲区规则未评估，"
    "凡有缓冲区规则的图层，没有更严重发现的场址结论为无法判定，而非符合（完整筛查请用 --relations all）")})


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
            indexed = index_layers(layers, gk, ruleset, buffers_m, site_use, relations)
            chunks = list(_zone_chunks(part, lon, lat, gk, indexed, ruleset, buffers_m, site_use, bar,
                                       chunk_size or CHUNK_SITES))
            frame = pd.concat([fr for fr, _ in chunks], ignore_index=True)
            frames.append(frame)
            tables.append(pd.concat([tb for _, tb in chunks], ignore_index=True))
            if summarise:
                zones.extend(zone_summaries_of_part(part, indexed, frame, gk, ruleset, site_use))
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
            indexed = index_layers(layers, gk, ruleset, buffers_m, site_use, relations)
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
    if sites.crs is not None and pyproj.CRS.from_user_input(sites.crs) == GEOGRAPHIC:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lon, lat = cached_transformer(pyproj.CRS.from_user_input(sites.crs), GEOGRAPHIC).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _progress_bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="screening sites", unit="site", file=sys.stderr, dynamic_ncols=True)


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
                 indexed: list[IndexedLayer], ruleset: RuleSet, buffers_m: Sequence[float], site_use: object,
                 bar: Any, chunk_size: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield ``(findings with rules, site table)`` per chunk of the sites of one GK zone."""
    for lo in range(0, len(sites_gk), chunk_size):
        hi = min(lo + chunk_size, len(sites_gk))
        chunk = sites_gk.iloc[lo:hi]
        table = _site_table(chunk, lon[lo:hi], lat[lo:hi], gk)
        s_geoms = np.asarray(chunk.geometry.values)
        site_area, site_len = table["area_m2"].to_numpy(), table["length_m"].to_numpy()
        ids, names = chunk["id"].to_numpy(dtype=object), chunk["name"].to_numpy(dtype=object)
        found = [(lyr, pairs_findings(lyr, s_geoms, gk, buffers_m, site_area, site_len)) for lyr in indexed]
        frame = findings_frame(found, ids, names)
        if frame is None:
            frame = pd.DataFrame(columns=FINDING_COLUMNS[:-5])
        if bar is not None:
            bar.update(hi - lo)
        yield _apply_rules(frame, ruleset, site_use), table
