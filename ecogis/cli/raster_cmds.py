"""``ecogis raster zonal`` and ``ecogis raster change``: land cover inside protected zones."""
from __future__ import annotations

import unicodedata

import click

from ecogis.cli.common import emit_json, handle_errors, json_option, lang_option, require_number, show_progress

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
        click.echo(("已写出 " if lang == "zh" else "wrote ") + str(p))


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
    notes.extend(n for n in gdf.attrs["ecogis"].get("notes", []) if n not in notes)
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
    from ecogis.errors import EcogisError
    from ecogis.raster.change import change_detection
    from ecogis.raster.output import CHANGE_FILES, check_outputs, require_dir, write_change

    if not out_dir:
        raise EcogisError("--out is required for change", field="--out", hint="Give a folder, e.g. --out maps/change")
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


# Chinese wording of the method strings the results carry (JSON keeps the English ones).
METHOD_ZH = {
    "geographic": "经纬度像元逐行按椭球面闭合公式计算面积（栅格坐标系的椭球）",
    "projected": "像元平面面积除以像元中心的面积比例因子（pyproj get_factors），即像元的椭球面积",
    "official": "椭球面积（ecogis.area，CGCS2000 椭球，官方方法）",
}
def _method_zh(text: str) -> str:
    from ecogis.raster.pixel_area import PIXEL_AREA_METHOD
    from ecogis.raster.vector_area import OFFICIAL_AREA_METHOD

    keys = {PIXEL_AREA_METHOD["geographic"]: "geographic", PIXEL_AREA_METHOD["projected"]: "projected",
            OFFICIAL_AREA_METHOD: "official"}
    return METHOD_ZH[keys[text]] if text in keys else text


def _method_lines(result, second_zh: str, second_en: str, second: str, zh: bool) -> list[str]:
    """Cell-area and zone/patch-area method lines, in the report language."""
    if zh:
        return ["像元面积：" + _method_zh(result.pixel_area_method), second_zh + _method_zh(second)]
    return ["Cell area: " + result.pixel_area_method, second_en + second]


def _fmt(m2: float, zh: bool = True) -> str:
    from ecogis.raster.vector_area import units

    ha, mu = ("公顷", "亩") if zh else ("ha", "mu")
    u = units(m2)
    return f"{m2:,.1f} m² = {u['ha']:,.4f} {ha} = {u['mu']:,.2f} {mu}"


def _cols(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns."""
    return text + " " * max(0, width - _cols(text))


def zonal_text(result, lang="zh") -> str:
    zh = lang == "zh"
    lines = [
        (f"栅格 {result.raster}（坐标系 {result.raster_crs}），图例 {result.legend.name}" if zh
         else f"Raster {result.raster} (CRS {result.raster_crs}), legend {result.legend.name}"),
        *_method_lines(result, "分区面积：", "Zone area: ", result.zone_area_method, zh),
        ("边缘像元按被覆盖比例计入（exactextract）；占比为分区在栅格范围内面积的比例" if zh
         else "Edge cells count by the fraction covered (exactextract); shares are of the zone area inside the raster"),
    ]
    w = max([_cols(c.name(lang)) for c in result.legend.classes] + [14])
    for z in result.zones:
        lines.append("")
        lines.append((f"【{z.zone}】分区面积 " if zh else f"[{z.zone}] zone area ") + _fmt(z.zone_area_m2, zh))
        for c in z.classes:
            lines.append(f"  {c.code:>4} {_pad(c.zh if zh else c.en, w)} {_fmt(c.m2, zh)}  {c.share:7.2%}")
        lines.append(f"  {'':>4} {_pad('无数据' if zh else 'nodata', w)} {_fmt(z.nodata_m2, zh)}  "
                     f"{z.nodata_share:7.2%}")
        if z.outside_is_notable:
            lines.append(f"  {'':>4} {_pad('栅格范围外' if zh else 'outside raster', w)} {_fmt(z.outside_m2, zh)}")
    lines += _notes(result.notes, zh)
    return "\n".join(lines)


def change_text(result, lang="zh") -> str:
    zh = lang == "zh"
    names = "、".join(result.legend.get(c).name(lang) for c in result.to_codes)
    lines = [
        (f"变化检测 {result.before} → {result.after}（坐标系 {result.raster_crs}），关注类型：{names}" if zh
         else f"Change {result.before} -> {result.after} (CRS {result.raster_crs}), classes of interest: {names}"),
        *_method_lines(result, "图斑面积：", "Patch area: ", result.patch_area_method, zh),
    ]
    for z in result.zones:
        lines.append("")
        lines.append((f"【{z.zone}】变化面积 " if zh else f"[{z.zone}] changed ") + _fmt(z.changed_m2(), zh)
                     + ("，其中变为关注类型 " if zh else ", of which to classes of interest ")
                     + _fmt(z.changed_m2(result.to_codes), zh))
        for t in z.transitions:
            if t.from_code != t.to_code:
                a, b = result.legend.get(t.from_code), result.legend.get(t.to_code)
                lines.append(f"  {a.name(lang)} → {b.name(lang)}: {_fmt(t.m2, zh)}")
    p = result.patches
    lines.append("")
    lines.append((f"疑似人类活动图斑 {len(p)} 个（质心为 CGCS2000 经纬度）" if zh
                  else f"{len(p)} suspected human-activity patches (centroids in CGCS2000 lon/lat)"))
    for row in p.head(20).itertuples():
        lines.append(f"  {row.id} {row.zone} {row.from_zh if zh else row.from_en}→{row.to_zh if zh else row.to_en} "
                     f"{_fmt(row.area_m2, zh)} @ {row.centroid_lon:.6f}E {row.centroid_lat:.6f}N")
    if len(p) > 20:
        lines.append(f"  ... （共 {len(p)} 个，见 patches.gpkg）" if zh
                     else f"  ... ({len(p)} in all, see patches.gpkg)")
    lines += _notes(result.notes, zh)
    return "\n".join(lines)


def _notes(notes, zh):
    from ecogis.raster.messages import to_zh

    if not notes:
        return []
    return ["", "说明：" if zh else "Notes:"] + [f"  - {to_zh(n) if zh else n}" for n in notes]
