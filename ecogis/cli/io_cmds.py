"""``ecogis info``, ``ecogis validate`` and ``ecogis convert``: thin commands over ecogis.describe, ecogis.validate
and ecogis.convert; their text comes from ecogis.render.layer_text."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ecogis.cli.common import EXIT_FAILED, emit_json, handle_errors, json_option, lang_option, stderr_lang_option
from ecogis.cli.vertex_options import vertex_options, vertex_spec
from ecogis.error_messages import error
from ecogis.kinds import KINDS
from ecogis.layer_info import LayerInfo

EPILOG_FORMATS = ("Formats: .shp (also .zip), .gpkg, .geojson/.json, .kml/.kmz, .gdb (FileGDB), "
                  ".csv/.xlsx point tables (经度/纬度, lon/lat, X/Y, E/N columns), the land-survey "
                  "coordinate exchange text (.txt with [属性描述]/[地块坐标]) and DXF drawings (--dxf-layer).")


class LayerSource(click.ParamType):
    """A layer file (a Path) or a PostGIS source, ``postgresql://user@host/db?table=schema.name`` or
    ``...?sql=SELECT ...``, passed on untouched (a Path would fold its ``//``)."""

    name = "PATH|URL"

    def convert(self, value, param, ctx):
        from ecogis.io.postgis import is_postgres_url

        return value if is_postgres_url(value) else Path(value)


def _parse_fields(values) -> dict | None:
    mapping = {}
    for item in values or ():
        if "=" not in item:
            raise error("cli.field_map", item=repr(item), hint="cli.field_map_example")
        source, target = item.split("=", 1)
        mapping[source.strip()] = target.strip()
    return mapping or None


def read_options(func):
    """Options shared by every command that reads a layer."""
    options = [
        click.option("--layer", "--dxf-layer", "layer",
                     help="Layer (GeoPackage, FileGDB, KML, zip of shapefiles), sheet (XLSX) or CAD layer(s) of a "
                          "DXF (comma-separated) to read."),
        click.option("--crs", "--from-crs", "crs", metavar="CRS",
                     help="Source CRS when the file has none or a wrong one: EPSG:4529, CGCS2000, GCJ-02, BD-09."),
        click.option("--encoding", help="Attribute text encoding (overrides .cpg and detection), e.g. GB18030."),
        click.option("--cm", type=float,
                     help="Central meridian (°E) for Gauss-Kruger coordinates without zone prefix."),
        click.option("--angle-format", "angle", type=click.Choice(["auto", "decimal", "dms", "ddd.mmss"]),
                     default="auto", show_default=True,
                     help="How table angles are written (ddd.mmss: 121.4530 = 121°45′30″)."),
        click.option("--kind", help="Layer kind: map fields to canonical names and check values. One of "
                     f"{', '.join(KINDS)}."),
        click.option("--field", "field_map", multiple=True, metavar="SRC=CANON",
                     help="Map a column to a canonical field or coordinate role (repeatable), e.g. 东经=lon."),
        click.option("--strict", is_flag=True,
                     help="Exchange texts: read only the 部标 layout (other dialects are an error naming them)."),
        click.option("--transform", "transform", type=click.Path(path_type=Path), metavar="PARAMS.yaml",
                     help="Apply fitted datum parameters (ecogis transform fit) to the layer, through PROJ."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _read_options(layer, crs, encoding, cm, angle, kind, field_map, strict=False, transform=None) -> dict:
    """The keyword arguments of :func:`ecogis.read_layer` that ``read_options`` gathered."""
    return {"kind": kind, "layer": layer, "crs": crs, "encoding": encoding, "fields": _parse_fields(field_map),
            "cm": cm, "angle": angle, "strict": strict, "transform": transform}


# --------------------------------------------------------------------------- info

@click.command(epilog=EPILOG_FORMATS)
@click.argument("path", type=LayerSource())
@read_options
@json_option
@lang_option
@handle_errors
def info(path, layer, crs, encoding, cm, angle, kind, field_map, strict, transform, as_json, lang, notes):
    """Describe a layer: CRS and how it was found, encoding, count, geometry types, bounds, fields.

    \b
    Examples:
      ecogis info layers/redline/redline.shp
      ecogis info layers/boundary/panjin.gpkg --layer districts
      ecogis info layers/water/sections.xlsx --json
      ecogis info amap_points.csv --crs GCJ-02
      ecogis info parcels.txt --cm 123      (exchange text with 6-digit Y)
      ecogis info old_survey.shp --crs EPSG:2365   (no .prj, coordinates on Xian 1980 zone 41)
      ecogis info delivery.zip --layer redline     (a zip holding several shapefiles)
      ecogis info 'postgresql://gis@db.example/eco?table=public.redline'   (password: PGPASSWORD/pgpass)

    A file with several layers (GeoPackage, zip of shapefiles) and no --layer lists its layers.
    Every guess (CRS, datum, encoding, swapped X/Y) is printed as a warning and listed under
    "notes" in --json. Exit codes: 0 ok, 2 bad input (one line on stderr naming file, feature,
    field and what to do).
    """
    from ecogis.describe import LayerListing, describe_layer, list_layers
    from ecogis.render.layer_text import format_layer_description, format_layer_listing

    layers = list_layers(path) if layer is None else []
    if len(layers) > 1:
        result = LayerListing(str(path), layers)
        if as_json:
            emit_json(result.to_dict())
        else:
            click.echo(format_layer_listing(result))
        return
    description = describe_layer(path, **_read_options(layer, crs, encoding, cm, angle, kind, field_map, strict,
                                                       transform))
    description = description.with_notes(notes)
    if as_json:
        emit_json(description.to_dict())
    else:
        click.echo(format_layer_description(description, lang))


# --------------------------------------------------------------------------- validate

@click.command(epilog=EPILOG_FORMATS + " Exit codes: 0 no errors, 1 errors found (invalid, empty or outside "
               "China; after --fix: still in the repaired copy), 2 bad input.")
@click.argument("path", type=click.Path(path_type=Path))
@read_options
@click.option("--fix", "fix_out", type=click.Path(path_type=Path), metavar="OUT",
              help="Write a repaired copy (make_valid, same geometry type) to OUT; the input is never touched.")
@click.option("--overwrite", is_flag=True, help="Allow --fix to replace an existing OUT.")
@json_option
@stderr_lang_option
@handle_errors
def validate(path, layer, crs, encoding, cm, angle, kind, field_map, strict, transform, fix_out, overwrite, as_json,
             notes):
    """Check a layer: invalid geometries (with location), empty and duplicate features, overlapping
    polygons, mixed geometry types, coordinates outside China, and every CRS or encoding assumption
    made while reading it. Overlaps and duplicates are warnings (dissolve before summing areas).

    \b
    Examples:
      ecogis validate layers/redline/redline.shp
      ecogis validate parcels.gpkg --fix parcels_fixed.gpkg
      ecogis validate sites.txt --json
    """
    from ecogis.io import read_layer, write_layer
    from ecogis.render.layer_text import format_validation
    from ecogis.validate import repair_layer, validate_layer

    gdf = read_layer(path, **_read_options(layer, crs, encoding, cm, angle, kind, field_map, strict, transform))
    report = validate_layer(gdf)
    info = LayerInfo.of(gdf)
    payload = {**report.to_dict(), "crs_source": info.crs_source, "encoding": info.encoding,
               "encoding_source": info.encoding_source}
    final_ok = report.passed
    if fix_out is not None:
        fixed, repair = repair_layer(gdf)
        fix_out = write_layer(fixed, fix_out, layer=layer, overwrite=overwrite, inputs=(path,))
        after = validate_layer(fixed)
        final_ok = after.passed
        payload["fix"] = {"output": str(fix_out), **repair.to_dict(), "passed_after": after.passed,
                          "counts_after": after.counts}
    payload["notes"] = list(notes)
    if as_json:
        emit_json(payload)
    else:
        click.echo(format_validation(payload))
    if not final_ok:
        sys.exit(EXIT_FAILED)


# --------------------------------------------------------------------------- convert

@click.command(epilog=EPILOG_FORMATS + " The output format follows OUT's suffix; .txt writes the exchange text.")
@click.argument("src", metavar="IN", type=LayerSource())
@click.argument("out", metavar="OUT", type=click.Path(path_type=Path))
@read_options
@click.option("--to-crs", metavar="CRS", help="Target CRS: EPSG:4490, EPSG:4529, GCJ-02, BD-09 ... (default: keep).")
@click.option("--out-layer", help="Layer name inside a GeoPackage/FileGDB output (default: OUT's stem).")
@click.option("--dialect", type=click.Choice(["部标", "省标"]), default=None,
              help="Layout of an exchange-text OUT (.txt): 部标 (点号,圈号,X,Y; default) or 省标 "
                   "(序号,圈号,部件号,点号,X,Y).")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists (never the input).")
@vertex_options
@json_option
@stderr_lang_option
@handle_errors
def convert(src, out, layer, crs, encoding, cm, angle, kind, field_map, strict, transform, to_crs, out_layer, dialect,
            overwrite, as_line, as_polygon, group, order, as_json, notes):
    """Convert a layer between formats and CRSs; never writes over the input.

    \b
    Examples:
      ecogis convert layers/redline/redline.shp redline.gpkg
      ecogis convert amap_sites.csv sites.geojson --from-crs GCJ-02          (web map -> CGCS2000)
      ecogis convert sites.geojson sites_amap.geojson --to-crs GCJ-02        (CGCS2000 -> Amap)
      ecogis convert layers/sites/sites_zone41.txt sites.gpkg                (exchange text in)
      ecogis convert parcels.gpkg parcels.txt --to-crs EPSG:4529            (exchange text out)
      ecogis convert parcels.gpkg parcels.txt --dialect 省标                 (省标 vertex lines)
      ecogis convert table.csv sites.gpkg --cm 123 --angle-format ddd.mmss  (packed 121.4530 angles)
      ecogis convert 'postgresql://gis@db.example/eco?table=redline@2023' redline_2023.gpkg

    Reprojecting between datums says which transformation PROJ used and how accurate it is; between
    Xian 1980 / Beijing 1954 and CGCS2000 PROJ has no published parameters and applies no datum shift:
    fit your own from common points (ecogis transform fit) and pass them with --transform.
    """
    from ecogis.convert import convert_layer
    from ecogis.render.layer_text import format_conversion

    if dialect and out.suffix.lower() != ".txt":
        raise error("inputs.dialect_txt_only", suffix=out.suffix or out.name, field="--dialect",
                    hint="inputs.leave_out_dialect")
    result = convert_layer(src, out, to_crs=to_crs, out_layer=out_layer, overwrite=overwrite,
                           write_options={"dialect": dialect} if dialect else None,
                           vertices=vertex_spec(as_line, as_polygon, group, order),
                           **_read_options(layer, crs, encoding, cm, angle, kind, field_map, strict, transform)
                           ).with_notes(notes)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(format_conversion(result))
