"""Vector files through pyogrio/GDAL: Shapefile (also zipped), GeoPackage, GeoJSON, KML/KMZ, FileGDB.

This module opens the data source, picks the layer and settles the attribute text encoding. CRS
handling and layer kinds are done by :func:`ecogis.io.read.read_layer`. The path GDAL opens (zips
included) comes from :mod:`ecogis.io.sources`, the shapefile checks from :mod:`ecogis.io.shapefile`,
the .dbf header checks and encoding detection from :mod:`ecogis.io.dbf`.

Encoding rule for shapefiles (and other dBASE-backed sources): a ``.cpg`` file wins; without one the
``.dbf`` bytes are decoded strictly as UTF-8, else as GB18030, and the choice is reported. ``encoding=``
overrides both. Text is never returned as mojibake: if no candidate decodes, the read fails with a hint.
"""
from __future__ import annotations

import json
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import error
from ecogis.io.dbf import (
    _check_codec,
    check_dbf_header,
    cpg_to_codec,
    dbf_text_bytes,
    detect_encoding,
    settle_dbf_encoding,
    trim_cut_characters,
)
from ecogis.io.shapefile import _feature_names, _sibling, check_shx
from ecogis.io.sources import _gdal_path_and_dbf, layers_gdal_path
from ecogis.messages import say


@dataclass
class VectorSource:
    """What :func:`read_vector` found out besides the data: layer, encoding and notes."""

    layer: str | None = None
    encoding: str | None = None
    encoding_source: str | None = None
    notes: list[str] = field(default_factory=list)


def read_vector(path: Path, *, layer=None, encoding=None, notes=None) -> tuple[gpd.GeoDataFrame, VectorSource]:
    """Read one layer of a vector file with pyogrio, decoding text with the right encoding.

    Returns the GeoDataFrame (CRS as stored in the file, possibly None) and a :class:`VectorSource`.
    Raises EcogisError for missing side-car files, empty files, unknown layers and undecodable text.
    """
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    path = Path(path)
    src = VectorSource(notes=notes if notes is not None else [])
    gdal_path, dbf = _gdal_path_and_dbf(path, src.notes, layer)
    if dbf is not None:
        check_dbf_header(path, dbf.dbf_bytes(), dbf.name, src.notes)
        src.encoding, src.encoding_source = settle_dbf_encoding(path, dbf, encoding, src.notes)
    elif encoding:
        src.encoding, src.encoding_source = _check_codec(encoding, path), "user"
    src.layer = choose_layer(path, gdal_path, layer)
    try:
        with warnings.catch_warnings():  # unclosed rings are closed below, with a note naming the features
            warnings.filterwarnings("ignore", "Non closed ring detected", RuntimeWarning)
            # NaN coordinates: the CRS check names the feature
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            gdf = pyogrio.read_dataframe(gdal_path, layer=src.layer, encoding=src.encoding)
    except shapely.errors.GEOSException as exc:
        gdf = _read_closing_rings(path, gdal_path, src, exc)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise error("io.not_vector", path=path, reason=_first_line(exc), hint="io.check_complete") from exc
    except UnicodeDecodeError as exc:
        gdf = _read_trimmed(dbf, src) if dbf is not None else _read_geojson_not_utf8(path, gdal_path, src)
        if gdf is None:
            if path.suffix.lower() in _GEOJSON:
                raise error("io.geojson_not_utf8", path=path, encoding=src.encoding or "UTF-8",
                            hint="io.pass_encoding") from exc
            raise error("io.bad_encoding", path=path, encoding=src.encoding or "UTF-8",
                        hint="io.pass_encoding") from exc
    if src.encoding is None:
        src.encoding, src.encoding_source = "UTF-8", "file"
    if gdal_path.lower().endswith(".shp"):
        check_shx(path, gdal_path, gdf)
    if path.suffix.lower() in (".kml", ".kmz", ".ovkml", ".ovkmz"):
        gdf = _drop_empty_kml_columns(gdf)
    return gdf, src


#: what GDAL says at open time about a .shx entry that points outside the .shp
_INVALID_ENTITY = "for entity"


def _attributes_only(gdal_path: str):
    """The attribute table of a shapefile read from a copy of its .dbf alone (GDAL opens the .shp of a
    .dbf beside it), to name features; an empty table when there is none or it cannot be read."""
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    dbf = _sibling(Path(gdal_path), ".dbf")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if dbf is None:
                return pd.DataFrame()
            data = dbf.read_bytes()
            (Path(tmp) / "data.dbf").write_bytes(data)
            cpg = _sibling(Path(gdal_path), ".cpg")
            encoding = cpg_to_codec(cpg.read_bytes().decode("ascii", "replace")) if cpg else None
            encoding = encoding or detect_encoding(dbf_text_bytes(data)) or "UTF-8"
            return pyogrio.read_dataframe(Path(tmp) / "data.dbf", encoding=encoding, read_geometry=False)
    except Exception:  # noqa: BLE001 - names are a courtesy: the error about the .shx is raised anyway
        return pd.DataFrame()


