"""Site screening (项目选址合规性分析): check project sites against every control layer of a project.

``check(site, project)`` reads the site (:func:`read_site`) and the project's layers and rules, runs
the screening engine (:func:`ecogis.screen.screen`, where the method is described), warns about
sites that are far from everything, and returns a :class:`CheckResult`; renderers (HTML, DOCX, XLSX,
JSON) print it. Areas are m² (official ellipsoidal, CGCS2000), lengths and distances geodesic metres.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.check_messages import note_gaps, use_groups
from ecogis.corridor import Corridor, corridor_takes
from ecogis.coverage import UNDETERMINED, CoverageGap, LayerCoverage, coverage_gaps, layer_coverages
from ecogis.crs import (
    datum_mismatch_note,
    infer_crs,
    metric_crs,
    positions_ok,
    require_cgcs2000_transform,
    resolve_crs,
)
from ecogis.crs_sensitivity import compare_readings
from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_CRS as GEOGRAPHIC
from ecogis.geodesy import convert_area
from ecogis.io.vertices import VertexSpec, vertices_to_shapes
from ecogis.jurisdiction import apply_jurisdiction
from ecogis.layer_info import LayerInfo
from ecogis.layers import kind_label, repair_geometries
from ecogis.messages import note as make_note
from ecogis.messages import say
from ecogis.notes import Label, Note, Notes
from ecogis.project import Project, layer_kinds, load_project
from ecogis.rules import VERDICT_EN, VERDICTS, load_rules, parse_buffers, verdict_rank
from ecogis.screen import (
    FINDING_COLUMNS,
    ZoneSummary,
    feature_labels,
    merge_zone_summaries,
    screen,
    screen_chunks,
    screened_buffers,
)
from ecogis.webmap import convert_web
from ecogis.zoning.check_hook import with_zoning_verdicts, zoning_for_check
from ecogis.zoning.industry import carry_industry

__all__ = ["check", "check_batch", "read_site", "screen", "BatchCheck", "BatchChunk", "CheckResult", "Finding",
           "FindingTable", "SiteSummary", "ZoneSummary"]

FAR_M = 50_000.0  # a site farther than this from the boundary and every layer gets a warning

METHODS = {
    "overlap_area": "Ellipsoidal area on the CGCS2000 ellipsoid (椭球面积, 国土调查办发〔2008〕32号, TD/T 1055-2019) "
                    "of the intersection computed in the site's CGCS2000 3° Gauss-Kruger zone",
    "overlap_length": "Geodesic length on the CGCS2000 ellipsoid (GeographicLib via pyproj.Geod) of the "
                      "intersection computed in the site's 3° Gauss-Kruger zone",
    "distance": "Geodesic distance on the CGCS2000 ellipsoid (pyproj.Geod.inv) between the nearest points, "
                "found in the site's 3° Gauss-Kruger zone",
    "share_of_site": "overlap area (or length for line sites) divided by the site part's ellipsoidal area "
                     "(or geodesic length)",
    "within_buffer": "every feature whose geodesic distance to the site is at most the buffer distance",
    "verdict": "most specific matching rule per finding; overall verdict = worst finding (禁止 > 限制 > 需论证 > "
               "无法判定 > 符合)",
    "coverage": "a site, or the part of it, outside a layer's coverage (its declared coverage, else the project "
                "boundary, else the data extent of the project's layers grown by 50 km) is 无法判定 for that "
                "layer; the part outside is the site minus the coverage in the site's 3° Gauss-Kruger zone, its "
                "area ellipsoidal (m²), its length geodesic (m)",
}
UNITS = {"overlap_area_m2": "m²", "overlap_area_ha": "公顷 (ha, 10 000 m²)", "overlap_area_mu": "亩 (mu, 10 000/15 m²)",
         "overlap_length_m": "m", "distance_m": "m", "buffer_m": "m", "share_of_site": "fraction 0–1",
         "site_area_m2": "m²", "site_length_m": "m"}


# --------------------------------------------------------------------------------------------------
# result objects: to_dict(lang=None) gives language-independent keys (SI figures, the verdict code;
# ``verdict_en``, ``overlap_area_ha``/``_mu`` kept for the JSON readers of earlier versions);
# ``verdict_label`` only when a language is asked for

_VERDICT_LABELS = {"zh": {v: v for v in VERDICTS}, "en": VERDICT_EN}


def _verdict_label(verdict: str, lang: str | None) -> dict:
    return {} if lang is None else {"verdict_label": _VERDICT_LABELS[lang][verdict]}


@dataclass
class Finding:
    """One relation between a site and a layer feature (areas m², lengths and distances geodesic m)."""

    site: str
    site_name: str
    layer: str
    kind: str
    feature: str
    zone: str | None
    relation: str
    overlap_area_m2: float | None
    overlap_length_m: float | None
    share_of_site: float | None
    distance_m: float | None
    buffer_m: float | None
    verdict: str
    rule_id: str | None
    rule: str
    basis: str
    rule_en: str = ""

    def to_dict(self, lang: str | None = None) -> dict:
        d = asdict(self)
        a = self.overlap_area_m2
        d["overlap_area_ha"] = None if a is None else float(convert_area(a, "ha"))
        d["overlap_area_mu"] = None if a is None else float(convert_area(a, "mu"))
        d["verdict_en"] = VERDICT_EN[self.verdict]
        return {**d, **_verdict_label(self.verdict, lang)}


@dataclass
class SiteSummary:
    """One site (parcel, line or point): geometry type, size, centre and verdict."""

    id: str
    name: str
    geometry_type: str
    area_m2: float
    length_m: float
    lon: float
    lat: float
    verdict: str

    def to_dict(self, lang: str | None = None) -> dict:
        return {**asdict(self), **_verdict_label(self.verdict, lang)}


@dataclass
class CheckResult:
    """Everything a report needs. Geometries (``site_gdf``, ``layers``) are EPSG:4490 and not in to_dict()."""

    verdict: str
    findings: FindingTable  # columnar: .frame is the DataFrame; iterating gives Finding objects
    sites: list[SiteSummary]
    zones: list[ZoneSummary]
    inputs: dict
    assumptions: list[str]
    rules: list[dict]
    buffers_m: list[float]
    project: str
    methods: dict = field(default_factory=lambda: dict(METHODS))
    units: dict = field(default_factory=lambda: dict(UNITS))
    site_gdf: gpd.GeoDataFrame | None = field(default=None, repr=False)
    layers: dict = field(default_factory=dict, repr=False)
    #: sites (or parts) outside a layer's coverage: verdict 无法判定 for that layer (ecogis.coverage)
    coverage: list[CoverageGap] = field(default_factory=list)
    #: the working corridor (作业带) of line sites and its take per zone, when a width was given
    corridor: Corridor | None = None
    zoning: Any = None  # ecogis.zoning.result.ZoningResult: control units, access lists, the summary

    @property
    def notes(self) -> list[str]:
        """The notes (assumptions, repairs) of the check: :attr:`assumptions`."""
        return self.assumptions

    def to_dict(self, lang: str | None = None) -> dict:
        return {
            "verdict": self.verdict, "verdict_en": VERDICT_EN[self.verdict], **_verdict_label(self.verdict, lang),
            "project": self.project,
            "findings": self.findings.records(),
            "zones": [z.to_dict() for z in self.zones],
            "sites": [s.to_dict(lang) for s in self.sites],
            "inputs": self.inputs, "assumptions": self.assumptions, "buffers_m": self.buffers_m,
            "rules": self.rules, "methods": self.methods, "units": self.units,
            "coverage_gaps": [g.to_dict() for g in self.coverage],
            "corridor": None if self.corridor is None else self.corridor.to_dict(),
            "zoning": None if self.zoning is None else self.zoning.to_dict(),
        }

    def findings_frame(self) -> pd.DataFrame:
        """Findings as a DataFrame (one row per site and finding), with ha and 亩 columns."""
        return self.findings.with_units()


# --------------------------------------------------------------------------------------------------
# public entry point

def check(site, project, buffers=None, rules=None, *, site_crs=None, site_use=None, batch=False,
          progress=False, skip_empty=False, vertices: VertexSpec | None = None,
          corridor_m: float | None = None, at_date=None, industry=None, description=None,
          relations: str = "all") -> CheckResult:
    """Screen ``site`` against every layer of ``project``.

    Parameters
    ----------
    site : path, GeoDataFrame, shapely geometry, or text
        A file any ecogis reader takes (exchange text, shapefile, GeoJSON, CSV...), a GeoDataFrame,
        a geometry (with ``site_crs``, default EPSG:4490), ``"lon,lat"`` or a WKT string.
    project : path or :class:`ecogis.project.Project`
    buffers : list of metres or "500,1000,5000"; default: the project's, else the rules file's.
    rules : path of a user rules file on top of the defaults (and of the project's rules file).
    site_crs : CRS of the site when the file has none or it is wrong (``EPSG:4529``, ``GCJ-02``...).
    site_use : what the site is for (``well``, ``outfall``, ``heating``...): selects use-specific rules.
    batch : many independent sites; skips the dissolved per-zone summary. Every finding stays in
        memory: for thousands of sites use :func:`check_batch`, which streams them per chunk.
    skip_empty : leave site features without geometry out (with a note) instead of refusing the site.
    vertices : build lines or polygons from a point site (:class:`ecogis.io.vertices.VertexSpec`).
    corridor_m : width (m) of the working corridor (作业带) of a line site: its area per zone crossed.
    at_date : the check date (``YYYY-MM-DD``, default today): the rules in force on it apply.
    industry, description : the project's GB/T 4754-2017 code (``"C2614"``) and a short description, for
        the 生态环境准入清单 of the control units (:mod:`ecogis.zoning`; not in batch checks).
    relations : ``"all"`` (default) or ``"intersects"``: overlaps only, no buffers and no nearest
        feature (:func:`ecogis.screen.screen`; stated in the notes).

    Line sites are linear infrastructure unless ``site_use`` says otherwise (the linear rules apply to
    them, with a note; other sites of the same input are screened without a use).
    """
    project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes = _load_inputs(
        site, project, buffers, rules, site_crs=site_crs, skip_empty=skip_empty, vertices=vertices, at_date=at_date)
    buffers_m = screened_buffers(relations, buffers_m, notes)
    coverages = _coverages(project, layers, boundary)
    gaps = coverage_gaps(sites, coverages)
    note_gaps(gaps, notes, _layer_labels(project))
    groups = use_groups(sites, site_use, notes)
    screened = [screen(sites.iloc[rows], layers, ruleset, buffers_m, site_use=use, summarise=not batch,
                       progress=progress, relations=relations) for rows, use in groups]
    frame = pd.concat([s[0] for s in screened], ignore_index=True) if len(screened) > 1 else screened[0][0]
    site_table = pd.concat([s[1] for s in screened], ignore_index=True) if len(screened) > 1 else screened[0][1]
    zones = merge_zone_summaries([z for s in screened for z in s[2]])
    _sanity_far(site_table, frame, boundary, notes, nearest=relations == "all")
    zoning = None if batch else zoning_for_check(frame, layers, project, sites, industry=industry,
                                                 description=description, notes=notes)
    screened_verdicts, screened_overall = _site_verdicts(frame)
    site_verdicts, overall = _with_gaps(*with_zoning_verdicts(screened_verdicts, screened_overall, zoning), gaps)
    if not batch and len(groups) == 1:  # a guessed lon/lat CRS: does the verdict change under the other reading?
        use = groups[0][1]
        site_meta["crs_sensitivity"] = compare_readings(
            sites, site_meta, screened_verdicts, lambda alt: _site_verdicts(
                screen(alt, layers, ruleset, buffers_m, site_use=use, summarise=False, relations=relations)[0])[0],
            notes)
    used_ids = set(frame["rule_id"].dropna().unique().tolist()) if len(frame) else set()
    return CheckResult(
        verdict=overall, findings=FindingTable(frame), sites=_site_summaries(site_table, site_verdicts),
        zones=zones,
        inputs={"site": site_meta, "project": project.to_dict(), "rules_files": ruleset.sources,
                "layers": {n: _layer_meta(g) for n, g in layers.items()},
                "boundary": None if boundary is None else _layer_meta(boundary),
                "coverage": [c.to_dict() for c in coverages]},
        assumptions=notes, rules=[r.to_dict() for r in ruleset.rules if r.id in used_ids], coverage=gaps,
        corridor=None if corridor_m is None else corridor_takes(sites, layers, corridor_m),
        buffers_m=list(buffers_m), project=project.name,
        methods=dict(METHODS, analysis_crs=Note.join(sorted(set(site_table["analysis_crs"])), severity="info")),
        site_gdf=sites.to_crs(GEOGRAPHIC), layers=_touched(layers, frame, boundary), zoning=zoning,
    )


def _coverages(project: Project, layers: dict, boundary) -> list[LayerCoverage]:
    """The coverage of each layer (declared, else the project boundary, else the data extent)."""
    spec = project.boundary
    name = "boundary" if spec is None else (spec.label or spec.path.name + (f":{spec.layer}" if spec.layer else ""))
    if boundary is not None and "name" in boundary.columns and boundary["name"].nunique() == 1:
        name = str(boundary["name"].iloc[0])  # the official name (盘锦市) rather than the file
    return layer_coverages(layers, project.read_coverages(), boundary, name)


def _layer_labels(project: Project):
    """``label(layer, lang)``: a project layer as reports name it (its label, else its kind's label)."""
    def label(name: str, lang: str) -> str:
        spec = project.layers.get(name)
        given = spec and Label(spec.label or "", spec.label_en or "").text(lang)
        return given or (kind_label(spec.kind, lang) if spec else name)
    return label


def _with_gaps(site_verdicts: dict, overall: str, gaps: list[CoverageGap]) -> tuple[dict, str]:
    """Site and overall verdicts raised to 无法判定 where a site lies outside a layer's coverage."""
    if not gaps:
        return site_verdicts, overall
    out = dict(site_verdicts)
    for g in gaps:
        out[g.site] = max(out.get(g.site, VERDICTS[0]), UNDETERMINED, key=verdict_rank)
    return out, max(overall, UNDETERMINED, key=verdict_rank)


def _load_inputs(site, project, buffers, rules, *, site_crs, skip_empty, vertices=None, at_date=None):
    """Read what a check needs: project, rule set (in force on ``at_date``, within the site's
    jurisdiction), buffer distances (m), the site, the layers and the boundary, with the notes of every
    reader and the datum comparison of site and layers."""
    notes = Notes()
    if not isinstance(project, Project):
        project = load_project(project)
    ruleset = load_rules(*(p for p in (project.rules_path, rules) if p), kinds=layer_kinds(), at_date=at_date)
    say("rules_at_date", notes, warn=False, date=ruleset.at_date.isoformat())
    buffers_m = (parse_buffers(buffers) if buffers is not None else project.buffers_m or ruleset.buffers_m)
    sites, site_meta = read_site(site, site_crs=site_crs, notes=notes, skip_empty=skip_empty, vertices=vertices)
    require_cgcs2000_transform(sites.crs, site_meta.get("path"))
    layers = project.read_layers()
    for lyr in layers.values():
        notes.extend(LayerInfo.of(lyr).notes)
        require_cgcs2000_transform(lyr.crs, lyr.attrs.get("ecogis", {}).get("path"))
    boundary = project.read_boundary()
    ruleset, _ = apply_jurisdiction(ruleset, sites, boundary, notes, {g.attrs.get("ecogis", {}).get("kind")
                                                                      for g in layers.values()})
    warn_mixed_datums(sites, layers, notes)
    return project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes


# --------------------------------------------------------------------------------------------------
# batch checks, streamed per chunk of sites

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
    _boundary: gpd.GeoDataFrame | None = field(default=None, repr=False)

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
            chunk = built[0] if built else _batch_chunk(frame, table, self.layers, self.buffers_m, self.findings_detail)
            _raise_to_gaps(chunk.sites, self.coverage)
            self.verdict = max(self.verdict, *chunk.sites["verdict"], key=verdict_rank)
            self.findings_total += len(frame)
            self.findings_listed += len(chunk.findings)
            self._used_rule_ids.update(frame["rule_id"].dropna().unique().tolist())
            self._site_rows.append(chunk.sites[["id", "name", "verdict", "worst_layer", "worst_feature",
                                                "worst_zone", "worst_relation"]])
            crs_names.update(table["analysis_crs"])
            _collect_far(table, frame, self._boundary, self._far, self._nearest)
            yield chunk
        self.methods["analysis_crs"] = Note.join(sorted(crs_names), severity="info")
        if self._far.get("count"):
            _warn_far(self._far, self.assumptions)

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
                workers: int = 1, engine: str = "local", scheduler: str | None = None,
                parquet_dir: Path | None = None) -> BatchCheck:
    """Check many sites, streamed: like :func:`check` but the results come per chunk of sites from
    :meth:`BatchCheck.chunks`, so memory does not grow with the findings of all sites.

    ``findings``: ``"summary"`` (default) lists every overlap and every finding that is not 符合, and
    gives per site and layer the nearest distance and the count of features within each buffer;
    ``"all"`` lists every finding (see :data:`FINDINGS_DETAIL`). ``relations``: as in :func:`check`.
    ``workers`` > 1 screens the chunks in that many processes (:mod:`ecogis.batch_pool`), with the same
    findings and chunks as one process. ``engine="dask"`` screens them on a Dask cluster instead
    (:mod:`ecogis.engine_dask`: ``scheduler`` ``tcp://host:port``, else a LocalCluster of ``workers``
    processes; the site rows also as partitioned GeoParquet in ``parquet_dir``): the same findings per
    site, the sites in another order.
    """
    from ecogis.batch_pool import check_workers, screen_pool

    check_workers(workers)
    if engine == "dask":
        from ecogis.engine_dask import require_dask

        require_dask()
    elif workers > 1 and relations != "all":
        raise error("scale.workers_overlaps_only", field="workers", hint="scale.no_workers_with_intersects")
    if findings not in FINDINGS_DETAIL:
        raise error("check.unknown_findings", findings=findings, hint="check.summary_or_all")
    project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes = _load_inputs(
        site, project, buffers, rules, site_crs=site_crs, skip_empty=skip_empty, vertices=vertices, at_date=at_date)
    buffers_m = screened_buffers(relations, buffers_m, notes)
    coverages = _coverages(project, layers, boundary)
    gaps = coverage_gaps(sites, coverages)
    note_gaps(gaps, notes, _layer_labels(project))
    groups = use_groups(sites, site_use, notes)
    build = functools.partial(_batch_chunk, layers=list(layers), buffers_m=list(buffers_m), detail=findings)
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
        inputs={"site": site_meta, "project": project.to_dict(), "rules_files": ruleset.sources,
                "layers": {n: _layer_meta(g) for n, g in layers.items()},
                "boundary": None if boundary is None else _layer_meta(boundary),
                "coverage": [c.to_dict() for c in coverages]},
        assumptions=notes, methods=dict(METHODS, findings=FINDINGS_DETAIL[findings]), coverage=gaps,
        _screened=screened, _rules_by_id={r.id: r.to_dict() for r in ruleset.rules}, _boundary=boundary,
        _nearest=relations == "all")


