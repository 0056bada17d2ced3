"""Vector site files (Shapefile, GeoPackage, FlatGeobuf, GeoJSON) read in ranges of features on the Dask
workers (:mod:`ecogis.site_parts`: the same digests, settling and screening as GeoParquet row groups).

The calling process settles what depends on the whole file from its metadata only, with the functions
:func:`ecogis.io.vector.read_vector` uses: the side-car checks and the .dbf header of a shapefile, its
attribute encoding (.cpg, else detected over the .dbf bytes, with its note), the layer, the .shx index,
the number of features and the CRS the file states (``pyogrio.read_info``). Each worker then reads its
range (pyogrio ``skip_features``/``max_features``, in file order) with that encoding and normalises it as
the whole file is normalised, each feature labelled by its position in the file.

Where the whole-file reader repairs while reading, the batch falls back to reading the sites in the
calling process (:class:`ReadInProcess`, raised by a worker): polygons with unclosed rings (closed with
a note naming the first features of the whole file) and text a worker cannot decode (the reader blanks
half characters over the whole .dbf). Read in the calling process from the start: a zipped or KML
source, a GeoJSON with a ``crs`` member, a .shx that does not index the .shp, and a file stating no CRS
when no ``--site-crs`` is given.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd

from ecogis.errors import EcogisError
from ecogis.notes import Notes

VECTOR_SUFFIXES = (".shp", ".gpkg", ".fgb", ".geojson", ".json")
PART_ROWS = 20_000  # features a worker reads and screens at once, at most
MIN_PARTS = 4  # a smaller file still spreads over the workers


class ReadInProcess(Exception):
    """A worker met what only the whole-file reader settles: the sites are read in the calling process."""


def vector_source(path: Path, site_crs: Any) -> dict | None:
    """The fields of the :class:`ecogis.site_parts.SiteSource` of a vector file read in ranges of :data:`PART_ROWS`
    features (fewer, so that there are :data:`MIN_PARTS` ranges), or None where it is read in the calling
    process (see the module docstring)."""
    import pyogrio

    from ecogis.io.dbf import check_dbf_header, settle_dbf_encoding
    from ecogis.io.read import detect_format
    from ecogis.io.shapefile import check_shx
    from ecogis.io.sources import _gdal_path_and_dbf
    from ecogis.io.vector import choose_layer, geojson_crs_member

    if path.suffix.lower() not in VECTOR_SUFFIXES or not path.is_file() or detect_format(path) != "vector":
        return None
    if geojson_crs_member(path) is not None:
        return None
    notes = Notes()
    gdal_path, dbf = _gdal_path_and_dbf(path, notes, None)
    encoding, encoding_source = None, None
    if dbf is not None:
        check_dbf_header(path, dbf.dbf_bytes(), dbf.name, notes)
        encoding, encoding_source = settle_dbf_encoding(path, dbf, None, notes)
    layer = choose_layer(path, gdal_path, None)
    if gdal_path.lower().endswith(".shp"):
        try:
            check_shx(path, gdal_path, gpd.GeoDataFrame())
        except EcogisError:
            return None  # the whole-file reader names the features in its error
    info = pyogrio.read_info(gdal_path, layer=layer, encoding=encoding, force_feature_count=True)
    count = int(info["features"])
    if count <= 0 or (info["crs"] is None and site_crs is None):
        return None
    size = min(PART_ROWS, -(-count // MIN_PARTS))
    rows = tuple(min(size, count - lo) for lo in range(0, count, size))
    return dict(path=path, files=(gdal_path,), rows=rows, stated_crs=info["crs"] is not None, site_crs=site_crs,
                fmt="vector", layer=layer, encoding=encoding, encoding_source=encoding_source, said=tuple(notes))


def read_range(source: Any, start: int, count: int) -> gpd.GeoDataFrame:
    """Features ``start`` to ``start + count`` of ``source`` as GDAL reads them (raw, not normalised);
    :class:`ReadInProcess` where the whole-file reader would repair them while reading."""
    import pyogrio
    import shapely

    try:
        with warnings.catch_warnings():  # as read_vector: unclosed rings and NaN coordinates are said later
            warnings.filterwarnings("ignore", "Non closed ring detected", RuntimeWarning)
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            return pyogrio.read_dataframe(source.files[0], layer=source.layer, encoding=source.encoding,
                                          skip_features=start, max_features=count)
    except (shapely.errors.GEOSException, UnicodeDecodeError) as exc:
        raise ReadInProcess(f"{source.path}: {exc}") from None
