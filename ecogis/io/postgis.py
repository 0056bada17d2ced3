"""PostgreSQL/PostGIS layer sources: ``postgresql://user@host:port/db?table=schema.name`` (or ``?sql=``).

A source is read with SQLAlchemy on psycopg 3 and :func:`geopandas.read_postgis`; :mod:`ecogis.io.read`
then settles the CRS, maps fields, normalises and validates exactly as for a file. The CRS a table
*states* is the SRID of its geometries (0: none stated, so the usual inference and its note apply).

Credentials never come from the URL: a password in it is refused (it would sit in a project file or a
shell history in plain text); libpq takes it from ``PGPASSWORD`` or a pgpass file (``~/.pgpass``,
``PGPASSFILE``), as for ``psql``. Every error names the connection without a password and the table.

``table`` may name a published layer (:mod:`ecogis.store`): ``redline@2019`` is that version,
``redline`` the current one (:mod:`ecogis.io.versions`); any other name is a plain table or view.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

import geopandas as gpd

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.io.versions import HISTORY_TABLE, VersionRef, parse_ref

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
#: query keys of a source URL that ecogis reads itself (the others go to libpq: sslmode, ...)
OWN_KEYS = ("table", "sql", "schema", "geom")
ENCODING_SOURCE = "PostgreSQL (client encoding UTF8)"
CONNECT_TIMEOUT_S = 10


def is_postgres_url(value) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) connection string."""
    return isinstance(value, str) and value.strip().lower().startswith(SCHEMES)


@dataclass(frozen=True)
class PgSource:
    """A PostGIS layer: a password-free connection and a ``table`` (``schema.name``) or an ``sql`` query.

    ``str()`` names both (what errors and reports show); ``name`` is the table or ``query``."""

    connection: str
    schema: str = "public"
    table: str | None = None
    sql: str | None = None
    geom: str | None = None
    options: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.table or "query"

    @property
    def suffix(self) -> str:
        return ""

    def is_file(self) -> bool:
        """False: a table is no file (code that lists a project's files leaves it out)."""
        return False

    def __fspath__(self) -> str:
        """The description, so that ``Path(source)`` in name and suffix checks sees no file suffix."""
        return str(self)

    @property
    def qualified(self) -> str | None:
        return None if self.table is None else f"{self.schema}.{self.table}"

    def __str__(self) -> str:
        return f"{self.connection} table {self.qualified}" if self.table else f"{self.connection} (SQL query)"

    def engine(self):
        """A SQLAlchemy engine on psycopg (no pool: one connection per read)."""
        import sqlalchemy
        from sqlalchemy.pool import NullPool

        url = sqlalchemy.engine.make_url(self.connection).set(drivername="postgresql+psycopg",
                                                               query=self.options)
        return sqlalchemy.create_engine(url, poolclass=NullPool,
                                        connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                                                      "client_encoding": "utf8"})


def parse_source(text: str, table: str | None = None, sql: str | None = None, *, need_table: bool = True) -> PgSource:
    """The :class:`PgSource` of a connection URL; ``table``/``sql`` (a project's ``layer:``/``sql:``) win
    over the URL's ``?table=``/``?sql=``. EcogisError for a password in the URL, or neither table nor query
    (unless not ``need_table``: a database to write to)."""
    import sqlalchemy

    address, _, query_text = text.strip().partition("?")  # the query apart: a table may be name@version
    try:
        url = sqlalchemy.engine.make_url(address)
    except sqlalchemy.exc.ArgumentError as exc:
        raise error("store.bad_url", path=address, reason=str(exc), hint="store.url_form") from exc
    query = dict(urllib.parse.parse_qsl(query_text, keep_blank_values=True))
    if url.password is not None or "password" in query:
        shown = url.set(query={}).render_as_string(hide_password=True)  # the password as ***
        raise error("store.password_in_url", path=shown, hint="store.use_pgpass")
    schema = query.pop("schema", None) or "public"
    table = table or query.pop("table", None)
    sql = sql or query.pop("sql", None)
    geom = query.pop("geom", None)
    query.pop("table", None)
    query.pop("sql", None)
    base = url.set(drivername="postgresql", query={}).render_as_string(hide_password=True)
    if table and "." in table.split("@")[0]:
        schema, table = table.split(".", 1)
    if not table and not sql and need_table:
        raise error("store.no_table", path=base, hint="store.name_table")
    return PgSource(connection=base, schema=schema, table=table or None, sql=None if table else sql, geom=geom,
                    options=query)


def read_postgis_source(source: PgSource) -> tuple[gpd.GeoDataFrame, dict]:
    """Read a PostGIS table or query: ``(frame with the CRS its SRID states, or none; meta)``.

    ``meta`` has the keys of :mod:`ecogis.io.read` (layer, encoding, encoding_source) and, for a published
    layer, ``version`` and ``published`` (its history row)."""
    import sqlalchemy

    engine = source.engine()
    try:
        with engine.connect() as conn:
            return _read(conn, source)
    except sqlalchemy.exc.OperationalError as exc:
        raise connection_error(exc, source) from exc
    except sqlalchemy.exc.DBAPIError as exc:
        raise error("store.query_failed", path=source, reason=_first_line(exc.orig), hint="store.check_query") \
            from exc
    finally:
        engine.dispose()


