"""Check type ``no_decrease``: two versions of a layer, the area lost, gained and net, and the changed features."""
from __future__ import annotations

from functools import partial

import numpy as np
import shapely

from ecogis import area as A
from ecogis.area import Text
from ecogis.audit.common import area_method, area_unit, areas_m2, unit_text
from ecogis.audit.context import CheckContext
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.crs import crs_label
from ecogis.error_messages import phrase


@check_type("no_decrease", keys={"before": "layer", "after": "layer", "id_field": None, "tolerance_m2": float},
            required=("before", "after"))
def check_no_decrease(ctx: CheckContext) -> CheckResult:
    """Two versions of a layer (``before``, ``after``): area lost, gained and net (dissolved, by
    ``method``, in ``unit``); features changed by ``id_field`` (added, removed, reshaped). Fails when
    the net change is below ``-tolerance_m2`` (default 1 m²)."""
    before = ctx.layer("before")
    after = ctx.layer("after")
    if after.crs != before.crs:
        after = after.to_crs(before.crs)
    unit, method = area_unit(ctx), area_method(ctx)
    crs = before.crs

    m2 = partial(areas_m2, crs=crs, method=method)

    b_all = shapely.union_all(A.polygon_geometries(before, what="before layer"))
    a_all = shapely.union_all(A.polygon_geometries(after, what="after layer"))
    area_b, area_a, lost, gained = m2([b_all, a_all, shapely.difference(b_all, a_all),
                                       shapely.difference(a_all, b_all)])
    net = area_a - area_b
    tol = ctx.get("tolerance_m2", 1.0, kind=float)

    def conv(v):
        return float(A.convert_area(float(v), unit))

    details = [{**row, "unit": unit} for row in _changed_features(before, after, ctx.get("id_field"), ctx, m2, unit)]
    u = unit_text(unit)
    b_, a_, l_, g_, n_ = (f"{conv(v):.4f}" for v in (area_b, area_a, lost, gained, net))
    n_ = ("+" if net >= 0 else "") + n_
    value = Text(f"调整前 {b_} {u.zh}，调整后 {a_} {u.zh}；减少 {l_} {u.zh}，增加 {g_} {u.zh}，净变化 {n_} {u.zh}",
                 f"before {b_} {u.en}, after {a_} {u.en}; lost {l_} {u.en}, gained {g_} {u.en}, net {n_} {u.en}")
    expected = Text(f"净变化 ≥ -{tol:g} m²", f"net change ≥ -{tol:g} m²")
    return CheckResult(ctx.id, ctx.type, Text("面积不减少", "No decrease"), value, expected, bool(net >= -tol),
                       {"before": conv(area_b), "after": conv(area_a), "lost": conv(lost), "gained": conv(gained),
                        "net": conv(net), "unit": unit, "changed_features": len(details)},
                       details, method, crs_label(before.crs))


def _changed_features(before, after, id_field, ctx, m2, unit) -> list[dict]:
    """Features added, removed or reshaped between versions, matched by ``id_field`` (areas in ``unit``)."""
    if not id_field:
        return []
    for layer, gdf in ((phrase("area.what_before"), before), (phrase("area.what_after"), after)):
        if id_field not in gdf.columns:
            raise ctx.error("id_field", phrase("audit.no_id_field", name=repr(id_field), layer=layer))
    b = before.dissolve(by=id_field).geometry
    a = after.dissolve(by=id_field).geometry
    removed, added, common = b.index.difference(a.index), a.index.difference(b.index), b.index.intersection(a.index)
    gb, ga = b.loc[common].to_numpy(), a.loc[common].to_numpy()
    changed = ~shapely.equals(gb, ga)
    gb, ga, keys = gb[changed], ga[changed], common[changed]
    u = A.UNITS[unit][0]
    rows = [{"id": k, "change": "removed", "before": v / u, "after": 0.0} for k, v in zip(removed, m2(b.loc[removed]))]
    rows += [{"id": k, "change": "added", "before": 0.0, "after": v / u} for k, v in zip(added, m2(a.loc[added]))]
    if len(keys):
        areas = np.column_stack([m2(gb), m2(ga), m2(shapely.difference(gb, ga)), m2(shapely.difference(ga, gb))]) / u
        rows += [{"id": k, "change": "reshaped", "before": r[0], "after": r[1], "lost": r[2], "gained": r[3]}
                 for k, r in zip(keys, areas.tolist())]
    return rows
