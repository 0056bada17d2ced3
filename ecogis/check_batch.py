"""Batch checks of many sites, streamed per chunk of sites (:func:`check_batch`, :class:`BatchCheck`)."""
from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ecogis.check import _collect_far, _inputs, _prepare, _warn_far
from ecogis.check_result import METHODS, UNITS
from ecogis.coverage import UNDETERMINED, CoverageGap
from ecogis.error_messages import error
from ecogis.geodesy import convert_area
from ecogis.io.vertices import VertexSpec
from ecogis.notes import Note
from ecogis.rules import VERDICTS, verdict_rank
from ecogis.screen import screen_chunks
from ecogis.screen_scope import raise_unscreened_rows, unscreened_sites
from ecogis.zoning.batch import fold_into_sites
from ecogis.zoning.check_hook import note_uncovered, zoning_for_batch

__all__ = ["check_batch", "BatchCheck", "BatchChunk"]

# What a batch output keeps per finding: the rule is referenced by ``rule_id`` (texts in the rules table)
BATCH_FINDING_COLUMNS = ["site", "layer", "feature", "zone", "relation", "overlap_area_m2", "overlap_area_ha",
                         "overlap_area_mu", "overlap_length_m", "share_of_site", "distance_m", "buffer_m",
                         "verdict", "rule_id"]
BATCH_SITE_COLUMNS = ["id", "name", "geometry_type", "area_m2", "length_m", "lon", "lat", "verdict", "worst_layer",
                      "worst_feature", "worst_zone", "worst_relation", "worst_rule_id", "findings"]
FINDINGS_DETAIL = {
    "summary": "findings listed: every overlap (intersects) and every finding whose verdict is not 符合; features "
               "within the buffers that are 符合 are only counted per site and layer (within), and the nearest "
               "feature of each layer is given as its distance (nearest_m); pass --findings all for every finding",
    "all": "findings listed: every finding (overlaps, every feature within the buffers, the nearest feature of "
           "each layer)",
}


@dataclass
class BatchChunk:
    """One chunk of a streamed batch check (areas m², distances geodesic m, CGCS2000 ellipsoid).

    ``sites``: one row per site (:data:`BATCH_SITE_COLUMNS`: verdict, worst finding, number of findings);
    ``nearest_m``: geodesic distance (m) to the nearest feature, one column per layer (index: site id);
    ``within``: per buffer distance (m), the number of features of each layer at most that far from the
    site, overlapping ones included (index: site id, one column per layer);
    ``findings``: the findings kept (:data:`BATCH_FINDING_COLUMNS`), by the batch's ``findings_detail``.
    """

    sites: pd.DataFrame
    nearest_m: pd.DataFrame
    within: dict
    findings: pd.DataFrame
    zoning: Any = None  # ecogis.zoning.batch.ZoningChunk: units and access-list requirements per site


