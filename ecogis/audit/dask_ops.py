"""Audit checks on a Dask cluster (spec key ``engine: dask``, or ``ecogis audit --engine dask``): the
heavy step of ``count_in_zones``, ``within_distance`` and the dissolved ``area_share`` total split into
tasks, with the results of the in-process checks.

* points in zones: the points in ``PARTS_PER_WORKER × workers`` slices, the zones sent once to every
  worker (``scatter(broadcast=True)``); per slice the (point, zone) pairs are counted by zone and the
  points in some zone; the sums are the in-process counts, exactly.
* features within a distance: the features of ``layer`` in slices, the ``near`` layer (in the same
  Gauss-Kruger plane as in process) broadcast; each slice's candidate pairs and geodesic distances are
  those of the in-process function (:func:`ecogis.audit.pairs.pairs_within`), in input order.
* dissolved area: dask-geopandas ``dissolve``: every worker dissolves a slice of the features, the partial
  unions are then dissolved in a tree (dask's reduction); the main process receives the dissolved layer
  only and measures it (and its part inside the boundary) as in process. A breakdown ``by`` a field
  is the same dissolve grouped by the field (one union per value, combined across the slices); ``by:
  districts`` cuts the dissolved layer by the districts, as in process. (Cutting the layer into tiles and summing their
  areas would add vertices on the tile edges, which moves the official ellipsoidal area by about 10⁻⁵:
  not the in-process figure.)

The client comes from :func:`ecogis.engine_dask.open_client` (``scheduler`` key, else a LocalCluster of
``workers`` processes, one thread each).
"""
from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

#: the spec keys of the Dask path, taken by every check type that has one
DASK_KEYS = {"engine": None, "scheduler": None, "workers": int}
ENGINES = ("local", "dask")
PARTS_PER_WORKER = 4


def use_dask(ctx: Any) -> bool:
    """True when the check (or the spec's defaults) says ``engine: dask``; an unknown engine is an error."""
    from ecogis.error_messages import phrase

    engine = ctx.get("engine") or "local"
    if engine not in ENGINES:
        raise ctx.error("engine", phrase("scale.unknown_audit_engine", engine=repr(engine)))
    return engine == "dask"


def client_for(stack: ExitStack, ctx: Any) -> Any:
    """A Dask client for the check ``ctx`` (keys ``scheduler``, ``workers``: default 2), closed with ``stack``."""
    from ecogis.engine_dask import open_client

    return open_client(stack, ctx.get("scheduler"), ctx.get("workers", 2, kind=int))


def _slices(n: int, client: Any) -> list[np.ndarray]:
    workers = max(sum(client.nthreads().values()), 1)
    return [s for s in np.array_split(np.arange(n), min(n, PARTS_PER_WORKER * workers)) if len(s)]


# --------------------------------------------------------------------------------------------------
# points in zones

def _zone_hits(zones: tuple, points: np.ndarray) -> tuple[Counter, int]:
    geoms, names = zones
    p_idx, z_idx = shapely.STRtree(geoms).query(points, predicate="intersects")
    return Counter(names[z_idx].tolist()), int(len(np.unique(p_idx)))


def zone_counts(client: Any, points: np.ndarray, zone_geoms: np.ndarray, zone_names: np.ndarray) -> tuple[Counter, int]:
    """``(points per zone name, points outside every zone)`` of ``points`` (geometries in the zones' CRS):
    a point in two zones counts in both, as in process."""
    zones = client.scatter((zone_geoms, zone_names), broadcast=True)
    futures = [client.submit(_zone_hits, zones, points[s], pure=False) for s in _slices(len(points), client)]
    counts: Counter = Counter()
    inside = 0
    for part, hit in client.gather(futures):
        counts.update(part)
        inside += hit
    return counts, len(points) - inside


# --------------------------------------------------------------------------------------------------
# features within a distance

def _pairs_part(near: np.ndarray, a: np.ndarray, offset: int, plane: Any, distance_m: float) -> tuple:
    from ecogis.audit.pairs import pairs_within

    ia, ib, d = pairs_within(a, near, plane, distance_m)
    return ia + offset, ib, d


def within_pairs(client: Any, a: np.ndarray, b: np.ndarray, plane: Any, distance_m: float) -> tuple:
    """``(i, j, geodesic m)`` candidate pairs of ``a`` and ``b`` (geometries in the GK plane ``plane``),
    as :func:`ecogis.audit.pairs.pairs_within` gives them for the whole of ``a``."""
    near = client.scatter(b, broadcast=True)
    futures = [client.submit(_pairs_part, near, a[s], int(s[0]), plane, distance_m, pure=False)
               for s in _slices(len(a), client)]
    parts = client.gather(futures)
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


# --------------------------------------------------------------------------------------------------
# dissolved area

def dissolved_union(client: Any, geoms: np.ndarray, crs: Any, keys: np.ndarray | None = None) -> Any:
    """The union of polygons ``geoms`` (in ``crs``) by dask-geopandas ``dissolve`` on the cluster (each
    partition of features dissolved by a worker, then the partial unions in a reduction tree): one
    geometry, or with ``keys`` (one text per feature) a dict key -> union of that key's features."""
    import dask_geopandas

    frame = gpd.GeoDataFrame({"_key": keys if keys is not None else np.zeros(len(geoms), np.int64)},
                             geometry=geoms, crs=crs)
    parts = dask_geopandas.from_geopandas(frame, npartitions=len(_slices(len(geoms), client)))
    dissolved = parts.dissolve(by="_key").compute()
    if keys is None:
        return np.asarray(dissolved.geometry.values, dtype=object)[0]
    return dict(zip(dissolved.index.astype(str), np.asarray(dissolved.geometry.values, dtype=object)))


