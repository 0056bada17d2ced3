"""GeoParquet in and out: one ``.parquet`` file, or a folder of them (one table in parts), via pyarrow.

Reading gives the raw frame and the CRS the file *states*; :mod:`ecogis.io.read` then settles the CRS,
maps fields, normalises and validates exactly as for any other file. A GeoParquet whose metadata
states no CRS (the ``crs`` member missing or null) is read without one, so the usual inference and
its note apply; geopandas would otherwise take OGC:CRS84 (the specification's default) silently.
Text in Parquet is UTF-8 by specification: there is no encoding to guess.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from ecogis.error_messages import error

PARQUET_SUFFIXES = (".parquet", ".geoparquet")
ENCODING_SOURCE = "GeoParquet (UTF-8 by specification)"


def is_parquet_folder(path: Path) -> bool:
    """True for a folder holding ``*.parquet`` parts (a partitioned GeoParquet dataset)."""
    return path.is_dir() and any(p.suffix.lower() in PARQUET_SUFFIXES for p in path.rglob("*") if p.is_file())


def _parts(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES)
    return [path]


def geo_metadata(path: Path) -> dict:
    """The ``geo`` metadata of a GeoParquet file (of the first part of a folder); EcogisError if none."""
    import pyarrow.parquet as pq

    part = _parts(path)[0]
    try:
        meta = pq.read_schema(part).metadata or {}
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise error("scale.parquet_unreadable", path=part, reason=str(exc).splitlines()[0],
                    hint="scale.parquet_check_file") from exc
    if b"geo" not in meta:
        raise error("scale.parquet_no_geo", path=part, hint="scale.parquet_write_geo")
    geo: dict = json.loads(meta[b"geo"])
    return geo


def read_geoparquet(path: Path) -> tuple[gpd.GeoDataFrame, dict]:
    """Read a GeoParquet file or folder: ``(frame with the CRS its metadata states, or none; meta)``.

    ``meta`` has the keys of :mod:`ecogis.io.read` (layer, encoding, encoding_source) and ``parts``.
    """
    geo = geo_metadata(path)
    primary = geo.get("primary_column", "geometry")
    stated = (geo.get("columns") or {}).get(primary, {}).get("crs")
    try:
        gdf = gpd.read_parquet(path)
    except (OSError, ValueError, TypeError) as exc:
        raise error("scale.geoparquet_unreadable", path=path, reason=str(exc).splitlines()[0],
                    hint="scale.geoparquet_same_columns") from exc
    if stated is None:  # no CRS stated: do not take the specification's OGC:CRS84 default unsaid
        gdf = gdf.set_crs(None, allow_override=True)
    if len(gdf) == 0:
        raise error("scale.geoparquet_empty", path=path, hint="scale.right_file")
    meta = {"layer": None, "encoding": "utf-8", "encoding_source": ENCODING_SOURCE, "parts": len(_parts(path))}
    return gdf, meta


def write_geoparquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``gdf`` as one GeoParquet file (GeoParquet 1.x metadata with its CRS as PROJJSON)."""
    gdf.to_parquet(path, index=False)
