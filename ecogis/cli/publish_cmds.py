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


VERSION_FORMATS = ("xlsx", "json")


def check_versions(site, project, versions: str, *, out, formats, overwrite, as_json, lang, buffers, rules,
                   site_crs, at_date) -> None:
    """``ecogis check SITES --versions NAME@V1,NAME@V2``: the re-screening across versions, printed (or
    as JSON) and, with ``--out``, written as versions.xlsx / versions.json."""
    from pathlib import Path

    from ecogis.error_messages import error
    from ecogis.render.version_diff_text import (
        format_version_diff,
        write_version_diff_json,
        write_version_diff_xlsx,
    )
    from ecogis.version_diff import compare_versions, parse_versions

    before, after = parse_versions(versions)
    fmts = [f.strip().lower() for f in (formats or ",".join(VERSION_FORMATS)).split(",") if f.strip()]
    bad = [f for f in fmts if f not in VERSION_FORMATS]
    if bad:
        raise error("cli.unknown_format", format=repr(bad[0]), formats=", ".join(VERSION_FORMATS),
                    hint="cli.use_formats")
    diff = compare_versions(site, project, before, after, buffers=buffers, rules=rules, site_crs=site_crs,
                            at_date=at_date)
    writers = {"xlsx": write_version_diff_xlsx, "json": write_version_diff_json}
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
    written = [writers[f](diff, Path(out) / f"versions.{f}", lang, overwrite=overwrite) for f in fmts] if out else []
    if as_json:
        emit_json({**diff.to_dict(lang), "outputs": [str(p) for p in written]})
    else:
        click.echo(format_version_diff(diff, lang))
        for path in written:
            click.echo(str(path))


def store_results(result, target, *, project, site):
    """``--results-to``: append the check result to the results tables of ``target``."""
    from ecogis.store.results import write_results

    return write_results(result, target, project=str(project), site_input=str(site))
