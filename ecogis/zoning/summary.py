"""The combined 空间管控符合性 summary: one row per kind of spatial control (red line, protected areas,
farmland, wetlands and ecological space, water sources, control units, town boundary).

Each row says whether the project gave a layer of that control at all (``provided``: without one the
row is 无法判定, never 符合), the layers used, how the sites relate to it (``intersects``,
``within_buffer``, ``clear``), the overlap of all sites with all features of the control, dissolved
(ellipsoidal area m² and geodesic length m on CGCS2000, intersection computed in the 3° Gauss-Kruger
zone of the sites' median longitude), the nearest geodesic distance (m) and the worst verdict.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ecogis.crs import metric_crs
from ecogis.geodesy import GEOGRAPHIC_CRS as GEOGRAPHIC
from ecogis.geodesy import convert_area, ellipsoidal_area, geodesic_length
from ecogis.overlay import dissolved_overlap, valid_in_plane
from ecogis.rules import VERDICT_EN, worst_verdict

#: control -> the layer kinds it covers, in the order of the summary table
CONTROLS: dict[str, tuple[str, ...]] = {
    "redline": ("redline",), "protected_area": ("reserve", "protected_area"), "farmland": ("farmland",),
    "wetland": ("wetland", "ecological_space"), "water_source": ("water_source",), "control_unit": ("control_unit",),
    "town_boundary": ("town_boundary",),
}
UNKNOWN = "无法判定"


@dataclass
class ControlSummary:
    """One spatial control in the summary. ``verdict`` is 无法判定 when no layer of it was given."""

    control: str
    provided: bool
    layers: list[str]
    relation: str | None
    overlap_area_m2: float | None
    overlap_length_m: float | None
    nearest_m: float | None
    verdict: str
    features: list[str]

    def to_dict(self) -> dict:
        d = asdict(self)
        a = self.overlap_area_m2
        d["overlap_area_ha"] = None if a is None else float(convert_area(a, "ha"))
        d["overlap_area_mu"] = None if a is None else float(convert_area(a, "mu"))
        d["verdict_en"] = VERDICT_EN.get(self.verdict, "cannot be determined")
        return d


def spatial_summary(findings: pd.DataFrame, layers: dict, sites, zoning_verdict: str | None = None
                    ) -> list[ControlSummary]:
    """The summary rows. ``findings``: the screening findings (with ``_feature_index``); ``layers``:
    ``{name: GeoDataFrame}`` with ``attrs['ecogis']['kind']``; ``sites``: the site GeoDataFrame;
    ``zoning_verdict``: the access-list verdict, folded into the control-unit row."""
    kinds = {name: (g.attrs.get("ecogis") or {}).get("kind") for name, g in layers.items()}
    plane = _SitePlane(sites)
    cols = _columns(findings)
    out = []
    for control, covered in CONTROLS.items():
        names = [n for n, k in kinds.items() if k in covered]
        rows = np.flatnonzero(np.isin(cols["layer"], names))
        extra = zoning_verdict if control == "control_unit" else None
        out.append(_row(control, names, cols, rows, layers, plane, extra))
    return out


def _columns(findings: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns a row reads, as numpy arrays converted once for all the controls (empty when the
    findings are)."""
    def column(name: str, dtype: Any = object) -> np.ndarray:
        if len(findings) == 0 or name not in findings.columns:
            return np.empty(0, dtype=dtype)
        return findings[name].to_numpy(dtype=dtype)
    return {"layer": column("layer"), "relation": column("relation"), "feature_index": column("_feature_index", None),
            "distance_m": column("distance_m", float), "verdict": column("verdict"), "feature": column("feature")}


class _SitePlane:
    """The sites' Gauss-Kruger zone (of their median longitude) and their union in it, made once for all
    the controls, when the first one overlaps."""

    def __init__(self, sites):
        self.sites = sites

    @cached_property
    def gk(self):
        return metric_crs(float(np.median(_lons(self.sites))))

    @cached_property
    def union(self):
        return shapely.union_all(np.asarray(self.sites.to_crs(self.gk).geometry.values))


def _features(layer, labels, gk):
    """The geometries of ``layer`` with index ``labels``, in ``gk`` (no frame copied on the way)."""
    if not layer.index.is_unique:
        return layer.loc[labels].to_crs(gk).geometry.values
    return layer.geometry.values[layer.index.get_indexer(labels)].to_crs(gk)


def _row(control, names, cols: dict[str, np.ndarray], rows: np.ndarray, layers, plane: _SitePlane,
         extra_verdict) -> ControlSummary:
    """The summary of one control from the findings at positions ``rows`` (those of its layers)."""
    if not names:
        return ControlSummary(control, False, [], None, None, None, None, UNKNOWN, [])
    relation = cols["relation"][rows]
    hit, near = rows[relation == "intersects"], rows[relation == "within_buffer"]
    area = length = None
    if len(hit):
        gk = plane.gk
        hit_layers, hit_features = cols["layer"][hit], cols["feature_index"][hit]
        parts = [_features(layers[n], pd.unique(hit_features[hit_layers == n]), gk) for n in pd.unique(hit_layers)]
        overlap = dissolved_overlap(plane.union, valid_in_plane(np.concatenate(parts)))
        area = float(ellipsoidal_area([overlap], gk)[0])
        lines = [g for g in shapely.get_parts(overlap) if shapely.get_dimensions(g) == 1]
        length = float(geodesic_length(lines, gk).sum()) if lines else None
    distances = cols["distance_m"][rows]
    distances = distances[~np.isnan(distances)]
    verdicts = cols["verdict"][rows].tolist() + ([extra_verdict] if extra_verdict else [])
    features = list(dict.fromkeys(str(f) for f in cols["feature"][hit if len(hit) else near]))
    return ControlSummary(control, True, names, "intersects" if len(hit) else "within_buffer" if len(near) else "clear",
                          area, length, float(distances.min()) if len(distances) else None, worst_verdict(verdicts),
                          features)


def _lons(sites) -> np.ndarray:
    centres = shapely.centroid(np.asarray(sites.to_crs(GEOGRAPHIC).geometry.values))
    return shapely.get_x(centres)