def _batch_chunk(frame, table, layers, buffers_m, detail) -> BatchChunk:
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
    return BatchChunk(sites=rows[BATCH_SITE_COLUMNS], nearest_m=nearest_m, within=within,
                      findings=kept.reindex(columns=BATCH_FINDING_COLUMNS).reset_index(drop=True))


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


def _site_summaries(site_table, site_verdicts: dict) -> list[SiteSummary]:
    """One SiteSummary per row of the engine's site table, built from whole columns (no per-row pandas)."""
    ids = site_table["id"].tolist()
    return [SiteSummary(*row) for row in zip(
        ids, site_table["name"].tolist(), site_table["geometry_type"].tolist(),
        *(site_table[c].astype(float).tolist() for c in ("area_m2", "length_m", "lon", "lat")),
        [site_verdicts.get(i, VERDICTS[0]) for i in ids])]


def _site_verdicts(frame) -> tuple[dict, str]:
    """Worst verdict per site (dict site id -> verdict) and overall, by rank arrays (no per-site groups)."""
    if len(frame) == 0:
        return {}, VERDICTS[0]
    verdicts = frame["verdict"]
    rank = verdicts.map({v: verdict_rank(v) for v in verdicts.unique()}).to_numpy(dtype=np.int64)
    codes, ids = pd.factorize(frame["site"].to_numpy(dtype=object))
    worst = np.zeros(len(ids), dtype=np.int64)
    np.maximum.at(worst, codes, rank)
    names = np.asarray(VERDICTS, dtype=object)
    return dict(zip(ids.tolist(), names[worst].tolist())), VERDICTS[int(rank.max())]


