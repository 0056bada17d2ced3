"""Site screening (项目选址合规性分析): check project sites against every control layer of a project.

``check(site, project)`` reads the site (:func:`ecogis.site_input.read_site`) and the project's layers
and rules, runs the screening engine (:func:`ecogis.screen.screen`, where the method is described),
warns about sites that are far from everything, and returns a :class:`ecogis.check_result.CheckResult`;
renderers (HTML, DOCX, XLSX, JSON) print it. Areas are m² (official ellipsoidal, CGCS2000), lengths and
distances geodesic metres. Many sites, streamed: :mod:`ecogis.check_batch`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from ecogis.check_messages import note_gaps, use_groups
from ecogis.check_result import METHODS, CheckResult, FindingTable, SiteSummary
from ecogis.coverage import UNDETERMINED, CoverageGap, LayerCoverage, coverage_gaps, layer_coverages
from ecogis.crs import (
    datum_mismatch_note,
    metric_crs,
    require_cgcs2000_transform,
)
from ecogis.crs_sensitivity import compare_readings
from ecogis.geodesy import GEOGRAPHIC_CRS as GEOGRAPHIC
from ecogis.geodesy import cached_transformer
from ecogis.jurisdiction import apply_jurisdiction
from ecogis.kinds import kind_label
from ecogis.layer_info import LayerInfo
from ecogis.messages import note as make_note
from ecogis.messages import say
from ecogis.notes import Label, Note, Notes
from ecogis.project import Project, layer_kinds, load_project
from ecogis.rules import VERDICTS, load_rules, parse_buffers, verdict_rank
from ecogis.screen import (
    ZoneSummary,
    merge_zone_summaries,
    screen,
    screened_buffers,
)
from ecogis.screen_scope import raise_unscreened, unscreened_sites
from ecogis.site_input import read_site
from ecogis.zoning.check_hook import describe_project, with_zoning_verdicts, zoning_for_check

if TYPE_CHECKING:
    from ecogis.io.vertices import VertexSpec

__all__ = ["check", "screen", "ZoneSummary"]

FAR_M = 50_000.0  # a site farther than this from the boundary and every layer gets a warning


# --------------------------------------------------------------------------------------------------
# public entry point

def check(site, project, buffers=None, rules=None, *, site_crs=None, site_use=None, batch=False,
          progress=False, skip_empty=False, vertices: VertexSpec | None = None,
          corridor_m: float | None = None, at_date=None, industry=None, description=None,
          relations: str = "all", project_info=None) -> CheckResult:
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
        memory: for thousands of sites use :func:`ecogis.check_batch.check_batch`, which streams them per chunk.
    skip_empty : leave site features without geometry out (with a note) instead of refusing the site.
    vertices : build lines or polygons from a point site (:class:`ecogis.io.vertices.VertexSpec`).
    corridor_m : width (m) of the working corridor (作业带) of a line site: its area per zone crossed.
    at_date : the check date (``YYYY-MM-DD``, default today): the rules in force on it apply.
    industry, description : the project's GB/T 4754-2017 code (``"C2614"``) and a short description, for
        the 生态环境准入清单 of the control units (:mod:`ecogis.zoning`).
    project_info : a project-description YAML file (or its mapping): industry, type, description, use;
        ``industry``, ``description``, ``site_use`` and the sites' own attributes win over it
        (:mod:`ecogis.zoning.description`).
    relations : ``"all"`` (default) or ``"intersects"``: overlaps only, no buffers and no nearest
        feature (:func:`ecogis.screen.screen`; stated in the notes).

    Line sites are linear infrastructure unless ``site_use`` says otherwise (the linear rules apply to
    them, with a note; other sites of the same input are screened without a use).
    """
    project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes, coverages, gaps, info, groups = _prepare(
        site, project, buffers, rules, site_crs=site_crs, site_use=site_use, skip_empty=skip_empty,
        vertices=vertices, at_date=at_date, relations=relations, industry=industry, description=description,
        project_info=project_info)
    screened = [screen(sites.iloc[rows], layers, ruleset, buffers_m, site_use=use, summarise=not batch,
                       progress=progress, relations=relations) for rows, use in groups]
    frame = pd.concat([s[0] for s in screened], ignore_index=True) if len(screened) > 1 else screened[0][0]
    site_table = pd.concat([s[1] for s in screened], ignore_index=True) if len(screened) > 1 else screened[0][1]
    zones = merge_zone_summaries([z for s in screened for z in s[2]])
    _sanity_far(site_table, frame, boundary, notes, nearest=relations == "all")
    zoning = zoning_for_check(frame, layers, project, sites, notes=notes, project_description=info)
    screened_verdicts, screened_overall = _site_verdicts(frame)
    site_verdicts, overall = _with_gaps(*with_zoning_verdicts(screened_verdicts, screened_overall, zoning), gaps)
    site_verdicts, overall = raise_unscreened(site_verdicts, overall, site_table["id"],
                                              unscreened_sites(sites, groups, layers, ruleset, relations))
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
        inputs=_inputs(site_meta, project, ruleset, layers, boundary, coverages),
        assumptions=notes, rules=[r.to_dict() for r in ruleset.rules if r.id in used_ids], coverage=gaps,
        corridor=None if corridor_m is None else _corridor(sites, layers, corridor_m),
        buffers_m=list(buffers_m), project=project.name,
        methods=dict(METHODS, analysis_crs=Note.join(sorted(set(site_table["analysis_crs"])), severity="info")),
        site_gdf=sites.to_crs(GEOGRAPHIC), layers=_touched(layers, frame, boundary), zoning=zoning,
    )


