"""Zone summaries of a screening: the dissolved sites against each dissolved zone of each layer (no
double counting), official ellipsoidal areas (m²) and geodesic lengths (m), with each zone's verdict."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.geodesy import convert_area, ellipsoidal_area, geodesic_length
from ecogis.overlay import dissolved_overlap
from ecogis.rules import VERDICTS, RuleSet, verdict_rank
from ecogis.screen_index import IndexedLayer
from ecogis.screen_pairs import lineal


@dataclass
class ZoneSummary:
    """Overlap of the whole site (all parts, dissolved) with one zone of one layer (dissolved)."""

    layer: str
    kind: str
    zone: str | None
    features: int
    overlap_area_m2: float
    overlap_length_m: float
    share_of_site: float | None
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["overlap_area_ha"] = float(convert_area(self.overlap_area_m2, "ha"))
        d["overlap_area_mu"] = float(convert_area(self.overlap_area_m2, "mu"))
        return d


def zone_summaries_of_part(sites_gk: gpd.GeoDataFrame, indexed: list[IndexedLayer], frame: pd.DataFrame,
                            gk: pyproj.CRS, ruleset: RuleSet, site_use: object) -> list[ZoneSummary]:
    """Zone summaries of the dissolved sites of one GK zone, with the verdict of each zone's rule."""
    hits = _overlaps_by_layer(frame)
    if not hits:
        return []
    site_union = shapely.union_all(np.asarray(sites_gk.geometry.values))
    dims = shapely.get_dimensions(site_union)
    total_area = float(ellipsoidal_area([site_union], gk)[0]) if dims == 2 else 0.0
    total_len = float(geodesic_length([site_union], gk)[0]) if dims == 1 else 0.0
    summaries = []
    for lyr in indexed:
        for zone, feats in hits.get(lyr.name, ()):
            summaries.append(_zone_summary(lyr, zone, feats, site_union, gk, total_area, total_len))
    for z in summaries:
        rule = ruleset.match(z.kind, "intersects", zone=z.zone, site_use=site_use)
        z.verdict = rule.verdict if rule else VERDICTS[0]
    return summaries


def _overlaps_by_layer(frame: pd.DataFrame) -> dict[str, list[tuple[str | None, np.ndarray]]]:
    """The ``intersects`` findings of ``frame`` per layer: ``(zone, positions of the features met)`` per
    zone, in zone order (no zone first), from whole columns (no pandas groups)."""
    if len(frame) == 0:
        return {}
    rows = np.flatnonzero(frame["relation"].to_numpy(dtype=object) == "intersects")
    layer = frame["layer"].to_numpy(dtype=object)[rows]
    zone = frame["zone"].to_numpy(dtype=object)[rows]
    feature = frame["_f"].to_numpy()[rows]
    groups: dict[str, dict[str, list[int]]] = {}
    for name, z, f in zip(layer.tolist(), zone.tolist(), feature.tolist()):
        groups.setdefault(name, {}).setdefault("\0" if pd.isna(z) else str(z), []).append(f)
    return {name: [(None if z == "\0" else z, np.unique(np.asarray(fs, dtype=np.intp)))
                   for z, fs in sorted(zones.items())] for name, zones in groups.items()}


def _zone_summary(lyr: IndexedLayer, zone: str | None, feats: np.ndarray, site_union: shapely.Geometry,
                  gk: pyproj.CRS, total_area: float, total_len: float) -> ZoneSummary:
    """The dissolved site (``site_union``, GK; its official area ``total_area`` m² or geodesic length
    ``total_len`` m) against the dissolved features ``feats`` of one zone of ``lyr`` (no double counting);
    areas m² (official ellipsoidal), lengths geodesic m."""
    inter = dissolved_overlap(site_union, lyr.geoms[feats])
    area = float(ellipsoidal_area([inter], gk)[0]) if total_area > 0 else 0.0
    length = float(geodesic_length(lineal(np.array([inter], dtype=object)), gk)[0])
    share = area / total_area if total_area > 0 else (length / total_len if total_len > 0 else None)
    return ZoneSummary(layer=lyr.name, kind=lyr.kind, zone=zone, features=len(feats), overlap_area_m2=area,
                       overlap_length_m=length, share_of_site=share, verdict=VERDICTS[0])


def merge_zone_summaries(zones: list[ZoneSummary]) -> list[ZoneSummary]:
    """One summary per layer and zone: the parts of sites screened apart (GK zones, uses) added up."""
    merged: dict[tuple[str, str | None], ZoneSummary] = {}
    for z in zones:
        key = (z.layer, z.zone)
        if key in merged:  # sites in two GK zones: add the parts (shares are then not meaningful)
            m = merged[key]
            m.features += z.features
            m.overlap_area_m2 += z.overlap_area_m2
            m.overlap_length_m += z.overlap_length_m
            m.share_of_site = None
            m.verdict = max(m.verdict, z.verdict, key=verdict_rank)  # parts screened for different uses
        else:
            merged[key] = z
    return list(merged.values())
