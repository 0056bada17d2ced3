"""Write a GeoDataFrame to any format read_layer takes, atomically and never over an input.

The format follows the suffix: .shp (UTF-8 text with a .cpg), .zip (a zipped shapefile), .gpkg,
.geojson/.json, .kml/.kmz (reprojected to WGS 84 as KML requires), .gdb (FileGDB through GDAL's
OpenFileGDB driver), .csv/.tsv/.xlsx (point tables, or a WKT column for other geometries) and .txt
(the land-survey coordinate exchange text, see :mod:`ecogis.io.exchange`).
"""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd

from ecogis.crs import WEB_SYSTEMS
from ecogis.error_messages import error
from ecogis.messages import say
from ecogis.outputs import atomic_path, check_output_path

#: suffix -> GDAL driver used by pyogrio
DRIVERS = {
    ".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON",
    ".kml": "KML", ".kmz": "LIBKML", ".gdb": "OpenFileGDB",
}
TABLES = (".csv", ".tsv", ".xlsx")
WRITABLE = tuple(DRIVERS) + TABLES + (".zip", ".txt", ".parquet")


def write_layer(gdf: gpd.GeoDataFrame, path, *, layer=None, overwrite: bool = False, inputs=(),
                **exchange_options) -> Path:
    """Write ``gdf`` to ``path``; the format follows the suffix. Refuses to overwrite unless asked.

    ``layer`` names the layer inside a GeoPackage or FileGDB (default: the file stem). ``inputs``
    are paths that must never be written over (the sources of ``gdf``; a shapefile counts with all its
    files, in any letter case). Extra keyword arguments go to :func:`ecogis.io.exchange.write_exchange`
    for .txt outputs. Returns the path written (a shapefile's always ends in lower-case .shp).
    """
    import pyogrio  # here, not at the top: a check whose layers are cached needs no GDAL

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".shp" and path.suffix != ".shp":
        check_output_path(path, overwrite=overwrite, inputs=inputs)  # x.SHP beside an input x.shp
        path = path.with_suffix(".shp")  # the name GDAL writes (with .shx, .dbf ... beside it)
    if suffix not in WRITABLE:
        if not suffix:
            raise error("write.no_suffix", path=path, formats=", ".join(WRITABLE), hint="write.use_one_of")
        raise error("write.unknown_suffix", path=path, suffix=suffix, formats=", ".join(WRITABLE),
                    hint="write.use_one_of")
    if len(gdf) == 0:
        raise error("write.no_features", path=path)
    source = (gdf.attrs.get("ecogis") or {}).get("path")
    inputs = tuple(inputs) + ((source,) if source else ())
    web = (gdf.attrs.get("ecogis") or {}).get("crs") if gdf.crs is None else None
    if gdf.crs is None and web not in WEB_SYSTEMS and suffix != ".txt":
        raise error("write.no_crs", path=path, hint="write.set_crs")
    if web in WEB_SYSTEMS and suffix == ".txt":
        raise error("write.exchange_web", path=path, web=web, hint="write.exchange_from_cgcs2000")
    if web in WEB_SYSTEMS:
        say("write_web_crs", path=path, web=web)
    if suffix == ".txt":
        from ecogis.io.exchange import write_exchange

        check_output_path(path, overwrite=overwrite, inputs=inputs)
        write_exchange(gdf, path, overwrite=overwrite, inputs=inputs, **exchange_options)
        return path
    gdf = _plain_frame(gdf)
    if suffix in (".shp", ".zip"):
        gdf = _shapefile_field_names(gdf, path)
    try:
        with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
            if suffix in TABLES:
                from ecogis.io.table import write_table

                write_table(gdf, tmp)
            elif suffix == ".zip":
                _write_zipped_shapefile(gdf, tmp)
            elif suffix == ".parquet":
                from ecogis.io.parquet import write_geoparquet

                write_geoparquet(gdf, tmp)
            else:
                _write_gdal(gdf, tmp, suffix, layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, OSError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise error("write.failed", path=path, reason=text, hint="write.check_format") from exc
    return path


def _plain_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy without pandas attrs (GDAL metadata must not carry them) and with string column names."""
    out = gdf.copy()
    out.attrs = {}
    out.columns = [str(c) for c in out.columns]
    return out


#: a dBASE field name holds at most this many bytes (UTF-8: 3 bytes per Chinese character)
DBF_NAME_BYTES = 10


def _shapefile_field_names(gdf, path):
    """Columns renamed to fit the 10-byte dBASE limit, cut at a character boundary and kept unique.

    GDAL would cut them mid-character (unreadable UTF-8) or silently; the renames are warned.
    """
    names, renamed = [], []
    for col in gdf.columns:
        if col == gdf.geometry.name or len(col.encode("utf-8")) <= DBF_NAME_BYTES:
            names.append(col)
            continue
        base = _cut_utf8(col, DBF_NAME_BYTES)
        name, k = base, 1
        while name in names or name in gdf.columns:
            k += 1
            name = _cut_utf8(col, DBF_NAME_BYTES - len(str(k)) - 1) + f"_{k}"
        names.append(name)
        renamed.append(f"{col} -> {name}")
    if not renamed:
        return gdf
    say("write_dbf_names", path=path, limit=DBF_NAME_BYTES, renamed=", ".join(renamed))
    out = gdf.copy()
    out.columns = names
    return out


def _cut_utf8(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits ``limit`` bytes."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _write_gdal(gdf, tmp: Path, suffix: str, layer):
    driver = DRIVERS[suffix]
    kwargs = {}
    if suffix in (".kml", ".kmz") and gdf.crs is not None:
        gdf = gdf.to_crs(4326)  # KML is always WGS 84 longitude/latitude
    if suffix in (".gpkg", ".gdb"):
        kwargs["layer"] = layer or tmp.stem
    if suffix == ".shp":
        kwargs["encoding"] = "UTF-8"
    if suffix == ".gdb":  # keep 64-bit integers as integers; one geometry type per feature class
        kwargs["layer_options"] = {"TARGET_ARCGIS_VERSION": "ARCGIS_PRO_3_2_OR_LATER"}
        kwargs["promote_to_multi"] = True
    gdf.to_file(tmp, driver=driver, engine="pyogrio", **kwargs)


def _write_zipped_shapefile(gdf, tmp: Path):
    """Write a shapefile (UTF-8, with .cpg and .prj) and zip its parts into ``tmp``."""
    with tempfile.TemporaryDirectory() as work:
        shp = Path(work) / (tmp.stem + ".shp")
        gdf.to_file(shp, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(work).iterdir()):
                zf.write(part, arcname=part.name)
