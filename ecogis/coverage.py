"""Layer coverage: which part of each site lies outside the area a control layer has data for.

A control layer only speaks for the area it covers: a site 100 km from a city's red-line layer is not
"clear" of the red line, it is unchecked. Each project layer has a coverage (the ``coverage:`` of the
layer in the project file, else the project boundary, else the data extent of the project's layers
grown by :data:`EXTENT_MARGIN_M`). A site, or the part of it, outside a layer's coverage gets the
verdict 无法判定 for that layer (:class:`CoverageGap`: how much lies outside, in m² for polygons,
geodesic m for lines; a point is wholly in or out).

Method: sites and coverage areas are projected to the CGCS2000 3° Gauss-Kruger zone of each site's
centre (as in :mod:`ecogis.screen`); the part outside is ``site − coverage`` in that plane; areas are
the official ellipsoidal area (:func:`ecogis.geodesy.ellipsoidal_area`), lengths geodesic. Parts
smaller than :data:`MIN_OUTSIDE_M2` / :data:`MIN_OUTSIDE_M` (rounding slivers along a shared edge)
are not gaps. Results are plain objects in SI units; no text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ecogis.crs import metric_crs
from ecogis.geodesy import GEOGRAPHIC_CRS, convert_area, ellipsoidal_area, geodesic_length, gk_zone_for_lon
from ecogis.layer_info import LayerInfo

UNDETERMINED = "无法判定"
#: how far (m, planar in the GK zone) beyond the data extent a layer without a declared coverage is trusted
EXTENT_MARGIN_M = 50_000.0
MIN_OUTSIDE_M2 = 0.01  # m²: smaller parts outside are rounding slivers along a shared edge
MIN_OUTSIDE_M = 0.01  # m, the same for line sites
#: where a layer's coverage came from
SOURCES = ("declared", "boundary", "data_extent")


@dataclass
class LayerCoverage:
    """The area one control layer covers: ``source`` is ``declared`` (the layer's ``coverage:``),
    ``boundary`` (the project boundary) or ``data_extent`` (no boundary: hull of the project's layers
    grown by :data:`EXTENT_MARGIN_M`); ``name`` labels the area (file, boundary name)."""

    layer: str
    kind: str
    source: str
    name: str
    area: gpd.GeoDataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "kind": self.kind, "source": self.source, "name": self.name,
                "margin_m": EXTENT_MARGIN_M if self.source == "data_extent" else None}


@dataclass
class CoverageGap:
    """A site (or part of it) outside one layer's coverage: verdict 无法判定 for that layer.

    ``outside_area_m2`` (polygon sites, official ellipsoidal m²) or ``outside_length_m`` (line sites,
    geodesic m) is how much lies outside; ``outside_share`` is that part of the site's area or length
    (0-1; 1 for a point outside).
    """

    site: str
    site_name: str
    layer: str
    kind: str
    coverage: str
    source: str
    outside_area_m2: float | None
    outside_length_m: float | None
    outside_share: float
    verdict: str = UNDETERMINED

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        a = self.outside_area_m2
        d["outside_area_ha"] = None if a is None else float(convert_area(a, "ha"))
        d["outside_area_mu"] = None if a is None else float(convert_area(a, "mu"))
        return d


def layer_coverages(layers: dict[str, gpd.GeoDataFrame], declared: dict[str, tuple[gpd.GeoDataFrame, str]],
                    boundary: gpd.GeoDataFrame | None, boundary_name: str = "boundary") -> list[LayerCoverage]:
    """The coverage of every layer: its declared area, else the project boundary, else the data extent."""
    extent = None
    out = []
    for name, gdf in layers.items():
        kind = LayerInfo.of(gdf).kind or name
        if name in declared:
            area, label = declared[name]
            out.append(LayerCoverage(name, kind, "declared", label, area))
        elif boundary is not None and len(boundary):
            out.append(LayerCoverage(name, kind, "boundary", boundary_name, boundary))
        else:
            extent = data_extent(layers) if extent is None else extent
            out.append(LayerCoverage(name, kind, "data_extent", "data extent", extent))
    return out


def data_extent(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame | None:
    """Convex hull of every feature of ``layers`` grown by :data:`EXTENT_MARGIN_M` (planar, in the GK zone of
    the hull's centre), in EPSG:4490; None when the layers hold no geometry."""
    coords = [shapely.get_coordinates(np.asarray(g.to_crs(GEOGRAPHIC_CRS).geometry.values))
              for g in layers.values() if len(g) and g.crs is not None]
    xy = np.vstack(coords) if coords else np.zeros((0, 2))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) == 0:
        return None
    hull = shapely.convex_hull(shapely.multipoints(xy))  # of the vertices: no union of large layers
    gk = metric_crs(float(hull.centroid.x))
    grown = gpd.GeoSeries([hull], crs=GEOGRAPHIC_CRS).to_crs(gk).buffer(EXTENT_MARGIN_M)
    return gpd.GeoDataFrame(geometry=grown.to_crs(GEOGRAPHIC_CRS).values, crs=GEOGRAPHIC_CRS)


def coverage_gaps(sites: gpd.GeoDataFrame, coverages: list[LayerCoverage]) -> list[CoverageGap]:
    """Every (site, layer) whose site lies wholly or partly outside the layer's coverage.

    ``sites``: columns id, name, geometry (any CRS). A layer whose coverage has no area (``area`` None)
    covers nothing: every site is outside it.
    """
    if len(sites) == 0 or not coverages:
        return []
    geo = sites.to_crs(GEOGRAPHIC_CRS)
    centres = shapely.centroid(np.asarray(geo.geometry.values))
    zones = gk_zone_for_lon(np.nan_to_num(shapely.get_x(centres)))
    gaps: list[CoverageGap] = []
    for zn in np.unique(zones):
        idx = np.flatnonzero(zones == zn)
        gk = metric_crs(float(zn) * 3.0)
        part = geo.iloc[idx].to_crs(gk)
        outside_by_area: dict[int, tuple] = {}  # one difference per distinct coverage area
        for cov in coverages:
            key = id(cov.area)
            if key not in outside_by_area:
                outside_by_area[key] = _outside(part, cov.area, gk)
            area, length, share = outside_by_area[key]
            for k in np.flatnonzero(share > 0):
                gaps.append(CoverageGap(
                    site=str(part["id"].iloc[k]), site_name=str(part["name"].iloc[k]), layer=cov.layer,
                    kind=cov.kind, coverage=cov.name, source=cov.source,
                    outside_area_m2=None if np.isnan(area[k]) else float(area[k]),
                    outside_length_m=None if np.isnan(length[k]) else float(length[k]),
                    outside_share=float(share[k])))
    return gaps


def _outside(sites_gk: gpd.GeoDataFrame, area: gpd.GeoDataFrame | None,
             gk: pyproj.CRS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site (GK): area outside (m², NaN for non-polygons), length outside (m, NaN for non-lines) and the
    share outside (0 when covered)."""
    geoms = np.asarray(sites_gk.geometry.values)
    n = len(geoms)
    dims = shapely.get_dimensions(geoms)
    out_area = np.where(dims == 2, 0.0, np.nan)
    out_len = np.where(dims == 1, 0.0, np.nan)
    share = np.zeros(n)
    if area is None or len(area) == 0:
        cover = shapely.Polygon()
    else:
        cover = shapely.union_all(np.asarray(area.to_crs(gk).geometry.values))
    shapely.prepare(cover)
    todo = np.flatnonzero(~shapely.covers(cover, geoms))
    if len(todo) == 0:
        return out_area, out_len, share
    rest = shapely.difference(geoms[todo], cover)
    for dim, measure, minimum, out in ((2, ellipsoidal_area, MIN_OUTSIDE_M2, out_area),
                                       (1, geodesic_length, MIN_OUTSIDE_M, out_len)):
        k = dims[todo] == dim
        if k.any():
            part, whole = measure(rest[k], gk), measure(geoms[todo][k], gk)
            big = part >= minimum
            out[todo[k][big]] = part[big]
            share[todo[k][big]] = np.minimum(1.0, part[big] / whole[big])
    k = dims[todo] == 0  # points (or multipoints): the share of the points outside
    share[todo[k]] = shapely.get_num_geometries(rest[k]) / np.maximum(1, shapely.get_num_geometries(geoms[todo][k]))
    return out_area, out_len, share