def _corridor(sites, layers: dict, corridor_m: float):
    """:func:`ecogis.corridor.corridor_takes` (imported only when a corridor width is given)."""
    from ecogis.corridor import corridor_takes

    return corridor_takes(sites, layers, corridor_m)


def _prepare(site, project, buffers, rules, *, site_crs, site_use, skip_empty, vertices, at_date, relations,
             industry, description, project_info):
    """What :func:`check` and :func:`ecogis.check_batch.check_batch` screen: the inputs
    (:func:`_load_inputs`), the buffer distances (m) the ``relations`` need, each layer's coverage and
    the sites outside it (noted), the project's description (:func:`describe_project`) and the sites
    grouped by use."""
    project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes = _load_inputs(
        site, project, buffers, rules, site_crs=site_crs, skip_empty=skip_empty, vertices=vertices, at_date=at_date)
    buffers_m = screened_buffers(relations, buffers_m, notes)
    coverages = _coverages(project, layers, boundary)
    gaps = coverage_gaps(sites, coverages)
    note_gaps(gaps, notes, _layer_labels(project))
    info = describe_project(project, industry, description, site_use, project_info)
    groups = use_groups(sites, info.use or ("linear" if info.project_type == "linear" else None), notes)
    return project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes, coverages, gaps, info, groups


def _inputs(site_meta, project: Project, ruleset, layers: dict, boundary, coverages: list[LayerCoverage]) -> dict:
    """The ``inputs`` of a check result: the site, the project, the rules files, each layer, the boundary and
    the coverages."""
    return {"site": site_meta, "project": project.to_dict(), "rules_files": ruleset.sources,
            "layers": {n: _layer_meta(g) for n, g in layers.items()},
            "boundary": None if boundary is None else _layer_meta(boundary),
            "coverage": [c.to_dict() for c in coverages]}


