"""Which administrative area a site lies in, so that local rules fire only where they apply.

The area comes from the project's boundary layer: the ``adcode`` (行政区划代码) of every boundary
feature the site touches (EPSG:4490 overlay). A boundary without adcodes, or a site outside it,
leaves the area unknown; rules with a ``jurisdiction`` (see :mod:`ecogis.rules.scope`) are then left
out, with a note naming them, rather than applied on a guess.
"""
from __future__ import annotations

import numpy as np
import shapely

from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.messages import register, say

register({
    "rules_local_unknown_area": (
        "rule(s) {rules} apply only in the areas with adcode {prefixes}; the site's administrative area is "
        "unknown ({why}), so they were not applied. Give the project a boundary with an adcode field",
        "规则 {rules} 仅适用于行政区划代码为 {prefixes} 的地区；场址所在行政区无法确定（{why}），未予适用。"
        "请为项目提供带行政区划代码（adcode）字段的边界"),
    "rules_local_elsewhere": (
        "rule(s) {rules} apply only in the areas with adcode {prefixes}, not in the site's area ({adcodes}): "
        "not applied",
        "规则 {rules} 仅适用于行政区划代码为 {prefixes} 的地区，场址所在地区（{adcodes}）不适用，未予适用"),
    "area_no_boundary": ("the project names no boundary", "项目未指定行政边界"),
    "area_no_adcode": ("the boundary has no adcode field", "行政边界无行政区划代码字段"),
    "area_outside": ("the site lies outside the boundary", "场址位于行政边界之外"),
    "rules_at_date": ("rules applied as in force on {date} (check date; --at-date to choose another)",
                      "按 {date}（核查日期；可用 --at-date 指定）施行的规定适用规则"),
})


def site_adcodes(sites, boundary) -> tuple[set[str] | None, str]:
    """(the adcodes of the boundary features the sites touch, or None, and why None in note words).

    ``sites`` and ``boundary``: GeoDataFrames in any real CRS (overlaid in EPSG:4490)."""
    if boundary is None or len(boundary) == 0:
        return None, "area_no_boundary"
    if "adcode" not in boundary.columns or boundary["adcode"].isna().all():
        return None, "area_no_adcode"
    geo = boundary.to_crs(GEOGRAPHIC_CRS)
    tree = shapely.STRtree(geo.geometry.values)
    _, hit = tree.query(sites.to_crs(GEOGRAPHIC_CRS).geometry.values, predicate="intersects")
    touched = geo["adcode"].iloc[np.unique(hit)].dropna()
    codes = {str(c).strip() for c in touched if str(c).strip()}
    return (codes, "") if codes else (None, "area_outside")


def apply_jurisdiction(ruleset, sites, boundary, notes, kinds=None, *, area=None):
    """``ruleset`` without the rules whose jurisdiction the sites are not in. The left-out rules for the
    layer ``kinds`` checked (all when None) are named in a note (in the report, not a warning). ``area``:
    the :func:`site_adcodes` of the sites when already known (sites read in parts), else taken here.

    Returns (rule set, adcodes or None)."""
    adcodes, why = site_adcodes(sites, boundary) if area is None else area
    kept, left_out = ruleset.for_area(adcodes)
    left_out = [r for r in left_out if kinds is None or r.kind in kinds]
    if left_out:
        ids = ", ".join(r.id for r in left_out)
        prefixes = ", ".join(sorted({p for r in left_out for p in r.jurisdiction}))
        if adcodes is None:
            say("rules_local_unknown_area", notes, warn=False, rules=ids, prefixes=prefixes,
                why=say(why, warn=False))
        else:
            say("rules_local_elsewhere", notes, warn=False, rules=ids, prefixes=prefixes,
                adcodes=", ".join(sorted(adcodes)))
    return kept, adcodes
