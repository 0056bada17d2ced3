"""The 生态环境分区管控 part of a site check: called by :func:`ecogis.check.check` after screening.

Reads the project's access lists (layers of kind ``access_list``), runs :func:`analyse_units` over the
control-unit layers and builds the combined summary (:func:`spatial_summary`). Returns a
:class:`ZoningResult` whose ``summary`` lists every spatial control.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ecogis.messages import register, say
from ecogis.rules import worst_verdict
from ecogis.zoning.analyse import analyse_units
from ecogis.zoning.description import ProjectDescription, from_cli, read_description, site_descriptions
from ecogis.zoning.read import read_access_list
from ecogis.zoning.requirements import Requirement
from ecogis.zoning.result import ZoningResult
from ecogis.zoning.summary import spatial_summary

if TYPE_CHECKING:
    from ecogis.zoning.batch import BatchZoning

register({
    "zoning.no_access_list": (
        "the project has control units ({layers}) but no access list (a layer of kind access_list): the "
        "requirements of the units are unknown and every site in a unit is 需论证",
        "项目有环境管控单元图层（{layers}）但未提供生态环境准入清单（access_list 类图层）：单元管控要求未知，"
        "位于单元内的场址均为需论证"),
    "zoning.no_industry": (
        "no industry given (--industry, GB/T 4754-2017 code such as C2614): requirements that list industry "
        "codes are 需论证",
        "未给出项目所属行业（--industry，GB/T 4754-2017 代码，如 C2614）：列有行业代码的准入要求均为需论证"),
    "zoning.uncovered": (
        "{share} of site {site} lies in no environmental control unit: its access-list requirements cannot be "
        "determined there (the units may not cover the area; check the control-unit layer)",
        "场址 {site} 有 {share} 不在任何环境管控单元内：该部分的准入要求无法判定（管控单元图层可能未覆盖该区域，"
        "请核实）"),
    "zoning.uncovered_sites": (
        "{count} site(s) ({sites}) lie wholly or partly in no environmental control unit: their access-list "
        "requirements cannot be determined there (see zoning.uncovered of each site; check the control-unit layer)",
        "{count} 个场址（{sites}）全部或部分不在任何环境管控单元内：该部分的准入要求无法判定（见各场址的 "
        "zoning.uncovered；请核实管控单元图层）"),
})


def note_uncovered(uncovered: dict, notes) -> None:
    """The note of a batch on the sites (or parts) in no control unit (``uncovered``: site -> share 0-1)."""
    if uncovered:
        shown = ", ".join(list(uncovered)[:5]) + (" ..." if len(uncovered) > 5 else "")
        say("zoning.uncovered_sites", notes, warn=False, count=len(uncovered), sites=shown)


def describe_project(project, industry=None, description: str | None = None, use: str | None = None,
                     project_info=None) -> ProjectDescription:
    """The project's description: the command-line values (``industry``, ``description``, ``use``) over
    the description file ``project_info`` (a path or mapping; else the project file's ``project_info:``)."""
    cli = from_cli(industry, description, use)
    spec = project_info if project_info is not None else getattr(project, "project_info", None)
    base = None if project_info is not None or getattr(project, "path", None) is None else project.path.parent
    return cli.over(read_description(spec, base))


def zoning_for_check(findings, layers: dict, project, sites, *, industry=None, description: str | None = None,
                     notes: list | None = None, project_description: ProjectDescription | None = None
                     ) -> ZoningResult:
    """The zoning result of a check: units, requirements and the combined summary.

    ``project_description`` (:func:`describe_project`), else ``industry`` (an :class:`Industry`, a code
    such as ``"C2614"`` or ``"C2614:名称"``) and ``description`` as given on the command line; a site's
    own attributes (行业代码, 项目描述 ...) give that site's fields the command line does not give."""
    info = project_description or from_cli(industry, description)
    unit_layers = {n: g for n, g in layers.items() if (g.attrs.get("ecogis") or {}).get("kind") == "control_unit"}
    requirements, metas = read_requirements(project, unit_layers, notes)
    per_site = site_descriptions(sites, info)
    site_inds = {s: d.industry for s, d in per_site.items() if d.industry is not None}
    if unit_layers and info.industry is None and not site_inds and any(r.coded for r in requirements or []):
        say("zoning.no_industry", notes, warn=False)
    result = analyse_units(findings, unit_layers, requirements, info.industry, info.description, metas, site_inds,
                           site_texts={s: d.description or "" for s, d in per_site.items()})
    result.project_description = info.to_dict()
    result.site_descriptions = {s: d.to_dict() for s, d in per_site.items()}
    for site, share in result.uncovered.items():
        say("zoning.uncovered", notes, warn=False, site=site, share=f"{share:.2%}")
    result.summary = spatial_summary(findings, layers, sites, result.verdict if unit_layers else None)
    return result


def read_requirements(project, unit_layers: dict, notes) -> tuple[list[Requirement] | None, list[dict]]:
    """The requirements of the project's access lists (layers of kind ``access_list``) and what was read;
    None (with a note when there are control units) when the project has no access list."""
    specs = [s for s in project.layers.values() if s.kind == "access_list"]
    if not specs:
        if unit_layers:
            say("zoning.no_access_list", notes, layers=", ".join(unit_layers))
        return None, []
    requirements: list[Requirement] = []
    metas = []
    for spec in specs:
        reqs, meta = _access_list(spec, notes)
        requirements.extend(reqs)
        metas.append(dict(meta, name=spec.name))
    return requirements, metas


def _access_list(spec, notes) -> tuple[list[Requirement], dict]:
    """:func:`read_access_list` of a project layer, through :mod:`ecogis.layer_cache` (its notes replayed)."""
    from ecogis.layer_cache import cached, source_files
    from ecogis.notes import Notes

    def read():
        own = Notes()
        reqs, meta = read_access_list(spec.path, fields=spec.fields, encoding=spec.encoding, layer=spec.layer,
                                      notes=own)
        return reqs, meta, own

    options = {"path": str(spec.path), "fields": list((spec.fields or {}).items()), "encoding": spec.encoding,
               "layer": spec.layer}
    files = source_files(spec.path) if isinstance(spec.path, Path) else None
    reqs, meta, own = cached("access_list", options, files, read)
    if notes is not None:
        notes.extend(n for n in own if n not in notes)
    return reqs, meta


def zoning_for_batch(layers: dict, project, sites, info: ProjectDescription, notes) -> BatchZoning | None:
    """The zoning state of a batch check (:class:`ecogis.zoning.batch.BatchZoning`), or None when the
    project has no control-unit layer."""
    unit_layers = {n: g for n, g in layers.items() if (g.attrs.get("ecogis") or {}).get("kind") == "control_unit"}
    if not unit_layers:
        return None
    requirements, metas = read_requirements(project, unit_layers, notes)
    per_site = site_descriptions(sites, info)
    if info.industry is None and not any(d.industry for d in per_site.values()) and any(
            r.coded for r in requirements or []):
        say("zoning.no_industry", notes, warn=False)
    from ecogis.zoning.batch import BatchZoning

    return BatchZoning.build(unit_layers, requirements, info, per_site, metas)


def with_zoning_verdicts(site_verdicts: dict, overall: str, zoning: ZoningResult | None) -> tuple[dict, str]:
    """Site verdicts and the overall verdict of a check with the access-list verdicts folded in (worst)."""
    if zoning is None:
        return site_verdicts, overall
    merged = dict(site_verdicts)
    for site, verdict in zoning.site_verdicts.items():
        merged[site] = worst_verdict([merged.get(site, "符合"), verdict])
    return merged, worst_verdict([overall, zoning.verdict])