class FindingTable(Sequence):
    """The findings of a check: a read-only sequence of :class:`Finding` backed by a columnar DataFrame.

    Batch checks produce hundreds of thousands of findings; the DataFrame (:attr:`frame`, one row per
    site and finding) is what scripts and table writers should use. ``Finding`` objects are built only
    when the sequence is iterated or indexed, once, from whole columns.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame.reindex(columns=FINDING_COLUMNS).reset_index(drop=True)
        self._items: list[Finding] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i):
        return self._materialise()[i]

    def __iter__(self):
        return iter(self._materialise())

    def __repr__(self) -> str:
        return f"FindingTable({len(self)} findings)"

    def __eq__(self, other):
        if isinstance(other, (FindingTable, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, like the list it compares equal to

    def with_units(self) -> pd.DataFrame:
        """The findings DataFrame with ``overlap_area_ha``, ``overlap_area_mu`` and ``verdict_en`` added."""
        df = self.frame.copy()
        area = df["overlap_area_m2"].to_numpy(dtype=float)
        df["overlap_area_ha"] = convert_area(area, "ha")
        df["overlap_area_mu"] = convert_area(area, "mu")
        df["verdict_en"] = df["verdict"].map(VERDICT_EN)
        return df

    def records(self) -> list[dict]:
        """``[f.to_dict() for f in self]`` from whole columns (ha, 亩 and English verdict added)."""
        df = self.with_units()
        cols = {c: _python_values(df[c]) for c in df.columns}
        return [dict(zip(cols, row)) for row in zip(*cols.values())]

    def _materialise(self) -> list[Finding]:
        if self._items is None:
            cols = [_python_values(self.frame[c]) for c in FINDING_COLUMNS]
            self._items = [Finding(*row) for row in zip(*cols)]
        return self._items


def _python_values(col: pd.Series) -> list:
    """Column values as Python objects, NaN as None."""
    obj = col.astype(object)
    return obj.where(col.notna(), None).tolist()


def _layer_meta(gdf) -> dict:
    meta = dict(gdf.attrs.get("ecogis", {}))
    meta = {k: meta.get(k) for k in ("path", "layer", "kind", "crs", "crs_source", "encoding", "notes") if k in meta}
    meta["features"] = int(len(gdf))
    meta["crs"] = meta.get("crs") or (gdf.crs.to_string() if gdf.crs else None)
    return meta


# --------------------------------------------------------------------------------------------------
# site input

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|nan|inf(?:inity)?)"
_COORD = re.compile(rf"^\s*({_NUMBER})\s*[,， ]\s*({_NUMBER})\s*$", re.IGNORECASE)
#: what a site given as text may be (the hint of every error about it)
SITE_TEXT_EXPECTED = ("Give 'lon,lat' in China (longitude 73-136, latitude 3-54, e.g. 121.85,40.95), "
                      "Gauss-Kruger 'X,Y' in metres with the zone prefix on the easting (e.g. 4536163.95,41406966.59) "
                      "or WKT such as 'POINT (121.85 40.95)'; pass --site-crs for another CRS")


def read_site(site, *, site_crs=None, notes=None, skip_empty=False,
              vertices: VertexSpec | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Turn any site input into a GeoDataFrame (columns id, name, geometry) in a real CRS.

    Web-map coordinates (``site_crs`` GCJ-02 or BD-09) are converted to EPSG:4490 here, before any
    overlay. Invalid geometries are repaired in memory (shapely.make_valid) and reported in ``notes``.
    An empty site is an error, and so is a site feature without geometry unless ``skip_empty``.
    """
    notes = Notes() if notes is None else notes
    web = None
    if site_crs is not None:
        resolved = resolve_crs(site_crs)
        web = resolved if isinstance(resolved, str) else None
    source = "geodataframe"
    if isinstance(site, gpd.GeoDataFrame):
        gdf = site.copy()
        if web:
            gdf, info = convert_web(gdf, web, "site", notes, reason="web_why_given", given=True, warn=False)
            gdf.attrs.setdefault("ecogis", {})["web"] = info
        elif site_crs is not None:
            gdf = gdf.set_crs(resolve_crs(site_crs), allow_override=True)
        if gdf.crs is None:
            raise error("check.site_no_crs", hint="check.set_site_crs")
        path = gdf.attrs.get("ecogis", {}).get("path")
        gdf.attrs.setdefault("ecogis", {}).setdefault("crs_source", "user" if site_crs else "given")
    elif isinstance(site, shapely.Geometry) or (isinstance(site, str) and not Path(site).exists()
                                                and _looks_like_coordinates(site)):
        geom = site if isinstance(site, shapely.Geometry) else _parse_site_text(site)
        source, path = "coordinates", None
        crs = None if web else (resolve_crs(site_crs) if site_crs else None)
        if site_crs is None:
            geom, crs = _infer_site_crs(geom, notes)
        gdf = gpd.GeoDataFrame({"id": ["1"], "name": ["site"]}, geometry=[geom], crs=crs)
        # crs is a pyproj CRS here: web-map sites (GCJ-02/BD-09) have crs None
        gdf.attrs["ecogis"] = {"crs": None if crs is None else crs.to_string(),  # type: ignore[union-attr]
                               "crs_source": "user" if site_crs else "inferred"}
        if web:
            gdf, info = convert_web(gdf.set_crs(4326), web, "site", notes, reason="web_why_given", given=True,
                                    warn=False)
            gdf.attrs["ecogis"] = {**gdf.attrs.get("ecogis", {}), "web": info}
    else:
        from ecogis.io import read_layer

        path = Path(site)
        gdf = read_layer(path, kind="site", crs=site_crs)
        source = "file"
        notes.extend(n for n in LayerInfo.of(gdf).notes if n not in notes)
    if web:
        say("site_web_converted", notes, warn=False, web=web)
    if vertices is not None:
        gdf = vertices_to_shapes(gdf, vertices, source=str(path or "the site"), notes=notes)
    gdf = _normalise_site(gdf, path, notes, skip_empty)
    meta = dict(gdf.attrs.get("ecogis", {}))
    meta.update(source=source, path=None if path is None else str(path), features=int(len(gdf)),
                crs=meta.get("crs") or gdf.crs.to_string(), converted_from=web)
    meta.pop("notes", None)
    return gdf, meta


