"""The control layers of a screening, each projected to one GK zone and indexed once per zone
(:class:`IndexedLayer`): the features' STRtrees, envelopes, bounding circles and polygon edges, labels and zones.
:mod:`ecogis.screen` builds them; :mod:`ecogis.screen_pairs` screens chunks of sites against them."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.geodesy import cached_transformer
from ecogis.kinds import zone_field
from ecogis.layer_cache import derived
from ecogis.layer_info import LayerInfo
from ecogis.overlay import valid_in_plane
from ecogis.rules import RuleSet, site_uses
from ecogis.screen_bounds import reach
from ecogis.screen_clip import EdgeIndex, edge_index

NAME_FIELDS = ("name", "id", "名称", "NAME", "编号")


def feature_labels(gdf: gpd.GeoDataFrame, positions: Any) -> list[str]:
    """Label of each feature: its first name-like field, else ``#<1-based position>`` (whole columns)."""
    positions = np.asarray(positions, dtype=np.int64)
    for col in NAME_FIELDS:
        if col in gdf.columns:
            return _labels_of(gdf[col], positions)
    return [f"#{p + 1}" for p in positions.tolist()]


def _labels_of(column: pd.Series, positions: np.ndarray) -> list[str]:
    """The values at ``positions`` of a name-like column as text, ``#<position + 1>`` where missing or blank.
    Text, integer, float and boolean columns in plain Python (the text of a value is ``str(value)``, as
    pandas' ``astype(str)`` gives it); other columns (dates ...) through pandas."""
    if column.dtype == object or column.dtype.kind in "iufb" or isinstance(column.dtype, pd.StringDtype):
        values = column.to_numpy(dtype=object)[positions].tolist()
        out = []
        for p, v in zip(positions.tolist(), values):
            text = None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
            out.append(text if text is not None and text.strip() != "" else f"#{p + 1}")
        return out
    fallback = pd.Series(positions + 1, dtype=np.int64).astype(str).radd("#")
    vals = column.iloc[positions].reset_index(drop=True)
    text = vals.astype(str)
    ok = vals.notna() & (text.str.strip() != "")
    labels: list[str] = text.where(ok, fallback).tolist()
    return labels


@dataclass
class IndexedLayer:
    """One control layer projected to the analysis GK zone, with its STRtree and per-feature labels."""

    name: str
    kind: str
    index: np.ndarray  # the layer's index label of each projected, non-empty feature (its row in the layer)
    geoms: np.ndarray
    bounds: np.ndarray  # (n, 4) envelopes
    reach: np.ndarray  # (n,) largest distance (GK m) of a vertex from its envelope's centre: bounding circles
    tree: shapely.STRtree
    envelope_tree: shapely.STRtree | None  # of the feature envelopes (boxes), for cheap nearest-neighbour
    # bounds (None for overlaps only: no nearest feature)
    labels: np.ndarray  # feature label per feature (str)
    zones: np.ndarray  # zone value per feature (str or None)
    search: float  # largest distance (geodesic m) any buffer or rule looks at
    radius: float  # planar search radius in the GK plane (m), with margin for the scale factor
    nearest: bool = True  # also find the nearest feature of each site (False: overlaps only)
    edges: EdgeIndex | None = None  # the polygon edges, for overlaps without a GEOS overlay (ecogis.screen_clip)


