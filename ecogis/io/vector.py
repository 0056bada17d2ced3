"""Vector files through pyogrio/GDAL: Shapefile (also zipped), GeoPackage, GeoJSON, KML/KMZ, FileGDB.

This module opens the data source, picks the layer and settles the attribute text encoding. CRS
handling and layer kinds are done by :func:`ecogis.io.read.read_layer`.

Encoding rule for shapefiles (and other dBASE-backed sources): a ``.cpg`` file wins; without one the
``.dbf`` bytes are decoded strictly as UTF-8, else as GB18030, and the choice is reported. ``encoding=``
overrides both. Text is never returned as mojibake: if no candidate decodes, the read fails with a hint.
"""
from __future__ import annotations

import codecs
import glob
import json
import re
import struct
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ecogis.error_messages import error
from ecogis.messages import say

#: suffix -> what the file is, for messages and dispatch
VECTOR_SUFFIXES = {
    ".shp": "Shapefile", ".zip": "zipped Shapefile", ".gpkg": "GeoPackage", ".geojson": "GeoJSON",
    ".json": "GeoJSON", ".kml": "KML", ".kmz": "KMZ", ".gdb": "FileGDB",
    ".ovkml": "KML (奥维互动地图)", ".ovkmz": "KMZ (奥维互动地图)",  # Ovi's GCJ-02 exports: see ecogis.webmap
}

#: the order in which text encodings are tried when a file does not declare one
DETECT_ORDER = ("UTF-8", "GB18030")

# ESRI / GDAL code page names seen in .cpg files -> Python codec names
_CPG_ALIASES = {"65001": "UTF-8", "UTF8": "UTF-8", "936": "GBK", "CP936": "GBK", "54936": "GB18030",
                "88591": "ISO-8859-1", "8859_1": "ISO-8859-1", "ANSI 936": "GBK", "950": "BIG5"}


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


# --------------------------------------------------------------------------- opening and layers

def _gdal_path_and_dbf(path: Path, notes=None, layer=None):
    """Return (path for GDAL, the shapefile's .dbf as a :class:`_DbfFile` or None).

    ``layer`` picks one shapefile (by its stem) out of a zip holding several."""
    suffix = path.suffix.lower()
    if path.is_file() and path.stat().st_size == 0:
        raise error("io.empty_file", path=path, hint="io.copy_again")
    if suffix == ".shp":
        _check_shapefile_parts(path, notes)
        dbf = _sibling(path, ".dbf")
        return str(path), (None if dbf is None else _DbfFile(dbf))
    if suffix == ".zip":
        return _zip_path(path, layer)
    if suffix == ".ovkmz":  # a KMZ under Ovi's suffix, which GDAL does not recognise: open its KML inside
        kml = next((n for n in _zip_names(path) if n.lower().endswith(".kml")), None)
        if kml is None:
            raise error("inputs.ovkmz_no_kml", path=path, hint="inputs.export_ovi")
        return f"/vsizip/{{{path}}}/{kml}", None
    return str(path), None


def _sibling(path: Path, suffix: str) -> Path | None:
    """The side-car file with ``suffix`` (either case), or None."""
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.exists():
            return cand
    return None


def _check_shapefile_parts(path: Path, notes=None) -> None:
    if _sibling(path, ".shx") is None:
        raise error("io.shx_missing", path=path, stem=path.stem, hint="io.shapefile_parts")
    if _sibling(path, ".dbf") is None:
        say("no_dbf", notes, path=path, stem=path.stem)
    _check_shp_length(path, notes)


def _check_shp_length(path: Path, notes=None) -> None:
    """A .shp shorter than the length its header declares was cut off in copying: say so.

    An unknown shape type in the header is reported (GDAL reads each record by its own type)."""
    with open(path, "rb") as fh:
        header = fh.read(36)
    if len(header) < 28 or struct.unpack(">i", header[:4])[0] != 9994:
        raise error("io.not_shapefile", path=path, hint="io.copy_again")
    declared = struct.unpack(">i", header[24:28])[0] * 2  # in 16-bit words
    actual = path.stat().st_size
    if actual < declared:
        raise error("io.shp_cut_off", path=path, declared=declared, actual=actual, hint="io.copy_incomplete")
    shape_type = struct.unpack("<i", header[32:36])[0] if len(header) == 36 else 0
    if shape_type not in _SHAPE_TYPES:
        say("shp_unknown_type", notes, path=path, type=shape_type)


