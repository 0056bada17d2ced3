"""The 无法判定 banner of a check report: which sites lie outside which layers' coverage, and how much.

Every report format (terminal summary, HTML, DOCX, XLSX) shows these lines first, so a site outside
the data is never read as 符合. Only formatting: the figures come from ``result.coverage``
(:class:`ecogis.coverage.CoverageGap`).
"""
from __future__ import annotations

from ecogis.coverage import EXTENT_MARGIN_M
from ecogis.geodesy import convert_area
from ecogis.notes import Label

TEXT = {
    "zh": {
        "line": "【无法判定】场址 {site} 的{size}位于图层 {layers} 的数据覆盖范围（{coverage}）之外：该部分未经核查，"
                "不能作“符合”结论。请补充覆盖该处的数据，或核对场址坐标系。",
        "area": "{m2} m²（{ha} 公顷，{mu} 亩，占场址 {share}）", "length": "{m} 米（占场址 {share}）",
        "points": "{share} 点位", "all_points": "全部点位", "sep": "、",
        "boundary": "项目边界 {name}", "declared": "{name}",
        "data_extent": "项目各图层数据范围外扩 {km} km（项目未指定边界）",
    },
    "en": {
        "line": "UNDETERMINED: {size} of site {site} lies outside the coverage of layer(s) {layers} ({coverage}): "
                "that part was not checked and cannot be called clear. Add data that covers it, or check the "
                "site's CRS.",
        "area": "{m2} m² ({ha} ha, {mu} mu, {share} of the site)", "length": "{m} m ({share} of the site)",
        "points": "{share} of the points", "all_points": "all of the points", "sep": ", ",
        "boundary": "project boundary {name}", "declared": "{name}",
        "data_extent": "data extent of the project's layers grown by {km} km; the project names no boundary",
    },
}


def banner_lines(result, lang: str = "zh") -> list[str]:
    """One line per site and coverage area outside which the site lies (empty when every site is covered)."""
    w = TEXT["en" if lang == "en" else "zh"]
    groups: dict[tuple, list[str]] = {}
    for g in getattr(result, "coverage", None) or []:
        key = (g.site, g.source, g.coverage, g.outside_area_m2, g.outside_length_m, g.outside_share)
        groups.setdefault(key, []).append(_layer_label(result, g.layer, lang))
    out = []
    for (site, source, coverage, area, length, share), layers in groups.items():
        out.append(w["line"].format(site=site, size=_size(w, area, length, share), layers=w["sep"].join(layers),
                                    coverage=w[source].format(name=coverage, km=f"{EXTENT_MARGIN_M / 1000:g}")))
    return out


def _size(w: dict, area, length, share) -> str:
    pct = f"{share * 100:.2f}%"
    if area is not None:
        return w["area"].format(m2=f"{area:,.2f}", ha=f"{convert_area(area, 'ha'):,.4f}",
                                mu=f"{convert_area(area, 'mu'):,.2f}",
                                share=pct)
    if length is not None:
        return w["length"].format(m=f"{length:,.1f}", share=pct)
    return w["all_points"] if share >= 1 else w["points"].format(share=pct)


def _layer_label(result, name: str, lang: str) -> str:
    """A layer as the report names it: its project label (label_en in English), else its name."""
    spec = ((result.inputs.get("project") or {}).get("layers") or {}).get(name) or {}
    return Label(spec.get("label") or "", spec.get("label_en") or "").text(lang) or name
