"""The CLI's note channel: every assumption reaches stderr once and the command's notes once."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from ecogis.cli.common import handle_errors, require_number
from ecogis.errors import EcogisError, warn_assumption


@click.command()
@handle_errors
def _noting(notes):
    warn_assumption("first: recorded in the command's own notes list as it is warned", notes)
    warn_assumption("second: warned without a list")
    warn_assumption("second: warned without a list")
    click.echo(repr(notes))


def test_each_assumption_is_on_stderr_once_and_in_the_notes_once():
    result = CliRunner().invoke(_noting, [])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines.count("ecogis: warning: first: recorded in the command's own notes list as it is warned") == 1
    assert lines.count("ecogis: warning: second: warned without a list") == 1
    assert result.stdout.strip() == repr(["first: recorded in the command's own notes list as it is warned",
                                          "second: warned without a list"])


@pytest.mark.parametrize("value, bounds, ok", [
    (0.5, {"above": 0}, True), (0.0, {"above": 0}, False), (0.0, {"at_least": 0}, True),
    (100.0, {"at_least": 0, "at_most": 100}, True), (100.5, {"at_least": 0, "at_most": 100}, False),
    (float("nan"), {"at_least": 0, "at_most": 100}, False), (float("inf"), {"above": 0}, False), (None, {"above": 0}, True),
])
def test_require_number_refuses_out_of_range_nan_and_infinity_naming_the_option(value, bounds, ok):
    if ok:
        require_number(value, "--x", **bounds)
        return
    with pytest.raises(EcogisError, match="'--x': must be a finite number"):
        require_number(value, "--x", **bounds)
