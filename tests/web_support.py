"""Helpers of the ``ecogis serve`` tests: an app on the sample project in a temporary data folder, accounts."""
from __future__ import annotations

import warnings
from pathlib import Path

from fastapi.testclient import TestClient

from ecogis.errors import AssumptionWarning
from ecogis.web.app import create_app
from ecogis.web.auth import hash_password
from ecogis.web.history import open_store
from ecogis.web.settings import ServeSettings

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "layers" / "project.yaml"
SITES = REPO / "layers" / "sites"
API_ONLY = ("id", "record", "outputs", "assumptions_text")   # what the API adds to the CLI's --json
PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-22", "root": "root-password-333"}


def service_warnings() -> None:
    """The service carries every assumption in the check result (asserted there), not as a warning."""
    warnings.filterwarnings("ignore", category=AssumptionWarning)


def make_app(data_dir: Path, **options):
    """The app on the sample project; with auth, accounts alice and bob (user) and root (admin)."""
    settings = ServeSettings(project=PROJECT, data_dir=data_dir, **options)
    if settings.auth:
        store = open_store(data_dir, settings.history)
        for name, password in PASSWORDS.items():
            store.put_user(name, hash_password(password), "admin" if name == "root" else "user")
    return create_app(settings)


def login(client: TestClient, name: str) -> str:
    """Sign ``name`` in through the form (with its CSRF token); returns the session's CSRF token for the API."""
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/login", data={"user": name, "password": PASSWORDS[name], "csrf_token": token},
                       follow_redirects=False)
    assert resp.status_code == 303, resp.text
    return client.get("/api/me").json()["csrf_token"]


def upload(name: str) -> dict:
    return {"file": (name, (SITES / name).read_bytes())}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``app`` for real on a free 127.0.0.1 port, in a thread; ``url`` ends without '/'."""

    def __init__(self, app):
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        from ecogis.web.app import UVICORN_OPTIONS

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    **UVICORN_OPTIONS))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)


def cli_json(*args: str) -> dict:
    """``ecogis check ... --json`` run in-process: the document the API must equal."""
    import json

    from click.testing import CliRunner

    from ecogis.cli import main

    res = CliRunner().invoke(main, ["check", *args, "--project", str(PROJECT), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def comparable(doc: dict, site_dir: str = "") -> dict:
    """The document without what names where a file lay (the API names the upload, the CLI the path)."""
    import json

    doc = {k: v for k, v in doc.items() if k not in API_ONLY}
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    if site_dir:
        text = text.replace(site_dir + "/", "")
    doc = json.loads(text)
    doc["inputs"]["site"].pop("path", None)
    return doc
