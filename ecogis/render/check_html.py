"""Self-contained HTML report of a site check (opens offline: no external scripts, styles or tiles).

The map is the maps module's folium map (vendored Leaflet, embedded in an ``iframe srcdoc``), opened on
the site.
"""
from __future__ import annotations

import html
from pathlib import Path

from ecogis.outputs import write_text_atomic
from ecogis.render import check_text as T
from ecogis.render.cells import VisibleText, control_note
from ecogis.render.corridor_text import corridor_lines
from ecogis.render.coverage_text import banner_lines
from ecogis.render.html_fonts import FONT_STACK, embedded_font_css

VERDICT_COLOUR = {"禁止": "#c0392b", "限制": "#e67e22", "需论证": "#d4ac0d", "无法判定": "#6c7a89", "符合": "#27ae60"}
BANNER_STYLE = "border:3px solid #6c7a89;background:#eef0f2;padding:8px 12px;font-weight:bold"  # 无法判定 banner

CSS = """
body{font-family:FONT_STACK;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
.verdict{display:inline-block;padding:6px 16px;border-radius:4px;color:#fff;font-size:20px;font-weight:bold}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top}
th{background:#f0f0f0;white-space:nowrap}td{white-space:nowrap}td.num{text-align:right}.small{color:#666;font-size:12px}
td.text{white-space:normal;min-width:16em;max-width:32em}td.name{white-space:normal;min-width:8em;max-width:16em}
.map iframe{width:100%;height:560px;border:1px solid #aaa}
@media print{
@page{size:A4;margin:15mm}
body{margin:0;font-size:10.5pt}
.verdict{color:#000!important;background:none!important;border:2.5px solid #000;border-radius:0}
td[style*="color"]{color:#000!important}
.scroll{overflow:visible}table{font-size:7.5pt;width:100%;page-break-inside:auto}tr{page-break-inside:avoid}
thead{display:table-header-group}th{white-space:normal}td.text{min-width:14em;max-width:none}
td.name{min-width:6em}.k-rule,.k-kind,.k-overlap_area_m2{display:none}
td{padding:2px 3px}
.map iframe{height:190mm;border:1px solid #000;page-break-inside:avoid}
details>*{display:block}h2{page-break-after:avoid}
}
""".replace("FONT_STACK", FONT_STACK)
#: added to the embedded map page for paper: no zoom, layer or measure controls; the whole legend, smaller
#: (on screen it scrolls; on paper nothing can)
MAP_PRINT_CSS = ("<style>@media print{.leaflet-control-zoom,.leaflet-control-layers,.leaflet-control-fullscreen,"
                 ".leaflet-control-measure,.leaflet-bar{display:none!important}"
                 ".ecogis-legend{max-height:none!important;overflow:visible!important;font-size:9px!important;"
                 "line-height:1.25!important;padding:4px 6px!important}}</style>")
HTML_WORDS = {"zh": {"folded": "缓冲距离内的其他要素（{n} 个，结论均为符合）", "id": "编号", "lang": "zh-CN"},
              "en": {"folded": "Other features within the buffers ({n}, all clear)", "id": "id", "lang": "en"}}
TEXT_COLUMNS = {"rule", "basis"}  # long text: wraps in a wide column
NAME_COLUMNS = {"feature"}  # names: wrap in a middling column; every other column keeps one line
NUMERIC = T.NUMERIC_KEYS


def render_check_html(result, out, *, lang: str = "zh", overwrite: bool = False, map_html: str | None = None) -> Path:
    """Write the HTML report for ``result`` (a CheckResult) to ``out``; returns the path."""
    return write_text_atomic(out, check_html(result, lang=lang, map_html=map_html), overwrite=overwrite)


