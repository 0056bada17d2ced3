"""PostGIS site tables read in ranges of rows on the Dask workers (:mod:`ecogis.site_parts`: the same
digests, settling and screening as GeoParquet row groups and vector files).

The calling process asks the database only for metadata: the table (``?table=``), its geometry column,
its number of rows and the SRID of its first geometry (the CRS :func:`geopandas.read_postgis` gives the
whole table). Each worker then reads its range of rows with ``ORDER BY ctid LIMIT n OFFSET k``: the
table's physical order, ranges of the whole-table read of :mod:`ecogis.io.postgis` (``table_sql``),
so that each site keeps its position in the layer (ids, names, notes naming a feature row). The
password comes from PGPASSWORD or a pgpass file in the workers' environment, as for the calling process.

Read in the calling process instead (as before): a ``?sql=`` query, a view, a published layer (its
version and history row go into the site metadata), a table whose geometries state no SRID when no
``--site-crs`` is given (its CRS is inferred from all the coordinates), and a source the metadata query
cannot read (the whole-table reader then gives its one-line error).
"""
from __future__ import annotations

from typing import Any

import geopandas as gpd

from ecogis.io.postgis import ENCODING_SOURCE, PgSource, parse_source
from ecogis.site_parts_vector import MIN_PARTS, PART_ROWS


def postgis_source(site: str, site_crs: Any) -> dict | None:
    """The fields of the :class:`ecogis.site_parts.SiteSource` of a PostGIS site table read in ranges of
    at most :data:`PART_ROWS` rows (fewer, so that there are :data:`MIN_PARTS` ranges), or None where it
    is read in the calling process (see the module docstring)."""
    import sqlalchemy

    from ecogis.errors import EcogisError

    try:
        source = parse_source(site)
    except EcogisError:
        return None  # the whole-table reader gives the error
    if source.sql is not None:
        return None
    engine = source.engine()
    try:
        with engine.connect() as conn:
            found = _table_facts(conn, source)
    except (sqlalchemy.exc.SQLAlchemyError, EcogisError):
        return None
    finally:
        engine.dispose()
    if found is None:
        return None
    table, geom, count, srid = found
    if count <= 0 or (not srid and site_crs is None):
        return None
    size = min(PART_ROWS, -(-count // MIN_PARTS))
    rows = tuple(min(size, count - lo) for lo in range(0, count, size))
    return dict(path=source, files=(table, geom, str(srid)), rows=rows, stated_crs=bool(srid), site_crs=site_crs,
                fmt="postgis", layer=source.qualified, encoding="utf-8", encoding_source=ENCODING_SOURCE)


def _table_facts(conn, source: PgSource) -> tuple[str, str, int, int] | None:
    """(table, geometry column, rows, SRID of the first geometry) of a plain table; None for a published
    layer or a view."""
    import sqlalchemy

    from ecogis.io.postgis import _quote, _resolve_table, _table_geometry_column

    meta: dict = {}
    table = _resolve_table(conn, source, meta)
    if "version" in meta:
        return None
    name = f"{_quote(source.schema)}.{_quote(table)}"
    kind = conn.execute(sqlalchemy.text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:name)"),
                        {"name": name}).scalar()
    if kind not in ("r", b"r"):
        return None
    geom = source.geom or _table_geometry_column(conn, source.schema, table, source)
    count = int(conn.execute(sqlalchemy.text(f"SELECT count(*) FROM {name}")).scalar() or 0)
    srid = conn.execute(sqlalchemy.text(f"SELECT ST_SRID({_quote(geom)}) FROM {name} "
                                        f"WHERE {_quote(geom)} IS NOT NULL ORDER BY ctid LIMIT 1")).scalar()
    return table, geom, count, int(srid or 0)


def read_rows(source: Any, start: int, count: int) -> gpd.GeoDataFrame:
    """Rows ``start`` to ``start + count`` of the table of ``source`` in its physical order, as
    :func:`geopandas.read_postgis` reads them (raw, not normalised), in the CRS of the table's SRID."""
    from ecogis.io.postgis import _read_sql, table_sql

    pg: PgSource = source.path
    table, geom, srid = source.files
    sql = f"{table_sql(pg.schema, table)} LIMIT {int(count)} OFFSET {int(start)}"
    engine = pg.engine()
    try:
        with engine.connect() as conn:
            gdf = _read_sql(conn, sql, geom, pg)
    finally:
        engine.dispose()
    if gdf.crs is None and int(srid):  # a range without geometries: the table's CRS all the same
        gdf = gdf.set_crs(int(srid))
    return gdf
