"""Generated screening data shared by the batch and screening tests: star-shaped control features and
scattered parcels, points and lines in CGCS2000 3° Gauss-Kruger (EPSG:4550, metres), and the
independent GeographicLib measures the tests compare ecogis's figures with."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E, no zone prefix
GEOD = pyproj.Geod(ellps="GRS80")  # CGCS2000 ellipsoid
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
X0, Y0 = 440_000.0, 4_530_000.0  # south-west corner of the generated area (GK metres)


def geodesic_area_gk(geom, step=5.0):
    """Independent area (m²): densify the GK polygon(s), inverse project, GeographicLib polygon area."""
    total = 0.0
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue
        for k, ring in enumerate([poly.exterior, *poly.interiors]):
            lon, lat = TO_GEO.transform(*np.asarray(shapely.segmentize(ring, step).coords).T)
            area, _ = GEOD.polygon_area_perimeter(lon, lat)
            total += abs(area) * (1 if k == 0 else -1)
    return total


def stars(rng, n):
    """Star polygons 300-900 m across (48 vertices), some with a hole, scattered over 6 km."""
    out = []
    ang = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    for cx, cy, r0 in zip(rng.uniform(X0, X0 + 6000, n), rng.uniform(Y0, Y0 + 6000, n), rng.uniform(150, 450, n)):
        r = r0 * (1 + 0.3 * rng.uniform(-1, 1, len(ang)))
        shell = np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]
        hole = shapely.Point(cx, cy).buffer(r0 * 0.3, quad_segs=4).exterior.coords if rng.uniform() < 0.3 else None
        out.append(shapely.Polygon(shell, None if hole is None else [hole]))
    return out


def parcels(x, y, h):
    """Rectangles 2h wide and 1.7h high, their south-west corner at (x - h, y - h) (GK metres)."""
    return list(shapely.box(x - h, y - h, x + h, y + 0.7 * h))


def points_and_lines(x, y, n_points, n_lines):
    """Points near the first ``n_points`` of (x, y), then lines 985 m long (900 m east, 400 m north)
    from the next ``n_lines``."""
    points = list(shapely.points(x[:n_points] + 37, y[:n_points] - 53))
    starts = zip(x[n_points:n_points + n_lines], y[n_points:n_points + n_lines])
    return points + [LineString([(a, b), (a + 900, b + 400)]) for a, b in starts]


def site_frame(geoms) -> gpd.GeoDataFrame:
    """Sites ``S0``, ``S1``... named ``场址0``, ``场址1``... in EPSG:4550."""
    return gpd.GeoDataFrame({"id": [f"S{i}" for i in range(len(geoms))],
                             "name": [f"场址{i}" for i in range(len(geoms))]}, geometry=geoms, crs=GK)