def _coverages(project: Project, layers: dict, boundary) -> list[LayerCoverage]:
    """The coverage of each layer (declared, else the project boundary, else the data extent)."""
    spec = project.boundary
    name = "boundary" if spec is None else (spec.label or spec.path.name + (f":{spec.layer}" if spec.layer else ""))
    if boundary is not None and "name" in boundary.columns and len(set(boundary["name"].dropna().tolist())) == 1:
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
    ruleset = _ruleset(project, rules, at_date)
    say("rules_at_date", notes, warn=False, date=ruleset.at_date.isoformat())
    buffers_m = (parse_buffers(buffers) if buffers is not None else project.buffers_m or ruleset.buffers_m)
    sites, site_meta = read_site(site, site_crs=site_crs, notes=notes, skip_empty=skip_empty, vertices=vertices)
    require_cgcs2000_transform(sites.crs, site_meta.get("path"))
    layers = project.read_layers()
    transformable = set()  # the CRSs (WKT) found transformable to CGCS2000: layers mostly share one
    for lyr in layers.values():
        info = LayerInfo.of(lyr)
        notes.extend(info.notes)
        wkt = lyr.crs.to_wkt() if lyr.crs is not None else None
        if wkt not in transformable:
            require_cgcs2000_transform(lyr.crs, info.path)
            transformable.add(wkt)
    boundary = project.read_boundary()
    ruleset, _ = apply_jurisdiction(ruleset, sites, boundary, notes, {LayerInfo.of(g).kind for g in layers.values()})
    warn_mixed_datums(sites, layers, notes)
    return project, ruleset, buffers_m, sites, site_meta, layers, boundary, notes


def _ruleset(project: Project, rules, at_date):
    """:func:`load_rules` of the defaults, the project's rules file and ``rules`` in force on ``at_date``
    (today when None), through the layer cache: the parsed rule set is kept by the bytes of the files,
    the layer kinds and the date (the default rules file is part of ecogis's code fingerprint)."""
    from ecogis.layer_cache import cached
    from ecogis.rules import DEFAULT_RULES_PATH

    paths = [p for p in (project.rules_path, rules) if p]
    kinds = layer_kinds()
    files = [Path(DEFAULT_RULES_PATH), *map(Path, paths)]
    options = {"paths": [str(p) for p in paths], "kinds": sorted(kinds), "at_date": str(at_date),
               "today": dt.date.today().isoformat() if at_date is None else None}
    cacheable = files if all(f.is_file() for f in files) else None  # a missing file: load_rules says so
    return cached("rules", options, cacheable, lambda: load_rules(*paths, kinds=kinds, at_date=at_date))


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


def _layer_meta(gdf) -> dict:
    meta = dict(gdf.attrs.get("ecogis", {}))
    meta = {k: meta.get(k) for k in ("path", "layer", "kind", "crs", "crs_source", "encoding", "notes") if k in meta}
    meta["features"] = int(len(gdf))
    meta["crs"] = meta.get("crs") or (gdf.crs.to_string() if gdf.crs else None)
    return meta


def warn_mixed_datums(sites, layers: dict, notes) -> None:
    """Say so when the site and a layer are on datums PROJ cannot convert between (Xian 1980 vs CGCS2000):
    the overlay then treats their latitudes/longitudes as the same points, tens of metres off."""
    mixed: dict[Note, list[str]] = {}
    by_crs: dict[Any, Note | None] = {}  # layers mostly share a CRS: compared once each
    for name, layer in layers.items():
        crs = layer.crs
        key = crs.to_wkt() if crs is not None else None
        if key not in by_crs:
            by_crs[key] = datum_mismatch_note(sites.crs, crs)
        note = by_crs[key]
        if note:
            mixed.setdefault(note, []).append(name)
    for note, names in mixed.items():
        say("site_datum_mix", notes, layers=", ".join(names), note=note)


def _touched(layers, frame, boundary) -> dict:
    """Features that appear in a finding, per layer, in EPSG:4490 (for the report map)."""
    out = {}
    if boundary is not None:
        out["boundary"] = boundary.to_crs(GEOGRAPHIC)
    if len(frame) == 0 or "_feature_index" not in frame:
        return out
    names, features = frame["layer"].to_numpy(dtype=object), frame["_feature_index"].to_numpy()
    for name, layer in layers.items():
        idx = pd.unique(features[names == name])  # in the order of the findings
        if len(idx):
            sub = layer.loc[idx]
            if layer.crs is None or not layer.crs.is_exact_same(GEOGRAPHIC):  # else to_crs would only copy it
                sub = sub.to_crs(GEOGRAPHIC)
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
        x, y = cached_transformer(GEOGRAPHIC, gk).transform(lon, lat)
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
