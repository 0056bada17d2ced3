"""A throw-away PostgreSQL + PostGIS cluster for the tests (fixtures imported by conftest.py).

``postgres_server`` (session-scoped) runs ``initdb`` in a temporary folder and starts Debian's
``postgres`` on a Unix socket in that folder and on 127.0.0.1 at a free port; as root it runs them as the
``postgres`` system user (they refuse to run as root). The cluster has:

- the superuser ``postgres``, trusted on the Unix socket only (the fixture's own administration);
- the login role ``ecogis`` with a password (SCRAM), the only way in over 127.0.0.1, so a wrong password
  is refused the way a real server refuses it;
- the template database ``ecogis_template`` with ``CREATE EXTENSION postgis``.

``postgis_db`` (per test) creates a fresh database from that template, owned by ``ecogis``, and drops it
afterwards. Under pytest-xdist each worker process starts its own cluster (its own folder and port).
Missing binaries (initdb, postgres, the PostGIS extension) fail the test loudly: ``scripts/setup.sh
--test`` installs them; these tests never skip.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROLE = "ecogis"
ROLE_PASSWORD = "ecogis-test-secret"
SUPERUSER = "postgres"
TEMPLATE = "ecogis_template"
_DATABASE_NUMBERS = itertools.count(1)


@dataclass(frozen=True)
class PostgresServer:
    """Where the throw-away cluster listens: ``host`` 127.0.0.1 and ``port`` (TCP, password needed),
    ``socket_dir`` (Unix socket, the superuser's way in)."""

    host: str
    port: int
    socket_dir: Path
    user: str = ROLE
    password: str = ROLE_PASSWORD

    def url(self, database: str, user: str | None = None) -> str:
        """A password-free ``postgresql://user@127.0.0.1:port/database`` URL."""
        return f"postgresql://{user or self.user}@{self.host}:{self.port}/{database}"

    def admin(self, database: str = "postgres"):
        """A psycopg connection as the superuser over the Unix socket (autocommit)."""
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER,
                               dbname=database, autocommit=True)


@dataclass(frozen=True)
class PostgisDatabase:
    """A fresh database with PostGIS owned by ``server.user``; ``url`` names it without a password."""

    server: PostgresServer
    name: str

    @property
    def url(self) -> str:
        return self.server.url(self.name)


def _bin_dir() -> Path:
    """Debian's newest PostgreSQL with the PostGIS extension installed beside it."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parents[1].name) if Path(p).parents[1].name.isdigit() else 0)
    for initdb in reversed(candidates):
        major = Path(initdb).parents[1].name
        if Path(f"/usr/share/postgresql/{major}/extension/postgis.control").exists():
            return Path(initdb).parent
    pytest.fail("PostgreSQL with PostGIS is not installed (no /usr/lib/postgresql/*/bin/initdb with "
                "postgis.control): run `bash scripts/setup.sh --test` as root (packages postgresql, "
                "postgresql-postgis)")


def _as_server_user(cmd: list[str]) -> list[str]:
    """``cmd`` run as the ``postgres`` system user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(_as_server_user(cmd), cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr or done.stdout}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HBA = """\
local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""


def _init_cluster(bindir: Path, root: Path) -> Path:
    data = root / "data"
    _run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
          "--locale=C.UTF-8", "--no-sync"], cwd=root)
    (data / "pg_hba.conf").write_text(HBA)
    return data


def _start(bindir: Path, root: Path, data: Path) -> int:
    """Start the server at a free port (a few tries: another process may take the port first)."""
    log = root / "server.log"
    for _ in range(5):
        port = _free_port()
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        done = subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                                               "-l", str(log), "-w", "-t", "60", "start"]),
                              cwd=root, capture_output=True, text=True)
        if done.returncode == 0:
            return port
    pytest.fail(f"postgres did not start: {log.read_text() if log.exists() else done.stderr}")


def _prepare(server: PostgresServer) -> None:
    with server.admin() as conn:
        conn.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{ROLE_PASSWORD}'")
        conn.execute(f"CREATE DATABASE {TEMPLATE} OWNER {ROLE}")
    with server.admin(TEMPLATE) as conn:
        conn.execute("CREATE EXTENSION postgis")
    with server.admin() as conn:
        conn.execute(f"ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true")


@pytest.fixture(scope="session")
def postgres_server():
    """The throw-away cluster of this test process (see the module docstring); removed at the end."""
    bindir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="ecogis-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = _init_cluster(bindir, root)
    port = _start(bindir, root, data)
    try:
        server = PostgresServer(host="127.0.0.1", port=port, socket_dir=root)
        _prepare(server)
        yield server
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                                        "stop"]), cwd=root, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgis_db(postgres_server):
    """A fresh PostGIS database for one test, owned by the password role; dropped afterwards."""
    name = f"t{os.getpid()}_{next(_DATABASE_NUMBERS)}"
    with postgres_server.admin() as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {ROLE}")
    yield PostgisDatabase(postgres_server, name)
    with postgres_server.admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_password(monkeypatch, postgres_server):
    """The password role's password in PGPASSWORD (how libpq and ecogis take it from the environment)."""
    monkeypatch.setenv("PGPASSWORD", postgres_server.password)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    return postgres_server.password