@dataclass
class BatchCheck:
    """A check of many sites whose results come per chunk from :meth:`chunks` (iterate it once).

    The header fields are known before the first chunk; ``verdict``, ``rules`` (the rules used, each
    once: findings carry only ``rule_id``), ``assumptions`` and the counts are complete after the last
    chunk. Memory holds one chunk's findings and one small row per site (:meth:`site_rows`).
    """

    project: str
    inputs: dict
    buffers_m: list[float]
    layers: list[str]
    findings_detail: str
    assumptions: list[str]
    methods: dict = field(default_factory=lambda: dict(METHODS))
    units: dict = field(default_factory=lambda: dict(UNITS))
    verdict: str = VERDICTS[0]
    findings_total: int = 0
    findings_listed: int = 0
    #: sites (or parts) outside a layer's coverage: verdict 无法判定 for that layer (known before the chunks)
    coverage: list[CoverageGap] = field(default_factory=list)
    _screened: Iterator | None = field(default=None, repr=False)
    _rules_by_id: dict = field(default_factory=dict, repr=False)
    _used_rule_ids: set = field(default_factory=set, repr=False)
    _site_rows: list = field(default_factory=list, repr=False)
    _far: dict = field(default_factory=dict, repr=False)
    _nearest: bool = field(default=True, repr=False)  # False: overlaps only (no nearest findings)
    _unscreened: dict = field(default_factory=dict, repr=False)  # overlaps only: sites with unevaluated rules
    _boundary: gpd.GeoDataFrame | None = field(default=None, repr=False)
    #: the 生态环境分区管控 of the sites (ecogis.zoning.batch.BatchZoning), None without control units
    zoning: Any = field(default=None, repr=False)
    _uncovered: dict = field(default_factory=dict, repr=False)  # site -> share in no control unit
    #: the sites screened (id, geometry) when they are in this process: the geometries of a results table
    site_frame: Any = field(default=None, repr=False)

    @property
    def notes(self) -> list[str]:
        """The notes (assumptions, repairs) of the check: :attr:`assumptions`."""
        return self.assumptions

    def chunks(self) -> Iterator[BatchChunk]:
        """Screen the sites chunk by chunk, yielding each :class:`BatchChunk`; runs the checks that need
        every site (far from everything) after the last one."""
        if self._screened is None:
            raise RuntimeError("the chunks of a batch check can be iterated only once")
        screened, self._screened = self._screened, None
        crs_names = set()
        for frame, table, *built in screened:  # a process pool may have built the chunk (ecogis.batch_pool)
            chunk = built[0] if built else _batch_chunk(frame, table, self.layers, self.buffers_m, self.findings_detail,
                                                        self.zoning)
            _raise_to_gaps(chunk.sites, self.coverage)
            self._used_rule_ids.update(raise_unscreened_rows(chunk.sites, self._unscreened))
            self.verdict = max(self.verdict, *chunk.sites["verdict"], key=verdict_rank)
            self.findings_total += len(frame)
            self.findings_listed += len(chunk.findings)
            self._used_rule_ids.update(frame["rule_id"].dropna().unique().tolist())
            self._site_rows.append(chunk.sites[["id", "name", "verdict", "worst_layer", "worst_feature",
                                                "worst_zone", "worst_relation"]])
            crs_names.update(table["analysis_crs"])
            _collect_far(table, frame, self._boundary, self._far, self._nearest)
            if chunk.zoning is not None:
                self._uncovered.update(chunk.zoning.uncovered)
            yield chunk
        self.methods["analysis_crs"] = Note.join(sorted(crs_names), severity="info")
        if self._far.get("count"):
            _warn_far(self._far, self.assumptions)
        note_uncovered(self._uncovered, self.assumptions)

    @property
    def rules(self) -> list[dict]:
        """The rules some finding used, each once (the findings reference them by ``rule_id``)."""
        return [r for rid, r in self._rules_by_id.items() if rid in self._used_rule_ids]

    def site_rows(self) -> pd.DataFrame:
        """One small row per site screened so far: id, name, verdict and the worst finding."""
        if not self._site_rows:
            return pd.DataFrame(columns=["id", "name", "verdict", "worst_layer", "worst_feature", "worst_zone",
                                         "worst_relation"])
        return pd.concat(self._site_rows, ignore_index=True)


