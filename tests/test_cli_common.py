"""The CLI's note channel: every assumption reaches stderr once and the command's notes once."""
from __future__ import annotations

import click
from click.testing import CliRunner

from ecogis.cli.common import handle_errors
from ecogis.errors import warn_assumption


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
