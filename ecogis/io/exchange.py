"""The land-survey coordinate exchange text (坐标交换文件 / 界址点坐标文件): read and write.

The format, as required by provincial natural-resources departments for land-use approval and
boundary surveys (勘测定界), e.g.::

    [属性描述]
    格式版本号=1.01
    数据产生单位=某某测绘院
    数据产生日期=2024-05-01
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=41
    精度=0.05
    转换参数=,,,,,,
    [地块坐标]
    10,1.2345,1,地块1,面,,工业用地,,@
    J1,1,4534567.123,41512345.678
    ...

* A parcel line is ``界址点数,地块面积,地块编号,地块名称,记录图形属性(面|线|点),图幅号,地块用途,,@``;
  fields may be empty; the trailing ``@`` marks it.
* A vertex line is ``点号,圈号,X,Y`` with **X = northing** and **Y = easting** (surveying order), Y
  usually carrying the zone number as prefix (41 512 345.678 = zone 41).
* 圈号 (ring number): 1 is the outer ring; a parcel with holes (扣除内部面积) or several parts carries
  further numbers. The reader decides hole or part by containment (a ring inside an odd number of the
  parcel's other rings is a hole). Every polygon ring ends by repeating its first vertex.
* 界址点数 counts the vertex lines of the parcel, closing vertices included (the reader also accepts
  the count without the closing vertices, which some tools write).
* 地块面积 is in 公顷 (hectares) in the provincial specifications (e.g. "地块面积:地块的面积,单位为公顷"
  in the 建设项目用地红线坐标文件内容要求 of several provinces); it is returned as ``declared_area``
  (hectares, as declared, not recomputed) and checked against the ellipsoidal area.
* 点号 (point name) is free text, usually J1, J2, ... numbered through the parcel, the closing vertex
  repeating the first name of its ring. The reader ignores it; the writer writes that scheme.
* Encodings: GB18030 (GBK) from most Chinese desktop tools, or UTF-8; UTF-16 (Windows Notepad's
  "Unicode") is read too (:mod:`ecogis.io.text`). The writer uses GB18030.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ecogis.area import ellipsoidal_area
from ecogis.crs import (
    DATUM_ZH,
    GEOGRAPHIC,
    crs_label,
    describe_crs,
    gk_epsg,
    gk_zone_of,
    infer_crs,
    positions_ok,
    resolve_crs,
    zone_cm,
    zone_width,
)
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_CRS, GEOGRAPHIC_EPSG, gk_zone_for_lon
from ecogis.io.text import check_control_characters, decode_text
from ecogis.messages import note, say
from ecogis.outputs import atomic_path

HEADER_SECTION, COORD_SECTION = "属性描述", "地块坐标"
RECORD_TYPES = {"面": "polygon", "线": "line", "点": "point"}
HEADER_KEYS = ("格式版本号", "数据产生单位", "数据产生日期", "坐标系", "几度分带", "投影类型", "计量单位", "带号",
               "精度", "转换参数")
AREA_UNIT = "ha"
# warn when the declared area differs from the ellipsoidal area by more than this share
AREA_TOLERANCE = 0.01

_SECTION_RE = re.compile(r"^\s*[\[【]\s*(.+?)\s*[\]】]\s*$")


# --------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------

@dataclass
class _Parcel:
    line: int
    count: int
    area: float
    parcel_no: str
    name: str
    record_type: str
    sheet: str | None
    use: str | None
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
    v_x: list = field(default_factory=list)
    v_y: list = field(default_factory=list)
    has_header: bool = False


def read_exchange(path, crs=None, encoding=None, *, cm=None) -> gpd.GeoDataFrame:
    """Read a land-survey coordinate exchange text into a GeoDataFrame.

    Parameters
    ----------
    path : the .txt file.
    crs : optional CRS of the coordinates (anything :func:`ecogis.crs.resolve_crs` takes); wins over the
        header. Otherwise the CRS comes from the header (坐标系, 几度分带, 带号) and, where that is
        incomplete, is inferred from the coordinates (zone prefix on Y), with a warning.
    encoding : optional text encoding; default strict UTF-8, else GB18030 (reported).
    cm : central meridian (degrees E) for 6-digit eastings without zone prefix when the header has no 带号.

    Returns
    -------
    GeoDataFrame in the file's Gauss-Kruger CRS (x = easting, y = northing, as GIS expects), one row per
    parcel, columns ``parcel_no``, ``name``, ``record_type`` (面/线/点), ``sheet``, ``use``,
    ``declared_area`` (the file's 地块面积, hectares, NaN when empty). ``attrs["ecogis"]`` holds path,
    crs, crs_source (user|file|inferred), encoding, encoding_source, swap_xy, header and notes.
    """
    path = Path(path)
    notes: list[str] = []
    if not path.exists():
        raise EcogisError("file not found", path=path, hint="Check the path and its spelling")
    data = path.read_bytes()
    if not data.strip():
        raise EcogisError("the file is empty", path=path, hint="Copy the file again from its source")
    text, used, source = _decode(data, path, encoding, notes)
    parsed = _parse(text, path)
    _vertex_arrays(parsed, path)
    x, y = parsed.v_x, parsed.v_y  # x = X = northing (surveying order)
    crs_obj, swap, crs_source = _settle_crs(parsed, path, x, y, crs, cm, notes)
    easting, northing = (x, y) if swap else (y, x)
    _check_positions(parsed, easting, northing, crs_obj, path)
    geoms = _build_geometries(parsed, easting, northing, path)
    _note_invalid_parcels(parsed, geoms, path, notes)
    gdf = gpd.GeoDataFrame(
        {
            "parcel_no": [p.parcel_no for p in parsed.parcels],
            "name": [p.name for p in parsed.parcels],
            "record_type": [p.record_type for p in parsed.parcels],
            "sheet": [p.sheet for p in parsed.parcels],
            "use": [p.use for p in parsed.parcels],
            "declared_area": np.array([p.area for p in parsed.parcels], dtype=float),
        },
        geometry=geoms, crs=crs_obj,
    )
    _check_declared_areas(gdf, path, notes)
    gdf.attrs["ecogis"] = {
        "path": str(path), "layer": None, "kind": None, "crs": crs_label(crs_obj), "crs_source": crs_source,
        "encoding": used, "encoding_source": source, "swap_xy": bool(swap), "header": dict(parsed.header),
        "declared_area_unit": AREA_UNIT, "notes": notes,
    }
    return gdf


def _decode(data: bytes, path: Path, encoding, notes):
    """(text, encoding label, source) by the rules of :func:`ecogis.io.text.decode_text`; control characters
    are an error."""
    if encoding:
        try:
            text, used, source = data.decode(encoding), encoding, "user"
        except (UnicodeDecodeError, LookupError) as exc:
            raise EcogisError(f"cannot decode the text as {encoding} ({exc})", path=path,
                              hint="Leave out encoding= to let ecogis detect UTF-8 or GB18030") from exc
    else:
        text, used, source = decode_text(data, path, notes)
        if used == "UTF-8-SIG":
            used = "UTF-8"
        elif used == "GB18030":
            say("exchange_gbk", notes, path=path)
    text = check_control_characters(text, path)
    return text, used, source


def _err(path, line, message, hint=None):
    return EcogisError(f"line {line}: {message}", path=path, hint=hint)


def _parse(text: str, path: Path) -> _Parsed:
    parsed = _Parsed()
    section = None
    seen_coords = False
    current: _Parcel | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        match = _SECTION_RE.match(line)
        if match:
            section = match.group(1)
            if section == HEADER_SECTION:
                parsed.has_header = True
            elif section == COORD_SECTION:
                seen_coords = True
            else:
                raise _err(path, number, f"unknown section [{section}]",
                           hint=f"An exchange file has the sections [{HEADER_SECTION}] and [{COORD_SECTION}]")
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
                current = _parse_parcel_line(fields, number, path)
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
        else:
            raise _err(path, number, f"text outside any section: {line[:40]!r}",
                       hint=f"Is this a coordinate exchange file? It needs a [{COORD_SECTION}] section")
    if not seen_coords:
        raise EcogisError(f"not a coordinate exchange file: no [{COORD_SECTION}] section", path=path,
                          hint=f"Put the parcels after a line [{COORD_SECTION}]")
    if current is not None:
        _close_parcel(current, parsed, path)
    if not parsed.parcels:
        raise EcogisError(f"the [{COORD_SECTION}] section holds no parcels", path=path,
                          hint="Each parcel starts with a line ending in ',@'")
    return parsed


def _no_commas(line, number, path):
    found = "full-width commas (，)" if "，" in line else "tabs" if "\t" in line else "spaces" if " " in line else None
    raise _err(path, number, f"the fields are separated by {found}, not ASCII commas" if found else
               f"no comma in {line[:40]!r}",
               hint="Separate the fields with ASCII commas (,), e.g. J1,1,4534567.123,41512345.678")


def _parse_header_line(line, number, parsed, path):
    for sep in ("=", "＝", ":", "："):
        if sep in line:
            key, value = (part.strip() for part in line.split(sep, 1))
            if parsed.header.get(key, value) != value:
                raise _err(path, number, f"{key} is given twice: {parsed.header[key]!r} on line "
                                         f"{parsed.header_lines[key]} and {value!r} here", hint="Keep one of them")
            parsed.header[key] = value
            parsed.header_lines[key] = number
            return
    raise _err(path, number, f"header line without '=': {line[:40]!r}",
               hint="Header lines read key=value, e.g. 带号=41")


def _parse_parcel_line(fields, number, path) -> _Parcel:
    if len(fields) < 9:
        raise _err(path, number, f"parcel line has {len(fields)} fields, expected 9 "
                                 "(界址点数,地块面积,地块编号,地块名称,记录图形属性,图幅号,地块用途,,@)",
                   hint="Keep the commas of empty fields")
    count = _int_field(fields[0], number, path, "界址点数 (point count)", minimum=0)  # 0: no vertices, said below
    area = _float_field(fields[1], number, path, "地块面积 (area)", allow_empty=True)
    if area < 0:
        raise _err(path, number, f"地块面积 (area) {fields[1]!r} is negative",
                   hint="Write the area in 公顷, or leave it empty")
    record = fields[4] or "面"
    if record not in RECORD_TYPES:
        raise _err(path, number, f"记录图形属性 {record!r} is not one of 面, 线, 点",
                   hint="Write 面 for polygons, 线 for lines, 点 for points")
    return _Parcel(number, count, area, fields[2], fields[3], record, fields[5] or None, fields[6] or None)


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
    if len(fields) != 4:
        hint = "Vertex lines read e.g. J1,1,4534567.123,41512345.678"
        if "，" in ",".join(fields):
            hint = "Use ASCII commas (,) not full-width ones (，) between fields"
        raise _err(path, number, f"vertex line has {len(fields)} fields, expected 4 (点号,圈号,X,Y)", hint=hint)
    # kept as text here and converted in bulk by _vertex_arrays (fast path); bad values are found there
    parsed.v_ring.append(fields[1])
    parsed.v_x.append(fields[2])
    parsed.v_y.append(fields[3])
    parsed.v_line.append(number)


def _vertex_arrays(parsed: _Parsed, path):
    """Convert the vertex text columns to numbers in bulk; on failure name the first bad line."""
    columns = ((parsed.v_ring, int, _int_field, "圈号 (ring number)"),
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
    parsed.v_ring, parsed.v_x, parsed.v_y = out  # type: ignore[assignment]  # the text columns become arrays


def _close_parcel(parcel: _Parcel, parsed: _Parsed, path):
    if parcel.n_vertices == 0:
        raise _err(path, parcel.line, f"parcel {parcel.parcel_no!r} has no vertex lines (界址点数 {parcel.count})",
                   hint="Each parcel line is followed by its vertex lines 点号,圈号,X,Y")


@dataclass
class _Runs:
    """Consecutive vertex runs with the same parcel and ring number (one run = one ring or part)."""

    start: np.ndarray
    stop: np.ndarray
    parcel: np.ndarray
    ring: np.ndarray
    vertex_run: np.ndarray  # run index of every vertex


def _runs(parsed: _Parsed, path) -> _Runs:
    parcel_of = np.asarray(parsed.v_parcel)
    ring_no = np.asarray(parsed.v_ring)
    new_run = np.ones(len(ring_no), dtype=bool)
    new_run[1:] = (parcel_of[1:] != parcel_of[:-1]) | (ring_no[1:] != ring_no[:-1])
    start = np.flatnonzero(new_run)
    runs = _Runs(start, np.r_[start[1:], len(ring_no)], parcel_of[start], ring_no[start], np.cumsum(new_run) - 1)
    order = np.lexsort((runs.start, runs.ring, runs.parcel))
    again = (runs.parcel[order][1:] == runs.parcel[order][:-1]) & (runs.ring[order][1:] == runs.ring[order][:-1])
    if again.any():
        r = order[1:][again][np.argmin(runs.start[order[1:][again]])]
        raise _err(path, parsed.v_line[runs.start[r]],
                   f"ring {runs.ring[r]} of parcel {parsed.parcels[runs.parcel[r]].parcel_no!r} appears again "
                   "after another ring", hint="Keep the vertices of a ring together")
    return runs


def _check_point_counts(parsed: _Parsed, runs: _Runs, path):
    """界址点数 must equal the parcel's vertex lines (or, for 面, the lines minus the closing vertices)."""
    n = len(parsed.parcels)
    n_vertices = np.bincount(np.asarray(parsed.v_parcel), minlength=n)
    n_rings = np.bincount(runs.parcel, minlength=n)
    declared = np.array([p.count for p in parsed.parcels])
    polygon = np.array([p.record_type == "面" for p in parsed.parcels])
    ok = (declared == n_vertices) | (polygon & (declared == n_vertices - n_rings))
    if not ok.all():
        k = int(np.flatnonzero(~ok)[0])
        parcel = parsed.parcels[k]
        first, last = parsed.v_line[parcel.first_vertex], parsed.v_line[parcel.first_vertex + parcel.n_vertices - 1]
        raise _err(path, parcel.line, f"parcel {parcel.parcel_no!r} declares {parcel.count} points but "
                                      f"{n_vertices[k]} vertex lines follow (lines {first}-{last})",
                   hint="Fix 界址点数 or add the missing vertex lines")


def _compact(ids: np.ndarray) -> np.ndarray:
    """Renumber sorted group ids 0, 1, 2, ... (shapely's ``indices`` must have no gaps)."""
    return np.unique(ids, return_inverse=True)[1]


def _build_geometries(parsed: _Parsed, easting, northing, path) -> np.ndarray:
    """One geometry per parcel, vectorised over rings with shapely (a Python loop only over parcels with
    several polygon rings, to sort holes from parts)."""
    runs = _runs(parsed, path)
    _check_point_counts(parsed, runs, path)
    coords = np.column_stack([easting, northing])
    record = np.array([p.record_type for p in parsed.parcels])
    run_record = record[runs.parcel]
    geoms = np.empty(len(parsed.parcels), dtype=object)
    if (run_record == "面").any():
        _polygons(parsed, runs, run_record == "面", coords, geoms, path)
    if (run_record == "线").any():
        _lines(parsed, runs, run_record == "线", coords, geoms, path)
    if (record == "点").any():
        vertex = (record == "点")[np.asarray(parsed.v_parcel)]
        parcel = np.asarray(parsed.v_parcel)[vertex]
        multi = shapely.multipoints(shapely.points(coords[vertex]), indices=_compact(parcel))
        _store(geoms, np.unique(parcel), multi)
    return geoms


def _store(geoms, parcels, multi):
    """Put multi-part geometries into ``geoms``; single parts are unwrapped (Point, LineString)."""
    single = shapely.get_num_geometries(multi) == 1
    multi = multi.copy()
    multi[single] = shapely.get_geometry(multi[single], 0)
    geoms[parcels] = multi


def _lines(parsed, runs, sel, coords, geoms, path):
    short = sel & (runs.stop - runs.start < 2)
    if short.any():
        r = int(np.flatnonzero(short)[0])
        raise _err(path, parsed.v_line[runs.start[r]], f"line part {runs.ring[r]} of parcel "
                   f"{parsed.parcels[runs.parcel[r]].parcel_no!r} has one vertex",
                   hint="A line needs at least two vertices")
    vertex = sel[runs.vertex_run]
    lines = shapely.linestrings(coords[vertex], indices=_compact(runs.vertex_run[vertex]))
    multi = shapely.multilinestrings(lines, indices=_compact(runs.parcel[sel]))
    _store(geoms, np.unique(runs.parcel[sel]), multi)


def _polygons(parsed, runs, sel, coords, geoms, path):
    idx = np.flatnonzero(sel)
    length = runs.stop[idx] - runs.start[idx]
    first, last = coords[runs.start[idx]], coords[runs.stop[idx] - 1]
    short = length < 4
    unclosed = ~short & (np.abs(first - last) > 1e-6).any(axis=1)
    if short.any() or unclosed.any():
        _ring_error(parsed, runs, idx[np.flatnonzero(short | unclosed)[0]], coords, path)
    vertex = sel[runs.vertex_run]
    rings = shapely.linearrings(coords[vertex], indices=_compact(runs.vertex_run[vertex]))
    polys = shapely.polygons(rings)
    # a bow-tie's two loops cancel in the signed area: only a ring that encloses nothing once repaired is flat
    flat = shapely.area(polys) == 0
    flat[flat] = shapely.area(shapely.make_valid(polys[flat])) == 0
    if flat.any():
        _ring_error(parsed, runs, idx[np.flatnonzero(flat)[0]], coords, path)
    parcel = runs.parcel[idx]
    counts = np.bincount(parcel, minlength=len(geoms))
    single = counts[parcel] == 1
    geoms[parcel[single]] = polys[single]
    for k in np.flatnonzero(counts > 1):
        geoms[k] = _assemble_polygon(polys[parcel == k])


def _ring_error(parsed, runs, r, coords, path):
    """Raise for ring (run) ``r``, which is not closed, too short or encloses no area."""
    name = parsed.parcels[runs.parcel[r]].parcel_no
    first_line, last_line = parsed.v_line[runs.start[r]], parsed.v_line[runs.stop[r] - 1]
    ring = coords[runs.start[r]:runs.stop[r]]
    if (np.abs(ring[0] - ring[-1]) > 1e-6).any():
        raise _err(path, last_line, f"ring {runs.ring[r]} of parcel {name!r} is not closed: its last vertex "
                                    f"(line {last_line}) differs from its first (line {first_line})",
                   hint="Repeat the first vertex of each ring at its end")
    corners = len(np.unique(ring, axis=0))
    shape = "has fewer than 3 distinct vertices" if corners < 3 else "has all its vertices on one line"
    raise _err(path, first_line, f"ring {runs.ring[r]} of parcel {name!r} {shape} (zero area)",
               hint="A polygon ring needs 3 or more corners, not all in a line, plus the closing vertex")


def _note_invalid_parcels(parsed: _Parsed, geoms, path, notes):
    """Warn, naming parcel and line, about polygons that are not valid (a bow-tie, rings that cross).

    They are kept as written, as every reader does; the commands that compute with them repair them in
    memory (shapely.make_valid) and ``ecogis validate`` reports them."""
    invalid = np.isin(shapely.get_type_id(geoms), (3, 6))
    invalid[invalid] = ~shapely.is_valid(geoms[invalid])
    for k in np.flatnonzero(invalid):
        parcel = parsed.parcels[k]
        say("exchange_invalid_parcel", notes, path=path, line=parcel.line, parcel=repr(parcel.parcel_no),
            reason=shapely.is_valid_reason(geoms[k]))


def _assemble_polygon(polys: np.ndarray):
    """Polygon or MultiPolygon from one parcel's ring polygons: a ring inside an odd number of the other
    rings is a hole of the innermost shell containing it; the others are shells (parts). Containment is
    tested on the repaired rings, so that a hole inside one loop of a bow-tie shell stays a hole."""
    repaired = shapely.make_valid(polys)
    container, contained = shapely.STRtree(repaired).query(repaired, predicate="contains")
    keep = container != contained
    container, contained = container[keep], contained[keep]
    depth = np.bincount(contained, minlength=len(polys))
    shells = np.flatnonzero(depth % 2 == 0)
    holes: dict[int, list[int]] = {int(i): [] for i in shells}
    for i in np.flatnonzero(depth % 2 == 1):
        parents = container[(contained == i) & (depth[container] % 2 == 0)]
        holes[int(parents[np.argmax(depth[parents])])].append(polys[i].exterior)
    parts = [shapely.Polygon(polys[i].exterior, holes[int(i)]) for i in shells]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


# ------------------------------------------------------------------------------------------ CRS

def _header_datum(value: str | None):
    if not value:
        return None
    v = value.lower()
    if "2000" in v or "cgcs" in v:
        return "CGCS2000"
    if "西安" in v or "xian" in v or "80" in v:
        return "Xian1980"
    if "北京" in v or "beijing" in v or "54" in v:
        return "Beijing1954"
    if "wgs" in v:
        return "WGS84"
    return None


def _header_int(parsed, key, path):
    value = parsed.header.get(key, "")
    if value == "":
        return None
    match = re.fullmatch(r"\s*(\d+)(?:\.0*)?\s*(?:度|°|带)?\s*", value)  # 3, 3.0, 3度, 41带
    if not match:
        raise _err(path, parsed.header_lines[key], f"{key} {value!r} is not a whole number",
                   hint="Write e.g. 几度分带=3 and 带号=41")
    return int(match.group(1))


def _settle_crs(parsed, path, x, y, crs, cm, notes):
    """Return (CRS, swap, crs_source). ``x``/``y`` are the file's X/Y columns (X expected northing)."""
    unit = parsed.header.get("计量单位", "")
    if unit and unit not in ("米", "m", "M", "metre", "meter", "度", "degree"):
        raise _err(path, parsed.header_lines["计量单位"], f"计量单位 {unit!r} is not supported",
                   hint="ecogis reads coordinates in metres (米) or degrees (度)")
    if crs is not None:
        return _user_crs(parsed, path, x, y, crs, notes)

    datum = _header_datum(parsed.header.get("坐标系"))
    if parsed.header.get("坐标系") and datum is None:
        say("exchange_datum_unknown", notes, path=path, name=repr(parsed.header["坐标系"]))
    width = _header_int(parsed, "几度分带", path)
    zone = _header_int(parsed, "带号", path)
    if width not in (None, 3, 6):
        raise _err(path, parsed.header_lines["几度分带"], f"几度分带 {width} is not 3 or 6")
    if zone is not None and zone_width(zone) not in ((width,) if width else (3, 6)):
        raise _err(path, parsed.header_lines["带号"], f"带号 {zone} is not a {f'{width}-degree ' if width else ''}"
                                                     "Gauss-Kruger zone in China",
                   hint="3-degree zones are numbered 25-45 (几度分带=3), 6-degree zones 13-23 (几度分带=6)")
    if zone is not None and width is None:
        width = zone_width(zone)
        say("exchange_width_missing", notes, path=path, zone=zone, width=width)
    header_cm = zone_cm(zone, width) if zone is not None and width else None
    if cm is not None and header_cm is not None and abs(float(cm) - header_cm) > 1e-9:
        raise EcogisError(f"central meridian {cm} given, but the header's 带号 {zone} means {header_cm:g} E",
                          path=path, hint="Leave out cm= or fix 带号")
    try:
        guess = infer_crs(y, x, cm=header_cm if header_cm is not None else cm, width=width or 3,
                          datum=datum or "CGCS2000")
    except EcogisError as exc:
        raise EcogisError(exc.reason + _far_vertex(parsed, x, y), path=path, hint=exc.hint) from exc
    if zone is not None and guess.zone is not None and guess.prefixed and guess.zone != zone:
        raise EcogisError(f"the header says 带号={zone} but the Y coordinates carry the zone prefix {guess.zone}",
                          path=path, hint="Fix 带号 in the header or the coordinates")
    if guess.swap_xy:
        say("exchange_gis_order", notes, path=path)
    complete = datum is not None and datum != "WGS84" and (zone is not None or guess.zone is None)
    if complete and guess.zone is not None:
        return guess.crs, guess.swap_xy, "file"
    if complete and guess.zone is None:  # degrees with a datum in the header
        return pyproj.CRS.from_epsg(GEOGRAPHIC[datum]), guess.swap_xy, "file"
    what = note("exchange_no_header") if not parsed.has_header else note("exchange_header_incomplete")
    say("exchange_inferred", notes, path=path, what=what, crs=describe_crs(guess.crs), reason=guess.reason)
    return guess.crs, guess.swap_xy, "inferred"


def _far_vertex(parsed: _Parsed, x, y, far_m: float = 1_000_000.0) -> str:
    """Text naming the first vertex line more than ``far_m`` metres from the median vertex (a typo or a
    0,0 placeholder that spoils the CRS inference), or "" when there is none or every vertex is far."""
    far = np.hypot(x - np.median(x), y - np.median(y)) > far_m
    if not far.any() or far.all():
        return ""
    i = int(np.flatnonzero(far)[0])
    return (f"; line {parsed.v_line[i]} (X {x[i]:.12g}, Y {y[i]:.12g}) lies more than {far_m / 1000:.0f} km from "
            "the median vertex")


def _check_positions(parsed: _Parsed, easting, northing, crs, path):
    """Raise naming the first vertex line that is no position in ``crs`` (e.g. X = 1e300 under a CRS given
    by the user): see :func:`ecogis.crs.positions_ok`."""
    ok = positions_ok(easting, northing, crs)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise _err(path, parsed.v_line[i], f"easting {easting[i]:.12g}, northing {northing[i]:.12g} is not a position "
                                           f"in {crs_label(crs)}", hint="Fix the vertex, or give the right CRS")


def _user_crs(parsed, path, x, y, crs, notes):
    user = resolve_crs(crs)
    if isinstance(user, str):
        raise EcogisError(f"{user} is a web-map longitude/latitude system; exchange files hold surveyed "
                          "coordinates", path=path, hint="Pass the Gauss-Kruger CRS, e.g. EPSG:4529")
    entry = gk_zone_of(user)
    try:
        guess = infer_crs(y, x, cm=entry.cm if entry and not entry.prefixed else None)
    except EcogisError:
        guess = None  # cannot tell: keep the format's order (X = northing)
    swap = bool(guess and guess.swap_xy)
    if guess is not None and guess.crs.is_geographic != user.is_geographic:
        kind = "degrees" if guess.crs.is_geographic else "metres"
        raise EcogisError(f"the coordinates are in {kind} but the CRS given, {crs_label(user)}, is "
                          f"{'geographic' if user.is_geographic else 'projected'}", path=path,
                          hint=f"Leave out crs= or pass a CRS like {guess.label}")
    guessed = gk_zone_of(guess.crs) if guess is not None else None
    if entry and guessed and (entry.prefixed != guessed.prefixed or (entry.prefixed and entry.zone != guessed.zone)):
        say("exchange_crs_overridden", notes, path=path, guess=describe_crs(guess.crs), given=describe_crs(user))
    if swap:
        say("exchange_swapped", notes, path=path)
    return user, swap, "user"


def _check_declared_areas(gdf, path, notes):
    """Warn where 地块面积 (hectares) disagrees with the ellipsoidal area by more than 1 %."""
    polygonal = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    declared = gdf["declared_area"].to_numpy()
    check = polygonal & np.isfinite(declared)
    if not check.any():
        return
    computed = np.full(len(gdf), np.nan)
    computed[check] = ellipsoidal_area(gdf.geometry.values[check], gdf.crs) / 10_000.0
    for i in np.flatnonzero(check):
        ratio = declared[i] / computed[i] if computed[i] > 0 else np.inf
        if abs(ratio - 1.0) <= AREA_TOLERANCE:
            continue
        unit_hint = ""
        for factor, unit in ((10_000.0, "m²"), (15.0, "亩")):
            if abs(ratio / factor - 1.0) <= AREA_TOLERANCE:
                unit_hint = note("exchange_area_unit", unit=unit)
        say("exchange_area", notes, path=path, parcel=repr(gdf["parcel_no"].iat[i]), declared=f"{declared[i]:g}",
            computed=f"{computed[i]:.4f}", unit_hint=unit_hint)


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------

def write_exchange(gdf, path, *, overwrite=False, zone=None, width=3, datum=None, producer="",
                   date=None, accuracy="", version="1.01", encoding="gb18030", decimals=3,
                   columns=None, inputs=()) -> Path:
    """Write ``gdf`` as a coordinate exchange text, atomically; refuse to overwrite unless ``overwrite``.

    Coordinates are written in the prefixed Gauss-Kruger zone ``zone`` (default: the zone of a
    Gauss-Kruger input CRS, else the 3-degree zone of the data's middle longitude), X = northing and
    Y = easting with the zone prefix, ``decimals`` decimals (3 = millimetres). ``datum`` must match the
    data (CGCS2000 for EPSG:4490/4326 data; Xian 1980 or Beijing 1954 only for data already on those
    datums: ecogis does not guess datum transformations).

    Per feature: polygons are 面 (each part's outer ring and then its holes numbered 1, 2, ...; closing
    vertex repeated), lines 线 (one ring number per part), points 点. 点号 run J1, J2, ... through the
    parcel, the closing vertex repeating its ring's first name; 界址点数 counts the vertex lines.
    地块面积 is written in 公顷 with 4 decimals: the ``declared_area`` column where present and not
    empty, else the ellipsoidal area (CGCS2000 ellipsoid, ecogis.area.ellipsoidal_area); empty for
    lines and points. ``columns`` maps format fields (parcel_no, name, sheet, use, declared_area) to
    column names; defaults are those names, else common Chinese ones (名称, 编号, 用途...). Header:
    格式版本号 ``version``, 数据产生单位 ``producer``,
    数据产生日期 ``date`` (default today), 精度 ``accuracy``.
    """
    notes: list[str] = []
    if gdf.crs is None:
        raise EcogisError("the layer has no CRS; cannot write Gauss-Kruger coordinates", path=path,
                          hint="Set the CRS first (read it with crs=)")
    if len(gdf) == 0:
        raise EcogisError("the layer has no features to write", path=path)
    if width not in (3, 6):
        raise EcogisError(f"zone width {width!r} is not 3 or 6", path=path)
    target = exchange_crs(gdf, zone=zone, width=width, datum=datum, path=path)
    zone_entry = gk_zone_of(target)
    assert zone_entry is not None, "exchange_crs returns a catalogued Gauss-Kruger CRS"
    datum, zone = zone_entry.datum, zone_entry.zone
    geoms = _check_writable(gdf.geometry.values, path)
    projected = gdf.geometry.to_crs(target).values
    cols = _output_columns(gdf, columns)
    areas = _output_areas(gdf, geoms, cols["declared_area"])
    texts = {key: _text_column(gdf, cols[key], key, path, notes) for key in ("parcel_no", "name", "sheet", "use")}
    texts["parcel_no"] = [v or str(i + 1) for i, v in enumerate(texts["parcel_no"])]
    lines = _header_lines(datum, width, zone, version, producer, date, accuracy)
    lines.extend(_parcel_lines(projected, texts, areas, decimals))
    text = "\r\n".join(lines) + "\r\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise EcogisError(f"text cannot be encoded as {encoding} ({exc})", path=path,
                          hint="Use encoding='utf-8' or remove the characters") from exc
    src = (gdf.attrs.get("ecogis") or {}).get("path")
    with atomic_path(path, overwrite=overwrite, inputs=tuple(inputs) + ((src,) if src else ())) as tmp:
        tmp.write_bytes(data)
    return Path(path)


