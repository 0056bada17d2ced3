"""Publishing into a GeoPackage: the version's layer (pyogrio, with GDAL's R-tree spatial index) and the
history table are written into a copy of the file, which then replaces it (``os.replace``): a failure
leaves the GeoPackage as it was."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio

from ecogis.error_messages import error
from ecogis.io.versions import HISTORY_COLUMNS, HISTORY_TABLE, gpkg_history
from ecogis.store.result import PublishResult


class GpkgStore:
    """A GeoPackage (created when missing) as a layer store."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def publish(self, gdf: gpd.GeoDataFrame, row: dict, *, as_current: bool, overwrite: bool):
        history = gpkg_history(self.path) if self.path.exists() else []
        old = next((r for r in history if r["name"] == row["name"] and r["version"] == row["version"]), None)
        layers = {n for n, _ in pyogrio.list_layers(self.path)} if self.path.exists() else set()
        if (old is not None or row["table_name"] in layers) and not overwrite:
            raise error("store.version_exists", path=self.path, name=row["name"], version=row["version"],
                        table=row["table_name"], hint="store.overwrite")
        others = [r for r in history if r["name"] == row["name"] and r is not old]
        row = {**row, "is_current": as_current or not any(r["is_current"] for r in others)}
        with replacing(self.path) as work:
            # an existing layer of that name is replaced (GDAL's GeoPackage driver, the R-tree index rebuilt)
            pyogrio.write_dataframe(gdf, work, layer=row["table_name"], driver="GPKG")
            _record(work, row)
        versions = [r["version"] for r in gpkg_history(self.path) if r["name"] == row["name"]]
        current = next((r["version"] for r in gpkg_history(self.path) if r["name"] == row["name"] and r["is_current"]),
                       None)
        return PublishResult(store=str(self.path), row=row, versions=versions, current=current)

def replacing(path: Path) -> _Replacing:
    """A working copy of ``path`` (a GeoPackage) that replaces it when the block succeeds."""
    return _Replacing(path)


class _Replacing:
    """A working copy of ``path`` next to it that replaces it on success and is removed on failure."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> Path:
        fd, name = tempfile.mkstemp(prefix=f".{self.path.stem}-", suffix=".gpkg", dir=self.path.parent)
        os.close(fd)
        self.work = Path(name)
        if self.path.exists():
            shutil.copyfile(self.path, self.work)
        else:
            self.work.unlink()
        return self.work

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            os.replace(self.work, self.path)
        else:
            self.work.unlink(missing_ok=True)


def _record(path: Path, row: dict) -> None:
    """Insert the history row (and switch the current flag) in one SQLite transaction."""
    columns = ", ".join(f"{name} {sql.replace('timestamptz', 'text')}" for name, sql in HISTORY_COLUMNS.items())
    values = {**row, "published_at": row["published_at"].isoformat(), "is_current": int(row["is_current"])}
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} ({columns}, PRIMARY KEY (name, version))")
        conn.execute(f"DELETE FROM {HISTORY_TABLE} WHERE name = :name AND version = :version", values)
        if row["is_current"]:
            conn.execute(f"UPDATE {HISTORY_TABLE} SET is_current = 0 WHERE name = :name", values)
        names = ", ".join(HISTORY_COLUMNS)
        conn.execute(f"INSERT INTO {HISTORY_TABLE} ({names}) VALUES ({', '.join(':' + n for n in HISTORY_COLUMNS)})",
                     values)
