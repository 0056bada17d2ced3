"""生态环境分区管控 in batch checks: the control units of each site and the access-list requirements that
apply, per chunk of sites, from whole columns (no loop over sites or units).

:class:`BatchZoning` holds what the batch needs once (the units' attributes without geometry, the
requirements, the project's description and each site's own fields) and is picklable, so process-pool
workers build a chunk's zoning beside its rows. :meth:`BatchZoning.chunk` takes the chunk's screening
findings (the STRtree results: control-unit rows with overlap area m², share, distance m) and returns a
:class:`ZoningChunk`: the same units, requirements, verdicts and reasons as the single-site analysis
(:func:`ecogis.zoning.analyse.analyse_units`), as tables.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecogis.geodesy import convert_area
from ecogis.rules import VERDICTS, verdict_rank
from ecogis.zoning.analyse import _UNIT_COLUMNS, METHODS
from ecogis.zoning.industry import Industry
from ecogis.zoning.requirements import Requirement, judge

UNIT_TABLE = ["site", "layer", "unit_code", "unit_name", "unit_class", "subtype", "element", "county", "adcode",
              "relation", "overlap_area_m2", "overlap_area_ha", "overlap_area_mu", "share_of_site", "distance_m",
              "buffer_m"]
REQUIREMENT_TABLE = ["site", "units", "level", "unit_class", "dimension", "requirement_id", "industry", "verdict",
                     "reason", "matched"]
_LEVEL_ORDER = {"overall": 0, "class": 1, "unit": 2}


@dataclass
class ZoningChunk:
    """The zoning of one chunk: ``units`` (:data:`UNIT_TABLE`, one row per site and unit touched; areas m²,
    ha, 亩; distances geodesic m), ``requirements`` (:data:`REQUIREMENT_TABLE`, one row per site and
    requirement; ``units`` the codes it applies through, joined by "、") and ``site_verdicts`` (site id ->
    worst requirement verdict, for the sites in a unit)."""

    units: pd.DataFrame
    requirements: pd.DataFrame
    site_verdicts: pd.Series
    layer_of: dict = field(default_factory=dict)  # unit code -> its layer
    #: site id -> share (0-1) of the site in no control unit, for the sites screened against the units
    #: where it is above 1e-6 (those parts are not judged: 无法判定 there, as in analyse_units)
    uncovered: dict = field(default_factory=dict)


@dataclass
class BatchZoning:
    """What a batch needs for its zoning, once (see the module docstring)."""

    unit_attrs: dict  # layer name -> DataFrame of the unit columns, indexed like the layer
    requirements: list[Requirement] | None
    industry: Industry | None = None
    description: str = ""
    site_industries: dict = field(default_factory=dict)  # site id -> Industry (its own attribute)
    site_texts: dict = field(default_factory=dict)  # site id -> its own description
    project_description: dict = field(default_factory=dict)
    access_lists: list = field(default_factory=list)
    #: sites with a description of their own in the whole batch, when ``site_texts`` holds only some of them
    #: (sites read in partitions on the workers: :meth:`with_sites` per partition)
    described: int | None = None

    @classmethod
    def build(cls, unit_layers: dict, requirements, info, per_site: dict, access_lists) -> BatchZoning:
        """From the normalised control-unit layers, the requirements (None: no access list), the project's
        description (:class:`ecogis.zoning.description.ProjectDescription`) and the sites' own ones."""
        attrs = {name: g.reindex(columns=list(_UNIT_COLUMNS)).astype(object) for name, g in unit_layers.items()}
        return cls(unit_attrs=attrs, requirements=requirements, industry=info.industry,
                   description=info.description or "",
                   site_industries={s: d.industry for s, d in per_site.items() if d.industry is not None},
                   site_texts={s: d.description or "" for s, d in per_site.items()},
                   project_description=info.to_dict(), access_lists=list(access_lists))

    def header(self) -> dict:
        """What the batch outputs state once: the project's description, the lists read, the methods."""
        return {"project_description": self.project_description, "access_lists": self.access_lists,
                "unit_layers": list(self.unit_attrs), "methods": dict(METHODS),
                "site_descriptions": len(self.site_texts) if self.described is None else self.described}

    def with_sites(self, per_site: dict) -> BatchZoning:
        """This zoning for the sites of one partition: ``per_site`` their own descriptions
        (:func:`ecogis.zoning.description.site_descriptions` of the partition's sites)."""
        return dataclasses.replace(
            self, site_industries={s: d.industry for s, d in per_site.items() if d.industry is not None},
            site_texts={s: d.description or "" for s, d in per_site.items()})

    def requirement(self, rid: str) -> Requirement:
        return self._by_id()[rid]

    def _by_id(self) -> dict[str, Requirement]:
        if not hasattr(self, "_ids"):
            self._ids = {r.id: r for r in self.requirements or []}
        return self._ids

    def chunk(self, frame: pd.DataFrame) -> ZoningChunk:
        """The zoning of the chunk whose findings are ``frame`` (with ``_feature_index``)."""
        units = self._units(frame)
        reqs = self._requirements(units[units["relation"] == "intersects"])
        if len(reqs):
            rank = reqs["verdict"].map(verdict_rank).to_numpy(dtype=np.int64)
            worst = pd.Series(rank, index=reqs["site"].to_numpy()).groupby(level=0).max()
            verdicts = pd.Series(np.asarray(VERDICTS, dtype=object)[worst.to_numpy()], index=worst.index)
        else:
            verdicts = pd.Series(dtype=object)
        layer_of = dict(zip(units["unit_code"], units["layer"]))
        return ZoningChunk(units=units, requirements=reqs, site_verdicts=verdicts, layer_of=layer_of,
                           uncovered=self._uncovered(frame, units))

    def _uncovered(self, frame: pd.DataFrame, units: pd.DataFrame) -> dict:
        """Share of each screened site outside every unit (the units of a layer do not overlap)."""
        if len(frame) == 0:
            return {}
        screened = pd.Index(frame.loc[frame["layer"].isin(list(self.unit_attrs)), "site"].astype(str).unique())
        hit = units[units["relation"] == "intersects"]
        covered = hit["share_of_site"].astype(float).fillna(1.0).groupby(hit["site"]).sum()
        outside = (1.0 - covered.reindex(screened).fillna(0.0)).clip(lower=0.0)
        return {k: float(v) for k, v in outside[outside > 1e-6].items()}

    def _units(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per site and unit: its overlap, or the smallest buffer that holds it (as analyse_units)."""
        if len(frame) == 0:
            return pd.DataFrame(columns=UNIT_TABLE)
        rows = frame[frame["layer"].isin(list(self.unit_attrs)) & frame["relation"].isin(["intersects",
                                                                                        "within_buffer"])]
        rows = rows.sort_values(["site", "layer", "_feature_index", "relation", "buffer_m"], na_position="first")
        rows = rows.drop_duplicates(["site", "layer", "_feature_index"])
        parts = [rows[rows["layer"] == name].merge(attrs, left_on="_feature_index", right_index=True, how="left")
                 for name, attrs in self.unit_attrs.items()]
        out = pd.concat(parts, ignore_index=True) if parts else rows.iloc[:0]
        out = out.rename(columns={"code": "unit_code", "name": "unit_name"})
        out["unit_code"] = out["unit_code"].where(out["unit_code"].notna(), out["feature"].astype(str))
        area = out["overlap_area_m2"].to_numpy(dtype=float)
        out = out.assign(site=out["site"].astype(str), overlap_area_ha=convert_area(area, "ha"),
                         overlap_area_mu=convert_area(area, "mu"))
        return out.reindex(columns=UNIT_TABLE).reset_index(drop=True)

    def _requirements(self, overlapped: pd.DataFrame) -> pd.DataFrame:
        """Every requirement that applies to each site through the units it overlaps, judged for the site's
        industry; 需论证 placeholders where no access list, or no unit or class requirement, is known."""
        pairs = overlapped[["site", "unit_code", "unit_class"]]
        if len(pairs) == 0:
            return pd.DataFrame(columns=REQUIREMENT_TABLE)
        if self.requirements is None:
            return self._placeholders(pairs, "no_access_list", per_site=True)
        table = pd.DataFrame([{"requirement_id": r.id, "level": r.level, "req_unit": r.unit_code,
                               "req_class": r.unit_class, "order": k} for k, r in enumerate(self.requirements)],
                             columns=["requirement_id", "level", "req_unit", "req_class", "order"])
        unit_level, class_level = table[table["level"] == "unit"], table[table["level"] == "class"]
        applying = pd.concat([
            pairs.merge(table[table["level"] == "overall"], how="cross"),
            pairs.merge(class_level, left_on="unit_class", right_on="req_class"),
            pairs.merge(unit_level, left_on="unit_code", right_on="req_unit")], ignore_index=True)
        unknown = pairs[~pairs["unit_code"].isin(unit_level["req_unit"]) & ~pairs["unit_class"].isin(
            class_level["req_class"])]
        applying = applying.sort_values(["site", "order"], kind="stable")
        grouped = applying.groupby(["site", "requirement_id"], sort=False).agg(
            units=("unit_code", lambda c: "、".join(dict.fromkeys(c))), order=("order", "first")).reset_index()
        judged = self._judged(grouped)
        found = pd.concat([judged, self._placeholders(unknown, "no_requirement")], ignore_index=True)
        found["_level"] = found["level"].map(_LEVEL_ORDER)
        found = found.sort_values(["site", "_level", "units", "order"], kind="stable", na_position="last")
        found = found.reindex(columns=REQUIREMENT_TABLE).reset_index(drop=True).astype(object)
        return found.where(found.notna(), None)

    def _judged(self, grouped: pd.DataFrame) -> pd.DataFrame:
        """Verdict, reason and matched code of each (site, requirement), judged once per distinct
        (requirement, industry, description)."""
        sites = grouped["site"]
        industries = sites.map(lambda s: self.site_industries.get(s, self.industry))
        codes = industries.map(lambda i: None if i is None else i.code)
        texts = sites.map(lambda s: self.site_texts.get(s, self.description))
        keys = pd.DataFrame({"rid": grouped["requirement_id"], "code": codes, "text": texts})
        distinct = keys.drop_duplicates().copy()
        by_code = dict(zip(codes, industries))
        judgements = [judge(self.requirement(rid), by_code.get(code), text)
                      for rid, code, text in distinct.itertuples(index=False, name=None)]
        distinct["verdict"] = [j.verdict for j in judgements]
        distinct["reason"] = [j.reason for j in judgements]
        distinct["matched"] = [j.matched for j in judgements]
        merged = keys.merge(distinct, on=["rid", "code", "text"], how="left")
        reqs = self._by_id()
        return grouped.assign(
            level=grouped["requirement_id"].map(lambda i: reqs[i].level),
            unit_class=grouped["requirement_id"].map(lambda i: reqs[i].unit_class),
            dimension=grouped["requirement_id"].map(lambda i: reqs[i].dimension),
            industry=codes.to_numpy(), verdict=merged["verdict"].to_numpy(), reason=merged["reason"].to_numpy(),
            matched=merged["matched"].to_numpy())

    @staticmethod
    def _placeholders(pairs: pd.DataFrame, reason: str, per_site: bool = False) -> pd.DataFrame:
        """需论证 rows where a unit's requirements are unknown (per unit, or per site for no access list)."""
        if per_site:
            rows = pairs.groupby("site", sort=False).agg(units=("unit_code", lambda c: "、".join(dict.fromkeys(c))))
            rows = rows.reset_index().assign(unit_class=None)
        else:
            rows = pairs.rename(columns={"unit_code": "units"})
        return rows.assign(level="unit", dimension=None, requirement_id=None, industry=None, verdict="需论证",
                           reason=reason, matched=None, order=np.inf).reindex(columns=REQUIREMENT_TABLE + ["order"])


def fold_into_sites(rows: pd.DataFrame, zoning: ZoningChunk) -> None:
    """Raise the batch site rows (in place) to their zoning verdict where it is worse; the worst finding
    then names the control-unit layer, the units and the requirement (relation ``intersects``)."""
    reqs = zoning.requirements
    if len(reqs) == 0:
        return
    rank = reqs["verdict"].map(verdict_rank).to_numpy(dtype=np.int64)
    worst = reqs.assign(_rank=rank).sort_values(["site", "_rank"], ascending=[True, False], kind="stable")
    worst = worst.drop_duplicates("site").set_index("site")
    ids = rows["id"].astype(str)
    new_rank = ids.map(worst["_rank"]).fillna(-1).to_numpy()
    old_rank = rows["verdict"].map(verdict_rank).to_numpy()
    hit = new_rank > old_rank
    if not hit.any():
        return
    chosen = ids[hit]
    first_unit = chosen.map(worst["units"]).str.split("、").str[0]
    rows.loc[hit, "verdict"] = chosen.map(worst["verdict"]).to_numpy()
    rows.loc[hit, "worst_layer"] = first_unit.map(zoning.layer_of).to_numpy()
    rows.loc[hit, "worst_feature"] = chosen.map(worst["units"]).to_numpy()
    rows.loc[hit, "worst_zone"] = None
    rows.loc[hit, "worst_relation"] = "intersects"
    rows.loc[hit, "worst_rule_id"] = chosen.map(worst["requirement_id"]).to_numpy()
