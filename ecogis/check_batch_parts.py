"""A batch check whose sites are read as partitions on the Dask workers (:mod:`ecogis.site_parts`).

The steps of :func:`ecogis.check._prepare` in the same order, with every step that needs the sites
taken from the partitions' digests instead of a frame of all sites: the site notes, the jurisdiction
(adcodes the sites touch), the datum comparison (the sites' CRS), the coverage gaps, and the note on line
sites screened as linear infrastructure; with control units, the zoning of the batch
(:func:`zoning_for_parts`: what :func:`ecogis.zoning.check_hook.zoning_for_batch` settles, the sites' own
descriptions counted by the scan). The screening then reads each partition again on a worker
(:func:`ecogis.engine_dask.screen_dask_parts`), which builds its chunks' rows and zoning with
:class:`PartsBuild`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from ecogis.check import _coverages, _inputs, _layer_labels, warn_mixed_datums
from ecogis.check_messages import LINEAR_USE, note_gaps
from ecogis.crs import require_cgcs2000_transform
from ecogis.jurisdiction import apply_jurisdiction
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.notes import Notes
from ecogis.project import layer_kinds
from ecogis.rules import load_rules, parse_buffers
from ecogis.screen import screened_buffers
from ecogis.site_parts import PartDigest, SiteSource, combine, settled_area, settled_gaps
from ecogis.zoning.batch import BatchZoning
from ecogis.zoning.check_hook import describe_project, read_requirements
from ecogis.zoning.description import ProjectDescription


def check_batch_parts(source: SiteSource, project: Any, buffers: Any, rules: Any, *, site_use: Any, skip_empty: bool,
                      at_date: Any, industry: Any, description: Any, project_info: Any, workers: int,
                      scheduler: str | None, progress: bool, chunk_size: int | None, parquet_dir: Any,
                      build_chunk: Callable) -> dict:
    """The fields of the :class:`ecogis.check_batch.BatchCheck` of :func:`ecogis.check_batch.check_batch`
    with ``engine="dask"`` for sites read on the workers (``project``: a loaded
    :class:`ecogis.project.Project`; ``build_chunk(frame, table, layers, buffers m, gaps, zoning)``: a
    chunk's rows). Connects and scans the partitions before returning; the screening runs as the batch's
    chunks are iterated."""
    from ecogis.engine_dask import open_client, scan_parts, screen_dask_parts

    stack = ExitStack()
    try:
        client = open_client(stack, scheduler, workers)
        notes = Notes()
        ruleset: Any = load_rules(*(p for p in (project.rules_path, rules) if p), kinds=layer_kinds(), at_date=at_date)
        say("rules_at_date", notes, warn=False, date=ruleset.at_date.isoformat())
        buffers_m = parse_buffers(buffers) if buffers is not None else project.buffers_m or ruleset.buffers_m
        layers, boundary = project.read_layers(), project.read_boundary()
        coverages = _coverages(project, layers, boundary)
        info = describe_project(project, industry, description, site_use, project_info)
        zoned = any(LayerInfo.of(g).kind == "control_unit" for g in layers.values())
        digests = scan_parts(client, source, boundary, coverages, info if zoned else None)
        settled, site_meta = combine(digests, source, notes, skip_empty)
        crs = digests[0].crs
        require_cgcs2000_transform(crs, site_meta.get("path"))
        for lyr in layers.values():
            notes.extend(LayerInfo.of(lyr).notes)
            require_cgcs2000_transform(lyr.crs, LayerInfo.of(lyr).path)
        ruleset, _ = apply_jurisdiction(ruleset, None, boundary, notes, {LayerInfo.of(g).kind for g in layers.values()},
                                        area=settled_area(digests))
        warn_mixed_datums(gpd.GeoDataFrame(geometry=[], crs=crs), layers, notes)
        buffers_m = screened_buffers("all", buffers_m, notes)
        gaps = settled_gaps(digests, settled)
        note_gaps(gaps, notes, _layer_labels(project))
        use = info.use or ("linear" if info.project_type == "linear" else None)
        if use in (None, "", [], ()) and any(d.lines for d in digests):
            say("check.linear_default", notes, use=LINEAR_USE)
        zoning = zoning_for_parts(layers, project, digests, info, notes)
        build = PartsBuild(build_chunk, list(layers), list(buffers_m), gaps, zoning, info)
        screened = screen_dask_parts(stack, client, source, settled, use, layers, ruleset, buffers_m,
                                     progress=progress, chunk_size=chunk_size, parquet_dir=parquet_dir, build=build)
    except BaseException:
        stack.close()
        raise
    return dict(project=project.name, buffers_m=list(buffers_m), layers=list(layers),
                inputs=_inputs(site_meta, project, ruleset, layers, boundary, coverages), assumptions=notes,
                coverage=gaps, _screened=screened, _rules_by_id={r.id: r.to_dict() for r in ruleset.rules},
                _boundary=boundary, _nearest=True, _unscreened={}, zoning=zoning)


def zoning_for_parts(layers: dict, project: Any, digests: list[PartDigest], info: ProjectDescription,
                     notes: list) -> BatchZoning | None:
    """:func:`ecogis.zoning.check_hook.zoning_for_batch` from the partitions' digests: the same
    requirements, notes and header; no site's own description (each partition's, on its worker)."""
    unit_layers = {n: g for n, g in layers.items() if LayerInfo.of(g).kind == "control_unit"}
    if not unit_layers:
        return None
    requirements, metas = read_requirements(project, unit_layers, notes)
    if info.industry is None and not any(d.industries for d in digests) and any(
            r.coded for r in requirements or []):
        say("zoning.no_industry", notes, warn=False)
    zoning = BatchZoning.build(unit_layers, requirements, info, {}, metas)
    return dataclasses.replace(zoning, described=sum(d.described for d in digests))


@dataclass
class PartsBuild:
    """What a worker builds of each screened chunk of the sites it read (``build_chunk``: a
    :class:`ecogis.check_batch.BatchChunk` with the coverage gaps applied); :meth:`for_sites` gives the
    zoning the partition's own descriptions."""

    build_chunk: Callable
    layers: list
    buffers_m: list
    gaps: list
    zoning: BatchZoning | None = None
    info: ProjectDescription | None = None

    def __call__(self, frame, table) -> Any:
        return self.build_chunk(frame, table, self.layers, self.buffers_m, self.gaps, self.zoning)

    def for_sites(self, sites: gpd.GeoDataFrame) -> PartsBuild:
        """This build for a partition's ``sites`` (settled ids): the zoning with their own descriptions."""
        if self.zoning is None or self.info is None:
            return self
        from ecogis.zoning.description import site_descriptions

        return dataclasses.replace(self, zoning=self.zoning.with_sites(site_descriptions(sites, self.info)))
