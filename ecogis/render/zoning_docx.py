"""The chapter 生态环境分区管控符合性分析 of the DOCX check report (python-docx): the combined summary of
the spatial controls, the control units of each site and the access-list requirements with their
verdicts, as 三线表 tables with captions like the rest of the report. Called by
:func:`ecogis.render.check_docx.render_check_docx`."""
from __future__ import annotations

from ecogis.render import docx_layout as L
from ecogis.render import zoning_text as Z


def add_zoning_chapter(doc, result, lang: str, captions: L.Captions, number: int) -> None:
    """Append the chapter (heading ``number``) to ``doc``, the report's document (its ``table`` writes a
    三线表 through the control-character filter); ``captions`` numbers the tables."""
    zoning = getattr(result, "zoning", None)
    if zoning is None:
        return
    L.landscape(doc)  # the requirement tables are wide, like the findings
    doc.add_heading(f"{number} {Z.label('chapter', lang)}", level=1)
    for line in Z.description_lines(zoning, lang):
        doc.add_paragraph(line)
    titles = Z.layer_titles(result, lang)
    for key, build in (("summary", lambda z, lg: Z.summary_table(z, lg, titles)), ("units", Z.units_table),
                       ("requirements", Z.requirements_table)):
        head, rows = build(zoning, lang)
        if rows:
            captions.table(doc, Z.label(key, lang))
            doc.table(head, Z.text_rows(head, rows, key))
        else:
            doc.add_paragraph(Z.label(key, lang)).runs[0].bold = True
            doc.add_paragraph(Z.label("no_units" if not zoning.unit_layers else "no_requirements", lang))
    for line in Z.notes(zoning, lang):
        doc.add_paragraph(line, style="List Bullet")
