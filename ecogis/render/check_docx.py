"""Word report of a site check in the layout of an EIA chapter (python-docx), A4.

Sections: title (the project's name); 1 project (site table, 界址点坐标表 in the site's Gauss-Kruger
CRS, crossings of line sites); 2 conclusion (paragraphs per site); 3 findings (三线表 on a landscape
page, nearest features, zones); 4 overlay map (:func:`ecogis.render.static_map.render_static`, framed
on the site); 5 legal basis; 6 data sources (with versions and dates) and methods. Layout and styles
are in :mod:`ecogis.render.docx_layout`, the wording in :mod:`ecogis.render.check_docx_text`; the
coordinates and conclusion facts come from :mod:`ecogis.site_coords`.
"""
from __future__ import annotations

from pathlib import Path

from docx.shared import Cm

from ecogis import __version__
from ecogis.geodesy import convert_area
from ecogis.outputs import atomic_path
from ecogis.render import check_text as T
from ecogis.render import docx_layout as L
from ecogis.render.cells import VisibleText, control_note
from ecogis.render.check_docx_text import clear_within_sentence, conclusion_paragraphs, crs_text, words
from ecogis.render.corridor_text import corridor_lines
from ecogis.render.coverage_text import banner_lines
from ecogis.render.docx_figures import PendingFigures
from ecogis.render.zoning_docx import add_zoning_chapter
from ecogis.site_coords import boundary_points, conclusion_facts, line_crossings

DOCX_FINDING_KEYS = ["site", "layer", "feature", "zone", "relation", "overlap_area_ha", "overlap_area_mu",
                     "share_of_site", "overlap_length_m", "distance_m", "verdict", "basis"]
SECTIONS = {lang: w["sections"] for lang, w in (("zh", words("zh")), ("en", words("en")))}


def render_check_docx(result, out, *, lang: str = "zh", overwrite: bool = False, figure=None, template=None,
                      project_name: str | None = None, figures: PendingFigures | None = None) -> Path:
    """Write the DOCX report for ``result`` to ``out``; ``figure`` is an optional PNG to use as the map,
    ``template`` an institute's .docx whose styles and fonts are used, ``project_name`` the name of the
    project (default: the exchange file's 项目名称, else the sites' names). Control characters in texts
    (XML forbids them) are shown as ``\\x00`` escapes, with a note at the end. ``figures``: the overlay
    figures started earlier (:func:`start_figures`, so that they are drawn while other reports are
    written); else they are started here, drawn while the tables are written."""
    if figure is None and figures is None:
        with start_figures(result, lang, template) as pending:
            return render_check_docx(result, out, lang=lang, overwrite=overwrite, template=template,
                                     project_name=project_name, figures=pending)
    doc = _VisibleDocument(L.new_document(template))
    w = words(lang)
    name = project_name or _project_name(result, lang)
    doc.add_paragraph(w["title"].format(name=name), style="Title")
    for line in banner_lines(result, lang):  # 无法判定 first: a site outside the data is never read as 符合
        doc.add_paragraph(line).runs[0].bold = True
    heads = iter(f"{i} {title}" for i, title in enumerate(w["sections"], 1))
    captions = L.Captions(lang)
    _project_section(doc, result, lang, next(heads), captions, name)
    _conclusion_section(doc, result, lang, next(heads))
    _findings_section(doc, result, lang, next(heads), captions)
    for line in corridor_lines(result, lang):  # 作业带: temporary land take per zone crossed
        doc.add_paragraph(line)
    place, width_cm = _map_section(doc, next(heads))
    _basis_section(doc, result, lang, next(heads))
    _sources_section(doc, result, lang, next(heads), captions)
    add_zoning_chapter(doc, result, lang, captions, len(w["sections"]) + 1)  # 生态环境分区管控符合性分析
    # the figures last, in their place: they are drawn while the rest of the document is made
    _put_figures(doc, result, lang, captions, place, width_cm, [(T.t("site", lang), figure)] if figure
                 else figures.wait() if figures is not None else [])
    if doc.visible.replaced:
        doc.add_paragraph(control_note(lang), style="List Bullet")
    with atomic_path(out, overwrite=overwrite) as tmp:
        doc.save(tmp)
    return Path(out)


class _VisibleDocument:
    """A python-docx Document whose paragraphs (and the table cells written by :func:`docx_layout.table`)
    get their text through ``visible``: control characters as ``\\x00`` escapes."""

    def __init__(self, doc):
        self._doc, self.visible = doc, VisibleText()

    def __getattr__(self, name):
        return getattr(self._doc, name)

    def add_paragraph(self, text: str = "", style=None):
        return L.add_paragraph(self._doc, self.visible(text), style)

    def insert_paragraph(self, before, text: str = "", style=None):
        """A paragraph with ``text`` put before the paragraph ``before``, as :meth:`add_paragraph` makes it."""
        paragraph = before.insert_paragraph_before(self.visible(text))
        if style is not None:
            L.set_style(paragraph, style)
        return paragraph

    def add_heading(self, text: str = "", level: int = 1):
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def table(self, head, rows, numeric=()):
        return L.table(self._doc, head, rows, self.visible, numeric=numeric)


