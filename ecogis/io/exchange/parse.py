"""Parsing the exchange text: sections, header lines, parcel lines and vertex lines (into plain lists)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecogis.error_messages import error, phrase
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
                    raise error("exchange.vertex_before_parcel", path=path, line=number,
                                hint="exchange.parcel_line_form")
                _parse_vertex_line(fields, number, parsed, path)
                parsed.v_parcel.append(len(parsed.parcels) - 1)
                current.n_vertices += 1
        elif section is not None:
            _extra_section_line(line, parsed.sections[section])
        else:
            raise error("exchange.outside_section", path=path, line=number, text=line[:40], section=COORD_SECTION,
                        hint="exchange.needs_section")
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
            raise error("exchange.unknown_section", path=path, line=number, section=section, header=HEADER_SECTION,
                        coords=COORD_SECTION, hint="exchange.the_sections")
        if section in parsed.sections:
            raise error("exchange.section_twice", path=path, line=number, section=section, hint="exchange.keep_one")
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
    found = (phrase("exchange.sep_fullwidth") if "，" in line else phrase("exchange.sep_tabs") if "\t" in line
             else phrase("exchange.sep_spaces") if " " in line else None)
    if found:
        raise error("exchange.separated_by", path=path, line=number, found=found, hint="exchange.use_commas")
    raise error("exchange.no_comma", path=path, line=number, text=line[:40], hint="exchange.use_commas")


def _parse_header_line(line, number, parsed, path):
    for sep in ("=", "＝", ":", "："):
        if sep in line:
            key, value = (part.strip() for part in line.split(sep, 1))
            if key in HEADER_ALIASES and HEADER_ALIASES[key] not in parsed.header:
                parsed.deviations.add("exchange.header_alias", number, name=key, standard=HEADER_ALIASES[key])
                key = HEADER_ALIASES[key]
            if parsed.header.get(key, value) != value:
                raise error("exchange.header_twice", path=path, line=number, key=key, first=parsed.header[key],
                            first_line=parsed.header_lines[key], value=value, hint="exchange.keep_one")
            parsed.header[key] = value
            parsed.header_lines[key] = number
            return
    raise error("exchange.header_no_equals", path=path, line=number, text=line[:40], hint="exchange.header_form")


def _parse_parcel_line(fields, number, path, deviations: Deviations) -> _Parcel:
    layout = parcel_layout(fields, RECORD_TYPES)
    if layout is None:
        raise error("exchange.parcel_fields", path=path, line=number, count=len(fields),
                    counts=", ".join(map(str, PARCEL_FIELD_COUNTS)), hint="exchange.keep_commas")
    if layout is not STANDARD_PARCEL:
        deviations.add("exchange.parcel_layout", number, layout=layout.label)
    parcel_no = fields[layout.parcel_no]
    count = None
    if fields[layout.count] not in ("", "0"):
        count = _int_field(fields[layout.count], number, path, phrase("exchange.what_count"))
    else:
        deviations.add("exchange.count_missing", number, allowed=True, parcel=repr(parcel_no))
    area = _parcel_area(fields[layout.area], number, path, parcel_no, deviations)
    record = fields[layout.record] or "面"
    if record not in RECORD_TYPES:
        raise error("exchange.record_type", path=path, line=number, record=record, hint="exchange.record_types")
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
        raise error("exchange.area_not_finite", path=path, line=number, value=value)
    if area < 0:
        raise error("exchange.area_negative", path=path, line=number, value=value, hint="exchange.area_hectares")
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
        raise error("exchange.not_whole", path=path, line=number, what=what, value=value) from None
    if result < minimum:
        if minimum == 1:
            raise error("exchange.not_positive", path=path, line=number, what=what, value=value)
        raise error("exchange.below_minimum", path=path, line=number, what=what, value=value, minimum=minimum)
    return result


def _float_field(value, number, path, what, allow_empty=False):
    if value == "" and allow_empty:
        return np.nan
    try:
        result = float(value)
    except ValueError:
        raise error("exchange.not_number", path=path, line=number, what=what, value=value,
                    hint="exchange.decimal_point") from None
    if not np.isfinite(result):
        raise error("exchange.not_finite", path=path, line=number, what=what, value=value)
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
        hint = "exchange.ascii_commas" if "，" in ",".join(fields) else "exchange.vertex_form"
        raise error("exchange.vertex_fields", path=path, line=number, count=len(fields), hint=hint)
    # kept as text here and converted in bulk by _vertex_arrays (fast path); bad values are found there
    parsed.v_ring.append(ring)
    parsed.v_part.append(part)
    parsed.v_x.append(x)
    parsed.v_y.append(y)
    parsed.v_line.append(number)


def _vertex_arrays(parsed: _Parsed, path):
    """Convert the vertex text columns to numbers in bulk; on failure name the first bad line."""
    columns = ((parsed.v_ring, int, _int_field, phrase("exchange.what_ring")),
               (parsed.v_part, int, _int_field, phrase("exchange.what_part")),
               (parsed.v_x, float, _float_field, phrase("exchange.what_x")),
               (parsed.v_y, float, _float_field, phrase("exchange.what_y")))
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
        raise error("exchange.no_vertices", path=path, line=parcel.line, parcel=parcel.parcel_no, count=parcel.count,
                    hint="exchange.vertices_follow")
