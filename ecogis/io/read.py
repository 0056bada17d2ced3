"""Dispatch a path to the reader for its format and normalise the result (CRS, kind fields)."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from ecogis.errors import EcogisError


def read_layer(path, kind=None, layer=None, crs=None, encoding=None, fields=None) -> gpd.GeoDataFrame:
    """Read a vector layer into a GeoDataFrame in a known CRS.

    Parameters
    ----------
    path : str or Path
        Shapefile (also .zip), GeoPackage, GeoJSON, KML/KMZ, FileGDB, CSV/XLSX point table or
        land-survey coordinate exchange text.
    kind : str, optional
        Layer kind (``boundary``, ``redline``, ``reserve``, ``water_section``, ``outfall``, ``site``,
        ...): fields are mapped to canonical names and values normalised (see :mod:`ecogis.layers`).
    layer : str, optional
        Layer name inside a multi-layer source (GeoPackage, FileGDB).
    crs : optional
        Source CRS when the file has none or a wrong one (``EPSG:4529``, ``GCJ-02``, ``BD-09``...).
        Web-map systems are converted to CGCS2000 (EPSG:4490) on load.
    encoding : str, optional
        Attribute text encoding; overrides .cpg and detection.
    fields : dict, optional
        User field mapping ``{source_field: canonical_field}``; wins over the built-in aliases.
    """
    path = Path(path)
    if not path.exists():
        raise EcogisError("file not found", path=path, hint="Check the path and its spelling")
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, encoding=encoding)
    except pyogrio.errors.DataSourceError as exc:
        raise EcogisError(f"cannot open as a vector layer ({exc})", path=path) from exc
    gdf.attrs["ecogis"] = {
        "path": str(path), "layer": layer, "kind": kind,
        "crs": gdf.crs.to_string() if gdf.crs else None,
        "crs_source": "file" if gdf.crs else None,
        "encoding": encoding, "encoding_source": "user" if encoding else "file", "notes": [],
    }
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
        gdf.attrs["ecogis"].update(crs=gdf.crs.to_string(), crs_source="user")
    if gdf.crs is None:
        raise EcogisError("no CRS in the file", path=path, hint="Pass crs= (e.g. EPSG:4529)")
    return gdf
