"""Re-screening across two published versions of a layer (``ecogis check SITES --versions
redline@2019,redline@2023-adjusted``): the sites whose verdict or overlap changes, with the area each
site gains and loses.

Each version is screened with the full engine (rules, buffers, coverage) in a project that holds only
that layer, so the verdicts are the ones a check against that version gives. Overlaps are measured
per site in its own CGCS2000 3° Gauss-Kruger zone (:func:`ecogis.crs.metric_crs`) and their areas by
the official ellipsoidal method (:func:`ecogis.geodesy.ellipsoidal_area`, m²): ``overlap_*_m2`` =
area(site ∩ layer), ``gained_m2`` = area(site ∩ (after − before)), ``lost_m2`` = area(site ∩ (before −
after)), each layer dissolved first (overlapping features count once). A site is listed when its
verdict changes or it gains or loses more than ``tolerance_m2``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import shapely

from ecogis.check import check
from ecogis.crs import metric_crs
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_CRS, convert_area, ellipsoidal_area, polygonal
from ecogis.io.postgis import PgSource
from ecogis.io.versions import VersionRef, parse_ref
from ecogis.notes import Notes
from ecogis.project import LayerSpec, Project, load_project

METHOD = "ellipsoid"
#: below this (m²) a gain or loss is rounding, not a change
TOLERANCE_M2 = 0.01


@dataclass
class SiteVersionChange:
    """One site whose screening differs between the versions (areas in m², ellipsoidal)."""

    site: str
    site_name: str
    verdict_before: str
    verdict_after: str
    overlap_before_m2: float
    overlap_after_m2: float
    gained_m2: float
    lost_m2: float

    @property
    def verdict_changed(self) -> bool:
        return self.verdict_before != self.verdict_after

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        for key in ("overlap_before", "overlap_after", "gained", "lost"):
            m2 = out[f"{key}_m2"]
            out[f"{key}_ha"], out[f"{key}_mu"] = float(convert_area(m2, "ha")), float(convert_area(m2, "mu"))
        out["verdict_changed"] = self.verdict_changed
        return out


@dataclass
class VersionDiff:
    """The sites whose verdict or overlap with ``layer`` changes from version ``before`` to ``after``."""

    layer: str
    name: str
    before: str
    after: str
    sites_checked: int
    changes: list[SiteVersionChange]
    method: str = METHOD
    tolerance_m2: float = TOLERANCE_M2
    notes: Notes = field(default_factory=Notes)

    def to_dict(self, lang: str | None = None) -> dict:
        return {"layer": self.layer, "name": self.name, "before": self.before, "after": self.after,
                "sites_checked": self.sites_checked, "sites_changed": len(self.changes),
                "changes": [c.to_dict() for c in self.changes], "area_method": self.method,
                "area_crs": "CGCS2000 3° Gauss-Kruger zone of each site", "units": "m2",
                "tolerance_m2": self.tolerance_m2, "notes": [str(n) for n in self.notes]}


def parse_versions(text: str) -> tuple[VersionRef, VersionRef]:
    """``redline@2019,redline@2023-adjusted`` -> the two references (same layer, two versions)."""
    parts = [parse_ref(p) for p in str(text).split(",") if p.strip()]
    if len(parts) != 2 or any(p.version is None for p in parts) or parts[0].name != parts[1].name \
            or parts[0].version == parts[1].version:
        raise error("store.versions_form", versions=repr(text), field="--versions", hint="store.versions_hint")
    return parts[0], parts[1]


def compare_versions(site, project, before: VersionRef, after: VersionRef, *, buffers=None, rules=None,
                     site_crs=None, at_date=None, tolerance_m2: float = TOLERANCE_M2) -> VersionDiff:
    """Screen ``site`` against versions ``before`` and ``after`` of the project's published layer."""
    project = project if isinstance(project, Project) else load_project(project)
    layer, spec = published_layer(project, before.name)
    specs = {ref: at_version(spec, ref) for ref in (before, after)}
    results = {ref: check(site, dataclasses.replace(project, layers={layer: s}), buffers, rules, site_crs=site_crs,
                          at_date=at_date) for ref, s in specs.items()}
    first = results[before]
    verdicts = {ref: {s.id: s.verdict for s in r.sites} for ref, r in results.items()}
    polygons = {ref: _layer_polygons(s) for ref, s in specs.items()}
    notes = Notes()
    for r in results.values():
        notes.extend(n for n in r.assumptions if n not in notes)
    changes = []
    geometries = _site_geometries(first.site_gdf)
    for summary in first.sites:
        areas = _overlaps(geometries.get(summary.id), polygons[before], polygons[after])
        change = SiteVersionChange(summary.id, summary.name, verdicts[before][summary.id], verdicts[after][summary.id],
                                   *areas)
        if change.verdict_changed or change.gained_m2 > tolerance_m2 or change.lost_m2 > tolerance_m2:
            changes.append(change)
    return VersionDiff(layer=layer, name=before.name, before=before.version or "", after=after.version or "",
                       sites_checked=len(first.sites), changes=changes, tolerance_m2=tolerance_m2, notes=notes)


