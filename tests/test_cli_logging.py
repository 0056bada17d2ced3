"""-v/-q on the ``ecogis`` group: the standard ``logging`` module (logger "ecogis") carries progress and
debug output; -q drops progress bars and info but never the assumption warnings."""
from __future__ import annotations

import logging

from click.testing import CliRunner
from conftest import LAYERS

from ecogis.cli import main

REDLINE = str(LAYERS / "redline" / "redline.shp")   # no .cpg: the encoding is an assumption to warn about
PROJECT = str(LAYERS / "project.yaml")


def _run(*args):
    result = CliRunner().invoke(main, list(args))
    assert not (result.exception and not isinstance(result.exception, SystemExit)), result.exception
    return result


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ecogis: warning: ")]


def test_help_says_quiet_keeps_the_warnings():
    text = " ".join(_run("--help").stdout.split())
    assert "-v, --verbose" in text and "-q, --quiet" in text
    assert "No progress bars and no info messages" in text and "assumptions" in text and "still printed" in text


def test_verbose_logs_info_lines_and_the_default_does_not():
    plain, verbose = _run("info", REDLINE), _run("-v", "info", REDLINE)
    assert plain.exit_code == verbose.exit_code == 0
    assert "ecogis: info: " not in plain.stderr
    assert any(line.startswith("ecogis: info: info done in ") for line in verbose.stderr.splitlines())
    assert plain.stdout == verbose.stdout


def test_quiet_keeps_every_assumption_warning():
    plain, quiet = _run("info", REDLINE), _run("-q", "info", REDLINE)
    assert quiet.exit_code == 0
    cpg = [w for w in _warnings(quiet.stderr) if "no .cpg file" in w and "GB18030" in w]
    assert len(cpg) == 1
    assert _warnings(quiet.stderr) == _warnings(plain.stderr)


def test_quiet_hides_the_progress_bar_of_a_batch_check(tmp_path):
    args = ["check", "--at", "121.9,41.0", "-p", PROJECT, "--batch", "--format", "json"]
    plain = _run(*args, "--out", str(tmp_path / "a"))
    quiet = _run("-q", *args, "--out", str(tmp_path / "b"))
    assert plain.exit_code == quiet.exit_code == 0, plain.stderr
    assert "screening sites" in plain.stderr
    assert "screening sites" not in quiet.stderr
    assert _warnings(quiet.stderr) == _warnings(plain.stderr) != []


def test_debug_shows_why_a_command_stopped_and_the_error_line_is_kept(tmp_path):
    missing = str(tmp_path / "missing.shp")
    plain, debug = _run("info", missing), _run("-vv", "info", missing)
    assert plain.exit_code == debug.exit_code == 2
    errors = [line for line in debug.stderr.splitlines() if line.startswith("ecogis: error:")]
    assert plain.stderr.splitlines() == errors
    assert "ecogis: debug: info stopped on bad input" in debug.stderr and "Traceback" in debug.stderr
    assert "Traceback" not in plain.stderr


def test_the_library_logs_nowhere_after_a_command():
    _run("-vv", "info", REDLINE)
    logger = logging.getLogger("ecogis")
    assert logger.level == logging.NOTSET
    assert all(isinstance(h, logging.NullHandler) for h in logger.handlers)
