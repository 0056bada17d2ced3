"""write_exchange: a layer as an exchange text in a prefixed Gauss-Kruger zone."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pyproj
import shapely

from ecogis.area import ellipsoidal_area
from ecogis.crs import DATUM_ZH, crs_label, gk_epsg, gk_zone_of, zone_cm
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_CRS, GEOGRAPHIC_EPSG, gk_zone_for_lon
from ecogis.io.exchange.dialects import DIALECTS, PROVINCIAL, STANDARD
from ecogis.io.exchange.parse import COORD_SECTION, HEADER_KEYS, HEADER_SECTION
from ecogis.messages import say
from ecogis.outputs import atomic_path


def write_exchange(gdf, path, *, overwrite=False, zone=None, width=3, datum=None, producer="",
                   date=None, accuracy="", version="1.01", encoding="gb18030", decimals=3,
                   columns=None, inputs=(), dialect=STANDARD) -> Path:
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
    数据产生日期 ``date`` (default today), 精度 ``accuracy``. ``dialect``: 部标 (vertex lines 点号,圈号,X,Y) or
    省标 (vertex lines 序号,圈号,部件号,点号,X,Y: 序号 counts through the parcel, 部件号 numbers its parts and
    圈号 the rings of each part, 1 = outer ring).
    """
    if dialect not in DIALECTS:
        raise error("exchange.unknown_dialect", dialect=dialect, dialects=", ".join(DIALECTS), path=path,
                    hint="exchange.write_dialect")
    notes: list[str] = []
    if gdf.crs is None:
        raise error("exchange.no_crs", path=path, hint="exchange.set_crs")
    if len(gdf) == 0:
        raise error("exchange.no_features", path=path)
    if width not in (3, 6):
        raise error("crs.zone_width", width=width, path=path)
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
    lines.extend(_parcel_lines(projected, texts, areas, decimals, dialect))
    text = "\r\n".join(lines) + "\r\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise error("exchange.cannot_encode", encoding=encoding, reason=str(exc), path=path,
                    hint="exchange.use_utf8") from exc
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
        raise error("exchange.datum_mismatch", source=source, wanted=wanted, path=path,
                    hint="exchange.no_datum_guess")
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
        raise error("exchange.empty_geometry", path=path, feature=int(np.flatnonzero(empty)[0]),
                    hint="exchange.drop_empty")
    bad = ~np.isin(shapely.get_type_id(geoms), (0, 1, 3, 4, 5, 6))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise error("exchange.bad_type", type=geoms[i].geom_type, path=path, feature=i, hint="exchange.explode")
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
    ring's first number), part number within the feature and ring number within the part (for the 省标
    layout), and the record type per feature."""
    type_id = shapely.get_type_id(geoms)
    record = np.where(np.isin(type_id, (3, 6)), "面", np.where(np.isin(type_id, (1, 5)), "线", "点"))
    parts, part_feature = shapely.get_parts(geoms, return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[is_poly], return_index=True)
    ring_geoms = np.concatenate([rings, parts[~is_poly]])
    ring_feature = np.concatenate([part_feature[is_poly][ring_part], part_feature[~is_poly]])
    ring_closed = np.concatenate([np.ones(len(rings), bool), np.zeros((~is_poly).sum(), bool)])
    ring_part_index = np.concatenate([np.flatnonzero(is_poly)[ring_part], np.flatnonzero(~is_poly)])
    order = np.argsort(ring_feature, kind="stable")  # feature order; parts and rings keep their order
    ring_geoms, ring_feature, ring_closed = ring_geoms[order], ring_feature[order], ring_closed[order]
    ring_part_index = ring_part_index[order]
    ring_no = np.arange(len(ring_geoms)) - np.searchsorted(ring_feature, ring_feature) + 1
    part_no = ring_part_index - np.searchsorted(part_feature, ring_feature) + 1
    ring_in_part = np.arange(len(ring_geoms)) - np.searchsorted(ring_part_index, ring_part_index) + 1
    coords, vertex_ring = shapely.get_coordinates(ring_geoms, return_index=True)
    vertex_feature = ring_feature[vertex_ring]
    last_of_ring = np.r_[vertex_ring[1:] != vertex_ring[:-1], True]
    closing = last_of_ring & ring_closed[vertex_ring]
    counted = np.cumsum(~closing)
    feature_start = np.searchsorted(vertex_feature, vertex_feature)
    number = counted - counted[feature_start] + 1
    first_of_ring = np.searchsorted(vertex_ring, vertex_ring)
    number[closing] = number[first_of_ring[closing]]
    return (coords, vertex_feature, ring_no[vertex_ring], number, part_no[vertex_ring], ring_in_part[vertex_ring],
            record)


def _parcel_lines(geoms, texts, areas, decimals, dialect=STANDARD) -> list[str]:
    coords, feature, ring, number, part, ring_in_part, record = _vertex_table(geoms)
    bounds = np.searchsorted(feature, np.arange(len(geoms) + 1))
    east, north = coords[:, 0].tolist(), coords[:, 1].tolist()
    if dialect == PROVINCIAL:
        serial = np.arange(len(feature)) - bounds[feature] + 1
        vertex_text = [f"{s},{r},{p},J{j},{n:.{decimals}f},{e:.{decimals}f}" for s, r, p, j, e, n in
                       zip(serial.tolist(), ring_in_part.tolist(), part.tolist(), number.tolist(), east, north)]
    else:
        vertex_text = [f"J{j},{r},{n:.{decimals}f},{e:.{decimals}f}"
                       for j, r, e, n in zip(number.tolist(), ring.tolist(), east, north)]
    lines = []
    for i in range(len(geoms)):
        area_text = f"{areas[i]:.4f}" if np.isfinite(areas[i]) else ""
        lines.append(f"{bounds[i + 1] - bounds[i]},{area_text},{texts['parcel_no'][i]},{texts['name'][i]},"
                     f"{record[i]},{texts['sheet'][i]},{texts['use'][i]},,@")
        lines.extend(vertex_text[bounds[i]:bounds[i + 1]])
    return lines
