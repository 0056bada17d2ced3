"""A :class:`~ecogis.version_diff.VersionDiff` as text, JSON and XLSX: the sites whose verdict or overlap
changes between two versions of a layer, areas gained and lost in 公顷 and 亩 (m² in JSON). Never
computes beyond unit conversion; labels in one lookup per language."""
from __future__ import annotations

import json
from pathlib import Path

from ecogis.geodesy import convert_area
from ecogis.outputs import atomic_path
from ecogis.render.cells import xlsx_row
from ecogis.render.check_text import verdict_label as _verdict

LABELS = {
    "zh": {"title": "{layer}：{before} → {after} 版本对比重新筛查", "checked": "共核查 {n} 个地块，{k} 个结果变化",
           "none": "两个版本下各地块的结论与重叠面积均无变化",
           "method": "面积：椭球面积（国土调查办发〔2008〕32号），各地块所在 CGCS2000 3° 高斯-克吕格带内叠加",
           "columns": ["地块", "名称", "原结论", "新结论", "原重叠（公顷）", "新重叠（公顷）", "增加（公顷）",
                       "减少（公顷）", "增加（亩）", "减少（亩）"],
           "row": "{site} {name}：{vb} → {va}；重叠 {ob:.4f} → {oa:.4f} 公顷（增加 {g:.4f} 公顷 / {gm:.2f} 亩，"
                  "减少 {lo:.4f} 公顷 / {lm:.2f} 亩）",
           "sheet": "版本对比"},
    "en": {"title": "{layer}: re-screening {before} → {after}", "checked": "{n} site(s) checked, {k} changed",
           "none": "No site changes verdict or overlap between the two versions",
           "method": "Areas: ellipsoidal (国土调查办发〔2008〕32号), overlaid in each site's CGCS2000 3° "
                     "Gauss-Kruger zone",
           "columns": ["Site", "Name", "Verdict before", "Verdict after", "Overlap before (ha)", "Overlap after (ha)",
                       "Gained (ha)", "Lost (ha)", "Gained (mu)", "Lost (mu)"],
           "row": "{site} {name}: {vb} → {va}; overlap {ob:.4f} → {oa:.4f} ha (gained {g:.4f} ha / {gm:.2f} mu, "
                  "lost {lo:.4f} ha / {lm:.2f} mu)",
           "sheet": "Versions"},
}


def _words(lang: str) -> dict:
    return LABELS.get(lang, LABELS["en"])


def _ha(m2: float) -> float:
    return float(convert_area(m2, "ha"))


def _mu(m2: float) -> float:
    return float(convert_area(m2, "mu"))


def _cells(change, lang: str) -> list:
    return [change.site, change.site_name, _verdict(change.verdict_before, lang), _verdict(change.verdict_after, lang),
            _ha(change.overlap_before_m2), _ha(change.overlap_after_m2), _ha(change.gained_m2), _ha(change.lost_m2),
            _mu(change.gained_m2), _mu(change.lost_m2)]


def format_version_diff(diff, lang: str = "zh") -> str:
    """The text ``ecogis check --versions`` prints."""
    words = _words(lang)
    lines = [words["title"].format(layer=diff.layer, before=diff.before, after=diff.after),
             words["checked"].format(n=diff.sites_checked, k=len(diff.changes))]
    for c in diff.changes:
        lines.append("  " + words["row"].format(
            site=c.site, name=c.site_name, vb=_verdict(c.verdict_before, lang), va=_verdict(c.verdict_after, lang),
            ob=_ha(c.overlap_before_m2), oa=_ha(c.overlap_after_m2), g=_ha(c.gained_m2), gm=_mu(c.gained_m2),
            lo=_ha(c.lost_m2), lm=_mu(c.lost_m2)))
    if not diff.changes:
        lines.append("  " + words["none"])
    lines.append(words["method"])
    return "\n".join(lines)


def version_diff_json(diff, lang: str = "zh") -> str:
    return json.dumps(diff.to_dict(lang), ensure_ascii=False, indent=2)


def write_version_diff_xlsx(diff, path: Path, lang: str = "zh", *, overwrite: bool = False) -> Path:
    """One sheet: a row per changed site (areas in 公顷 and 亩), the method below."""
    from openpyxl import Workbook

    words = _words(lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(words["sheet"])
    ws.append(xlsx_row(ws, [words["title"].format(layer=diff.layer, before=diff.before, after=diff.after)]))
    ws.append(xlsx_row(ws, words["columns"]))
    for change in diff.changes:
        ws.append(xlsx_row(ws, _cells(change, lang)))
    ws.append(xlsx_row(ws, [words["method"]]))
    with atomic_path(path, overwrite=overwrite) as tmp:
        wb.save(tmp)
    return Path(path)


def write_version_diff_json(diff, path: Path, lang: str = "zh", *, overwrite: bool = False) -> Path:
    with atomic_path(path, overwrite=overwrite) as tmp:
        Path(tmp).write_text(version_diff_json(diff, lang), encoding="utf-8")
    return Path(path)