def check_html(result, *, lang: str = "zh", map_html: str | None = None) -> str:
    """The HTML report as a string. Every text is escaped; control characters are shown as ``\\x00``
    escapes, with a note at the end."""
    e = html.escape
    title = T.t("title", lang)
    colon = T.words(lang)["colon"]
    parts = [f"<!DOCTYPE html><html lang=\"{HTML_WORDS.get(lang, HTML_WORDS['zh'])['lang']}\"><head>"
             "<meta charset=\"utf-8\">",
             f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(title)}</h1>",
             *(f"<p class=\"banner\" id=\"undetermined\" style=\"{BANNER_STYLE}\">{e(x)}</p>"
               for x in banner_lines(result, lang)),
             f"<p>{e(T.t('project', lang))}{colon}{e(result.project)}　{e(T.t('site', lang))}{colon}"
             f"{e(T.site_label(result))}</p>",
             f"<p>{e(T.t('overall', lang))}{colon}<span class=\"verdict\" id=\"verdict\" style=\"background:"
             f"{VERDICT_COLOUR.get(result.verdict, '#7f8c8d')}\">{e(T.verdict_label(result.verdict, lang))}</span></p>",
             f"<p>{e(T.summary_line(result, lang))}</p>",
             "<ol id=\"conclusions\">" + "".join(f"<li>{e(x)}</li>" for x in T.conclusion_sentences(result, lang))
             + "</ol>",
             *(f"<p class=\"corridor\">{e(x)}</p>" for x in corridor_lines(result, lang)),  # 作业带
             f"<h2>{e(T.t('map', lang))}</h2>"
             f"<div class=\"map\" id=\"map\">{map_html or _map_block(result, lang)}</div>",
             f"<h2>{e(T.t('findings', lang))}</h2>", _findings_block(result, lang)]
    if result.zones:
        parts += [f"<h2>{e(T.t('zones', lang))}</h2>",
                  _table(T.ZONE_HEADERS, [z.to_dict() for z in result.zones], lang, "zones-table", result),
                  f"<p class=\"small\">{e(T.table_note(result, lang))}</p>"]
    if len(result.sites) > 1:
        parts += [f"<h2>{e(T.t('sites', lang))}</h2>", _sites_table(result, lang)]
    from ecogis.render.zoning_html import zoning_html

    parts.append(zoning_html(result, lang))
    parts += [f"<h2>{e(T.t('rules', lang))}</h2>", _rules_block(result, lang),
              f"<h2>{e(T.t('inputs', lang))}</h2>", _inputs_block(result, lang),
              f"<h2>{e(T.t('assumptions', lang))}</h2>", _assumptions_block(result, lang),
              f"<h2>{e(T.t('methods', lang))}</h2>", _methods_block(result, lang),
              f"<p class=\"small\">{e(T.t('generated', lang))}</p>"]
    visible = VisibleText()
    doc = visible("\n".join(parts))
    if visible.replaced:
        doc += f"\n<p class=\"small\" id=\"control-note\">{e(control_note(lang))}</p>"
    body = doc.split("</head>", 1)[1].split("<iframe", 1)[0] + doc.rsplit("</iframe>", 1)[-1]
    font = embedded_font_css(body)  # the page's own characters, for machines without a CJK font
    return doc.replace("</style></head>", f"{font}</style></head>", 1) + "</body></html>"


def _findings_block(result, lang) -> str:
    """Overlaps and non-clear findings; the nearest feature per layer; clear within-buffer ones folded."""
    if not result.findings:
        return f"<p>{html.escape(T.t('no_findings', lang))}</p>"
    main, nearest, folded = T.split_findings(result)
    out = (_table(T.FINDING_HEADERS, main, lang, "findings-table", result) if main
           else f"<p>{html.escape(T.t('no_findings', lang))}</p>")
    out += (f"<h3>{html.escape(T.t('nearest', lang))}</h3>"
            + _table(T.NEAREST_HEADERS, nearest, lang, "nearest-table", result))
    if folded:
        label = HTML_WORDS.get(lang, HTML_WORDS["zh"])["folded"].format(n=len(folded))
        out += (f"<details id=\"buffer-details\"><summary>{html.escape(label)}</summary>"
                + _table(T.FINDING_HEADERS, folded, lang, "buffer-table", result) + "</details>")
    return out + f"<p class=\"small\">{html.escape(T.table_note(result, lang))}</p>"


def _table(spec, rows, lang, table_id, result=None) -> str:
    """A findings-like table; numeric columns empty in every row (e.g. no line sites) are left out;
    layers named by their project labels (with ``result``)."""
    e = html.escape
    spec = T.visible_spec(spec, rows, lang)
    out = [f"<div class=\"scroll\"><table id=\"{table_id}\"><thead><tr>"
           + "".join(f"<th class=\"k-{k}\">{e(h)}</th>" for (k, _, _), h in zip(spec, T.headers(spec, lang)))
           + "</tr></thead><tbody>"]
    for r in rows:
        tds = []
        for key, _, _ in spec:
            named = key == "layer" and result is not None
            value = T.layer_label(result, r[key], lang) if named else T.cell(r, key, lang)
            cls = ("num" if key in NUMERIC else "text small" if key in TEXT_COLUMNS else
                   "name" if key in NAME_COLUMNS else "")
            attr = f" class=\"k-{key} {cls}\"".replace(" \"", "\"")
            if key == "verdict":
                attr += f" style=\"color:{VERDICT_COLOUR.get(r['verdict'], '#7f8c8d')};font-weight:bold\""
            tds.append(f"<td{attr}>{e(value)}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _sites_table(result, lang) -> str:
    e = html.escape
    rows = ["<table id=\"sites-table\"><tr>" + "".join(f"<th>{e(h)}</th>" for h in T.SITE_HEADERS[lang]) + "</tr>"]
    for s in result.sites:
        rows.append("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in (
            s.id, s.name, s.geometry_type, T.fmt_number(s.area_m2, "area"), T.fmt_number(s.length_m, "distance_m"),
            f"{s.lon:.6f}", f"{s.lat:.6f}", T.verdict_label(s.verdict, lang))) + "</tr>")
    rows.append("</table>")
    return "".join(rows)


