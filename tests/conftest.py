"""Shared test fixtures.

Browser tests drive Debian's chromium (/usr/bin/chromium) through Playwright. ``scripts/setup.sh --test``
installs it. A test that needs something of the machine (chromium, LibreOffice, a CJK font, a GDAL
driver, ``chattr``) calls :func:`skip_or_fail_in_ci`: under CI (CI set) a missing tool is a failure,
elsewhere the test skips.

ecogis's AssumptionWarnings are errors in the suite (pyproject's filterwarnings): a test that meets
one asserts it, with ``pytest.warns`` when the assumption is its subject, else with :func:`assumed`,
:func:`assumes` or :func:`sample_assumed`, which also fail on an assumption nobody expected.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import warnings
from pathlib import Path
from typing import NoReturn

import pytest

# The throw-away PostgreSQL + PostGIS cluster (session) and a fresh database per test.
from postgres import pg_password, postgis_db, postgres_server  # noqa: F401

from ecogis.errors import AssumptionWarning

# The layer cache (ecogis.layer_cache) is off in the suite, for this process and the commands it runs,
# so that tests share no state; tests of the cache switch it on in a folder of their own (layer_cache_dir).
os.environ["ECOGIS_NO_CACHE"] = "1"
os.environ.pop("ECOGIS_CACHE_DIR", None)

REPO = Path(__file__).resolve().parents[1]
LAYERS = REPO / "layers"
ARTIFACTS = REPO / "test-artifacts"

UTF8_TABLE = r"text decoded as UTF-8 \(detected; tables do not declare an encoding\)"
LONLAT_INFERRED = r"no CRS in the file; inferred EPSG:4490"
# What reading each sample file in layers/ assumes (layers/README.md: the files are messy on purpose).
SAMPLE_ASSUMPTIONS = {
    "redline/redline.shp": [r"no \.cpg file; attribute text decoded as GB18030 \(detected"],
    "water/sections.xlsx": [LONLAT_INFERRED],
    "water/outfalls.csv": [UTF8_TABLE, LONLAT_INFERRED],
    "energy/heat_sources.csv": [r"text decoded as GB18030 \(detected; tables do not declare", LONLAT_INFERRED],
    "energy/chp_plants.csv": [UTF8_TABLE, LONLAT_INFERRED],
    "sites/points.csv": [UTF8_TABLE, LONLAT_INFERRED],
    "sites/sites_zone41.txt": [r"not valid UTF-8, decoded as GB18030 \(GBK\)"],
}


@contextlib.contextmanager
def assumed(*patterns: str):
    """Expect AssumptionWarnings in the block: each regex in ``patterns`` matches at least one of them,
    and each one raised matches a pattern (an unexpected assumption fails the test). Other warnings
    pass through."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    messages = [str(w.message) for w in caught if issubclass(w.category, AssumptionWarning)]
    for pattern in patterns:
        assert any(re.search(pattern, m) for m in messages), f"no assumption matches {pattern!r}: {messages}"
    unexpected = [m for m in messages if not any(re.search(p, m) for p in patterns)]
    assert not unexpected, f"unexpected assumptions: {unexpected}"
    for w in caught:
        if not issubclass(w.category, AssumptionWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def assumes(*patterns: str):
    """Decorator: the test raises the AssumptionWarnings ``patterns`` describe and no others (besides
    those it asserts itself with ``pytest.warns``); for tests whose subject is something else."""
    def decorate(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            with assumed(*patterns):
                return test(*args, **kwargs)
        return run
    return decorate


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """The suite reads ecogis's messages in English: the CLI's warnings, errors and reports are English
    unless a test asks for the Chinese default with the :func:`chinese_default` fixture."""
    monkeypatch.setenv("ECOGIS_LANG", "en")


@pytest.fixture
def layer_cache_dir(monkeypatch, tmp_path):
    """The layer cache switched on, in a fresh folder of this test (returned)."""
    folder = tmp_path / "ecogis-cache"
    monkeypatch.delenv("ECOGIS_NO_CACHE", raising=False)
    monkeypatch.setenv("ECOGIS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def chinese_default(monkeypatch):
    """No ECOGIS_LANG: the CLI's own default language (Chinese)."""
    monkeypatch.delenv("ECOGIS_LANG", raising=False)


def sample_assumed(*rels: str):
    """:func:`assumed` for reading the sample files ``rels`` (paths under layers/)."""
    return assumed(*(p for rel in rels for p in SAMPLE_ASSUMPTIONS.get(rel, [])))


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


@pytest.fixture(scope="module")
def sample_result():
    """The check of the sample sites (layers/sites/sites_zone41.txt) against the sample project, with the
    assumptions it states (one per test module that uses it)."""
    from ecogis.check import check

    with assumed(*SAMPLE_ASSUMPTIONS["sites/sites_zone41.txt"], r"\(D\) lie wholly or partly outside the coverage"):
        return check(str(LAYERS / "sites" / "sites_zone41.txt"), str(LAYERS / "project.yaml"))


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
