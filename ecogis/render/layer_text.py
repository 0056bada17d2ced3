"""The text the layer commands print: ``ecogis info`` (a layer description from ecogis.describe),
``ecogis validate`` (a validation payload) and ``ecogis convert`` (a conversion result), as bilingual lines."""
from __future__ import annotations

from ecogis.convert import ConversionResult
from ecogis.describe import LayerDescription, LayerListing
from ecogis.messages import translate


def format_layer_listing(listing: LayerListing) -> str:
    """The layers of a multi-layer file, one per line, and how to choose one."""
    lines = [f"文件 file: {listing.path}",
             f"该文件有 {len(listing.layers)} 个图层 layers (choose one with --layer):"]
    lines.extend(f"  {s.name}  ({s.geometry_type}, {s.count} features, {s.crs})" for s in listing.layers)
    return "\n".join(lines)


def format_layer_description(d: LayerDescription, lang: str = "zh") -> str:
    """Labelled lines: file, CRS (and its source), encoding, count, geometry, bounds, kind, fields, notes
    (the labels in both languages, the notes in ``lang``)."""
    lines = [f"文件 file:        {d.path}" + (f"  (图层 layer {d.layer})" if d.layer else "")]
    lines.append(f"坐标系 CRS:      {d.crs_description or d.crs}  [来源 source: {d.crs_source}]")
    if d.converted_to:
        lines.append(f"                 converted on load to {d.converted_to} (CGCS2000)")
    lines.append(f"编码 encoding:   {d.encoding}  [{d.encoding_source}]")
    lines.append(_count_line(d))
    lines.append(f"几何 geometry:   {', '.join(d.geometry_types) or '-'}")
    lines.extend(_bounds_lines(d))
    if d.kind:
        lines.append(f"类型 kind:       {d.kind}")
    lines.append(f"字段 fields:     {', '.join(f'{c} ({t})' for c, t in d.field_types.items()) or '-'}")
    if d.first_feature:
        first = ", ".join(f"{c}={v}" for c, v in d.first_feature.items() if v is not None)
        lines.append(f"首条 first:      {first[:200]}")
    if d.notes:
        lines.append("注意 notes:")
        lines.extend(f"  - {translate(n, lang)}" for n in d.notes)
    return "\n".join(lines)


def _count_line(d: LayerDescription) -> str:
    line = f"要素数 count:    {d.count}"
    if d.empty_geometries:
        line += f"  (空几何 empty: {d.empty_geometries})"
    if d.invalid_geometries:
        line += f"  (无效几何 invalid: {d.invalid_geometries}, ecogis validate)"
    return line


def _bounds_lines(d: LayerDescription) -> list[str]:
    lines = []
    if d.bounds:
        b = ", ".join(f"{v:.3f}" if abs(v) > 1000 else f"{v:.6f}" for v in d.bounds)
        lines.append(f"范围 bounds:     {b}  ({d.bounds_units}, minx, miny, maxx, maxy)")
    if d.bounds_lonlat_error:
        lines.append(f"经纬度 lon/lat:  无法转换到 CGCS2000 cannot transform to CGCS2000 ({d.bounds_lonlat_error})")
    if d.bounds_lonlat and d.bounds_lonlat != d.bounds:
        lines.append(f"经纬度 lon/lat:  {', '.join(f'{v:.6f}' for v in d.bounds_lonlat)}  (CGCS2000 degrees)")
    return lines


def format_conversion(result: ConversionResult) -> str:
    """One line: input -> output, feature count, source CRS (and its source) -> the CRS written."""
    return (f"已转换 converted: {result.input} -> {result.output}  ({result.count} features, "
            f"{result.from_crs} [{result.from_crs_source}] -> {result.to_crs})")


_CHECK_NAMES = {"invalid": "无效几何 invalid", "empty": "空几何 empty", "duplicate": "重复 duplicate",
                "overlap": "重叠 overlap",
                "mixed_types": "混合类型 mixed types", "outside_china": "境外坐标 outside China",
                "assumption": "假设 assumption"}


def format_validation(d: dict) -> str:
    """A validation (``ValidationReport.to_dict()`` with the reading's CRS/encoding and any ``fix``): status,
    count per check and one line per issue."""
    status = "通过 OK" if d["passed"] else "发现错误 ERRORS FOUND"
    lines = [f"检查 validate: {d['path']}  ({d['count']} features, CRS {d['crs']}) -> {status}"]
    for name, label in _CHECK_NAMES.items():
        lines.append(f"  {label}: {d['counts'].get(name, 0)}")
    for issue in d["issues"]:
        where = f"feature {issue['feature']}" if "feature" in issue else "layer"
        at = f" at ({issue['x']:.3f}, {issue['y']:.3f})" if "x" in issue else ""
        lines.append(f"  [{issue['severity']}] {where}{at}: {issue['message']}")
    if "fix" in d:
        f = d["fix"]
        lines.append(f"修复 fixed: {f['repaired']} geometries repaired, {f['emptied']} left empty -> {f['output']}"
                     f" ({'valid' if f['passed_after'] else 'still has errors'})")
    return "\n".join(lines)
