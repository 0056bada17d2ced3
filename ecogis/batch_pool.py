"""Batch screening on several cores of one machine: a process pool over chunks of sites.

GEOS prepared geometries are not thread-safe, so the chunks go to worker *processes*, never threads.
Each worker receives the control layers, the rule set and the buffer distances once (pool initializer),
projects every layer to the Gauss-Kruger zones the batch needs and prepares its geometries
(``shapely.prepare``) once; a task is then one chunk of sites of one zone, screened by the public
:func:`ecogis.screen.screen_chunks` against the already projected, prepared layers. For a batch check
the worker also builds the chunk's streamed rows, so the main process receives only what it keeps.

The chunks are the ones the in-process engine makes (per use group, per 3° GK zone of the site centres,
then ``chunk_size`` sites), and their results come back in that order, so the findings, figures and the
order of the chunks are the same as with one process. At most ``2 × workers`` chunks are in flight:
memory does not grow with the number of sites.
"""
from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ecogis import screen
from ecogis.crs import metric_crs
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_CRS, gk_zone_for_lon
from ecogis.rules import RuleSet
from ecogis.screen import screen_chunks

#: the finding columns a batch check's main process needs once the worker has built the chunk's rows
SLIM_COLUMNS = ["site", "relation", "distance_m", "rule_id"]
#: what one worker process holds for the whole batch (set by :func:`_init_worker`)
_STATE: dict[str, Any] = {}


def check_workers(workers: int) -> int:
    """``workers`` as a positive int, or an EcogisError."""
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise error("scale.workers_number", workers=repr(workers), hint="scale.workers_hint")
    return workers


def site_zones(sites: gpd.GeoDataFrame) -> np.ndarray:
    """3° GK zone number of each site's centroid (taken in the site's CRS, then as EPSG:4490 longitude)."""
    c = shapely.centroid(np.asarray(sites.geometry.values))
    x, y = shapely.get_x(c), shapely.get_y(c)
    if sites.crs is not None and pyproj.CRS(sites.crs) != GEOGRAPHIC_CRS:
        x, _ = pyproj.Transformer.from_crs(sites.crs, GEOGRAPHIC_CRS, always_xy=True).transform(x, y)
    return np.asarray(gk_zone_for_lon(np.asarray(x, dtype=float)))


def zone_chunks(zones: np.ndarray, rows: np.ndarray, chunk_size: int) -> Iterator[tuple[int, np.ndarray]]:
    """``(zone number, row positions)`` per chunk of the sites at ``rows`` (``zones``: zone number of
    every site): per GK zone in ascending order, then at most ``chunk_size`` sites in input order, as the
    in-process engine makes them."""
    rows = np.asarray(rows, dtype=np.int64)
    for zn in np.unique(zones[rows]):
        in_zone = rows[zones[rows] == zn]
        for lo in range(0, len(in_zone), chunk_size):
            yield int(zn), in_zone[lo:lo + chunk_size]


def _init_worker(layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet, buffers_m: list[float],
                 zones: list[int], build: Callable | None) -> None:
    """Pool initializer: project every layer to each GK zone of the batch and prepare its geometries once."""
    projected = {}
    for zn in zones:
        gk = metric_crs(zn * 3.0)
        projected[zn] = {name: (g if g.crs == gk else g.to_crs(gk)) for name, g in layers.items()}
        for g in projected[zn].values():
            shapely.prepare(np.asarray(g.geometry.values))
    _STATE.update(layers=projected, ruleset=ruleset, buffers_m=buffers_m, build=build)


def _screen_task(zone: int, sites: gpd.GeoDataFrame, site_use: object) -> list[tuple]:
    """One chunk of sites of one GK zone, screened in a worker against the layers prepared for that zone.

    With a ``build`` function the worker also builds the chunk's streamed rows (``build(frame, table)``,
    a :class:`ecogis.check_batch.BatchChunk`) and sends back, beside them, only the finding columns the main
    process still needs (site, relation, distance_m, rule_id)."""
    parts = list(screen_chunks(sites, _STATE["layers"][zone], _STATE["ruleset"], _STATE["buffers_m"],
                               site_use=site_use, chunk_size=max(len(sites), 1)))
    build = _STATE["build"]
    if build is None:
        return parts
    return [(frame[SLIM_COLUMNS], table, build(frame, table)) for frame, table in parts]


def screen_pool(sites: gpd.GeoDataFrame, groups: Iterable[tuple[Any, object]], layers: dict[str, gpd.GeoDataFrame],
                ruleset: RuleSet, buffers_m: Sequence[float], *, workers: int, progress: bool = False,
                chunk_size: int | None = None, build: Callable | None = None) -> Iterator[tuple]:
    """Yield ``(findings DataFrame, site table)`` per chunk like :func:`ecogis.screen.screen_chunks`,
    screened by ``workers`` processes; ``groups`` are ``(row positions, site use)`` of the sites. With
    ``build`` (a picklable ``build(frame, table)``) yield ``(findings columns SLIM_COLUMNS, site table,
    build's result)`` instead, built in the worker too.

    Distances geodesic m, areas m² (CGCS2000 ellipsoid), as the in-process engine.
    """
    if len(sites) == 0:
        return
    zones = site_zones(sites)
    size = chunk_size or screen.CHUNK_SITES
    tasks = ((zn, sites.iloc[part], use) for rows, use in groups  # lazy: one chunk copied at a time
             for zn, part in zone_chunks(zones, rows, size))
    bar = _progress_bar(len(sites), progress)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no GEOS/thread state inherited
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(layers, ruleset, list(buffers_m), np.unique(zones).tolist(), build)) as pool:
        try:
            yield from in_order(lambda task: pool.submit(_screen_task, *task), tasks, 2 * workers,
                                _pool_result, bar)
        finally:
            if bar is not None:
                bar.close()


def in_order(submit: Callable[[tuple], Any], tasks: Iterable[tuple], window: int, result: Callable[[Any], list],
             bar: Any) -> Iterator[tuple]:
    """The parts of ``result(submit(task))`` for each task, in submission order, with at most ``window``
    futures in flight (a process pool's or a Dask cluster's); counts the sites of each part on ``bar``
    and cancels the futures still pending on exit."""
    pending: deque = deque()
    try:
        for task in tasks:
            pending.append(submit(task))
            if len(pending) >= window:
                yield from _counted(result(pending.popleft()), bar)
        while pending:
            yield from _counted(result(pending.popleft()), bar)
    finally:
        for f in pending:
            f.cancel()


def _counted(parts: list, bar: Any) -> list:
    if bar is not None:
        bar.update(sum(len(part[1]) for part in parts))
    return parts


def _pool_result(future: Future) -> list:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise error("scale.worker_died", hint="scale.fewer_workers") from exc


def _progress_bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="screening sites", unit="site", file=sys.stderr, dynamic_ncols=True)
