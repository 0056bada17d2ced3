"""A boundary or the districts of a breakdown given as a file path or an administrative name.

Files are read with :func:`ecogis.io.read_layer`; names (盘锦市, 大洼区, an adcode) are looked up with
:func:`ecogis.boundaries.get_boundary` / :func:`ecogis.boundaries.get_districts` (EPSG:4490).
"""
from __future__ import annotations

from pathlib import Path

from ecogis.area import boundary_label
from ecogis.boundaries import get_boundary, get_districts
from ecogis.error_messages import error
from ecogis.io.read import read_layer


def _relative_to(value, base) -> Path:
    """``value`` as a path, relative to the folder ``base`` when given (an absolute path stays as it is)."""
    return Path(value) if base is None else Path(base) / value


def resolve_boundary(value, layer=None, base=None):
    """A boundary given as a file path or an administrative name -> (GeoDataFrame, label).

    A path (relative to ``base`` when given) is read with :func:`ecogis.io.read_layer`; anything else
    is looked up with :func:`ecogis.boundaries.get_boundary` (e.g. 盘锦市, 大洼区, an adcode).
    """
    if isinstance(value, (str, Path)):
        path = _relative_to(value, base)
        if path.exists():
            gdf = read_layer(path, layer=layer)
            return gdf, boundary_label(gdf, path.name + (f":{layer}" if layer else ""))
        if path.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".gdb", ".kml", ".zip", ".csv", ".xlsx"):
            raise error("boundary.file_not_found", path=path, hint="boundary.check_path")
    gdf = get_boundary(str(value))
    return gdf, str(gdf["name"].iloc[0])


def resolve_districts(value, boundary_value=None, layer=None, base=None):
    """Districts for a breakdown: a file/name given explicitly, else those of the administrative boundary."""
    if value is not None:
        path = _relative_to(value, base)
        if path.exists():
            return read_layer(path, layer=layer)
        return get_districts(str(value))
    if boundary_value is None:
        raise error("boundary.districts_need_boundary", field="by", hint="boundary.give_within")
    path = _relative_to(boundary_value, base)
    if path.exists():
        raise error("boundary.districts_unknown", path=path, field="by", hint="boundary.pass_districts")
    return get_districts(str(boundary_value))
