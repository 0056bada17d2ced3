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
from ecogis.errors import EcogisError
from ecogis.outputs import atomic_path, check_output_path, write_text_atomic
from ecogis.render.cells import VisibleText, control_note, csv_row, xlsx_row

FILES = ("audit.xlsx", "audit.csv", "audit_details.csv")

_VERDICT = {"zh": {True: "通过", False: "不通过"}, "en": {True: "PASS", False: "FAIL"}}
_HEAD = {
    "zh": ["编号", "类型", "检查项", "结果", "要求", "结论", "方法", "坐标系"],
    "en": ["id", "type", "check", "value", "expected", "verdict", "method", "crs"],
}


def audit_text(report, lang: str = "zh") -> str:
    """One block per check: title, value, expectation, method with CRS, verdict and notes; then the
    overall verdict. Each note is printed once, under the first check it concerns."""
    zh = lang == "zh"
    v = _VERDICT[lang]
    label = {"value": "    结果：" if zh else "    value:    ", "expected": "    要求：" if zh else "    expected: ",
             "method": "    方法：" if zh else "    method:   ", "note": "    注意：" if zh else "    note:     "}
    lines, shown = [text_in(report.title, lang), ""], set()
    for c in report.checks:
        lines.append(f"[{v[c.passed]}] {c.id} {text_in(c.title, lang)}")
        lines.append(label["value"] + text_in(c.value, lang))
        lines.append(label["expected"] + text_in(c.expected, lang))
        if c.method:
            crs = "" if not c.crs else (f"，数据坐标系 {c.crs}" if zh else f", data CRS {c.crs}")
            lines.append(label["method"] + _method_text(c.method, lang) + crs)
        for n in c.notes:
            if n not in shown:
                shown.add(n)
                lines.append(label["note"] + note_in(n, lang))
    failed = [c.id for c in report.checks if not c.passed]
    passed = len(report.checks) - len(failed)
    lines.append("")
    if zh:
        lines.append(f"共 {len(report.checks)} 项，通过 {passed} 项"
                     + (f"，不通过：{'、'.join(failed)}" if failed else "，全部通过"))
    else:
        lines.append(f"{len(report.checks)} checks, {passed} passed"
                     + (f", failed: {', '.join(failed)}" if failed else ", all passed"))
    lines += [("注意：" if zh else "Note: ") + note_in(n, lang) for n in report.notes if n not in shown]
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
        return f"{label}（CGCS2000）" if lang == "zh" else f"{label} (CGCS2000)"
    return text_in(_METHODS[method], lang) if method in _METHODS else method


def check_audit_outputs(out, *, overwrite: bool = False) -> list[Path]:
    """Refuse (EcogisError) before any work when an output file exists and overwrite is false."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EcogisError("--out must be a folder", path=out)
    return [check_output_path(out / name, overwrite=overwrite) for name in FILES]


def _summary_rows(report, lang):
    v = _VERDICT[lang]
    return [[c.id, c.type, text_in(c.title, lang), text_in(c.value, lang), text_in(c.expected, lang), v[c.passed],
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


def _header(keys, lang):
    return [_DETAIL_ZH.get(k, k) for k in keys] if lang == "zh" else list(keys)


def _value(value, lang):
    if lang == "zh" and isinstance(value, (str, bool)) and value in _VALUE_ZH:
        return _VALUE_ZH[value]
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
    ws.title = "汇总" if lang == "zh" else "summary"

    def append(sheet, row):
        sheet.append(xlsx_row(sheet, row, visible))

    append(ws, [text_in(report.title, lang)])
    append(ws, head)
    for row in summary:
        append(ws, row)
    ws.append([])
    append(ws, ["总结论" if lang == "zh" else "overall", _VERDICT[lang][report.passed]])
    for n in report.notes:  # the assumptions (guessed CRS, encoding) behind the figures
        append(ws, ["注意" if lang == "zh" else "note", note_in(n, lang)])
    for c in report.checks:
        sheet = wb.create_sheet(_sheet_name(visible(str(c.id)), wb.sheetnames))
        append(sheet, [text_in(c.title, lang), text_in(c.value, lang), text_in(c.expected, lang),
                       _VERDICT[lang][c.passed]])
        keys = _keys(c.details)
        if keys:
            append(sheet, _header(keys, lang))
            for d in c.details:
                append(sheet, [_value(d.get(k), lang) for k in keys])
    if visible.replaced:
        append(ws, ["注意" if lang == "zh" else "note", control_note(lang)])
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
