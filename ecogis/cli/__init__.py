"""The ``ecogis`` command: a thin click group over the library.

Sub-commands live in one module per concern and are imported only when used, so ``ecogis --help``
stays fast. Exit codes: 0 success, 1 an audit check failed, 2 bad input (one line on stderr),
3 a site-check verdict at or above ``--fail-on``.
"""
from __future__ import annotations

import importlib

import click

# name -> "module:attribute"; the module is imported only when the command runs or shows its help.
COMMANDS = {
    "info": "ecogis.cli.io_cmds:info",
    "validate": "ecogis.cli.io_cmds:validate",
    "convert": "ecogis.cli.io_cmds:convert",
    "area": "ecogis.cli.area_cmds:area",
    "audit": "ecogis.cli.area_cmds:audit",
    "check": "ecogis.cli.check_cmds:check",
    "map": "ecogis.cli.map_cmds:map_cmd",
    "raster": "ecogis.cli.raster_cmds:raster",
}

SHORT_HELP = {
    "info": "Describe a layer: CRS (and how it was found), encoding, fields, count, bounds.",
    "validate": "Find invalid, empty and duplicate geometries and every assumption; --fix writes a repaired copy.",
    "convert": "Convert between formats and CRSs (incl. GCJ-02/BD-09 and the exchange text).",
    "area": "Official (ellipsoidal) area of a layer, its share of a boundary and breakdowns.",
    "audit": "Run a YAML list of area, count, compliance and topology checks; exit 1 if one fails.",
    "check": "Screen a project site against every control layer and write the report.",
    "map": "Interactive HTML (folium) or print-ready PNG/PDF/SVG maps.",
    "raster": "Land-cover composition and change inside protected zones.",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, SHORT_HELP.get(name, "")) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecogis")
def main():
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

    Every command takes --json for scripts. Exit codes: 0 ok, 1 audit failed, 2 bad input,
    3 verdict at or above --fail-on.
    """
