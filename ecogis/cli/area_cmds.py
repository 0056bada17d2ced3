"""``ecogis area`` and ``ecogis audit``: official areas, shares, breakdowns and scripted audits."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ecogis.cli.common import (
    EXIT_FAILED,
    emit_json,
    handle_errors,
    json_option,
    lang_option,
    require_number,
    show_progress,
)
from ecogis.cli.vertex_options import apply_vertices, vertex_options, vertex_spec
from ecogis.messages import say
from ecogis.notes import Notes

UNIT_CHOICES = ["m2", "ha", "km2", "mu", "公顷", "亩"]


@click.command(name="area")
@click.argument("layer_path", metavar="LAYER", type=click.Path(exists=True))
@click.option("--layer", "--dxf-layer", "layer_name", metavar="NAME",
              help="Layer inside a GeoPackage/FileGDB, or CAD layer(s) of a DXF (comma-separated).")
@click.option("--crs", metavar="CRS", help="CRS of LAYER when the file has none or a wrong one (e.g. EPSG:4529).")
@click.option("--encoding", metavar="ENC", help="Attribute encoding (e.g. GBK) when there is no .cpg.")
@click.option("--cm", type=float, help="Central meridian (°E) for Gauss-Kruger coordinates without zone prefix.")
@click.option("--strict", is_flag=True, help="Exchange texts: read only the 部标 layout.")
@click.option("--transform", "transform", type=click.Path(exists=True, dir_okay=False), metavar="PARAMS.yaml",
              help="Apply fitted datum parameters (ecogis transform fit) to LAYER first, through PROJ.")
@click.option("--kind", metavar="KIND", help="Layer kind (redline, reserve, ...): names the figure and maps fields.")
@click.option("--within", metavar="FILE|NAME",
              help="Clip to a boundary file or an administrative name (盘锦市, 大洼区, adcode) and give the share.")
@click.option("--within-layer", metavar="NAME", help="Layer inside the --within GeoPackage (e.g. city).")
@click.option("--by", metavar="FIELD|districts",
              help="Break the total down by a field of LAYER, or by the districts of the boundary.")
@click.option("--districts", metavar="FILE|NAME", help="Districts for --by districts (default: those of --within).")
@click.option("--districts-layer", metavar="NAME", help="Layer inside the --districts GeoPackage.")
@click.option("--unit", default="km2", show_default=True, type=click.Choice(UNIT_CHOICES),
              help="Area unit: m2, ha (公顷), km2, mu (亩 = 10000/15 m²).")
@click.option("--method", default="ellipsoid", show_default=True,
              type=click.Choice(["ellipsoid", "geodesic", "plane"]),
              help="ellipsoid: official 椭球面积 (CGCS2000); geodesic: GeographicLib; plane: comparison only.")
@click.option("--plane-crs", metavar="CRS", help="Projected CRS for --method plane (default: LAYER's or its GK zone).")
@click.option("--declared", type=float, metavar="AREA", help="Published area in --unit to compare with.")
@click.option("--declared-share", type=float, metavar="PCT",
              help="Published share of the boundary (%) to compare with.")
@click.option("--boundary-area", type=float, metavar="AREA",
              help="Published area of the boundary in --unit (e.g. a statistical total incl. sea areas): the share "
                   "is taken of it; the share of the boundary polygon is reported too.")
@vertex_options
@json_option
@lang_option
@handle_errors
def area(layer_path, layer_name, crs, encoding, cm, strict, transform, kind, within, within_layer, by, districts,
         districts_layer, unit, method, plane_crs, declared, declared_share, boundary_area, as_line, as_polygon, group,
         order, as_json, lang, notes):
    """Official (ellipsoidal) area of a polygon layer, its share of a boundary and breakdowns.

    The layer is dissolved first, so overlapping polygons are counted once; the overlap removed is
    reported. Areas use the official land-survey ellipsoidal method on the CGCS2000 ellipsoid
    (国土调查办发〔2008〕32号, TD/T 1055-2019) unless --method says otherwise; every figure states its
    unit, method and CRS.

    \b
    Examples:
      ecogis area layers/redline/redline.shp --within 盘锦市
      ecogis area layers/redline/redline.shp --within layers/boundary/panjin.gpkg --within-layer city \\
          --declared 1091.71 --declared-share 26.61 --boundary-area 4102.6
      ecogis area layers/redline/redline.shp --within 盘锦市 --by districts --unit ha
      ecogis area layers/redline/redline.shp --by type --unit mu --json
      ecogis area layers/redline/redline.shp --method plane      # comparison only
      ecogis area parcels.txt --cm 123 --unit ha                 # 6-digit Y without zone prefix
      ecogis area old_bj54.shp --crs EPSG:2417 --transform bj54_to_cgcs.yaml

    Exit codes: 0 ok, 2 bad input.
    """
    from ecogis.area import layer_area, normalise_unit
    from ecogis.audit import recorded_assumptions
    from ecogis.io import read_layer
    from ecogis.io.boundary_refs import resolve_boundary, resolve_districts
    from ecogis.render.area_text import area_text

    require_number(declared, "--declared", above=0)
    require_number(declared_share, "--declared-share", at_least=0, at_most=100)
    require_number(boundary_area, "--boundary-area", above=0)
    with recorded_assumptions([]) as raised:  # assumptions go into the report (its notes), not twice to stderr
        gdf = read_layer(layer_path, kind=kind, layer=layer_name, crs=crs, encoding=encoding, cm=cm, strict=strict,
                         transform=transform)
        gdf = apply_vertices(gdf, vertex_spec(as_line, as_polygon, group, order), layer_path)
        boundary, label = (None, None)
        if within:
            boundary, label = resolve_boundary(within, layer=within_layer)
            _warn_mixed_datums(gdf, boundary)
        district_gdf = None
        if by == "districts":
            district_gdf = resolve_districts(districts, within, layer=districts_layer)
        result = layer_area(gdf, method=method, unit=normalise_unit(unit), within=boundary, within_label=label,
                            by=by, districts=district_gdf, declared=declared, declared_share=declared_share,
                            plane_crs=plane_crs, boundary_area=boundary_area,
                            boundary_area_source="--boundary-area" if boundary_area is not None else None)
    result.notes = Notes([*result.notes, *raised, *notes])
    if as_json:
        emit_json(result.to_dict(lang))
    else:
        click.echo(area_text(result, lang))


def _warn_mixed_datums(gdf, boundary) -> None:
    """Say so when the layer and the --within boundary are on datums PROJ cannot convert between."""
    from ecogis.crs import datum_mismatch_note

    note = datum_mismatch_note(gdf.crs, boundary.crs)
    if note:
        say("area_datum_mix", note=note)


@click.command(name="audit")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "-o", "out", type=click.Path(file_okay=False),
              help="Folder for the audit table: audit.xlsx and audit.csv (all checks and their details).")
@click.option("--overwrite", is_flag=True, help="Replace existing audit.xlsx / audit.csv in --out.")
@click.option("--operator", metavar="NAME", help="Who ran the audit (printed in the report beside the date).")
@click.option("--engine", type=click.Choice(["local", "dask"]),
              help="dask: area_share totals, count_in_zones and within_distance on a Dask cluster (the spec key "
                   "'engine'; needs ecogis[dask]); same figures.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="With --engine dask: the Dask scheduler to use.")
@json_option
@lang_option
@handle_errors
def audit(spec, out, overwrite, operator, engine, scheduler, as_json, lang, notes):
    """Run a YAML list of area, count, compliance, length, distance, change and topology checks.

    Each check prints its value, the expectation and a verdict (通过/不通过, PASS/FAIL), with units,
    method and CRS; assumptions (guessed CRS or encoding) are noted under the check that met them.
    Paths in the spec are relative to the spec file; keys are checked before any data is read.

    \b
    Check types (keys: see scripts/panjin_audit.yaml and ecogis.audit.CHECK_KEYS):
      area_share       area and share within a boundary vs declared figures (tolerance)
      count_in_zones   points per zone vs expected counts / limits
      compliance       share of water sections meeting their target class
      length_share     length of one line type over all (natural shoreline)
      within_distance  features within a distance of another layer
      no_decrease      two versions of a layer: lost, gained, net, changed features
      topology         overlaps inside a layer, slivers outside and gaps against a boundary
                       (tile: true = the layer must cover it), overlaps with other layers

    \b
    Examples:
      ecogis audit scripts/panjin_audit.yaml
      ecogis audit scripts/panjin_audit.yaml --out maps/audit --overwrite
      ecogis audit scripts/panjin_audit.yaml --json --lang en

    Exit codes: 0 every check passed, 1 at least one check failed, 2 bad spec or input (the message
    names the check and the key).
    """
    from ecogis.audit import load_spec, run_audit
    from ecogis.outputs import atomic_folder, check_output_folder
    from ecogis.render.audit_table import FILES, write_audit_table

    spec_obj = load_spec(spec)
    spec_obj.defaults.update({k: v for k, v in (("engine", engine), ("scheduler", scheduler)) if v})
    inputs = [spec] + [spec_obj.base / layer["path"] for layer in spec_obj.layers.values()]
    if out:
        check_output_folder(out, FILES, overwrite=overwrite, inputs=inputs)
    report = run_audit(spec_obj, progress=not as_json and show_progress())  # its assumptions are in the report's notes
    report.notes = Notes([*report.notes, *notes])
    report.operator = operator
    if out:  # the table set is moved into place as a whole: all files of the run or none
        with atomic_folder(out, FILES, overwrite=overwrite, inputs=inputs) as tmp:
            write_audit_table(report, tmp, lang=lang)
        report.outputs = [str(Path(out) / name) for name in FILES]
    if as_json:
        emit_json(report.to_dict(lang))
    else:
        from ecogis.render.audit_table import audit_text

        click.echo(audit_text(report, lang))
    if not report.passed:
        sys.exit(EXIT_FAILED)