def _infer_site_crs(geom, notes):
    """CRS of bare site coordinates (lon/lat or Gauss-Kruger, either axis order) via ecogis.crs.infer_crs;
    swaps the axes when they were given in surveying order. The guess is reported as an assumption."""
    xy = shapely.get_coordinates(geom)
    guess = infer_crs(xy[:, 0], xy[:, 1])
    if guess.swap_xy:
        geom = shapely.transform(geom, lambda c: c[:, ::-1])
    say("site_crs_guessed", notes, reason=guess.reason)
    return geom, guess.crs


def _looks_like_coordinates(text: str) -> bool:
    first_word = re.match(r"\s*([A-Za-z]*)", text).group(1).upper()  # type: ignore[union-attr]  # matches any text
    return bool(_COORD.match(text)) or first_word in {
        "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"}


def _parse_site_text(text: str):
    m = _COORD.match(text)
    if m:
        return shapely.Point(float(m.group(1)), float(m.group(2)))
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        raise error("check.site_unparsed", text=text, reason=str(exc), hint="check.site_expected") from exc


def parse_at(text: str, site_crs=None) -> shapely.Geometry:
    """The site of ``check --at TEXT``: 'lon,lat', Gauss-Kruger 'X,Y' (either order) or WKT; never a file.

    The coordinates must be finite and, without ``site_crs``, longitude/latitude in China or
    Gauss-Kruger metres (:func:`ecogis.crs.infer_crs`); otherwise EcogisError says what was expected.
    """
    if not _looks_like_coordinates(text):
        raise error("check.at_not_site", text=text, hint="check.site_expected")
    try:
        geom = _parse_site_text(text)
    except EcogisError as exc:
        raise error("check.at_reason", reason=exc, hint="check.site_expected") from exc
    if geom.is_empty:
        raise error("check.at_empty", text=text, hint="check.site_expected")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise error("check.at_not_finite", text=text, hint="check.site_expected")
    if site_crs is None:
        try:
            infer_crs(xy[:, 0], xy[:, 1])
        except EcogisError as exc:
            raise error("check.at_text_reason", text=text, reason=exc, hint="check.site_expected") from exc
    elif not positions_ok(xy[:, 0], xy[:, 1], resolve_crs(site_crs)).all():
        raise error("check.at_not_position", text=text, crs=site_crs, hint="check.site_expected")
    return geom


