"""Helpers shared by the CLI modules: error handling, JSON output, assumption capture, verbosity."""
from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
import sys
import time
import warnings
from dataclasses import dataclass

import click

from ecogis.error_messages import error, joined, phrase
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.messages import translate
from ecogis.notes import Notes, note_of

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_VERDICT = 0, 1, 2, 3

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout (for scripts).")

#: the languages of ``--lang``, the default first; the environment variable that sets it for every command
LANGS, LANG_ENV = ("zh", "en"), "ECOGIS_LANG"
_LANG_KEY = "ecogis.lang"
LANG_HELP = (f"Language of reports, maps, warnings and errors: zh (中文, the default) or en. {LANG_ENV}=en in "
             "the environment sets it for every command; --lang given here wins.")


def resolve_lang(ctx: click.Context, param, value: str | None) -> str:
    """The language of this run: ``--lang`` on the command, else ``--lang`` on the ``ecogis`` group, else
    ``$ECOGIS_LANG``, else Chinese. Kept in the click context for the error and warning lines."""
    if value is None:
        value = ctx.meta.get(_LANG_KEY) or _env_lang()
    ctx.meta[_LANG_KEY] = value
    return value


def _env_lang() -> str:
    value = os.environ.get(LANG_ENV, "").strip().lower()
    if value and value not in LANGS:
        raise click.BadParameter(f"{LANG_ENV}={value!r}: must be one of {', '.join(LANGS)}")
    return value or LANGS[0]


def current_lang() -> str:
    """The language the running command was given (Chinese outside a command or before its options)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return LANGS[0]
    return ctx.meta.get(_LANG_KEY) or _env_lang()


#: ``--lang`` for a command that prints text in a language (passed as ``lang``)
lang_option = click.option("--lang", type=click.Choice(LANGS), default=None, callback=resolve_lang,
                           help=LANG_HELP)
#: ``--lang`` for a command whose only text in a language is its warning and error lines
stderr_lang_option = click.option("--lang", type=click.Choice(LANGS), default=None, callback=resolve_lang,
                                  expose_value=False, help=LANG_HELP)


log = logging.getLogger("ecogis")

# "--overwrite (overwrite=True)": an option followed by its Python keyword, the library's wording
_PYTHON_KEYWORD = re.compile(r"(--[a-z][\w-]*)\s*\(\w+=[^()]*\)")


def cli_wording(text: str) -> str:
    """``text`` (an error or note written for both audiences) in command-line wording: "Pass --overwrite
    (overwrite=True) to replace it" becomes "Pass --overwrite to replace it". Library users keep both."""
    return _PYTHON_KEYWORD.sub(r"\1", text)


@dataclass(frozen=True)
class Verbosity:
    """What ``-v``/``-q`` on the ``ecogis`` group asked for: the ``ecogis`` logger's level and whether
    progress bars are drawn."""

    level: int = logging.WARNING
    progress: bool = True


class _StderrHandler(logging.Handler):
    """Log records as ``ecogis: info: ...`` lines on the current stderr (click's, so tests capture it)."""

    def emit(self, record):
        click.echo(f"ecogis: {record.levelname.lower()}: {self.format(record)}", err=True)


_handler = _StderrHandler()


def configure_logging(verbose: int = 0, quiet: bool = False) -> Verbosity:
    """Set the ``ecogis`` logger for one command run: warnings by default, -v info, -vv debug; -q keeps
    warnings and errors but drops info, debug and progress bars."""
    level = logging.WARNING if quiet else max(logging.DEBUG, logging.WARNING - 10 * verbose)
    log.setLevel(level)
    if _handler not in log.handlers:
        log.addHandler(_handler)
    return Verbosity(level=level, progress=not quiet)


def reset_logging() -> None:
    """Undo :func:`configure_logging` when the command ends (the library logs nowhere by default)."""
    log.removeHandler(_handler)
    log.setLevel(logging.NOTSET)


def show_progress() -> bool:
    """Whether the running command may draw progress bars (not after ``ecogis -q``)."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_object(Verbosity) if ctx is not None else None
    return settings is None or settings.progress


def handle_errors(func):
    """Run a command body: bad input exits 2 with one line on stderr; assumptions are warned as they happen.

    The wrapped function receives ``notes`` (a :class:`~ecogis.notes.Notes`) as keyword argument. Every
    AssumptionWarning raised while it runs is recorded in ``notes`` at once (its Note, so that reports
    word it in their language; --json output includes it) and echoed once on stderr as
    ``ecogis: warning: ...``. The error and warning lines are in the command's ``--lang``.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        notes = Notes()
        started = time.perf_counter()
        lang = current_lang()
        with warnings.catch_warnings():  # restores warnings.showwarning on exit
            warnings.simplefilter("always", AssumptionWarning)
            warnings.showwarning = _recorder(notes, warnings.showwarning, lang)
            try:
                result = func(*args, notes=notes, **kwargs)
            except EcogisError as exc:
                log.debug("%s stopped on bad input", func.__name__, exc_info=True)
                click.echo(f"ecogis: error: {cli_wording(exc.text(lang))}", err=True)
                sys.exit(EXIT_BAD_INPUT)
        log.info("%s done in %.2f s (%d note(s))", func.__name__, time.perf_counter() - started, len(notes))
        return result

    return wrapper


def _recorder(notes: Notes, show_other, lang: str = "en"):
    """Record each AssumptionWarning in ``notes`` and echo it on stderr once. What was echoed is kept
    apart from ``notes``: a command may add a note to ``notes`` itself before it is warned."""
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, AssumptionWarning):
            return show_other(message, category, filename, lineno, file, line)
        text = note_of(message)
        notes.append(text)
        if text not in shown:
            shown.add(text)
            click.echo(f"ecogis: warning: {note_text(message, lang)}", err=True)

    return show


def note_text(message, lang: str) -> str:
    """A warned note in ``lang``: its own ``.text(lang)`` when it has one, else the registered wording."""
    note = message.args[0] if isinstance(message, Warning) and message.args else message
    if hasattr(note, "text"):
        return str(note.text(lang))
    return translate(str(message), lang)


def require_number(value: float | None, option: str, *, above: float | None = None,
                   at_least: float | None = None, at_most: float | None = None) -> None:
    """EcogisError naming ``option`` unless ``value`` (when given) is a finite number within the bounds
    (NaN and infinity are always refused)."""
    if value is None:
        return
    ok, bounds = math.isfinite(value), []
    if above is not None:
        ok = ok and value > above
        bounds.append(phrase("cli.bound_above", bound=f"{above:g}"))
    if at_least is not None:
        ok = ok and value >= at_least
        bounds.append(phrase("cli.bound_at_least", bound=f"{at_least:g}"))
    if at_most is not None:
        ok = ok and value <= at_most
        bounds.append(phrase("cli.bound_at_most", bound=f"{at_most:g}"))
    if not ok:
        raise error("cli.not_in_bounds", field=option, bounds=joined(bounds, "and"), value=f"{value:g}")


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
