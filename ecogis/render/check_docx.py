"""Word report of a site check in the layout of an EIA chapter (python-docx).

Sections: title; 1 project (site table); 2 conclusion; 3 findings (numbered tables with units, method
and CRS); 4 location map (:func:`ecogis.render.static_map.render_static`, framed on the site);
5 legal basis; 6 methods and data (inputs with their CRS, buffers, methods, units, assumptions).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ecogis.geodesy import convert_area
from ecogis.outputs import atomic_path
from ecogis.render import check_text as T
from ecogis.render.cells import VisibleText, control_note

DOCX_FINDING_KEYS = ["site", "layer", "feature", "zone", "relation", "overlap_area_ha", "overlap_area_mu",
                     "overlap_length_m", "distance_m", "verdict", "basis"]


SECTIONS = {
    "zh": ["项目概况", "分析结论", "分析结果", "位置关系图", "法律依据", "方法与数据说明"],
    "en": ["Project", "Conclusion", "Findings", "Location map", "Legal basis", "Methods and data"],
}
SITE_HEADERS = {
    "zh": ["编号", "名称", "几何类型", "面积（m²）", "面积（公顷）", "面积（亩）", "长度（m）", "中心经度",
           "中心纬度", "结论"],
    "en": ["Id", "Name", "Geometry", "Area (m²)", "Area (ha)", "Area (mu)", "Length (m)", "Centre lon", "Centre lat",
           "Verdict"],
}


def render_check_docx(result, out, *, lang: str = "zh", overwrite: bool = False, figure=None) -> Path:
    """Write the DOCX report for ``result`` to ``out`` in the layout of an EIA chapter; ``figure`` is an
    optional PNG to use as the location map. Control characters in texts (XML forbids them) are shown
    as ``\\x00`` escapes, with a note at the end."""
    doc = _VisibleDocument(Document())
    _page_setup(doc)
    doc.add_heading(T.t("chapter", lang), level=1)
    names = iter(f"{i} {name}" for i, name in enumerate(SECTIONS[lang], 1))
    captions = _Captions(lang)
    _project_section(doc, result, lang, next(names), captions)
    _conclusion_section(doc, result, lang, next(names))
    _findings_section(doc, result, lang, next(names), captions)
    _map_section(doc, result, lang, next(names), figure)
    _basis_section(doc, result, lang, next(names))
    _methods_section(doc, result, lang, next(names))
    from ecogis.render.zoning_docx import add_zoning_chapter

    add_zoning_chapter(doc, result, lang)
    if doc.visible.replaced:
        doc.add_paragraph(control_note(lang), style="List Bullet")
    with atomic_path(out, overwrite=overwrite) as tmp:
        doc.save(tmp)
    return Path(out)


class _VisibleDocument:
    """A python-docx Document whose paragraphs (and the table cells written by :func:`_table`) get
    their text through ``visible``: control characters as ``\\x00`` escapes."""

    def __init__(self, doc):
        self._doc, self.visible = doc, VisibleText()

    def __getattr__(self, name):
        return getattr(self._doc, name)

    def add_paragraph(self, text: str = "", style=None):
        return self._doc.add_paragraph(self.visible(text), style)


class _Captions:
    """Numbered table captions (表 1, 表 2 ... / Table 1 ...)."""

    def __init__(self, lang):
        self.lang, self.n = lang, 0

    def add(self, doc, title):
        self.n += 1
        word = "表" if self.lang == "zh" else "Table"
        p = doc.add_paragraph(f"{word} {self.n}  {title}")
        p.runs[0].bold = True


def _page_setup(doc) -> None:
    _fonts(doc)
    sec = doc.sections[0]
    sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(1.8))


def _project_section(doc, result, lang, heading, captions) -> None:
    zh = lang == "zh"
    doc.add_heading(heading, level=2)
    site = result.inputs.get("site", {})
    sep = "：" if zh else ": "
    doc.add_paragraph(f"{T.t('project', lang)}{sep}{result.project}")
    doc.add_paragraph(f"{T.t('site', lang)}{sep}{T.site_label(result)}"
                      + (f"（{T.t('crs', lang)} {site.get('crs')}）" if zh and site.get("crs") else
                         f" ({T.t('crs', lang)} {site.get('crs')})" if site.get("crs") else ""))
    captions.add(doc, f"{T.SITE_ZH}概况（面积为 CGCS2000 椭球面积，长度为大地线长度，"
                      "坐标为 CGCS2000 经纬度）" if zh else
                 "The project sites (ellipsoidal areas and geodesic lengths on CGCS2000; centres in CGCS2000 degrees)")
    rows = [[str(s.id), str(s.name or ""), s.geometry_type, T.fmt_number(s.area_m2, "area"),
             T.fmt_number(convert_area(s.area_m2, "ha") if s.area_m2 else None, "overlap_area_ha"),
             T.fmt_number(convert_area(s.area_m2, "mu") if s.area_m2 else None, "overlap_area_mu"),
             T.fmt_number(s.length_m or None, "distance_m"), f"{s.lon:.6f}", f"{s.lat:.6f}",
             T.verdict_label(s.verdict, lang)] for s in result.sites]
    _table(doc, SITE_HEADERS[lang], rows)


def _conclusion_section(doc, result, lang, heading) -> None:
    doc.add_heading(heading, level=2)
    p = doc.add_paragraph()
    run = p.add_run(f"{T.t('overall', lang)}{'：' if lang == 'zh' else ': '}{T.verdict_label(result.verdict, lang)}")
    run.bold = True
    doc.add_paragraph(T.summary_line(result, lang))
    for sentence in T.conclusion_sentences(result, lang):
        doc.add_paragraph(sentence, style="List Number")


def _findings_section(doc, result, lang, heading, captions) -> None:
    zh = lang == "zh"
    doc.add_heading(heading, level=2)
    main, nearest, folded = T.split_findings(result)
    spec = T.visible_spec([h for h in T.FINDING_HEADERS if h[0] in DOCX_FINDING_KEYS], main, lang)
    captions.add(doc, "场址与管控图层的空间关系及适用规则" if zh else "Relations of the sites with the control layers")
    if main:
        _table(doc, T.headers(spec, lang), T.table_rows(main, spec, lang))
    else:
        doc.add_paragraph(T.t("no_findings", lang))
    if folded:
        doc.add_paragraph(T.t("left_out", lang).format(n=len(folded)))
    captions.add(doc, T.t("nearest", lang))
    _table(doc, T.headers(T.NEAREST_HEADERS, lang), T.table_rows(nearest, T.NEAREST_HEADERS, lang))
    if result.zones:
        captions.add(doc, T.t("zones", lang))
        zones = [z.to_dict() for z in result.zones]
        spec = T.visible_spec(T.ZONE_HEADERS, zones, lang)
        _table(doc, T.headers(spec, lang), T.table_rows(zones, spec, lang))
    doc.add_paragraph(T.table_note(result, lang))


def _map_section(doc, result, lang, heading, figure) -> None:
    doc.add_heading(heading, level=2)
    with tempfile.TemporaryDirectory() as tmp:
        png = figure or _figure(result, Path(tmp) / "map.png", lang)
        if png is not None:
            doc.add_picture(str(png), width=Cm(20))
        else:
            doc.add_paragraph(T.t("map_missing", lang))
    doc.add_paragraph(T.t("figure", lang))
    crs = T.translate(result.methods.get("analysis_crs", ""), lang)
    doc.add_paragraph(f"图件坐标系、比例尺与制图日期见图下注记；分析坐标系：{crs}；"
                      "数据来源见第 6 节。" if lang == "zh" else
                      f"The map's CRS, scale and date are in its footnote; analysis CRS: {crs}; data in section 6.")


def _basis_section(doc, result, lang, heading) -> None:
    doc.add_heading(heading, level=2)
    for r in result.rules:
        text = T.rule_label(r, lang)
        basis = T.basis_label(r, lang)
        doc.add_paragraph(f"[{T.verdict_label(r['verdict'], lang)}] {text}"
                          + (f"（{basis}）" if lang == "zh" else f" ({basis})"), style="List Bullet")


def _methods_section(doc, result, lang, heading) -> None:
    doc.add_heading(heading, level=2)
    site = result.inputs.get("site", {})
    doc.add_paragraph(T.t("inputs", lang), style="Heading 3")
    doc.add_paragraph(f"{T.t('site', lang)}: {site.get('path') or site.get('source')} — "
                      f"{T.t('crs', lang)} {T.crs_text(site, lang)}",
                      style="List Bullet")
    for name, meta in result.inputs.get("layers", {}).items():
        doc.add_paragraph(f"{name} ({T.kind_label(meta.get('kind') or '', lang)}): {meta.get('path')} — "
                          f"{T.t('crs', lang)} {T.crs_text(meta, lang)}, "
                          f"{meta.get('features')} {T.t('features', lang)}", style="List Bullet")
    doc.add_paragraph(f"{T.t('buffers', lang)}: " + ", ".join(f"{b:g} m" for b in result.buffers_m)
                      + ("（大地线距离）" if lang == "zh" else " (geodesic)"))
    doc.add_paragraph(T.t("methods", lang), style="Heading 3")
    for k, v in result.methods.items():
        doc.add_paragraph(T.method_text(k, v, lang), style="List Bullet")
    for u in T.UNIT_LINES[lang]:
        doc.add_paragraph(u, style="List Bullet")
    doc.add_paragraph(T.t("assumptions", lang), style="Heading 3")
    for a in T.assumption_lines(result, lang) or [T.t("no_assumptions", lang)]:
        doc.add_paragraph(a, style="List Bullet")


def _fonts(doc) -> None:
    """Body text in 宋体 (SimSun) for CJK and Times New Roman for Latin, 10.5 pt (五号)."""
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


TEXT_WIDTH_CM = 24.0  # landscape A4/Letter less the margins


def _table(doc, head, rows) -> None:
    """A 9 pt grid table whose column widths follow the length of their longest text (capped), so that
    the legal basis gets room and short codes stay on one line."""
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    weights = [min(max([_text_width(head[i]) / 2, 4] + [_text_width(r[i]) for r in rows]), 36) + 2
               for i in range(len(head))]
    widths = [Cm(TEXT_WIDTH_CM * w / sum(weights)) for w in weights]
    for col, w in zip(table.columns, widths):  # the grid (LibreOffice reads this) and each cell (Word)
        col.width = w
    for c, h, w in zip(table.rows[0].cells, head, widths):
        c.text, c.width = doc.visible(h), w
        for r in c.paragraphs[0].runs:
            r.bold = True
            r.font.size = Pt(9)
    for row in rows:
        cells = table.add_row().cells
        for c, v, w in zip(cells, row, widths):
            c.text, c.width = doc.visible(v), w
            for r in c.paragraphs[0].runs:
                r.font.size = Pt(9)


def _text_width(text: str) -> int:
    """Printed width in Latin characters: CJK characters count twice."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _figure(result, png: Path, lang: str):
    """The map figure (ecogis.render.static_map), framed on the site; None if there is no site."""
    from ecogis.render.static_map import render_static

    site = T.site_layer(result)
    if site is None:
        return None
    return render_static(T.map_layers(result, lang), png, site=site, title=None, dpi=150, lang=lang, focus="site")
