"""Text and XLSX tables of control-unit areas by class and district (:class:`ecogis.zoning.areas.UnitAreas`)."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from ecogis.geodesy import convert_area
from ecogis.notes import Label
from ecogis.outputs import atomic_path
from ecogis.render.cells import xlsx_row

HEAD = {"zh": ["县（市、区）", "管控单元类别", "单元数（个）", "面积（km²）", "面积（公顷）", "占比"],
        "en": ["District", "Class", "Units", "Area (km²)", "Area (ha)", "Share"]}
WORDS = {"zh": {"all": "合计", "city": "全域", "method": "面积计算方法", "boundary": "边界面积（同一方法）",
                "difference": "单元合计与边界之差（km²）", "ellipsoid": "CGCS2000 椭球面积（国土调查办发〔2008〕32号）",
                "plane": "高斯-克吕格平面面积（{crs}，仅用于与按平面面积发布的数字比较）"},
         "en": {"all": "all classes", "city": "whole area", "method": "Area method",
                "boundary": "Boundary area (same method)", "difference": "Units minus boundary (km²)",
                "ellipsoid": "ellipsoidal area on the CGCS2000 ellipsoid (国土调查办发〔2008〕32号)",
                "plane": "Gauss-Kruger plane area in {crs} (for comparison with figures published that way)"}}


def _row(r: dict, lang: str) -> list:
    w = WORDS[lang]
    return [r["district"] or w["city"], r["unit_class"] or w["all"], r["count"], r["area_km2"], r["area_ha"],
            r["share"]]


def method_line(result, lang: str) -> str:
    return WORDS[lang][result.method].format(crs=result.crs)


def area_rows(result, lang: str = "zh") -> list[list]:
    d = result.to_dict()
    return [_row(r, lang) for r in d["by_class"] + d["by_district"]]


def area_text(result, lang: str = "zh") -> str:
    """The tables as aligned text lines (km² 2 decimals, 公顷 4, share %), then the method."""
    w = WORDS[lang]
    lines = ["\t".join(HEAD[lang])]
    for r in area_rows(result, lang):
        lines.append("\t".join([str(r[0]), str(r[1]), str(r[2]), f"{r[3]:.2f}", f"{r[4]:.4f}", f"{r[5]:.2%}"]))
    lines.append(f"{w['method']}: {method_line(result, lang)}")
    if result.boundary_m2 is not None:
        lines.append(f"{w['boundary']}: {convert_area(result.boundary_m2, 'km2'):.2f} km²; {w['difference']}: "
                     f"{convert_area(result.total_m2 - result.boundary_m2, 'km2'):.4f}")
    return "\n".join(lines)


def write_area_xlsx(result, out, *, lang: str = "zh", overwrite: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = Label("分区管控面积", "unit areas").text(lang)
    ws.append(HEAD[lang])
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in area_rows(result, lang):
        ws.append(xlsx_row(ws, r))
    ws.append(xlsx_row(ws, [WORDS[lang]["method"], method_line(result, lang)]))
    with atomic_path(out, overwrite=overwrite) as tmp:
        wb.save(tmp)
    return Path(out)
