"""What an overlap-only screening (``relations="intersects"``) leaves unevaluated, and its verdicts.

The overlap-only mode computes no buffer distances, so the within-buffer rules are not evaluated. A
layer whose kind has a within-buffer rule for the site's use that could give a verdict other than 符合
is therefore *unscreened* for every site of that use: such a site without a worse finding gets
无法判定 (undetermined), never 符合. Its overlaps keep their own verdicts (禁止 stays 禁止). Layers with
no such rule (or no features) are fully evaluated by their overlaps. Plain data, no text.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.coverage import UNDETERMINED
from ecogis.layer_info import LayerInfo
from ecogis.rules import VERDICTS, RuleSet, site_uses, verdict_rank


def unevaluated_rules(layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet, site_use: object) -> dict[str, str]:
    """Layer name -> id of its first within-buffer rule (for ``site_use``, verdict above 符合) that an
    overlap-only screening does not evaluate; layers without features are left out."""
    uses = site_uses(site_use)
    out = {}
    for name, gdf in layers.items():
        kind = LayerInfo.of(gdf).kind or name
        geoms = np.asarray(gdf.geometry.values)
        if not len(geoms) or (shapely.is_missing(geoms) | shapely.is_empty(geoms)).all():
            continue
        rules = [r for r in ruleset.rules if r.kind == kind and r.relation == "within_buffer" and r.fits_use(uses)
                 and verdict_rank(r.verdict) > verdict_rank(VERDICTS[0])]
        if rules:
            out[name] = rules[0].id
    return out


def unscreened_sites(sites: gpd.GeoDataFrame, groups: Sequence[tuple[np.ndarray, object]],
                     layers: dict[str, gpd.GeoDataFrame], ruleset: RuleSet,
                     relations: str) -> dict[str, tuple[str, str]]:
    """Site id -> (layer, rule id) of the first within-buffer rule left unevaluated for it: empty for a
    full screening (``relations="all"``). ``groups``: ``(row positions, site use)`` as screened."""
    if relations == "all":
        return {}
    out: dict[str, tuple[str, str]] = {}
    for rows, use in groups:
        missed = unevaluated_rules(layers, ruleset, use)
        if missed:
            first = next(iter(missed.items()))
            for sid in sites["id"].iloc[rows].astype(str):
                out.setdefault(sid, first)
    return out


def raise_unscreened(site_verdicts: dict[str, str], overall: str, site_ids: Sequence[Any],
                     unscreened: dict[str, tuple[str, str]]) -> tuple[dict[str, str], str]:
    """Site and overall verdicts raised to 无法判定 for the sites with unevaluated rules (``unscreened``)."""
    if not unscreened:
        return site_verdicts, overall
    out = dict(site_verdicts)
    for sid in map(str, site_ids):
        if sid in unscreened:
            out[sid] = max(out.get(sid, VERDICTS[0]), UNDETERMINED, key=verdict_rank)
            overall = max(overall, UNDETERMINED, key=verdict_rank)
    return out, overall


def raise_unscreened_rows(rows: pd.DataFrame, unscreened: dict[str, tuple[str, str]]) -> set[str]:
    """Batch site rows (in place): a 符合 site with unevaluated rules becomes 无法判定, its worst finding the
    unevaluated rule (relation ``within_buffer``, no feature: it was not looked for). Returns the ids
    of the rules so named (for the batch's rules table)."""
    if not unscreened:
        return set()
    ids = rows["id"].astype(str)
    hit = ids.isin(unscreened.keys()).to_numpy() & (rows["verdict"] == VERDICTS[0]).to_numpy()
    if not hit.any():
        return set()
    which = ids[hit]
    rows.loc[hit, "verdict"] = UNDETERMINED
    rows.loc[hit, "worst_layer"] = which.map(lambda i: unscreened[i][0])
    rows.loc[hit, "worst_rule_id"] = which.map(lambda i: unscreened[i][1])
    rows.loc[hit, "worst_relation"] = "within_buffer"
    rows.loc[hit, "worst_feature"] = None
    rows.loc[hit, "worst_zone"] = None
    return {unscreened[i][1] for i in which}
