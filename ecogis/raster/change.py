"""Land-cover change inside zones: transition matrices and polygons of changes of interest.

BEFORE defines the grid. AFTER is aligned to it explicitly (nearest-neighbour ``WarpedVRT``) when the
grids differ. Transition areas are ellipsoidal m² with partial cells weighted by covered fraction,
as in :mod:`ecogis.raster.zonal`. Changes of interest are cells whose class became one of ``to``
(default: the legend's ``change_of_interest``, for CLCD 不透水面 and 裸地); they are polygonised with
``rasterio.features.shapes``, merged across reading windows, clipped to the zones and measured with
the official ellipsoidal area (:func:`ecogis.raster.vector_area.official_area`).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from rasterio import features, windows

from ecogis.crs import describe_crs
from ecogis.error_messages import error
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.notes import Notes
from ecogis.raster.extract import DEFAULT_MEMORY_MB, NOISE_CELLS, extract_code_areas, max_cells_for
from ecogis.raster.legend import Legend, legend_for
from ecogis.raster.messages import say
from ecogis.raster.pixel_area import centre_cell_area
from ecogis.raster.sources import (
    NODATA_CODE,
    ClassSource,
    TransitionSource,
    aligned,
    code_base,
    iter_windows,
    open_raster,
    same_grid,
)
from ecogis.raster.vector_area import AREA_UNITS, area_columns, official_area, units
from ecogis.raster.zonal import pixel_method, resolve_nodata
from ecogis.raster.zones import LABEL, load_zones, prepare_zones, require_overlap


@dataclass
class Transition:
    """Area (m²) of one zone that was class ``from_code`` in BEFORE and ``to_code`` in AFTER."""

    from_code: int
    to_code: int
    m2: float

    def to_dict(self, legend: Legend) -> dict:
        a, b = legend.get(self.from_code), legend.get(self.to_code)
        return {"from_code": self.from_code, "from_zh": a.zh, "from_en": a.en, "to_code": self.to_code,
                "to_zh": b.zh, "to_en": b.en, "changed": self.from_code != self.to_code,
                **area_columns(self.m2)}


@dataclass
class ZoneTransitions:
    """Transition matrix of one zone (long form) plus covered and nodata areas (m²)."""

    zone: str
    zone_area_m2: float
    covered_m2: float
    nodata_m2: float
    transitions: list[Transition]

    def changed_m2(self, to_codes=None) -> float:
        return sum(t.m2 for t in self.transitions
                   if t.from_code != t.to_code and (to_codes is None or t.to_code in to_codes))

    def to_dict(self, legend: Legend, to_codes) -> dict:
        return {"zone": self.zone, "zone_area": units(self.zone_area_m2), "covered_area": units(self.covered_m2),
                "nodata_area": units(self.nodata_m2), "changed_area": units(self.changed_m2()),
                "changed_to_interest_area": units(self.changed_m2(to_codes)),
                "transitions": [t.to_dict(legend) for t in self.transitions]}


@dataclass
class ChangeResult:
    """Result of :func:`change_detection`. ``patches`` is a GeoDataFrame (CRS of BEFORE)."""

    before: str
    after: str
    raster_crs: str
    resampled: bool  # AFTER was resampled to the BEFORE grid
    legend: Legend
    to_codes: tuple[int, ...]
    zones_source: str | None
    by: str | None
    pixel_area_method: str
    patch_area_method: str
    zones: list[ZoneTransitions]
    patches: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=Notes)
    max_window_cells: int = 0  # largest window read (cells): instrumentation for tests and benchmarks

    def to_dict(self, lang: str | None = None) -> dict:
        recs = pd.DataFrame(self.patches.drop(columns=self.patches.geometry.name)).to_dict("records")
        return {
            "before": self.before, "after": self.after, "raster_crs": self.raster_crs,
            "after_resampled_to_before_grid": self.resampled, "legend": self.legend.name,
            "change_of_interest": [self.legend.get(c).to_dict() for c in self.to_codes],
            "zones_source": self.zones_source, "by": self.by,
            "units": dict(AREA_UNITS),
            "pixel_area_method": self.pixel_area_method, "patch_area_method": self.patch_area_method,
            "partial_cells": "weighted by covered fraction (exactextract)",
            "zones": [z.to_dict(self.legend, self.to_codes) for z in self.zones],
            "patches": recs, "notes": list(self.notes),
        }

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """Long transition table: one row per zone, from-class and to-class."""
        rows = []
        for z in self.zones:
            for t in z.transitions:
                a, b = self.legend.get(t.from_code), self.legend.get(t.to_code)
                rows.append({"zone": z.zone, "from_code": t.from_code, "from_class": a.name(lang),
                             "to_code": t.to_code, "to_class": b.name(lang), "changed": t.from_code != t.to_code,
                             **area_columns(t.m2)})
        return pd.DataFrame(rows, columns=["zone", "from_code", "from_class", "to_code", "to_class", "changed",
                                           "area_m2", "area_ha", "area_mu"])

    def matrix(self, lang: str = "zh") -> pd.DataFrame:
        """Transition matrices (m²): rows (zone, from-class), columns to-class."""
        t = self.table(lang)
        if t.empty:
            return t
        return t.pivot_table(index=["zone", "from_class"], columns="to_class", values="area_m2",
                             aggfunc="sum", fill_value=0.0, sort=False)


def change_detection(before, after, zones, *, by=None, within=None, to=None, legend=None, after_legend=None,
                     kind=None, layer=None, min_area_m2: float = 0.0, memory_mb: float = DEFAULT_MEMORY_MB,
                     progress: bool = False, notes=None) -> ChangeResult:
    """Transition matrix per zone between rasters ``before`` and ``after`` and polygons of changes of interest.

    ``within``: zone names (values of ``by``) where changes are polygonised (default: all zones).
    ``to``: classes of interest (codes or names, list or ``"8,7"``). ``min_area_m2``: drop smaller patches.
    """
    notes = Notes() if notes is None else notes
    bds, ads = open_raster(before), open_raster(after)
    with bds, ads:
        lb, la = _one_legend(before, after, legend, after_legend, notes)
        to_codes = lb.parse_codes(to)
        resampled = not same_grid(ads, bds)
        if resampled:
            say("other_grid", notes, after=after, before=before)
        ads_on_grid = aligned(ads, bds, lb.nodata)
        src_b = ClassSource(bds, nodata=resolve_nodata(bds, lb, before, notes), name="before", path=before)
        src_a = ClassSource(ads_on_grid, nodata=resolve_nodata(ads_on_grid, la, after, notes), name="after",
                            path=after)
        base = code_base(bds, ads)
        trans = TransitionSource(src_b, src_a, base)
        zones_ = prepare_zones(load_zones(zones, kind=kind, layer=layer, notes=notes), bds.crs, by=by, notes=notes)
        require_overlap(zones_, bds, before)
        target = _patch_zones(zones_, within, by)
        max_cells = max_cells_for(memory_mb)
        per_zone = extract_code_areas(trans, zones_, max_cells=max_cells, progress=progress, notes=notes)
        codes = np.array([c for z in per_zone for c in z.code_m2], dtype=np.int64)
        lb.check_codes(codes // base, path=before)
        la.check_codes(codes % base, path=after)
        noise = NOISE_CELLS * centre_cell_area(bds)
        zt = [_zone_transitions(label, area, z, base, noise)
              for label, area, z in zip(zones_.gdf[LABEL], zones_.area_m2, per_zone)]
        pieces = polygonise_changes(src_b, src_a, target, to_codes, base, max_cells=max_cells, progress=progress)
        patches, method = _patches(pieces, target, lb, base, max(min_area_m2, noise), bds.crs)
        result = ChangeResult(
            before=str(before), after=str(after), raster_crs=describe_crs(bds.crs), resampled=resampled, legend=lb,
            to_codes=to_codes, zones_source=zones_.source, by=by, pixel_area_method=pixel_method(bds.crs),
            patch_area_method=method, zones=zt, patches=patches, notes=notes,
            max_window_cells=max(src_b.max_window_cells, trans.max_window_cells))
    return result


def _one_legend(before, after, legend, after_legend, notes) -> tuple[Legend, Legend]:
    """Legends of BEFORE and AFTER; EcogisError unless they define the same classes."""
    lb = legend_for(before, legend, notes=notes)
    la = legend_for(after, after_legend if after_legend is not None else legend, notes=notes)
    if not lb.same_classes(la):
        raise error("raster.legends_differ", path=after, before=repr(lb.name), before_classes=_legend_text(lb),
                    after=repr(la.name), after_classes=_legend_text(la), hint="raster.reclassify")
    return lb, la


def _patch_zones(zones_, within, by):
    """The zones where changes are polygonised: all, or those named in ``within``."""
    if not within:
        return zones_.gdf
    target = zones_.gdf[zones_.gdf[LABEL].isin({str(w) for w in within})]
    missing = sorted({str(w) for w in within} - set(target[LABEL]))
    if missing:
        raise error("raster.no_zone", path=zones_.source, field=by, missing=missing, zones=list(zones_.gdf[LABEL]),
                    hint="raster.check_in")
    return target


def _zone_transitions(label, zone_area, z, base, noise_m2) -> ZoneTransitions:
    """Transitions of one zone from its transition-code areas (codes ``before * base + after``)."""
    trans = [Transition(int(c // base), int(c % base), m2) for c, m2 in sorted(z.code_m2.items()) if m2 > noise_m2]
    return ZoneTransitions(str(label), float(zone_area), z.covered_m2, z.nodata_m2, trans)


def _legend_text(lg: Legend) -> str:
    return "[" + ", ".join(f"{c.code} {c.zh}" for c in lg.classes) + "]"


def change_windows(src_b: ClassSource, src_a: ClassSource, zones_gdf, to_codes, *, max_cells: int, progress=False,
                   all_touched=True):
    """Yield ``(window, before, after, mask)`` over the zones' extent; ``mask`` marks changes of interest.

    A cell is a change of interest when both rasters hold data, its AFTER class is in ``to_codes``,
    its BEFORE class differs, and it touches a zone (``all_touched``; else its centre is in a zone).
    Arrays are one window of at most ``max_cells`` cells.
    """
    ds = src_b.ds
    area = _window_of(ds, zones_gdf.total_bounds)
    if area is None:
        return
    geoms = np.asarray(zones_gdf.geometry.values)
    tree = shapely.STRtree(geoms)
    wins = [windows.Window(w.col_off + area.col_off, w.row_off + area.row_off, w.width, w.height)
            for w in iter_windows(int(area.width), int(area.height), max_cells)]
    from tqdm import tqdm

    for win in tqdm(wins, desc="change", unit="window", disable=None if progress else True, leave=False,
                    file=sys.stderr):
        x0, y0, nx, ny = int(win.col_off), int(win.row_off), int(win.width), int(win.height)
        wt = windows.transform(win, ds.transform)
        near = geoms[tree.query(shapely.box(*windows.bounds(win, ds.transform)))]
        if len(near) == 0:
            continue
        b = src_b.read_window(x0, y0, nx, ny)
        a = src_a.read_window(x0, y0, nx, ny)
        inside = features.geometry_mask(list(near), out_shape=(ny, nx), transform=wt, all_touched=all_touched,
                                        invert=True)
        valid = (b != NODATA_CODE) & (a != NODATA_CODE)
        mask = valid & inside & np.isin(a, to_codes) & (a != b)
        yield win, b, a, mask


def _window_of(ds, bounds):
    """Whole-cell window of ``ds`` covering ``bounds`` (clipped to the raster), None if outside."""
    t = ds.transform
    cols = [(x - t.c) / t.a for x in bounds[0::2]]
    rows = [(y - t.f) / t.e for y in bounds[1::2]]
    c0, r0 = max(0, int(np.floor(min(cols)))), max(0, int(np.floor(min(rows))))
    c1, r1 = min(ds.width, int(np.ceil(max(cols)))), min(ds.height, int(np.ceil(max(rows))))
    if c1 <= c0 or r1 <= r0:
        return None
    return windows.Window(c0, r0, c1 - c0, r1 - r0)


def polygonise_changes(src_b, src_a, zones_gdf, to_codes, base, *, max_cells, progress=False) -> gpd.GeoDataFrame:
    """Polygons (raster CRS) of changes of interest, one per connected patch and transition code."""
    geoms, codes = [], []
    for win, b, a, mask in change_windows(src_b, src_a, zones_gdf, to_codes, max_cells=max_cells, progress=progress):
        if not mask.any():
            continue
        # shapes() takes int32 at most: polygonise window-local labels of the transition codes
        trans = np.zeros_like(b)
        trans[mask] = b[mask] * base + a[mask]
        uniq, labels = np.unique(trans, return_inverse=True)
        labels = labels.reshape(b.shape).astype(np.int32)
        for geom, value in features.shapes(labels, mask=mask, transform=windows.transform(win, src_b.ds.transform)):
            geoms.append(shapely.geometry.shape(geom))
            codes.append(int(uniq[int(value)]))
    pieces = gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=src_b.ds.crs)
    if pieces.empty:
        return pieces
    # patches cut by window edges are merged again
    return pieces.dissolve(by="code").explode(index_parts=False).reset_index()


PATCH_COLUMNS = ["id", "name", "zone", "from_code", "from_zh", "from_en", "to_code", "to_zh", "to_en",
                 "area_m2", "area_ha", "area_mu", "centroid_lon", "centroid_lat"]


def _patches(pieces, zones_gdf, legend, base, min_area_m2, crs):
    if pieces.empty:
        empty = gpd.GeoDataFrame({c: [] for c in PATCH_COLUMNS}, geometry=[], crs=crs)
        return empty, official_area([], crs)[1]
    clipped = gpd.overlay(pieces, zones_gdf[[LABEL, zones_gdf.geometry.name]], how="intersection",
                          keep_geom_type=True).explode(index_parts=False).reset_index(drop=True)
    area, method = official_area(clipped.geometry.values, crs)
    clipped["area_m2"] = area
    clipped = clipped[clipped["area_m2"] > max(min_area_m2, 0.0)]
    clipped = clipped.sort_values([LABEL, "area_m2"], ascending=[True, False])
    to_geo = Transformer.from_crs(crs, GEOGRAPHIC_CRS, always_xy=True)
    cx, cy = to_geo.transform(*shapely.get_coordinates(shapely.centroid(clipped.geometry.values)).T) \
        if len(clipped) else (np.array([]), np.array([]))
    zh = {c.code: c.zh for c in legend.classes}
    en = {c.code: c.en for c in legend.classes}
    frm, to = clipped["code"] // base, clipped["code"] % base
    ids = pd.Series([f"P{i + 1:04d}" for i in range(len(clipped))], index=clipped.index)
    out = gpd.GeoDataFrame({
        "id": ids.to_numpy(),
        "name": (ids + " " + frm.map(zh) + "→" + to.map(zh)).to_numpy(),
        "zone": clipped[LABEL].to_numpy(),
        "from_code": frm.to_numpy(), "from_zh": frm.map(zh).to_numpy(), "from_en": frm.map(en).to_numpy(),
        "to_code": to.to_numpy(), "to_zh": to.map(zh).to_numpy(), "to_en": to.map(en).to_numpy(),
        **area_columns(clipped["area_m2"].to_numpy()), "centroid_lon": cx, "centroid_lat": cy,
    }, geometry=clipped.geometry.values, crs=crs)
    return out, method
