"""Where ``--results-to`` writes a batch: ``postgresql://user@host/db[?table=schema.name][&findings=name]``
or ``results.gpkg[?table=name][&findings=name]``.

``table`` names the site table (default :data:`DEFAULT_TABLE`); ``findings``, when given, names the table
the findings go to (none without it). The password never comes from the URL (PGPASSWORD or a pgpass file).
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ecogis.error_messages import error
from ecogis.io.postgis import PgSource, is_postgres_url, parse_source

DEFAULT_TABLE = "ecogis_batch_sites"
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")  # spelled into SQL: plain identifiers only


@dataclass(frozen=True)
class ResultsTarget:
    """A results store: ``pg`` (a PostGIS database, ``schema``) or ``path`` (a GeoPackage); the site
    ``table`` and the optional ``findings`` table."""

    pg: PgSource | None
    path: Path | None
    table: str
    findings: str | None
    schema: str = "public"

    @property
    def where(self) -> str:
        """Password-free: the connection (with the schema) or the file."""
        return f"{self.pg.connection} schema {self.schema}" if self.pg is not None else str(self.path)

    def __str__(self) -> str:
        """Password-free: the connection (or file) and the site table."""
        where = self.pg.connection if self.pg is not None else str(self.path)
        return f"{where} table {self.qualified(self.table)}"

    def qualified(self, table: str) -> str:
        return f"{self.schema}.{table}" if self.pg is not None else table


def parse_results_target(text: str) -> ResultsTarget:
    """The :class:`ResultsTarget` of a ``--results-to`` value; EcogisError for a password in the URL, a
    file that is no ``.gpkg`` or a table name that is not a plain identifier."""
    address, _, query_text = str(text).strip().partition("?")
    query = dict(urllib.parse.parse_qsl(query_text, keep_blank_values=True))
    findings = query.pop("findings", None) or None
    if is_postgres_url(address):
        rest = urllib.parse.urlencode(query, safe=".@")
        pg = parse_source(address + (f"?{rest}" if rest else ""), need_table=False)
        table = pg.table or DEFAULT_TABLE
        target = ResultsTarget(pg=pg, path=None, table=table, findings=findings, schema=pg.schema)
    else:
        path = Path(address)
        if path.suffix.lower() != ".gpkg" or set(query) - {"table"}:
            raise error("store.results_form", target=text, hint="store.results_form_hint")
        target = ResultsTarget(pg=None, path=path, table=query.get("table") or DEFAULT_TABLE, findings=findings)
    for name in (target.table, target.findings):
        if name is not None and not TABLE_NAME.match(name):
            raise error("store.results_table_name", path=text, table=name, hint="store.results_table_hint")
    return target
