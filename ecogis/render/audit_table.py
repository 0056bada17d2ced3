"""Render an audit report: printed text, and an XLSX + CSV table of all checks and their details.

Renderers never compute: they format :class:`ecogis.audit.AuditReport` objects. Files are written
atomically and an existing output is refused unless ``overwrite=True``.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ecogis.area import METHODS, UNITS, Text, method_label, note_in, text_in
from ecogis.error_messages import error
from ecogis.kinds import kind_label
from ecogis.outputs import atomic_path, check_output_path, write_text_atomic
from ecogis.render.cells import VisibleText, control_note, csv_row, xlsx_row

FILES = ("audit.xlsx", "audit.csv", "audit_details.csv")

#: every label of the audit text and table, one lookup per language
WORDS = {
    "zh": {"PASS": "通过", "FAIL": "不通过", "REPORT": "仅报告", "circular": "循环校验", "flagged": "{label}（{flag}）",
           "value": "    结果：", "expected": "    要求：", "method": "    方法：", "note": "    注意：",
           "circular_line": "    循环：{reason}。要求值由本项结果推算，该项核对不独立，不能作为通过的依据。",
           "crs": "，数据坐标系 {crs}", "date": "日期：{date}", "operator": "操作人：{operator}",
           "no_operator": "操作人：未注明（用 --operator 指定）", "sources": "数据来源：",
           "source": "  {label}：{path}{kind}{crs}{features}；{declared}", "kind": "（{kind}）",
           "source_crs": "，坐标系 {crs}", "features": "，{n} 个要素", "undeclared": "来源、版本与日期未声明",
           "summary": "共 {n} 项：通过 {passed} 项{failed}{report}{circular}",
           "failed": "，不通过 {n} 项（{ids}）", "report_n": "，仅报告 {n} 项",
           "circular_n": "，循环校验 {n} 项（{ids}）",
           "all_passed": "，全部通过", "note_line": "注意：", "sep": "、", "overall": "总结论", "summary_sheet": "汇总",
           "note_row": "注意", "date_row": "日期", "operator_row": "操作人", "source_row": "数据来源"},
    "en": {"PASS": "PASS", "FAIL": "FAIL", "REPORT": "REPORT ONLY", "circular": "circular",
           "flagged": "{label} ({flag})", "value": "    value:    ", "expected": "    expected: ",
           "method": "    method:   ", "note": "    note:     ",
           "circular_line": "    circular: {reason}. The expectation is derived from this check's own result: "
                            "not an independent check, no ground for a pass.",
           "crs": ", data CRS {crs}", "date": "Date: {date}", "operator": "Operator: {operator}",
           "no_operator": "Operator: not stated (use --operator)", "sources": "Data sources:",
           "source": "  {label}: {path}{kind}{crs}{features}; {declared}", "kind": " ({kind})",
           "source_crs": ", CRS {crs}", "features": ", {n} features",
           "undeclared": "source, version and date not declared",
           "summary": "{n} checks: {passed} passed{failed}{report}{circular}",
           "failed": ", {n} failed ({ids})", "report_n": ", {n} report only", "circular_n": ", {n} circular ({ids})",
           "all_passed": ", all passed", "note_line": "Note: ", "sep": ", ", "overall": "overall",
           "summary_sheet": "summary", "note_row": "note", "date_row": "date", "operator_row": "operator",
           "source_row": "data source"},
}
_HEAD = {
    "zh": ["编号", "类型", "检查项", "结果", "要求", "结论", "方法", "坐标系"],
    "en": ["id", "type", "check", "value", "expected", "verdict", "method", "crs"],
}


def _words(lang: str) -> dict:
    return WORDS.get(lang, WORDS["zh"])


def verdict_label(check, lang: str = "zh") -> str:
    """通过 / 不通过 / 仅报告 (PASS / FAIL / REPORT ONLY), with 循环校验 when the spec marks the check's
    expectation as derived from its own result."""
    w = _words(lang)
    label = w[check.verdict]
    return w["flagged"].format(label=label, flag=w["circular"]) if check.circular else label


def overall_label(report, lang: str = "zh") -> str:
    return _words(lang)["PASS" if report.passed else "FAIL"]


def header_lines(report, lang: str = "zh") -> list[str]:
    """Date, operator and the data sources (file, kind, CRS, features, declared source/version/date)."""
    w = _words(lang)
    lines = [w["date"].format(date=report.date or ""),
             w["operator"].format(operator=report.operator) if report.operator else w["no_operator"], w["sources"]]
    for s in report.sources:
        declared = w["sep"].join(s[k] for k in ("source", "version", "date") if s.get(k)) or w["undeclared"]
        kind = kind_label(s["kind"], lang) if s.get("kind") else ""
        lines.append(w["source"].format(label=s.get("label") or kind or Path(s["path"]).name, path=s["path"],
                                        kind=w["kind"].format(kind=kind) if kind and s.get("label") else "",
                                        crs=w["source_crs"].format(crs=s["crs"]) if s.get("crs") else "",
                                        features=w["features"].format(n=s["features"]) if "features" in s else "",
                                        declared=declared))
    return lines


def summary_line(report, lang: str = "zh") -> str:
    w = _words(lang)
    checks = report.checks
    failed = [str(c.id) for c in checks if c.verdict == "FAIL"]
    report_only = [c for c in checks if c.report_only]
    circular = [str(c.id) for c in checks if c.circular]
    passed = sum(c.verdict == "PASS" for c in checks)
    return w["summary"].format(
        n=len(checks), passed=passed,
        failed=w["failed"].format(n=len(failed), ids=w["sep"].join(failed)) if failed else "",
        report=w["report_n"].format(n=len(report_only)) if report_only else "",
        circular=w["circular_n"].format(n=len(circular), ids=w["sep"].join(circular)) if circular else "") + \
        ("" if failed or report_only or circular else w["all_passed"])


def audit_text(report, lang: str = "zh") -> str:
    """Title, date, operator and data sources; one block per check: title, value, expectation, method
    with CRS, verdict (仅报告 for a check without requirement), the circular flag and notes; then the
    summary. Each note is printed once, under the first check it concerns."""
    w = _words(lang)
    lines, shown = [text_in(report.title, lang), *header_lines(report, lang), ""], set()
    for c in report.checks:
        lines.append(f"[{verdict_label(c, lang)}] {c.id} {text_in(c.title, lang)}")
        lines.append(w["value"] + text_in(c.value, lang))
        lines.append(w["expected"] + text_in(c.expected, lang))
        if c.circular:
            lines.append(w["circular_line"].format(reason=c.circular))
        if c.method:
            lines.append(w["method"] + _method_text(c.method, lang) + (w["crs"].format(crs=c.crs) if c.crs else ""))
        for n in c.notes:
            if n not in shown:
                shown.add(n)
                lines.append(w["note"] + note_in(n, lang))
    lines += ["", summary_line(report, lang)]
    lines += [w["note_line"] + note_in(n, lang) for n in report.notes if n not in shown]
    return "\n".join(lines)


_METHODS = {
    "geodesic_length": Text("测地线长度（CGCS2000 椭球）", "geodesic length (CGCS2000 ellipsoid)"),
    "geodesic_distance": Text("测地线距离（CGCS2000 椭球）", "geodesic distance (CGCS2000 ellipsoid)"),
    "point_in_polygon": Text("点落入分区面（含边界）", "points in zone polygons (on the boundary counts as inside)"),
    "class_compliance": Text("实测类别优于或等于目标类别（GB 3838-2002）",
                             "measured class at or better than target class (GB 3838-2002)"),
}


def _method_text(method: str, lang: str) -> str:
    if method in METHODS:
        label = method_label(method, lang)
        if method == "plane":
            return label
        return _words(lang)["flagged"].format(label=label, flag="CGCS2000")
    return text_in(_METHODS[method], lang) if method in _METHODS else method


def check_audit_outputs(out, *, overwrite: bool = False) -> list[Path]:
    """Refuse (EcogisError) before any work when an output file exists and overwrite is false."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise error("maps.out_not_folder", path=out)
    return [check_output_path(out / name, overwrite=overwrite) for name in FILES]


