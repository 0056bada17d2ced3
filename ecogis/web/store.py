"""The service's SQLite store in the data folder: accounts, the history of checks (审查留痕) and batch jobs.

One connection per call (sqlite3 is thread-safe that way); WAL mode so readers do not wait for a writer.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checks (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL,
    input_name TEXT, input_sha256 TEXT, site_geojson TEXT, ecogis_version TEXT NOT NULL,
    project_versions TEXT NOT NULL, parameters TEXT NOT NULL, verdict TEXT, reports TEXT NOT NULL,
    error TEXT);
CREATE INDEX IF NOT EXISTS checks_owner ON checks (owner, created);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, created TEXT NOT NULL, status TEXT NOT NULL,
    input_name TEXT, input_sha256 TEXT, done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    verdict TEXT, parameters TEXT NOT NULL, reports TEXT NOT NULL, error TEXT);
"""
JSON_COLUMNS = ("project_versions", "parameters", "reports", "site_geojson")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    """A random 32-hex-digit id: not guessable, and safe as a folder name."""
    return uuid.uuid4().hex


class Store:
    """Accounts, checks and jobs in ``data_dir/ecogis.sqlite``."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "ecogis.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)

    def close(self) -> None:
        """Nothing to close: every call opens and closes its own connection."""

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        return con

    def _write(self, sql: str, args: tuple) -> None:
        with closing(self._connect()) as con, con:
            con.execute(sql, args)

    def _rows(self, sql: str, args: tuple = ()) -> list[dict]:
        with closing(self._connect()) as con:
            return [_decode(dict(r)) for r in con.execute(sql, args)]

    # accounts -----------------------------------------------------------------------------------
    def put_user(self, name: str, password_hash: str, role: str) -> None:
        self._write("INSERT INTO users VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                    "password_hash=excluded.password_hash, role=excluded.role", (name, password_hash, role, now()))

    def user(self, name: str) -> dict | None:
        rows = self._rows("SELECT * FROM users WHERE name = ?", (name,))
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        return self._rows("SELECT name, role, created FROM users ORDER BY name")

    # checks -------------------------------------------------------------------------------------
    def add_check(self, record: dict) -> None:
        cols = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        self._write(f"INSERT INTO checks ({cols}) VALUES ({marks})", tuple(_encode(k, v) for k, v in record.items()))

    def update_check(self, check_id: str, **values) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self._write(f"UPDATE checks SET {sets} WHERE id = ?", (*(_encode(k, v) for k, v in values.items()), check_id))

    def check(self, check_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM checks WHERE id = ?", (check_id,))
        return rows[0] if rows else None

    def checks(self, owner: str | None, *, verdict: str | None = None, text: str | None = None,
               limit: int = 200) -> list[dict]:
        """Newest first; ``owner`` None lists everyone's (admins); ``text`` filters the input name."""
        where, args = ["1 = 1"], []
        if owner is not None:
            where.append("owner = ?")
            args.append(owner)
        if verdict:
            where.append("verdict = ?")
            args.append(verdict)
        if text:
            where.append("input_name LIKE ? ESCAPE '\\'")
            args.append("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        sql = (f"SELECT id, owner, created, status, input_name, verdict, ecogis_version FROM checks "
               f"WHERE {' AND '.join(where)} ORDER BY created DESC LIMIT ?")
        return self._rows(sql, (*args, limit))

    # batch jobs ---------------------------------------------------------------------------------
    def add_job(self, record: dict) -> None:
        cols = ", ".join(record)
        marks = ", ".join("?" for _ in record)
        self._write(f"INSERT INTO jobs ({cols}) VALUES ({marks})", tuple(_encode(k, v) for k, v in record.items()))

    def update_job(self, job_id: str, **values) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self._write(f"UPDATE jobs SET {sets} WHERE id = ?", (*(_encode(k, v) for k, v in values.items()), job_id))

    def job(self, job_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return rows[0] if rows else None


def _encode(key: str, value):
    return json.dumps(value, ensure_ascii=False, default=str) if key in JSON_COLUMNS and value is not None else value


def _decode(row: dict) -> dict:
    for key in JSON_COLUMNS:
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row
