"""XLSX workbook of a site check (openpyxl): findings, zone summary, sites, rules, inputs and methods."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from ecogis.outputs import atomic_path
from ecogis.render import check_text as T
from ecogis.render.cells import VisibleText, control_note, xlsx_row

XLSX_FINDING_KEYS = ["site", "site_name", "layer", "kind", "feature", "zone", "relation", "overlap_area_m2",
                     "overlap_area_ha", "overlap_area_mu", "overlap_length_m", "share_of_site", "distance_m",
                     "buffer_m", "verdict", "rule_id", "rule", "basis"]


RULE_HEADERS = {"zh": ["编号", "图层类型", "功能区/级别", "空间关系", "适用距离（m）", "结论", "规则", "依据"],
                "en": ["id", "kind", "zone", "relation", "within (m)", "verdict", "rule", "basis"]}


def render_check_xlsx(result, out, *, lang: str = "zh", overwrite: bool = False) -> Path:
    """Write the workbook; numbers stay numbers (units in the headers), texts stay texts (never formulas),
    one row per site and finding. Control characters in texts are shown as ``\\x00`` escapes, with a note."""
    visible = VisibleText()
    wb = Workbook()
    ws = wb.active
    ws.title = "findings"
    head = {k: (zh if lang == "zh" else en) for k, zh, en in T.FINDING_HEADERS}
    head.update({"site_name": "场址名称" if lang == "zh" else "Site name",
                 "rule_id": "规则编号" if lang == "zh" else "Rule id"})
    _rows(ws, [head[k] for k in XLSX_FINDING_KEYS], _finding_rows(result, lang), visible)
    ws = wb.create_sheet("zones")
    _rows(ws, T.headers(T.ZONE_HEADERS, lang),
          ([_value(z, k, lang) for k, _, _ in T.ZONE_HEADERS] for z in (x.to_dict() for x in result.zones)), visible)
    ws = wb.create_sheet("sites")
    _rows(ws, T.SITE_HEADERS[lang],
          ([s.id, s.name, s.geometry_type, s.area_m2, s.length_m, s.lon, s.lat, T.verdict_label(s.verdict, lang)]
           for s in result.sites), visible)
    ws = wb.create_sheet("rules")
    _rows(ws, RULE_HEADERS[lang],
          ([r["id"], r["kind"], T.zone_label(r["zone"], lang) or None, r["relation"], r["within_m"],
            T.verdict_label(r["verdict"], lang),
            T.rule_label(r, lang), T.basis_label(r, lang)] for r in result.rules), visible)
    from ecogis.render.zoning_xlsx import add_zoning_sheets

    add_zoning_sheets(wb, result, lang, visible)
    ws = wb.create_sheet("inputs")
    _rows(ws, ["name", "kind", "path / text", "crs", "features"], _input_rows(result, lang), visible)
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
    rows += [[n, m.get("kind"), m.get("path"), m.get("crs"), m.get("features")]
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
    for key in ("relation", "kind", "verdict", "zone"):
        df[key] = df[key].map({v: T.cell({key: v}, key, lang) or None for v in df[key].dropna().unique()})
    basis_en = {r["id"]: r.get("basis_en") or "" for r in result.rules}
    df["rule"] = [T.rule_label({"rule": r, "rule_en": e}, lang) or None for r, e in zip(df["rule"], df["rule_en"])]
    df["basis"] = [T.basis_label({"basis": b, "basis_en": basis_en.get(i)}, lang) or None
                   for b, i in zip(df["basis"], df["rule_id"])]
    table = df[XLSX_FINDING_KEYS].astype(object)
    return table.where(table.notna(), None).itertuples(index=False, name=None)


def _value(row: dict, key: str, lang: str):
    """Numbers stay numbers; categories and texts are printed in ``lang``."""
    if key in ("relation", "kind", "verdict", "zone", "rule", "basis"):
        return T.cell(row, key, lang) or None
    return row.get(key)


def _rows(ws, head, rows, visible) -> None:
    """Header (bold) and rows; texts pass through :func:`ecogis.render.cells.xlsx_row`."""
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(xlsx_row(ws, r, visible))
    ws.freeze_panes = "A2"