#: columns used for a format field when the layer has no column named like the field
_COLUMN_FALLBACKS = {"parcel_no": ("地块编号", "编号", "id", "BH"), "name": ("地块名称", "名称", "MC", "NAME", "Name"),
                     "use": ("地块用途", "用途", "YT")}


def _output_columns(gdf, columns) -> dict:
    """Format field -> column: ``columns`` first, then a column named like the field, then common names."""
    cols = {}
    for key in ("parcel_no", "name", "sheet", "use", "declared_area"):
        fallbacks = [c for c in _COLUMN_FALLBACKS.get(key, ()) if c in gdf.columns]
        cols[key] = key if key in gdf.columns or not fallbacks else fallbacks[0]
    cols.update(columns or {})
    return cols


def exchange_crs(gdf, *, zone=None, width=3, datum=None, path=None) -> pyproj.CRS:
    """The prefixed Gauss-Kruger CRS :func:`write_exchange` writes ``gdf`` in (same arguments).

    The zone of a Gauss-Kruger input CRS of that width, else the zone of the data's middle longitude
    (warned); the datum of the data (CGCS2000 for WGS 84 data, warned). ``gdf`` must have a CRS.
    """
    datum = _output_datum(gdf.crs, datum, path, None)
    zone = _output_zone(gdf, zone, width, path, None)
    return pyproj.CRS.from_epsg(gk_epsg(zone, width, datum, prefixed=True))


