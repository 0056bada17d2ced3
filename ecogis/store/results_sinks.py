"""The two results stores a run streams into, each atomic per run:

- PostGIS: the tables are created when missing (their own short transaction, under an advisory lock so
  that concurrent runs do not race to create them), then every chunk is appended with COPY inside one
  transaction that is committed at the end of the run: a failed run leaves no rows.
- GeoPackage: the chunks go into a working copy next to the file (GDAL's GeoPackage driver through
  pyogrio), which replaces it at the end (``os.replace``); one run at a time per file in this process.

An existing table whose columns are not the run's is refused with a one-line error (never altered).
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pandas as pd

from ecogis.error_messages import error
from ecogis.store.results_target import ResultsTarget

PG_TYPES = {"text": "text", "float": "double precision", "int": "bigint", "time": "timestamptz",
            "geometry": "geometry(Geometry, 4490)"}
_FILE_LOCKS: dict[str, threading.Lock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def open_sink(target: ResultsTarget, tables: dict) -> PgSink | GpkgSink:
    """The open sink of ``target`` with ``tables`` ({name: {column: kind}}) checked or created."""
    return PgSink(target, tables) if target.pg is not None else GpkgSink(target, tables)


def schema_error(target: ResultsTarget, table: str, expected, found):
    """The one-line error of a table whose columns are not ``expected`` (up to 6 names of each side)."""
    def names(columns) -> str:
        columns = sorted(columns)
        return ", ".join(columns[:6]) + (f" (+{len(columns) - 6})" if len(columns) > 6 else "") or "-"

    return error("store.results_schema", path=target.pg.connection if target.pg else target.path,
                 table=target.qualified(table), missing=names(set(expected) - set(found)),
                 extra=names(set(found) - set(expected)), hint="store.results_schema_hint")


class PgSink:
    """One run into PostGIS: one connection, one transaction (the tables it creates are part of it)."""

    def __init__(self, target: ResultsTarget, tables: dict):
        assert target.pg is not None
        self.target = target
        self.engine = target.pg.engine()
        try:
            with _db_errors(target):
                self.conn = self.engine.connect()
        except BaseException:
            self.engine.dispose()
            raise
        self.tx = self.conn.begin()
        try:
            with _db_errors(target):
                for name, columns in tables.items():
                    self._create_or_check(name, columns)
        except BaseException:
            self.close()
            raise

    def _columns(self, name: str) -> list[str]:
        import sqlalchemy

        return list(self.conn.execute(sqlalchemy.text("SELECT column_name FROM information_schema.columns "
                                                      "WHERE table_schema = :s AND table_name = :t"),
                                      {"s": self.target.schema, "t": name}).scalars())

    def _create_or_check(self, name: str, columns: dict) -> None:
        """Refuse a table of other columns; create a missing one under a lock held to the end of the run,
        so that a concurrent first run waits instead of racing to create it."""
        import sqlalchemy

        found = self._columns(name)
        if not found:
            self.conn.execute(sqlalchemy.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                              {"name": f"ecogis results {self.target.schema}.{name}"})
            found = self._columns(name)
        if found:
            if set(found) != set(columns):
                raise schema_error(self.target, name, columns, found)
            return
        qualified = f"{quote(self.target.schema)}.{quote(name)}"
        body = ", ".join(f"{quote(c)} {PG_TYPES[k]}" for c, k in columns.items())
        self.conn.execute(sqlalchemy.text(f"CREATE TABLE {qualified} ({body})"))
        if "geom" in columns:
            self.conn.execute(sqlalchemy.text(f"CREATE INDEX ON {qualified} USING gist (geom)"))
        self.conn.execute(sqlalchemy.text(f"CREATE INDEX ON {qualified} (run_id)"))

    def append(self, table: str, frame: pd.DataFrame) -> None:
        with _db_errors(self.target):
            if hasattr(frame, "to_postgis"):
                frame.to_postgis(table, self.conn, schema=self.target.schema, if_exists="append", index=False)
            else:
                frame.to_sql(table, self.conn, schema=self.target.schema, if_exists="append", index=False,
                             method=_copy_rows)

    def commit(self) -> None:
        with _db_errors(self.target):
            self.tx.commit()

    def close(self) -> None:
        """Roll back what was not committed, and close the connection."""
        if self.tx.is_active:
            self.tx.rollback()
        self.conn.close()
        self.engine.dispose()


@contextlib.contextmanager
def _db_errors(target: ResultsTarget):
    """A database failure as a one-line EcogisError naming the connection (no password) and the table."""
    import psycopg
    import sqlalchemy

    from ecogis.io.postgis import _first_line, connection_error

    try:
        yield
    except sqlalchemy.exc.OperationalError as exc:
        raise connection_error(exc, target) from exc
    except sqlalchemy.exc.DBAPIError as exc:
        raise error("store.query_failed", path=target, reason=_first_line(exc.orig), hint="store.check_query") \
            from exc
    except psycopg.Error as exc:  # raised by COPY on the driver's own cursor
        raise error("store.query_failed", path=target, reason=_first_line(exc), hint="store.check_query") from exc


def _copy_rows(table, conn, keys, data_iter) -> None:
    """pandas ``to_sql`` method: the rows through PostgreSQL's COPY (psycopg 3)."""
    name = f"{quote(table.schema)}.{quote(table.name)}" if table.schema else quote(table.name)
    columns = ", ".join(quote(k) for k in keys)
    with conn.connection.cursor() as cursor, cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
        for row in data_iter:
            copy.write_row(row)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class GpkgSink:
    """One run into a GeoPackage: a working copy that replaces the file at :meth:`commit`."""

    def __init__(self, target: ResultsTarget, tables: dict):
        from ecogis.store.gpkg_store import replacing

        assert target.path is not None
        self.target, self.tables = target, tables
        self.lock = file_lock(target.path)
        self.lock.acquire()
        try:
            self.existing = self._check(target.path, tables)
            self.replacing = replacing(target.path)
            self.work = self.replacing.__enter__()
        except BaseException:
            self.lock.release()
            raise
        self.done = False

    def _check(self, path: Path, tables: dict) -> set:
        import pyogrio

        if not path.exists():
            return set()
        layers = {str(n) for n, _ in pyogrio.list_layers(path)}
        for name in set(tables) & layers:
            info = pyogrio.read_info(path, layer=name)
            found = list(info["fields"]) + ([info["geometry_name"]] if info.get("geometry_name") else [])
            if set(found) != set(tables[name]):
                raise schema_error(self.target, name, tables[name], found)
        return set(tables) & layers

    def append(self, table: str, frame: pd.DataFrame) -> None:
        import pyogrio

        options = {"geometry_type": "Unknown"} if "geom" in self.tables[table] else {}
        pyogrio.write_dataframe(frame, self.work, layer=table, driver="GPKG", append=table in self.existing,
                                **({} if table in self.existing else options))
        self.existing.add(table)

    def commit(self) -> None:
        self.replacing.__exit__(None, None, None)
        self.done = True
        self.lock.release()

    def close(self) -> None:
        if not self.done:
            self.replacing.__exit__(RuntimeError, None, None)
            self.done = True
            self.lock.release()


def file_lock(path: Path) -> threading.Lock:
    """The lock of the results GeoPackage ``path`` in this process (one writer at a time)."""
    key = str(path.resolve())
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(key, threading.Lock())
