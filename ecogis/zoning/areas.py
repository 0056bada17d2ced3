"""Area tables of environmental control units by class and by district, laid out like the tables of
published 生态环境分区管控 plans (count, area, share of the total).

Areas are the official ellipsoidal area on the CGCS2000 ellipsoid (``method="ellipsoid"``), or the
Gauss-Kruger plane area in a named zone (``method="plane"``, ``gk_zone=41``) where a published figure
was computed that way (some updates state 三调 data with GK plane area); every table says which method
and CRS it used. The total is compared with the boundary's area by the same method when a boundary is
given (the units should tile it).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pyproj

from ecogis.area import area
from ecogis.crs import describe_crs, gk_epsg, zone_width
from ecogis.error_messages import error
from ecogis.geodesy import convert_area
from ecogis.vocabularies import UNIT_CLASSES

METHOD_TEXT = {
    "ellipsoid": "ellipsoidal area on the CGCS2000 ellipsoid (国土调查办发〔2008〕32号, TD/T 1055-2019)",
    "plane": "Gauss-Kruger plane area in {crs} (for comparison with figures published that way; not the official "
             "ellipsoidal area)",
}


@dataclass
class AreaRow:
    """One line of a table: a group (district, or None for the whole), a class (None: all classes), the
    number of units, their area in m² and their share of the table's total (0-1)."""

    district: str | None
    unit_class: str | None
    count: int
    area_m2: float
    share: float

    def to_dict(self) -> dict:
        d = asdict(self)
        d["area_km2"] = float(convert_area(self.area_m2, "km2"))
        d["area_ha"] = float(convert_area(self.area_m2, "ha"))
        return d


@dataclass
class UnitAreas:
    """Unit areas by class (``by_class``) and by district and class (``by_district``), with the method."""

    method: str
    crs: str | None
    by_class: list[AreaRow]
    by_district: list[AreaRow]
    total_m2: float
    boundary_m2: float | None = None
    method_text: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"method": self.method, "crs": self.crs, "method_text": self.method_text, "total_m2": self.total_m2,
                "boundary_m2": self.boundary_m2,
                "difference_m2": None if self.boundary_m2 is None else self.total_m2 - self.boundary_m2,
                "by_class": [r.to_dict() for r in self.by_class],
                "by_district": [r.to_dict() for r in self.by_district], "notes": self.notes}


def plane_crs_of_zone(gk_zone: int) -> pyproj.CRS:
    """The CGCS2000 Gauss-Kruger CRS (with zone prefix) of zone ``gk_zone`` (3°: 25-45, 6°: 13-23)."""
    width = zone_width(int(gk_zone))
    if width is None:
        raise error("sites.zone_not_china", zone=gk_zone, hint="sites.china_zones")
    return pyproj.CRS.from_epsg(gk_epsg(int(gk_zone), width))


def unit_areas(units: gpd.GeoDataFrame, *, method: str = "ellipsoid", gk_zone: int | None = None,
               districts: gpd.GeoDataFrame | None = None, boundary: gpd.GeoDataFrame | None = None) -> UnitAreas:
    """Areas of the normalised control units ``units`` (kind ``control_unit``) by class and district.

    Districts come from the units' own ``county`` field, or where a unit has none from ``districts``
    (polygons with a ``name``: the units are split by them). ``method``: ``"ellipsoid"`` (official) or
    ``"plane"`` (needs ``gk_zone``)."""
    plane = None
    if method == "plane":
        if gk_zone is None:
            raise error("sites.plane_needs_zone", hint="sites.give_zone")
        plane = plane_crs_of_zone(gk_zone)
    elif method != "ellipsoid":
        raise error("sites.unknown_area_method", method=method, hint="sites.ellipsoid_or_plane")
    parts = _parts(units, districts)
    kwargs = {"plane_crs": plane} if plane is not None else {}
    parts["area_m2"] = area(parts.geometry.values, parts.crs, method, **kwargs)
    total = float(parts["area_m2"].sum())
    by_class = _rows(parts, None, total)
    names = dict.fromkeys(parts["district"].dropna())
    by_district = [row for d in names for row in _rows(parts[parts["district"] == d], d, total)]
    boundary_m2 = None
    if boundary is not None and len(boundary):
        boundary_m2 = float(np.sum(area(boundary.geometry.values, boundary.crs, method, **kwargs)))
    crs_text = describe_crs(plane) if plane is not None else "CGCS2000 (EPSG:4490) ellipsoid"
    return UnitAreas(method=method, crs=crs_text, by_class=by_class, by_district=by_district, total_m2=total,
                     boundary_m2=boundary_m2, method_text=METHOD_TEXT[method].format(crs=crs_text))


def _parts(units: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The units (unit_class, district, geometry): the district is the units' ``county`` where every unit
    has one, else the units are split by the ``districts`` polygons (when given)."""
    county = units["county"] if "county" in units else None
    base = gpd.GeoDataFrame({"unit_class": units["unit_class"].values, "code": units["code"].values,
                             "district": None if county is None else county.values},
                            geometry=units.geometry.values, crs=units.crs)
    if districts is None or (county is not None and county.notna().all()):
        return base
    d = gpd.GeoDataFrame({"district": districts["name"].astype(str).values}, geometry=districts.geometry.values,
                         crs=districts.crs).to_crs(units.crs)
    return gpd.overlay(base.drop(columns="district"), d, how="intersection", keep_geom_type=True)


def _rows(parts: gpd.GeoDataFrame, district: str | None, total: float) -> list[AreaRow]:
    """One row per class (in the order of UNIT_CLASSES) and a row for all classes."""
    rows = []
    for cls in UNIT_CLASSES:
        sel = parts[parts["unit_class"] == cls]
        if len(sel):
            a = float(sel["area_m2"].sum())
            rows.append(AreaRow(district, cls, int(sel["code"].nunique()), a, a / total if total else 0.0))
    a = float(parts["area_m2"].sum())
    rows.append(AreaRow(district, None, int(parts["code"].nunique()), a, a / total if total else 0.0))
    return rows