#: shape types a .shp record may hold (ESRI Shapefile Technical Description, table 1)
_SHAPE_TYPES = (0, 1, 3, 5, 8, 11, 13, 15, 18, 21, 23, 25, 28, 31)


def check_shx(path: Path, gdal_path: str, gdf) -> None:
    """Refuse a shapefile whose .shx index does not point at the records of its .shp.

    GDAL finds each feature through the .shx offset; a wrong offset reads that feature as an empty
    geometry, and a short .shx hides the records after it. Each index entry must point at a record
    header in the .shp with its own record number (1-based), the same content length and a known
    shape type, and the entries must reach the end of the .shp. ``gdf`` (as GDAL read it) names the
    features in the message.
    """
    shp, shx = _shapefile_bytes(path, gdal_path)
    entries = np.frombuffer(shx, ">i4", count=max(len(shx) - 100, 0) // 4, offset=min(100, len(shx)))
    entries = entries[: len(entries) // 2 * 2].reshape(-1, 2).astype(np.int64) * 2  # 16-bit words -> bytes
    offset, length = entries[:, 0], entries[:, 1]
    inside = (offset >= 100) & (length >= 4) & (offset + 8 + length <= len(shp))
    at = np.where(inside, offset, 0)[:, None] + np.arange(12)
    header = shp[at] if len(at) else np.zeros((0, 12), np.uint8)
    number = np.ascontiguousarray(header[:, 0:4]).view(">i4").ravel()
    content = np.ascontiguousarray(header[:, 4:8]).view(">i4").ravel().astype(np.int64) * 2
    shape_type = np.ascontiguousarray(header[:, 8:12]).view("<i4").ravel()
    good = inside & (number == np.arange(1, len(entries) + 1)) & (content == length) & np.isin(shape_type, _SHAPE_TYPES)
    name = PurePosixPath(gdal_path).stem
    if not good.all():
        bad = np.flatnonzero(~good)
        raise error("io.shx_offsets", path=path, feature=_feature_names(gdf, bad), name=name, bad=len(bad),
                    count=len(entries), hint="io.rebuild_shx")
    _check_records_read(path, shp, offset, shape_type, content, gdf)
    declared = int(np.frombuffer(shp[24:28].tobytes(), ">i4")[0]) * 2 if len(shp) >= 28 else len(shp)
    last_end = int((offset + 8 + length).max()) if len(entries) else 100
    if last_end < min(declared, len(shp)):
        raise error("io.shx_short", path=path, name=name, count=len(entries), last_end=last_end, declared=declared,
                    hint="io.rebuild_shx")


#: shape types whose record holds a count (parts, or points for multipoints) after the bounding box
_COUNTED_TYPES = (3, 5, 8, 13, 15, 18, 23, 25, 28, 31)


def _check_records_read(path: Path, shp, offset, shape_type, content, gdf) -> None:
    """Refuse records GDAL read as no geometry although they are not null shapes (counts that do not fit).

    A null shape (type 0) or a record with zero parts or points is an empty feature (named in a note
    by :func:`ecogis.io.read.read_layer`); anything else that comes back empty is a damaged record.
    """
    if gdf is None or len(gdf) != len(offset) or not hasattr(gdf, "geometry"):
        return
    missing = shapely.is_missing(gdf.geometry.values) & (shape_type != 0)
    counted = missing & np.isin(shape_type, _COUNTED_TYPES) & (content >= 40)
    count_at = np.where(counted, offset + 8 + 36, 0)[:, None] + np.arange(4)
    count = np.ascontiguousarray(shp[count_at]).view("<i4").ravel() if len(count_at) else np.zeros(0, np.int32)
    damaged = np.flatnonzero(missing & ~(counted & (count == 0)))
    if len(damaged):
        first = damaged[0]
        raise error("io.shp_record", path=path, feature=_feature_names(gdf, damaged), count=len(damaged),
                    type=shape_type[first], size=content[first], hint="io.copy_or_fix")


def _feature_names(gdf, positions) -> str:
    """'0 (parcel_no 'A'), 3' for features at 0-based ``positions``: number plus the first text attribute."""
    geometry = getattr(gdf, "_geometry_column_name", None)
    text_cols = [c for c in gdf.columns if c != geometry and pd.api.types.is_string_dtype(gdf[c])]
    labels = []
    for pos in positions[:5]:
        value = gdf[text_cols[0]].iloc[pos] if text_cols and pos < len(gdf) else None
        labels.append(f"{pos} ({text_cols[0]} {value!r})" if isinstance(value, str) and value.strip() else str(pos))
    return ", ".join(labels) + (f" and {len(positions) - 5} more" if len(positions) > 5 else "")


def _shapefile_bytes(path: Path, gdal_path: str):
    """The .shp (as a uint8 array, memory-mapped on disk) and the .shx bytes of a shapefile or zipped one."""
    if gdal_path.startswith("/vsizip/"):
        member = gdal_path[len(f"/vsizip/{path}/"):]
        with zipfile.ZipFile(path) as zf:
            shx_name = next(n for n in zf.namelist() if n.lower() == member[:-4].lower() + ".shx")
            return np.frombuffer(zf.read(member), np.uint8), zf.read(shx_name)
    shp = Path(gdal_path)
    # GDAL has opened this shapefile, or failed on its index: the .shx exists
    return np.memmap(shp, np.uint8, mode="r"), _sibling(shp, ".shx").read_bytes()  # type: ignore[union-attr]


class _DbfFile:
    """Lazy access to the bytes of a .dbf (and its .cpg) on disk."""

    def __init__(self, dbf: Path):
        self.dbf = dbf
        self.name = dbf.name

    def copy_parts(self, folder: Path, stem: str) -> None:
        """Link the other shapefile parts (.shp, .shx, .prj...) into ``folder`` as ``stem``.*"""
        for part in self.dbf.parent.glob(glob.escape(self.dbf.stem) + ".*"):
            if part.suffix.lower() != ".dbf":
                (folder / (stem + part.suffix.lower())).symlink_to(part.resolve())

    def dbf_bytes(self) -> bytes:
        return self.dbf.read_bytes()

    def cpg_text(self) -> str | None:
        cpg = _sibling(self.dbf, ".cpg")
        return None if cpg is None else cpg.read_bytes().decode("ascii", "replace").strip()


class _ZippedDbf(_DbfFile):
    def __init__(self, zpath: Path, member: str):
        self.zpath, self.member = zpath, member
        self.name = member

    def copy_parts(self, folder: Path, stem: str) -> None:
        base = str(PurePosixPath(self.member).with_suffix("")).lower()
        with zipfile.ZipFile(self.zpath) as zf:
            for name in zf.namelist():
                suffix = PurePosixPath(name).suffix.lower()
                if name.lower() == base + suffix and suffix != ".dbf":
                    (folder / (stem + suffix)).write_bytes(zf.read(name))

    def dbf_bytes(self) -> bytes:
        with zipfile.ZipFile(self.zpath) as zf:
            return zf.read(self.member)

    def cpg_text(self) -> str | None:
        with zipfile.ZipFile(self.zpath) as zf:
            stem = str(PurePosixPath(self.member).with_suffix(""))
            for name in zf.namelist():
                if name.lower() == f"{stem}.cpg".lower():
                    return zf.read(name).decode("ascii", "replace").strip()
        return None


def _zip_path(path: Path, layer=None):
    """A zipped shapefile (or other single source) as a /vsizip/ path plus its .dbf, if any.

    A zip with several shapefiles needs ``layer``: the stem of the one to read."""
    names = _zip_names(path)
    shps = [n for n in names if n.lower().endswith(".shp")]
    if len(shps) > 1 and layer is not None:
        shps = [n for n in shps if PurePosixPath(n).stem == str(layer)] or shps
    if len(shps) == 1:
        shp = shps[0]
        stem = shp[:-4].lower()
        if not any(n.lower() == stem + ".shx" for n in names):
            raise error("io.zip_no_shx", path=path, shp=shp, hint="io.zip_together")
        dbfs = [n for n in names if n.lower() == stem + ".dbf"]
        return f"/vsizip/{path}/{shp}", (_ZippedDbf(path, dbfs[0]) if dbfs else None)
    if len(shps) > 1:
        stems = ", ".join(PurePosixPath(n).stem for n in shps)
        if layer is not None:
            raise error("io.zip_several_none_named", path=path, shps=", ".join(shps), layer=repr(layer), stems=stems,
                        hint="io.choose_shapefile")
        raise error("io.zip_several", path=path, shps=", ".join(shps), stems=stems, hint="io.choose_shapefile")
    gdbs = sorted({n[: n.lower().index(".gdb/") + 4] for n in names if ".gdb/" in n.lower()})
    if len(gdbs) == 1:
        return f"/vsizip/{path}/{gdbs[0]}", None
    others = [n for n in names if Path(n).suffix.lower() in VECTOR_SUFFIXES]
    if len(others) == 1:
        return f"/vsizip/{path}/{others[0]}", None
    if not names:
        raise error("io.zip_empty", path=path)
    raise error("io.zip_no_shapefile", path=path, names=", ".join(names[:10]), hint="io.zip_found")


def _zip_names(path: Path) -> list[str]:
    """The files in a zip archive (folders and macOS resource forks left out)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
    except zipfile.BadZipFile as exc:
        raise error("io.bad_zip", path=path, hint="io.recreate_zip") from exc


def _zip_folder_path(path: Path) -> str:
    """GDAL path listing the layers of a zip: the folder holding its shapefiles, or its only data source."""
    shps = [PurePosixPath(n) for n in _zip_names(path) if n.lower().endswith(".shp")]
    folders = {str(p.parent) for p in shps}
    if len(shps) <= 1:
        return _zip_path(path)[0]
    if len(folders) == 1:  # GDAL opens a folder of shapefiles with each one as a layer
        folder = folders.pop()
        return f"/vsizip/{path}" + ("" if folder == "." else f"/{folder}")
    return str(path)


def layers_gdal_path(path: Path) -> str:
    """The path GDAL lists the layers of ``path`` from (for a zip, the folder inside holding the data)."""
    zipped = path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)
    return _zip_folder_path(path) if zipped else _gdal_path_and_dbf(path)[0]


def list_vector_layers(path) -> list[tuple[str, str | None]]:
    """(name, geometry type) for each layer of a vector source; geometry type None for plain tables."""
    path = Path(path)
    return [(str(n), (None if g is None else str(g))) for n, g in _list_layers(path, layers_gdal_path(path))]


def _list_layers(path: Path, gdal_path: str):
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


# --------------------------------------------------------------------------- encodings

def settle_dbf_encoding(path: Path, dbf: _DbfFile, encoding, notes) -> tuple[str, str]:
    """Pick the text encoding of a .dbf: user > .cpg > strict UTF-8 > strict GB18030.

    Returns (encoding, source) with source one of ``user``, ``cpg``, ``detected``. A guess is reported
    as a note (:func:`ecogis.messages.say`).
    """
    if encoding:
        return _check_codec(encoding, path), "user"
    text_bytes = dbf_text_bytes(dbf.dbf_bytes())
    cpg = dbf.cpg_text()
    if cpg:
        declared = cpg_to_codec(cpg)
        if declared is None:
            say("cpg_unknown", notes, path=path, cpg=repr(cpg))
        elif _decodes(text_bytes, declared):
            if declared == "UTF-8" or text_bytes.isascii() or not _decodes(text_bytes, "UTF-8"):
                return declared, "cpg"
            # non-ASCII text that is valid UTF-8 is UTF-8: as GBK (or another code page) it reads as mojibake
            say("cpg_utf8", notes, path=path, declared=declared)
            return "UTF-8", "detected"
        else:
            found = detect_encoding(text_bytes)
            if found is None:
                raise error("io.cpg_wrong_nothing_fits", path=path, declared=declared, hint="io.pass_encoding_option")
            say("cpg_wrong", notes, path=path, declared=declared, found=found)
            return found, "detected"
    found = _detect_dbf_encoding(dbf.dbf_bytes(), text_bytes, path, notes)
    if not text_bytes.isascii() and "\ufffd".encode(found) not in text_bytes:  # damaged text: said by read_layer
        say("no_cpg", notes, path=path, found=found)
    return found, "detected"


def _detect_dbf_encoding(data: bytes, text_bytes: bytes, path, notes) -> str:
    """Strict UTF-8, else strict GB18030; each also with values cut mid-character by the field width.

    Desktop GIS truncates text to the field width in bytes, which can leave half a character at the
    end of a value. Such partial characters are tolerated (GDAL drops them when reading) but only at
    the very end of a field, so UTF-8 text with one cut character is not mistaken for GB18030.
    """
    for enc in DETECT_ORDER:
        if _decodes(text_bytes, enc):
            return enc
        trimmed, cut = trim_cut_characters(data, enc)
        if cut and _decodes(dbf_text_bytes(trimmed), enc):
            say("cut_character", notes, severity="repair", path=path, count=cut, encoding=enc)
            return enc
    raise error("io.no_encoding_fits", path=path, hint="io.pass_encoding_big5")


def _dbf_layout(data: bytes):
    """(header length, record length, record count, [(type, offset in record, length)]) of a .dbf."""
    header_len, record_len = struct.unpack("<HH", data[8:12])
    n_records = struct.unpack("<I", data[4:8])[0]
    fields, pos, offset = [], 32, 1  # byte 0 of a record is the deletion flag
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        fields.append((chr(data[pos + 11]), offset, data[pos + 16]))
        offset += data[pos + 16]
        pos += 32
    return header_len, record_len, n_records, fields


_DBF_MAX_HEADER = 32 + 32 * 2048 + 263  # dBASE 7 allows 2046 fields; Visual FoxPro adds a 263-byte backlink


#: dBASE field types (dBASE III-7, FoxPro/Visual FoxPro; "0" is FoxPro's hidden _NullFlags field)
_DBF_TYPES = set("CNFLDMBGPYTIVX@O+0")


def check_dbf_header(path: Path, data: bytes, name: str = "the .dbf", notes=None) -> None:
    """Refuse a .dbf whose header disagrees with itself or with the size of the file.

    GDAL trusts the header-length field (bytes 8-9): too small and it reads no attributes at all, a
    little off and every value is shifted by some bytes. The descriptors (32 bytes each from byte 32,
    ended by 0x0D) must fit inside the header, and the first record must start with its deletion flag
    (space or ``*``). Each field needs a length; the record length (bytes 10-11) must hold the deletion
    flag and every field; the record count (bytes 4-7) must match the records in the file (GDAL reads
    only as many as it says). A field of unknown type is read as text, with a note.
    """
    if len(data) < 32:
        raise error("io.dbf_header_cut", path=path, name=name, hint="io.copy_again")
    header_len, record_len = struct.unpack("<HH", data[8:12])
    n_records = struct.unpack("<I", data[4:8])[0]
    end = 32
    while end < min(len(data), _DBF_MAX_HEADER) and data[end] != 0x0D:
        end += 32
    needed = end + 1  # descriptors and their 0x0D terminator
    records = n_records * record_len
    first = data[header_len:header_len + 1]
    misplaced = header_len != needed and header_len + records > len(data) >= needed + records
    if header_len < needed or misplaced or (n_records and first not in (b" ", b"*")):
        raise error("io.dbf_header_length", path=path, name=name, length=header_len, fields=(end - 32) // 32,
                    needed=needed, hint="io.dbf_set_bytes_8_9")
    _check_dbf_fields(path, data, name, notes)
    if header_len + records > len(data):
        raise error("io.dbf_cut_off", path=path, name=name, count=n_records, length=record_len,
                    needed=header_len + records, size=len(data), hint="io.copy_again")
    held = (len(data) - header_len - data.endswith(b"\x1a")) // record_len  # 0x1A: end-of-file marker
    if held > n_records:
        raise error("io.dbf_record_count", path=path, name=name, count=n_records, held=held, length=record_len,
                    hint="io.dbf_set_bytes_4_7")


def _check_dbf_fields(path: Path, data: bytes, name: str, notes) -> None:
    """Each field has a length and the record length holds them; an unknown field type is noted."""
    _, record_len, _, fields = _dbf_layout(data)
    names = _dbf_field_names(data)
    for (ftype, _, length), field_name in zip(fields, names):
        if length == 0:
            raise error("io.dbf_zero_field", path=path, field=field_name, name=name, hint="io.copy_again")
    needed = 1 + sum(length for _, _, length in fields)
    n_records, header_len = struct.unpack("<I", data[4:8])[0], struct.unpack("<H", data[8:10])[0]
    if record_len > needed and header_len + n_records * record_len <= len(data):  # fields found by their lengths
        say("dbf_long_records", notes, path=path, dbf=name, length=record_len, count=len(fields), needed=needed,
            extra=record_len - needed)
    elif record_len != needed:
        raise error("io.dbf_record_length", path=path, name=name, length=record_len, count=len(fields),
                    needed=needed, hint="io.dbf_set_bytes_10_11")
    for (ftype, _, _), field_name in zip(fields, names):
        if ftype not in _DBF_TYPES:
            say("dbf_unknown_type", notes, path=path, field=repr(field_name), dbf=name, type=repr(ftype))


def _dbf_field_names(data: bytes) -> list[str]:
    """The field names of a .dbf header (ASCII, undecodable bytes replaced)."""
    header_len = struct.unpack("<H", data[8:10])[0]
    names, pos = [], 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        names.append(data[pos:pos + 11].split(b"\x00", 1)[0].decode("ascii", "replace"))
        pos += 32
    return names


def trim_cut_characters(data: bytes, enc: str) -> tuple[bytes, int]:
    """Copy of .dbf ``data`` with partial multibyte characters at the end of text values blanked.

    Only values whose last byte is non-ASCII are examined (vectorised pre-selection); returns the new
    bytes and how many values were changed.
    """
    if len(data) < 32:
        return data, 0
    header_len, record_len, n, fields = _dbf_layout(data)
    n = min(n, (len(data) - header_len) // record_len) if record_len else 0
    if n <= 0:
        return data, 0
    arr = np.frombuffer(data, np.uint8, count=n * record_len, offset=header_len).reshape(n, record_len).copy()
    cut = 0
    for ftype, offset, length in fields:
        if ftype != "C" or length == 0 or offset + length > record_len:
            continue
        block = arr[:, offset:offset + length]
        for row in np.flatnonzero(block[:, -1] >= 0x80):
            value = block[row].tobytes()
            if _decodes(value, enc):
                continue
            for k in (1, 2, 3):
                if _decodes(value[:-k], enc):
                    block[row, length - k:] = 0x20
                    cut += 1
                    break
    return data[:header_len] + arr.tobytes() + data[header_len + n * record_len:], cut


def detect_encoding(data: bytes) -> str | None:
    """The first of UTF-8 and GB18030 that decodes ``data`` strictly, or None."""
    for enc in DETECT_ORDER:
        if _decodes(data, enc):
            return enc
    return None


def _decodes(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def cpg_to_codec(cpg: str) -> str | None:
    """Python codec for the code page written in a .cpg file (``UTF-8``, ``GBK``, ``936``...)."""
    key = cpg.strip().upper()
    name = _CPG_ALIASES.get(key, key)
    if name.isdigit():
        name = f"cp{name}"
    try:
        codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: NUL bytes in a garbled .cpg
        return None
    return "UTF-8" if codecs.lookup(name).name == "utf-8" else name


def _check_codec(encoding: str, path) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise error("io.unknown_encoding", path=path, encoding=repr(encoding), hint="io.encoding_names") from exc
    return encoding


def dbf_text_bytes(data: bytes) -> bytes:
    """The bytes of a .dbf that hold text: field names and records (the binary header left out)."""
    if len(data) < 32:
        return b""
    header_len, record_len = struct.unpack("<HH", data[8:12])
    names = []
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        names.append(data[pos:pos + 11].split(b"\x00", 1)[0])
        pos += 32
    n_records = struct.unpack("<I", data[4:8])[0]
    records = data[header_len:header_len + n_records * record_len] if record_len else b""
    return b" ".join(names) + b" " + records


def _first_line(exc) -> str:
    """GDAL's message, first line only and without its advice about driver prefixes (not for users)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split("; It might help")[0].split(" It might help")[0].rstrip(".; ")
