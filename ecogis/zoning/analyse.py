"""Screening against 环境管控单元 and their 生态环境准入清单 (the analysis; no file reading, no text).

:func:`analyse_units` takes the findings table of :func:`ecogis.screen.screen` (its control-unit rows
carry the overlap area, share and distances, computed there: ellipsoidal areas and geodesic distances
on CGCS2000) and the control-unit layers, and lists for each site the units it overlaps or lies near;
for the units it overlaps, every requirement of the access lists that applies (overall, class and
unit level), judged for the project's industry (:func:`ecogis.zoning.requirements.judge`).

A site in a unit for which no access list, or no requirement, is known gets 需论证 (reason
``no_access_list`` / ``no_requirement``), never 符合.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ecogis.rules import VERDICTS, worst_verdict
from ecogis.zoning.industry import Industry
from ecogis.zoning.requirements import DIMENSIONS, Judgement, Requirement, judge
from ecogis.zoning.result import RequirementFinding, UnitRelation, ZoningResult

METHODS = {
    "unit_overlap": "overlap area and share as in the findings: ellipsoidal area on the CGCS2000 ellipsoid of the "
                    "intersection in the site's 3° Gauss-Kruger zone; units within the buffers by geodesic distance",
    "requirements": "every requirement of the access lists that applies to an overlapped unit: overall rows, rows "
                    "of the unit's class and rows of the unit's code",
    "industry_match": "prefix match of GB/T 4754-2017 codes (C26 covers C2614); a requirement with codes none of "
                      "which covers the project's code is clear; text-only requirements need assessment",
}
_UNIT_COLUMNS = ("code", "name", "unit_class", "subtype", "element", "county", "adcode")


def analyse_units(findings: pd.DataFrame, unit_layers: dict, requirements: list[Requirement] | None,
                  industry: Industry | None = None, description: str | None = None,
                  access_lists: list[dict] | None = None,
                  site_industries: dict[str, Industry] | None = None,
                  site_texts: dict[str, str] | None = None) -> ZoningResult:
    """Units per site and the requirements that apply, judged for ``industry``.

    ``findings``: the screening findings (columns of :data:`ecogis.screen.FINDING_COLUMNS` plus
    ``_feature_index``); ``unit_layers``: ``{layer name: normalised control_unit GeoDataFrame}``;
    ``requirements``: the access lists' requirements (None: no access list given);
    ``site_industries``: ``{site id: Industry}`` overriding ``industry`` for those sites, ``site_texts``
    likewise the description."""
    units = _unit_relations(findings, unit_layers)
    found: list[RequirementFinding] = []
    for site in dict.fromkeys(u.site for u in units if u.relation == "intersects"):
        overlapped = [u for u in units if u.site == site and u.relation == "intersects"]
        own = (site_industries or {}).get(site, industry)
        text = (site_texts or {}).get(site, description or "")
        found.extend(_site_requirements(site, overlapped, requirements, own, text))
    site_verdicts: dict[str, str] = {}
    for r in found:
        site_verdicts[r.site] = worst_verdict([site_verdicts.get(r.site, VERDICTS[0]), r.verdict])
    return ZoningResult(industry=industry, description=description, units=units, requirements=found,
                        verdict=worst_verdict(site_verdicts.values()), site_verdicts=site_verdicts,
                        access_lists=list(access_lists or []), unit_layers=list(unit_layers), methods=dict(METHODS),
                        uncovered=_uncovered(findings, units, unit_layers),
                        site_industries={k: v.code for k, v in (site_industries or {}).items()})


def _uncovered(findings: pd.DataFrame, units: list[UnitRelation], unit_layers: dict) -> dict[str, float]:
    """Share (0-1) of each site that lies in no control unit, for the sites where it is above 1e-6 (units
    of a layer do not overlap, so the shares of the units a site overlaps add up)."""
    if len(findings) == 0 or not unit_layers:
        return {}
    screened = findings.loc[findings["layer"].isin(list(unit_layers)), "site"].astype(str).unique()
    covered: dict[str, float] = {}
    for u in units:
        if u.relation == "intersects":
            covered[u.site] = covered.get(u.site, 0.0) + (1.0 if u.share_of_site is None else u.share_of_site)
    out = {site: max(0.0, 1.0 - covered.get(site, 0.0)) for site in screened}
    return {site: share for site, share in out.items() if share > 1e-6}


def _unit_relations(findings: pd.DataFrame, unit_layers: dict) -> list[UnitRelation]:
    """The overlaps and within-buffer relations of the control-unit layers, one per site and unit (the
    smallest buffer that holds a near unit)."""
    out: list[UnitRelation] = []
    if len(findings) == 0:
        return out
    rows = findings[findings["layer"].isin(list(unit_layers)) & findings["relation"].isin(["intersects",
                                                                                           "within_buffer"])]
    rows = rows.sort_values(["site", "layer", "_feature_index", "relation", "buffer_m"], na_position="first")
    rows = rows.drop_duplicates(["site", "layer", "_feature_index"])  # intersects sorts before within_buffer
    for r in rows.to_dict("records"):
        attrs = unit_layers[r["layer"]].loc[r["_feature_index"]]
        values = {c: _value(attrs.get(c)) for c in _UNIT_COLUMNS}
        out.append(UnitRelation(
            site=str(r["site"]), layer=str(r["layer"]), unit_code=values["code"] or str(r["feature"]),
            unit_name=values["name"], unit_class=values["unit_class"], subtype=values["subtype"],
            element=values["element"], county=values["county"], adcode=values["adcode"], relation=r["relation"],
            overlap_area_m2=_number(r.get("overlap_area_m2")), share_of_site=_number(r.get("share_of_site")),
            distance_m=_number(r.get("distance_m")), buffer_m=_number(r.get("buffer_m"))))
    return out


def _site_requirements(site: str, overlapped: list[UnitRelation], requirements: list[Requirement] | None,
                       industry: Industry | None, description: str) -> list[RequirementFinding]:
    """The requirements that apply to one site through the units it overlaps, each once (with the
    units it applies through), judged; 需论证 placeholders where nothing is known."""
    if requirements is None:
        return [_placeholder(site, [u.unit_code for u in overlapped], "no_access_list")]
    applying: dict[str, tuple[Requirement, list[str]]] = {}
    out = []
    for unit in overlapped:
        reqs = [r for r in requirements if r.applies_to(unit.unit_code, unit.unit_class)]
        if not any(r.level == "unit" for r in reqs) and not any(r.level == "class" for r in reqs):
            out.append(_placeholder(site, [unit.unit_code], "no_requirement", unit.unit_class))
        for r in reqs:
            applying.setdefault(r.id, (r, []))[1].append(unit.unit_code)
    for req, codes in applying.values():
        j = judge(req, industry, description)
        out.append(_finding(site, codes, req, j, industry))
    order = {"overall": 0, "class": 1, "unit": 2}
    dims = {d: i for i, d in enumerate(DIMENSIONS)}
    return sorted(out, key=lambda f: (order.get(f.level, 3), f.units, dims.get(f.dimension or "", 9), f.source))


def _finding(site: str, units: list[str], req: Requirement, j: Judgement, industry: Industry | None
             ) -> RequirementFinding:
    return RequirementFinding(site=site, units=units, level=req.level, scope=req.scope, unit_class=req.unit_class,
                              dimension=req.dimension, text=req.text, prohibited=list(req.prohibited),
                              restricted=list(req.restricted), verdict=j.verdict, reason=j.reason,
                              matched=j.matched, requirement_id=req.id, source=req.source,
                              industry=None if industry is None else industry.code)


def _placeholder(site: str, units: list[str], reason: str, unit_class: str | None = None) -> RequirementFinding:
    """需论证 where the requirements of a unit are unknown (no access list, or none for its code and class)."""
    return RequirementFinding(site=site, units=units, level="unit", scope=None, unit_class=unit_class,
                              dimension=None, text="", prohibited=[], restricted=[], verdict="需论证", reason=reason,
                              matched=None, requirement_id=None, source="")


def _value(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return str(v)


def _number(v):
    if v is None or pd.isna(v):
        return None
    return float(v)
