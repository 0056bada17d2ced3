"""Notes of the site check about coverage (English and Chinese templates, registered in ecogis.messages)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely

from ecogis.coverage import EXTENT_MARGIN_M, CoverageGap
from ecogis.messages import register, say
from ecogis.notes import Label

MESSAGES = {
    "check.coverage_outside": (
        "{count} site(s) ({sites}) lie wholly or partly outside the coverage of layer(s) {layers}: verdict "
        "无法判定 (undetermined) for those layers, not 符合; give the data that covers the site (coverage: of "
        "the layer in the project file) or check the site's CRS (--site-crs)",
        "{count} 个场址（{sites}）全部或部分位于图层 {layers} 的数据覆盖范围之外：这些图层的结论为无法判定，"
        "而非符合；请补充覆盖该场址的数据（项目文件中图层的 coverage:），或核对场址坐标系（--site-crs）"),
    "check.coverage_extent": (
        "the project names no boundary: layer(s) {layers} are taken to cover the data extent of the project's "
        "layers grown by {margin_km} km; name the boundary (boundary:) or each layer's coverage (coverage:) "
        "in the project file",
        "项目未指定边界：图层 {layers} 的覆盖范围按项目各图层数据范围外扩 {margin_km} km 计；请在项目文件中指定"
        "边界（boundary:）或各图层覆盖范围（coverage:）"),
    "check.linear_default": (
        "line sites are screened as linear infrastructure ({use}; the linear-infrastructure rules apply to "
        "them); pass --use (site_use=) to say what the site is otherwise",
        "线状场址按线性基础设施（{use}）筛查，适用线性基础设施规则；如非线性工程，请用 --use（site_use=）说明用途"),
}
register(MESSAGES)


def note_gaps(gaps: list[CoverageGap], notes: list[str], labels: Callable[[str, str], str]) -> None:
    """Warn (and record in ``notes``) which sites lie outside which layers' coverage, and when that
    coverage is only the data extent; ``labels(layer, lang)`` names a layer as the reports do."""
    if not gaps:
        return
    sites = list(dict.fromkeys(g.site for g in gaps))
    shown = ", ".join(sites[:5]) + (" ..." if len(sites) > 5 else "")
    say("check.coverage_outside", notes, count=len(sites), sites=shown,
        layers=_names(dict.fromkeys(g.layer for g in gaps), labels))
    extent = list(dict.fromkeys(g.layer for g in gaps if g.source == "data_extent"))
    if extent:
        say("check.coverage_extent", notes, layers=_names(extent, labels), margin_km=f"{EXTENT_MARGIN_M / 1000:g}")


def _names(layers, labels) -> Label:
    return Label("、".join(labels(n, "zh") for n in layers), ", ".join(labels(n, "en") for n in layers))


#: what a line site is when the user does not say (a site_use of the linear-infrastructure rules)
LINEAR_USE = "linear"


def use_groups(sites, site_use, notes: list[str]) -> list[tuple[np.ndarray, object]]:
    """``(row positions, site use)`` groups to screen: all sites with ``site_use`` when one is given; else
    the line sites as :data:`LINEAR_USE` (with a note) and the other sites without a use."""
    rows = np.arange(len(sites))
    if site_use not in (None, "", [], ()) or len(sites) == 0:
        return [(rows, site_use)]
    lines = shapely.get_dimensions(np.asarray(sites.geometry.values)) == 1
    if not lines.any():
        return [(rows, site_use)]
    say("check.linear_default", notes, use=LINEAR_USE)
    groups: list[tuple[np.ndarray, object]] = [(rows[~lines], site_use)] if (~lines).any() else []
    return groups + [(rows[lines], LINEAR_USE)]