def _rules_block(result, lang) -> str:
    e = html.escape
    if not result.rules:
        return f"<p>{e(T.t('none', lang))}</p>"
    head = [HTML_WORDS.get(lang, HTML_WORDS["zh"])["id"], T.t("kind", lang), T.headers(T.ZONE_HEADERS, lang)[2],
            T.t("verdict", lang), T.t("rule", lang), T.t("basis", lang)]
    rows = ["<table id=\"rules-table\"><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"]
    for r in result.rules:
        text = T.rule_label(r, lang)
        rows.append("<tr>" + "".join(f"<td class=\"{c}\">{e(str(v or ''))}</td>" for c, v in zip(
            ("", "", "", "", "text", "text small"),
            (r["id"], T.kind_label(r["kind"], lang), T.zone_label(r["zone"], lang), T.verdict_label(r["verdict"], lang),
             text, T.basis_label(r, lang)))) + "</tr>")
    rows.append("</table>")
    files = ", ".join(result.inputs.get("rules_files", []))
    return "".join(rows) + f"<p class=\"small\">{e(files)}</p>"


def _inputs_block(result, lang) -> str:
    e = html.escape
    site = result.inputs.get("site", {})
    head = [T.t("layer", lang), T.t("kind", lang), T.t("path", lang), T.t("crs", lang), T.t("features", lang)]
    rows = ["<table id=\"inputs-table\"><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"]

    def row(name, meta):
        crs = T.crs_text(meta, lang)
        rows.append("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in (
            name, T.kind_label(meta.get("kind") or "", lang), meta.get("path") or "", crs,
            meta.get("features", ""))) + "</tr>")

    row(T.t("site", lang), dict(site, kind="site"))
    for name, meta in result.inputs.get("layers", {}).items():
        row(name, meta)
    if result.inputs.get("boundary"):
        row("boundary", result.inputs["boundary"])
    rows.append("</table>")
    buffers = ", ".join(f"{b:g} m" for b in result.buffers_m)
    w = T.words(lang)
    return "".join(rows) + f"<p>{e(T.t('buffers', lang))}{w['colon']}{e(buffers)}{w['geodesic']}</p>"


def _assumptions_block(result, lang) -> str:
    e = html.escape
    if not result.assumptions:
        return f"<p>{e(T.t('no_assumptions', lang))}</p>"
    return "<ul id=\"assumptions\">" + "".join(f"<li>{e(a)}</li>" for a in T.assumption_lines(result, lang)) + "</ul>"


def _methods_block(result, lang) -> str:
    e = html.escape
    items = "".join(f"<li>{e(T.method_text(k, v, lang))}</li>" for k, v in result.methods.items())
    units = "".join(f"<li>{e(u)}</li>" for u in T.UNIT_LINES[lang])
    return f"<ul id=\"methods\">{items}</ul><p>{e(T.t('unit', lang))}</p><ul id=\"units\">{units}</ul>"


# --------------------------------------------------------------------------------------------------
# map

def _map_block(result, lang) -> str:
    """The interactive map (ecogis.render.folium_map), opened on the site, embedded as an iframe."""
    from ecogis.render.folium_import import load_folium_map
    from ecogis.render.map_credits import add_credits

    make_map = load_folium_map().make_map  # folium's templates compiled once, kept in the cache folder
    m = make_map(T.map_layers(result, lang), site=T.site_layer(result), basemap="none", lang=lang, focus="site")
    project = result.inputs.get("project") or {}
    add_credits(m, lang, project.get("review_no"), project.get("source"))
    doc = m.get_root().render().replace("</head>", MAP_PRINT_CSS + "</head>", 1)
    return f"<iframe title=\"map\" srcdoc=\"{html.escape(doc, quote=True)}\"></iframe>"
