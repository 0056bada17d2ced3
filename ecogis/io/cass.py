"""Surveyors' coordinate files: CASS ``.dat`` and plain ``点号,X,Y`` tables, read as points in file order.

* CASS (南方 CASS) ``.dat``: one point per line, ``点号,编码,Y,X,H`` — **Y (easting) before X (northing)**,
  the code often empty, H the height: ``1,,512345.678,4534567.123,12.30``.
* Plain coordinate tables (``.dat``, or a ``.txt`` that is no exchange text): ``点号,X,Y`` or ``点号,X,Y,H``
  in surveying order (X = northing, Y = easting), with or without the zone prefix on Y. A first line of
  names (``点号,X,Y``, ``点名,Y,X``, ``name,E,N``) is a header and says the order.

Fields are separated by commas (ASCII or full-width), tabs or spaces. The points keep the file's order and
their 点号 (``name``), so that ``--as-polygon``/``--as-line`` can join them; the CRS is inferred by
:func:`ecogis.io.read.read_layer` as for any file without one (zone prefix, or ``--cm``).
"""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ecogis.error_messages import error, phrase
from ecogis.io.text import decode_survey_text
from ecogis.messages import register, say

COORDINATE_SUFFIXES = (".dat",)
_SPLIT = re.compile(r"\s*[,，\t]\s*|\s+")
#: header names that mean easting / northing
_EAST, _NORTH = {"y", "e", "东", "东坐标", "easting", "east"}, {"x", "n", "北", "北坐标", "northing", "north"}

register({
    "cass.read": ("{path}: read as a {layout} of {count} point(s) in file order ({order})",
                  "{path}：按{layout}读取 {count} 个点，保持文件顺序（{order}）"),
})


def looks_like_coordinates(text: str) -> bool:
    """True when every non-empty line (after an optional header) is a name and 2 or 3 numbers, or CASS's 4."""
    rows = [_fields(line) for line in text.splitlines() if line.strip()]
    if rows and not _numeric(_numbers(rows[0])):
        rows = rows[1:]
    return bool(rows) and all(len(r) in (3, 4, 5) and _numeric(_numbers(r)) for r in rows)


def is_coordinate_text(path, size: int = 65536) -> bool:
    """True when the first bytes of ``path`` (UTF-8 or GB18030) read as a coordinate table."""
    with open(path, "rb") as fh:
        head = fh.read(size)
    text = head.decode("utf-8", errors="ignore") if _is_utf8(head) else head.decode("gb18030", errors="ignore")
    lines = text.splitlines()
    if len(head) == size and lines:
        lines = lines[:-1]  # the last line may be cut
    return looks_like_coordinates("\n".join(lines))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(data) - 4  # only a character cut at the end
    return True


def read_coordinates(path, encoding=None, notes=None) -> gpd.GeoDataFrame:
    """Points of a CASS ``.dat`` or plain ``点号,X,Y`` file, without CRS: columns ``name`` (点号), ``code`` (CASS
    编码), ``h`` (height, m; NaN when absent); geometry easting, northing in the file's order of lines."""
    path = Path(path)
    text, used, source = decode_survey_text(path.read_bytes(), path, encoding, notes, hint="sites.leave_out_encoding")
    lines = [(i, _fields(line)) for i, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise error("sites.no_points", path=path, hint="sites.one_point_per_line")
    east_first, header = _header_order(lines[0][1])
    if header:
        lines = lines[1:]
    width = len(lines[0][1]) if lines else 0
    if width not in (3, 4, 5) or not _numeric(_numbers(lines[0][1])):
        reads = phrase("sites.first_line_reads", line=lines[0][0], text=",".join(lines[0][1])[:60]) if lines else ""
        raise error("sites.not_coordinate_file", first=reads, path=path, hint="sites.comma_fields")
    cass = width == 5
    names, codes, first, second, heights = [], [], [], [], []
    for number, fields in lines:
        if len(fields) != width or not _numeric(_numbers(fields)):
            raise error("sites.unlike_first", line=number, text=",".join(fields)[:60], width=width,
                        after=phrase("sites.numbers_after_name") if width < 5 else "", path=path,
                        hint="sites.fix_line")
        names.append(fields[0])
        codes.append(fields[1] if cass else None)
        a, b, *h = _numbers(fields)
        first.append(float(a))
        second.append(float(b))
        heights.append(float(h[0]) if h else np.nan)
    if cass or east_first:
        easting, northing = np.array(first), np.array(second)
    else:
        northing, easting = np.array(first), np.array(second)
    layout = "CASS .dat (点号,编码,Y,X,H)" if cass else "coordinate table (点号,X,Y)"
    order = ("Y = easting before X = northing, as CASS writes them" if cass or east_first
             else "X = northing, Y = easting, the surveying order")
    say("cass.read", notes, warn=False, path=path, layout=layout, count=len(names), order=order)
    columns = {"name": names, "code": codes, "h": heights} if cass else {"name": names, "h": heights}
    gdf = gpd.GeoDataFrame(columns, geometry=shapely.points(easting, northing))
    gdf.attrs["ecogis"] = {"encoding": used, "encoding_source": source}
    return gdf


def _fields(line: str) -> list[str]:
    return [f for f in _SPLIT.split(line.strip().lstrip("\ufeff"))] if line.strip() else []


def _numbers(fields: list[str]) -> list[str]:
    """The numeric fields of a point line: after 点号 (and the CASS 编码)."""
    return fields[2:] if len(fields) == 5 else fields[1:]


def _numeric(values) -> bool:
    try:
        return all(np.isfinite(float(v)) for v in values) and len(values) > 0
    except ValueError:
        return False


def _header_order(fields: list[str]) -> tuple[bool, bool]:
    """(easting first, is a header) from a possible header line."""
    if _numeric(_numbers(fields)) or _numeric(fields[1:]):
        return False, False
    names = [f.strip().lower() for f in fields[1:]]
    for i, name in enumerate(names[:-1]):
        if name in _EAST and names[i + 1] in _NORTH:
            return True, True
    return False, True
