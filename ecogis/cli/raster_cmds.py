"""``ecogis raster zonal`` and ``ecogis raster change``: land cover inside protected zones."""
from __future__ import annotations

import click

from ecogis.cli.common import emit_json, handle_errors, json_option, lang_option, require_number, show_progress
from ecogis.layer_info import LayerInfo
from ecogis.render.raster_text import change_text, written_line, zonal_text

zones_options = [
    click.option("--zones", "zones_path", required=True, type=click.Path(exists=True),
                 help="Zone polygons (reserve zones, red line ...): any format ecogis reads."),
    click.option("--zones-layer", metavar="NAME", help="Layer inside the --zones GeoPackage/FileGDB."),
    click.option("--cm", type=float, help="Central meridian (°E) of --zones coordinates without zone prefix."),
    click.option("--kind", metavar="KIND", help="Layer kind of --zones (reserve, redline ...): maps fields."),
    click.option("--by", metavar="FIELD",
                 help="Group (dissolve) zones by this field, e.g. zone (核心区/缓冲区/实验区)."),
    click.option("--classes", metavar="YAML", type=click.Path(exists=True, dir_okay=False),
                 help="Class legend (code, zh, en, color). Default: <raster>.classes.yaml, else CLCD."),
    click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for the tables."),
    click.option("--overwrite", is_flag=True, help="Replace existing output files."),
    click.option("--memory-mb", default=256, show_default=True, type=float,
                 help="Memory for raster windows; larger rasters are read block by block."),
    click.option("--no-progress", is_flag=True, help="No progress bar on stderr."),
]


def _emit(result, written, text, as_json, lang):
    """Print ``result`` as JSON (with the written paths) or as report text in ``lang``."""
    if as_json:
        emit_json({**result.to_dict(), "outputs": [str(p) for p in written]})
        return
    click.echo(text(result, lang))
    for p in written:
        click.echo(written_line(p, lang))


def _with(options):
    def deco(f):
        for opt in reversed(options):
            f = opt(f)
        return f
    return deco


@click.group(name="raster", context_settings={"help_option_names": ["-h", "--help"]})
def raster():
    """Land-cover composition and change inside protected zones.

    Areas are ellipsoidal (m², 公顷, 亩): each cell's area follows the raster CRS (per row of a
    lat/lon grid; scale-corrected in a projected grid), and cells on zone edges count by the exact
    fraction covered. Default legend: CLCD first-level classes (ecogis/data/landcover_classes.yaml).

    \b
    Examples:
      ecogis raster zonal layers/raster/lc_2023.tif --zones layers/reserve/liaohekou.geojson --kind reserve --by zone
      ecogis raster change layers/raster/lc_2015.tif layers/raster/lc_2023.tif \\
          --zones layers/reserve/liaohekou.geojson --kind reserve --by zone --in 核心区,缓冲区 --out maps/change
    """


def _zones(path, kind, layer, cm, notes):
    """``path`` itself, or with --cm the zones read here (the raster functions read a path without it)."""
    if cm is None:
        return path
    from ecogis.io import read_layer

    gdf = read_layer(path, kind=kind, layer=layer, cm=cm)
    notes.extend(n for n in LayerInfo.of(gdf).notes if n not in notes)
    return gdf


@raster.command(name="zonal")
@click.argument("raster_path", metavar="RASTER", type=click.Path(exists=True, dir_okay=False))
@_with(zones_options)
@json_option
@lang_option
@handle_errors
def zonal(raster_path, zones_path, zones_layer, cm, kind, by, classes, out_dir, overwrite, memory_mb, no_progress,
          as_json, lang, notes):
    """Area of each land-cover class in each zone (m², 公顷, 亩), its share and the nodata area.

    Zones in another CRS are reprojected to the raster's. Overlapping zones in one --by group are
    dissolved first, so no area is counted twice. Shares are of the zone area inside the raster.

    \b
    Examples:
      ecogis raster zonal layers/raster/lc_2023.tif --zones layers/reserve/liaohekou.geojson --kind reserve --by zone
      ecogis raster zonal lc.tif --zones redline.shp --classes my_legend.yaml --out out/ --json

    Writes zonal.csv, zonal.xlsx, zonal.json into --out. Exit codes: 0 ok, 2 bad input.
    """
    from ecogis.raster import zonal_composition
    from ecogis.raster.output import ZONAL_FILES, check_outputs, require_dir, write_zonal

    inputs = (raster_path, zones_path, classes)
    require_number(memory_mb, "--memory-mb", above=0)
    if out_dir:
        require_dir(out_dir)
        check_outputs(out_dir, ZONAL_FILES, overwrite=overwrite, inputs=inputs)
    zones = _zones(zones_path, kind, zones_layer, cm, notes)
    result = zonal_composition(raster_path, zones, by=by, legend=classes, kind=kind, layer=zones_layer,
                               memory_mb=memory_mb, progress=not no_progress and show_progress(), notes=notes)
    written = write_zonal(result, out_dir, overwrite=overwrite, lang=lang, inputs=inputs) if out_dir else []
    _emit(result, written, zonal_text, as_json, lang)


