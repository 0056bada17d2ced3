"""Word report of a site check in the layout of an EIA chapter (python-docx).

Sections: title, project, conclusion, findings table, map figure, zone summary, basis, inputs,
assumptions, methods. The figure comes from :func:`ecogis.render.static_map.render_static` when that
module is available, otherwise from a plain matplotlib drawing of the same geometries.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ecogis.outputs import atomic_path
from ecogis.render import check_text as T

DOCX_FINDING_KEYS = ["site", "layer", "feature", "zone", "relation", "overlap_area_ha", "overlap_area_mu",
                     "overlap_length_m", "distance_m", "verdict", "basis"]


def render_check_docx(result, out, *, lang: str = "zh", overwrite: bool = False, figure=None) -> Path:
    """Write the DOCX report for ``result`` to ``out``; ``figure`` is an optional PNG to use as the map."""
    doc = Document()
    _fonts(doc)
    sec = doc.sections[0]
    sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(1.8))
    doc.add_heading(T.t("chapter", lang), level=1)
    doc.add_paragraph(f"{T.t('project', lang)}：{result.project}")
    doc.add_paragraph(f"{T.t('site', lang)}：{_site_text(result)}")

    doc.add_heading(T.t("conclusion", lang), level=2)
    p = doc.add_paragraph()
    run = p.add_run(f"{T.t('overall', lang)}：{T.verdict_label(result.verdict, lang)}")
    run.bold = True
    doc.add_paragraph(T.summary_line(result, lang))
    for sentence in T.conclusion_sentences(result, lang):
        doc.add_paragraph(sentence, style="List Number")

    doc.add_heading(T.t("findings", lang), level=2)
    spec = [h for h in T.FINDING_HEADERS if h[0] in DOCX_FINDING_KEYS]
    main, nearest, folded = T.split_findings(result)
    if main:
        _table(doc, T.headers(spec, lang), T.table_rows(main, spec, lang))
    else:
        doc.add_paragraph(T.t("no_findings", lang))
    doc.add_paragraph(T.t("nearest", lang))
    _table(doc, T.headers(T.NEAREST_HEADERS, lang), T.table_rows(nearest, T.NEAREST_HEADERS, lang))
    if folded:
        doc.add_paragraph(T.t("left_out", lang).format(n=len(folded)))

    if result.zones:
        doc.add_heading(T.t("zones", lang), level=2)
        _table(doc, T.headers(T.ZONE_HEADERS, lang), T.table_rows([z.to_dict() for z in result.zones],
                                                                    T.ZONE_HEADERS, lang))

    doc.add_heading(T.t("map", lang), level=2)
    with tempfile.TemporaryDirectory() as tmp:
        png = figure or _figure(result, Path(tmp) / "map.png", lang)
        if png is not None:
            doc.add_picture(str(png), width=Cm(20))
        else:
            doc.add_paragraph(T.t("map_missing", lang))
    doc.add_paragraph(T.t("figure", lang))

    doc.add_heading(T.t("rules", lang), level=2)
    for r in result.rules:
        text = (r["rule_en"] or r["rule_zh"]) if lang == "en" else (r["rule_zh"] or r["rule_en"])
        doc.add_paragraph(f"[{T.verdict_label(r['verdict'], lang)}] {text}（{r['basis']}）", style="List Bullet")

    doc.add_heading(T.t("inputs", lang), level=2)
    site = result.inputs.get("site", {})
    doc.add_paragraph(f"{T.t('site', lang)}: {site.get('path') or site.get('source')} — "
                      f"{T.t('crs', lang)} {site.get('crs')} ({site.get('crs_source') or site.get('source')})",
                      style="List Bullet")
    for name, meta in result.inputs.get("layers", {}).items():
        doc.add_paragraph(f"{name} ({T.kind_label(meta.get('kind') or '', lang)}): {meta.get('path')} — "
                          f"{T.t('crs', lang)} {meta.get('crs')} ({meta.get('crs_source')}), "
                          f"{meta.get('features')} {T.t('features', lang)}", style="List Bullet")
    doc.add_paragraph(f"{T.t('buffers', lang)}: " + ", ".join(f"{b:g} m" for b in result.buffers_m))

    doc.add_heading(T.t("assumptions", lang), level=2)
    for a in result.assumptions or [T.t("no_assumptions", lang)]:
        doc.add_paragraph(a, style="List Bullet")
    doc.add_heading(T.t("methods", lang), level=2)
    for k, v in result.methods.items():
        doc.add_paragraph(T.method_text(k, v, lang), style="List Bullet")

    with atomic_path(out, overwrite=overwrite) as tmp:
        doc.save(tmp)
    return Path(out)


def _site_text(result) -> str:
    site = result.inputs.get("site", {})
    return str(site.get("path") or ", ".join(f"{s.lon:.6f}, {s.lat:.6f}" for s in result.sites[:3]))


def _fonts(doc) -> None:
    """Body text in 宋体 (SimSun) for CJK and Times New Roman for Latin, 10.5 pt (五号)."""
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _table(doc, head, rows) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for c, h in zip(table.rows[0].cells, head):
        c.text = h
        for r in c.paragraphs[0].runs:
            r.bold = True
            r.font.size = Pt(9)
    for row in rows:
        cells = table.add_row().cells
        for c, v in zip(cells, row):
            c.text = v
            for r in c.paragraphs[0].runs:
                r.font.size = Pt(9)


def _figure(result, png: Path, lang: str):
    """The map figure (ecogis.render.static_map), framed on the site; None if there is no site."""
    from ecogis.render.static_map import render_static

    if result.site_gdf is None or len(result.site_gdf) == 0:
        return None
    site = result.site_gdf.copy()
    site.attrs = {"ecogis": {"kind": "site", "name": "site"}}
    return render_static(dict(result.layers), png, site=site, title=None, dpi=150, lang=lang, focus="site")