@dataclass
class LayerArrays:
    """What indexing a layer in one GK zone computes from the layer alone (kept in the layer cache,
    :func:`ecogis.layer_cache.derived`): the non-empty features projected to the zone, as plain arrays."""

    index: np.ndarray  # the layer's index label of each feature kept
    geoms: np.ndarray  # the features in the GK plane (not prepared)
    bounds: np.ndarray
    reach: np.ndarray
    labels: np.ndarray
    zones: np.ndarray
    edges: EdgeIndex

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the edges' GK -> geographic transformer (:func:`index_layer` gives them the one
        of the zone and thread, :func:`ecogis.geodesy.cached_transformer`, instead of one per layer)."""
        return dict(self.__dict__, edges=replace(self.edges, to_geo=None))  # type: ignore[arg-type]


def layer_arrays(layer: gpd.GeoDataFrame, kind: str, gk: pyproj.CRS) -> LayerArrays | None:
    """The non-empty features of ``layer`` projected to ``gk`` with their envelopes, bounding circles,
    labels, zone values (the kind's zone field) and polygon edges; None when no feature has a geometry.
    A feature the projection made invalid is rebuilt valid (:func:`ecogis.overlay.valid_in_plane`)."""
    geoms = np.asarray(layer.geometry.values)
    keep = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if len(keep) == 0:
        return None
    lyr = layer.iloc[keep]
    lyr = lyr if lyr.crs == gk else lyr.to_crs(gk)
    geoms = valid_in_plane(np.asarray(lyr.geometry.values))  # plain object arrays: no pandas ufunc overhead
    zcol = zone_field(kind)  # the attribute that splits the kind into zones (ecogis.layers.KINDS)
    zones = np.full(len(lyr), None, dtype=object)
    if zcol in lyr.columns:
        vals = lyr[zcol].to_numpy(dtype=object)
        ok = pd.notna(vals)
        zones[ok] = vals[ok].astype(str)
    bounds = shapely.bounds(geoms)
    return LayerArrays(index=lyr.index.to_numpy(), geoms=geoms, bounds=bounds, reach=reach(geoms, bounds),
                       labels=np.array(feature_labels(lyr, np.arange(len(lyr))), dtype=object), zones=zones,
                       edges=edge_index(geoms, gk))


def index_layer(name: str, layer: gpd.GeoDataFrame, gk: pyproj.CRS, ruleset: RuleSet, buffers_m: Sequence[float],
                 site_use: object, relations: str = "all") -> IndexedLayer | None:
    """``layer`` projected to ``gk`` and indexed for screening; None when it has no non-empty feature.
    The arrays that depend on the layer alone (:func:`layer_arrays`) come from the layer cache when
    the layer does (read by :meth:`ecogis.project.LayerSpec.read`)."""
    kind = LayerInfo.of(layer).kind or name
    arrays = derived("screen-index", layer, {"kind": kind, "gk": gk.to_wkt(), "features": len(layer),
                                             "columns": list(map(str, layer.columns))},
                     lambda: layer_arrays(layer, kind, gk))
    if arrays is None:
        return None
    edges = arrays.edges if arrays.edges.to_geo is not None else replace(arrays.edges, to_geo=cached_transformer(gk))
    geoms = arrays.geoms
    shapely.prepare(geoms)  # contains_properly, distances and nearest points against the same features
    search = search_distance(ruleset, kind, buffers_m, site_use) if relations == "all" else 0.0
    envelopes = shapely.STRtree(shapely.envelope(geoms)) if relations == "all" else None
    return IndexedLayer(name=name, kind=kind, index=arrays.index, geoms=geoms, bounds=arrays.bounds,
                         reach=arrays.reach, tree=shapely.STRtree(geoms), envelope_tree=envelopes,
                         labels=arrays.labels, zones=arrays.zones,
                         # GK scale factor < 1.001 inside a 3° zone: planar >= geodesic / 1.001
                         search=search, radius=search * 1.002 + 1.0 if search > 0 else 0.0,
                         nearest=relations == "all", edges=edges)


def index_layers(layers: dict[str, gpd.GeoDataFrame], gk: pyproj.CRS, ruleset: RuleSet, buffers_m: Sequence[float],
                  site_use: object, relations: str = "all") -> list[IndexedLayer]:
    """Every non-empty layer projected to ``gk`` and indexed (once per GK zone; kept between calls inside
    :func:`reusing_indexes`)."""
    cache = getattr(_REUSE, "cache", None)
    if cache is None:
        return [x for x in (index_layer(n, g, gk, ruleset, buffers_m, site_use, relations)
                            for n, g in layers.items()) if x]
    out = []
    for name, layer in layers.items():
        key = (name, gk.to_wkt(), relations)
        if key not in cache:
            cache[key] = index_layer(name, layer, gk, ruleset, buffers_m, site_use, relations)
        if cache[key] is not None:   # the same features; the search distance is this call's
            search = search_distance(ruleset, cache[key].kind, buffers_m, site_use) if relations == "all" else 0.0
            out.append(replace(cache[key], search=search, radius=search * 1.002 + 1.0 if search > 0 else 0.0))
    return out


_REUSE = threading.local()


@contextmanager
def reusing_indexes(cache: dict[Any, Any]) -> Iterator[dict[Any, Any]]:
    """Inside the block, layers projected and indexed (STRtrees, prepared geometries) are kept in ``cache``
    by layer name, GK zone and relations, and reused: for a caller that checks site after site against the
    same layers (``ecogis serve``). This thread only (prepared geometries are not thread-safe): give each
    thread its own dict, and a new one when the layers change."""
    _REUSE.cache = cache
    try:
        yield cache
    finally:
        _REUSE.cache = None


def search_distance(ruleset: RuleSet, kind: str, buffers_m: Sequence[float], site_use: object) -> float:
    """Largest distance (m) any buffer or applicable within_buffer rule looks at for this kind."""
    uses = site_uses(site_use)
    within = [r.within_m for r in ruleset.rules if r.kind == kind and r.relation == "within_buffer"
              and r.within_m and r.fits_use(uses)]
    return max([0.0, *buffers_m, *within])
