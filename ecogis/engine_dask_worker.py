"""What a Dask worker holds and runs for ``--engine dask`` (:mod:`ecogis.engine_dask`): the prepared control
layers (a worker plugin, sent once per worker) and the task that screens one partition of sites.

Needs the optional extra ``[dask]``; imported only by :mod:`ecogis.engine_dask` once it is known to be there.
"""
from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from distributed import WorkerPlugin, get_worker

from ecogis.batch_pool import SLIM_COLUMNS
from ecogis.crs import metric_crs
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.rules import RuleSet
from ecogis.screen import screen_chunks


class PreparedLayers(WorkerPlugin):
    """The batch's layers, rules and buffers, held by every worker (a ``distributed`` worker plugin): sent
    once per worker, projected to a GK zone and prepared once per worker thread and zone."""

    def __init__(self, name: str, layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet,
                 buffers_m: list[float], build: Callable | None, relations: str):
        self.name = name
        self.layers, self.ruleset, self.buffers_m = layers, ruleset, buffers_m
        self.build, self.relations = build, relations
        self._prepared: dict[tuple[int, int], dict[str, gpd.GeoDataFrame]] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_prepared", "_lock")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _prepared={}, _lock=threading.Lock())

    def setup(self, worker: Any) -> None:
        """Called by distributed when the plugin reaches a worker (nothing to do until the first task)."""

    def teardown(self, worker: Any) -> None:
        self._prepared.clear()

    def zone_layers(self, zone: int) -> dict[str, gpd.GeoDataFrame]:
        """The layers projected to GK zone ``zone`` with prepared geometries, this thread's own copy."""
        key = (threading.get_ident(), zone)
        with self._lock:
            if key not in self._prepared:
                gk = metric_crs(zone * 3.0)
                projected = {name: _own_copy(g, gk) for name, g in self.layers.items()}
                for g in projected.values():
                    shapely.prepare(np.asarray(g.geometry.values))
                self._prepared[key] = projected
            return self._prepared[key]


def _own_copy(layer: gpd.GeoDataFrame, gk: Any) -> gpd.GeoDataFrame:
    """``layer`` in ``gk`` with geometry objects of its own (a prepared geometry is never shared)."""
    if layer.crs != gk:
        return layer.to_crs(gk)
    out = layer.copy()
    out.geometry = shapely.from_wkb(shapely.to_wkb(np.asarray(layer.geometry.values)))
    out.attrs = dict(layer.attrs)
    return out


def screen_partition(sites: gpd.GeoDataFrame, zone: int, use: object, plugin_name: str,
                      part_path: str | None) -> list[tuple]:
    """Screen one partition in a worker; with ``part_path`` write its site rows and geometries there."""
    state: PreparedLayers = get_worker().plugins[plugin_name]  # type: ignore[assignment]
    parts = _screened(state, sites, zone, use)
    if part_path is not None and state.build is not None:
        _write_part(sites, [b[2].sites for b in parts], Path(part_path))
    return parts


def screen_read_part(raw: gpd.GeoDataFrame, source: Any, index: int, kept_offset: int, ids_from: int | None,
                     site_use: object, total_bounds: np.ndarray, chunk_size: int, plugin_name: str,
                     part_path: str | None) -> list[tuple]:
    """Read and normalise partition ``index`` of ``source`` (:func:`ecogis.site_parts.read_part`), then
    screen it in chunks of ``chunk_size`` sites per use, GK zone and Hilbert order (over
    ``total_bounds``, the bounds of all the sites); with ``part_path`` write its site rows there."""
    from ecogis.check_messages import use_groups
    from ecogis.dask_partitions import partitions
    from ecogis.errors import AssumptionWarning
    from ecogis.site_parts import read_part

    state: PreparedLayers = get_worker().plugins[plugin_name]  # type: ignore[assignment]
    sites, _ = read_part(raw, source, index, kept_offset, ids_from)  # what it says was said by the scan
    if len(sites) == 0:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)  # the note on line sites: said by the calling process
        groups = use_groups(sites, site_use, [])
    build = getattr(state.build, "for_sites", lambda _: state.build)(sites)
    parts = [part for zn, use, rows in partitions(sites, groups, chunk_size, total_bounds)
             for part in _screened(state, sites.iloc[rows], zn, use, build)]
    if part_path is not None and state.build is not None:
        _write_part(sites, [b[2].sites for b in parts], Path(part_path))
    return parts


def _screened(state: PreparedLayers, sites: gpd.GeoDataFrame, zone: int, use: object,
              build: Callable | None = None) -> list[tuple]:
    """The sites (one GK zone, one use) screened against the zone's prepared layers, with their rows built
    by ``build`` (default the batch's)."""
    parts = list(screen_chunks(sites, state.zone_layers(zone), state.ruleset, state.buffers_m, site_use=use,
                               chunk_size=max(len(sites), 1), relations=state.relations))
    build = build or state.build
    if build is None:
        return parts
    return [(frame[SLIM_COLUMNS], table, build(frame, table)) for frame, table in parts]


def _write_part(sites: gpd.GeoDataFrame, rows: list, path: Path) -> None:
    """The site rows of a partition with their geometries (CGCS2000 geographic) as one GeoParquet part."""
    table = pd.concat(rows, ignore_index=True) if len(rows) > 1 else rows[0]
    text = table.select_dtypes(object).columns  # one string type in every part, even when all are missing
    table = table.astype(dict.fromkeys(text, pd.StringDtype()))
    geoms = sites.set_index(sites["id"].astype(str)).geometry.to_crs(GEOGRAPHIC_CRS)
    out = gpd.GeoDataFrame(table, geometry=geoms.loc[table["id"].astype(str)].values, crs=GEOGRAPHIC_CRS)
    out.to_parquet(path, index=False)
