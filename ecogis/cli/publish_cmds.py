"""``ecogis publish``: a thin command over :func:`ecogis.store.publish`; its text from
:mod:`ecogis.render.store_text`."""
from __future__ import annotations

import click

from ecogis.cli.common import emit_json, handle_errors, json_option, lang_option
from ecogis.cli.io_cmds import _read_options, read_options


@click.command()
@click.argument("source", metavar="LAYER")
@read_options
@click.option("--to", "target", required=True, metavar="STORE",
              help="postgresql://user@host:port/database (?schema=name; password from PGPASSWORD or pgpass) "
                   "or a GeoPackage (.gpkg, created when missing).")
@click.option("--name", required=True, help="Name of the published layer, e.g. redline.")
@click.option("--version", "version", required=True, help="Version label, e.g. 2019 or 2023-adjusted.")
@click.option("--as-current", is_flag=True, help="Make this the version projects read as NAME.")
@click.option("--overwrite", is_flag=True, help="Replace an already published version of that label.")
@json_option
@lang_option
@handle_errors
def publish(source, layer, crs, encoding, cm, angle, kind, field_map, strict, transform, target, name, version,
            as_current, overwrite, as_json, lang, notes):
    """Publish a layer (any format ecogis reads) into PostGIS or a GeoPackage as a named, dated version.

    The layer is read and normalised for --kind, written as the table NAME__VERSION with a spatial
    index, and recorded in the history table ecogis_layer_versions (source path and SHA-256, feature
    count, CRS, ecogis version, current flag). The first version of a name becomes current; later ones
    only with --as-current. A failed publish leaves the store as it was. Projects name a version as
    NAME@VERSION (table of a postgresql:// layer, or layer: of a GeoPackage) or NAME for the current one.

    \b
    Examples:
      ecogis publish layers/redline/redline.shp --kind redline --to postgresql://gis@db.local/eco \\
          --name redline --version 2019
      ecogis publish redline_2023.gpkg --kind redline --to store.gpkg --name redline \\
          --version 2023-adjusted --as-current
    """
    from ecogis.render.store_text import format_publish
    from ecogis.store import publish as publish_layer

    if not kind:
        raise click.UsageError("--kind is required: the layer is normalised for its kind before publishing")
    options = _read_options(layer, crs, encoding, cm, angle, None, field_map, strict, transform)
    options.pop("kind")
    result = publish_layer(source, kind, target, name, version, as_current=as_current, overwrite=overwrite,
                           read_options=options)
    if as_json:
        emit_json({**result.to_dict(), "notes": list(notes)})
    else:
        click.echo(format_publish(result, lang))