def _normalise_site(gdf, path, notes, skip_empty=False) -> gpd.GeoDataFrame:
    attrs = dict(gdf.attrs)
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.all():
        raise error("check.site_no_geometry", path=path,
                    hint="check.site_check_file")
    if empty.any():
        labels = ", ".join(feature_labels(gdf, np.flatnonzero(empty)[:5])) + (" ..." if empty.sum() > 5 else "")
        if not skip_empty:
            raise error("check.site_empty_features", count=int(empty.sum()),
                        path=path, feature=labels,
                        hint="check.fix_or_skip")
        say("site_empty", notes, count=int(empty.sum()), features=labels)
    gdf = gdf.loc[~empty].copy()
    gdf = repair_geometries(gdf, path, notes)
    ids = gdf["id"].astype(str).tolist() if "id" in gdf and gdf["id"].notna().all() else None
    if ids is None or len(set(ids)) != len(ids):
        ids = [str(i + 1) for i in range(len(gdf))]
    names = feature_labels(gdf, np.arange(len(gdf)))
    out = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=gdf.geometry.values, crs=gdf.crs)
    carry_industry(gdf, out)  # a site attribute with its GB/T 4754-2017 code, for the access lists
    out.attrs = attrs
    return out



def warn_mixed_datums(sites, layers: dict, notes) -> None:
    """Say so when the site and a layer are on datums PROJ cannot convert between (Xian 1980 vs CGCS2000):
    the overlay then treats their latitudes/longitudes as the same points, tens of metres off."""
    mixed: dict[Note, list[str]] = {}
    for name, layer in layers.items():
        note = datum_mismatch_note(sites.crs, layer.crs)
        if note:
            mixed.setdefault(note, []).append(name)
    for note, names in mixed.items():
        say("site_datum_mix", notes, layers=", ".join(names), note=note)


