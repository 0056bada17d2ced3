"""The result objects of a site check: findings (columnar :class:`FindingTable`), site summaries and
:class:`CheckResult`, with the method and unit texts every report repeats (areas m², lengths m)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from ecogis.coverage import CoverageGap
from ecogis.geodesy import convert_area
from ecogis.rules import VERDICT_EN, VERDICTS
from ecogis.screen import FINDING_COLUMNS, ZoneSummary

if TYPE_CHECKING:
    from ecogis.corridor import Corridor

__all__ = ["CheckResult", "Finding", "FindingTable", "SiteSummary"]

METHODS = {
    "overlap_area": "Ellipsoidal area on the CGCS2000 ellipsoid (椭球面积, 国土调查办发〔2008〕32号, TD/T 1055-2019) "
                    "of the intersection computed in the site's CGCS2000 3° Gauss-Kruger zone",
    "overlap_length": "Geodesic length on the CGCS2000 ellipsoid (GeographicLib via pyproj.Geod) of the "
                      "intersection computed in the site's 3° Gauss-Kruger zone",
    "distance": "Geodesic distance on the CGCS2000 ellipsoid (pyproj.Geod.inv) between the nearest points, "
                "found in the site's 3° Gauss-Kruger zone",
    "share_of_site": "overlap area (or length for line sites) divided by the site part's ellipsoidal area "
                     "(or geodesic length)",
    "within_buffer": "every feature whose geodesic distance to the site is at most the buffer distance",
    "verdict": "most specific matching rule per finding; overall verdict = worst finding (禁止 > 限制 > 需论证 > "
               "无法判定 > 符合)",
    "coverage": "a site, or the part of it, outside a layer's coverage (its declared coverage, else the project "
                "boundary, else the data extent of the project's layers grown by 50 km) is 无法判定 for that "
                "layer; the part outside is the site minus the coverage in the site's 3° Gauss-Kruger zone, its "
                "area ellipsoidal (m²), its length geodesic (m)",
}


UNITS = {"overlap_area_m2": "m²", "overlap_area_ha": "公顷 (ha, 10 000 m²)", "overlap_area_mu": "亩 (mu, 10 000/15 m²)",
         "overlap_length_m": "m", "distance_m": "m", "buffer_m": "m", "share_of_site": "fraction 0–1",
         "site_area_m2": "m²", "site_length_m": "m"}


# result objects: to_dict(lang=None) gives language-independent keys (SI figures, the verdict code;
# ``verdict_en``, ``overlap_area_ha``/``_mu`` kept for the JSON readers of earlier versions);
# ``verdict_label`` only when a language is asked for
_VERDICT_LABELS = {"zh": {v: v for v in VERDICTS}, "en": VERDICT_EN}


def _verdict_label(verdict: str, lang: str | None) -> dict:
    return {} if lang is None else {"verdict_label": _VERDICT_LABELS[lang][verdict]}


@dataclass
class Finding:
    """One relation between a site and a layer feature (areas m², lengths and distances geodesic m)."""

    site: str
    site_name: str
    layer: str
    kind: str
    feature: str
    zone: str | None
    relation: str
    overlap_area_m2: float | None
    overlap_length_m: float | None
    share_of_site: float | None
    distance_m: float | None
    buffer_m: float | None
    verdict: str
    rule_id: str | None
    rule: str
    basis: str
    rule_en: str = ""

    def to_dict(self, lang: str | None = None) -> dict:
        d = asdict(self)
        a = self.overlap_area_m2
        d["overlap_area_ha"] = None if a is None else float(convert_area(a, "ha"))
        d["overlap_area_mu"] = None if a is None else float(convert_area(a, "mu"))
        d["verdict_en"] = VERDICT_EN[self.verdict]
        return {**d, **_verdict_label(self.verdict, lang)}


@dataclass
class SiteSummary:
    """One site (parcel, line or point): geometry type, size, centre and verdict."""

    id: str
    name: str
    geometry_type: str
    area_m2: float
    length_m: float
    lon: float
    lat: float
    verdict: str

    def to_dict(self, lang: str | None = None) -> dict:
        return {**asdict(self), **_verdict_label(self.verdict, lang)}


@dataclass
class CheckResult:
    """Everything a report needs. Geometries (``site_gdf``, ``layers``) are EPSG:4490 and not in to_dict()."""

    verdict: str
    findings: FindingTable  # columnar: .frame is the DataFrame; iterating gives Finding objects
    sites: list[SiteSummary]
    zones: list[ZoneSummary]
    inputs: dict
    assumptions: list[str]
    rules: list[dict]
    buffers_m: list[float]
    project: str
    methods: dict = field(default_factory=lambda: dict(METHODS))
    units: dict = field(default_factory=lambda: dict(UNITS))
    site_gdf: gpd.GeoDataFrame | None = field(default=None, repr=False)
    layers: dict = field(default_factory=dict, repr=False)
    #: sites (or parts) outside a layer's coverage: verdict 无法判定 for that layer (ecogis.coverage)
    coverage: list[CoverageGap] = field(default_factory=list)
    #: the working corridor (作业带) of line sites and its take per zone, when a width was given
    corridor: Corridor | None = None
    zoning: Any = None  # ecogis.zoning.result.ZoningResult: control units, access lists, the summary

    @property
    def notes(self) -> list[str]:
        """The notes (assumptions, repairs) of the check: :attr:`assumptions`."""
        return self.assumptions

    def to_dict(self, lang: str | None = None) -> dict:
        return {
            "verdict": self.verdict, "verdict_en": VERDICT_EN[self.verdict], **_verdict_label(self.verdict, lang),
            "project": self.project,
            "findings": self.findings.records(),
            "zones": [z.to_dict() for z in self.zones],
            "sites": [s.to_dict(lang) for s in self.sites],
            "inputs": self.inputs, "assumptions": self.assumptions, "buffers_m": self.buffers_m,
            "rules": self.rules, "methods": self.methods, "units": self.units,
            "coverage_gaps": [g.to_dict() for g in self.coverage],
            "corridor": None if self.corridor is None else self.corridor.to_dict(),
            "zoning": None if self.zoning is None else self.zoning.to_dict(),
        }

    def findings_frame(self) -> pd.DataFrame:
        """Findings as a DataFrame (one row per site and finding), with ha and 亩 columns."""
        return self.findings.with_units()


class FindingTable(Sequence):
    """The findings of a check: a read-only sequence of :class:`Finding` backed by a columnar DataFrame.

    Batch checks produce hundreds of thousands of findings; the DataFrame (:attr:`frame`, one row per
    site and finding) is what scripts and table writers should use. ``Finding`` objects are built only
    when the sequence is iterated or indexed, once, from whole columns.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame.reindex(columns=FINDING_COLUMNS).reset_index(drop=True)
        self._items: list[Finding] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i):
        return self._materialise()[i]

    def __iter__(self):
        return iter(self._materialise())

    def __repr__(self) -> str:
        return f"FindingTable({len(self)} findings)"

    def __eq__(self, other):
        if isinstance(other, (FindingTable, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, like the list it compares equal to

    def with_units(self) -> pd.DataFrame:
        """The findings DataFrame with ``overlap_area_ha``, ``overlap_area_mu`` and ``verdict_en`` added."""
        df = self.frame.copy()
        area = df["overlap_area_m2"].to_numpy(dtype=float)
        df["overlap_area_ha"] = convert_area(area, "ha")
        df["overlap_area_mu"] = convert_area(area, "mu")
        df["verdict_en"] = df["verdict"].map(VERDICT_EN)
        return df

    def records(self) -> list[dict]:
        """``[f.to_dict() for f in self]`` from whole columns (ha, 亩 and English verdict added)."""
        cols = {c: _python_values(self.frame[c]) for c in self.frame.columns}
        area = self.frame["overlap_area_m2"].to_numpy(dtype=float)
        for unit, values in (("ha", convert_area(area, "ha")), ("mu", convert_area(area, "mu"))):
            cols[f"overlap_area_{unit}"] = [None if v != v else float(v) for v in values.tolist()]
        cols["verdict_en"] = [VERDICT_EN.get(v) if isinstance(v, str) else None for v in cols["verdict"]]
        return [dict(zip(cols, row)) for row in zip(*cols.values())]

    def _materialise(self) -> list[Finding]:
        if self._items is None:
            cols = [_python_values(self.frame[c]) for c in FINDING_COLUMNS]
            self._items = [Finding(*row) for row in zip(*cols)]
        return self._items


def _python_values(col: pd.Series) -> list:
    """Column values as Python objects, NaN (and every other missing value) as None."""
    values = col.to_numpy(dtype=object).tolist()
    missing = col.isna().to_numpy()
    if not missing.any():
        return values
    return [None if m else v for v, m in zip(values, missing.tolist())]
