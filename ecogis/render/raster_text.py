"""The text ``ecogis raster zonal`` and ``ecogis raster change`` print, in Chinese or English.

Only wording happens here: every figure comes from the result (areas in m² on the ellipsoid, shown
with 公顷/ha and 亩/mu).
"""
from __future__ import annotations

import unicodedata

from ecogis.messages import translate
from ecogis.raster.pixel_area import PIXEL_AREA_METHOD
from ecogis.raster.vector_area import OFFICIAL_AREA_METHOD, units

# Chinese wording of the method strings the results carry (JSON keeps the English ones).
METHOD_ZH = {
    PIXEL_AREA_METHOD["geographic"]: "经纬度像元逐行按椭球面闭合公式计算面积（栅格坐标系的椭球）",
    PIXEL_AREA_METHOD["projected"]: "像元平面面积除以像元中心的面积比例因子（pyproj get_factors），即像元的椭球面积",
    OFFICIAL_AREA_METHOD: "椭球面积（ecogis.area，CGCS2000 椭球，官方方法）",
}

#: every label of the two texts, per language
RASTER_TEXT = {
    "zh": {
        "ha": "公顷", "mu": "亩", "nodata": "无数据", "outside": "栅格范围外", "notes": "说明：", "wrote": "已写出 ",
        "cell_area": "像元面积：", "zone_area": "分区面积：", "patch_area": "图斑面积：", "list": "、",
        "raster": "栅格 {raster}（坐标系 {crs}），图例 {legend}",
        "edge": "边缘像元按被覆盖比例计入（exactextract）；占比为分区在栅格范围内面积的比例",
        "zone_head": "【{zone}】分区面积 ",
        "change": "变化检测 {before} → {after}（坐标系 {crs}），关注类型：{names}",
        "changed_head": "【{zone}】变化面积 ", "to_interest": "，其中变为关注类型 ",
        "patches": "疑似人类活动图斑 {count} 个（质心为 CGCS2000 经纬度）",
        "more_patches": "  ... （共 {count} 个，见 patches.gpkg）",
    },
    "en": {
        "ha": "ha", "mu": "mu", "nodata": "nodata", "outside": "outside raster", "notes": "Notes:", "wrote": "wrote ",
        "cell_area": "Cell area: ", "zone_area": "Zone area: ", "patch_area": "Patch area: ", "list": "、",
        "raster": "Raster {raster} (CRS {crs}), legend {legend}",
        "edge": "Edge cells count by the fraction covered (exactextract); shares are of the zone area inside the "
                "raster",
        "zone_head": "[{zone}] zone area ",
        "change": "Change {before} -> {after} (CRS {crs}), classes of interest: {names}",
        "changed_head": "[{zone}] changed ", "to_interest": ", of which to classes of interest ",
        "patches": "{count} suspected human-activity patches (centroids in CGCS2000 lon/lat)",
        "more_patches": "  ... ({count} in all, see patches.gpkg)",
    },
}


def _method(text: str, lang: str) -> str:
    """A method string of a result in ``lang`` (the results carry English)."""
    return {"zh": METHOD_ZH.get(text, text)}.get(lang, text)


def _fmt(m2: float, lang: str) -> str:
    words, u = RASTER_TEXT[lang], units(m2)
    return f"{m2:,.1f} m² = {u['ha']:,.4f} {words['ha']} = {u['mu']:,.2f} {words['mu']}"


def _cols(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns."""
    return text + " " * max(0, width - _cols(text))


def _notes(notes, lang: str) -> list[str]:
    if not notes:
        return []
    return ["", RASTER_TEXT[lang]["notes"]] + [f"  - {translate(n, lang)}" for n in notes]


def written_line(path, lang: str = "zh") -> str:
    """The line naming a file the command wrote."""
    return RASTER_TEXT[lang]["wrote"] + str(path)


def zonal_text(result, lang: str = "zh") -> str:
    """Land-cover composition per zone: areas per class, nodata and the part outside the raster."""
    words = RASTER_TEXT[lang]
    lines = [words["raster"].format(raster=result.raster, crs=result.raster_crs, legend=result.legend.name),
             words["cell_area"] + _method(result.pixel_area_method, lang),
             words["zone_area"] + _method(result.zone_area_method, lang),
             words["edge"]]
    w = max([_cols(c.name(lang)) for c in result.legend.classes] + [14])
    for z in result.zones:
        lines += ["", words["zone_head"].format(zone=z.zone) + _fmt(z.zone_area_m2, lang)]
        for c in z.classes:
            name = {"zh": c.zh}.get(lang, c.en)
            lines.append(f"  {c.code:>4} {_pad(name, w)} {_fmt(c.m2, lang)}  {c.share:7.2%}")
        lines.append(f"  {'':>4} {_pad(words['nodata'], w)} {_fmt(z.nodata_m2, lang)}  {z.nodata_share:7.2%}")
        if z.outside_is_notable:
            lines.append(f"  {'':>4} {_pad(words['outside'], w)} {_fmt(z.outside_m2, lang)}")
    return "\n".join(lines + _notes(result.notes, lang))


def change_text(result, lang: str = "zh") -> str:
    """Land-cover change per zone, its transitions and the suspected human-activity patches."""
    words = RASTER_TEXT[lang]
    names = words["list"].join(result.legend.get(c).name(lang) for c in result.to_codes)
    lines = [words["change"].format(before=result.before, after=result.after, crs=result.raster_crs, names=names),
             words["cell_area"] + _method(result.pixel_area_method, lang),
             words["patch_area"] + _method(result.patch_area_method, lang)]
    for z in result.zones:
        lines += ["", words["changed_head"].format(zone=z.zone) + _fmt(z.changed_m2(), lang)
                  + words["to_interest"] + _fmt(z.changed_m2(result.to_codes), lang)]
        for t in z.transitions:
            if t.from_code != t.to_code:
                a, b = result.legend.get(t.from_code), result.legend.get(t.to_code)
                lines.append(f"  {a.name(lang)} → {b.name(lang)}: {_fmt(t.m2, lang)}")
    p = result.patches
    lines += ["", words["patches"].format(count=len(p))]
    side = {"zh": ("from_zh", "to_zh")}.get(lang, ("from_en", "to_en"))
    for row in p.head(20).itertuples():
        lines.append(f"  {row.id} {row.zone} {getattr(row, side[0])}→{getattr(row, side[1])} "
                     f"{_fmt(row.area_m2, lang)} @ {row.centroid_lon:.6f}E {row.centroid_lat:.6f}N")
    if len(p) > 20:
        lines.append(words["more_patches"].format(count=len(p)))
    return "\n".join(lines + _notes(result.notes, lang))
