"""Coordinate reference systems used with Chinese GIS data.

What lives here (one module per concept, every public name importable from ``ecogis.crs``):

* ``crs_catalogue``: the catalogue of Gauss-Kruger EPSG codes for CGCS2000, Xian 1980 and Beijing 1954
  (:func:`gk_epsg`, :func:`gk_crs_for_lon`, :func:`gk_zone_of`);
* :func:`resolve_crs`, which turns what users type (``4529``, ``"EPSG:4529"``, ``"CGCS2000"``,
  ``"西安80"``, ``"GCJ-02"``...) into a :class:`pyproj.CRS` or the name of a web-map system;
* ``crs_infer``: :func:`infer_crs`, which guesses the CRS of bare coordinates (longitude/latitude in China, or
  Gauss-Kruger with or without a zone prefix on the easting) and whether X and Y are swapped;
* ``crs_web``: the web-map systems GCJ-02 (Amap/Gaode, Tencent) and BD-09 (Baidu), vectorised with numpy in both
  directions, and :func:`from_web_crs` / :func:`to_web_crs` for whole GeoDataFrames.

Conventions
-----------
* "Zone" is the Gauss-Kruger zone number: a 3-degree zone n has central meridian (CM) 3n degrees E;
  a 6-degree zone n has CM 6n - 3 degrees E. "Prefixed" codes carry the zone number in the false
  easting (zone 41: false easting 41 500 000 m), unprefixed codes have false easting 500 000 m.
* The datum is never in the numbers. Whenever ecogis has to guess it, it assumes CGCS2000 and says so.
* WGS 84 and CGCS2000 differ by a few centimetres to decimetres in China, far below the accuracy of
  web-map data; the web-map transforms output WGS 84 longitudes/latitudes, which ecogis labels
  EPSG:4490 (CGCS2000).
* GCJ-02 is the identity outside the rectangle 72.004-137.8347 E, 0.8293-55.8271 N (the test used
  by the published implementations, e.g. eviltransform and PRCoords). BD-09 is defined on top of GCJ-02
  and its extra rotation/offset is applied everywhere.
"""
from __future__ import annotations

# The concepts live in three modules; ``ecogis.crs`` keeps every public name importable from here.
from ecogis.crs_catalogue import (
    BD09,
    CHINA_LAT,
    CHINA_LON,
    DATUM_ZH,
    GCJ02,
    GEOGRAPHIC,
    GK_CODES,
    GK_EASTING,
    GK_NORTHING,
    WEB_SYSTEMS,
    GKZone,
    LonLat,
    crs_label,
    datum_change_note,
    datum_mismatch_note,
    describe_crs,
    gk_crs_for_lon,
    gk_epsg,
    gk_zone_of,
    identify_crs,
    metric_crs,
    normalise_datum,
    require_cgcs2000_transform,
    resolve_crs,
    zone_cm,
    zone_width,
)
from ecogis.crs_infer import (
    CrsGuess,
    infer_crs,
    positions_ok,
)
from ecogis.crs_web import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_web_crs,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_gcj_area,
    to_web_crs,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

__all__ = [
    "BD09",
    "CHINA_LAT",
    "CHINA_LON",
    "DATUM_ZH",
    "GCJ02",
    "GEOGRAPHIC",
    "GK_CODES",
    "GK_EASTING",
    "GK_NORTHING",
    "WEB_SYSTEMS",
    "GKZone",
    "LonLat",
    "crs_label",
    "datum_change_note",
    "datum_mismatch_note",
    "describe_crs",
    "gk_crs_for_lon",
    "gk_epsg",
    "gk_zone_of",
    "identify_crs",
    "metric_crs",
    "normalise_datum",
    "require_cgcs2000_transform",
    "resolve_crs",
    "zone_cm",
    "zone_width",
    "CrsGuess",
    "infer_crs",
    "positions_ok",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_web_crs",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_gcj_area",
    "to_web_crs",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
