"""What ``ecogis info`` reports about a layer, as plain result objects (no text: see render/layer_text.py).

``describe_layer(path)`` reads a layer and returns a :class:`LayerDescription`: CRS and how it was
found, encoding, feature count, geometry types, bounds (in the layer CRS: metres or degrees, and in
CGCS2000 lon/lat degrees), fields and the notes (assumptions) made while reading. ``list_layers(path)``
lists the layers of a multi-layer file from its metadata only. ``guess_kind(path)`` is the layer kind a
file name suggests (redline.shp -> redline).
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyproj

from ecogis.crs import crs_label, describe_crs
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.layer_info import LayerInfo
from ecogis.notes import Notes

log = logging.getLogger(__name__)

#: CGCS2000 geographic (lon/lat degrees), the frame of ``bounds_lonlat``


@dataclass(frozen=True)
class LayerSummary:
    """One layer of a multi-layer file: name, geometry type, feature count and stored CRS (from metadata)."""

    name: str
    geometry_type: str | None
    count: int | None = None
    crs: str | None = None

    def to_dict(self, lang: str | None = None) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class LayerListing:
    """The layers of a file that holds several (GeoPackage, zip of shapefiles)."""

    path: str
    layers: list[LayerSummary]

    def to_dict(self, lang: str | None = None) -> dict:
        return {"path": self.path, "layers": [summary.to_dict() for summary in self.layers]}


@dataclass(frozen=True)
class LayerDescription:
    """The facts about one layer. ``bounds`` are (minx, miny, maxx, maxy) in the layer CRS, whose axis
    unit is ``bounds_units`` (metre or degree); ``bounds_lonlat`` the same in CGCS2000 degrees."""

    path: str | None
    format: str | None
    layer: str | None
    kind: str | None
    crs: str | None
    crs_description: str | None
    crs_source: str | None
    converted_to: str | None
    encoding: str | None
    encoding_source: str | None
    count: int
    geometry_types: list[str]
    bounds: list[float] | None
    bounds_units: str | None
    bounds_lonlat: list[float] | None
    bounds_lonlat_error: str | None
    fields: list[str]
    field_types: dict[str, str]
    first_feature: dict[str, str | None]
    empty_geometries: int
    invalid_geometries: int   # OGC validity (shapely); see ecogis.validate_layer
    notes: Notes = field(default_factory=Notes)
    swap_xy: bool = False

    def with_notes(self, notes) -> LayerDescription:
        """A copy whose notes also hold ``notes`` (each once, in order)."""
        return dataclasses.replace(self, notes=Notes([*self.notes, *notes]))

    def to_dict(self, lang: str | None = None) -> dict:
        return dataclasses.asdict(self)


def describe_layer(path, *, layer=None, kind=None, crs=None, encoding=None, fields=None, cm=None,
                   angle="auto", strict=False, transform=None) -> LayerDescription:
    """Read the layer at ``path`` (options as for :func:`ecogis.read_layer`) and describe it."""
    from ecogis.io import read_layer_info

    gdf, info = read_layer_info(path, kind=kind, layer=layer, crs=crs, encoding=encoding, fields=fields, cm=cm,
                                angle=angle, strict=strict, transform=transform)
    log.debug("%s: %d feature(s) read, CRS %s", path, len(gdf), gdf.crs)
    return describe_frame(gdf, info)


def describe_frame(gdf, info: LayerInfo | None = None) -> LayerDescription:
    """Describe a GeoDataFrame as read by :func:`ecogis.io.read_layer_info`; ``info`` defaults to the
    frame's own (``LayerInfo.of(gdf)``)."""
    info = LayerInfo.of(gdf) if info is None else info
    geoms = gdf.geometry
    missing = geoms.isna() | geoms.is_empty
    present = geoms[~missing]
    bounds = [round(float(v), 7) for v in present.total_bounds] if len(present) else None
    lonlat, lonlat_error = _lonlat_bounds(present, gdf.crs)
    fields = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    return LayerDescription(
        path=info.path, format=info.format, layer=info.layer, kind=info.kind,
        crs=info.crs, crs_description=_describe(gdf.crs if gdf.crs is not None else info.crs),
        crs_source=info.crs_source, converted_to=info.converted_to,
        encoding=info.encoding, encoding_source=info.encoding_source,
        count=int(len(gdf)), geometry_types=sorted(set(geoms.geom_type.dropna())),
        bounds=bounds, bounds_units=_axis_unit(gdf.crs),
        bounds_lonlat=lonlat, bounds_lonlat_error=lonlat_error,
        fields=fields, field_types={c: str(gdf[c].dtype) for c in fields},
        first_feature=_first_values(gdf, fields),
        empty_geometries=int(missing.sum()), invalid_geometries=int((~present.is_valid).sum()),
        notes=Notes(info.notes), swap_xy=bool(info.swap_xy),
    )


def list_layers(path) -> list[LayerSummary]:
    """The layers with geometry of a file that holds several, from metadata only. Empty for a file with
    one layer, a table, a raster, or a zip GDAL cannot list (shapefiles in a sub-folder, which the reader
    opens itself): :func:`describe_layer` reads those without ``layer=``."""
    from ecogis.io.read import detect_format
    from ecogis.io.vector import list_vector_layers

    path = Path(path)
    if not path.exists() or detect_format(path) != "vector":
        return []
    try:
        listed = list_vector_layers(path)
    except EcogisError:
        if path.suffix.lower() == ".zip":
            return []
        raise
    spatial = [(name, geometry_type) for name, geometry_type in listed if geometry_type is not None]
    if len(spatial) < 2:
        return []
    return [_layer_summary(path, name, geometry_type) for name, geometry_type in spatial]


def guess_kind(path) -> str | None:
    """The layer kind suggested by the file name or its folder (redline.shp, water/sections.xlsx)."""
    from ecogis.kinds import KIND_ALIASES, KINDS

    path = Path(path)
    for word in (path.stem.lower(), path.parent.name.lower()):
        for part in [word, *word.replace("-", "_").split("_")]:
            if part in KINDS:
                return part
            if part in KIND_ALIASES:
                return KIND_ALIASES[part]
    return None


def _layer_summary(path: Path, name: str, geometry_type: str) -> LayerSummary:
    import pyogrio

    from ecogis.io.sources import layers_gdal_path

    try:
        meta = pyogrio.read_info(layers_gdal_path(path), layer=name)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, UnicodeDecodeError):
        return LayerSummary(name, geometry_type)
    crs = crs_label(meta["crs"]) if meta.get("crs") else None
    return LayerSummary(name, geometry_type, int(meta["features"]), crs)


def _lonlat_bounds(present, crs) -> tuple[list[float] | None, str | None]:
    """Bounds in CGCS2000 degrees, or the reason they cannot be computed (e.g. a .prj whose ellipsoid is
    not the Earth's)."""
    if not len(present) or crs is None:
        return None, None
    try:
        return [round(float(v), 7) for v in present.to_crs(GEOGRAPHIC_CRS).total_bounds], None
    except pyproj.exceptions.ProjError as exc:
        return None, str(exc).splitlines()[0]


def _axis_unit(crs) -> str | None:
    return crs.axis_info[0].unit_name if crs is not None and crs.axis_info else None


def _first_values(gdf, fields) -> dict:
    """Attribute values of the first feature as text (to check at a glance that Chinese text decoded)."""
    if len(gdf) == 0:
        return {}
    row = gdf.iloc[0]
    return {c: (None if _missing(row[c]) else str(row[c])) for c in fields}


def _missing(value) -> bool:
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _describe(crs) -> str | None:
    return None if crs is None else describe_crs(crs)
