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
    """Run a command body: bad input exits 2 with one line on stderr; assumptions are warned as they happen.

    The wrapped function receives ``notes`` (a list) as keyword argument. Every AssumptionWarning raised
    while it runs is appended to ``notes`` at once (so --json output can include it) and echoed once on
    stderr as ``ecogis: warning: ...``.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        notes: list[str] = []
        with warnings.catch_warnings():  # restores warnings.showwarning on exit
            warnings.simplefilter("always", AssumptionWarning)
            warnings.showwarning = _recorder(notes, warnings.showwarning)
            try:
                return func(*args, notes=notes, **kwargs)
            except EcogisError as exc:
                click.echo(f"ecogis: error: {exc}", err=True)
                sys.exit(EXIT_BAD_INPUT)

    return wrapper


def _recorder(notes: list, show_other):
    """Record each AssumptionWarning in ``notes`` and echo it on stderr once. What was echoed is kept
    apart from ``notes``: a command may add a note to ``notes`` itself before it is warned."""
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, AssumptionWarning):
            return show_other(message, category, filename, lineno, file, line)
        text = str(message)
        if text not in notes:
            notes.append(text)
        if text not in shown:
            shown.add(text)
            click.echo(f"ecogis: warning: {text}", err=True)

    return show


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
