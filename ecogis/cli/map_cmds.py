"""``ecogis map``: interactive HTML (folium) or print-ready PNG/PDF/SVG maps of ecogis layers."""
from __future__ import annotations

from pathlib import Path

import click

from ecogis.cli.common import emit_json, handle_errors, json_option, lang_option, log
from ecogis.cli.vertex_options import apply_vertices, vertex_options, vertex_spec
from ecogis.error_messages import error
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.render.folium_map import BASEMAPS

EPILOG = """\b
LAYER is a file (any format `ecogis info` reads; FILE:LAYER picks one layer of a GeoPackage),
KIND=FILE to give its kind (redline, reserve, water_section, outfall, water_source, boundary,
site, well, shoreline, facility, town_boundary), or, with --project, a project layer name.
Without LAYER, --project draws all its layers. A file without KIND gets the kind its name
suggests (redline.shp -> redline), with a warning. Layers of no known kind (for example
patches.gpkg from `ecogis raster change`) get a default style by geometry: translucent polygons,
plain lines, round markers, one colour per layer.

\b
Examples:
  ecogis map layers/redline/redline.shp --out maps/redline.html
  ecogis map reserve=layers/reserve/liaohekou.geojson water_section=layers/water/sections.xlsx \\
      --title "辽河口保护区及水质断面" --out maps/liaohekou.png
  ecogis map --project layers/project.yaml --site layers/sites/sites_zone41.txt \\
      --out maps/site.pdf --overwrite
  ecogis map --project layers/project.yaml --site layers/sites/sites_zone41.txt --focus site \\
      --title "项目选址与生态空间关系图" --out maps/site.png --json
  ecogis map reserve=layers/reserve/liaohekou.geojson out/change/patches.gpkg --out maps/change.png
  TIANDITU_KEY=... ecogis map --project layers/project.yaml --basemap tianditu-img --out maps/img.html

\b
HTML maps are one self-contained file (Leaflet is inlined): they open without internet unless a
tiled base map (osm, tianditu-*, amap*) is chosen. Amap tiles are GCJ-02: the data are shifted for
display only. Static maps are A4 landscape at --dpi (300) with title, legend, scale bar, north
arrow, graticule and a location inset; they are drawn in the local 3-degree Gauss-Kruger zone.
--json prints {out, format, bytes, seconds, layers: [{name, kind, features, crs}], site, notes}.

\b
Exit codes: 0 map written; 2 bad input (file or layer not found, layer without CRS, unknown
output type, output exists without --overwrite), with one line on stderr naming the file.
"""


def _split_layer(text: str) -> tuple[Path, str | None]:
    """'data.gpkg:city' -> (data.gpkg, 'city') when data.gpkg exists and the whole string does not."""
    path = Path(text)
    if not path.exists() and ":" in text:
        head, _, tail = text.rpartition(":")
        if Path(head).exists() and tail and "/" not in tail and "\\" not in tail:
            return Path(head), tail
    return path, None


def _read_file(path: Path, kind: str | None, notes: list, layer: str | None = None, cm: float | None = None):
    from ecogis.describe import guess_kind
    from ecogis.io import read_layer

    if kind is None:
        kind = guess_kind(path)
        if kind is not None:
            say("map_kind_from_name", notes, path=path, quoted=repr(kind), kind=kind)
    return _noting_empty_sites(read_layer(path, kind=kind, layer=layer, cm=cm), path, kind)


def _noting_empty_sites(gdf, path, kind):
    """read_layer leaves site features without geometry to the check (an error or a --skip-empty note);
    a map that does not draw them says so."""
    from ecogis.layers import warn_missing_geometries

    if kind == "site":
        warn_missing_geometries(gdf, path)
    return gdf


def _collect_layers(tokens, project_path, notes, cm=None) -> dict:
    project = None
    if project_path is not None:
        from ecogis.project import load_project

        project = load_project(project_path)
    layers: dict = {}
    if project is not None and not tokens:
        boundary = project.read_boundary()
        if boundary is not None:
            layers["boundary"] = boundary
        layers.update(project.read_layers())
    for token in tokens:
        name, gdf = _read_token(token, project, notes, cm)
        if name in layers:
            name = f"{name}_{len(layers)}"
        layers[name] = gdf
    for name, gdf in layers.items():
        log.info("layer %s: %d feature(s), kind %s", name, len(gdf), LayerInfo.of(gdf).kind)
    if not layers:
        raise error("cli.no_layers", hint="cli.no_layers_hint")
    return layers