def _output_datum(crs, datum, path, notes):
    entry = gk_zone_of(crs)
    if entry is not None:
        source = entry.datum
    else:
        code = crs.geodetic_crs.to_epsg() if crs.geodetic_crs else None
        source = {4610: "Xian1980", 4214: "Beijing1954"}.get(code, "CGCS2000")
        if code not in (GEOGRAPHIC_EPSG, 4610, 4214):
            say("exchange_wgs84_as_cgcs2000", notes, path=path, crs=crs_label(crs))
    if datum is None:
        return source
    from ecogis.crs import normalise_datum

    wanted = normalise_datum(datum)
    if wanted != source:
        raise EcogisError(f"the data is on {source} but datum={wanted} was asked for", path=path,
                          hint="ecogis does not guess datum transformations: transform the data with "
                               "official parameters first")
    return wanted


def _output_zone(gdf, zone, width, path, notes):
    entry = gk_zone_of(gdf.crs)
    geo = gdf.geometry.to_crs(GEOGRAPHIC_CRS) if not gdf.crs.equals(GEOGRAPHIC_CRS) else gdf.geometry
    xmin, _, xmax, _ = geo.total_bounds
    if zone is None:
        if entry is not None and entry.width == width:
            zone = entry.zone
        else:
            mid = (xmin + xmax) / 2.0
            zone = gk_zone_for_lon(mid, width)
            say("exchange_zone_chosen", notes, path=path, width=width, zone=zone, cm=f"{zone_cm(zone, width):g}")
    cm = zone_cm(zone, width)
    far = max(abs(xmin - cm), abs(xmax - cm))
    if far > width / 2.0 + 0.5:
        say("exchange_far_from_cm", notes, path=path, far=f"{far:.2f}", cm=f"{cm:g}", zone=zone)
    return zone


