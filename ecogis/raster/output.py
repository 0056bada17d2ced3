"""Write raster-analysis results: CSV/XLSX tables, JSON, the patch layer and Cloud-Optimized GeoTIFFs.

Each set of outputs is written into a temporary folder and moved into place together, and nothing
is written if any output already exists (unless ``overwrite``) or would replace an input.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
import rasterio.shutil
from rasterio import windows

from ecogis.error_messages import error
from ecogis.outputs import atomic_folder, atomic_path, check_output_folder
from ecogis.render.cells import csv_frame, frame_to_excel


def _write_table(df, path, overwrite=False, index=False):
    with atomic_path(path, overwrite=overwrite) as tmp:
        if path.suffix == ".csv":
            csv_frame(df).to_csv(tmp, index=index, encoding="utf-8-sig")  # BOM: Excel opens Chinese text correctly
        else:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                frame_to_excel(df, xl, index=index)


def _write_json(obj, path, overwrite=False):
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=_default), encoding="utf-8")


def _default(o):
    return o.item() if hasattr(o, "item") else str(o)


ZONAL_FILES = ("zonal.csv", "zonal.xlsx", "zonal.json")
CHANGE_FILES = ("transitions.csv", "transitions.xlsx", "patches.gpkg", "change.tif", "change.json")


def check_outputs(out_dir, names, *, overwrite=False, inputs=()) -> list[Path]:
    """Paths of ``names`` in ``out_dir``; EcogisError before any work if one exists (unless ``overwrite``)."""
    folder = check_output_folder(out_dir, names, overwrite=overwrite, inputs=inputs)
    return [folder / n for n in names]


def write_zonal(result, out_dir, *, overwrite=False, lang="zh", inputs=()) -> list[Path]:
    """``zonal.csv``, ``zonal.xlsx`` (long table: zone, class, m², 公顷, 亩, share) and ``zonal.json``,
    moved into ``out_dir`` together (all of them or none)."""
    table = result.table(lang)
    with atomic_folder(out_dir, ZONAL_FILES, overwrite=overwrite, inputs=inputs) as tmp:
        csv, xlsx, js = (tmp / n for n in ZONAL_FILES)
        _write_table(table, csv)
        _write_table(table, xlsx)
        _write_json(result.to_dict(), js)
    return [Path(out_dir) / n for n in ZONAL_FILES]


def write_change(result, out_dir, *, overwrite=False, lang="zh", inputs=(), memory_mb=256) -> list[Path]:
    """Transitions (CSV long + XLSX long and matrix), ``patches.gpkg`` (layer ``patches``),
    ``change.tif`` (COG: AFTER class of each change of interest, 0 elsewhere) and ``change.json``,
    moved into ``out_dir`` together (all of them or none)."""
    from ecogis.io import write_layer

    table = result.table(lang)
    with atomic_folder(out_dir, CHANGE_FILES, overwrite=overwrite, inputs=inputs) as tmp:
        csv, xlsx, patches, tif, js = (tmp / n for n in CHANGE_FILES)
        _write_table(table, csv)
        with atomic_path(xlsx) as part:
            with pd.ExcelWriter(part, engine="openpyxl") as xl:
                frame_to_excel(table, xl, sheet_name="transitions", index=False)
                if not table.empty:
                    frame_to_excel(result.matrix(lang), xl, sheet_name="matrix_m2")
        if len(result.patches):
            write_layer(result.patches, patches, layer="patches", inputs=inputs)
        else:  # "no suspected patch" is a result too: an empty layer with the full schema
            with atomic_path(patches) as part:
                result.patches.to_file(part, layer="patches", engine="pyogrio", geometry_type="Polygon")
        write_change_raster(result, tif, memory_mb=memory_mb)
        _write_json(result.to_dict(), js)
    return [Path(out_dir) / n for n in CHANGE_FILES]


def write_change_raster(result, path, *, overwrite=False, memory_mb=256) -> Path:
    """Cloud-Optimized GeoTIFF of the patch cells over the patches' extent (one empty cell if there are none).

    Cell values: the AFTER class (uint8, or uint16 for codes above 255); 0 = no change of interest.

    Written window by window into a tiled GeoTIFF, then copied with GDAL's COG driver.
    """
    from ecogis.raster.change import _window_of, change_windows
    from ecogis.raster.extract import max_cells_for
    from ecogis.raster.sources import ClassSource, aligned, open_raster

    path = Path(path)
    lg = result.legend
    bds, ads = open_raster(result.before), open_raster(result.after)
    with bds, ads:
        ads_on_grid = aligned(ads, bds, lg.nodata)
        src_b = ClassSource(bds, nodata=lg.nodata)  # ClassSource prefers the raster's own nodata;
        src_a = ClassSource(ads_on_grid, nodata=lg.nodata)  # the fallback was already reported
        zones = result.patches if not result.patches.empty else None
        if zones is None:
            area = windows.Window(0, 0, 1, 1)
        else:
            area = _window_of(bds, zones.total_bounds)
        dtype = "uint8" if max(lg.codes) <= 255 else "uint16"  # a uint16 colour table alone is ~400 KB
        profile = {"driver": "GTiff", "width": int(area.width), "height": int(area.height), "count": 1,
                   "dtype": dtype, "nodata": 0, "crs": bds.crs, "transform": windows.transform(area, bds.transform),
                   "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate"}
        with atomic_path(path, overwrite=overwrite) as tmp:
            staging = tmp.with_name("staging.tif")
            with rasterio.open(staging, "w", **profile) as dst:
                if zones is not None:
                    for win, b, a, mask in change_windows(src_b, src_a, zones, result.to_codes,
                                                          max_cells=max_cells_for(memory_mb), all_touched=False):
                        local = windows.Window(win.col_off - area.col_off, win.row_off - area.row_off,
                                               win.width, win.height)
                        dst.write(np.where(mask, a, 0).astype(dtype), 1, window=local)
                if dtype == "uint8":
                    dst.write_colormap(1, _colormap(lg))
                dst.update_tags(legend=lg.name, before=result.before, after=result.after,
                                meaning="AFTER class code where a change of interest happened; 0 = none")
            rasterio.shutil.copy(staging, tmp, driver="COG", compress="DEFLATE")
            staging.unlink()
    return path


def _colormap(lg) -> dict:
    cmap: dict[int, tuple[int, ...]] = {0: (0, 0, 0, 0)}
    for c in lg.classes:
        h = c.color.lstrip("#")
        cmap[c.code] = tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) + (255,)
    return cmap


def require_dir(out_dir):
    p = Path(out_dir)
    if p.exists() and not p.is_dir():
        raise error("out.must_be_directory", path=p, hint="out.give_folder")
    return p