def check_batch(site, project, buffers=None, rules=None, *, site_crs=None, site_use=None, progress=False,
                findings="summary", chunk_size=None, skip_empty=False,
                vertices: VertexSpec | None = None, at_date=None, relations: str = "all",
                workers: int = 1, industry=None, description=None, project_info=None, engine: str = "local",
                scheduler: str | None = None, parquet_dir: Path | None = None, keep_sites: bool = False) -> BatchCheck:
    """Check many sites, streamed: like :func:`check` but the results come per chunk of sites from
    :meth:`BatchCheck.chunks`, so memory does not grow with the findings of all sites.

    ``findings``: ``"summary"`` (default) lists every overlap and every finding that is not 符合, and
    gives per site and layer the nearest distance and the count of features within each buffer;
    ``"all"`` lists every finding (see :data:`FINDINGS_DETAIL`). ``relations``: as in :func:`check`.
    ``workers`` > 1 screens the chunks in that many processes (:mod:`ecogis.batch_pool`), with the same
    findings and chunks as one process. ``industry``, ``description``, ``project_info``: as in
    :func:`check`; each site's control units and access-list verdicts come with its chunk.
    ``engine="dask"`` screens the chunks on a Dask cluster instead (:mod:`ecogis.engine_dask`:
    ``scheduler`` ``tcp://host:port``, else a LocalCluster of ``workers`` processes; the site rows also
    as partitioned GeoParquet in ``parquet_dir``): the same findings per site, the sites in another order.
    ``keep_sites``: the caller needs the site geometries (``BatchCheck.site_frame``, for a results
    table), so the sites are read in the calling process even where the workers could read them.
    """
    from ecogis.batch_pool import check_workers, screen_pool

    check_workers(workers)
    if engine == "dask":
        from ecogis.engine_dask import require_dask

        require_dask()
    if (workers > 1 or engine == "dask") and relations != "all":  # the unscreened rules are raised in one process
        raise error("scale.workers_overlaps_only", field="workers", hint="scale.no_workers_with_intersects")
    if findings not in FINDINGS_DETAIL:
        raise error("check.unknown_findings", findings=findings, hint="check.summary_or_all")
    if engine == "dask" and not keep_sites:  # GeoParquet or vector files: read in parts on the workers (site_parts)
        from ecogis.check_batch_parts import check_batch_parts
        from ecogis.project import Project, load_project
        from ecogis.site_parts import partitioned_source
        from ecogis.site_parts_vector import ReadInProcess

        project = project if isinstance(project, Project) else load_project(project)
        source = partitioned_source(site, project, site_crs=site_crs, vertices=vertices)
        if source is not None:
            try:
                parts = check_batch_parts(source, project, buffers, rules, site_use=site_use, skip_empty=skip_empty,
                                          at_date=at_date, industry=industry, description=description,
                                          project_info=project_info, workers=workers, scheduler=scheduler,
                                          progress=progress, chunk_size=chunk_size, parquet_dir=parquet_dir,
                                          build_chunk=functools.partial(_parts_chunk, detail=findings))
                return BatchCheck(findings_detail=findings, methods=dict(METHODS, findings=FINDINGS_DETAIL[findings]),
                                  **parts)
            except ReadInProcess:  # a part only the whole-file reader repairs: read below, in this process
                pass
    project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes, coverages, gaps, info, groups = _prepare(
        site, project, buffers, rules, site_crs=site_crs, site_use=site_use, skip_empty=skip_empty,
        vertices=vertices, at_date=at_date, relations=relations, industry=industry, description=description,
        project_info=project_info)
    zoning = zoning_for_batch(layers, project, sites, info, notes)
    build = functools.partial(_batch_chunk, layers=list(layers), buffers_m=list(buffers_m), detail=findings,
                              zoning=zoning)
    if engine == "dask":
        from ecogis.engine_dask import screen_dask

        screened = screen_dask(sites, groups, layers, ruleset, buffers_m, workers=workers, scheduler=scheduler,
                               progress=progress, chunk_size=chunk_size, relations=relations, parquet_dir=parquet_dir,
                               build=functools.partial(_gapped_chunk, build=build, gaps=gaps))
    elif workers > 1:
        screened = screen_pool(sites, groups, layers, ruleset, buffers_m, workers=workers, progress=progress,
                               chunk_size=chunk_size, build=build)
    else:
        screened = itertools.chain.from_iterable(
            screen_chunks(sites.iloc[rows], layers, ruleset, buffers_m, site_use=use, progress=progress,
                          chunk_size=chunk_size, relations=relations) for rows, use in groups)
    return BatchCheck(
        project=project.name, buffers_m=list(buffers_m), layers=list(layers), findings_detail=findings,
        inputs=_inputs(site_meta, project, ruleset, layers, boundary, coverages),
        assumptions=notes, methods=dict(METHODS, findings=FINDINGS_DETAIL[findings]), coverage=gaps,
        _screened=screened, _rules_by_id={r.id: r.to_dict() for r in ruleset.rules}, _boundary=boundary,
        _nearest=relations == "all", _unscreened=unscreened_sites(sites, groups, layers, ruleset, relations),
        zoning=zoning, site_frame=sites)


