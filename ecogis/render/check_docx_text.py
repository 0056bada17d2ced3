"""Wording of the Word report of a site check, one lookup keyed by language: section and caption titles,
table headers, and the conclusion paragraphs written from :func:`ecogis.site_coords.conclusion_facts`."""
from __future__ import annotations

from ecogis.render import check_text as T

WORDS = {
    "zh": {
        "sections": ["项目概况", "分析结论", "分析结果", "位置关系图", "法律依据", "数据来源与方法"],
        "title": "{name}生态空间管控符合性分析", "sep": "：", "name": "项目名称", "controls": "管控图层",
        "sites_of": "{first}等 {n} 处{noun}", "site_table": "项目选址概况（面积为 CGCS2000 椭球面积，长度为大地线长度，"
                                                     "中心点为 CGCS2000 经纬度）",
        "coords": "界址点坐标表（{crs}；X 为纵坐标（北），Y 为横坐标（东，含带号）；"
                  "边长为该坐标系中的平面距离，单位 m）",
        "crossings": "线路穿越管控要素情况（穿越长度为 CGCS2000 椭球大地线长度，单位 m）",
        "crs": "CGCS2000 {width}° 带高斯-克吕格投影，第 {zone} 带，中央经线 {cm:g}°E，EPSG:{epsg}",
        "crs_unprefixed": "CGCS2000 {width}° 带高斯-克吕格投影，中央经线 {cm:g}°E（横坐标不含带号），EPSG:{epsg}",
        "findings": "场址与管控要素的空间关系及适用规则", "sources": "数据来源",
        "figure": "{site}与管控图层位置关系（叠图）",
        "figure_note": "图件坐标系、比例尺、指北针、审图号与数据来源见图中注记；分析坐标系：{crs}。",
        "overall": "总体结论", "verdict_of": "{site}的结论为{verdict}。",
        "occupies": "{site}占用{layer}“{feature}”{zone}{size}，依据{basis}，结论为{verdict}。",
        "near": "{site}距{layer}“{feature}”{zone}{distance} m（位于 {buffer:g} m 缓冲距离内），依据{basis}，"
                "结论为{verdict}。",
        "area": "{ha} 公顷（{mu} 亩，占该场址面积的 {share}）",
        "length": "穿越长度 {length} m（占线路长度的 {share}）", "point": "（点位位于其内）",
        "nearest": "{site}距最近的敏感目标：{items}（CGCS2000 椭球大地线距离）。",
        "nearest_item": "{layer}“{feature}”{d} m",
        "nothing": "{site}不占用、不邻近任何管控要素（{b} m 缓冲距离内无结论为限制及以上的要素）。",
        "clear_within": "另有 {n} 个要素位于缓冲距离内，结论均为符合（{layers}）。", "list_sep": "、",
        "count": "{layer} {n} 个",
        "recommend": {
            "avoid": "建议：调整选址或线位，避让{layers}；禁止类占用不能通过论证消除。",
            "optimise": "建议：优化选址或工程方案，减少对{layers}的占用，并落实相应管控要求及审批程序。",
            "justify": "建议：就{layers}开展不可避让性专题论证，论证通过后方可确定选址。",
            "none": "建议：按常规落实生态环境保护措施。",
            "undetermined": "建议：补充覆盖该处的管控图层数据后重新核查，在此之前不得视为符合。",
        },
        "zone": "（{zone}）", "source_head": ["数据", "名称", "文件", "坐标系", "要素数", "来源、版本与日期"],
        "site_data": "项目选址", "undeclared": "未声明（项目文件未给出来源、版本与日期）",
        "rules_data": "筛查规则", "rules_version": "ecogis {version} 规则文件",
        "site_head": ["编号", "名称", "几何类型", "面积（m²）", "面积（公顷）", "面积（亩）", "长度（m）",
                      "中心点（经度, 纬度）", "结论"],
        "coord_head": ["地块", "圈号", "点号", "X（m）", "Y（m）", "边长（m）"],
        "crossing_head": ["线路", "图层", "要素", "功能区/级别", "穿越长度（m）", "结论"],
        "geometry": {"Polygon": "面", "MultiPolygon": "面（多部分）", "LineString": "线",
                     "MultiLineString": "线（多段）", "Point": "点", "MultiPoint": "点（多个）"},
        "inputs": "输入数据", "methods": "计算方法与单位", "assumptions": "假设与提示",
    },
    "en": {
        "sections": ["Project", "Conclusion", "Findings", "Location map", "Legal basis", "Data sources and methods"],
        "title": "{name}: compliance with ecological space controls", "sep": ": ", "name": "Project",
        "controls": "Control layers", "sites_of": "{first} and {n_more} more", "site_table":
            "Project sites (ellipsoidal areas and geodesic lengths on CGCS2000; centres in CGCS2000 degrees)",
        "coords": "Boundary-point coordinates ({crs}; X northing, Y easting with the zone number; edge lengths are "
                  "plane distances in this CRS, m)",
        "crossings": "Crossings of the line sites (geodesic lengths on the CGCS2000 ellipsoid, m)",
        "crs": "CGCS2000 {width}° Gauss-Kruger zone {zone}, central meridian {cm:g}°E, EPSG:{epsg}",
        "crs_unprefixed": "CGCS2000 {width}° Gauss-Kruger, central meridian {cm:g}°E (easting without the zone "
                          "number), EPSG:{epsg}",
        "findings": "Relations of the sites with the control features and the rules applied",
        "sources": "Data sources", "figure": "{site} and the control layers (overlay)",
        "figure_note": "The map states its CRS, scale, north arrow, review number and data source; "
                       "analysis CRS: {crs}.",
        "overall": "Overall verdict", "verdict_of": "The verdict for {site} is {verdict}.",
        "occupies": "{site} occupies {layer} {feature}{zone}: {size}; under {basis}: {verdict}.",
        "near": "{site} lies {distance} m from {layer} {feature}{zone} (within the {buffer:g} m buffer); under "
                "{basis}: {verdict}.",
        "area": "{ha} ha ({mu} mu, {share} of the site)", "length": "crossing length {length} m ({share} of the line)",
        "point": " (the point lies inside)",
        "nearest": "Nearest sensitive features of {site}: {items} (geodesic distances on CGCS2000).",
        "nearest_item": "{layer} {feature} {d} m",
        "nothing": "{site} neither occupies nor is near any control feature (none restricted or worse within {b} m).",
        "clear_within": "{n} more feature(s) lie within the buffers, all clear ({layers}).", "list_sep": ", ",
        "count": "{layer} {n}",
        "recommend": {
            "avoid": "Recommendation: move the site or route to avoid {layers}; a prohibition cannot be argued away.",
            "optimise": "Recommendation: optimise the site or design to reduce the take of {layers}, and meet "
                        "its control requirements and approvals.",
            "justify": "Recommendation: carry out a study of why {layers} cannot be avoided before the site is "
                       "fixed.",
            "none": "Recommendation: the usual environmental protection measures.",
            "undetermined": "Recommendation: obtain control data that cover the site and check again; until "
                            "then it is not clear.",
        },
        "zone": " ({zone})", "source_head": ["Data", "Name", "File", "CRS", "Features", "Source, version and date"],
        "site_data": "Project site", "undeclared": "not declared (the project file gives no source, version or date)",
        "rules_data": "Screening rules", "rules_version": "rules file of ecogis {version}",
        "site_head": ["Id", "Name", "Geometry", "Area (m²)", "Area (ha)", "Area (mu)", "Length (m)",
                      "Centre (lon, lat)", "Verdict"],
        "coord_head": ["Parcel", "Ring", "Point", "X (m)", "Y (m)", "Edge (m)"],
        "crossing_head": ["Line", "Layer", "Feature", "Zone", "Crossing length (m)", "Verdict"],
        "geometry": {"Polygon": "polygon", "MultiPolygon": "multi-polygon", "LineString": "line",
                     "MultiLineString": "multi-line", "Point": "point", "MultiPoint": "multi-point"},
        "inputs": "Inputs", "methods": "Methods and units", "assumptions": "Assumptions and warnings",
    },
}


