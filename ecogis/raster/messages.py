"""Notes and assumption warnings of ``ecogis.raster`` in English (JSON, warnings) and Chinese (reports).

Each message is one English and one Chinese template with the same ``{fields}``, registered in the
project-wide registry :mod:`ecogis.messages`, whose :func:`~ecogis.messages.say` records the English
note (a :class:`~ecogis.notes.Note`, English as text) and ``note.text("zh")`` words it in Chinese.
"""
from __future__ import annotations

from ecogis.messages import register, say, to_zh  # noqa: F401  (re-exported for the raster modules)

MESSAGES = {
    "default_legend": ("{path}: no --classes and no {side}; assuming the default legend {name} ({classes})",
                       "{path}：未给出 --classes，旁边也没有 {side}；假定为默认图例 {name}（{classes}）"),
    "declared_legend": ("{path}: legend {name} (declared in the raster's metadata tag 'legend')",
                        "{path}：图例 {name}（栅格元数据标签 legend 声明）"),
    "legend_override": ("{path}: its metadata declares legend {declared}; using {given} as given",
                        "{path}：元数据声明的图例为 {declared}，按给定的 {given} 使用"),
    "nodata_from_legend": ("{path}: raster declares no nodata value; using the legend's fill code {code}",
                           "{path}：栅格未声明无数据值，按图例的填充值 {code} 处理"),
    "band_one": ("{path}: raster has {count} bands; using band 1 as the class codes",
                 "{path}：栅格有 {count} 个波段，以第 1 波段为地类代码"),
    "other_grid": ("{after} is on another grid than {before}; resampled to the BEFORE grid with nearest neighbour "
                   "(class areas may shift by up to a cell along boundaries)",
                   "{after} 与 {before} 网格不同，已按最邻近法重采样到前期栅格网格（边界处地类面积可能偏移至多一个像元）"),
    "outside": ("zone {zone}: {m2} m² ({share}) lies outside the raster and is not in the class areas",
                "分区 {zone}：{m2} m²（{share}）位于栅格范围外，未计入各地类面积"),
    "repaired": ("{count} invalid zone polygon(s) repaired with make_valid (first: feature {first})",
                 "{count} 个无效分区多边形已用 make_valid 修复（第一个：要素 {first}）"),
    "reprojected": ("zones reprojected from {src} to the raster CRS {dst} (densified to {step} m first)",
                    "分区已由 {src} 重投影到栅格坐标系 {dst}（先按 {step} 米加密边界）"),
    "corner_retry": ("zone(s) {zones} had vertices/edges exactly on cell corners; extracted again shifted by 1e-6 "
                     "cell (exactextract corner case)",
                     "分区 {zones} 的顶点或边恰好落在像元角点上，已平移 1e-6 个像元重新提取（exactextract 角点问题）"),
    "coverage_mismatch": ("exact coverage of zone(s) {zones} differs from their area by more than {tol}; check the "
                          "zone geometries",
                          "分区 {zones} 的精确覆盖面积与其多边形面积之差超过 {tol}，请检查分区几何"),
}


register(MESSAGES)
