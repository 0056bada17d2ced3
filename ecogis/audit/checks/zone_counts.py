"""Check type ``count_in_zones``: points per zone against expected counts and limits."""
from __future__ import annotations

from contextlib import ExitStack

import numpy as np
import pandas as pd
import shapely

from ecogis.area import Text
from ecogis.audit.common import count_map, filtered, joined, no_field, require_present
from ecogis.audit.context import CheckContext
from ecogis.audit.dask_ops import DASK_KEYS, use_dask
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.crs import crs_label
from ecogis.outcome import pass_fail


@check_type("count_in_zones",
            keys={"points": "layer", "zones": "layer", "zone_field": None, "where": dict, "zones_where": dict,
                  "expect": "counts", "max": "counts", "min": "counts", **DASK_KEYS},
            required=("points", "zones"))
def check_count_in_zones(ctx: CheckContext) -> CheckResult:
    """Points of ``points`` (filtered by ``where``) per zone of ``zones`` (field ``zone_field``, default
    ``zone`` or ``name``); ``expect`` exact counts, ``max``/``min`` limits per zone ({zone: n})."""
    points = filtered(ctx.layer("points"), ctx.get("where"), ctx)
    zones = ctx.layer("zones")
    zfield = ctx.get("zone_field") or ("zone" if "zone" in zones.columns else "name")
    if zfield not in zones.columns:
        raise no_field(ctx, "zone_field", zfield, zones, "the zones layer")
    zones = filtered(zones, ctx.get("zones_where"), ctx, "zones_where")
    pts = points.to_crs(zones.crs) if points.crs != zones.crs else points
    zgeoms = np.asarray(zones.geometry.values, dtype=object)
    zone_names = zones[zfield].astype(str).to_numpy()
    if use_dask(ctx):
        counts, outside = _dask_counts(ctx, np.asarray(pts.geometry.values, dtype=object), zgeoms, zone_names)
    else:
        tree = shapely.STRtree(zgeoms)
        p_idx, z_idx = tree.query(np.asarray(pts.geometry.values, dtype=object), predicate="intersects")
        counts = pd.Series(zone_names[z_idx]).value_counts()
        outside = int(len(pts) - len(np.unique(p_idx)))
    expect, maxima, minima = count_map(ctx, "expect"), count_map(ctx, "max"), count_map(ctx, "min")
    for key, limits in (("expect", expect), ("max", maxima), ("min", minima)):
        require_present(ctx, key, zfield, zones[zfield], list(limits))
    passed, details, expected = True, [], []
    names = list(dict.fromkeys(list(zone_names) + list(expect) + list(maxima) + list(minima)))
    for name in names:
        n = int(counts.get(name, 0))
        rules = [(op, lim[name]) for op, lim in (("=", expect), ("≤", maxima), ("≥", minima)) if name in lim]
        ok = all({"=": n == v, "≤": n <= v, "≥": n >= v}[op] for op, v in rules)
        rule = " ".join(f"{op} {v}" for op, v in rules)
        if rules:
            expected.append(Text(f"{name} {rule} 个", f"{name} {rule}"))
        passed &= ok
        details.append({"zone": name, "count": n, "expected": rule or None,
                        "verdict": None if not rules else pass_fail(ok)})
    details.append({"zone": "(outside all zones)", "count": outside, "expected": None, "verdict": None})
    value = Text("，".join(f"{d['zone']} {d['count']} 个" for d in details[:-1]) + f"（范围外 {outside} 个）",
                 ", ".join(f"{d['zone']} {d['count']}" for d in details[:-1]) + f" ({outside} outside all zones)")
    return CheckResult(ctx.id, ctx.type, Text("各分区点数", "Points per zone"), value, joined(expected),
                       bool(passed), {"counts": {d["zone"]: d["count"] for d in details}, "points": len(pts)},
                       details, "point_in_polygon", crs_label(zones.crs))


def _dask_counts(ctx: CheckContext, points, zone_geoms, zone_names):
    """Points per zone name and points outside every zone, the points in slices on a Dask cluster."""
    from ecogis.audit.dask_ops import client_for, zone_counts

    with ExitStack() as stack:
        return zone_counts(client_for(stack, ctx), points, zone_geoms, zone_names)
