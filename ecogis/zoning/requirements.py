"""生态环境准入清单 requirements and their verdict for a project's industry.

A normalised access-list table (kind ``access_list``) becomes :class:`Requirement` objects: one per
row and dimension that has text (空间布局约束 ``spatial_layout``, 污染物排放管控 ``pollutant_discharge``,
环境风险防控 ``risk_prevention``, 资源开发效率要求 ``resource_efficiency``). A row with a unit code is a
unit-level requirement; a row naming a class (优先保护单元 ...) applies to every unit of that class; any
other row (全省, 全市, 总体准入要求) applies to every unit. Machine-readable industry codes of a row
(禁止类/限制类行业代码, GB/T 4754-2017) belong to one dimension of it (``coded_dimension``, default
空间布局约束).

:func:`judge` gives a verdict per requirement: 禁止/限制 when a listed code covers the project's code
(prefix match), 符合 when the requirement lists codes none of which covers it, 需论证 otherwise (text
only, no industry given, or a project code broader than the listed one): text is never read as 符合.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from ecogis.error_messages import error, phrase, placed
from ecogis.errors import EcogisError
from ecogis.vocabularies import UNIT_CLASSES, normalise_unit_class
from ecogis.zoning.industry import Industry, covers, parse_code_list

#: The four standard dimensions of an access list, in the order the lists print them.
DIMENSIONS: tuple[str, ...] = ("spatial_layout", "pollutant_discharge", "risk_prevention", "resource_efficiency")
DIMENSION_NAMES = {"空间布局约束": "spatial_layout", "污染物排放管控": "pollutant_discharge",
                   "环境风险防控": "risk_prevention", "资源开发效率要求": "resource_efficiency",
                   "资源利用效率要求": "resource_efficiency", **{d: d for d in DIMENSIONS}}
LEVELS: tuple[str, ...] = ("overall", "class", "unit")


@dataclass(frozen=True)
class Requirement:
    """One requirement of an access list: level (overall/class/unit), where it applies, its dimension,
    its text, and the GB/T 4754-2017 codes it prohibits or restricts (empty: text only)."""

    id: str
    level: str
    scope: str | None
    unit_class: str | None
    unit_code: str | None
    dimension: str
    text: str
    prohibited: tuple[str, ...] = ()
    restricted: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    source: str = ""

    @property
    def coded(self) -> bool:
        return bool(self.prohibited or self.restricted)

    def applies_to(self, unit_code: str, unit_class: str | None) -> bool:
        if self.level == "unit":
            return self.unit_code == unit_code
        if self.level == "class":
            return self.unit_class == unit_class
        return True

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Judgement:
    """Verdict of one requirement for a project: ``reason`` is a code (see :data:`REASONS`)."""

    verdict: str
    reason: str
    matched: str | None = None


#: reason codes of a judgement (renderers word them)
REASONS = ("prohibited_industry", "restricted_industry", "industry_not_listed", "industry_broader",
           "industry_missing", "text_only", "keyword", "no_access_list", "no_requirement")


def requirements_from_table(table: pd.DataFrame, source: str = "") -> list[Requirement]:
    """The requirements of a normalised access-list table (canonical columns of kind ``access_list``;
    ``_sheet`` and ``_row`` name where each row came from). Bad industry codes are an EcogisError
    naming the row."""
    out: list[Requirement] = []
    for position, row in enumerate(table.to_dict("records")):
        where = f"{source} {row.get('_sheet') or ''} row {row.get('_row', position + 1)}".strip()
        try:
            out.extend(_row_requirements(row, where))
        except EcogisError as exc:
            feature = where.removeprefix(source).strip()
            raise placed(exc, path=source or None, feature=feature) from None
    return out


def _row_requirements(row: dict, where: str) -> list[Requirement]:
    level, scope, unit_class = _level(row)
    prohibited = parse_code_list(row.get("prohibited_industries"), what="prohibited industry code")
    restricted = parse_code_list(row.get("restricted_industries"), what="restricted industry code")
    keywords = tuple(k for k in _split(row.get("keywords")) if k)
    coded = _dimension(row.get("coded_dimension"))
    reqs = []
    for dim in DIMENSIONS:
        text = _text(row.get(dim))
        has_codes = dim == coded and (prohibited or restricted)
        if not text and not has_codes:
            continue
        reqs.append(Requirement(
            id=f"{where}:{dim}", level=level, scope=scope, unit_class=unit_class,
            unit_code=_text(row.get("unit_code")) or None, dimension=dim, text=text,
            prohibited=prohibited if dim == coded else (), restricted=restricted if dim == coded else (),
            keywords=keywords if dim == coded else (), source=where))
    return reqs


def _level(row: dict) -> tuple[str, str | None, str | None]:
    """(level, scope text, unit class) of an access-list row."""
    if _text(row.get("unit_code")):
        return "unit", _text(row.get("unit_code")), row.get("unit_class")
    scope = _text(row.get("scope")) or None
    unit_class = row.get("unit_class")
    if unit_class is None and scope:
        try:
            unit_class = normalise_unit_class(scope)
        except EcogisError:
            unit_class = None
    if unit_class in UNIT_CLASSES:
        return "class", scope or unit_class, unit_class
    return "overall", scope, None


def _dimension(value) -> str:
    text = _text(value)
    if not text:
        return "spatial_layout"
    if text not in DIMENSION_NAMES:
        names = ", ".join(k for k in DIMENSION_NAMES if k not in DIMENSIONS)
        raise error("sites.unknown_dimension", text=text, hint=phrase("sites.use_dimension", names=names))
    return DIMENSION_NAMES[text]


def _split(value) -> list[str]:
    return [] if value is None else [p.strip() for p in re.split(r"[,，、;；]+", str(value))]


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def judge(req: Requirement, industry: Industry | None, description: str = "") -> Judgement:
    """The verdict of requirement ``req`` for a project of ``industry`` (None: not given).

    Codes decide where the requirement lists any: a prohibited code covering the project's code gives
    禁止, a restricted one 限制 (``matched`` is the listed code); none covering it gives 符合; a project
    code broader than a listed one (C26 against C2614), or no industry at all, gives 需论证. A
    requirement with text only is 需论证 (``matched`` names the keywords found in the project's
    description or industry name, if any)."""
    if req.coded:
        if industry is None:
            return Judgement("需论证", "industry_missing")
        for codes, verdict, reason in ((req.prohibited, "禁止", "prohibited_industry"),
                                       (req.restricted, "限制", "restricted_industry")):
            hit = next((c for c in codes if covers(c, industry.code)), None)
            if hit is not None:
                return Judgement(verdict, reason, hit)
        broader = next((c for c in req.prohibited + req.restricted if covers(c, industry.code) is None), None)
        if broader is not None:
            return Judgement("需论证", "industry_broader", broader)
        return Judgement("符合", "industry_not_listed")
    words = f"{description} {industry.name if industry and industry.name else ''}"
    found = [k for k in req.keywords if k in words]
    if found:
        return Judgement("需论证", "keyword", "、".join(found))
    return Judgement("需论证", "text_only")
