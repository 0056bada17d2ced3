"""Dispatch a path to the reader for its format, then settle its CRS and (optionally) its layer kind.

read -> normalise: :func:`read_layer_info` returns a GeoDataFrame in a known CRS and, beside it, a
:class:`~ecogis.layer_info.LayerInfo` recording where the data came from and every assumption made on
the way; :func:`read_layer` returns the frame alone (its ``attrs["ecogis"]`` is that info as a dict).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ecogis.crs import crs_label, describe_crs, gk_zone_of, identify_crs, infer_crs, resolve_crs
from ecogis.error_messages import Phrase, at_path, error
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.io.cass import COORDINATE_SUFFIXES, is_coordinate_text, read_coordinates
from ecogis.io.dxf import CAD_SUFFIXES, dwg_error, read_dxf
from ecogis.io.parquet import PARQUET_SUFFIXES, is_parquet_folder, read_geoparquet
from ecogis.io.postgis import PgSource, is_postgres_url, parse_source, read_postgis_source
from ecogis.io.table import TABLE_SUFFIXES, read_table
from ecogis.io.text import note_replacement_characters
from ecogis.io.vector import VECTOR_SUFFIXES, _feature_names, geojson_crs_member, read_vector
from ecogis.io.versions import gpkg_version
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.notes import Notes
from ecogis.transform import apply_transform
from ecogis.webmap import convert_web, is_ovi_export, settle_web_source

EXCHANGE_MARKERS = ("[属性描述]", "[地块坐标]")
#: side-car files of a shapefile that users sometimes pass instead of the .shp
SHAPEFILE_PARTS = {".dbf": "attribute table", ".shx": "index", ".prj": "CRS definition", ".cpg": "code page",
                   ".sbn": "spatial index", ".qix": "spatial index"}
SHAPEFILE_PARTS_ZH = {".dbf": "属性表", ".shx": "索引", ".prj": "坐标系定义", ".cpg": "代码页", ".sbn": "空间索引",
                      ".qix": "空间索引"}
# roles a user may give coordinate columns of a table in ``fields``; not passed on to normalise_layer
_COORD_ROLES = {"lon", "lat", "x", "y", "e", "n", "经度", "纬度", "longitude", "latitude"}


def read_layer(path, kind=None, layer=None, crs=None, encoding=None, fields=None, *,
               cm=None, angle="auto", strict=False, transform=None) -> gpd.GeoDataFrame:
    """Read a vector layer into a GeoDataFrame in a known CRS: :func:`read_layer_info` without the info
    (the frame's ``attrs["ecogis"]`` holds it as a dict)."""
    return read_layer_info(path, kind, layer, crs, encoding, fields, cm=cm, angle=angle, strict=strict,
                           transform=transform)[0]


def read_layer_info(path, kind=None, layer=None, crs=None, encoding=None, fields=None, *,
                    cm=None, angle="auto", strict=False, transform=None) -> tuple[gpd.GeoDataFrame, LayerInfo]:
    """Read a vector layer into a GeoDataFrame in a known CRS, and say how: ``(frame, LayerInfo)``.

    Parameters
    ----------
    path : str or Path
        Shapefile (also .zip), GeoPackage, GeoJSON, KML/KMZ, FileGDB (.gdb folder), CSV/XLSX point
        table, land-survey coordinate exchange text (``[属性描述]``/``[地块坐标]``, any suffix) or DXF
        drawing (a DWG is an error saying to save it as DXF), GeoParquet file or folder of parts, or a
        PostGIS table or query (``postgresql://user@host:port/db?table=schema.name``, see
        :mod:`ecogis.io.postgis`; the password from PGPASSWORD or a pgpass file).
    kind : str, optional
        Layer kind (``boundary``, ``redline``, ``reserve``, ``water_section``, ``outfall``, ``site``,
        ...): fields are mapped to canonical names and values normalised (see :mod:`ecogis.layers`).
    layer : str, optional
        Layer name inside a multi-layer source (GeoPackage, FileGDB, KML folders, XLSX sheet; the table
        of a PostGIS source; ``name@version`` or ``name`` for a layer published by ecogis publish). A
        source with one spatial layer needs none; with several, omitting it is an error listing them.
        For a DXF: the CAD layer(s) to read, separated by commas (default all).
    crs : optional
        Source CRS when the file has none or a wrong one (``EPSG:4529``, ``CGCS2000``, ``Xian1980``,
        ``GCJ-02``, ``BD-09``...). Web-map systems are converted to CGCS2000 (EPSG:4490) on load.
    encoding : str, optional
        Attribute text encoding; overrides .cpg and detection.
    fields : dict, optional
        User field mapping ``{source_field: canonical_field}``; wins over the built-in aliases. For
        tables it may also name the coordinate columns: ``{"东经": "lon", "北纬": "lat"}``.
    cm : float, optional
        Central meridian (degrees E) for Gauss-Kruger coordinates without a zone prefix.
    angle : str
        How table angles are written: ``auto`` (decimal numbers, DMS strings such as 121°45′30.5″),
        ``decimal``, ``dms`` or ``ddd.mmss`` (121.4530 = 121°45′30″; only when you say so).
    strict : bool
        Exchange texts: read only the 部标 layout; another dialect is an EcogisError naming it.
    transform : path, optional
        A parameter YAML of ``ecogis transform fit`` (4- or 7-parameter Helmert): the layer, read in its
        source CRS, is transformed by PROJ into its target CRS (noted).

    Returns
    -------
    The GeoDataFrame and its :class:`~ecogis.layer_info.LayerInfo` (path, format, layer, kind, CRS
    and ``crs_source`` ``file``/``inferred``/``user``, encoding and its source, notes); ``crs`` is
    ``EPSG:n`` (or the web-map name the data was converted from). Every guess is a note and is also
    emitted as an :class:`ecogis.errors.AssumptionWarning`. ``attrs["ecogis"]`` is the info as a dict.

    CRS rules: the user's ``crs`` wins, then the file's (a custom-named .prj is relabelled with the
    EPSG code it equals, see :func:`ecogis.crs.identify_crs`), else it is inferred from the values
    (:func:`ecogis.crs.infer_crs`, datum assumed CGCS2000). X/Y in surveying order are swapped.
    Coordinates that cannot be in the CRS (metres under longitude/latitude, another Gauss-Kruger
    zone) raise EcogisError naming the CRS they look like; so does a single feature whose values
    spoil the inference (a 0,0 placeholder, a lost zone prefix).
    """
    notes = Notes()
    if is_postgres_url(path) or isinstance(path, PgSource):
        path = path if isinstance(path, PgSource) else parse_source(path, table=layer)
        _check_central_meridian(cm, path)
        fmt = "postgis"
        gdf = _read_postgis(path, crs, cm, notes)
        return _finish(gdf, path, fmt, kind, fields, transform, notes)
    path = Path(path)
    if not path.exists():
        raise error("file.not_found", path=path, hint="file.check_path")
    _check_central_meridian(cm, path)
    fmt = detect_format(path)
    published = gpkg_version(path, layer) if fmt == "vector" else None
    if published is not None:
        layer = published["table_name"]
    if fmt == "exchange":
        gdf = _read_exchange(path, crs, encoding, cm, notes, strict)
    elif fmt == "table":
        gdf = _read_point_table(path, layer, crs, encoding, fields, cm, angle, notes)
    elif fmt == "cad":
        gdf = _read_cad(path, layer, crs, cm, notes)
    elif fmt == "coordinates":
        gdf = _read_coordinates(path, crs, encoding, cm, notes)
    elif fmt == "parquet":
        gdf = _read_parquet(path, layer, crs, cm, notes)
    else:
        gdf = _read_vector_file(path, layer, crs, encoding, cm, notes)
    if published is not None:
        gdf.attrs["ecogis"].update(version=published["version"], published=published)
    return _finish(gdf, path, fmt, kind, fields, transform, notes)


def _finish(gdf, path, fmt, kind, fields, transform, notes) -> tuple[gpd.GeoDataFrame, LayerInfo]:
    """The steps after reading, the same for every source: damaged text, a datum transformation, field
    mapping and normalisation for ``kind``, missing geometries; the frame and its LayerInfo."""
    meta = gdf.attrs["ecogis"]
    meta.update(path=str(path), format=fmt, kind=kind)
    note_replacement_characters(gdf, path, notes)
    if transform is not None:
        gdf = _transformed(gdf, transform, path, notes)
        meta = gdf.attrs["ecogis"]
    from ecogis.layers import normalise_layer, warn_missing_geometries

    if kind is not None:
        user_fields = {k: v for k, v in (fields or {}).items() if str(v).lower() not in _COORD_ROLES}
        gdf = normalise_layer(gdf, kind, user_fields or None, path, notes)
        normalised = gdf.attrs.get("ecogis", {})
        gdf.attrs["ecogis"] = {**meta, **normalised, "kind": normalised.get("kind", kind)}
    if kind != "site":  # a site refuses empty features, or leaves them out with its own note (--skip-empty)
        warn_missing_geometries(gdf, path, notes)
    info = LayerInfo.from_dict({**gdf.attrs["ecogis"], "notes": notes})
    return info.attach(gdf), info



def _transformed(gdf, params, path, notes):
    """``gdf`` moved by the fitted datum transformation in the parameter file ``params`` (PROJ pipeline)."""
    from ecogis.io.transform_files import read_params

    return apply_transform(gdf, read_params(params), notes, path=path, params_path=params)


#: central meridians (degrees E) of the Gauss-Kruger zones over China: 3-degree 75-135, 6-degree 75-135
CM_RANGE = (75.0, 135.0)


def _check_central_meridian(cm, path) -> None:
    """EcogisError unless ``cm`` (degrees E) is None or a finite central meridian over China."""
    if cm is None:
        return
    if not (math.isfinite(cm) and CM_RANGE[0] <= cm <= CM_RANGE[1]):
        raise error("read.cm_range", path=path, low=f"{CM_RANGE[0]:g}", high=f"{CM_RANGE[1]:g}", cm=f"{cm:g}",
                    hint="read.cm_hint")


def detect_format(path: Path) -> str:
    """``vector``, ``table``, ``exchange``, ``cad`` (DXF), ``parquet`` (GeoParquet file or folder) or
    ``coordinates`` (CASS .dat, 点号,X,Y text) for
    ``path``; raises EcogisError for anything else (a DWG with what to do)."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES or is_parquet_folder(path):
        return "parquet"
    if path.is_dir():
        if suffix == ".gdb":
            return "vector"
        raise error("read.folder", path=path, hint="read.give_file")
    if suffix in VECTOR_SUFFIXES:
        return "vector"
    if suffix in SHAPEFILE_PARTS:
        raise _shapefile_part_error(path)
    if suffix in TABLE_SUFFIXES:
        return "table"
    if suffix in CAD_SUFFIXES:
        return "cad"
    if suffix == ".dwg":
        raise dwg_error(path)
    if path.stat().st_size == 0:
        raise error("io.empty_file", path=path, hint="io.copy_again")
    if is_exchange_text(path):
        return "exchange"
    if suffix == ".txt" and is_ovi_export(path):
        raise error("inputs.ovi_txt", path=path, hint="inputs.export_ovi_kml")
    if suffix in COORDINATE_SUFFIXES or (suffix == ".txt" and is_coordinate_text(path)):
        return "coordinates"
    if suffix == ".txt":
        raise error("inputs.txt_not_exchange", path=path, hint="inputs.exchange_layout")
    raise error("inputs.unsupported_type", suffix=suffix or "(no suffix)", path=path, hint="inputs.supported_types")


def _shapefile_part_error(path: Path) -> EcogisError:
    """Error for a .dbf/.shx/.prj/.cpg given on its own: name the .shp to read instead, or what is missing."""
    shp = next((c for c in (path.with_suffix(".shp"), path.with_suffix(".SHP")) if c.exists()), None)
    what = Phrase(en=SHAPEFILE_PARTS[path.suffix.lower()], zh=SHAPEFILE_PARTS_ZH[path.suffix.lower()])
    if shp is not None:
        return error("read.shapefile_part", path=path, suffix=path.suffix, what=what, shp=shp, hint="read.read_shp")
    return error("read.shapefile_part_alone", path=path, suffix=path.suffix, what=what, stem=path.stem,
                 hint="read.copy_shp")


def is_exchange_text(path: Path, size: int = 65536) -> bool:
    """True if the first bytes of ``path`` contain a ``[属性描述]`` or ``[地块坐标]`` section marker."""
    with open(path, "rb") as fh:
        head = fh.read(size)
    for enc in ("utf-8", "gb18030", "utf-16-le", "utf-16-be", "utf-32"):
        text = head.decode(enc, errors="ignore")
        if any(marker in text for marker in EXCHANGE_MARKERS):
            return True
    return False


# --------------------------------------------------------------------------- per format

def _read_exchange(path, crs, encoding, cm, notes, strict=False):
    from ecogis.io.exchange import read_exchange

    web = _web_system(crs, path)
    if web:
        raise error("read.exchange_web", path=path, web=web, hint="read.give_gk")
    gdf = read_exchange(path, crs=crs, encoding=encoding, cm=cm, strict=strict)
    meta = dict(gdf.attrs.get("ecogis") or {})
    notes.extend(meta.get("notes", []))
    meta.setdefault("layer", None)
    if gdf.crs is None:
        raise error("read.exchange_no_crs", path=path, hint="read.pass_crs_gk")
    meta["crs"] = crs_label(gdf.crs)
    meta.setdefault("crs_source", "user" if crs is not None else "file")
    gdf.attrs["ecogis"] = meta
    return gdf


def _read_coordinates(path, crs, encoding, cm, notes):
    """A CASS .dat or plain 点号,X,Y file as points in file order, CRS settled as for any file."""
    gdf = read_coordinates(path, encoding, notes)
    gdf, meta = _settle_crs(gdf, path, crs, cm, notes, {"layer": None, **gdf.attrs["ecogis"]})
    gdf.attrs["ecogis"] = meta
    return gdf


def _read_cad(path, cad_layers, crs, cm, notes):
    """A DXF drawing's polygons and lines (``cad_layers``: CAD layer names), CRS settled as for any file."""
    gdf = read_dxf(path, cad_layers, notes)
    gdf, meta = _settle_crs(gdf, path, crs, cm, notes, {"layer": cad_layers, "encoding": None,
                                                         "encoding_source": "DXF $DWGCODEPAGE"})
    gdf.attrs["ecogis"] = meta
    return gdf


def _read_vector_file(path, layer, crs, encoding, cm, notes):
    gdf, src = read_vector(path, layer=layer, encoding=encoding, notes=notes)
    if len(gdf) == 0:
        raise error("read.no_features", path=path, layer=repr(src.layer), hint="read.right_layer")
    meta = {"layer": src.layer, "encoding": src.encoding, "encoding_source": src.encoding_source}
    if crs is None:
        _check_geojson_crs_member(gdf, path, notes)
    gdf, meta = _settle_crs(gdf, path, crs, cm, notes, meta)
    gdf.attrs["ecogis"] = meta
    return gdf


def _read_parquet(path, layer, crs, cm, notes):
    if layer is not None:
        raise EcogisError("a GeoParquet holds one table: it has no layers to choose", path=path, field="layer",
                          hint="Leave out the layer (a folder of GeoParquet parts is read as one table)")
    gdf, meta = read_geoparquet(path)
    gdf, meta = _settle_crs(gdf, path, crs, cm, notes, meta)
    gdf.attrs["ecogis"] = meta
    return gdf


def _read_postgis(source, crs, cm, notes):
    """A PostGIS table or query (:mod:`ecogis.io.postgis`), CRS settled as for any file."""
    gdf, meta = read_postgis_source(source)
    gdf, meta = _settle_crs(gdf, source, crs, cm, notes, meta)
    gdf.attrs["ecogis"] = meta
    return gdf


def _check_geojson_crs_member(gdf, path, notes) -> None:
    """Say so when a GeoJSON's ``"crs"`` member names no usable CRS: GDAL then reads it as its default."""
    member = geojson_crs_member(path)
    if member is None or gdf.crs is None:
        return
    name = (member.get("properties") or {}).get("name") if isinstance(member, dict) else None
    try:
        pyproj.CRS.from_user_input(name)
    except (pyproj.exceptions.CRSError, TypeError):
        text = json.dumps(member, ensure_ascii=False)[:200]
        say("geojson_bad_crs", notes, path=path, crs=text, assumed=describe_crs(gdf.crs))


def _read_point_table(path, layer, crs, encoding, fields, cm, angle, notes):
    df, x, y, info = read_table(path, encoding=encoding, fields=fields, angle=angle, layer=layer, notes=notes)
    meta = {"layer": layer, "encoding": info["encoding"], "encoding_source": info["encoding_source"],
            "columns": list(info.get("columns") or [info.get("wkt")])}
    if x is None:
        gdf = gpd.GeoDataFrame(df.drop(columns=[info["wkt"]]), geometry=info["geometry"])
    else:
        gdf = gpd.GeoDataFrame(df, geometry=shapely.points(x, y))
    gdf, meta = _settle_crs(gdf, path, crs, cm, notes, meta)
    gdf.attrs["ecogis"] = meta
    return gdf


# --------------------------------------------------------------------------- CRS

def _web_system(crs, path):
    """``GCJ-02``/``BD-09`` when the user's ``crs`` names a web-map system, else None."""
    if crs is None:
        return None
    resolved = _resolve(crs, path)
    return resolved if isinstance(resolved, str) else None


def _resolve(crs, path):
    try:
        return resolve_crs(crs)
    except EcogisError as exc:
        raise at_path(exc, path) from exc


def _settle_crs(gdf, path, crs, cm, notes, meta):
    """Give ``gdf`` a known CRS: the user's, else the file's, else one inferred from the coordinates."""
    file_crs = gdf.crs
    if crs is not None:
        user = _resolve(crs, path)
        if isinstance(user, str):  # a web-map system
            web = user
            if file_crs is not None and not file_crs.is_geographic:
                raise error("read.web_projected", path=path, web=web, crs=crs_label(file_crs), hint="read.web_only")
            _check_lonlat(gdf, path, web)
            gdf, info = convert_web(gdf.set_crs(GEOGRAPHIC_CRS, allow_override=True), web, path, notes,
                                    reason="web_why_given", given=True)
            meta.update(crs=web, crs_source="user", converted_to="EPSG:4490", web=info)
            return gdf, meta
        if file_crs is not None and not file_crs.equals(user):
            say("read_crs_overridden", notes, path=path, file_crs=crs_label(file_crs), given=crs_label(user))
        gdf = gdf.set_crs(user, allow_override=True)
        meta.update(crs=crs_label(gdf.crs), crs_source="user")
        gdf = _fix_axis_order(gdf, path, notes, meta)
        _check_coordinates_fit(gdf, path, "the CRS given")
        return gdf, meta
    if file_crs is not None:
        gdf = _identified(gdf, path, notes)
        meta.update(crs=crs_label(gdf.crs), crs_source="file")
        gdf = _fix_axis_order(gdf, path, notes, meta)
        _check_coordinates_fit(gdf, path, "the file's CRS")
        return settle_web_source(gdf, path, meta, notes) if gdf.crs.is_geographic else (gdf, meta)
    return _infer(gdf, path, cm, notes, meta)


def _identified(gdf, path, notes):
    """``gdf`` labelled with the EPSG code its file's custom-named CRS is equivalent to, if any."""
    named = identify_crs(gdf.crs)
    if named is gdf.crs:
        if named.to_epsg() is None:
            say("read_crs_no_epsg", notes, path=path, name=repr(named.name))
        return gdf
    say("read_crs_equivalent", notes, path=path, name=repr(gdf.crs.name), crs=describe_crs(named))
    return gdf.set_crs(named, allow_override=True)


#: generous sanity ranges (metres) for Gauss-Kruger coordinates in China; eastings without zone prefix
_GK_EASTING_ANY = (0.0, 1_000_000.0)
_GK_NORTHING_ANY = (200_000.0, 6_200_000.0)


def _check_coordinates_fit(gdf, path, said_by: str) -> None:
    """Refuse coordinates that cannot be in ``gdf.crs``: metres under a longitude/latitude CRS, degrees
    or another zone under a Gauss-Kruger CRS (a wrong .prj or a wrong --crs), NaN or infinite values.
    Other CRSs are not checked. The error names the first feature with such a coordinate."""
    crs = gdf.crs
    zone = gk_zone_of(crs)
    xy, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    if len(xy) == 0 or (zone is None and not crs.is_geographic):
        return
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(invalid="ignore"):
        if zone is None:
            fits = (np.abs(x) <= 180) & (np.abs(y) <= 90)
            expected = "longitude/latitude in degrees"
        else:
            offset = zone.zone * 1e6 if zone.prefixed else 0.0
            lo, hi = offset + _GK_EASTING_ANY[0], offset + _GK_EASTING_ANY[1]
            fits = (x >= lo) & (x <= hi) & (y >= _GK_NORTHING_ANY[0]) & (y <= _GK_NORTHING_ANY[1])
            expected = f"Gauss-Kruger metres with eastings {lo:.0f}..{hi:.0f}"
    if fits.all():
        return
    first = np.flatnonzero(~fits)[0]
    feature = _feature_names(gdf, [int(index[first])])
    bad_x, bad_y = x[first], y[first]
    if not (np.isfinite(bad_x) and np.isfinite(bad_y)):
        raise error("read.not_finite", path=path, feature=feature, x=f"{bad_x:.10g}", y=f"{bad_y:.10g}",
                    hint="read.fix_feature")
    finite = np.isfinite(x) & np.isfinite(y)
    try:
        guess = infer_crs(x[finite], y[finite], cm=None if zone is None else zone.cm)
        hint = f"The values look like {describe_crs(guess.crs)}: pass crs={guess.label} (--crs {guess.label})"
    except EcogisError:
        hint = "Pass the right CRS with crs= (--crs EPSG:n), or fix the feature in the source file"
    span = f"x {np.nanmin(x):.6g}..{np.nanmax(x):.6g}, y {np.nanmin(y):.6g}..{np.nanmax(y):.6g}"
    if not fits.any():  # the whole layer is in another CRS
        raise EcogisError(f"the coordinates ({span}) do not fit {said_by}, {describe_crs(crs)}: expected {expected}",
                          path=path, hint=hint)
    raise EcogisError(f"the coordinate ({bad_x:.10g}, {bad_y:.10g}) does not fit {said_by}, {describe_crs(crs)}: "
                      f"expected {expected} (all coordinates: {span})", path=path, feature=feature, hint=hint)


def _swap_xy(gdf):
    gdf = gdf.copy()
    gdf[gdf.geometry.name] = shapely.transform(gdf.geometry.to_numpy(), lambda c: c[:, ::-1])
    return gdf


def _fix_axis_order(gdf, path, notes, meta):
    """Swap X/Y written in surveying order (X = northing) under a known lon/lat or Gauss-Kruger CRS.

    Only unambiguous cases are swapped: ecogis.crs.infer_crs must find the swapped order and agree
    with the CRS (same zone for Gauss-Kruger). Anything else is left as it is.
    """
    crs = gdf.crs
    zone = gk_zone_of(crs)
    if zone is None and not crs.is_geographic:
        return gdf
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    if len(xy) == 0:
        return gdf
    try:
        guess = infer_crs(xy[:, 0], xy[:, 1], cm=None if zone is None or zone.prefixed else zone.cm,
                          width=3 if zone is None else zone.width)
    except EcogisError:
        return gdf
    agrees = guess.crs.is_geographic if zone is None else (guess.zone == zone.zone and guess.width == zone.width)
    if not (guess.swap_xy and agrees):
        return gdf
    say("read_surveying_order", notes, path=path, crs=crs_label(crs))
    meta["swap_xy"] = True
    return _swap_xy(gdf)


def _check_lonlat(gdf, path, system):
    xmin, ymin, xmax, ymax = gdf.total_bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise error("read.web_bounds", path=path, system=system,
                    bounds=f"{xmin:.3f}, {ymin:.3f}, {xmax:.3f}, {ymax:.3f}", hint="read.check_crs")


def _infer(gdf, path, cm, notes, meta):
    """Infer the CRS from the coordinate values (lon/lat or Gauss-Kruger), fixing swapped X/Y."""
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    if len(xy) == 0:
        raise error("read.nothing_to_infer", path=path, hint="read.pass_crs_geo")
    try:
        guess = infer_crs(xy[:, 0], xy[:, 1], cm=cm)
    except EcogisError as exc:
        odd = _odd_one_out(gdf, meta)
        if exc.path is None or odd:
            raise EcogisError(exc.reason + odd, path=path, hint=exc.hint) from exc
        raise
    if guess.swap_xy:
        gdf = _swap_xy(gdf)
    gdf = gdf.set_crs(guess.crs, allow_override=True)
    say("read_crs_inferred", notes, path=path, crs=describe_crs(gdf.crs), reason=guess.reason)
    meta.update(crs=crs_label(gdf.crs), crs_source="inferred", swap_xy=bool(guess.swap_xy))
    return settle_web_source(gdf, path, meta, notes) if gdf.crs.is_geographic else (gdf, meta)


def _odd_one_out(gdf, meta) -> str:
    """Text naming the first feature whose coordinates differ in digit count or zone prefix from most.

    One such feature (a 0,0 placeholder, a dropped digit, a lost or stray zone prefix) is enough to
    make the CRS of a whole file impossible to infer, so the error should point at it. Returns ""
    when all agree or there is no clear majority.
    """
    xy, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = np.nan_to_num(np.floor(np.log10(np.abs(xy))), nan=-2).clip(-1, 9).astype(int)  # 0 and |v| < 1 -> -1
    zone_prefix = np.where(digits == 7, np.floor(np.abs(xy) / 1e6), 0).astype(int)  # 8 digits: zone
    signature = np.column_stack([digits, zone_prefix])
    values, signature, counts = np.unique(signature, axis=0, return_inverse=True, return_counts=True)
    signature = signature.ravel()
    if len(values) < 2 or counts.max() * 2 <= counts.sum():  # no clear majority to differ from
        return ""
    odd = np.flatnonzero(signature != np.argmax(counts))
    row = int(index[odd[0]])
    label = gdf.index[row]
    where = (f"feature {row} (row {label + 1}, line {label + 2} with the header)"
             if meta.get("columns") is not None and isinstance(label, (int, np.integer)) else f"feature {row}")
    n_odd = len(np.unique(index[odd]))
    others = f" and {n_odd - 1} other feature(s)" if n_odd > 1 else ""
    x, y = xy[odd[0]]
    return (f"; {where}{others} ha{'ve' if others else 's'} coordinates ({x:.10g}, {y:.10g}) unlike the rest "
            "(a placeholder, a typo, a lost or other zone prefix?)")