def _project_name(result, lang: str) -> str:
    """The exchange file's 项目名称, else the first site's name and how many more there are."""
    header = (result.inputs.get("site") or {}).get("header") or {}
    if header.get("项目名称"):
        return str(header["项目名称"])
    names = [s.name or s.id for s in result.sites]
    if len(names) <= 1:
        return str(names[0]) if names else str(result.project)
    w = words(lang)
    return w["sites_of"].format(first=names[0], n=len(names), n_more=len(names) - 1, noun=T.t("site", lang))


def _project_section(doc, result, lang, heading, captions, name) -> None:
    w = words(lang)
    doc.add_heading(heading, level=1)
    doc.add_paragraph(f"{w['name']}{w['sep']}{name}")
    doc.add_paragraph(f"{w['controls']}{w['sep']}{result.project}")
    captions.table(doc, w["site_table"])
    rows = [[str(s.id), str(s.name or ""), w["geometry"].get(s.geometry_type, s.geometry_type),
             T.fmt_number(s.area_m2 or None, "area"),
             T.fmt_number(convert_area(s.area_m2, "ha") if s.area_m2 else None, "overlap_area_ha"),
             T.fmt_number(convert_area(s.area_m2, "mu") if s.area_m2 else None, "overlap_area_mu"),
             T.fmt_number(s.length_m or None, "distance_m"), f"{s.lon:.6f}, {s.lat:.6f}",
             T.verdict_label(s.verdict, lang)] for s in result.sites]
    doc.table(w["site_head"], rows, numeric=(3, 4, 5, 6))
    _coordinate_table(doc, result, lang, captions)
    crossings = line_crossings(T.finding_rows(result), result.sites)
    if crossings:
        captions.table(doc, w["crossings"])
        doc.table(w["crossing_head"], [[c.site, T.layer_label(result, c.layer, lang), c.feature,
                                        T.zone_label(c.zone, lang), T.fmt_number(c.length_m, "overlap_length_m"),
                                        T.verdict_label(c.verdict, lang)] for c in crossings], numeric=(4,))


def _coordinate_table(doc, result, lang, captions) -> None:
    """界址点坐标表: coordinates to the millimetre, edges to the centimetre."""
    if result.site_gdf is None or len(result.site_gdf) == 0:
        return
    table = boundary_points(result.site_gdf, (result.inputs.get("site") or {}).get("crs"))
    w = words(lang)
    captions.table(doc, w["coords"].format(crs=crs_text(table.crs, lang)))
    rows = [[r.site, str(r.ring), r.point, f"{r.x_m:.3f}", f"{r.y_m:.3f}",
             "" if r.edge_m is None else f"{r.edge_m:.2f}"] for r in table.rows]
    doc.table(w["coord_head"], rows, numeric=(3, 4, 5))


def _conclusion_section(doc, result, lang, heading) -> None:
    w = words(lang)
    doc.add_heading(heading, level=1)
    p = doc.add_paragraph()
    run = p.add_run(f"{w['overall']}{w['sep']}{T.verdict_label(result.verdict, lang)}")
    run.bold = True
    doc.add_paragraph(T.summary_line(result, lang))
    for text in conclusion_paragraphs(result, conclusion_facts(T.finding_rows(result), result.sites), lang):
        doc.add_paragraph(text)


def _findings_section(doc, result, lang, heading, captions) -> None:
    """The findings 三线表 on a landscape page (it is wide), then nearest features and zones."""
    w = words(lang)
    L.landscape(doc)
    doc.add_heading(heading, level=1)
    main, nearest, folded = T.split_findings(result)
    spec = T.visible_spec([h for h in T.FINDING_HEADERS if h[0] in DOCX_FINDING_KEYS], main, lang)
    captions.table(doc, w["findings"])
    if main:
        doc.table(T.headers(spec, lang), _rows(result, main, spec, lang),
                  numeric=[i for i, h in enumerate(spec) if h[0] in T.NUMERIC_KEYS])
    else:
        doc.add_paragraph(T.t("no_findings", lang))
    if folded:
        doc.add_paragraph(clear_within_sentence(result, folded, lang))
    touched = {(r["site"], r["layer"], r["feature"]) for r in main if r["relation"] == "intersects"}
    nearest = [r for r in nearest if (r["site"], r["layer"], r["feature"]) not in touched]
    captions.table(doc, T.t("nearest", lang))
    spec = [h for h in T.NEAREST_HEADERS if h[0] != "kind"]
    doc.table(T.headers(spec, lang), _rows(result, nearest, spec, lang), numeric=(len(spec) - 1,))
    if result.zones:
        captions.table(doc, T.t("zones", lang))
        zones = [z.to_dict() for z in result.zones]
        spec = [h for h in T.visible_spec(T.ZONE_HEADERS, zones, lang) if h[0] != "kind"
                and not (h[0] in T.NUMERIC_KEYS and all(not z.get(h[0]) for z in zones))]  # no all-0 column
        doc.table(T.headers(spec, lang), _rows(result, zones, spec, lang),
                  numeric=[i for i, h in enumerate(spec) if h[0] in T.NUMERIC_KEYS])
    doc.add_paragraph(T.table_note(result, lang))
    L.portrait(doc)