def published_layer(project: Project, name: str) -> tuple[str, LayerSpec]:
    """The project layer that reads the published layer ``name`` (by its key, or the name it reads)."""
    for key, spec in project.layers.items():
        read = spec.path.table if isinstance(spec.path, PgSource) else spec.layer
        if key == name or (read is not None and parse_ref(read.rsplit(".", 1)[-1]).name == name):
            return key, spec
    raise error("store.no_project_layer", path=project.path, name=name, hint="store.project_layer_hint")


def at_version(spec: LayerSpec, ref: VersionRef) -> LayerSpec:
    """``spec`` reading version ``ref`` of its published layer (a PostGIS table or a GeoPackage layer)."""
    if isinstance(spec.path, PgSource):
        return dataclasses.replace(spec, path=dataclasses.replace(spec.path, table=str(ref), sql=None),
                                   version=ref.version)
    return dataclasses.replace(spec, layer=str(ref), version=ref.version)


def _site_geometries(sites) -> dict:
    """``{site id: geometry}`` (EPSG:4490; the features of one site id as one geometry)."""
    if sites is None:
        return {}
    return {str(sid): shapely.union_all(group.geometry.to_numpy()) for sid, group in sites.groupby("id", sort=False)}


def _layer_polygons(spec: LayerSpec) -> np.ndarray:
    """The layer's polygons in EPSG:4490 (lines and points have no overlap area)."""
    gdf = spec.read().to_crs(GEOGRAPHIC_CRS)
    geoms = polygonal(gdf.geometry.to_numpy())
    return geoms[~shapely.is_missing(geoms)]


def _overlaps(site, before: np.ndarray, after: np.ndarray) -> tuple[float, float, float, float]:
    """(overlap before, overlap after, gained, lost) of one EPSG:4490 site, m² (ellipsoidal, GK plane ops)."""
    if site is None or site.is_empty or shapely.get_dimensions(site) < 2:
        return 0.0, 0.0, 0.0, 0.0
    lon = shapely.get_coordinates(site)[:, 0]
    gk = metric_crs(lon)
    site_m = _to(site, gk)
    b = _to(_near(before, site), gk)
    a = _to(_near(after, site), gk)
    b_in, a_in = shapely.intersection(site_m, b), shapely.intersection(site_m, a)
    parts = [b_in, a_in, shapely.difference(a_in, b), shapely.difference(b_in, a)]
    return tuple(float(v) for v in ellipsoidal_area(np.array(parts, dtype=object), gk))  # type: ignore[return-value]


def _near(geoms: np.ndarray, site) -> shapely.Geometry:
    """The union of the polygons whose envelope meets the site's."""
    tree = shapely.STRtree(geoms)
    return shapely.union_all(geoms[tree.query(site)]) if len(geoms) else shapely.Polygon()


def _to(geom, crs):
    import pyproj

    transformer = pyproj.Transformer.from_crs(GEOGRAPHIC_CRS, crs, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
