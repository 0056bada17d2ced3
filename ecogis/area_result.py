"""The result of a layer area (:class:`AreaResult`, :class:`AreaGroup`), the labels of units and
methods, and the notes of a layer area (by key). Every area is held in m²; the figures in the unit
asked for are views. Wording is done by the renderers (:mod:`ecogis.render.area_text`) through
:class:`Text` pairs and the notes' ``text(lang)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecogis import geodesy
from ecogis.error_messages import error
from ecogis.geodesy import UNITS, convert_area
from ecogis.messages import note, register
from ecogis.notes import Label, Note, Notes

#: method -> (Chinese label, English label)
METHODS = {
    "ellipsoid": ("椭球面积", "ellipsoidal area"),
    "geodesic": ("测地线面积", "geodesic area"),
    "plane": ("平面面积（仅供比较）", "plane area (comparison only)"),
}


class Text(Label):
    """A short text in Chinese and English (:class:`ecogis.notes.Label`); ``text(lang)`` picks one."""

    def __call__(self, lang: str = "zh") -> str:
        return self.text(lang)


def text_in(value, lang: str = "zh") -> str:
    """``value`` in ``lang`` when it is a :class:`Text`, else its text (a note stays English: JSON)."""
    return value(lang) if isinstance(value, Text) else str(value)


def note_in(value, lang: str = "zh") -> str:
    """A note for a report in ``lang``: a :class:`Text` or a :class:`~ecogis.notes.Note` in that
    language; other text as it is. JSON keeps :func:`text_in`."""
    return value.text(lang) if isinstance(value, Note) else text_in(value, lang)


# the notes of a layer area; a unit or a method in a note is a note of its own (worded per language)
register({
    **{f"area_unit_{key}": (en, zh) for key, (_, zh, en) in UNITS.items()},
    **{f"area_method_{key}": (en, zh) for key, (zh, en) in METHODS.items()},
    "area_plane_only": ("plane area in {crs} is for comparison only, not the official ellipsoidal figure",
                        "平面面积（{crs}）仅供比较，不是官方椭球面积"),
    "area_groups_overlap": ("the groups overlap: their areas add up to {extra} {unit} ({m2} m², {method}) more than "
                            "the total (a place in several groups is counted once in each)",
                            "各分组相互重叠：分组面积之和比总面积多 {extra} {unit}（{m2} m²，{method}；"
                            "同一地块属于多个分组时在每组各计一次）"),
    "area_published_share": ("share taken of the published boundary area {published} {unit} ({source}); of the "
                             "boundary polygon ({polygon} {unit}, {method}) it is {share}%",
                             "占比按公布的范围面积 {published} {unit}（{source}）计算；按范围多边形面积（{polygon} "
                             "{unit}，{method}）为 {share}%"),
    "area_share_not_compared": ("declared share given without a boundary (within): not compared",
                                "给出了公布占比但没有范围（within）：未比较"),
})


def _unit_note(unit: str) -> Note:
    return note(f"area_unit_{normalise_unit(unit)}", severity="info")


def _method_note(method: str) -> Note:
    method_label(method)  # refuses an unknown method
    return note(f"area_method_{method}", severity="info")


def normalise_unit(unit: str) -> str:
    """Return the canonical unit key (m2, ha, km2, mu) for ``unit`` or its Chinese/English alias."""
    key = geodesy.unit_key(unit)
    if key is None:
        raise error("inputs.unknown_unit", unit=unit, field="unit", hint="inputs.use_unit")
    return key


def unit_label(unit: str, lang: str = "zh") -> str:
    """Printable unit name: "km²", "公顷"/"ha", "亩"/"mu"."""
    entry = UNITS[normalise_unit(unit)]
    return Label(entry[1], entry[2]).text(lang)


def method_label(method: str, lang: str = "zh") -> str:
    """Printable method name, e.g. "椭球面积" / "ellipsoidal area"."""
    if method not in METHODS:
        raise error("inputs.unknown_method", method=method, field="method", hint="inputs.use_method")
    return Label(*METHODS[method]).text(lang)


def _in_unit(m2: float | None, unit: str) -> float | None:
    """``m2`` (m²) in ``unit``, None for None."""
    return None if m2 is None else float(convert_area(float(m2), unit))


@dataclass
class AreaGroup:
    """One row of a breakdown: ``area_m2`` (m², by the result's method); ``share_pct`` of ``share_of``
    (see AreaResult); ``base_area_m2`` the area the share is taken of (a district's own area).
    ``area``/``base_area`` are views in the result's ``unit``."""

    key: str
    area_m2: float
    share_pct: float | None
    unit: str = "m2"
    base_area_m2: float | None = None

    @property
    def area(self) -> float:
        return float(convert_area(self.area_m2, self.unit))

    @property
    def base_area(self) -> float | None:
        return _in_unit(self.base_area_m2, self.unit)

    def to_dict(self, lang: str | None = None) -> dict:
        return {"key": self.key, "area": self.area, "share_pct": self.share_pct, "area_m2": self.area_m2,
                "base_area": self.base_area}


#: AreaResult views in its unit -> the field (m²) they are taken of
_IN_UNIT = {"area": "area_m2", "overlap_removed": "overlap_removed_m2", "sum_of_features": "sum_of_features_m2",
            "outside_area": "outside_area_m2"}


@dataclass
class AreaResult:
    """Area of a layer after dissolving, optionally within a boundary and broken down.

    Every area is held in m² (``*_m2``) by ``method`` (ellipsoid, geodesic, plane); ``unit`` (m2, ha,
    km2, mu) is the unit asked for, in which ``area``, ``overlap_removed``, ``sum_of_features``,
    ``boundary_area``, ``outside_area`` and ``declared_diff`` are views. ``crs`` is the CRS of the
    coordinates the area was computed from and ``ellipsoid`` the surface it is measured on.
    ``overlap_removed_m2`` is the area counted twice or more by the input features and removed by
    dissolving. ``share_pct`` = area within the boundary / boundary area x 100; with a published
    boundary area (``boundary_area_published``, in ``unit`` as given) the share is of that figure.
    ``declared`` is a published area in ``unit`` as given. ``groups[*].share_pct`` is a share of
    ``share_of``: "district" (each district's own area), "boundary" (the boundary area) or "total"
    (the layer's dissolved area).
    """

    unit: str
    method: str
    crs: str | None
    area_m2: float
    layer: str | None = None
    label: str | None = None
    label_en: str | None = None
    features: int = 0
    ellipsoid: str = "CGCS2000 (a=6378137 m, f=1/298.257222101)"
    plane_crs: str | None = None
    overlap_removed_m2: float = 0.0
    sum_of_features_m2: float = 0.0
    within: Text | str | None = None
    boundary_area_m2: float | None = None
    boundary_area_published: float | None = None
    share_pct: float | None = None
    polygon_share_pct: float | None = None
    boundary_area_source: str | None = None
    outside_area_m2: float | None = None
    by: str | None = None
    share_of: str | None = None
    groups: list[AreaGroup] = field(default_factory=list)
    declared: float | None = None
    declared_diff_pct: float | None = None
    declared_share_pct: float | None = None
    declared_share_diff_pp: float | None = None
    notes: Notes = field(default_factory=Notes)

    @property
    def area(self) -> float:
        return float(convert_area(self.area_m2, self.unit))

    @property
    def overlap_removed(self) -> float:
        return float(convert_area(self.overlap_removed_m2, self.unit))

    @property
    def sum_of_features(self) -> float:
        return float(convert_area(self.sum_of_features_m2, self.unit))

    @property
    def outside_area(self) -> float | None:
        return _in_unit(self.outside_area_m2, self.unit)

    @property
    def boundary_area(self) -> float | None:
        """The published boundary area when one was given, else the boundary polygon's, in ``unit``."""
        if self.boundary_area_published is not None:
            return self.boundary_area_published
        return _in_unit(self.boundary_area_m2, self.unit)

    @property
    def declared_diff(self) -> float | None:
        return None if self.declared is None else self.area - self.declared

    def to_dict(self, lang: str | None = None) -> dict:
        """Plain JSON-able dict: numbers as numbers (the m² figures and their views in ``unit``),
        language-independent keys and codes, notes in English; ``within`` in ``lang`` (English
        without one) and ``method_label`` only with a ``lang``."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("groups", "notes")}
        out.update({view: getattr(self, view) for view in _IN_UNIT},
                   boundary_area=self.boundary_area, declared_diff=self.declared_diff)
        out["within"] = None if self.within is None else text_in(self.within, lang or "en")
        out["groups"] = [g.to_dict() for g in self.groups]
        if lang is not None:
            out["method_label"] = method_label(self.method, lang)
        out["notes"] = [text_in(n, lang or "en") for n in self.notes]
        return out
