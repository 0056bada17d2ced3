"""Land-cover composition of zones: area of each class (m², 公顷, 亩), its share and the nodata area."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pyproj import CRS

from ecogis.crs import describe_crs
from ecogis.notes import Notes
from ecogis.raster.extract import DEFAULT_MEMORY_MB, NOISE_CELLS, extract_code_areas, max_cells_for
from ecogis.raster.legend import Legend, legend_for
from ecogis.raster.messages import say
from ecogis.raster.pixel_area import PIXEL_AREA_METHOD, centre_cell_area
from ecogis.raster.sources import ClassSource, open_raster
from ecogis.raster.vector_area import AREA_UNITS, area_columns, units
from ecogis.raster.zones import load_zones, prepare_zones, require_overlap

NODATA_NAME = {"zh": "无数据", "en": "nodata"}  # the class column of the nodata rows
OUTSIDE_WARN = 0.001  # warn when more than 0.1 % of a zone lies outside the raster


@dataclass
class ClassArea:
    """Area of one class in one zone; ``share`` is of the zone's area inside the raster (incl. nodata)."""

    code: int
    zh: str
    en: str
    color: str
    m2: float
    share: float

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.zh, "en": self.en, "color": self.color,
                **area_columns(self.m2), "share": self.share}


@dataclass
class ZoneComposition:
    """Composition of one zone. Areas in m² on the ellipsoid.

    ``zone_area_m2``: official area of the zone polygon; ``covered_m2``: its area inside the raster
    (sum of cell areas × covered fraction); ``nodata_m2``: covered area on nodata cells;
    ``outside_m2``: zone area outside the raster extent (``zone_area_m2 − covered_m2``, ≥ 0).
    """

    zone: str
    zone_area_m2: float
    covered_m2: float
    nodata_m2: float
    classes: list[ClassArea]

    @property
    def outside_m2(self) -> float:
        return max(0.0, self.zone_area_m2 - self.covered_m2)

    @property
    def outside_is_notable(self) -> bool:
        """More than OUTSIDE_WARN of the zone lies outside the raster (warned and reported)."""
        return self.outside_m2 > OUTSIDE_WARN * self.zone_area_m2

    @property
    def nodata_share(self) -> float:
        """Share of the covered area on nodata cells (classes' shares + this = 1)."""
        return self.nodata_m2 / self.covered_m2 if self.covered_m2 else 0.0

    def to_dict(self) -> dict:
        return {
            "zone": self.zone,
            "zone_area": units(self.zone_area_m2), "covered_area": units(self.covered_m2),
            "nodata_area": units(self.nodata_m2),
            "nodata_share": self.nodata_share,
            "outside_area": units(self.outside_m2),
            "classes": [c.to_dict() for c in self.classes],
        }


@dataclass
class ZonalResult:
    """Result of :func:`zonal_composition`; ``to_dict`` for JSON, ``table`` for CSV/XLSX."""

    raster: str
    raster_crs: str
    zones_source: str | None
    by: str | None
    legend: Legend
    pixel_area_method: str
    zone_area_method: str
    zones: list[ZoneComposition]
    notes: list[str] = field(default_factory=Notes)
    max_window_cells: int = 0  # largest window read (cells): instrumentation for tests and benchmarks

    def to_dict(self, lang: str | None = None) -> dict:
        return {
            "raster": self.raster, "raster_crs": self.raster_crs, "zones_source": self.zones_source, "by": self.by,
            "legend": self.legend.name, "units": dict(AREA_UNITS),
            "share_basis": "share of the zone area inside the raster (classes + nodata = 1)",
            "pixel_area_method": self.pixel_area_method, "zone_area_method": self.zone_area_method,
            "partial_cells": "weighted by covered fraction (exactextract)",
            "zones": [z.to_dict() for z in self.zones], "notes": list(self.notes),
        }

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """Long table: one row per zone and class, plus a nodata row per zone."""
        rows = []
        for z in self.zones:
            for c in z.classes:
                rows.append({"zone": z.zone, "code": c.code, "class": {"zh": c.zh}.get(lang, c.en),
                             **area_columns(c.m2), "share": c.share})
            rows.append({"zone": z.zone, "code": None, "class": NODATA_NAME.get(lang, NODATA_NAME["en"]),
                         **area_columns(z.nodata_m2),
                         "share": z.nodata_share})
        return pd.DataFrame(rows, columns=["zone", "code", "class", "area_m2", "area_ha", "area_mu", "share"])


def pixel_method(crs) -> str:
    return PIXEL_AREA_METHOD["geographic" if CRS(crs).is_geographic else "projected"]


def zonal_composition(raster, zones, *, by=None, legend=None, kind=None, layer=None,
                      memory_mb: float = DEFAULT_MEMORY_MB, progress: bool = False, notes=None) -> ZonalResult:
    """Area of each land-cover class of ``raster`` inside each zone (or ``by`` group) of ``zones``.

    ``zones`` is a GeoDataFrame or a path read with :func:`ecogis.io.read_layer` (``kind``, ``layer``);
    they are reprojected to the raster CRS. ``legend`` is a :class:`Legend`, a YAML path or None (a
    ``<raster>.classes.yaml`` beside the raster, else the CLCD default). Areas are ellipsoidal m².
    """
    notes = Notes() if notes is None else notes
    ds = open_raster(raster)
    with ds:
        legend = legend_for(raster, legend, notes=notes)
        classes = ClassSource(ds, nodata=resolve_nodata(ds, legend, raster, notes))
        zones_ = prepare_zones(load_zones(zones, kind=kind, layer=layer, notes=notes), ds.crs, by=by, notes=notes)
        require_overlap(zones_, ds, raster)
        per_zone = extract_code_areas(classes, zones_, max_cells=max_cells_for(memory_mb),
                                      progress=progress, notes=notes)
        legend.check_codes([c for z in per_zone for c in z.code_m2], path=raster)
        noise_m2 = NOISE_CELLS * centre_cell_area(ds)
        result = ZonalResult(
            raster=str(raster), raster_crs=describe_crs(ds.crs), zones_source=zones_.source, by=by, legend=legend,
            pixel_area_method=pixel_method(ds.crs), zone_area_method=zones_.area_method,
            zones=[_composition(label, area, z, legend, notes, noise_m2)
                   for label, area, z in zip(zones_.gdf["_zone"], zones_.area_m2, per_zone)],
            notes=notes, max_window_cells=0,
        )
    result.max_window_cells = classes.max_window_cells
    return result


def resolve_nodata(ds, legend, path, notes):
    """The nodata code of ``ds``: its own, else the legend's fill code (a reported assumption)."""
    if ds.nodata is None and legend.nodata is not None:
        say("nodata_from_legend", notes, path=path, code=legend.nodata)
        return legend.nodata
    return ds.nodata


def _composition(label, zone_area, z, legend, notes, noise_m2=0.0) -> ZoneComposition:
    by_code = legend.by_code()
    covered = z.covered_m2
    classes = [ClassArea(code, by_code[code].zh, by_code[code].en, by_code[code].color, m2,
                         m2 / covered if covered else 0.0)
               for code, m2 in sorted(z.code_m2.items()) if code in by_code and m2 > noise_m2]
    comp = ZoneComposition(str(label), float(zone_area), covered, z.nodata_m2, classes)
    if comp.outside_is_notable:
        say("outside", notes, zone=label, m2=f"{comp.outside_m2:,.0f}", share=f"{comp.outside_m2 / zone_area:.1%}")
    return comp
