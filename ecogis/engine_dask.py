"""Batch screening on a Dask cluster (``ecogis check --batch --engine dask``): the optional extra ``[dask]``.

Sites from a GeoParquet file or folder are read **on the workers**, one row group a partition
(:mod:`ecogis.site_parts`: the calling process reads only the Parquet metadata and the partitions'
digests, never the sites); other sites are read and normalised in the calling process by the usual
readers. Either way the sites are screened in **partitions**: per use group, per CGCS2000 3°
Gauss-Kruger zone of the site centres (the analysis plane of the engine), and within a zone in the order
of the Hilbert curve through the site centres (``dask_geopandas`` ``hilbert_distance``), ``chunk_size``
sites a partition (:mod:`ecogis.dask_partitions`; sites read on a worker: within the row group it read).

The control layers, the rule set and the buffer distances reach every worker **once**, in a
:class:`distributed.WorkerPlugin`; each worker thread projects the layers to the zones of the batch and
prepares their geometries (``shapely.prepare``) on first use and keeps them for the whole batch (GEOS
prepared geometries are not thread-safe: never shared between threads). A task is one partition,
screened by the same engine as in one process (:func:`ecogis.screen.screen_chunks`), its rows built in
the worker by the batch's ``build`` function, and, with ``parquet_dir``, its site rows written by the
worker as one part of a partitioned GeoParquet.

Findings and figures per site are those of the in-process engine (the engine screens each site
independently of the others in its chunk); only the order of the sites differs (zone, then Hilbert
order): sort by site id to compare. At most 2 partitions per worker thread are in flight. With
``--scheduler`` the workers write the GeoParquet parts themselves: the output folder must be on storage
they share with this machine.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import geopandas as gpd

from ecogis import screen
from ecogis.batch_pool import in_order
from ecogis.dask_partitions import HILBERT_LEVEL, hilbert_order, partitions  # noqa: F401  (public here)
from ecogis.error_messages import error
from ecogis.rules import RuleSet

#: how long to wait for a scheduler given with --scheduler before saying it cannot be reached
CONNECT_TIMEOUT_S = 10


def require_dask() -> None:
    """EcogisError (one line, exit 2 in the CLI) when the ``[dask]`` extra is not installed."""
    try:
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise error("scale.dask_missing", module=exc.name or "dask", hint="scale.install_dask") from exc


def open_client(stack: ExitStack, scheduler: str | None, workers: int) -> Any:
    """A ``distributed.Client`` closed with ``stack``: to ``scheduler`` (``tcp://host:port``), else to a new
    LocalCluster of ``workers`` processes with one thread each."""
    require_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return stack.enter_context(Client(scheduler, timeout=CONNECT_TIMEOUT_S))
        except (OSError, TimeoutError, ValueError) as exc:
            raise error("scale.dask_unreachable", scheduler=scheduler, reason=str(exc).splitlines()[0],
                        hint="scale.dask_scheduler_hint") from exc
    dashboard = ":0" if importlib.util.find_spec("bokeh") else None  # the dashboard needs bokeh
    cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=dashboard, silence_logs=40))  # 40: logging.ERROR
    return stack.enter_context(Client(cluster))


def screen_dask(sites: gpd.GeoDataFrame, groups: Iterable[tuple[Any, object]], layers: dict[str, gpd.GeoDataFrame],
                ruleset: RuleSet, buffers_m: Sequence[float], *, workers: int = 1, scheduler: str | None = None,
                progress: bool = False, chunk_size: int | None = None, build: Callable | None = None,
                relations: str = "all", parquet_dir: Path | None = None) -> Iterator[tuple]:
    """Yield per partition what :func:`ecogis.batch_pool.screen_pool` yields per chunk, screened on a Dask
    cluster (``scheduler``, else a LocalCluster of ``workers`` processes). Connects before returning, so
    a missing extra or an unreachable scheduler is an EcogisError here; the screening runs as the
    result is iterated. With ``parquet_dir`` the site rows are also written there, one GeoParquet part
    per partition (moved into place when every partition is done).

    Distances geodesic m, areas m² (CGCS2000 ellipsoid), as the in-process engine.
    """
    stack = ExitStack()
    try:
        client = open_client(stack, scheduler, workers)
    except BaseException:
        stack.close()
        raise
    from ecogis.engine_dask_worker import screen_partition

    def tasks(name: str, partial: Path | None) -> Iterator[tuple]:
        for i, (zn, use, rows) in enumerate(partitions(sites, groups, chunk_size or screen.CHUNK_SITES)):
            yield sites.iloc[rows], zn, use, name, _part_path(partial, i)

    def submit(task: tuple) -> Any:
        return client.submit(screen_partition, client.scatter(task[0]), *task[1:], pure=False)

    return _run(stack, client, len(sites), tasks, submit, layers, ruleset, list(buffers_m), progress=progress,
                build=build, relations=relations, parquet_dir=parquet_dir)


def scan_parts(client: Any, source: Any, boundary: Any, coverages: list, info: Any = None) -> list:
    """The :class:`ecogis.site_parts.PartDigest` of every partition of ``source``, each read and normalised
    on a worker (at most 2 partitions per worker thread in flight; ``info``: the project's description
    when it has control units, else None); the partitions after features
    without geometry scanned again with their sites' true positions in the layer."""
    from ecogis.site_parts import kept_offsets, raw_partitions, scan_part

    raws = raw_partitions(source)
    context = client.scatter([(boundary, coverages, info)], broadcast=True)[0]
    window = 2 * max(sum(client.nthreads().values()), 1)

    def scan(offsets: Sequence[int], which: Iterable[int]) -> list:
        return list(in_order(lambda t: client.submit(scan_part, client.compute(raws[t[0]]), source, t[0],
                                                     int(offsets[t[0]]), context, pure=False),
                             ((i,) for i in which), window, lambda f: [_dask_result(f)], None))

    assumed = source.offsets  # right unless features without geometry come before a partition
    digests = scan(assumed, range(len(raws)))
    true = kept_offsets(digests)
    again = [i for i in range(len(raws)) if true[i] != assumed[i] and digests[i].sites]
    for i, digest in zip(again, scan(true, again)):
        digests[i] = digest
    return digests


def screen_dask_parts(stack: ExitStack, client: Any, source: Any, settled: Any, site_use: object,
                      layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet, buffers_m: Sequence[float], *,
                      progress: bool = False, chunk_size: int | None = None, build: Callable | None = None,
                      parquet_dir: Path | None = None) -> Iterator[tuple]:
    """:func:`screen_dask` for sites read on the workers: each partition of ``source`` read and normalised
    again by a worker (``settled``: :class:`ecogis.site_parts.Settled`), split by use, GK zone and Hilbert
    order (over the bounds of all sites) in ``chunk_size`` sites and screened there; ``stack`` holds the
    client and is closed when the screening ends."""
    from ecogis.engine_dask_worker import screen_read_part
    from ecogis.site_parts import raw_partitions

    raws = raw_partitions(source)
    size = chunk_size or screen.CHUNK_SITES

    def tasks(name: str, partial: Path | None) -> Iterator[tuple]:
        for i in range(len(raws)):
            yield i, name, _part_path(partial, i)

    def submit(task: tuple) -> Any:
        i, name, part = task
        ids_from = settled.offsets[i] if settled.renumber else None
        return client.submit(screen_read_part, client.compute(raws[i]), source, i, settled.offsets[i], ids_from,
                             site_use, settled.bounds, size, name, part, pure=False)

    return _run(stack, client, settled.total, tasks, submit, layers, ruleset, list(buffers_m), progress=progress,
                build=build, relations="all", parquet_dir=parquet_dir)


def _part_path(partial: Path | None, i: int) -> str | None:
    return None if partial is None else str(partial / f"part-{i:05d}.parquet")


def _run(stack: ExitStack, client: Any, total: int, tasks: Callable[[str, Path | None], Iterator[tuple]],
         submit: Callable[[tuple], Any], layers, ruleset, buffers_m, *, progress, build, relations,
         parquet_dir) -> Iterator[tuple]:
    with stack:
        if total == 0:
            return
        from ecogis.engine_dask_worker import PreparedLayers

        name = f"ecogis-layers-{uuid.uuid4().hex}"
        client.register_plugin(PreparedLayers(name, layers, ruleset, buffers_m, build, relations), name=name)
        partial = None if parquet_dir is None else _partial_folder(parquet_dir)
        bar = _progress_bar(client, total, progress)
        window = 2 * max(sum(client.nthreads().values()), 1)  # every worker thread busy, one more queued
        try:
            yield from in_order(submit, tasks(name, partial), window, _dask_result, bar)
            if partial is not None and parquet_dir is not None:
                _move_into_place(partial, parquet_dir)
        finally:
            if bar is not None:
                bar.close()
            if partial is not None and partial.exists():
                shutil.rmtree(partial, ignore_errors=True)
            client.unregister_worker_plugin(name)


def _dask_result(future: Any) -> list:
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        raise error("scale.dask_worker_died", hint="scale.dask_worker_memory") from exc


def parquet_target(folder: Path, *, overwrite: bool = False) -> Path:
    """``folder`` for the partitioned GeoParquet of the site rows; EcogisError if it exists unless ``overwrite``.

    Its parent is created now: the parts are written beside it while the batch runs."""
    folder = Path(folder)
    if folder.exists() and not overwrite:
        raise error("out.exists", path=folder, hint="out.pass_overwrite")
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def _partial_folder(folder: Path) -> Path:
    partial = folder.with_name(f".{folder.name}.partial-{uuid.uuid4().hex[:8]}")
    partial.mkdir(parents=True)
    return partial


def _move_into_place(partial: Path, folder: Path) -> None:
    if folder.exists():  # --overwrite was checked by the caller
        shutil.rmtree(folder)
    partial.rename(folder)


def _progress_bar(client: Any, total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="screening sites (dask)", unit="site", file=sys.stderr, dynamic_ncols=True)
    try:
        link = client.dashboard_link if client.scheduler_info().get("services", {}).get("dashboard") else None
    except (KeyError, AttributeError):
        link = None
    bar.write(f"dask scheduler {client.scheduler.address}" + (f", dashboard {link}" if link else ""), file=sys.stderr)
    return bar
