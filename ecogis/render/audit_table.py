"""Render an audit report: printed text, and an XLSX + CSV table of all checks and their details.

Renderers never compute: they format :class:`ecogis.audit.AuditReport` objects. Files are written
atomically and an existing output is refused unless ``overwrite=True``.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ecogis.errors import EcogisError
from ecogis.outputs import atomic_path, check_output_path, write_text_atomic

FILES = ("audit.xlsx", "audit.csv", "audit_details.csv")

_VERDICT = {"zh": {True: "通过", False: "不通过"}, "en": {True: "PASS", False: "FAIL"}}
_HEAD = {
    "zh": ["编号", "类型", "检查项", "结果", "要求", "结论", "方法", "坐标系"],
    "en": ["id", "type", "check", "value", "expected", "verdict", "method", "crs"],
}


def audit_text(report, lang: str = "zh") -> str:
    """One block per check: title, value, expectation and verdict; then the overall verdict."""
    v = _VERDICT[lang]
    lines = [report.title, ""]
    for c in report.checks:
        lines.append(f"[{v[c.passed]}] {c.id} {c.title}")
        if lang == "zh":
            lines.append(f"    结果：{c.value}")
            lines.append(f"    要求：{c.expected}")
        else:
            lines.append(f"    value:    {c.value}")
            lines.append(f"    expected: {c.expected}")
        if c.method:
            crs = "" if not c.crs else (f"，数据坐标系 {c.crs}" if lang == "zh" else f", data CRS {c.crs}")
            lines.append(("    方法：" if lang == "zh" else "    method:   ") + _method_text(c.method, lang) + crs)
        for n in c.notes:
            lines.append(("    注意：" if lang == "zh" else "    note:     ") + n)
    failed = [c.id for c in report.checks if not c.passed]
    lines.append("")
    if lang == "zh":
        lines.append(f"共 {len(report.checks)} 项，通过 {len(report.checks) - len(failed)} 项"
                     + (f"，不通过：{', '.join(failed)}" if failed else "，全部通过"))
    else:
        lines.append(f"{len(report.checks)} checks, {len(report.checks) - len(failed)} passed"
                     + (f", failed: {', '.join(failed)}" if failed else ", all passed"))
    for n in report.notes:
        lines.append(("注意：" if lang == "zh" else "Note: ") + n)
    return "\n".join(lines)


def _method_text(method: str, lang: str) -> str:
    from ecogis.area import METHODS

    if method in METHODS:
        label = METHODS[method][0 if lang == "zh" else 1]
        if method == "plane":
            return label
        return f"{label}（CGCS2000）" if lang == "zh" else f"{label} (CGCS2000)"
    return {
        "geodesic_length": "测地线长度（CGCS2000 椭球）" if lang == "zh" else "geodesic length (CGCS2000 ellipsoid)",
        "geodesic_distance": "测地线距离（CGCS2000 椭球）" if lang == "zh" else "geodesic distance (CGCS2000 ellipsoid)",
    }.get(method, method)


def check_audit_outputs(out, *, overwrite: bool = False) -> list[Path]:
    """Refuse (EcogisError) before any work when an output file exists and overwrite is false."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EcogisError("--out must be a folder", path=out)
    return [check_output_path(out / name, overwrite=overwrite) for name in FILES]


def _summary_rows(report, lang):
    v = _VERDICT[lang]
    return [[c.id, c.type, c.title, c.value, c.expected, v[c.passed],
             _method_text(c.method, lang) if c.method else "", c.crs or ""]
            for c in report.checks]


def _detail_rows(report):
    keys: list[str] = []
    for c in report.checks:
        for d in c.details:
            keys += [k for k in d if k not in keys]
    rows = [[c.id] + [_cell(d.get(k)) for k in keys] for c in report.checks for d in c.details]
    return ["check"] + keys, rows


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "item"):
        return value.item()
    return value


def write_audit_table(report, out, *, overwrite: bool = False, lang: str = "zh") -> list[Path]:
    """Write audit.xlsx (sheet per check with its details, plus a summary) and audit.csv /
    audit_details.csv (UTF-8 with BOM, so Excel opens Chinese text correctly). Returns the paths."""
    from openpyxl import Workbook

    out = Path(out)
    check_audit_outputs(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    head, summary = _HEAD[lang], _summary_rows(report, lang)
    dhead, drows = _detail_rows(report)

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总" if lang == "zh" else "summary"
    ws.append([report.title])
    ws.append(head)
    for row in summary:
        ws.append(row)
    ws.append([])
    ws.append(["总结论" if lang == "zh" else "overall", _VERDICT[lang][report.passed]])
    for c in report.checks:
        sheet = wb.create_sheet(c.id[:31])
        sheet.append([c.title, c.value, c.expected, _VERDICT[lang][c.passed]])
        keys: list[str] = []
        for d in c.details:
            keys += [k for k in d if k not in keys]
        if keys:
            sheet.append(keys)
            for d in c.details:
                sheet.append([_cell(d.get(k)) for k in keys])
    paths = []
    with atomic_path(out / "audit.xlsx", overwrite=overwrite) as tmp:
        wb.save(tmp)
    paths.append(out / "audit.xlsx")
    for name, header, rows in (("audit.csv", head, summary), ("audit_details.csv", dhead, drows)):
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        write_text_atomic(out / name, buf.getvalue(), overwrite=overwrite, encoding="utf-8-sig")
        paths.append(out / name)
    return paths
