"""Check type ``area_share``: the area of a layer within a boundary and its share, against published figures."""
from __future__ import annotations

from contextlib import ExitStack

from ecogis import area as A
from ecogis.area import Text, text_in
from ecogis.audit.common import PERCENT, PP, area_method, area_unit, joined, matches_declared, unit_text
from ecogis.audit.context import CheckContext
from ecogis.audit.dask_ops import DASK_KEYS, use_dask
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.error_messages import phrase
from ecogis.io.boundary_refs import resolve_districts


@check_type("area_share",
            keys={"layer": "layer", "within": None, "by": None, "districts": None, "declared": float,
                  "declared_share": float, "tolerance": float, "tolerance_pct": float,
                  "share_tolerance_pp": float, "share_tolerance_pct": float, "min": float, "max": float,
                  "min_share": float, "max_share": float, "boundary_area": float, "boundary_area_source": None,
                  **DASK_KEYS},
            required=("layer",), positive=("declared", "boundary_area"),
            percent=("declared_share", "min_share", "max_share"))
def check_area_share(ctx: CheckContext) -> CheckResult:
    """Dissolved area of ``layer`` (within ``within``), share of the boundary; compared with
    ``declared``/``declared_share`` (tolerance_pct/tolerance, share_tolerance_pp) and ``min``/``max``,
    ``min_share``/``max_share``. Optional ``by`` (field or districts) adds the breakdown as details.
    ``boundary_area`` (+ ``boundary_area_source``): take the share of a published boundary area instead
    of the boundary polygon's area (both shares are reported)."""
    gdf = ctx.layer("layer")
    unit, method = area_unit(ctx), area_method(ctx)
    boundary, label = ctx.boundary("within")
    by = ctx.get("by")
    districts = _districts(ctx) if by == "districts" else None
    figures = {"declared": ctx.get("declared", kind=float), "declared_share": ctx.get("declared_share", kind=float),
               "boundary_area": ctx.get("boundary_area", kind=float),
               "boundary_area_source": ctx.get("boundary_area_source")}
    if use_dask(ctx):
        res = _dask_area(ctx, gdf, method=method, unit=unit, within=boundary, within_label=label, by=by,
                         districts=districts, **figures)
    else:
        res = A.layer_area(gdf, method=method, unit=unit, within=boundary, within_label=label, by=by,
                           districts=districts, **figures)
    if res.boundary_area_source is not None and boundary is None:
        raise ctx.error("boundary_area", phrase("audit.needs_within", key="'boundary_area'"))
    u = unit_text(unit)
    passed, expected = True, []
    if res.declared is not None:
        ok, text = matches_declared(res.area, res.declared, ctx, Text("面积", "area"), u, "tolerance_pct", "tolerance")
        passed &= ok
        expected.append(text)
    if res.declared_share_pct is not None:
        if res.share_pct is None:
            raise ctx.error("declared_share", phrase("audit.share_needs_within"))
        ok, text = matches_declared(res.share_pct, res.declared_share_pct, ctx, Text("占比", "share"), PERCENT,
                            "share_tolerance_pct", "share_tolerance_pp", PP)
        passed &= ok
        expected.append(text)
    for key, val, what, unit_t in (("min", res.area, Text("面积", "area"), u),
                                   ("max", res.area, Text("面积", "area"), u),
                                   ("min_share", res.share_pct, Text("占比", "share"), PERCENT),
                                   ("max_share", res.share_pct, Text("占比", "share"), PERCENT)):
        limit = ctx.get(key, kind=float)
        if limit is not None:
            if val is None:
                raise ctx.error(key, phrase("audit.needs_within", key=repr(key)))
            op = "≥" if key.startswith("min") else "≤"
            passed &= (val >= limit) if op == "≥" else (val <= limit)
            expected.append(Text(f"{what.zh} {op} {limit:g} {unit_t.zh}", f"{what.en} {op} {limit:g} {unit_t.en}"))
    value = Text(f"{res.area:.2f} {u.zh}", f"{res.area:.2f} {u.en}")
    if res.share_pct is not None:
        zh, en = text_in(res.within, "zh"), text_in(res.within, "en")
        value = Text(f"{value.zh}，占{zh}的 {res.share_pct:.2f}%", f"{value.en}, {res.share_pct:.2f}% of {en}")
    metrics = res.to_dict("en")  # numbers; texts in English
    metrics.pop("groups")
    metrics.pop("notes")
    details = [{**g.to_dict(), "unit": unit} for g in res.groups]
    return CheckResult(ctx.id, ctx.type, Text("面积及占比", "Area and share"), value, joined(expected),
                       bool(passed), metrics, details, method, res.crs, res.notes)


def _districts(ctx: CheckContext):
    """Districts for ``by: districts``: the ``districts`` layer or administrative name, else those of an
    administrative ``within`` (e.g. the districts of 盘锦市)."""
    dref, wref = ctx.get("districts"), ctx.get("within")
    if dref is not None:
        return ctx.load(dref, "districts") if ctx.is_layer_ref(dref) else resolve_districts(str(dref))
    if wref is not None and not ctx.is_layer_ref(wref):
        return resolve_districts(None, str(wref))
    raise ctx.error("districts", phrase("audit.by_districts"))


def _dask_area(ctx: CheckContext, gdf, **options):
    """The dissolved area, share and breakdown (``by``) with the dissolves on a Dask cluster (``engine: dask``)."""
    from ecogis.audit.dask_ops import client_for, layer_area

    with ExitStack() as stack:
        return layer_area(client_for(stack, ctx), gdf, **options)
