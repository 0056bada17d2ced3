"""The chapter 生态环境分区管控符合性分析 of the DOCX check report (python-docx): the combined summary of
the spatial controls, the control units of each site and the access-list requirements with their
verdicts. Called by :func:`ecogis.render.check_docx.render_check_docx`."""
from __future__ import annotations

from docx.shared import Cm, Pt

from ecogis.render import zoning_text as Z


def add_zoning_chapter(doc, result, lang: str = "zh") -> None:
    """Append the chapter to ``doc`` (a python-docx Document, or one that filters its texts)."""
    zoning = getattr(result, "zoning", None)
    if zoning is None:
        return
    doc.add_heading(Z.label("chapter", lang), level=2)
    doc.add_paragraph(Z.industry_line(zoning, lang))
    titles = Z.layer_titles(result, lang)
    for key, build in (("summary", lambda z, lg: Z.summary_table(z, lg, titles)), ("units", Z.units_table),
                       ("requirements", Z.requirements_table)):
        head, rows = build(zoning, lang)
        if rows:
            word = "表" if lang == "zh" else "Table"  # numbered after the tables before it
            doc.add_paragraph(f"{word} {len(doc.tables) + 1}  {Z.label(key, lang)}").runs[0].bold = True
            _table(doc, head, Z.text_rows(head, rows, key))
        else:
            doc.add_paragraph(Z.label(key, lang)).runs[0].bold = True
            doc.add_paragraph(Z.label("no_units" if not zoning.unit_layers else "no_requirements", lang))
    for line in Z.notes(zoning, lang):
        doc.add_paragraph(line, style="List Bullet")


TEXT_WIDTH_CM = 24.0  # landscape A4 less the margins (the report's page setup)


def _table(doc, head: list[str], rows: list[list[str]]) -> None:
    """A 9 pt grid table; column widths follow their longest text (capped), so requirements get room."""
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    weights = [min(max([_width(head[i]) / 2, 9] + [_width(r[i]) for r in rows]), 36) + 2 for i in range(len(head))]
    widths = [Cm(TEXT_WIDTH_CM * w / sum(weights)) for w in weights]
    for col, w in zip(table.columns, widths):
        col.width = w
    for c, h, w in zip(table.rows[0].cells, head, widths):
        c.text, c.width = _visible(doc, h), w
        for r in c.paragraphs[0].runs:
            r.bold, r.font.size = True, Pt(9)
    for row in rows:
        for c, v, w in zip(table.add_row().cells, row, widths):
            c.text, c.width = _visible(doc, v), w
            for r in c.paragraphs[0].runs:
                r.font.size = Pt(9)


def _visible(doc, text: str) -> str:
    """``text`` through the document's control-character filter when it has one."""
    visible = getattr(doc, "visible", None)
    return visible(text) if callable(visible) else text


def _width(text: str) -> int:
    """Printed width in Latin characters: CJK characters count twice."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)
