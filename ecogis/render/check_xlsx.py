"""XLSX workbook of a site check (openpyxl): findings, zone summary, sites, rules, inputs and methods.

Sheet names and headers in the report language; numbers stay numbers with a format per unit (m² 2
decimals, 公顷 4, 亩 2, shares as percent, metres 1); headers frozen, autofilter on, columns as wide
as their texts (capped)."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ecogis.outputs import atomic_path
from ecogis.render import check_text as T
from ecogis.render.cells import VisibleText, control_note, xlsx_row
from ecogis.render.corridor_text import corridor_rows
from ecogis.render.coverage_text import banner_lines
from ecogis.site_coords import overlapped_nearest

XLSX_FINDING_KEYS = ["site", "site_name", "layer", "kind", "feature", "zone", "relation", "overlap_area_m2",
                     "overlap_area_ha", "overlap_area_mu", "overlap_length_m", "share_of_site", "distance_m",
                     "buffer_m", "verdict", "rule_id", "rule", "basis"]


SHEETS = {"zh": {"findings": "分析结果", "zones": "功能区汇总", "sites": "项目选址", "rules": "适用规则",
                  "inputs": "输入数据与方法", "corridor": "作业带", "undetermined": "无法判定"},
          "en": {"findings": "findings", "zones": "zones", "sites": "sites", "rules": "rules", "inputs": "inputs",
                 "corridor": "corridor", "undetermined": "undetermined"}}
INPUT_HEADERS = {"zh": ["项目", "类型", "文件或说明", "坐标系", "要素数"],
                 "en": ["name", "kind", "path / text", "crs", "features"]}
EXTRA_HEADERS = {"zh": {"site_name": "场址名称", "rule_id": "规则编号"},
                 "en": {"site_name": "Site name", "rule_id": "Rule id"}}
#: number format of each numeric column, by key (the unit is in the header)
NUMBER_FORMATS = {"overlap_area_m2": "#,##0.00", "area_m2": "#,##0.00", "overlap_area_ha": "#,##0.0000",
                  "overlap_area_mu": "#,##0.00", "share_of_site": "0.00%", "overlap_length_m": "#,##0.0",
                  "length_m": "#,##0.0", "distance_m": "#,##0.0", "buffer_m": "#,##0", "within_m": "#,##0",
                  "lon": "0.000000", "lat": "0.000000", "features": "0"}
SITE_KEYS = ["id", "name", "geometry_type", "area_m2", "length_m", "lon", "lat", "verdict"]
MAX_WIDTH = 60  # characters
#: the rule text of a nearest row whose feature the site intersects (its verdict is on the intersects row)
OVERLAPPED = {"zh": "场址与该要素相交，结论见同一要素的相交行", "en": "the site intersects this feature: its verdict "
                                                          "is on the intersects row of the same feature"}

RULE_HEADERS = {"zh": ["编号", "图层类型", "功能区/级别", "空间关系", "适用距离（m）", "结论", "规则", "依据"],
                "en": ["id", "kind", "zone", "relation", "within (m)", "verdict", "rule", "basis"]}


def render_check_xlsx(result, out, *, lang: str = "zh", overwrite: bool = False) -> Path:
    """Write the workbook; numbers stay numbers (units in the headers), texts stay texts (never formulas),
    one row per site and finding. Control characters in texts are shown as ``\\x00`` escapes, with a note."""
    visible = VisibleText()
    names = SHEETS.get(lang, SHEETS["zh"])
    wb = Workbook()
    ws = wb.active
    ws.title = names["findings"]
    head = dict(zip((k for k, _, _ in T.FINDING_HEADERS), T.headers(T.FINDING_HEADERS, lang)))
    head.update(EXTRA_HEADERS.get(lang, EXTRA_HEADERS["zh"]))
    _rows(ws, [head[k] for k in XLSX_FINDING_KEYS], _finding_rows(result, lang), visible, XLSX_FINDING_KEYS)
    ws = wb.create_sheet(names["zones"])
    _rows(ws, T.headers(T.ZONE_HEADERS, lang),
          ([_value(result, z, k, lang) for k, _, _ in T.ZONE_HEADERS] for z in (x.to_dict() for x in result.zones)),
          visible, [k for k, _, _ in T.ZONE_HEADERS])
    ws = wb.create_sheet(names["sites"])
    _rows(ws, T.SITE_HEADERS[lang],
          ([s.id, s.name, s.geometry_type, s.area_m2, s.length_m, s.lon, s.lat, T.verdict_label(s.verdict, lang)]
           for s in result.sites), visible, SITE_KEYS)
    ws = wb.create_sheet(names["rules"])
    _rows(ws, RULE_HEADERS[lang],
          ([r["id"], T.kind_label(r["kind"], lang), T.zone_label(r["zone"], lang) or None,
            T.RELATION[lang].get(r["relation"], r["relation"]), r["within_m"], T.verdict_label(r["verdict"], lang),
            T.rule_label(r, lang), T.basis_label(r, lang)] for r in result.rules), visible,
          ["id", "kind", "zone", "relation", "within_m", "verdict", "rule", "basis"])
    from ecogis.render.zoning_xlsx import add_zoning_sheets

    add_zoning_sheets(wb, result, lang, visible)
    ws = wb.create_sheet(names["inputs"])
    _rows(ws, INPUT_HEADERS.get(lang, INPUT_HEADERS["zh"]), _input_rows(result, lang), visible,
          ["name", "kind", "path", "crs", "features"])
    corridor_head, corridor = corridor_rows(result, lang)
    if corridor:  # 作业带: numbers stay numbers
        _rows(wb.create_sheet(names["corridor"]), corridor_head, corridor, visible, ())
    banner = banner_lines(result, lang)
    if banner:  # 无法判定: the first sheet, opened first
        _rows(wb.create_sheet(names["undetermined"], 0), [banner[0]], ([line] for line in banner[1:]), visible, ())
        wb.active = 0
    if visible.replaced:
        ws.append(["assumption", control_note(lang), "", "", ""])
    with atomic_path(out, overwrite=overwrite) as tmp:
        wb.save(tmp)
    return Path(out)


def _input_rows(result, lang: str) -> list[list]:
    """The inputs sheet: site and layers with their CRS and feature counts, then verdict, buffers (m),
    assumptions and methods."""
    site = result.inputs.get("site", {})
    rows = [["site", "site", site.get("path") or site.get("source"), site.get("crs"), site.get("features")]]
    rows += [[T.layer_label(result, n, lang), T.kind_label(m.get("kind") or "", lang), m.get("path"), m.get("crs"),
              m.get("features")]
             for n, m in result.inputs.get("layers", {}).items()]
    rows += [["verdict", T.verdict_label(result.verdict, lang), "", "", ""],
             ["buffers_m", ", ".join(f"{b:g}" for b in result.buffers_m) + " (geodesic)", "", "", ""]]
    rows += [["assumption", a, "", "", ""] for a in T.assumption_lines(result, lang)]
    rows += [["method", k, T.method_text(k, v, lang), "", ""] for k, v in result.methods.items()]
    return rows


def _finding_rows(result, lang: str):
    """Rows of the findings sheet from the columnar findings table (no Finding objects): numbers stay
    numbers (NaN -> empty cell); categories labelled once per distinct value; rule and basis in ``lang``."""
    df = result.findings_frame()
    overlapped = overlapped_nearest(df)
    df.loc[overlapped, "verdict"] = None  # the verdict of that feature is on its intersects row
    df.loc[overlapped, "rule"] = df.loc[overlapped, "rule_en"] = OVERLAPPED.get(lang, OVERLAPPED["zh"])
    df["layer"] = df["layer"].map({v: T.layer_label(result, v, lang) for v in df["layer"].dropna().unique()})
    for key in ("relation", "kind", "verdict", "zone"):
        df[key] = df[key].map({v: T.cell({key: v}, key, lang) or None for v in df[key].dropna().unique()})
    basis_en = {r["id"]: r.get("basis_en") or "" for r in result.rules}
    df["rule"] = [T.rule_label({"rule": r, "rule_en": e}, lang) or None for r, e in zip(df["rule"], df["rule_en"])]
    df["basis"] = [T.basis_label({"basis": b, "basis_en": basis_en.get(i)}, lang) or None
                   for b, i in zip(df["basis"], df["rule_id"])]
    table = df[XLSX_FINDING_KEYS].astype(object)
    return table.where(table.notna(), None).itertuples(index=False, name=None)


def _value(result, row: dict, key: str, lang: str):
    """Numbers stay numbers; categories and texts are printed in ``lang``, layers by their labels."""
    if key == "layer":
        return T.layer_label(result, row["layer"], lang)
    if key in ("relation", "kind", "verdict", "zone", "rule", "basis"):
        return T.cell(row, key, lang) or None
    return row.get(key)


def _rows(ws, head, rows, visible, keys) -> None:
    """Header (bold, frozen, with an autofilter) and rows; texts pass through
    :func:`ecogis.render.cells.xlsx_row`; numeric columns get their unit's format (:data:`NUMBER_FORMATS`);
    each column is as wide as its longest text (capped at :data:`MAX_WIDTH`)."""
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    widths = [_width(h) for h in head]
    for r in rows:
        ws.append(xlsx_row(ws, r, visible))
        widths = [max(w, _width(v)) for w, v in zip(widths, r)]
    for i, key in enumerate(keys, 1):
        fmt = NUMBER_FORMATS.get(key)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(w + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _width(value) -> int:
    """Displayed width of a cell in characters (CJK twice; numbers as printed with their format)."""
    if value is None:
        return 0
    text = f"{value:,.4f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)