def _output_areas(gdf, geoms, column):
    areas = np.full(len(gdf), np.nan)
    if column in gdf.columns:
        areas = np.array(gdf[column], dtype=float)
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    missing = polygonal & ~np.isfinite(areas)
    if missing.any():
        areas[missing] = ellipsoidal_area(geoms[missing], gdf.crs) / 10_000.0
    areas[~polygonal] = np.nan
    return areas


def _header_lines(datum, width, zone, version, producer, date, accuracy):
    date = date or _dt.date.today().isoformat()
    values = {"格式版本号": version, "数据产生单位": producer, "数据产生日期": date, "坐标系": DATUM_ZH[datum],
              "几度分带": width, "投影类型": "高斯克吕格", "计量单位": "米", "带号": zone, "精度": accuracy,
              "转换参数": ",,,,,,"}
    return [f"[{HEADER_SECTION}]"] + [f"{key}={values[key]}" for key in HEADER_KEYS] + [f"[{COORD_SECTION}]"]


def _check_writable(geoms, path):
    geoms = np.asarray(geoms, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise EcogisError("empty geometry cannot be written", path=path, feature=int(np.flatnonzero(empty)[0]),
                          hint="Drop empty features first (ecogis validate --fix)")
    bad = ~np.isin(shapely.get_type_id(geoms), (0, 1, 3, 4, 5, 6))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise EcogisError(f"{geoms[i].geom_type} cannot be written to an exchange file", path=path, feature=i,
                          hint="Explode geometry collections into polygons, lines or points")
    return geoms


def _text_column(gdf, column, field_name, path, notes) -> list[str]:
    """Column values as single-line text without commas ("" for missing values or a missing column)."""
    if column not in gdf.columns:
        return [""] * len(gdf)
    out, with_commas = [], []
    for i, value in enumerate(gdf[column].tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            out.append("")
            continue
        text = str(value).replace("\r", " ").replace("\n", " ").strip()
        if "," in text:
            with_commas.append(i)
            text = text.replace(",", "，")
        out.append(text)
    if with_commas:
        say("exchange_commas", notes, severity="repair", path=path, field=repr(field_name), count=len(with_commas),
            first=with_commas[0])
    return out


def _vertex_table(geoms):
    """Every vertex to write, vectorised: coordinates, feature index, ring number within the feature
    (1, 2, ...: each polygon part's shell then its holes), point number J (closing vertices repeat their
    ring's first number) and the record type per feature."""
    type_id = shapely.get_type_id(geoms)
    record = np.where(np.isin(type_id, (3, 6)), "面", np.where(np.isin(type_id, (1, 5)), "线", "点"))
    parts, part_feature = shapely.get_parts(geoms, return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[is_poly], return_index=True)
    ring_geoms = np.concatenate([rings, parts[~is_poly]])
    ring_feature = np.concatenate([part_feature[is_poly][ring_part], part_feature[~is_poly]])
    ring_closed = np.concatenate([np.ones(len(rings), bool), np.zeros((~is_poly).sum(), bool)])
    order = np.argsort(ring_feature, kind="stable")  # feature order; parts and rings keep their order
    ring_geoms, ring_feature, ring_closed = ring_geoms[order], ring_feature[order], ring_closed[order]
    ring_no = np.arange(len(ring_geoms)) - np.searchsorted(ring_feature, ring_feature) + 1
    coords, vertex_ring = shapely.get_coordinates(ring_geoms, return_index=True)
    vertex_feature = ring_feature[vertex_ring]
    last_of_ring = np.r_[vertex_ring[1:] != vertex_ring[:-1], True]
    closing = last_of_ring & ring_closed[vertex_ring]
    counted = np.cumsum(~closing)
    feature_start = np.searchsorted(vertex_feature, vertex_feature)
    number = counted - counted[feature_start] + 1
    first_of_ring = np.searchsorted(vertex_ring, vertex_ring)
    number[closing] = number[first_of_ring[closing]]
    return coords, vertex_feature, ring_no[vertex_ring], number, record


def _parcel_lines(geoms, texts, areas, decimals) -> list[str]:
    coords, feature, ring, number, record = _vertex_table(geoms)
    vertex_text = [f"J{j},{r},{n:.{decimals}f},{e:.{decimals}f}"
                   for j, r, e, n in zip(number.tolist(), ring.tolist(), coords[:, 0].tolist(), coords[:, 1].tolist())]
    bounds = np.searchsorted(feature, np.arange(len(geoms) + 1))
    lines = []
    for i in range(len(geoms)):
        area_text = f"{areas[i]:.4f}" if np.isfinite(areas[i]) else ""
        lines.append(f"{bounds[i + 1] - bounds[i]},{area_text},{texts['parcel_no'][i]},{texts['name'][i]},"
                     f"{record[i]},{texts['sheet'][i]},{texts['use'][i]},,@")
        lines.extend(vertex_text[bounds[i]:bounds[i + 1]])
    return lines
