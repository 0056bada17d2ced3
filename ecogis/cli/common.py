"""Helpers shared by the CLI modules: error handling, JSON output, assumption capture."""
from __future__ import annotations

import functools
import json
import sys
import warnings

import click

from ecogis.errors import AssumptionWarning, EcogisError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_VERDICT = 0, 1, 2, 3

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout (for scripts).")
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of report text."
)


def handle_errors(func):
    """Run a command body: bad input exits 2 with one line on stderr; assumptions are echoed as warnings.

    The wrapped function receives ``notes`` (a list) as keyword argument; every AssumptionWarning
    raised during the command is appended to it so that --json output can include it.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        notes: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AssumptionWarning)
            try:
                result = func(*args, notes=notes, **kwargs)
            except EcogisError as exc:
                _echo_warnings(caught, notes)
                click.echo(f"ecogis: error: {exc}", err=True)
                sys.exit(EXIT_BAD_INPUT)
        _echo_warnings(caught, notes)
        return result

    return wrapper


def _echo_warnings(caught, notes):
    for w in caught:
        if issubclass(w.category, AssumptionWarning):
            text = str(w.message)
            if text not in notes:
                notes.append(text)
            click.echo(f"ecogis: warning: {text}", err=True)


def emit_json(payload) -> None:
    """Print ``payload`` as JSON with Chinese text kept readable."""
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=_default))


def _default(obj):
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)