def _read_closing_rings(path: Path, gdal_path: str, src: VectorSource, exc: Exception):
    """Read a layer whose polygons have unclosed rings (GEOS refuses them): close them, with a note.

    Rings that cannot be closed into a ring (fewer than 3 distinct points) come back as they are
    (the geometry normalisation repairs or refuses them, naming the feature)."""
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Non closed ring detected", RuntimeWarning)
        fixed = pyogrio.read_dataframe(gdal_path, layer=src.layer, encoding=src.encoding, on_invalid="fix")
        plain = pyogrio.read_dataframe(gdal_path, layer=src.layer, encoding=src.encoding, on_invalid="ignore",
                                       columns=[])
    closed = np.flatnonzero(shapely.is_missing(plain.geometry.values) & ~shapely.is_missing(fixed.geometry.values))
    if len(closed) == 0:
        raise error("io.bad_geometries", path=path, reason=_first_line(exc), hint="io.check_in_gis") from exc
    say("ring_closed", src.notes, severity="repair", path=path, features=_feature_names(fixed, closed))
    return fixed


_GEOJSON = (".geojson", ".json")


def _read_geojson_not_utf8(path: Path, gdal_path: str, src: VectorSource):
    """A GeoJSON saved in GB18030/GBK (RFC 7946 says UTF-8): read it as such with a note, else None."""
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    if src.encoding is not None or path.suffix.lower() not in _GEOJSON or not path.is_file():
        return None
    found = detect_encoding(path.read_bytes())
    if found is None or found == "UTF-8":
        return None
    gdf = pyogrio.read_dataframe(gdal_path, layer=src.layer, encoding=found)
    say("geojson_not_utf8", src.notes, path=path, found=found)
    src.encoding, src.encoding_source = found, "detected"
    return gdf


_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*(?=\{)')


def geojson_crs_member(path: Path):
    """The ``"crs"`` member of a GeoJSON file (the old 2008 spec) as parsed JSON, or None without one."""
    if path.suffix.lower() not in _GEOJSON or not path.is_file():
        return None
    data = path.read_bytes()
    found = _CRS_MEMBER.search(data)
    if found is None:
        return None
    try:
        member, _ = json.JSONDecoder().raw_decode(data[found.end():].decode("utf-8", "replace"))
    except ValueError:
        return None
    return member


def _read_trimmed(dbf, src: VectorSource):
    """Read a shapefile whose text values end in half characters from a copy with those blanked."""
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    # with a .dbf, read_vector has settled the encoding before reading
    trimmed, cut = trim_cut_characters(dbf.dbf_bytes(), src.encoding)  # type: ignore[arg-type]
    if not cut:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dbf.copy_parts(folder, "data")
        (folder / "data.dbf").write_bytes(trimmed)
        try:
            return pyogrio.read_dataframe(folder / "data.shp", encoding=src.encoding)
        except UnicodeDecodeError:
            return None


# columns GDAL's LIBKML driver adds to every layer; dropped when they hold nothing
_KML_STANDARD = ("id", "Name", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate",
                 "extrude", "visibility", "drawOrder", "icon", "snippet")


def _drop_empty_kml_columns(gdf):
    empty = []
    for col in _KML_STANDARD:
        if col in gdf.columns:
            values = gdf[col]
            blank = values.isna() | values.astype(str).str.strip().isin(["", "-1", "0", "None"])
            if blank.all():
                empty.append(col)
    return gdf.drop(columns=empty)


# --------------------------------------------------------------------------- layers

def list_vector_layers(path) -> list[tuple[str, str | None]]:
    """(name, geometry type) for each layer of a vector source; geometry type None for plain tables."""
    path = Path(path)
    return [(str(n), (None if g is None else str(g))) for n, g in _list_layers(path, layers_gdal_path(path))]


def _list_layers(path: Path, gdal_path: str):
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    try:
        return pyogrio.list_layers(gdal_path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        if _INVALID_ENTITY in str(exc) and gdal_path.lower().endswith(".shp"):
            check_shx(path, gdal_path, _attributes_only(gdal_path))  # names the feature
        raise error("io.not_vector_source", path=path, reason=_first_line(exc), hint="io.check_complete") from exc


def choose_layer(path: Path, gdal_path: str, layer) -> str | None:
    """Return the layer to read: the one asked for, or the only spatial layer; else a clear error."""
    layers = _list_layers(path, gdal_path)
    names = [str(n) for n, _ in layers]
    if layer is not None:
        if isinstance(layer, int) or (isinstance(layer, str) and layer.isdigit() and layer not in names):
            idx = int(layer)
            if 0 <= idx < len(names):
                return names[idx]
        if str(layer) not in names:
            raise error("io.no_such_layer", path=path, layer=repr(layer), names=", ".join(names) or "-",
                        hint="io.layers_in_file")
        return str(layer)
    spatial = [str(n) for n, g in layers if g is not None]
    if len(names) == 0:
        raise error("io.no_layers", path=path, hint="io.right_file")
    if len(spatial) == 1:
        return spatial[0]
    if len(names) == 1:
        return names[0]
    if len(spatial) == 0:
        raise error("io.no_spatial_layer", path=path, names=", ".join(names), hint="io.layers")
    raise error("io.several_layers", path=path, count=len(spatial), names=", ".join(spatial), hint="io.choose_layer")


def _first_line(exc) -> str:
    """GDAL's message, first line only and without its advice about driver prefixes (not for users)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split("; It might help")[0].split(" It might help")[0].rstrip(".; ")
