"""The ``ecogis`` command: a thin click group over the library.

Sub-commands are registered in the entry-point group ``ecogis.commands`` (ecogis's own in its
pyproject.toml; a plugin package adds one the same way) and imported only when used, so ``ecogis
--help`` stays fast. A plugin command is a click command; ``ecogis.cli.common`` has the conventions
of the built-in ones (``handle_errors``: one-line errors and exit 2, warned assumptions; ``json_option``).
Exit codes: 0 success, 1 an audit check failed, 2 bad input (one line on stderr),
3 a site-check verdict at or above ``--fail-on``.
"""
from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points

import click

from ecogis.cli.common import (
    EXIT_BAD_INPUT,
    LANG_HELP,
    LANGS,
    configure_logging,
    current_lang,
    reset_logging,
    resolve_lang,
)
from ecogis.error_messages import error
from ecogis.errors import EcogisError

#: the entry-point group a package registers ``ecogis`` sub-commands in
COMMAND_GROUP = "ecogis.commands"

#: short help of ecogis's own commands, so that ``ecogis --help`` imports none of them
BUILTIN_HELP = {
    "info": "Describe a layer: CRS (and how it was found), encoding, fields, count, bounds.",
    "validate": "Find invalid, empty and duplicate geometries and every assumption; --fix writes a repaired copy.",
    "convert": "Convert between formats and CRSs (incl. GCJ-02/BD-09 and the exchange text).",
    "area": "Official (ellipsoidal) area of a layer, its share of a boundary and breakdowns.",
    "audit": "Run a YAML list of area, count, compliance and topology checks; exit 1 if one fails.",
    "check": "Screen a project site against every control layer and write the report.",
    "map": "Interactive HTML (folium) or print-ready PNG/PDF/SVG maps.",
    "raster": "Land-cover composition and change inside protected zones.",
}

#: what to do when the installed metadata predates the entry points (an editable install not redone)
NOT_REGISTERED = error("cli.not_registered").text("en")


@functools.cache
def registered_commands() -> dict[str, EntryPoint]:
    """Command name -> entry point: ecogis's own first (in BUILTIN_HELP order), then plugins by name.
    A plugin cannot replace a built-in command; of two plugins with one name the first found is kept."""
    found: dict[str, EntryPoint] = {}
    for ep in sorted(entry_points(group=COMMAND_GROUP), key=lambda ep: not _is_builtin(ep)):
        found.setdefault(ep.name, ep)
    builtin = [name for name in BUILTIN_HELP if name in found]
    return {name: found[name] for name in builtin + sorted(set(found) - set(builtin))}


def _is_builtin(ep: EntryPoint) -> bool:
    return ep.dist is not None and _dist_name(ep.dist) == "ecogis"


@functools.cache
def _dist_name(dist) -> str:
    """The name of an installed distribution, read from its metadata once (its entry points share it)."""
    return str(dist.name)


def _plugin_label(ep: EntryPoint) -> str:
    package = ep.dist.name if ep.dist is not None else ep.value.split(":")[0]
    return f"plugin command {ep.name!r} ({package}, {ep.value})"


class LazyGroup(click.Group):
    """A click group whose commands come from the ``ecogis.commands`` entry points, imported on first use."""

    def list_commands(self, ctx):
        return list(registered_commands())

    def get_command(self, ctx, name):
        ep = registered_commands().get(name)
        if ep is None and name in BUILTIN_HELP:
            _echo("error", error("cli.not_registered"))
            ctx.exit(EXIT_BAD_INPUT)
        if ep is None:
            return None
        try:
            return ep.load()
        except Exception as exc:  # a broken plugin: say which one, never a traceback
            _echo("error", error("cli.plugin_broken", plugin=_plugin_label(ep), reason=_one_line(exc)))
            ctx.exit(EXIT_BAD_INPUT)

    def format_commands(self, ctx, formatter):
        if not any(_is_builtin(ep) for ep in registered_commands().values()):
            _echo("warning", error("cli.not_registered"))
        rows = []
        for name, ep in registered_commands().items():
            short_help = BUILTIN_HELP.get(name) if _is_builtin(ep) else _plugin_help(ep, formatter.width)
            if short_help is not None:
                rows.append((name, short_help))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _plugin_help(ep: EntryPoint, width: int) -> str | None:
    """A plugin's short help (importing it), or None with one warning line when it cannot be imported."""
    try:
        command = ep.load()
    except Exception as exc:  # a plugin's bug must not break ``ecogis --help``
        _echo("warning", error("cli.plugin_left_out", plugin=_plugin_label(ep), reason=_one_line(exc)))
        return None
    return command.get_short_help_str(limit=max(width - 20, 45)) if isinstance(command, click.Command) else ""


def _echo(kind: str, message: EcogisError) -> None:
    """One ``ecogis: error: ...`` or ``ecogis: warning: ...`` line in the language of the run."""
    click.echo(f"ecogis: {kind}: {message.text(current_lang())}", err=True)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecogis")
@click.option("-v", "--verbose", count=True,
              help="More detail on stderr from the 'ecogis' logger: -v steps and timings, -vv debug.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress bars and no info messages. Warnings about assumptions (ecogis: warning: ...) "
                   "and errors are still printed: they are facts the user must see.")
@click.option("--lang", type=click.Choice(LANGS), default=None, callback=resolve_lang, expose_value=False,
              help=LANG_HELP + " Here it applies to the command that follows.")
@click.pass_context
def main(ctx, verbose, quiet):
    """ecogis: ecological space control for China.

    Check project sites against the ecological protection red line (生态保护红线), nature-reserve
    zones, water sections (断面) and outfalls (排污口); compute official ellipsoidal areas; run
    reproducible audits; make maps for reports.

    \b
    Examples:
      ecogis info layers/redline/redline.shp
      ecogis check layers/sites/sites_zone41.txt --project layers/project.yaml --out maps/check
      ecogis audit scripts/panjin_audit.yaml --out maps/audit
      ecogis map layers/redline/redline.shp --out maps/redline.html
      ecogis -v check layers/sites/sites_zone41.txt --project layers/project.yaml --out maps/check

    Reports, maps, warnings and errors are in Chinese; --lang en (on the group or on a command)
    or ECOGIS_LANG=en in the environment gives English.
    Every command takes --json for scripts. Exit codes: 0 ok, 1 audit failed, 2 bad input,
    3 verdict at or above --fail-on. Plugin packages add commands through the entry-point
    group "ecogis.commands".
    """
    ctx.obj = configure_logging(verbose=verbose, quiet=quiet)
    ctx.call_on_close(reset_logging)