def dissolved_area(client: Any, geoms: np.ndarray, crs: Any, method: str, *, within: Any = None,
                   plane_crs: Any = None) -> tuple[float, float | None]:
    """``(dissolved area m², dissolved area inside ``within`` m² or None)`` of polygons ``geoms`` (in
    ``crs``) by ``method`` (:func:`ecogis.area.area`), the union from :func:`dissolved_union`."""
    from ecogis import area as A

    union = np.array([dissolved_union(client, geoms, crs)], dtype=object)
    kw = {} if plane_crs is None else {"plane_crs": plane_crs}
    total = float(A.area(union, crs, method, **kw)[0])
    if within is None:
        return total, None
    return total, float(A.area(np.array([shapely.intersection(union[0], within)], dtype=object), crs, method, **kw)[0])


def field_groups(client: Any, gdf: Any, geoms: np.ndarray, rows: np.ndarray, by: str, base: Any,
                 share_of_m2: float, measure: Any, unit: str, path: Any) -> tuple[list, str]:
    """The groups of a breakdown by the field ``by`` as :func:`ecogis.area._breakdown` gives them (in order
    of first appearance, missing values as "(空)", each group's union clipped to ``base`` when given, shares
    of ``share_of_m2``, the boundary's or the dissolved total's area): the unions per group dissolved on the
    cluster (``geoms``: the polygons of ``gdf`` from its rows ``rows``)."""
    import pandas as pd

    from ecogis import area as A
    from ecogis.error_messages import error

    if by not in gdf.columns:
        raise error("area.no_by_field", path=path, field=by, by=repr(by), fields=", ".join(map(str, gdf.columns)),
                    hint="area.pick_by")
    keys = gdf[by].where(gdf[by].notna(), "(空)").astype(str).to_numpy()[rows]
    names = pd.unique(keys)  # groups in order of first appearance
    by_key = dissolved_union(client, geoms, gdf.crs, keys)
    unions = np.array([by_key[str(k)] for k in names], dtype=object)
    if base is not None:
        unions = shapely.intersection(unions, base)
    group_m2 = measure(unions) if len(unions) else np.zeros(0)
    groups = [A.AreaGroup(str(k), float(a), 100.0 * a / share_of_m2 if share_of_m2 > 0 else None, unit)
              for k, a in zip(names, group_m2)]
    return groups, ("boundary" if base is not None else "total")


def layer_area(client: Any, gdf: Any, *, method: str = "ellipsoid", unit: str = "km2", within: Any = None,
               within_label: Any = None, by: str | None = None, districts: Any = None, declared: float | None = None,
               declared_share: float | None = None, boundary_area: float | None = None,
               boundary_area_source: str | None = None) -> Any:
    """:func:`ecogis.area.layer_area` with the dissolves on the cluster (:func:`dissolved_union`): the
    same :class:`ecogis.area.AreaResult` fields, groups (``by`` a field or ``"districts"``) and notes."""
    from ecogis import area as A
    from ecogis.layer_info import LayerInfo
    from ecogis.messages import note
    from ecogis.notes import Notes

    unit = A.normalise_unit(unit)
    A.method_label(method)
    crs, info = gdf.crs, LayerInfo.of(gdf)
    geoms, rows = A.polygon_geometries(gdf, path=info.path, return_index=True)
    plane = None
    if method == "plane":
        plane = crs if crs.is_projected else A.default_plane_crs(geoms, crs)
    kw = {} if plane is None else {"plane_crs": plane}

    def measure(g: Any) -> np.ndarray:
        return A.area(np.atleast_1d(np.asarray(g, dtype=object)), crs, method, **kw)

    base = None if within is None else shapely.union_all(
        A.polygon_geometries(A.boundary_in_crs(within, crs), what="boundary"))
    dissolved = dissolved_union(client, geoms, crs)
    dissolved_m2, raw_m2 = float(measure(dissolved)[0]), float(measure(geoms).sum())
    labels = A._kind_labels(info.kind)
    result = A.AreaResult(unit=unit, method=method, crs=A.crs_label(crs), area_m2=dissolved_m2, layer=info.path,
                          label=labels[0], label_en=labels[1], features=len(geoms),
                          plane_crs=None if plane is None else A.crs_label(plane),
                          overlap_removed_m2=max(raw_m2 - dissolved_m2, 0.0), sum_of_features_m2=raw_m2,
                          notes=Notes(info.notes))
    if method == "plane":
        result.notes.append(note("area_plane_only", severity="info", crs=result.plane_crs))
    if base is not None:
        dissolved = A._clip_to_boundary(result, dissolved, base, within_label, measure)
        if boundary_area is not None:
            A._share_of_published_area(result, float(boundary_area), boundary_area_source or "given")
    if by == "districts":  # the districts cut the dissolved layer: no further union
        result.by = by
        result.groups, result.share_of = A._breakdown(gdf, geoms, rows, dissolved, base, by, districts, crs, measure,
                                                      unit, info.path)
    elif by:
        result.by = by
        share_of_m2 = result.boundary_area_m2 if result.boundary_area_m2 is not None else dissolved_m2
        result.groups, result.share_of = field_groups(client, gdf, geoms, rows, by, base, share_of_m2, measure, unit,
                                                      info.path)
    if by:
        A._note_overlapping_groups(result)
    A._compare_with_declared(result, declared, declared_share)
    return result
