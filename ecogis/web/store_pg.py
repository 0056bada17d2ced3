"""The service's store in PostgreSQL (``ecogis serve --history postgresql://...``): the same accounts,
history of checks (审查留痕) and batch jobs as :class:`ecogis.web.store.Store`, in three tables.

SQLAlchemy Core on psycopg 3, one connection pool per service. The URL names no password: libpq takes
it from ``PGPASSWORD`` or ``~/.pgpass`` (so it appears in no command line or log). JSON columns are
``jsonb``; times are the same ISO 8601 UTC strings as in SQLite, so both stores answer the same records.
The report files stay in the data folder either way.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, MetaData, Table, Text, create_engine, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ecogis.error_messages import error
from ecogis.web.store import now

METADATA = MetaData()
JSON_ = JSONB(none_as_null=True)
USERS = Table("ecogis_users", METADATA,
              Column("name", Text, primary_key=True), Column("password_hash", Text, nullable=False),
              Column("role", Text, CheckConstraint("role IN ('admin', 'user')"), nullable=False),
              Column("created", Text, nullable=False))
CHECKS = Table("ecogis_checks", METADATA,
               Column("id", Text, primary_key=True), Column("owner", Text, nullable=False),
               Column("created", Text, nullable=False), Column("status", Text, nullable=False),
               Column("input_name", Text), Column("input_sha256", Text), Column("site_geojson", JSON_),
               Column("ecogis_version", Text, nullable=False), Column("project_versions", JSON_, nullable=False),
               Column("parameters", JSON_, nullable=False), Column("verdict", Text),
               Column("reports", JSON_, nullable=False), Column("error", Text),
               Index("ecogis_checks_owner", "owner", "created"))
JOBS = Table("ecogis_jobs", METADATA,
             Column("id", Text, primary_key=True), Column("owner", Text, nullable=False),
             Column("created", Text, nullable=False), Column("status", Text, nullable=False),
             Column("input_name", Text), Column("input_sha256", Text),
             Column("done", Integer, nullable=False, server_default="0"),
             Column("total", Integer, nullable=False, server_default="0"), Column("verdict", Text),
             Column("parameters", JSON_, nullable=False), Column("reports", JSON_, nullable=False),
             Column("error", Text))
LISTED = ("id", "owner", "created", "status", "input_name", "verdict", "ecogis_version")


def engine_url(url: str):
    """``postgresql://...`` as SQLAlchemy's psycopg 3 URL (``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


class PostgresStore:
    """Accounts, checks and jobs in the PostgreSQL database at ``url`` (tables created when missing)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(engine_url(url), pool_pre_ping=True, pool_size=8, max_overflow=8)
        try:
            METADATA.create_all(self.engine)
        except OperationalError as exc:
            raise error("web.history_unreachable", url=url, reason=str(exc.orig).strip(),
                        hint="web.history_password") from exc

    def close(self) -> None:
        """Close the pool's connections (at shutdown)."""
        self.engine.dispose()

    def _write(self, statement) -> None:
        with self.engine.begin() as con:
            con.execute(statement)

    def _rows(self, statement) -> list[dict]:
        with self.engine.connect() as con:
            return [dict(r._mapping) for r in con.execute(statement)]

    # accounts -----------------------------------------------------------------------------------
    def put_user(self, name: str, password_hash: str, role: str) -> None:
        stmt = insert(USERS).values(name=name, password_hash=password_hash, role=role, created=now())
        self._write(stmt.on_conflict_do_update(index_elements=["name"], set_={
            "password_hash": stmt.excluded.password_hash, "role": stmt.excluded.role}))

    def user(self, name: str) -> dict | None:
        rows = self._rows(select(USERS).where(USERS.c.name == name))
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        return self._rows(select(USERS.c.name, USERS.c.role, USERS.c.created).order_by(USERS.c.name))

    # checks -------------------------------------------------------------------------------------
    def add_check(self, record: dict) -> None:
        self._write(CHECKS.insert().values(**record))

    def update_check(self, check_id: str, **values) -> None:
        self._write(update(CHECKS).where(CHECKS.c.id == check_id).values(**values))

    def check(self, check_id: str) -> dict | None:
        rows = self._rows(select(CHECKS).where(CHECKS.c.id == check_id))
        return rows[0] if rows else None

    def checks(self, owner: str | None, *, verdict: str | None = None, text: str | None = None,
               limit: int = 200) -> list[dict]:
        """Newest first; ``owner`` None lists everyone's (admins); ``text`` filters the input name."""
        stmt = select(*(CHECKS.c[name] for name in LISTED))
        if owner is not None:
            stmt = stmt.where(CHECKS.c.owner == owner)
        if verdict:
            stmt = stmt.where(CHECKS.c.verdict == verdict)
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(CHECKS.c.input_name.ilike(pattern, escape="\\"))
        return self._rows(stmt.order_by(CHECKS.c.created.desc()).limit(limit))

    # batch jobs ---------------------------------------------------------------------------------
    def add_job(self, record: dict) -> None:
        self._write(JOBS.insert().values(**record))

    def update_job(self, job_id: str, **values) -> None:
        self._write(update(JOBS).where(JOBS.c.id == job_id).values(**values))

    def job(self, job_id: str) -> dict | None:
        rows = self._rows(select(JOBS).where(JOBS.c.id == job_id))
        return rows[0] if rows else None