def _touched(layers, frame, boundary) -> dict:
    """Features that appear in a finding, per layer, in EPSG:4490 (for the report map)."""
    out = {}
    if boundary is not None:
        out["boundary"] = boundary.to_crs(GEOGRAPHIC)
    if len(frame) == 0:
        return out
    for name, layer in layers.items():
        idx = frame.loc[frame["layer"] == name, "_feature_index"].unique() if "_feature_index" in frame else []
        if len(idx):
            sub = layer.loc[idx].to_crs(GEOGRAPHIC)
            sub.attrs = dict(layer.attrs)
            out[name] = sub
    return out


# --------------------------------------------------------------------------------------------------
# sanity checks

def _sanity_far(site_table, frame, boundary, notes, nearest=True) -> None:
    """Warn when sites are far from the boundary and from every layer (swapped X/Y, wrong CRS, GCJ-02)."""
    far: dict[str, Any] = {}
    _collect_far(site_table, frame, boundary, far, nearest)
    if far.get("count"):
        _warn_far(far, notes)


def _collect_far(site_table, frame, boundary, far: dict, nearest=True) -> None:
    """Add the sites of ``site_table`` that are far from the boundary and every layer, or outside China,
    to ``far`` (count, first ids, first centre, whether all are outside China).

    "Far" is more than FAR_M metres; the boundary distance is planar in the GK zone of the sites'
    median longitude, which is ample for a 50 km threshold. Without ``nearest`` findings (overlaps only)
    the layers cannot tell: only the boundary and the test for China decide.
    """
    lon, lat = site_table["lon"].values, site_table["lat"].values
    outside_china = ~((lon > 73) & (lon < 136) & (lat > 3) & (lat < 54))
    near = frame[frame["relation"] == ("nearest" if nearest else "intersects")] if len(frame) else None
    dist = near.groupby("site")["distance_m"].min() if near is not None else pd.Series(dtype=float)
    far_sites = site_table["id"].map(dist).fillna(np.inf).values > FAR_M
    if not nearest and (boundary is None or not len(boundary)):
        far_sites[:] = False  # no distances to the layers and no boundary: nothing to tell
    if boundary is not None and len(boundary) and not outside_china.all():
        gk = metric_crs(float(np.median(lon[~outside_china])))
        b = shapely.union_all(boundary.to_crs(gk).geometry.values)
        x, y = pyproj.Transformer.from_crs(GEOGRAPHIC, gk, always_xy=True).transform(lon, lat)
        far_sites &= shapely.distance(shapely.points(x, y), b) > FAR_M
    bad = far_sites | outside_china
    if not bad.any():
        return
    if not far.get("count"):
        far.update(count=0, ids=[], centre=(float(lon[bad][0]), float(lat[bad][0])), outside=True)
    far["count"] += int(bad.sum())
    far["ids"] = (far["ids"] + site_table["id"].values[bad][:5].tolist())[:5]
    far["outside"] &= bool(outside_china[bad].all())


def _warn_far(far: dict, notes) -> None:
    ids = ", ".join(far["ids"]) + (" ..." if far["count"] > 5 else "")
    where = make_note("site_far_china") if far["outside"] else make_note("site_far_where", km=f"{FAR_M / 1000:.0f}")
    lon, lat = far["centre"]
    say("site_far", notes, count=far["count"], ids=ids, where=where, lon=f"{lon:.5f}", lat=f"{lat:.5f}")