def _rows(result, rows, spec, lang) -> list[list[str]]:
    """Table rows with the project's layer labels in place of the layer keys."""
    out = T.table_rows(rows, spec, lang)
    keys = [k for k, _, _ in spec]
    if "layer" in keys:
        i = keys.index("layer")
        for row, r in zip(out, rows):
            row[i] = T.layer_label(result, r["layer"], lang)
    return out


def start_figures(result, lang: str = "zh", template=None) -> PendingFigures:
    """Start drawing the report's overlay figures (:mod:`ecogis.render.docx_figures`) for the text width
    of ``template`` (or of the default A4 layout); pass the result to :func:`render_check_docx`."""
    return PendingFigures(result, lang, figure_width_cm(L.new_document(template)))


def figure_width_cm(doc) -> float:
    """The width figures are placed at: the text width, at most 16 cm."""
    return min(16.0, L.text_width_cm(doc))


def _map_section(doc, heading):
    """The heading of the overlay figures (叠图) and the paragraph before which :func:`_put_figures` puts
    them, with the width they are placed at (the text width here, at most 16 cm)."""
    doc.add_heading(heading, level=1)
    return doc.add_paragraph(), figure_width_cm(doc._doc)


def _put_figures(doc, result, lang, captions, place, width_cm, figures) -> None:
    """The overlay figures, ``(caption name, PNG)``, each with its caption, before the paragraph ``place``,
    which then says in which CRS they are drawn: one drawn around all sites and, for a few sites far
    apart, one more zoomed to each site (每个场址一幅), or the PNG given; without any, ``place`` says so."""
    w = words(lang)
    if not figures:
        place.add_run(doc.visible(T.t("map_missing", lang)))
        return
    for name, png in figures:
        picture = doc.insert_paragraph(place)
        picture.add_run().add_picture(str(png), width=Cm(width_cm))
        captions.figure(doc, picture, w["figure"].format(site=name), before=place)
    crs = T.translate(result.methods.get("analysis_crs", ""), lang)
    place.add_run(doc.visible(w["figure_note"].format(crs=crs)))


def _basis_section(doc, result, lang, heading) -> None:
    doc.add_heading(heading, level=1)
    for r in result.rules:
        basis = T.basis_label(r, lang)
        doc.add_paragraph(f"[{T.verdict_label(r['verdict'], lang)}] {T.rule_label(r, lang)}"
                          + T.words(lang)["paren"].format(basis), style="List Bullet")


def _sources_section(doc, result, lang, heading, captions) -> None:
    w = words(lang)
    doc.add_heading(heading, level=1)
    captions.table(doc, w["sources"])
    doc.table(w["source_head"], _source_rows(result, lang), numeric=(4,))
    doc.add_paragraph(f"{T.t('buffers', lang)}{w['sep']}" + ", ".join(f"{b:g} m" for b in result.buffers_m)
                      + T.words(lang)["geodesic"])
    doc.add_heading(w["methods"], level=2)
    for k, v in result.methods.items():
        doc.add_paragraph(T.method_text(k, v, lang), style="List Bullet")
    for u in T.UNIT_LINES[lang]:
        doc.add_paragraph(u, style="List Bullet")
    doc.add_heading(w["assumptions"], level=2)
    for a in T.assumption_lines(result, lang) or [T.t("no_assumptions", lang)]:
        doc.add_paragraph(a, style="List Bullet")


def _source_rows(result, lang) -> list[list[str]]:
    """Site, each layer and the rules: name, file, CRS, features, and what is known of source, version
    and date (the exchange file's header; the project file's source/version/date keys)."""
    w = words(lang)
    site = result.inputs.get("site") or {}
    header = site.get("header") or {}
    declared = "，".join(f"{k} {header[k]}" for k in ("数据产生单位", "数据产生日期", "格式版本号") if header.get(k))
    rows = [[w["site_data"], _project_name(result, lang), _file(site.get("path") or site.get("source")),
             T.crs_text(site, lang), str(site.get("features") or ""), declared or w["undeclared"]]]
    specs = (result.inputs.get("project") or {}).get("layers", {})
    for key, meta in result.inputs.get("layers", {}).items():
        spec = specs.get(key) or {}
        known = [str(spec[k]) for k in ("source", "version", "date") if spec.get(k)]
        rows.append([T.kind_label(meta.get("kind") or "", lang), T.layer_label(result, key, lang),
                     _file(meta.get("path")), T.crs_text(meta, lang), str(meta.get("features") or ""),
                     w["list_sep"].join(known) or w["undeclared"]])
    rows += [[w["rules_data"], _file(p), _file(p), "", "", w["rules_version"].format(version=__version__)]
             for p in result.inputs.get("rules_files") or []]
    return rows


def _file(path) -> str:
    return Path(str(path)).name if path else ""