@raster.command(name="change")
@click.argument("before", type=click.Path(exists=True, dir_okay=False))
@click.argument("after", type=click.Path(exists=True, dir_okay=False))
@_with(zones_options)
@click.option("--after-classes", metavar="YAML", type=click.Path(exists=True, dir_okay=False),
              help="Legend of AFTER if it has its own file; it must define the same classes.")
@click.option("--to", "to", metavar="CLASSES",
              help="Classes of interest, codes or names: '8,7' or '不透水面（建设用地）,裸地'. Default: the legend's "
                   "change_of_interest (CLCD: impervious and barren).")
@click.option("--in", "within", metavar="ZONES",
              help="Only look for patches in these zones (values of --by), e.g. 核心区,缓冲区.")
@click.option("--min-area", default=0.0, show_default=True, type=float, help="Drop patches smaller than this (m²).")
@json_option
@lang_option
@handle_errors
def change(before, after, zones_path, zones_layer, cm, kind, by, classes, out_dir, overwrite, memory_mb, no_progress,
           after_classes, to, within, min_area, as_json, lang, notes):
    """Transition matrix per zone and polygons of changes of interest (suspected human activity).

    BEFORE sets the grid; AFTER on another grid is resampled to it (nearest neighbour) with a
    warning. Both must use one legend. Patches are cells that became a class in --to, polygonised,
    clipped to the zones and measured with the official ellipsoidal area; each has id, zone, from/to
    class, area (m², 公顷, 亩) and centroid (CGCS2000 lon/lat) for field checks.

    \b
    Examples:
      ecogis raster change layers/raster/lc_2015.tif layers/raster/lc_2023.tif \\
          --zones layers/reserve/liaohekou.geojson --kind reserve --by zone --in 核心区,缓冲区 --out maps/change
      ecogis raster change a.tif b.tif --zones redline.shp --to 8 --min-area 900 --out out/ --json

    Writes transitions.csv/.xlsx, patches.gpkg (layer patches; `ecogis map`/`ecogis check` read it),
    change.tif (Cloud-Optimized GeoTIFF) and change.json into --out. Exit codes: 0 ok, 2 bad input.
    """
    from ecogis.error_messages import error
    from ecogis.raster.change import change_detection
    from ecogis.raster.output import CHANGE_FILES, check_outputs, require_dir, write_change

    if not out_dir:
        raise error("cli.change_needs_out", field="--out", hint="cli.change_needs_out_hint")
    inputs = (before, after, zones_path, classes, after_classes)
    require_number(memory_mb, "--memory-mb", above=0)
    require_number(min_area, "--min-area", at_least=0)
    require_dir(out_dir)
    check_outputs(out_dir, CHANGE_FILES, overwrite=overwrite, inputs=inputs)
    within_list = [w.strip() for w in within.split(",") if w.strip()] if within else None
    zones = _zones(zones_path, kind, zones_layer, cm, notes)
    result = change_detection(before, after, zones, by=by, within=within_list, to=to, legend=classes,
                              after_legend=after_classes, kind=kind, layer=zones_layer, min_area_m2=min_area,
                              memory_mb=memory_mb, progress=not no_progress and show_progress(), notes=notes)
    written = write_change(result, out_dir, overwrite=overwrite, lang=lang, inputs=inputs, memory_mb=memory_mb)
    _emit(result, written, change_text, as_json, lang)
