"""The sheets of the chapter 生态环境分区管控符合性分析 in the XLSX check report (openpyxl): numbers stay
numbers, texts stay texts (never formulas). Called by :func:`ecogis.render.check_xlsx.render_check_xlsx`."""
from __future__ import annotations

from openpyxl.styles import Font

from ecogis.render import zoning_text as Z
from ecogis.render.cells import visible_text, xlsx_row


def add_zoning_sheets(wb, result, lang: str = "zh", visible=visible_text) -> None:
    """Add the summary, control-unit and access-list sheets to workbook ``wb``."""
    zoning = getattr(result, "zoning", None)
    if zoning is None:
        return
    titles = Z.layer_titles(result, lang)
    for key, build in (("sheet_summary", lambda z, lg: Z.summary_table(z, lg, titles)), ("sheet_units", Z.units_table),
                       ("sheet_reqs", Z.requirements_table)):
        ws = wb.create_sheet(Z.label(key, lang))
        head, rows = build(zoning, lang)
        ws.append(head)
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(xlsx_row(ws, r, visible))
        ws.freeze_panes = "A2"
    summary = wb[Z.label("sheet_summary", lang)]
    for line in Z.description_lines(zoning, lang):
        summary.append(xlsx_row(summary, [line], visible))
