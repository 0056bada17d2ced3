"""The 生态环境分区管控 part of a site check: called by :func:`ecogis.check.check` after screening.

Reads the project's access lists (layers of kind ``access_list``), runs :func:`analyse_units` over the
control-unit layers and builds the combined summary (:func:`spatial_summary`). Returns a
:class:`ZoningResult` whose ``summary`` lists every spatial control.
"""
from __future__ import annotations

from ecogis.messages import register, say
from ecogis.rules import worst_verdict
from ecogis.zoning.analyse import analyse_units
from ecogis.zoning.industry import Industry, parse_industry, site_industries
from ecogis.zoning.read import read_access_list
from ecogis.zoning.result import ZoningResult
from ecogis.zoning.summary import spatial_summary

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
})


def zoning_for_check(findings, layers: dict, project, sites, *, industry=None, description: str | None = None,
                     notes: list | None = None) -> ZoningResult:
    """The zoning result of a check: units, requirements and the combined summary.

    ``industry``: an :class:`Industry`, a code such as ``"C2614"`` (or ``"C2614:名称"``), or None; a
    site's own ``industry`` attribute (:func:`ecogis.zoning.industry.site_industries`) wins for that site."""
    if industry is not None and not isinstance(industry, Industry):
        industry = parse_industry(industry)
    unit_layers = {n: g for n, g in layers.items() if (g.attrs.get("ecogis") or {}).get("kind") == "control_unit"}
    specs = [s for s in project.layers.values() if s.kind == "access_list"]
    requirements, metas = None, []
    if specs:
        requirements = []
        for spec in specs:
            reqs, meta = read_access_list(spec.path, fields=spec.fields, encoding=spec.encoding, layer=spec.layer,
                                          notes=notes)
            requirements.extend(reqs)
            metas.append(dict(meta, name=spec.name))
    elif unit_layers:
        say("zoning.no_access_list", notes, layers=", ".join(unit_layers))
    per_site = site_industries(sites)
    if unit_layers and industry is None and not per_site and any(r.coded for r in requirements or []):
        say("zoning.no_industry", notes, warn=False)
    result = analyse_units(findings, unit_layers, requirements, industry, description, metas, per_site)
    for site, share in result.uncovered.items():
        say("zoning.uncovered", notes, warn=False, site=site, share=f"{share:.2%}")
    result.summary = spatial_summary(findings, layers, sites, result.verdict if unit_layers else None)
    return result


def with_zoning_verdicts(site_verdicts: dict, overall: str, zoning: ZoningResult | None) -> tuple[dict, str]:
    """Site verdicts and the overall verdict of a check with the access-list verdicts folded in (worst)."""
    if zoning is None:
        return site_verdicts, overall
    merged = dict(site_verdicts)
    for site, verdict in zoning.site_verdicts.items():
        merged[site] = worst_verdict([merged.get(site, "符合"), verdict])
    return merged, worst_verdict([overall, zoning.verdict])
