"""Parsing the exchange text: sections, header lines, parcel lines and vertex lines (into plain lists)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.io.exchange.dialects import (
    HEADER_ALIASES,
    PARCEL_FIELD_COUNTS,
    PROVINCIAL_VERTEX,
    STANDARD_PARCEL,
    Deviations,
    parcel_layout,
    split_area,
)

HEADER_SECTION, COORD_SECTION = "属性描述", "地块坐标"
RECORD_TYPES = {"面": "polygon", "线": "line", "点": "point"}
HEADER_KEYS = ("格式版本号", "数据产生单位", "数据产生日期", "坐标系", "几度分带", "投影类型", "计量单位", "带号",
               "精度", "转换参数")
AREA_UNIT = "ha"

_SECTION_RE = re.compile(r"^\s*([\[【［])\s*(.+?)\s*[\]】］]\s*$")


@dataclass
class _Parcel:
    line: int
    count: int | None  # None: 0 or empty in the file (the vertex lines are counted)
    area: float
    area_decimals: int  # decimals written in 地块面积 (how closely it can match a computed area)
    parcel_no: str
    name: str
    record_type: str
    sheet: str | None
    use: str | None
    extra: dict = field(default_factory=dict)  # columns of the dialect beyond the standard ones
    first_vertex: int = 0  # index into the file's vertex arrays
    n_vertices: int = 0


@dataclass
class _Parsed:
    header: dict = field(default_factory=dict)
    header_lines: dict = field(default_factory=dict)
    parcels: list = field(default_factory=list)
    v_line: list = field(default_factory=list)
    v_parcel: list = field(default_factory=list)
    v_ring: list = field(default_factory=list)
    v_part: list = field(default_factory=list)  # 部件号 of 省标 vertex lines ("1" in the 部标 layout)
    v_x: list = field(default_factory=list)
    v_y: list = field(default_factory=list)
    has_header: bool = False
    sections: dict = field(default_factory=dict)  # extra sections: name -> {key: value} or [lines]
    deviations: Deviations = field(default_factory=lambda: Deviations(None))


def _err(path, line, message, hint=None):
    return EcogisError(f"line {line}: {message}", path=path, hint=hint)


def _parse(text: str, path: Path, strict: bool = False) -> _Parsed:
    parsed = _Parsed(deviations=Deviations(path, strict))
    section = None
    seen_coords = False
    current: _Parcel | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        match = _SECTION_RE.match(line)
        if match:
            section = _section(match, number, parsed, path)
            seen_coords = seen_coords or section == COORD_SECTION
            continue
        if section == HEADER_SECTION:
            _parse_header_line(line, number, parsed, path)
        elif section == COORD_SECTION:
            if "," not in line:  # every record has ASCII commas (names may hold '，')
                _no_commas(line, number, path)
            fields = [f.strip() for f in line.split(",")]
            if fields[-1] == "@":
                if current is not None:
                    _close_parcel(current, parsed, path)
                current = _parse_parcel_line(fields, number, path, parsed.deviations)
                current.first_vertex = len(parsed.v_x)
                parsed.parcels.append(current)
            else:
                if current is None:
                    raise _err(path, number, "a vertex line before the first parcel line",
                               hint="Each parcel starts with a line "
                                    "'界址点数,面积,地块编号,地块名称,面,图幅号,用途,,@'")
                _parse_vertex_line(fields, number, parsed, path)
                parsed.v_parcel.append(len(parsed.parcels) - 1)
                current.n_vertices += 1
        elif section is not None:
            _extra_section_line(line, parsed.sections[section])
        else:
            raise _err(path, number, f"text outside any section: {line[:40]!r}",
                       hint=f"Is this a coordinate exchange file? It needs a [{COORD_SECTION}] section")
    if not seen_coords:
        raise error("exchange.no_coord_section", section=COORD_SECTION, path=path, hint="exchange.put_parcels")
    if current is not None:
        _close_parcel(current, parsed, path)
    if not parsed.parcels:
        raise error("exchange.no_parcels", section=COORD_SECTION, path=path, hint="exchange.parcel_start")
    return parsed


def _section(match, number, parsed, path) -> str:
    """The name of the section a marker line opens; an extra section is kept (and noted)."""
    bracket, section = match.groups()
    if bracket == "［":
        parsed.deviations.add("exchange.fullwidth", number, section=section)
    if section == HEADER_SECTION:
        parsed.has_header = True
    elif section != COORD_SECTION:
        if "坐标" in section:  # a misspelt coordinate section would hide every parcel
            raise _err(path, number, f"unknown section [{section}]",
                       hint=f"An exchange file has the sections [{HEADER_SECTION}] and [{COORD_SECTION}]")
        if section in parsed.sections:
            raise _err(path, number, f"section [{section}] is given twice", hint="Keep one of them")
        parsed.deviations.add("exchange.extra_section", number, section=section)
        parsed.sections[section] = {}
    return section


def _extra_section_line(line: str, content: dict) -> None:
    """Keep a line of an extra section: ``key=value`` pairs by key, other lines in order under ``""``."""
    for sep in ("=", "＝", ":", "："):
        if sep in line:
            key, value = (part.strip() for part in line.split(sep, 1))
            content[key] = value
            return
    content.setdefault("", []).append(line)


def _no_commas(line, number, path):
    found = "full-width commas (，)" if "，" in line else "tabs" if "\t" in line else "spaces" if " " in line else None
    raise _err(path, number, f"the fields are separated by {found}, not ASCII commas" if found else
               f"no comma in {line[:40]!r}",
               hint="Separate the fields with ASCII commas (,), e.g. J1,1,4534567.123,41512345.678")


def _parse_header_line(line, number, parsed, path):
    for sep in ("=", "＝", ":", "："):
        if sep in line:
            key, value = (part.strip() for part in line.split(sep, 1))
            if key in HEADER_ALIASES and HEADER_ALIASES[key] not in parsed.header:
                parsed.deviations.add("exchange.header_alias", number, name=key, standard=HEADER_ALIASES[key])
                key = HEADER_ALIASES[key]
            if parsed.header.get(key, value) != value:
                raise _err(path, number, f"{key} is given twice: {parsed.header[key]!r} on line "
                                         f"{parsed.header_lines[key]} and {value!r} here", hint="Keep one of them")
            parsed.header[key] = value
            parsed.header_lines[key] = number
            return
    raise _err(path, number, f"header line without '=': {line[:40]!r}",
               hint="Header lines read key=value, e.g. 带号=41")


def _parse_parcel_line(fields, number, path, deviations: Deviations) -> _Parcel:
    layout = parcel_layout(fields, RECORD_TYPES)
    if layout is None:
        raise _err(path, number, f"parcel line has {len(fields)} fields, expected 9 "
                                 "(界址点数,地块面积,地块编号,地块名称,记录图形属性,图幅号,地块用途,地类编码,@; "
                                 f"or {', '.join(map(str, PARCEL_FIELD_COUNTS))} fields in other layouts)",
                   hint="Keep the commas of empty fields")
    if layout is not STANDARD_PARCEL:
        deviations.add("exchange.parcel_layout", number, layout=layout.label)
    parcel_no = fields[layout.parcel_no]
    count = None
    if fields[layout.count] not in ("", "0"):
        count = _int_field(fields[layout.count], number, path, "界址点数 (point count)")
    else:
        deviations.add("exchange.count_missing", number, allowed=True, parcel=repr(parcel_no))
    area = _parcel_area(fields[layout.area], number, path, parcel_no, deviations)
    record = fields[layout.record] or "面"
    if record not in RECORD_TYPES:
        raise _err(path, number, f"记录图形属性 {record!r} is not one of 面, 线, 点",
                   hint="Write 面 for polygons, 线 for lines, 点 for points")
    extra = {column: fields[i] or None for column, i in layout.extra}
    return _Parcel(number, count, area, _decimals(fields[layout.area]), parcel_no, fields[layout.name], record,
                   fields[layout.sheet] or None, fields[layout.use] or None, extra)


def _parcel_area(value: str, number: int, path, parcel_no: str, deviations: Deviations) -> float:
    """地块面积 in 公顷; NaN (noted) when 0, empty or not a number; an area with a unit is converted (noted)."""
    if value == "" or _is_zero(value):
        deviations.add("exchange.area_missing", number, allowed=True, parcel=repr(parcel_no))
        return np.nan
    number_text, factor = split_area(value)
    try:
        area = float(number_text) * (factor or 1.0)
    except ValueError:
        deviations.add("exchange.area_not_number", number, value=repr(value), parcel=repr(parcel_no))
        return np.nan
    if not np.isfinite(area):
        raise _err(path, number, f"地块面积 (area) {value!r} is not a finite number")
    if area < 0:
        raise _err(path, number, f"地块面积 (area) {value!r} is negative",
                   hint="Write the area in 公顷, or leave it empty")
    if factor is not None:
        deviations.add("exchange.area_unit", number, value=repr(value), parcel=repr(parcel_no),
                       hectares=f"{area:.6g}")
    return area


def _decimals(value: str) -> int:
    """Digits after the decimal point of a number written as ``value`` (``0.7749公顷`` -> 4)."""
    digits = re.match(r"\s*[-+]?\d*(?:\.(\d*))?", value)
    return len(digits.group(1) or "") if digits else 0


def _is_zero(value: str) -> bool:
    try:
        return float(value) == 0.0
    except ValueError:
        return False


def _int_field(value, number, path, what, minimum=1):
    try:
        result = int(value)
    except ValueError:
        raise _err(path, number, f"{what} {value!r} is not a whole number") from None
    if result < minimum:
        raise _err(path, number, f"{what} {value!r} must be {'positive' if minimum == 1 else f'at least {minimum}'}")
    return result


def _float_field(value, number, path, what, allow_empty=False):
    if value == "" and allow_empty:
        return np.nan
    try:
        result = float(value)
    except ValueError:
        raise _err(path, number, f"{what} {value!r} is not a number",
                   hint="Use a decimal point and no thousands separators") from None
    if not np.isfinite(result):
        raise _err(path, number, f"{what} {value!r} is not a finite number")
    return result


def _parse_vertex_line(fields, number, parsed, path):
    while len(fields) > 4 and fields[-1] == "":
        fields = fields[:-1]  # tolerate trailing commas
    if len(fields) == 6:  # 省标: 序号,圈号,部件号,点号,X,Y
        parsed.deviations.add("exchange.vertex_layout", number, layout=PROVINCIAL_VERTEX)
        ring, part, x, y = fields[1], fields[2], fields[4], fields[5]
    elif len(fields) == 4:
        ring, part, x, y = fields[1], "1", fields[2], fields[3]
    else:
        hint = "Vertex lines read e.g. J1,1,4534567.123,41512345.678"
        if "，" in ",".join(fields):
            hint = "Use ASCII commas (,) not full-width ones (，) between fields"
        raise _err(path, number, f"vertex line has {len(fields)} fields, expected 4 (点号,圈号,X,Y) or 6 "
                                 "(序号,圈号,部件号,点号,X,Y)", hint=hint)
    # kept as text here and converted in bulk by _vertex_arrays (fast path); bad values are found there
    parsed.v_ring.append(ring)
    parsed.v_part.append(part)
    parsed.v_x.append(x)
    parsed.v_y.append(y)
    parsed.v_line.append(number)


def _vertex_arrays(parsed: _Parsed, path):
    """Convert the vertex text columns to numbers in bulk; on failure name the first bad line."""
    columns = ((parsed.v_ring, int, _int_field, "圈号 (ring number)"),
               (parsed.v_part, int, _int_field, "部件号 (part number)"),
               (parsed.v_x, float, _float_field, "X (northing)"),
               (parsed.v_y, float, _float_field, "Y (easting)"))
    out = []
    for values, dtype, check, what in columns:
        try:
            array = np.array(values, dtype=dtype)
            bad = ~np.isfinite(array) if dtype is float else array <= 0
        except ValueError:
            bad = None
        if bad is None or bad.any():
            for value, number in zip(values, parsed.v_line):
                check(value, number, path, what)  # raises at the first bad value
        out.append(array)
    parsed.v_ring, parsed.v_part, parsed.v_x, parsed.v_y = out  # type: ignore[assignment]  # the text columns become arrays


def _close_parcel(parcel: _Parcel, parsed: _Parsed, path):
    if parcel.n_vertices == 0:
        raise _err(path, parcel.line, f"parcel {parcel.parcel_no!r} has no vertex lines (界址点数 {parcel.count})",
                   hint="Each parcel line is followed by its vertex lines 点号,圈号,X,Y")
