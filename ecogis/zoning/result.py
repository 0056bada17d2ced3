"""Result objects of the 生态环境分区管控 analysis (areas m², distances geodesic m; codes, not wording)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ecogis.geodesy import convert_area
from ecogis.rules import VERDICT_EN
from ecogis.zoning.industry import Industry


@dataclass
class UnitRelation:
    """A control unit a site overlaps (``intersects``: overlap area m², ellipsoidal, and share of the site)
    or lies near (``within_buffer``: geodesic distance m, at most ``buffer_m``)."""

    site: str
    layer: str
    unit_code: str
    unit_name: str | None
    unit_class: str | None
    subtype: str | None
    element: str | None
    county: str | None
    adcode: str | None
    relation: str
    overlap_area_m2: float | None
    share_of_site: float | None
    distance_m: float | None
    buffer_m: float | None

    def to_dict(self) -> dict:
        d = asdict(self)
        a = self.overlap_area_m2
        d["overlap_area_ha"] = None if a is None else float(convert_area(a, "ha"))
        d["overlap_area_mu"] = None if a is None else float(convert_area(a, "mu"))
        return d


@dataclass
class RequirementFinding:
    """One access-list requirement that applies to a site through the units in ``units``, with its
    verdict, the reason code (:data:`ecogis.zoning.requirements.REASONS`) and the matched code."""

    site: str
    units: list[str]
    level: str
    scope: str | None
    unit_class: str | None
    dimension: str | None
    text: str
    prohibited: list[str]
    restricted: list[str]
    verdict: str
    reason: str
    matched: str | None
    requirement_id: str | None
    source: str
    industry: str | None = None  # the GB/T 4754-2017 code judged (the site's own, else the project's)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["verdict_en"] = VERDICT_EN[self.verdict]
        return d


@dataclass
class ZoningResult:
    """Control units touched by each site and the access-list requirements that apply, with verdicts.

    ``verdict`` is the worst requirement verdict (符合 when no site touches a unit); ``site_verdicts``
    the worst per site. ``access_lists`` describes the tables read (path, rows, requirements)."""

    industry: Industry | None
    description: str | None
    units: list[UnitRelation]
    requirements: list[RequirementFinding]
    verdict: str
    site_verdicts: dict
    access_lists: list[dict] = field(default_factory=list)
    unit_layers: list[str] = field(default_factory=list)
    methods: dict = field(default_factory=dict)
    summary: list = field(default_factory=list)  # ecogis.zoning.summary.ControlSummary rows
    uncovered: dict = field(default_factory=dict)  # site -> share (0-1) in no control unit: not judged
    site_industries: dict = field(default_factory=dict)  # site -> its own industry code (site attribute)
    #: the project's description (ecogis.zoning.description.ProjectDescription.to_dict: values and sources)
    project_description: dict = field(default_factory=dict)
    site_descriptions: dict = field(default_factory=dict)  # site -> its description where its attributes differ

    def to_dict(self) -> dict:
        return {"industry": None if self.industry is None else self.industry.to_dict(),
                "description": self.description, "verdict": self.verdict,
                "verdict_en": VERDICT_EN[self.verdict], "site_verdicts": self.site_verdicts,
                "units": [u.to_dict() for u in self.units],
                "requirements": [r.to_dict() for r in self.requirements],
                "access_lists": self.access_lists, "unit_layers": self.unit_layers, "methods": self.methods,
                "summary": [s.to_dict() for s in self.summary], "uncovered": self.uncovered,
                "site_industries": self.site_industries, "project_description": self.project_description,
                "site_descriptions": self.site_descriptions}
