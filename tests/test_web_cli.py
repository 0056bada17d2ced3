"""``ecogis serve`` and ``ecogis serve-user`` as commands: accounts, refusal without one, a real start,
/health, logs in the standard format, and a graceful stop on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner
from web_support import PROJECT, free_port

from ecogis.cli import main
from ecogis.web.auth import verify
from ecogis.web.store import Store


def test_serve_user_add_stores_an_argon2_hash(tmp_path):
    res = CliRunner().invoke(main, ["serve-user", "add", "carol", "--role", "admin", "--data", str(tmp_path)],
                             env={"ECOGIS_PASSWORD": "carol-password-9"})
    assert res.exit_code == 0, res.output
    store = Store(tmp_path)
    assert verify(store, "carol", "carol-password-9").role == "admin"
    assert verify(store, "carol", "carol-password-8") is None
    short = CliRunner().invoke(main, ["serve-user", "add", "dave", "--data", str(tmp_path)],
                               env={"ECOGIS_PASSWORD": "short"})
    assert short.exit_code == 2 and "at least 8 characters" in short.output


def test_serve_refuses_without_accounts(tmp_path):
    res = CliRunner().invoke(main, ["serve", "--project", str(PROJECT), "--data", str(tmp_path)])
    assert res.exit_code == 2 and "serve-user add" in res.output


def test_serve_starts_answers_health_and_stops_gracefully(tmp_path):
    port = free_port()
    exe = Path(sys.executable).with_name("ecogis")
    proc = subprocess.Popen([str(exe), "serve", "--project", str(PROJECT), "--no-auth", "--port", str(port),
                             "--data", str(tmp_path / "data")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert health is not None and health["status"] == "ok", proc.stderr.read() if proc.poll() is not None else ""
        resp = httpx.post(f"http://127.0.0.1:{port}/api/check", data={"coordinates": "121.85,40.95"}, timeout=120)
        assert resp.status_code == 201
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    # uvicorn stops gracefully and then re-raises the SIGTERM it caught (systemd counts that as success)
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err
    lines = [ln for ln in err.splitlines() if " ecogis.web " in ln]
    assert any("shutting down" in ln for ln in lines), err
    # "time level logger message"
    assert all(ln[:4].isdigit() and ln.split()[2] in ("INFO", "WARNING", "ERROR") for ln in lines), lines
    assert not (tmp_path / "data" / "tmp").exists()
