"""Shared test fixtures.

Browser tests drive Debian's chromium (/usr/bin/chromium) through Playwright. ``scripts/setup.sh --test``
installs it. A test that needs something of the machine (chromium, LibreOffice, a CJK font, a GDAL
driver, ``chattr``) calls :func:`skip_or_fail_in_ci`: under CI (CI set) a missing tool is a failure,
elsewhere the test skips.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = REPO / "layers"
ARTIFACTS = REPO / "test-artifacts"

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def skip_or_fail_in_ci(missing: str, remedy: str) -> NoReturn:
    """Skip a test for which this machine lacks ``missing``; under CI (env CI set) fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: {remedy}")
    pytest.skip(f"{missing} ({remedy})")


def _chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """A headless Debian chromium driven by Playwright (session-wide)."""
    exe = _chromium_path()
    if exe is None:
        skip_or_fail_in_ci("chromium is not installed", "scripts/setup.sh --test installs it as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors in ``page.console_errors`` and blocks all network."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("http*://**", lambda route: route.abort())
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture
def artifacts_dir():
    """Folder for screenshots and other test artefacts (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
