"""Publishing into PostGIS: one transaction writes the version's table (geopandas ``to_postgis``,
GiST index), its history row and the current flag, so a failure leaves the database as it was."""
from __future__ import annotations

import geopandas as gpd

from ecogis.error_messages import error
from ecogis.io.postgis import PgSource, connection_error
from ecogis.io.versions import HISTORY_COLUMNS, HISTORY_TABLE
from ecogis.store.result import PublishResult


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class PostgisStore:
    """The schema ``source.schema`` (default ``public``) of a PostGIS database as a layer store."""

    def __init__(self, source: PgSource):
        self.source = source
        self.schema = source.schema

    def _history(self) -> str:
        return f"{_quote(self.schema)}.{HISTORY_TABLE}"

    def publish(self, gdf: gpd.GeoDataFrame, row: dict, *, as_current: bool, overwrite: bool):
        import sqlalchemy

        engine = self.source.engine()
        try:
            with engine.begin() as conn:
                self._ensure_history(conn)
                self._make_room(conn, row, overwrite)
                _write_table(conn, gdf, row["table_name"], self.schema, self.source)
                row = {**row, "is_current": as_current or not self._has_current(conn, row["name"])}
                self._record(conn, row)
                versions, current = self.versions(conn, row["name"])
        except sqlalchemy.exc.OperationalError as exc:
            raise connection_error(exc, self.source) from exc
        finally:
            engine.dispose()
        return PublishResult(store=f"{self.source.connection} schema {self.schema}", row=row, versions=versions,
                             current=current)

    def _ensure_history(self, conn) -> None:
        import sqlalchemy

        columns = ", ".join(f"{name} {sql}" for name, sql in HISTORY_COLUMNS.items())
        conn.execute(sqlalchemy.text(f"CREATE TABLE IF NOT EXISTS {self._history()} ({columns}, "
                                     "PRIMARY KEY (name, version))"))
        # at most one current version per name
        conn.execute(sqlalchemy.text(f"CREATE UNIQUE INDEX IF NOT EXISTS {HISTORY_TABLE}_current "
                                     f"ON {self._history()} (name) WHERE is_current"))

    def _make_room(self, conn, row: dict, overwrite: bool) -> None:
        """Refuse an existing version (or drop it, with ``overwrite``; its current flag carries over)."""
        import sqlalchemy

        old = conn.execute(sqlalchemy.text(f"SELECT is_current FROM {self._history()} WHERE name = :name "
                                           "AND version = :version"), row).first()
        taken = conn.execute(sqlalchemy.text("SELECT to_regclass(:t) IS NOT NULL"),
                             {"t": f"{_quote(self.schema)}.{_quote(row['table_name'])}"}).scalar()
        if (old is not None or taken) and not overwrite:
            raise error("store.version_exists", path=self.source.connection, name=row["name"],
                        version=row["version"], table=row["table_name"], hint="store.overwrite")
        # an overwritten current version leaves no current one, so the new data becomes current
        conn.execute(sqlalchemy.text(f"DELETE FROM {self._history()} WHERE name = :name AND version = :version"), row)
        conn.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {_quote(self.schema)}.{_quote(row['table_name'])}"))

    def _has_current(self, conn, name: str) -> bool:
        import sqlalchemy

        return conn.execute(sqlalchemy.text(f"SELECT count(*) FROM {self._history()} WHERE name = :name "
                                            "AND is_current"), {"name": name}).scalar() > 0

    def _record(self, conn, row: dict) -> None:
        import sqlalchemy

        if row["is_current"]:
            conn.execute(sqlalchemy.text(f"UPDATE {self._history()} SET is_current = false WHERE name = :name"), row)
        names = ", ".join(HISTORY_COLUMNS)
        values = ", ".join(f":{n}" for n in HISTORY_COLUMNS)
        conn.execute(sqlalchemy.text(f"INSERT INTO {self._history()} ({names}) VALUES ({values})"), row)

    def versions(self, conn, name: str) -> tuple[list[str], str | None]:
        import sqlalchemy

        rows = conn.execute(sqlalchemy.text(f"SELECT version, is_current FROM {self._history()} WHERE name = :name "
                                            "ORDER BY published_at, version"), {"name": name}).all()
        return [r[0] for r in rows], next((r[0] for r in rows if r[1]), None)

    def set_current(self, name: str, version: str) -> None:
        """Make ``version`` the current version of ``name`` (one transaction)."""
        import sqlalchemy

        engine = self.source.engine()
        try:
            with engine.begin() as conn:
                known = conn.execute(sqlalchemy.text(f"SELECT 1 FROM {self._history()} WHERE name = :name "
                                                     "AND version = :version"),
                                     {"name": name, "version": version}).first()
                if known is None:
                    versions, _ = self.versions(conn, name)
                    raise error("store.no_version", path=self.source.connection, name=name, version=version,
                                versions=", ".join(versions) or "none", hint="store.publish_first")
                conn.execute(sqlalchemy.text(f"UPDATE {self._history()} SET is_current = (version = :version) "
                                             "WHERE name = :name"), {"name": name, "version": version})
        finally:
            engine.dispose()


def _write_table(conn, gdf: gpd.GeoDataFrame, table: str, schema: str, source) -> None:
    """The version's table with a GiST index on its geometry (SRID of the layer's EPSG code)."""
    import sqlalchemy

    epsg = gdf.crs.to_epsg() if gdf.crs is not None else None
    if epsg is None:
        raise error("store.crs_no_epsg", path=source.connection, crs=str(gdf.crs), hint="store.give_epsg")
    gdf.to_postgis(table, conn, schema=schema, if_exists="fail", index=False)
    indexed = conn.execute(sqlalchemy.text("SELECT count(*) FROM pg_indexes WHERE schemaname = :s AND tablename = :t "
                                           "AND indexdef ILIKE '%USING gist%'"), {"s": schema, "t": table}).scalar()
    if not indexed:
        conn.execute(sqlalchemy.text(f"CREATE INDEX {_quote(table + '_geom_gist')} ON "
                                     f"{_quote(schema)}.{_quote(table)} USING GIST (geom)"))