def _summary_rows(report, lang):
    return [[c.id, c.type, text_in(c.title, lang), text_in(c.value, lang), text_in(c.expected, lang),
             verdict_label(c, lang),
             _method_text(c.method, lang) if c.method else "", c.crs or ""]
            for c in report.checks]


def _keys(details) -> list[str]:
    """The detail fields in order of first appearance."""
    keys: list[str] = []
    for d in details:
        keys += [k for k in d if k not in keys]
    return keys


#: Chinese column titles for detail fields (English tables keep the field names).
_DETAIL_ZH = {
    "check": "检查项", "zone": "分区", "count": "数量", "expected": "要求", "verdict": "结论", "name": "名称",
    "nearest": "最近要素", "distance_m": "距离（m，测地线）", "capacity_tph": "规模（t/h）", "status": "状态",
    "type": "类型", "key": "分组", "area": "面积", "share_pct": "占比（%）", "area_m2": "面积（m²）",
    "base_area": "基数面积", "unit": "单位", "id": "编号", "change": "变化", "before": "调整前", "after": "调整后",
    "lost": "减少", "gained": "增加", "issue": "问题", "feature": "要素", "other": "相关要素/范围",
    "x": "X（数据坐标）", "y": "Y（数据坐标）", "river": "河流", "group": "断面分组（控制级别）",
    "target_class": "目标类别",
    "measured_class": "实测类别", "meets_target": "达标", "length_km": "长度（km，测地线）",
}
#: Chinese for coded detail values.
_VALUE_ZH: dict[object, str] = {
    "PASS": "通过", "FAIL": "不通过", "removed": "删除", "added": "新增", "reshaped": "边界调整",
    "self_overlap": "图层内重叠", "outside_boundary": "超出范围", "sliver_outside": "范围外碎片",
    "uncovered": "未覆盖", "gap": "缝隙", "overlap": "与其他图层重叠", "(outside all zones)": "（不在任何分区内）",
    True: "是", False: "否", **{unit: zh for unit, (_, zh, _) in UNITS.items()},
}