def words(lang: str) -> dict:
    return WORDS.get(lang, WORDS["zh"])


def crs_text(crs, lang: str) -> str:
    """A coordinate table's Gauss-Kruger CRS (ecogis.site_coords.CoordinateSystem) in words."""
    w = words(lang)
    return w["crs" if crs.prefixed else "crs_unprefixed"].format(**crs.to_dict())


def conclusion_paragraphs(result, facts, lang: str) -> list[str]:
    """One paragraph per site: what it occupies, by how much, under which rule; what non-clear features
    it is near; the nearest sensitive features; what to do (avoid, optimise, justify)."""
    w = words(lang)
    out = []
    for f in facts:
        name = f.name or f.site
        parts = [w["verdict_of"].format(site=name, verdict=T.verdict_label(f.verdict, lang))]
        parts += [_finding_sentence(result, r, name, w, lang) for r in f.occupied + f.near]
        if not f.occupied and not f.near:
            b = f"{max(result.buffers_m):g}" if result.buffers_m else "0"
            parts.append(w["nothing"].format(site=name, b=b))
        parts.append(_nearest_sentence(result, f, name, w, lang))
        parts.append(_recommendation(result, f, w, lang))
        out.append(T.words(lang)["join"].join(p for p in parts if p))
    return out


def _finding_sentence(result, r: dict, site: str, w: dict, lang: str) -> str:
    common = dict(site=site, layer=T.layer_label(result, r["layer"], lang), feature=r["feature"],
                  zone=w["zone"].format(zone=T.zone_label(r["zone"], lang)) if r["zone"] else "",
                  basis=T.basis_label(r, lang), verdict=T.verdict_label(r["verdict"], lang))
    if r["relation"] == "intersects":
        return w["occupies"].format(size=_size(r, w), **common)
    return w["near"].format(distance=T.fmt_number(r["distance_m"], "distance_m"), buffer=r["buffer_m"] or 0, **common)


