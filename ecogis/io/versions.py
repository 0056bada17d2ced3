"""Published layer versions (written by :mod:`ecogis.store`), as readers see them.

A published layer ``redline`` has one table per version (``redline__2019``, ``redline__2023_adjusted``)
and one row per version in the history table ``ecogis_layer_versions`` (in the PostGIS schema, or in
the GeoPackage): name, version, table, publication time, source path and SHA-256, feature count,
CRS, kind, ecogis version and the ``is_current`` flag. A layer reference ``redline@2019`` names a
version; ``redline`` alone names the current one.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ecogis.error_messages import error

HISTORY_TABLE = "ecogis_layer_versions"
#: the history table's columns, in order (SQL types for PostGIS; the GeoPackage keeps them as SQLite types)
HISTORY_COLUMNS = {
    "name": "text NOT NULL", "version": "text NOT NULL", "table_name": "text NOT NULL",
    "published_at": "timestamptz NOT NULL", "kind": "text", "source_path": "text NOT NULL",
    "source_sha256": "text NOT NULL", "features": "integer NOT NULL", "crs": "text",
    "ecogis_version": "text NOT NULL", "is_current": "boolean NOT NULL",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_IDENTIFIER = 63  # PostgreSQL's identifier length


@dataclass(frozen=True)
class VersionRef:
    """``name`` and ``version`` (None: the current version) of a layer reference ``name@version``."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


def parse_ref(text) -> VersionRef:
    """``redline@2019`` -> VersionRef("redline", "2019"); ``redline`` -> VersionRef("redline")."""
    name, _, version = str(text).partition("@")
    return VersionRef(name.strip(), version.strip() or None)


def check_name(name: str) -> str:
    """``name`` if it can name a published layer (letters, digits, _; not starting with a digit)."""
    if not _NAME.match(name) or len(name) > 40:
        raise error("store.bad_name", name=repr(name), hint="store.name_form")
    return name


def version_table(name: str, version: str) -> str:
    """The table holding version ``version`` of ``name``: ``name__version`` with every character other
    than a letter or digit as ``_`` (lower case, at most 63 characters)."""
    slug = re.sub(r"[^a-z0-9]+", "_", version.lower()).strip("_")
    if not slug or len(version) > 20:
        raise error("store.bad_version", version=repr(version), hint="store.version_form")
    table = f"{check_name(name).lower()}__{slug}"
    if len(table) > MAX_IDENTIFIER:
        raise error("store.bad_version", version=repr(version), hint="store.version_form")
    return table


def gpkg_history(path: Path) -> list[dict]:
    """The history rows of a GeoPackage (oldest first); [] when it has no history table."""
    with sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        known = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (HISTORY_TABLE,)).fetchone()
        if known is None:
            return []
        rows = conn.execute(f"SELECT * FROM {HISTORY_TABLE} ORDER BY published_at, rowid").fetchall()
    return [{**dict(r), "is_current": bool(r["is_current"])} for r in rows]


def gpkg_version(path: Path, layer: str | None) -> dict | None:
    """The history row ``layer`` names in the GeoPackage ``path`` (``name@version``, or a published
    ``name``: its current version), or None when ``layer`` is a plain layer. EcogisError for a version
    that was never published."""
    if layer is None or Path(path).suffix.lower() != ".gpkg":
        return None
    ref = parse_ref(layer)
    rows = [r for r in gpkg_history(path) if r["name"] == ref.name]
    if not rows:
        return None
    chosen = [r for r in rows if (r["version"] == ref.version if ref.version is not None else r["is_current"])]
    if not chosen:
        raise error("store.no_version", path=path, name=ref.name, version=ref.version or "current",
                    versions=", ".join(r["version"] for r in rows), hint="store.publish_first")
    return chosen[0]


def current_gpkg_layers(path: Path) -> dict[str, str]:
    """``{name: table}`` of the current version of every layer published in the GeoPackage ``path``."""
    return {r["name"]: r["table_name"] for r in gpkg_history(path) if r["is_current"]}


def version_tables_gpkg(path: Path) -> set[str]:
    """The tables of every published version in the GeoPackage ``path``."""
    return {r["table_name"] for r in gpkg_history(path)}
