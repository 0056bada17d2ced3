"""Shapefile integrity checks: the side-car parts (.shx, .dbf), the .shp length its header declares, the
.shx offsets against the .shp records, and records GDAL read as no geometry although they hold one."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import error
from ecogis.messages import say


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
