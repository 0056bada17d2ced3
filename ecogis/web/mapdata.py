"""What the page's map shows of a check: the site and the layer features around it, clipped.

Users see layer geometry only around their own sites: the features the check touched (``result.layers``,
EPSG:4490) clipped to the site's bounding box grown by the widest buffer. Display only: the clip box is
grown in degrees with a generous metres-per-degree bound, and nothing here is a figure of the report.
"""
from __future__ import annotations

import json
import math

import shapely

METRES_PER_DEGREE_LAT = 110_000.0   # a little under the true 110.6-111.7 km, so the box errs larger
MARGIN = 1.2


def clip_box(site_gdf, buffer_m: float) -> shapely.Polygon:
    """The site's bounds (EPSG:4490 degrees) grown by ``buffer_m`` metres × MARGIN on every side."""
    minx, miny, maxx, maxy = site_gdf.total_bounds
    dlat = buffer_m * MARGIN / METRES_PER_DEGREE_LAT
    coslat = max(math.cos(math.radians(max(abs(miny), abs(maxy)) + dlat)), 0.05)
    dlon = dlat / coslat
    return shapely.box(minx - dlon, miny - dlat, maxx + dlon, maxy + dlat)


def map_geojson(result) -> dict:
    """{"site": FeatureCollection, "layers": {name: {"label", "features"}}, "bounds": [[s, w], [n, e]]}."""
    if result.site_gdf is None:
        return {"site": None, "layers": {}, "bounds": None}
    box = clip_box(result.site_gdf, max(result.buffers_m or [0.0]))
    layers = {}
    for name, gdf in result.layers.items():
        clipped = gdf.clip(box)
        clipped = clipped[~clipped.geometry.is_empty]
        if len(clipped):
            meta = gdf.attrs.get("ecogis", {})
            keep = [c for c in ("name", "zone", "kind") if c in clipped.columns]
            layers[name] = {"label": meta.get("label") or name, "label_en": meta.get("label_en") or name,
                            "features": json.loads(clipped[keep + ["geometry"]].to_json(default=str))}
    site = json.loads(result.site_gdf[["id", "name", "geometry"]].to_json(default=str))
    minx, miny, maxx, maxy = result.site_gdf.total_bounds
    return {"site": site, "layers": layers, "bounds": [[float(miny), float(minx)], [float(maxy), float(maxx)]]}
