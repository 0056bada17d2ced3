"""Facts a site-check report states beside its tables: boundary-point coordinates and conclusion facts.

:func:`boundary_points` gives the 界址点坐标表 of each site (点号, X northing, Y easting in metres in
the site's CGCS2000 Gauss-Kruger zone, 边长 in metres), :func:`line_crossings` the crossings of line
sites, :func:`conclusion_facts` what each site occupies, how near it is to the nearest sensitive
feature of each layer, and what the verdict asks for (avoid, optimise, justify). Everything is plain
rows in SI units (m, m²) and codes; renderers word them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pyproj
import shapely

from ecogis.crs import gk_epsg, gk_zone_of
from ecogis.geodesy import GEOGRAPHIC_CRS, gk_zone_for_lon

#: what a site's worst verdict asks of the project (a code the renderers word)
RECOMMENDATION = {"禁止": "avoid", "限制": "optimise", "需论证": "justify", "无法判定": "undetermined",
                  "符合": "none"}


@dataclass(frozen=True)
class CoordinateSystem:
    """The Gauss-Kruger CRS of a coordinate table: EPSG code, datum, zone width and number, CM (°E),
    and whether the easting carries the zone number (带号) in front."""

    epsg: int
    datum: str
    width: int
    zone: int
    cm: float
    prefixed: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BoundaryPoint:
    """One row of a 界址点坐标表: site id, ring number (圈号, 1 = first ring), point name (J1...),
    X = northing and Y = easting in metres, and the plane length (m) of the edge from this point to the
    next point of its ring (None on a ring's closing row and for points)."""

    site: str
    ring: int
    point: str
    x_m: float
    y_m: float
    edge_m: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CoordinateTable:
    """Boundary points of every site in one Gauss-Kruger coordinate system."""

    crs: CoordinateSystem
    rows: list[BoundaryPoint] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"crs": self.crs.to_dict(), "rows": [r.to_dict() for r in self.rows]}


def table_crs(site_crs, lon) -> CoordinateSystem:
    """The CRS of the coordinate table: the site's own when it is a catalogued Gauss-Kruger zone (the
    surveyor's coordinates come back as given), else the CGCS2000 3° zone (with zone prefix) that holds
    the middle of ``lon`` (degrees E)."""
    zone = gk_zone_of(site_crs) if site_crs else None
    if zone is None:
        lon = np.asarray(lon, dtype=float)
        number = int(gk_zone_for_lon(float((lon.min() + lon.max()) / 2.0)))
        zone = gk_zone_of(pyproj.CRS.from_epsg(gk_epsg(number, 3, "CGCS2000", prefixed=True)))
    assert zone is not None  # gk_epsg returns catalogued codes only
    return CoordinateSystem(zone.epsg, zone.datum, zone.width, zone.zone, zone.cm, zone.prefixed)


def boundary_points(site_gdf, site_crs=None) -> CoordinateTable:
    """The 界址点坐标表 of every site of ``site_gdf`` (any CRS; columns ``id`` and ``geometry``).

    Coordinates are in :func:`table_crs` (the site's own Gauss-Kruger CRS when it has one), X northing
    and Y easting in metres. Points are numbered J1, J2 ... through a site's rings in the order of its
    geometry (a closing row repeats its ring's first point); rings are numbered through the parts of a
    multi-polygon. Edge lengths are plane distances (m) in that CRS, as a surveyor's table gives them.
    """
    lonlat = site_gdf.to_crs(GEOGRAPHIC_CRS)
    xy = shapely.get_coordinates(lonlat.geometry.to_numpy())
    crs = table_crs(site_crs, xy[:, 0] if len(xy) else [120.0])
    plane = site_gdf.to_crs(pyproj.CRS.from_epsg(crs.epsg))
    rows: list[BoundaryPoint] = []
    for site_id, geom in zip(plane["id"].astype(str), plane.geometry):
        rows.extend(_site_rows(site_id, geom))
    return CoordinateTable(crs, rows)


