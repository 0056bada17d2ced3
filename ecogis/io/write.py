"""Write a GeoDataFrame to any format read_layer takes, atomically and never over an input."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from ecogis.outputs import atomic_path


def write_layer(gdf: gpd.GeoDataFrame, path, *, layer=None, overwrite: bool = False, inputs=()) -> Path:
    """Write ``gdf`` to ``path``; the driver follows the suffix. Refuses to overwrite unless asked."""
    path = Path(path)
    with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
        gdf.to_file(tmp, layer=layer, engine="pyogrio")
    return path
