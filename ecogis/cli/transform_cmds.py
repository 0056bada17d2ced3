"""``ecogis transform fit``: datum transformation parameters from common points (ecogis.transform)."""
from __future__ import annotations

from pathlib import Path

import click

from ecogis.cli.common import emit_json, handle_errors, json_option, require_number


@click.group(name="transform")
def transform():
    """Datum transformations (Beijing 1954 / Xian 1980 -> CGCS2000) fitted from common points."""


@transform.command(name="fit")
@click.argument("points", metavar="POINTS.csv", type=click.Path(path_type=Path))
@click.option("--from-crs", "from_crs", required=True, metavar="CRS",
              help="CRS of the source coordinates X1,Y1 (e.g. EPSG:2417, Beijing 1954 3-degree zone 41).")
@click.option("--to-crs", "to_crs", required=True, metavar="CRS",
              help="CRS of the target coordinates X2,Y2 (e.g. EPSG:4529, CGCS2000 3-degree zone 41).")
@click.option("--method", type=click.Choice(["helmert-7", "helmert-4"]), default="helmert-7", show_default=True,
              help="helmert-7: Bursa-Wolf (七参数, 3+ points, heights H1/H2 used when given); "
                   "helmert-4: plane similarity (四参数, 2+ points).")
@click.option("--tolerance", type=float, default=0.05, show_default=True, metavar="M",
              help="Largest RMS residual (metres) of an accepted fit.")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path), metavar="PARAMS.yaml",
              help="Write the parameters (and the PROJ pipeline) for --transform of convert, check and area.")
@click.option("--overwrite", is_flag=True, help="Replace an existing PARAMS.yaml.")
@json_option
@handle_errors
def fit(points, from_crs, to_crs, method, tolerance, out, overwrite, as_json, notes):
    """Fit a 4- or 7-parameter Helmert transformation from control points, print the parameters, the
    residual of every point and the RMS in metres, and refuse a fit whose RMS exceeds --tolerance.

    POINTS.csv has one row per common point: 点号,X1,Y1[,H1],X2,Y2[,H2] (X = northing, Y = easting).

    \b
    Examples:
      ecogis transform fit points.csv --from-crs EPSG:2417 --to-crs EPSG:4529 --out bj54_to_cgcs.yaml
      ecogis transform fit points.csv --from-crs EPSG:2365 --to-crs EPSG:4529 --method helmert-4
      ecogis convert old.shp new.gpkg --crs EPSG:2417 --transform bj54_to_cgcs.yaml

    Exit codes: 0 fit accepted, 2 bad input or a fit above the tolerance.
    """
    from ecogis.io.transform_files import read_control_points, write_params
    from ecogis.render.transform_text import transform_fit_text
    from ecogis.transform import fit_transform

    require_number(tolerance, "--tolerance", above=0)
    names, source, target = read_control_points(points, notes)
    result = fit_transform(source, target, method=method, from_crs=from_crs, to_crs=to_crs, names=names,
                           tolerance=tolerance)
    written = write_params(result, out, overwrite=overwrite, inputs=(points,)) if out else None
    if as_json:
        emit_json({**result.to_dict(), "output": str(written) if written else None, "notes": list(notes)})
    else:
        click.echo(transform_fit_text(result, written))
