"""Check type ``within_distance``: the features of a layer within a geodesic distance of another's."""
from __future__ import annotations

from contextlib import ExitStack

import numpy as np
import pandas as pd

from ecogis.area import Text
from ecogis.audit.common import feature_names, filtered, joined
from ecogis.audit.context import CheckContext
from ecogis.audit.dask_ops import DASK_KEYS, use_dask
from ecogis.audit.pairs import in_one_plane, pairs_within
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.crs import crs_label
from ecogis.error_messages import phrase


def nearest_within(a_gdf, b_gdf, distance_m: float):
    """Pairs (i, j, metres) of features of ``a`` within ``distance_m`` of a feature of ``b``.

    Candidates come from an STRtree ``dwithin`` query in a local Gauss-Kruger plane (with a margin
    for the projection's scale), then the distance between the nearest points of each candidate pair
    is measured as a geodesic on the CGCS2000 ellipsoid. Vectorised over all pairs.
    """
    a, b, plane = in_one_plane(a_gdf, b_gdf)
    return pairs_within(a, b, plane, distance_m)


@check_type("within_distance",
            keys={"layer": "layer", "where": dict, "near": "layer", "near_where": dict, "distance_m": float,
                  "max_count": int, "expect_count": int, "min_count": int, **DASK_KEYS},
            required=("layer", "near", "distance_m"), positive=("distance_m",))
def check_within_distance(ctx: CheckContext) -> CheckResult:
    """Features of ``layer`` (``where``) within ``distance_m`` metres (geodesic) of a feature of
    ``near`` (``near_where``); ``max_count`` / ``expect_count`` / ``min_count`` on how many."""
    gdf = filtered(ctx.layer("layer"), ctx.get("where"), ctx)
    near = filtered(ctx.layer("near"), ctx.get("near_where"), ctx, "near_where")
    dist = ctx.get("distance_m", required=True, kind=float)
    if dist <= 0:
        raise ctx.error("distance_m", phrase("audit.distance_positive"))
    details = []
    n_hit = 0
    if len(gdf) and len(near):
        ia, ib, d = _dask_pairs(ctx, gdf, near, dist) if use_dask(ctx) else nearest_within(gdf, near, dist)
        hit = d <= dist
        ia, ib, d = ia[hit], ib[hit], d[hit]
        order = np.lexsort((d, ia))
        ia, ib, d = ia[order], ib[order], d[order]
        first = np.r_[True, ia[1:] != ia[:-1]] if len(ia) else np.zeros(0, bool)
        n_hit = int(first.sum())
        ia, ib, d = ia[first], ib[first], d[first]
        table = pd.DataFrame({"name": feature_names(gdf)[ia], "nearest": feature_names(near)[ib],
                              "distance_m": np.round(d, 1)})
        for extra in ("capacity_tph", "status", "type"):
            if extra in gdf.columns:
                table[extra] = gdf[extra].to_numpy()[ia]
        details = table.to_dict("records")
    passed, expected = True, []
    for key, op in (("max_count", "≤"), ("expect_count", "="), ("min_count", "≥")):
        limit = ctx.get(key, kind=int)
        if limit is not None:
            passed &= {"≤": n_hit <= limit, "=": n_hit == limit, "≥": n_hit >= limit}[op]
            expected.append(Text(f"数量 {op} {limit} 个", f"count {op} {limit}"))
    value = Text(f"{len(gdf)} 个中 {n_hit} 个位于 {len(near)} 个要素的 {dist:g} m 范围内",
                 f"{n_hit} of {len(gdf)} within {dist:g} m of {len(near)} features")
    return CheckResult(ctx.id, ctx.type, Text("距离范围内要素", "Within distance"), value, joined(expected),
                       bool(passed), {"count": n_hit, "candidates": len(gdf), "near": len(near), "distance_m": dist},
                       details, "geodesic_distance", crs_label(gdf.crs))


def _dask_pairs(ctx: CheckContext, gdf, near, dist: float):
    """:func:`nearest_within` with the features of ``gdf`` in slices on a Dask cluster (``engine: dask``)."""
    from ecogis.audit.dask_ops import client_for, within_pairs

    a, b, plane = in_one_plane(gdf, near)
    with ExitStack() as stack:
        return within_pairs(client_for(stack, ctx), a, b, plane, dist)
