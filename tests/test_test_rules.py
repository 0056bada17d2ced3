"""The suite's own rules (tests/conftest.py): a missing machine tool fails under CI, and an expected
assumption is asserted, never ignored."""
from __future__ import annotations

import warnings

import pytest
from conftest import assumed, skip_or_fail_in_ci

from ecogis.errors import AssumptionWarning


def warn_assumption(message):
    warnings.warn(message, AssumptionWarning, stacklevel=2)


def test_a_missing_tool_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="LibreOffice is not installed: scripts/setup.sh"):
        skip_or_fail_in_ci("LibreOffice is not installed", "scripts/setup.sh --test installs it")


def test_a_missing_tool_skips_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"LibreOffice is not installed \(scripts/setup.sh"):
        skip_or_fail_in_ci("LibreOffice is not installed", "scripts/setup.sh --test installs it")


def test_assumed_passes_when_each_expected_assumption_is_raised():
    with assumed("decoded as UTF-8", "inferred EPSG:4490"):
        warn_assumption("t.csv: text decoded as UTF-8")
        warn_assumption("t.csv: no CRS in the file; inferred EPSG:4490")


def test_assumed_fails_when_an_expected_assumption_is_missing():
    with pytest.raises(AssertionError, match="no assumption matches 'inferred EPSG:4490'"):
        with assumed("decoded as UTF-8", "inferred EPSG:4490"):
            warn_assumption("t.csv: text decoded as UTF-8")


def test_assumed_fails_on_an_unexpected_assumption():
    with pytest.raises(AssertionError, match="unexpected assumptions.*swapped"):
        with assumed("decoded as UTF-8"):
            warn_assumption("t.csv: text decoded as UTF-8")
            warn_assumption("t.csv: X and Y swapped")


def test_assumed_passes_other_warnings_on():
    with pytest.warns(DeprecationWarning, match="old API"):
        with assumed():
            warnings.warn("old API", DeprecationWarning)


def test_the_suite_turns_a_stray_assumption_into_an_error():
    """pyproject's filterwarnings makes an unasserted AssumptionWarning fail the test that raised it."""
    with pytest.raises(AssumptionWarning, match="stray"):
        warn_assumption("a stray assumption")
