"""Options of the report writers (``--template``, ``--name``), shared by the commands that write a DOCX.

They are not passed as command arguments: the decorator keeps them in the click context, and
:func:`docx_options` gives them to the renderer (so a command's signature does not change).
"""
from __future__ import annotations

import click

_KEY = "ecogis.report"


def _store(ctx: click.Context, param: click.Parameter, value):
    ctx.meta.setdefault(_KEY, {})[param.name] = value
    return value


def report_options(command):
    """Add ``--template`` (an institute's .docx whose styles and fonts the DOCX uses) and ``--name``
    (the project's name as the report titles it)."""
    command = click.option("--template", type=click.Path(exists=True, dir_okay=False), expose_value=False,
                           callback=_store, help="An institute's Word template (.docx): the DOCX report "
                                                 "uses its styles and fonts.")(command)
    return click.option("--name", "project_name", metavar="TEXT", expose_value=False, callback=_store,
                        help="The project's name as the DOCX report titles it (default: the exchange file's "
                             "项目名称, else the sites' names).")(command)


def docx_options() -> dict:
    """The report options of the running command: ``template`` and ``project_name`` (None when unset)."""
    ctx = click.get_current_context(silent=True)
    stored = ctx.find_root().meta.get(_KEY, {}) if ctx else {}
    return {k: stored.get(k) for k in ("template", "project_name")}