def _size(r: dict, w: dict) -> str:
    share = T.fmt_number(r["share_of_site"], "share_of_site")
    if r["overlap_area_m2"] is not None:
        return w["area"].format(ha=T.fmt_number(r["overlap_area_ha"], "overlap_area_ha"),
                                mu=T.fmt_number(r["overlap_area_mu"], "overlap_area_mu"), share=share)
    if r["overlap_length_m"] is not None:
        return w["length"].format(length=T.fmt_number(r["overlap_length_m"], "overlap_length_m"), share=share)
    return w["point"]


def _nearest_sentence(result, f, site: str, w: dict, lang: str, shown: int = 3) -> str:
    items = [w["nearest_item"].format(layer=T.layer_label(result, r["layer"], lang), feature=r["feature"],
                                      d=T.fmt_number(r["distance_m"], "distance_m")) for r in f.nearest[:shown]]
    return w["nearest"].format(site=site, items=w["list_sep"].join(items)) if items else ""


def _recommendation(result, f, w: dict, lang: str) -> str:
    decisive = [r for r in f.occupied + f.near if r["verdict"] == f.verdict]
    names = list(dict.fromkeys(T.layer_label(result, r["layer"], lang) for r in decisive))
    return w["recommend"][f.recommendation].format(layers=w["list_sep"].join(names))


def clear_within_sentence(result, folded: list[dict], lang: str) -> str:
    """The count of clear features within the buffers (not listed in the findings table), per layer."""
    if not folded:
        return ""
    w = words(lang)
    counts: dict[str, int] = {}
    for r in folded:
        label = T.layer_label(result, r["layer"], lang)
        counts[label] = counts.get(label, 0) + 1
    layers = w["list_sep"].join(w["count"].format(layer=k, n=v) for k, v in counts.items())
    return w["clear_within"].format(n=len(folded), layers=layers)
