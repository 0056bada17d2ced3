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
import pyproj
import shapely

from ecogis.crs import crs_label, describe_crs
from ecogis.error_messages import Phrase, error
from ecogis.errors import EcogisError
from ecogis.io.cass import COORDINATE_SUFFIXES, is_coordinate_text, read_coordinates
from ecogis.io.dxf import CAD_SUFFIXES, dwg_error, read_dxf
from ecogis.io.parquet import PARQUET_SUFFIXES, is_parquet_folder, read_geoparquet
from ecogis.io.read_crs import _settle_crs, _web_system
from ecogis.io.sources import VECTOR_SUFFIXES
from ecogis.io.table import TABLE_SUFFIXES, read_table
from ecogis.io.text import note_replacement_characters
from ecogis.io.vector import geojson_crs_member, read_vector
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.notes import Notes
from ecogis.transform import apply_transform
from ecogis.webmap import is_ovi_export

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
        drawing (a DWG is an error saying to save it as DXF), GeoParquet file or folder of parts.
    kind : str, optional
        Layer kind (``boundary``, ``redline``, ``reserve``, ``water_section``, ``outfall``, ``site``,
        ...): fields are mapped to canonical names and values normalised (see :mod:`ecogis.layers`).
    layer : str, optional
        Layer name inside a multi-layer source (GeoPackage, FileGDB, KML folders, XLSX sheet). A
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
    (:func:`ecogis.crs_infer.infer_crs`, datum assumed CGCS2000). X/Y in surveying order are swapped.
    Coordinates that cannot be in the CRS (metres under longitude/latitude, another Gauss-Kruger
    zone) raise EcogisError naming the CRS they look like; so does a single feature whose values
    spoil the inference (a 0,0 placeholder, a lost zone prefix).
    """
    path = Path(path)
    if not path.exists():
        raise error("file.not_found", path=path, hint="file.check_path")
    _check_central_meridian(cm, path)
    notes = Notes()
    fmt = detect_format(path)
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
        raise error("read.parquet_no_layers", path=path, field="layer", hint="read.leave_out_layer")
    gdf, meta = read_geoparquet(path)
    gdf, meta = _settle_crs(gdf, path, crs, cm, notes, meta)
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
