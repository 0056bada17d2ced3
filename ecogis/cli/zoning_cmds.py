"""``ecogis zoning-area``: areas of environmental control units by class and by district."""
from __future__ import annotations

import click

from ecogis.cli.common import emit_json, handle_errors, json_option, lang_option


@click.command(name="zoning-area")
@click.argument("units_path", metavar="UNITS", type=click.Path(exists=True))
@click.option("--layer", "layer_name", metavar="NAME", help="Layer inside a GeoPackage/FileGDB.")
@click.option("--boundary", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help="Boundary the units should tile (its area by the same method is printed beside the total).")
@click.option("--boundary-layer", metavar="NAME", help="Layer inside the --boundary GeoPackage (e.g. city).")
@click.option("--districts", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help="District polygons for units without a county field.")
@click.option("--districts-layer", metavar="NAME", help="Layer inside the --districts GeoPackage.")
@click.option("--method", default="ellipsoid", show_default=True, type=click.Choice(["ellipsoid", "plane"]),
              help="ellipsoid: official 椭球面积 (CGCS2000); plane: Gauss-Kruger plane area in --gk-zone.")
@click.option("--gk-zone", type=int, metavar="N", help="Gauss-Kruger zone of --method plane (3°: 25-45, 6°: 13-23).")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), help="Write the table to this XLSX file.")
@click.option("--overwrite", is_flag=True, help="Replace an existing --out file.")
@json_option
@lang_option
@handle_errors
def zoning_area(units_path, layer_name, boundary, boundary_layer, districts, districts_layer, method, gk_zone, out,
                overwrite, as_json, lang, notes):
    """Area of the control units by class (优先保护 / 重点管控 / 一般管控) and by district: count, area,
    share, and the method of every figure.

    \b
    Examples:
      ecogis zoning-area layers/zoning/control_units.gpkg --boundary layers/boundary/panjin.gpkg --boundary-layer city
      ecogis zoning-area layers/zoning/control_units.gpkg --method plane --gk-zone 41 --json
    """
    from ecogis.io import read_layer
    from ecogis.render.zoning_area import area_text, write_area_xlsx
    from ecogis.zoning.areas import unit_areas

    units = read_layer(units_path, kind="control_unit", layer=layer_name)
    bnd = None if boundary is None else read_layer(boundary, kind="boundary", layer=boundary_layer)
    dis = None if districts is None else read_layer(districts, kind="boundary", layer=districts_layer)
    result = unit_areas(units, method=method, gk_zone=gk_zone, districts=dis, boundary=bnd)
    if out:
        write_area_xlsx(result, out, lang=lang, overwrite=overwrite)
    if as_json:
        emit_json(dict(result.to_dict(), assumptions=list(notes)))
    else:
        click.echo(area_text(result, lang))
