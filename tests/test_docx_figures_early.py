"""The DOCX figures' process started before the check (docx_figures.start_early): it draws, from the
pickled inputs, the pixels drawn in this process; inputs that cannot be pickled are drawn by a fork as
before (the early process told to end); an early process never given figures ends with its parent's
pipe or when the command ends. The layers projected once before the second figure process is forked
are not projected again and give the same pixels."""
from __future__ import annotations

import multiprocessing
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from ecogis.errors import AssumptionWarning
from ecogis.render import docx_figures

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or "fork" not in
                                multiprocessing.get_all_start_methods(), reason="figures are forked on Linux only")


@pytest.fixture(autouse=True)
def no_early_left():
    yield
    early = docx_figures._EARLY.pop("process", None)
    if early is not None:
        early[1].close()
        early[0].join(timeout=30)


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_the_early_process_draws_the_pixels_drawn_here(sample_result):
    docx_figures.start_early(fork=True)
    early = docx_figures._EARLY["process"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        with docx_figures.PendingFigures(sample_result, "zh", 8.0) as pending, \
                docx_figures.PendingFigures(sample_result, "zh", 8.0, fork=False) as here:
            assert pending._proc is early and "process" not in docx_figures._EARLY
            assert [which for which, _ in pending._jobs] == [[0, 1], [2, 3, 4]]
            got, expected = pending.wait(), here.wait()
            assert [name for name, _ in got] == [name for name, _ in expected]
            for (_, a), (_, b) in zip(got, expected):
                assert np.array_equal(_pixels(a), _pixels(b))
    assert early.exitcode == 0


class _Unpicklable:
    site_gdf = None

    def __init__(self):
        self.drawn_by = lambda: None     # a lambda: pickle refuses it


def test_inputs_that_cannot_be_pickled_are_drawn_by_a_fork(monkeypatch):
    docx_figures.start_early(fork=True)
    early = docx_figures._EARLY["process"][0]
    # patched after the early process started: only a process forked now runs it
    monkeypatch.setattr(docx_figures, "figures", lambda *args, which=None: [("forked now", args[1])])
    with docx_figures.PendingFigures(_Unpicklable(), "zh", fork=True) as pending:
        assert pending._proc is not early
        assert pending.wait()[0][0] == "forked now"
    early.join(timeout=30)
    assert early.exitcode == 0


def test_an_early_process_never_given_figures_ends_with_the_pipe():
    docx_figures.start_early(fork=True)
    proc, job, _ = docx_figures._EARLY.pop("process")
    job.close()
    proc.join(timeout=60)
    assert proc.exitcode == 0


def test_a_process_with_other_threads_starts_no_early_process():
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        docx_figures.start_early()
        assert "process" not in docx_figures._EARLY
    finally:
        stop.set()
        other.join()


def _projections(shared: dict) -> set:
    return {k for k in shared if isinstance(k, tuple) and len(k) == 2 and k[0] != "drawn"}


def test_layers_projected_before_the_second_process_is_forked_are_not_projected_again(sample_result, tmp_path):
    args = docx_figures._prepare((sample_result, tmp_path, "zh", 8.0))
    shared = args[4]
    projected = _projections(shared)
    assert {name for name, _ in projected} >= set(sample_result.layers)     # every layer, to the map CRS
    (tmp_path / "plain").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        prepared = docx_figures.figures(*args, which=[2])
        plain = docx_figures.figures(sample_result, tmp_path / "plain", "zh", 8.0, which=[2])
    assert _projections(shared) == projected                                # none made again
    assert np.array_equal(_pixels(prepared[0][1]), _pixels(plain[0][1]))


def test_an_early_process_left_unused_by_the_command_ends():
    docx_figures.start_early(fork=True)
    proc = docx_figures._EARLY["process"][0]
    docx_figures.end_early()
    assert "process" not in docx_figures._EARLY
    proc.join(timeout=60)
    assert proc.exitcode == 0
