"""``ecogis publish``: a layer (any format ecogis reads) as a named, dated version in a store.

The layer is read and normalised for its kind (canonical fields, repaired geometries), then written
to a PostGIS database (:mod:`ecogis.store.postgis_store`) or a GeoPackage (:mod:`ecogis.store.gpkg_store`)
as the table ``name__version`` with a spatial index, and recorded in the history table (name, version,
time, source path and SHA-256, feature count, CRS, kind, ecogis version, current flag). The first
version of a name becomes current; later ones only with ``as_current``. Publishing is atomic: a failure
leaves the store as it was (the previous version current). An existing version is refused unless
``overwrite``.
"""
from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import geopandas as gpd

from ecogis.error_messages import error
from ecogis.io import read_layer_info
from ecogis.io.postgis import PgSource, is_postgres_url, parse_source
from ecogis.io.versions import check_name, version_table
from ecogis.layer_info import LayerInfo
from ecogis.store.result import PublishResult


def publish(source, kind: str, target, name: str, version: str, *, as_current: bool = False,
            overwrite: bool = False, read_options: dict | None = None) -> PublishResult:
    """Publish the layer ``source`` (a path or PostGIS source, read as ``kind``) into ``target`` (a
    ``postgresql://`` URL, ``?schema=`` optional, or a ``.gpkg`` path) as ``name`` version ``version``."""
    table = version_table(check_name(name), version)
    gdf, info = read_layer_info(source, kind=kind, **(read_options or {}))
    row = history_row(gdf, info, source, name, version, table, kind)
    store = _store(target)
    return store.publish(_plain(gdf), row, as_current=as_current, overwrite=overwrite)


def _store(target):
    from ecogis.store.gpkg_store import GpkgStore
    from ecogis.store.postgis_store import PostgisStore

    if is_postgres_url(target) or isinstance(target, PgSource):
        source = target if isinstance(target, PgSource) else parse_source(str(target), need_table=False)
        return PostgisStore(source)
    path = Path(target)
    if path.suffix.lower() != ".gpkg":
        raise error("store.target_form", path=path, hint="store.target_hint")
    return GpkgStore(path)


def history_row(gdf: gpd.GeoDataFrame, info: LayerInfo, source, name: str, version: str, table: str,
                kind: str) -> dict:
    """The history row of a version: what it is, where it came from (path, SHA-256), its size and CRS."""
    import ecogis

    return {"name": name, "version": version, "table_name": table,
            "published_at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0),
            "kind": kind, "source_path": str(source), "source_sha256": source_sha256(source, gdf),
            "features": int(len(gdf)), "crs": info.crs if gdf.crs is None else _crs_code(gdf),
            "ecogis_version": ecogis.__version__, "is_current": False}


def _crs_code(gdf) -> str:
    epsg = gdf.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else gdf.crs.to_string()


def source_sha256(source, gdf) -> str:
    """SHA-256 of the source: the file's bytes (a shapefile with its sidecars, a folder's files in name
    order); for a database source, of the features as read (WKB and attributes)."""
    digest = hashlib.sha256()
    if isinstance(source, PgSource) or is_postgres_url(source):
        digest.update(gdf.to_json(sort_keys=True, default=str).encode())
        return digest.hexdigest()
    path = Path(source)
    for part in _source_files(path):
        with open(part, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _source_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.suffix.lower() == ".shp":
        return [path] + sorted(p for p in path.parent.glob(path.stem + ".*") if p != path)
    return [path]


def _plain(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame to write: ecogis's attrs dropped, the geometry column named ``geom``."""
    out = gdf.copy()
    out.attrs = {}
    return out.rename_geometry("geom") if out.geometry.name != "geom" else out