def _batch_chunk(frame, table, layers, buffers_m, detail, zoning=None) -> BatchChunk:
    """Per-site rows, nearest distances, buffer counts and the kept findings of one screened chunk."""
    ids = table["id"]
    rank = frame["verdict"].map(verdict_rank).to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, np.int64)
    # worst finding per site: highest rank, the first such finding (overlaps come first per layer)
    worst = frame.assign(_rank=rank)[rank > 0].sort_values(["site", "_rank"], ascending=[True, False], kind="stable")
    worst = worst.drop_duplicates("site").set_index("site")
    rows = table[["id", "name", "geometry_type", "area_m2", "length_m", "lon", "lat"]].reset_index(drop=True)
    rows["verdict"] = ids.map(worst["verdict"]).astype(object).fillna(VERDICTS[0]).to_numpy()
    for col in ("layer", "feature", "zone", "relation", "rule_id"):
        rows[f"worst_{col}"] = ids.map(worst[col]).astype(object).where(ids.map(worst[col]).notna(), None).to_numpy()
    rows["findings"] = ids.map(frame["site"].value_counts()).fillna(0).astype(np.int64).to_numpy()
    near = frame[frame["relation"] == "nearest"]
    nearest_m = near.groupby(["site", "layer"])["distance_m"].min().unstack().reindex(index=ids, columns=layers)
    located = frame[frame["relation"] != "nearest"]
    within = {b: located[located["distance_m"] <= b].groupby(["site", "layer"]).size().unstack()
              .reindex(index=ids, columns=layers).fillna(0).astype(np.int64) for b in buffers_m}
    kept = frame if detail == "all" else frame[(frame["relation"] == "intersects") | (rank > 0)]
    area = kept["overlap_area_m2"].to_numpy(dtype=float)
    kept = kept.assign(overlap_area_ha=convert_area(area, "ha"), overlap_area_mu=convert_area(area, "mu"))
    zoned = None if zoning is None else zoning.chunk(frame)
    if zoned is not None:
        fold_into_sites(rows, zoned)
    return BatchChunk(sites=rows[BATCH_SITE_COLUMNS], nearest_m=nearest_m, within=within,
                      findings=kept.reindex(columns=BATCH_FINDING_COLUMNS).reset_index(drop=True), zoning=zoned)


def _parts_chunk(frame, table, layers, buffers_m, gaps, zoning, detail) -> BatchChunk:
    """A chunk a worker builds of the sites it read itself (:mod:`ecogis.check_batch_parts`), gaps applied."""
    chunk = _batch_chunk(frame, table, layers, buffers_m, detail, zoning)
    _raise_to_gaps(chunk.sites, gaps)
    return chunk


def _gapped_chunk(frame, table, build, gaps) -> BatchChunk:
    """``build(frame, table)`` with the coverage gaps already applied (site rows a worker writes out)."""
    chunk = build(frame, table)
    _raise_to_gaps(chunk.sites, gaps)
    return chunk


def _raise_to_gaps(rows: pd.DataFrame, gaps: list[CoverageGap]) -> None:
    """Batch site rows (in place): a clear site outside a layer's coverage becomes 无法判定, its worst
    finding that layer (relation ``outside_coverage``)."""
    first: dict[str, CoverageGap] = {}
    for g in gaps:
        first.setdefault(g.site, g)
    if not first:
        return
    hit = rows["id"].isin(first.keys()).to_numpy() & (rows["verdict"] == VERDICTS[0]).to_numpy()
    ids = rows.loc[hit, "id"]
    rows.loc[hit, "verdict"] = UNDETERMINED
    rows.loc[hit, "worst_layer"] = ids.map(lambda i: first[i].layer)
    rows.loc[hit, "worst_feature"] = ids.map(lambda i: first[i].coverage)
    rows.loc[hit, "worst_relation"] = "outside_coverage"
    rows.loc[hit, "worst_zone"] = None
    rows.loc[hit, "worst_rule_id"] = None