_DETAIL: dict[str, dict] = {"zh": _DETAIL_ZH, "en": {}}  # English tables keep the field names
_VALUES: dict[str, dict] = {"zh": _VALUE_ZH, "en": {}}


def _header(keys, lang):
    names = _DETAIL.get(lang, _DETAIL["zh"])
    return [names.get(k, k) for k in keys]


def _value(value, lang):
    values = _VALUES.get(lang, _VALUES["zh"])
    if isinstance(value, (str, bool)) and value in values:
        return values[value]
    return _cell(value)


def _detail_rows(report, lang):
    keys = _keys(d for c in report.checks for d in c.details)
    rows = [[c.id] + [_value(d.get(k), lang) for k in keys] for c in report.checks for d in c.details]
    return _header(["check"] + keys, lang), rows


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "item"):
        return value.item()
    return value


def _sheet_name(check_id: str, taken) -> str:
    """An Excel sheet name for a check: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(check_id))[:31] or "check"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:27]}_{n}"
    return name


def write_audit_table(report, out, *, overwrite: bool = False, lang: str = "zh") -> list[Path]:
    """Write audit.xlsx (sheet per check with its details, plus a summary) and audit.csv /
    audit_details.csv (UTF-8 with BOM, so Excel opens Chinese text correctly). Returns the paths.

    Texts are never formulas: XLSX cells are stored as text, CSV cells that a spreadsheet would run
    (``=``, ``+``, ``-``, ``@`` first) get a leading apostrophe; control characters are shown escaped."""
    from openpyxl import Workbook

    out = Path(out)
    check_audit_outputs(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    head, summary = _HEAD[lang], _summary_rows(report, lang)
    dhead, drows = _detail_rows(report, lang)

    visible = VisibleText()
    wb = Workbook()
    ws = wb.active
    w = _words(lang)
    ws.title = w["summary_sheet"]

    def append(sheet, row):
        sheet.append(xlsx_row(sheet, row, visible))

    append(ws, [text_in(report.title, lang)])
    append(ws, [w["date_row"], report.date or ""])
    append(ws, [w["operator_row"], report.operator or ""])
    for line in header_lines(report, lang)[3:]:
        append(ws, [w["source_row"], line.strip()])
    append(ws, head)
    for row in summary:
        append(ws, row)
    ws.append([])
    append(ws, [w["overall"], overall_label(report, lang), summary_line(report, lang)])
    for n in report.notes:  # the assumptions (guessed CRS, encoding) behind the figures
        append(ws, [w["note_row"], note_in(n, lang)])
    for c in report.checks:
        sheet = wb.create_sheet(_sheet_name(visible(str(c.id)), wb.sheetnames))
        append(sheet, [text_in(c.title, lang), text_in(c.value, lang), text_in(c.expected, lang),
                       verdict_label(c, lang)])
        keys = _keys(c.details)
        if keys:
            append(sheet, _header(keys, lang))
            for d in c.details:
                append(sheet, [_value(d.get(k), lang) for k in keys])
    if visible.replaced:
        append(ws, [w["note_row"], control_note(lang)])
    paths = []
    with atomic_path(out / "audit.xlsx", overwrite=overwrite) as tmp:
        wb.save(tmp)
    paths.append(out / "audit.xlsx")
    for name, header, rows in (("audit.csv", head, summary), ("audit_details.csv", dhead, drows)):
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(csv_row(header))
        writer.writerows(csv_row(r) for r in rows)
        write_text_atomic(out / name, buf.getvalue(), overwrite=overwrite, encoding="utf-8-sig")
        paths.append(out / name)
    return paths