def _read_token(token: str, project, notes, cm=None):
    kind = None
    text = token
    if "=" in token and not Path(token).exists():
        kind, text = token.split("=", 1)
        kind = kind.strip()
    if project is not None and text in project.layers and not Path(text).exists():
        return text, project.layers[text].read()
    path, layer = _split_layer(text)
    if not path.exists():
        if project is None:
            raise error("cli.layer_not_found", path=path, hint="cli.check_path")
        raise error("cli.layer_not_found", path=path, layers=", ".join(project.layers), hint="cli.check_path_project")
    return layer or path.stem, _read_file(path, kind, notes, layer, cm)


def _read_site(site_path, cm=None, vertices=None):
    if site_path is None:
        return None
    from ecogis.io import read_layer

    site = _noting_empty_sites(read_layer(site_path, kind="site", cm=cm), site_path, "site")
    site = apply_vertices(site, vertices, site_path)
    site.attrs.setdefault("ecogis", {})["kind"] = "site"
    return site


@click.command(name="map", epilog=EPILOG, context_settings={"max_content_width": 100})
@click.argument("layers", nargs=-1, metavar="[LAYER]...")
@click.option("--project", "project_path", type=click.Path(path_type=Path),
              help="Project YAML/GeoPackage: its layers by name, or all of them when no LAYER is given.")
@click.option("--site", "site_path", type=click.Path(path_type=Path),
              help="Project site (parcel, line, points; exchange text too), drawn with a bold outline.")
@click.option("--cm", type=float,
              help="Central meridian (°E) of Gauss-Kruger coordinates without zone prefix in LAYER and --site files.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Output: maps/NAME.html (interactive) or .png/.pdf/.svg (static).")
@click.option("--basemap", type=click.Choice(BASEMAPS), default="none", show_default=True,
              help="HTML base map. 'none' works offline; tianditu-* need TIANDITU_KEY or --tianditu-key.")
@click.option("--tianditu-key", help="Tianditu (天地图) key; default: environment variable TIANDITU_KEY.")
@click.option("--title", help="Map title (图名).")
@lang_option
@click.option("--styles", "styles_path", type=click.Path(path_type=Path),
              help="YAML style overrides merged over the defaults (see maps/styles.yaml).")
@click.option("--dpi", type=click.IntRange(50, 1200), default=300, show_default=True, help="PNG resolution.")
@click.option("--province", help="Province for the location inset of static maps (default: found from the data).")
@click.option("--no-inset", is_flag=True, help="Static maps: leave out the location inset.")
@click.option("--focus", type=click.Choice(["data", "site"]), default="data", show_default=True,
              help="Map extent: all data, or the site and its surroundings (at least 2 km; needs --site).")
@click.option("--review-no", "review_no", metavar="TEXT",
              help="The map's 审图号 (review number), printed on the map; default: the project file's review_no.")
@click.option("--source", metavar="TEXT",
              help="The data source printed on the map; default: the project file's source.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@vertex_options
@json_option
@handle_errors
def map_cmd(layers, project_path, site_path, cm, out, basemap, tianditu_key, title, lang, styles_path, dpi,
            province, no_inset, focus, review_no, source, overwrite, as_line, as_polygon, group, order, as_json, notes):
    """Draw ecogis layers as an interactive HTML map or a print-ready static map.

    Styles follow the layer kind: red line in red with hatching, reserve zones in graded greens
    (core darkest), water sections coloured by measured class with a ring in the target class
    (blue Ⅰ–Ⅱ, green Ⅲ, yellow Ⅳ, orange Ⅴ, red 劣Ⅴ), outfalls by type and status, boundaries
    dashed. Popups, legend and labels are in Chinese (--lang en for English).
    """
    from ecogis.render.map_file import check_map_output, format_map_result, write_map

    check_map_output(out, overwrite=overwrite)   # fail before reading large layers
    if focus == "site" and site_path is None:
        raise error("cli.focus_needs_site", hint="cli.focus_needs_site_hint")
    gdfs = _collect_layers(layers, project_path, notes, cm)
    vertices = vertex_spec(as_line, as_polygon, group, order)  # applies to --site
    if project_path is not None:
        from ecogis.project import load_project

        project = load_project(project_path)
        review_no, source = review_no or project.review_no, source or project.source
    result = write_map(gdfs, out, site=_read_site(site_path, cm, vertices), site_path=site_path, basemap=basemap,
                       tianditu_key=tianditu_key, title=title, lang=lang, styles=styles_path, dpi=dpi,
                       province=province, inset=not no_inset, focus=None if focus == "data" else "site",
                       overwrite=overwrite, notes=notes, review_no=review_no, source=source)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(format_map_result(result))
