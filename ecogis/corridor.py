"""The temporary land take (作业带) of a line site in each zone it crosses.

A pipeline or road is built from a working corridor of ``width_m`` metres centred on the line. For
every polygon layer and zone the line crosses, :func:`corridor_takes` gives the crossing length
(geodesic m) and the corridor area inside the zone (official ellipsoidal m²).

Method: in the CGCS2000 3° Gauss-Kruger zone of the line's centre, the corridor is the union of the
line sites buffered by ``width_m / 2`` with flat ends and round joins (so a straight corridor of
length L has area L × width), dissolved, so crossings of overlapping features are counted once per
zone. Areas: :func:`ecogis.geodesy.ellipsoidal_area`; lengths: :func:`ecogis.geodesy.geodesic_length`.
Plain result objects, SI units, no text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.crs import metric_crs
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_CRS, convert_area, ellipsoidal_area, geodesic_length, polygonal
from ecogis.kinds import zone_field
from ecogis.layer_info import LayerInfo


@dataclass
class CorridorTake:
    """The corridor of the line site(s) inside one zone of one layer (dissolved)."""

    layer: str
    kind: str
    zone: str | None
    features: int
    crossing_length_m: float
    corridor_area_m2: float
    width_m: float

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["corridor_area_ha"] = float(convert_area(self.corridor_area_m2, "ha"))
        d["corridor_area_mu"] = float(convert_area(self.corridor_area_m2, "mu"))
        return d


@dataclass
class Corridor:
    """The whole corridor (``area_m2``, ellipsoidal) of the line sites and its take per zone."""

    width_m: float
    length_m: float
    area_m2: float
    takes: list[CorridorTake]

    def to_dict(self) -> dict[str, Any]:
        return {"width_m": self.width_m, "length_m": self.length_m, "area_m2": self.area_m2,
                "area_ha": float(convert_area(self.area_m2, "ha")), "area_mu": float(convert_area(self.area_m2, "mu")),
                "takes": [t.to_dict() for t in self.takes]}


def corridor_takes(sites: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame], width_m: float) -> Corridor:
    """The corridor of the line sites of ``sites`` and its take in every zone of every polygon layer."""
    if not (np.isfinite(width_m) and width_m > 0):
        raise error("sites.corridor_width", width=f"{width_m:g}", field="corridor")
    geoms = np.asarray(sites.geometry.values)
    lines = geoms[shapely.get_dimensions(geoms) == 1]
    if len(lines) == 0:
        raise error("sites.corridor_needs_line", field="corridor", hint="sites.give_line")
    line = gpd.GeoSeries([shapely.union_all(lines)], crs=sites.crs).to_crs(GEOGRAPHIC_CRS)
    gk = metric_crs(float(line.iloc[0].centroid.x))
    path = line.to_crs(gk).iloc[0]
    strip = shapely.buffer(path, width_m / 2, cap_style="flat", join_style="round")
    takes = []
    for name, layer in layers.items():
        takes.extend(_layer_takes(name, layer, path, strip, gk, width_m))
    return Corridor(width_m=float(width_m), length_m=float(geodesic_length([path], gk)[0]),
                    area_m2=float(ellipsoidal_area([strip], gk)[0]), takes=takes)


def _layer_takes(name, layer, path, strip, gk, width_m) -> list[CorridorTake]:
    kind = LayerInfo.of(layer).kind or name
    lyr = layer.to_crs(gk)
    geoms = np.asarray(lyr.geometry.values)
    hit = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    hit[hit] = (shapely.get_dimensions(geoms[hit]) == 2) & shapely.intersects(geoms[hit], strip)
    if not hit.any():
        return []
    zcol = zone_field(kind)
    zones = lyr[zcol].where(lyr[zcol].notna(), None) if zcol in lyr.columns else pd.Series([None] * len(lyr))
    zones = zones.to_numpy(dtype=object)
    out = []
    for zone in dict.fromkeys(zones[hit].tolist()):
        members = hit & np.array([z == zone for z in zones])
        area = shapely.union_all(geoms[members])
        take = polygonal(np.array([shapely.intersection(strip, area)], dtype=object))
        out.append(CorridorTake(
            layer=name, kind=kind, zone=None if zone is None else str(zone), features=int(members.sum()),
            crossing_length_m=float(geodesic_length([_lineal(shapely.intersection(path, area))], gk)[0]),
            corridor_area_m2=float(ellipsoidal_area(take, gk)[0]), width_m=float(width_m)))
    return out


def _lineal(geom):
    """The line parts of ``geom`` (touching points dropped) as one geometry."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (1, 5)]
    return shapely.union_all(parts) if parts else shapely.LineString()
