"""Text of an area result (:class:`ecogis.area.AreaResult`) in Chinese (default) or English.

Only wording happens here: every figure comes from the result, in its unit, with the method and the
surface (CGCS2000, or the plane of a plane area) it was measured on.
"""
from __future__ import annotations

from ecogis.area import AreaResult, Text, method_label, note_in, text_in, unit_label

_AREA_LINES = {
    "area": Text("{what}面积 {self.area:.2f} {u}（{m}，{s}）", "{what} area {self.area:.2f} {u} ({m}, {s})"),
    "data": Text("数据：{layer}，{self.features} 个要素，坐标系 {self.crs}",
                 "Data: {layer}, {self.features} features, CRS {self.crs}"),
    "overlap": Text("重叠扣除 {self.overlap_removed:.2f} {u}（融合前要素面积合计 {self.sum_of_features:.2f} {u}，{m}）",
                    "Overlap removed {self.overlap_removed:.2f} {u} (sum of feature areas before dissolving "
                    "{self.sum_of_features:.2f} {u}, {m})"),
    "within": Text("范围：{within}，面积 {self.boundary_area:.2f} {u}；占比 {self.share_pct:.2f}%"
                   "（范围外 {self.outside_area:.2f} {u} 未计入）",
                   "Within {within} ({self.boundary_area:.2f} {u}): share {self.share_pct:.2f}% "
                   "({self.outside_area:.2f} {u} outside not counted)"),
    "declared": Text("公布值 {self.declared:.2f} {u}，差值 {self.declared_diff:+.2f} {u}"
                     "（{self.declared_diff_pct:+.3f}%）",
                     "Declared {self.declared:.2f} {u}, difference {self.declared_diff:+.2f} {u} "
                     "({self.declared_diff_pct:+.3f}%)"),
    "declared_share": Text("公布占比 {self.declared_share_pct:.2f}%，差值 {self.declared_share_diff_pp:+.2f} 个百分点",
                           "Declared share {self.declared_share_pct:.2f}%, difference "
                           "{self.declared_share_diff_pp:+.2f} percentage points"),
    "groups": Text("按{by}分组（{m}，{s}）：", "Breakdown by {by} ({m}, {s}):"),
    "group": Text("  {g.key}：{g.area:.2f} {u}，{base} {share}", "  {g.key}: {g.area:.2f} {u}, {share} {base}"),
}
_SHARE_OF = {"district": Text("占本区面积", "of the district"), "boundary": Text("占范围面积", "of the boundary"),
             "total": Text("占总面积", "of the total")}
_WORDS = {"layer": Text("图层", "Layer"), "districts": Text("区县", "districts"), "note": Text("注意：", "Note: ")}


def area_text(result: AreaResult, lang: str = "zh") -> str:
    """Human-readable report of ``result``; every number carries its unit, the method and the CRS."""
    u = unit_label(result.unit, lang)
    surface = "CGCS2000" if result.method != "plane" else (result.plane_crs or result.crs)
    what = {"zh": result.label, "en": result.label_en}[lang] or _WORDS["layer"](lang)
    method = method_label(result.method, lang)
    f = {"u": u, "m": method, "s": surface, "what": what, "layer": result.layer or "-", "self": result,
         "within": text_in(result.within, lang)}
    lines = [_AREA_LINES["area"](lang).format(**f), _AREA_LINES["data"](lang).format(**f),
             _AREA_LINES["overlap"](lang).format(**f)]
    if result.within:
        lines.append(_AREA_LINES["within"](lang).format(**f))
    if result.declared is not None:
        lines.append(_AREA_LINES["declared"](lang).format(**f))
    if result.declared_share_pct is not None and result.share_pct is not None:
        lines.append(_AREA_LINES["declared_share"](lang).format(**f))
    if result.groups:
        base = _SHARE_OF[result.share_of](lang)  # type: ignore[index]  # share_of is set with groups
        by = _WORDS["districts"](lang) if result.by == "districts" else result.by
        lines.append(_AREA_LINES["groups"](lang).format(by=by, **f))
        for g in result.groups:
            share = "-" if g.share_pct is None else f"{g.share_pct:.2f}%"
            lines.append(_AREA_LINES["group"](lang).format(g=g, share=share, base=base, **f))
    lines += [_WORDS["note"](lang) + note_in(n, lang) for n in result.notes]
    return "\n".join(lines)
