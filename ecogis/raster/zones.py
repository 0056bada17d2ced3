"""Zones for raster statistics: read, check, group (dissolve) and reproject to the raster's CRS."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ecogis.crs import datum_mismatch_note
from ecogis.error_messages import error, phrase
from ecogis.layer_info import LayerInfo
from ecogis.raster.messages import say
from ecogis.raster.vector_area import official_area

LABEL = "_zone"
DENSIFY_M = 10.0


@dataclass
class Zones:
    """Zone polygons ready for extraction.

    ``gdf`` holds one row per zone (``_zone`` label, geometry in the raster CRS); ``area_m2`` their
    official areas computed in the source CRS; ``source`` the path they came from.
    """

    gdf: gpd.GeoDataFrame
    area_m2: np.ndarray
    area_method: str
    source: str | None
    by: str | None


def load_zones(zones, *, kind=None, layer=None, notes=None) -> gpd.GeoDataFrame:
    """A GeoDataFrame from ``zones`` (GeoDataFrame or path read with :func:`ecogis.io.read_layer`)."""
    if isinstance(zones, gpd.GeoDataFrame):
        return zones
    from ecogis.io import read_layer_info

    gdf, info = read_layer_info(zones, kind=kind, layer=layer)
    if notes is not None:
        notes.extend(n for n in info.notes if n not in notes)
    return gdf


def prepare_zones(gdf: gpd.GeoDataFrame, raster_crs, *, by=None, notes=None) -> Zones:
    """Check, label, group and reproject zone polygons.

    ``by``: dissolve features sharing this field's value into one zone (overlaps are counted once).
    Zone areas (m²) are the official ellipsoidal areas, taken before reprojection to ``raster_crs``.
    """
    source = LayerInfo.of(gdf).path
    if gdf.crs is None:
        raise error("raster.zones_no_crs", path=source, hint="raster.pass_zone_crs")
    if len(gdf) == 0:
        raise error("raster.zones_empty", path=source, hint="raster.give_zones")
    if by is not None and by not in gdf.columns:
        fields = [c for c in gdf.columns if c != gdf.geometry.name]
        raise error("raster.no_by_field", path=source, field=by, by=repr(by), fields=fields, hint="raster.choose_by")
    geoms = gdf.geometry.values
    bad = np.flatnonzero(~np.isin(shapely.get_type_id(geoms), [3, 6]) | shapely.is_empty(geoms))
    if len(bad):
        raise error("raster.zones_not_polygons", path=source, feature=int(bad[0]), count=len(bad),
                    hint="raster.give_area_layer")
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if len(invalid):
        say("repaired", notes, count=len(invalid), first=int(invalid[0]))
        gdf = gdf.set_geometry(_repaired(geoms, source))
    work = gpd.GeoDataFrame({LABEL: _labels(gdf, by)}, geometry=gdf.geometry.values, crs=gdf.crs)
    if by is not None:
        work = work.dissolve(by=LABEL, sort=False).reset_index()
    area, method = official_area(work.geometry.values, work.crs)
    raster_crs = CRS(raster_crs)
    mixed = datum_mismatch_note(CRS(gdf.crs), raster_crs)
    if mixed:
        say("zones_datum_mix", notes, note=mixed)
    if not CRS(work.crs).equals(raster_crs):
        step = DENSIFY_M if not CRS(work.crs).is_geographic else DENSIFY_M / 111_000.0
        work = work.set_geometry(shapely.segmentize(work.geometry.values, step)).to_crs(raster_crs)
        say("reprojected", notes, warn=False, src=CRS(gdf.crs).to_string(), dst=raster_crs.to_string(),
            step=f"{DENSIFY_M:g}")
    return Zones(gdf=work, area_m2=area, area_method=method, source=source, by=by)


def _repaired(geoms, source) -> np.ndarray:
    """``make_valid`` keeping only the polygonal parts (a spike repairs to a polygon plus a line, which
    exactextract refuses); a polygon that keeps no area is an error naming its feature."""
    fixed = shapely.make_valid(geoms)
    out = []
    for i, geom in enumerate(fixed):
        if shapely.get_type_id(geom) not in (3, 6):
            parts = shapely.get_parts(geom)
            geom = shapely.union_all(parts[np.isin(shapely.get_type_id(parts), [3, 6])])
        if shapely.is_empty(geom):
            raise error("raster.zone_collapsed", path=source, feature=i, hint="raster.fix_feature")
        out.append(geom)
    return np.array(out, dtype=object)


def require_overlap(zones: Zones, ds, raster_path) -> None:
    """Raise EcogisError when no zone touches the raster's extent (usually a wrong CRS on one side)."""
    b = ds.bounds
    extent = shapely.box(b.left, b.bottom, b.right, b.top)
    if shapely.intersects(zones.gdf.geometry.values, extent).any():
        return
    zb = zones.gdf.total_bounds
    raise error("raster.no_overlap", path=raster_path, zones=zones.source or phrase("raster.the_zone_layer"),
                raster=f"{b.left:.6g}, {b.bottom:.6g}, {b.right:.6g}, {b.top:.6g}",
                extent=f"{zb[0]:.6g}, {zb[1]:.6g}, {zb[2]:.6g}, {zb[3]:.6g}", crs=CRS(ds.crs).to_string(),
                hint="raster.check_crs")


def _labels(gdf, by) -> list[str]:
    if by is not None:
        return [str(v) for v in gdf[by]]
    parts = [c for c in ("name", "zone") if c in gdf.columns]
    if not parts:
        return [f"#{i + 1}" for i in range(len(gdf))]
    labels = [" ".join(str(v) for v in row if v is not None and str(v) != "nan") or f"#{i + 1}"
              for i, row in enumerate(gdf[parts].itertuples(index=False))]
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    return [f"{lab} #{i + 1}" if counts[lab] > 1 else lab for i, lab in enumerate(labels)]