def connection_error(exc, source) -> EcogisError:
    """The one-line error of a failed connection (wrong password, no such database, no server)."""
    reason = _first_line(getattr(exc, "orig", exc))
    hint = "store.use_pgpass" if "password" in reason else "store.check_connection"
    return error("store.cannot_connect", path=source, reason=reason, hint=hint)


def _first_line(exc) -> str:
    """What the server said, without libpq's 'connection to server at ... failed:' preamble."""
    text = str(exc).strip()
    if "FATAL:" in text:
        text = text.rsplit("FATAL:", 1)[1]
    elif "failed:" in text:
        text = text.rsplit("failed:", 1)[1]
    return " ".join(text.split("\n")[0].split())


def _read(conn, source: PgSource) -> tuple[gpd.GeoDataFrame, dict]:
    meta: dict = {"layer": source.qualified, "encoding": "utf-8", "encoding_source": ENCODING_SOURCE}
    if source.sql is not None:
        geom = source.geom or _query_geometry_column(conn, source)
        gdf = _read_sql(conn, source.sql, geom, source)
    else:
        table = _resolve_table(conn, source, meta)
        geom = source.geom or _table_geometry_column(conn, source.schema, table, source)
        gdf = _read_sql(conn, table_sql(source.schema, table), geom, source)
    if len(gdf) == 0:
        raise error("store.no_features", path=source, hint="store.name_table")
    return gdf, meta


def table_sql(schema: str, table: str) -> str:
    """The query reading a whole table in the order of the rows' places (ctid): a plain scan of a large
    table may start mid-table (synchronized scans), and the Dask workers read ranges of this order
    (ecogis.site_parts_postgis)."""
    return f"SELECT * FROM {_quote(schema)}.{_quote(table)} ORDER BY ctid"


def _read_sql(conn, sql: str, geom: str, source) -> gpd.GeoDataFrame:
    import sqlalchemy

    # geopandas takes the CRS from the SRID of the first geometry; SRID 0 (none stated) leaves it None
    return gpd.read_postgis(sqlalchemy.text(sql), conn, geom_col=geom)


def _resolve_table(conn, source: PgSource, meta: dict) -> str:
    """The table holding ``source.table``: a published version (name@version, or the current one of a
    name in the history table), else the table itself; EcogisError when there is none."""
    ref = parse_ref(source.table)
    row = _history_row(conn, source.schema, ref)
    if row is not None:
        meta.update(version=row["version"], published=row)
        return str(row["table_name"])
    if ref.version is not None:
        raise error("store.no_version", path=source.connection, name=ref.name, version=ref.version,
                    versions=", ".join(_versions(conn, source.schema, ref.name)) or "none",
                    hint="store.publish_first")
    if not _table_exists(conn, source.schema, ref.name):
        raise error("store.no_table_found", path=source.connection, table=source.qualified, hint="store.check_table")
    return ref.name


def _table_exists(conn, schema: str, table: str) -> bool:
    import sqlalchemy

    found = conn.execute(sqlalchemy.text("SELECT to_regclass(:name) IS NOT NULL"),
                         {"name": f"{_quote(schema)}.{_quote(table)}"}).scalar()
    return bool(found)


def _history_row(conn, schema: str, ref: VersionRef) -> dict | None:
    import sqlalchemy

    if not _table_exists(conn, schema, HISTORY_TABLE):
        return None
    where = "version = :version" if ref.version is not None else "is_current"
    row = conn.execute(sqlalchemy.text(f"SELECT * FROM {_quote(schema)}.{HISTORY_TABLE} "
                                       f"WHERE name = :name AND {where}"),
                       {"name": ref.name, "version": ref.version}).mappings().first()
    return None if row is None else {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _versions(conn, schema: str, name: str) -> list[str]:
    import sqlalchemy

    if not _table_exists(conn, schema, HISTORY_TABLE):
        return []
    rows = conn.execute(sqlalchemy.text(f"SELECT version FROM {_quote(schema)}.{HISTORY_TABLE} WHERE name = :name "
                                        "ORDER BY published_at"), {"name": name})
    return [r[0] for r in rows]


def _table_geometry_column(conn, schema: str, table: str, source) -> str:
    import sqlalchemy

    row = conn.execute(sqlalchemy.text("SELECT f_geometry_column FROM geometry_columns "
                                       "WHERE f_table_schema = :schema AND f_table_name = :table"),
                       {"schema": schema, "table": table}).first()
    if row is None:
        raise error("store.no_geometry", path=source, hint="store.check_table")
    return str(row[0])


def _query_geometry_column(conn, source: PgSource) -> str:
    """The first column of the query whose type is PostGIS ``geometry``."""
    import sqlalchemy

    oid = conn.execute(sqlalchemy.text("SELECT oid FROM pg_type WHERE typname = 'geometry'")).scalar()
    result = conn.exec_driver_sql(f"SELECT * FROM ({source.sql}) AS q LIMIT 0")
    for column in result.cursor.description or []:
        if column.type_code == oid:
            return str(column.name)
    raise error("store.no_geometry", path=source, hint="store.select_geometry")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
