"""Which history store the service keeps: SQLite in its data folder, or PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from ecogis.web.store import Store


def open_store(data_dir: Path, history: str | None = None):
    """The service's store: SQLite in ``data_dir`` (default), or PostgreSQL when ``history`` is a
    ``postgresql://`` URL (:class:`ecogis.web.store_pg.PostgresStore`, same methods)."""
    if history:
        from ecogis.web.store_pg import PostgresStore

        return PostgresStore(history)
    return Store(data_dir)
