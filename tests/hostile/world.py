"""The small, valid world the hostile inputs are checked against (CGCS2000 lon/lat near Panjin).

A red line, three reserve zones, a city boundary, a project and an audit spec that use them, two
land-cover rasters over the reserve and a valid site. Everything is tiny so a command runs in well
under a second.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REDLINE = (121.60, 40.80, 121.90, 41.00)
ZONES = {"核心区": (121.60, 40.80, 121.70, 40.90), "缓冲区": (121.70, 40.80, 121.80, 40.90),
         "实验区": (121.80, 40.80, 121.90, 40.90)}
CITY = (121.50, 40.70, 122.50, 41.30)
SITE_IN_CORE = (121.640, 40.840, 121.650, 40.850)
SITE_OUTSIDE = (122.200, 40.750, 122.210, 40.760)
RASTER_BOUNDS = (121.60, 40.80, 121.90, 40.90)    # 30 x 10 cells of 0.01°
RASTER_SHAPE = (10, 30)

PROJECT_YAML = """\
name: 测试项目
boundary: {path: boundary.geojson, kind: boundary}
buffers_m: [500, 1000]
layers:
  redline: {kind: redline, path: redline.geojson, label: 生态保护红线}
  reserve: {kind: reserve, path: reserve.geojson, label: 保护区}
"""

AUDIT_YAML = """\
title: 测试审计
defaults: {unit: km2}
layers:
  redline: {path: redline.geojson, kind: redline}
  city: {path: boundary.geojson, kind: boundary}
  reserve: {path: reserve.geojson, kind: reserve}
checks:
  - id: redline_area
    type: area_share
    layer: redline
    within: city
"""


def box_ring(b):
    """Closed counter-clockwise ring of the box (xmin, ymin, xmax, ymax)."""
    x0, y0, x1, y1 = b
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


def feature(props, coords, gtype="Polygon"):
    return {"type": "Feature", "properties": props, "geometry": None if coords is None else
            {"type": gtype, "coordinates": coords}}


def feature_collection(features) -> dict:
    return {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
            "features": features}


def dump_geojson(path: Path, features, encoding="utf-8") -> None:
    path.write_bytes(json.dumps(feature_collection(features), ensure_ascii=False).encode(encoding))


def site_features(names=("A地块", "B地块")):
    return [feature({"name": names[0], "use": "工业用地"}, [box_ring(SITE_IN_CORE)]),
            feature({"name": names[1], "use": "工业用地"}, [box_ring(SITE_OUTSIDE)])]


def write_raster(path: Path, *, crs="EPSG:4490", data=None, bounds=RASTER_BOUNDS) -> None:
    """A uint8 land-cover GeoTIFF (CLCD codes 1-9), deterministic."""
    import rasterio
    from rasterio.transform import from_bounds

    rows, cols = RASTER_SHAPE
    if data is None:
        data = (np.arange(rows * cols, dtype=np.uint8).reshape(rows, cols) % 9 + 1).astype(np.uint8)
    profile = dict(driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype=data.dtype,
                   transform=from_bounds(*bounds, data.shape[1], data.shape[0]), nodata=0)
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)


def write_world(root: Path) -> Path:
    """Write the valid world into ``root``/world and return that folder."""
    world = root / "world"
    world.mkdir(parents=True, exist_ok=True)
    dump_geojson(world / "redline.geojson", [feature({"红线编号": "R1", "红线名称": "甲", "类型": "湿地"},
                                                     [box_ring(REDLINE)])])
    dump_geojson(world / "reserve.geojson", [feature({"名称": "保护区", "功能分区": z}, [box_ring(b)])
                                             for z, b in ZONES.items()])
    dump_geojson(world / "boundary.geojson", [feature({"name": "测试市", "adcode": "999999"}, [box_ring(CITY)])])
    dump_geojson(world / "site.geojson", site_features())
    (world / "project.yaml").write_text(PROJECT_YAML, encoding="utf-8")
    (world / "audit.yaml").write_text(AUDIT_YAML, encoding="utf-8")
    write_raster(world / "lc_a.tif")
    data = (np.arange(300, dtype=np.uint8).reshape(RASTER_SHAPE) % 9 + 1).astype(np.uint8)
    data[2:5, 2:8] = 8   # impervious patch in the core zone
    write_raster(world / "lc_b.tif", data=data)
    return world
