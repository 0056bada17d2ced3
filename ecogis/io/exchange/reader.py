"""read_exchange: an exchange text into a GeoDataFrame of parcels in its Gauss-Kruger CRS."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from ecogis.crs import crs_label
from ecogis.error_messages import error
from ecogis.io.exchange.areas import _check_declared_areas
from ecogis.io.exchange.geometry import _build_geometries, _note_invalid_parcels
from ecogis.io.exchange.parse import AREA_UNIT, _parse, _vertex_arrays
from ecogis.io.exchange.zones import _check_positions, _settle_crs
from ecogis.io.text import decode_survey_text


def read_exchange(path, crs=None, encoding=None, *, cm=None, strict=False) -> gpd.GeoDataFrame:
    """Read a land-survey coordinate exchange text into a GeoDataFrame.

    Parameters
    ----------
    path : the .txt file.
    crs : optional CRS of the coordinates (anything :func:`ecogis.crs.resolve_crs` takes); wins over the
        header. Otherwise the CRS comes from the header (坐标系, 几度分带, 带号) and, where that is
        incomplete, is inferred from the coordinates (zone prefix on Y), with a warning.
    encoding : optional text encoding; default strict UTF-8, else GB18030 (reported).
    cm : central meridian (degrees E) for 6-digit eastings without zone prefix when the header has no 带号.
    strict : read only the 部标 layout: any other dialect (:mod:`ecogis.io.exchange.dialects`) is an
        EcogisError naming it. Otherwise every dialect is read, with a note naming it.

    Returns
    -------
    GeoDataFrame in the file's Gauss-Kruger CRS (x = easting, y = northing, as GIS expects), one row per
    parcel, columns ``parcel_no``, ``name``, ``record_type`` (面/线/点), ``sheet``, ``use``,
    ``declared_area`` (the file's 地块面积, hectares, NaN when empty, 0 or not a number), plus the
    dialect's own columns (``region_code``, ``region_name`` of 11-field parcel lines). ``attrs["ecogis"]``
    holds path, crs, crs_source (user|file|inferred), encoding, encoding_source, swap_xy, header,
    sections (extra sections such as [项目信息]: name -> {key: value}) and notes.
    """
    path = Path(path)
    notes: list[str] = []
    if not path.exists():
        raise error("exchange.not_found", path=path, hint="exchange.check_path")
    data = path.read_bytes()
    if not data.strip():
        raise error("exchange.empty", path=path, hint="exchange.copy_again")
    text, used, source = decode_survey_text(data, path, encoding, notes)
    parsed = _parse(text, path, strict)
    _vertex_arrays(parsed, path)
    x, y = parsed.v_x, parsed.v_y  # x = X = northing (surveying order)
    crs_obj, swap, crs_source = _settle_crs(parsed, path, x, y, crs, cm, notes)
    easting, northing = (x, y) if swap else (y, x)
    _check_positions(parsed, easting, northing, crs_obj, path)
    geoms = _build_geometries(parsed, easting, northing, path)
    parsed.deviations.note(notes)
    _note_invalid_parcels(parsed, geoms, path, notes)
    columns = {
        "parcel_no": [p.parcel_no for p in parsed.parcels],
        "name": [p.name for p in parsed.parcels],
        "record_type": [p.record_type for p in parsed.parcels],
        "sheet": [p.sheet for p in parsed.parcels],
        "use": [p.use for p in parsed.parcels],
        "declared_area": np.array([p.area for p in parsed.parcels], dtype=float),
    }
    for extra in dict.fromkeys(k for p in parsed.parcels for k in p.extra):
        columns[extra] = [p.extra.get(extra) for p in parsed.parcels]
    gdf = gpd.GeoDataFrame(columns, geometry=geoms, crs=crs_obj)
    _check_declared_areas(gdf, path, notes, [p.area_decimals for p in parsed.parcels])
    gdf.attrs["ecogis"] = {
        "path": str(path), "layer": None, "kind": None, "crs": crs_label(crs_obj), "crs_source": crs_source,
        "encoding": used, "encoding_source": source, "swap_xy": bool(swap), "header": dict(parsed.header),
        "sections": parsed.sections,
        "declared_area_unit": AREA_UNIT, "notes": notes,
    }
    return gdf