def _rings(geom) -> list[tuple[np.ndarray, bool]]:
    """Coordinate arrays (easting, northing) of a geometry's rings or lines, each with 'closed'."""
    if geom is None or geom.is_empty:
        return []
    parts = getattr(geom, "geoms", [geom])
    out = []
    for part in parts:
        if part.geom_type == "Polygon":
            out += [(np.asarray(r.coords), True) for r in (part.exterior, *part.interiors)]
        else:  # lines and points: their vertices, not closed
            out.append((np.asarray(part.coords), False))
    return out


def _site_rows(site_id: str, geom) -> list[BoundaryPoint]:
    rows, n = [], 0
    for ring_no, (coords, closed) in enumerate(_rings(geom), 1):
        ring_points = coords[:-1] if closed else coords
        first = n + 1
        for i, (east, north) in enumerate(ring_points):
            n += 1
            nxt = coords[i + 1] if i + 1 < len(coords) else None
            edge = None if nxt is None else float(np.hypot(nxt[0] - east, nxt[1] - north))
            rows.append(BoundaryPoint(site_id, ring_no, f"J{n}", float(north), float(east), edge))
        if closed:
            east, north = coords[-1]
            rows.append(BoundaryPoint(site_id, ring_no, f"J{first}", float(north), float(east), None))
    return rows


@dataclass(frozen=True)
class Crossing:
    """Where a line site crosses a layer feature: geodesic crossing length (m) and the verdict."""

    site: str
    layer: str
    kind: str
    feature: str
    zone: str | None
    length_m: float
    verdict: str
    rule_id: str | None


def line_crossings(findings: list[dict], sites) -> list[Crossing]:
    """The crossings of the line sites (``sites``: SiteSummary objects) in ``findings`` (finding dicts)."""
    lines = {s.id for s in sites if "Line" in s.geometry_type}
    return [Crossing(f["site"], f["layer"], f["kind"], f["feature"], f["zone"], float(f["overlap_length_m"]),
                     f["verdict"], f["rule_id"])
            for f in findings if f["site"] in lines and f["relation"] == "intersects"
            and f["overlap_length_m"] is not None]


@dataclass
class SiteFacts:
    """What a report concludes for one site: its worst verdict and the recommendation code
    (:data:`RECOMMENDATION`), the findings it occupies (intersects) or is near with a verdict other
    than 符合, and the nearest feature of each layer it does not intersect (geodesic m, nearest first)."""

    site: str
    name: str
    verdict: str
    recommendation: str
    occupied: list[dict]
    near: list[dict]
    nearest: list[dict]


def conclusion_facts(findings: list[dict], sites) -> list[SiteFacts]:
    """One :class:`SiteFacts` per site (``sites``: SiteSummary objects) from the finding dicts.

    A layer's nearest feature is left out when the site intersects that feature (its distance is 0 and
    the overlap already says more), so no nearest row contradicts an overlap of the same feature.
    """
    out = []
    for s in sites:
        mine = [f for f in findings if f["site"] == s.id]
        touched = {(f["layer"], f["feature"]) for f in mine if f["relation"] == "intersects"}
        occupied = [f for f in mine if f["relation"] == "intersects"]
        near = [f for f in mine if f["relation"] == "within_buffer" and f["verdict"] != "符合"]
        nearest = sorted((f for f in mine if f["relation"] == "nearest"
                          and (f["layer"], f["feature"]) not in touched),
                         key=lambda f: f["distance_m"] if f["distance_m"] is not None else float("inf"))
        out.append(SiteFacts(s.id, s.name, s.verdict, RECOMMENDATION.get(s.verdict, "justify"),
                             occupied, near, nearest))
    return out


def overlapped_nearest(frame):
    """Boolean mask over a findings DataFrame: the ``nearest`` rows of a feature that the same site
    intersects (distance 0; their verdict belongs to the intersects row, never a 符合 beside it)."""
    hit = frame.loc[frame["relation"] == "intersects", ["site", "layer", "feature"]].drop_duplicates()
    keys = frame[["site", "layer", "feature"]].merge(hit.assign(_hit=True), how="left")["_hit"]
    return (frame["relation"] == "nearest").to_numpy() & keys.fillna(False).astype(bool).to_numpy()
