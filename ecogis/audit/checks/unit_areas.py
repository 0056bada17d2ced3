"""Check type ``unit_areas``: areas of 环境管控单元 by class (and district), as published 分区管控 plans
lay them out, against the published figures, with the method of every figure.

    - id: units_by_class
      type: unit_areas
      layer: units                 # kind control_unit
      within: city                 # optional: the boundary the units should tile (its area beside the total)
      method: plane                # ellipsoid (default, official) or plane (needs gk_zone)
      gk_zone: 41                  # the Gauss-Kruger zone a published plane figure was computed in
      unit: km2
      declared: {优先保护单元: 1250.3, 重点管控单元: 620.1, 一般管控单元: 2200.4}
      declared_total: 4070.8
      tolerance_pct: 0.5
"""
from __future__ import annotations

from ecogis.area import Text
from ecogis.audit.common import area_unit, joined, matches_declared, unit_text
from ecogis.audit.context import CheckContext
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.errors import EcogisError
from ecogis.geodesy import convert_area
from ecogis.vocabularies import UNIT_CLASSES, normalise_unit_class
from ecogis.zoning.areas import unit_areas


@check_type("unit_areas",
            keys={"layer": "layer", "within": None, "method": None, "gk_zone": int, "declared": dict,
                  "declared_total": float, "tolerance": float, "tolerance_pct": float},
            required=("layer",), positive=("declared_total",))
def check_unit_areas(ctx: CheckContext) -> CheckResult:
    """Area (``unit``) of the control units of ``layer`` by class, compared with ``declared`` (class ->
    area) and ``declared_total``; ``method`` ellipsoid (official) or plane in ``gk_zone``."""
    units = ctx.layer("layer", kind="control_unit")
    boundary, _ = ctx.boundary("within")
    method = ctx.get("method", "ellipsoid")
    try:
        res = unit_areas(units, method=method, gk_zone=ctx.get("gk_zone", kind=int), boundary=boundary)
    except EcogisError as exc:
        raise ctx.error("method" if method not in ("ellipsoid", "plane") else "gk_zone", exc) from None
    unit = area_unit(ctx)
    u = unit_text(unit)
    by_class = {r.unit_class: float(convert_area(r.area_m2, unit)) for r in res.by_class if r.unit_class}
    total = float(convert_area(res.total_m2, unit))
    passed, expected = True, []
    for name, value in (ctx.get("declared", {}, kind=dict) or {}).items():
        cls = _unit_class(ctx, name)
        ok, text = matches_declared(by_class.get(cls, 0.0), float(value), ctx, Text(cls, cls), u, "tolerance_pct",
                                    "tolerance")
        passed &= ok
        expected.append(text)
    declared_total = ctx.get("declared_total", kind=float)
    if declared_total is not None:
        ok, text = matches_declared(total, declared_total, ctx, Text("合计", "total"), u, "tolerance_pct",
                                    "tolerance")
        passed &= ok
        expected.append(text)
    value = Text("；".join(f"{c} {by_class[c]:.2f} {u.zh}" for c in UNIT_CLASSES if c in by_class)
                 + f"；合计 {total:.2f} {u.zh}",
                 "; ".join(f"{c} {by_class[c]:.2f} {u.en}" for c in UNIT_CLASSES if c in by_class)
                 + f"; total {total:.2f} {u.en}")
    metrics = {"unit": unit, "total": total, "by_class": by_class, "method": res.method, "crs": res.crs,
               "boundary": None if res.boundary_m2 is None else float(convert_area(res.boundary_m2, unit))}
    details = [{**r.to_dict(), "area": float(convert_area(r.area_m2, unit)), "unit": unit}
               for r in res.by_class + res.by_district]
    return CheckResult(ctx.id, ctx.type, Text("管控单元面积（按类别）", "Control-unit areas by class"), value,
                       joined(expected), bool(passed), metrics, details, res.method_text, res.crs)


def _unit_class(ctx: CheckContext, name) -> str:
    """A class named in ``declared`` (优先保护单元, 优先保护 ...) as its canonical name."""
    try:
        cls = normalise_unit_class(name)
    except EcogisError as exc:
        raise ctx.error("declared", exc) from None
    if cls is None:
        raise ctx.error("declared", f"{name!r} is not a control-unit class ({', '.join(UNIT_CLASSES)})")
    return cls

