"""ecogis.first_imports.first_imports: the cyclic garbage collector paused while a command imports its
libraries the first time, frozen objects and the collector running again after; nothing changes when
the module is already imported."""
from __future__ import annotations

import gc

import pytest

from ecogis.first_imports import first_imports


@pytest.fixture
def frozen(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))  # keep this test process's objects collectable
    return calls


def test_the_collector_is_paused_during_a_first_import_and_runs_after(frozen):
    assert gc.isenabled()
    with first_imports("ecogis_module_never_imported"):
        assert not gc.isenabled()
    assert gc.isenabled() and frozen == ["freeze"]


def test_the_collector_runs_again_when_the_import_fails(frozen):
    with pytest.raises(ImportError), first_imports("ecogis_module_never_imported"):
        import ecogis_module_never_imported  # noqa: F401
    assert gc.isenabled()


def test_nothing_changes_for_a_module_already_imported(frozen):
    with first_imports("json"):
        assert gc.isenabled()
    assert frozen == []


def test_a_paused_collector_stays_paused(frozen):
    gc.disable()
    try:
        with first_imports("ecogis_module_never_imported"):
            pass
        assert not gc.isenabled() and frozen == []
    finally:
        gc.enable()
