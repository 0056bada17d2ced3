"""The audit checks: one function per check type, each returning a :class:`CheckResult`.

:data:`CHECKS` maps a type to its function, :data:`CHECK_KEYS` to the keys it takes and
:data:`REQUIRED_KEYS` to those it cannot do without. A check reads its keys and layers through the
context given by :func:`ecogis.audit.run_audit` (``ctx.get``, ``ctx.layer``, ``ctx.boundary``,
``ctx.error``). Areas are ellipsoidal (CGCS2000, official) unless ``method`` says otherwise;
distances and lengths are geodesic on the CGCS2000 ellipsoid. Value and expectation texts are
:class:`~ecogis.area.Text` (Chinese and English).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from ecogis import area as A
from ecogis.area import Text, text_in
from ecogis.crs import crs_label
from ecogis.errors import EcogisError
from ecogis.io.boundary_refs import resolve_districts

if TYPE_CHECKING:
    from ecogis.audit import _Ctx

REPORT_ONLY = Text("仅报告（无要求）", "report only (no requirement)")


@dataclass
class CheckResult:
    """Outcome of one audit check. ``title``/``value``/``expected`` are :class:`Text` (Chinese and English)
    or plain strings; ``metrics`` holds the numbers (English keys, numeric values)."""

    id: str
    type: str
    title: Text | str
    value: Text | str
    expected: Text | str
    passed: bool
    metrics: dict = field(default_factory=dict)
    details: list[dict] = field(default_factory=list)
    method: str | None = None
    crs: str | None = None
    notes: list = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def to_dict(self, lang: str = "zh") -> dict:
        return {"id": self.id, "type": self.type, "title": text_in(self.title, lang),
                "value": text_in(self.value, lang), "expected": text_in(self.expected, lang),
                "verdict": self.verdict, "passed": self.passed, "metrics": self.metrics, "details": self.details,
                "method": self.method, "crs": self.crs, "notes": [text_in(n, lang) for n in self.notes]}


#: The keys each check type takes (besides id, type, title, unit, method) and what they hold:
#: float / int / dict / list / bool, "layer" (a name from ``layers:`` or a file), "counts"
#: ({zone: whole number}), or None (any text or value; checked when the check runs).
COMMON_KEYS = {"id": None, "type": None, "title": None, "title_en": None, "unit": None, "method": None}
CHECK_KEYS = {
    "area_share": {"layer": "layer", "within": None, "by": None, "districts": None, "declared": float,
                   "declared_share": float, "tolerance": float, "tolerance_pct": float, "share_tolerance_pp": float,
                   "share_tolerance_pct": float, "min": float, "max": float, "min_share": float, "max_share": float,
                   "boundary_area": float, "boundary_area_source": None},
    "count_in_zones": {"points": "layer", "zones": "layer", "zone_field": None, "where": dict, "zones_where": dict,
                       "expect": "counts", "max": "counts", "min": "counts"},
    "compliance": {"layer": "layer", "where": dict, "measured_field": None, "target_field": None, "group_by": None,
                   "require_pct": None, "expect_count": "counts"},
    "length_share": {"layer": "layer", "where": dict, "field": None, "value": None, "expect_pct": float,
                     "tolerance_pct": float, "tolerance_pp": float, "min_pct": float},
    "within_distance": {"layer": "layer", "where": dict, "near": "layer", "near_where": dict, "distance_m": float,
                        "max_count": int, "expect_count": int, "min_count": int},
    "no_decrease": {"before": "layer", "after": "layer", "id_field": None, "tolerance_m2": float},
    "topology": {"layer": "layer", "self_overlap": bool, "max_self_overlap_m2": float, "boundary": None,
                 "sliver_m2": float, "max_outside_m2": float, "max_slivers": int, "tile": bool,
                 "max_uncovered_m2": float, "gap_m2": float, "max_gaps": int, "must_not_overlap": list,
                 "max_overlap_m2": float, "min_piece_m2": float},
}


#: Number keys that must be above 0 (the denominators of shares and differences, distances); every
#: other number key must be 0 or more. Percentages (PERCENT_KEYS) are at most 100.
POSITIVE_KEYS = {"declared", "boundary_area", "distance_m"}
PERCENT_KEYS = {"declared_share", "min_share", "max_share", "expect_pct", "min_pct", "require_pct"}

#: Keys each check type cannot do without.
REQUIRED_KEYS = {"area_share": ("layer",), "count_in_zones": ("points", "zones"), "compliance": ("layer",),
                 "length_share": ("layer", "value"), "within_distance": ("layer", "near", "distance_m"),
                 "no_decrease": ("before", "after"), "topology": ("layer",)}


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------

def _decimals(x) -> int:
    text = repr(float(x))
    if "e" in text:
        return 6
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def _matches(value: float, declared: float, ctx: _Ctx, what: Text, unit: Text, pct_key: str, abs_key: str,
             tol_unit: Text | None = None):
    """Does ``value`` match a published figure? Tolerance: ``abs_key`` (same unit as the figure),
    ``pct_key`` (% of the declared figure), else "rounds to the declared figure" (half a unit of its
    last digit). Returns (ok, the expectation as :class:`Text`)."""
    tol_abs = ctx.get(abs_key, kind=float)
    tol_pct = ctx.get(pct_key, kind=float)
    if tol_abs is None and tol_pct is None:
        tol = 0.5 * 10 ** (-_decimals(declared)) + 1e-9 * abs(declared)
        rule = Text("修约后相等", "rounds to it")
    elif tol_abs is not None:
        tol = tol_abs
        tu = tol_unit or unit
        rule = Text(f"允许误差 ±{tol_abs:g} {tu.zh}", f"tolerance ±{tol_abs:g} {tu.en}")
    else:
        tol = abs(declared) * tol_pct / 100.0
        rule = Text(f"允许误差 ±{tol_pct:g}%（相对）", f"tolerance ±{tol_pct:g}% (relative)")
    sep = "" if unit is PERCENT else " "
    return abs(value - declared) <= tol, Text(f"{what.zh} {declared:g}{sep}{unit.zh}（{rule.zh}）",
                                              f"{what.en} {declared:g}{sep}{unit.en} ({rule.en})")


def _join(parts: list, empty: Text = REPORT_ONLY) -> Text:
    """Texts joined with "；" (Chinese) and "; " (English); ``empty`` when there are none."""
    if not parts:
        return empty
    return Text("；".join(p.zh for p in parts), "; ".join(p.en for p in parts))


PERCENT = Text("%", "%")
PP = Text("个百分点", "percentage points")


def _where(gdf, where, ctx: _Ctx, key="where"):
    """The features of ``gdf`` that pass the filter ``where`` (see :mod:`ecogis.audit`).

    A value that no feature has, and a comparison on a field without numbers, are errors listing the
    values present: a misspelt filter would otherwise match nothing (or everything) without a word.
    """
    if not where:
        return gdf
    if not isinstance(where, dict):
        raise ctx.error(key, f"{key!r} must map fields to values or {{op: value}}")
    mask = np.ones(len(gdf), dtype=bool)
    for fld, cond in where.items():
        if fld not in gdf.columns:
            raise _no_field(ctx, key, fld, gdf)
        col = gdf[fld]
        conds = cond if isinstance(cond, dict) else ({"in": cond} if isinstance(cond, list) else {"eq": cond})
        for op, val in conds.items():
            num = pd.to_numeric(col, errors="coerce")
            if op in ("lt", "le", "gt", "ge"):
                try:
                    v = float(val)
                except (TypeError, ValueError):
                    raise ctx.error(key, f"{fld}.{op} needs a number, got {val!r}") from None
                if num.isna().all() and col.notna().any():
                    raise ctx.error(key, f"{fld}.{op}: field {fld!r} holds no numbers; {_values_present(col)}")
                m = {"lt": num < v, "le": num <= v, "gt": num > v, "ge": num >= v}[op]
            elif op in ("eq", "ne", "in", "not_in"):
                vals = [str(v) for v in (val if isinstance(val, list) else [val])]
                _require_present(ctx, key, fld, col, vals)
                m = col.astype(str).isin(vals)
                m = ~m if op in ("ne", "not_in") else m
            elif op == "contains":
                m = col.astype(str).str.contains(str(val), regex=False)
                if not m.any():
                    raise ctx.error(key, f"no feature has {val!r} in field {fld!r}; {_values_present(col)}",
                                    hint="Check the spelling: a filter that matches nothing gives a wrong figure")
            else:
                raise ctx.error(key, f"unknown operator {op!r} for field {fld!r}; use lt le gt ge eq ne in not_in contains")
            mask &= np.asarray(m.fillna(False), dtype=bool)
    return gdf.loc[mask]


def _require_present(ctx: _Ctx, key: str, fld, col, values: list[str]) -> None:
    """Error naming the field and the values present when a filter value is in no feature."""
    present = set(col.dropna().astype(str))
    missing = [v for v in values if v not in present]
    if missing:
        raise ctx.error(key, f"no feature has {fld} = {missing[0]!r}; {_values_present(col)}",
                        hint="Check the spelling: a filter that matches nothing gives a wrong figure")


def _values_present(col, limit: int = 20) -> str:
    """"values present: a, b, c" (the most frequent first, at most ``limit``)."""
    counts = col.dropna().astype(str).value_counts()
    shown = ", ".join(counts.index[:limit])
    more = f" and {len(counts) - limit} more" if len(counts) > limit else ""
    return f"values present: {shown or '(none)'}{more}"


def _no_field(ctx: _Ctx, key: str, fld, gdf, what: str = "the layer") -> EcogisError:
    """The error for a field named under ``key`` that ``gdf`` lacks, listing the fields it has."""
    return ctx.error(key, f"no field {fld!r} in {what}; fields: {', '.join(map(str, gdf.columns))}")


def _areas_m2(geoms, crs, method: str) -> np.ndarray:
    """Areas in m² by ``method`` of one geometry or an array of them (coordinates in ``crs``)."""
    geoms = np.atleast_1d(np.asarray(geoms, dtype=object))
    return A.area(geoms, crs, method) if len(geoms) else np.zeros(0)


def area_unit(ctx) -> str:
    """The check's ``unit`` (default km2) as a canonical key: m2, ha, km2 or mu."""
    try:
        return A.normalise_unit(ctx.get("unit", "km2"))
    except EcogisError as exc:
        raise ctx.error("unit", exc.reason, hint=exc.hint) from None


def _unit_text(unit) -> Text:
    return Text(A.unit_label(unit, "zh"), A.unit_label(unit, "en"))


def area_method(ctx) -> str:
    """The check's area ``method``: ellipsoid (default, official), geodesic or plane."""
    method = ctx.get("method", "ellipsoid")
    if method not in A.METHODS:
        raise ctx.error("method", f"unknown area method {method!r}; use ellipsoid (official), geodesic or plane")
    return method


def _fmt(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def _names(gdf) -> np.ndarray:
    """Feature labels: the ``name`` (or ``id``) field, else the row number."""
    for col in ("name", "id"):
        if col in gdf.columns:
            return gdf[col].astype(str).to_numpy()
    return np.arange(len(gdf)).astype(str)



# --------------------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------------------

def _check_area_share(ctx: _Ctx) -> CheckResult:
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
    res = A.layer_area(gdf, method=method, unit=unit, within=boundary, within_label=label, by=by,
                       districts=districts, declared=ctx.get("declared", kind=float),
                       declared_share=ctx.get("declared_share", kind=float),
                       boundary_area=ctx.get("boundary_area", kind=float),
                       boundary_area_source=ctx.get("boundary_area_source"))
    if res.boundary_area_source is not None and boundary is None:
        raise ctx.error("boundary_area", "'boundary_area' needs 'within'")
    u = _unit_text(unit)
    passed, expected = True, []
    if res.declared is not None:
        ok, text = _matches(res.area, res.declared, ctx, Text("面积", "area"), u, "tolerance_pct", "tolerance")
        passed &= ok
        expected.append(text)
    if res.declared_share_pct is not None:
        if res.share_pct is None:
            raise ctx.error("declared_share", "a declared share needs 'within'")
        ok, text = _matches(res.share_pct, res.declared_share_pct, ctx, Text("占比", "share"), PERCENT,
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
                raise ctx.error(key, f"{key!r} needs 'within'")
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
    return CheckResult(ctx.id, ctx.type, Text("面积及占比", "Area and share"), value, _join(expected),
                       bool(passed), metrics, details, method, res.crs, res.notes)


def _districts(ctx: _Ctx):
    """Districts for ``by: districts``: the ``districts`` layer or administrative name, else those of an
    administrative ``within`` (e.g. the districts of 盘锦市)."""
    dref, wref = ctx.get("districts"), ctx.get("within")
    if dref is not None:
        return ctx.load(dref, "districts") if ctx.is_layer_ref(dref) else resolve_districts(str(dref))
    if wref is not None and not ctx.is_layer_ref(wref):
        return resolve_districts(None, str(wref))
    raise ctx.error("districts", "'by: districts' needs 'districts' (a layer) when 'within' is a layer")


def _check_count_in_zones(ctx: _Ctx) -> CheckResult:
    """Points of ``points`` (filtered by ``where``) per zone of ``zones`` (field ``zone_field``, default
    ``zone`` or ``name``); ``expect`` exact counts, ``max``/``min`` limits per zone ({zone: n})."""
    points = _where(ctx.layer("points"), ctx.get("where"), ctx)
    zones = ctx.layer("zones")
    zfield = ctx.get("zone_field") or ("zone" if "zone" in zones.columns else "name")
    if zfield not in zones.columns:
        raise _no_field(ctx, "zone_field", zfield, zones, "the zones layer")
    zones = _where(zones, ctx.get("zones_where"), ctx, "zones_where")
    pts = points.to_crs(zones.crs) if points.crs != zones.crs else points
    zgeoms = np.asarray(zones.geometry.values, dtype=object)
    tree = shapely.STRtree(zgeoms)
    p_idx, z_idx = tree.query(np.asarray(pts.geometry.values, dtype=object), predicate="intersects")
    zone_names = zones[zfield].astype(str).to_numpy()
    counts = pd.Series(zone_names[z_idx]).value_counts()
    outside = int(len(pts) - len(np.unique(p_idx)))
    expect, maxima, minima = count_map(ctx, "expect"), count_map(ctx, "max"), count_map(ctx, "min")
    for key, limits in (("expect", expect), ("max", maxima), ("min", minima)):
        _require_present(ctx, key, zfield, zones[zfield], list(limits))
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
                        "verdict": None if not rules else ("PASS" if ok else "FAIL")})
    details.append({"zone": "(outside all zones)", "count": outside, "expected": None, "verdict": None})
    value = Text("，".join(f"{d['zone']} {d['count']} 个" for d in details[:-1]) + f"（范围外 {outside} 个）",
                 ", ".join(f"{d['zone']} {d['count']}" for d in details[:-1]) + f" ({outside} outside all zones)")
    return CheckResult(ctx.id, ctx.type, Text("各分区点数", "Points per zone"), value, _join(expected),
                       bool(passed), {"counts": {d["zone"]: d["count"] for d in details}, "points": len(pts)},
                       details, "point_in_polygon", crs_label(zones.crs))


def whole_number(value) -> int:
    """``value`` (int, float or text) as an int; ValueError or TypeError when it is not a whole number
    (a bool is not one)."""
    if isinstance(value, bool) or not math.isfinite(float(value)) or float(value) != int(float(value)):
        raise ValueError(value)
    return int(float(value))


def count_map(ctx: _Ctx, key: str) -> dict:
    """A {zone: whole number} mapping from check key ``key`` (empty when absent)."""
    value = ctx.get(key, {}, kind=dict) or {}
    out = {}
    for name, n in value.items():
        try:
            out[str(name)] = whole_number(n)
            if out[str(name)] < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ctx.error(key, f"{key}.{name} must be a whole number of points, got {n!r}") from None
    return out


def _check_compliance(ctx: _Ctx) -> CheckResult:
    """Share of sections (``layer``, kind water_section) whose ``measured_class`` is at or better than
    ``target_class``, overall (key ``all``) and per ``group_by`` (default control_level);
    ``require_pct``: a number (overall) or {group: pct}; ``expect_count``: {group: n sections}."""
    from ecogis.layers import class_rank

    gdf = _where(ctx.layer("layer", kind="water_section"), ctx.get("where"), ctx)
    mfield, tfield = ctx.get("measured_field", "measured_class"), ctx.get("target_field", "target_class")
    group_by = ctx.get("group_by", "control_level")
    for key, fld in (("measured_field", mfield), ("target_field", tfield), ("group_by", group_by)):
        if fld not in gdf.columns:
            raise _no_field(ctx, key, fld, gdf)
    details, meets = [], []
    name_col = "name" if "name" in gdf.columns else None
    for i, row in enumerate(gdf.itertuples(index=False)):  # one row per section (tens, not millions)
        rec = row._asdict()
        m, t = rec.get(mfield), rec.get(tfield)
        ok = None
        if m is not None and t is not None and not (isinstance(m, float) and math.isnan(m)) \
                and not (isinstance(t, float) and math.isnan(t)):
            try:
                ok = class_rank(m) <= class_rank(t)
            except EcogisError as exc:
                raise ctx.error(mfield, f"section {rec.get(name_col) if name_col else i}: {exc.reason}") from None
        meets.append(ok)
        details.append({"name": rec.get(name_col) if name_col else i, "river": rec.get("river"),
                        "group": rec.get(group_by), "target_class": t, "measured_class": m,
                        "meets_target": ok})
    frame = pd.DataFrame({"group": [d["group"] for d in details], "ok": meets})
    assessed = frame[frame["ok"].notna()]

    def pct(sub):
        return None if len(sub) == 0 else 100.0 * float(sub["ok"].astype(bool).sum()) / len(sub)

    stats = {"all": {"sections": len(frame), "assessed": len(assessed), "pct": pct(assessed)}}
    for grp, sub in assessed.groupby("group"):
        stats[str(grp)] = {"sections": int((frame["group"] == grp).sum()), "assessed": len(sub), "pct": pct(sub)}
    counts = count_map(ctx, "expect_count")
    passed, expected = True, []
    for grp, need in required_pcts(ctx).items():
        got = stats.get(str(grp), {}).get("pct")
        passed &= got is not None and got + 1e-9 >= need
        expected.append(Text(f"{_group_text(grp).zh}达标率 ≥ {need:g}%", f"{_group_text(grp).en} compliance ≥ {need:g}%"))
    for grp, n in counts.items():
        passed &= stats.get(str(grp), {}).get("sections", 0) == n
        expected.append(Text(f"{_group_text(grp).zh}断面 {n} 个", f"{_group_text(grp).en}: {n} sections"))
    missing = len(frame) - len(assessed)
    value = Text("；".join(f"{_group_text(g).zh} {_fmt(s['pct'])}%（参评 {s['assessed']} 个断面）" for g, s in stats.items()),
                 "; ".join(f"{_group_text(g).en} {_fmt(s['pct'])}% ({s['assessed']} sections assessed)"
                           for g, s in stats.items()))
    notes = [Text(f"{missing} 个断面缺少实测或目标类别，未参评",
                  f"{missing} section(s) without measured or target class not assessed")] if missing else []
    return CheckResult(ctx.id, ctx.type, Text("水质达标率", "Water-quality compliance"), value, _join(expected),
                       bool(passed), {"groups": stats}, details, "class_compliance", crs_label(gdf.crs), notes)


def required_pcts(ctx: _Ctx) -> dict:
    """``require_pct`` as {group: %}; a single number is the requirement for all sections (group ``all``)."""
    require = ctx.get("require_pct")
    require = {"all": require} if not isinstance(require, dict) and require is not None else (require or {})
    out = {}
    for grp, need in require.items():
        try:
            out[grp] = float(need)
            if not 0 <= out[grp] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            raise ctx.error("require_pct", f"require_pct for {grp!r} must be a number from 0 to 100 (%), "
                                           f"got {need!r}") from None
    return out


_GROUPS_EN = {"all": "all", "国控": "national (国控)", "省控": "provincial (省控)", "市控": "municipal (市控)"}


def _group_text(group) -> Text:
    """A compliance group (control level) in Chinese and English."""
    g = str(group)
    return Text("全部" if g == "all" else g, _GROUPS_EN.get(g, g))


def _check_length_share(ctx: _Ctx) -> CheckResult:
    """Geodesic length of lines of ``layer`` whose ``field`` (default type) equals ``value`` over all
    lines, in %; ``expect_pct`` (with tolerance_pp / tolerance_pct; default: rounds to it), ``min_pct``."""
    gdf = _where(ctx.layer("layer"), ctx.get("where"), ctx)
    fld, value = ctx.get("field", "type"), ctx.get("value", required=True)
    if fld not in gdf.columns:
        raise _no_field(ctx, "field", fld, gdf)
    lengths = A.geodesic_length(gdf.geometry, gdf.crs)
    keys = gdf[fld].astype(str).to_numpy()
    total = float(lengths.sum())
    if total <= 0:
        raise ctx.error("layer", "the layer has no line length")
    _require_present(ctx, "value", fld, gdf[fld], [str(value)])
    per = pd.Series(lengths).groupby(keys).sum()
    part = float(per.get(str(value), 0.0))
    share = 100.0 * part / total
    passed, expected = True, []
    if ctx.get("expect_pct") is not None:
        ok, text = _matches(share, ctx.get("expect_pct", kind=float), ctx, Text("占比", "share"), PERCENT,
                            "tolerance_pct", "tolerance_pp", PP)
        passed &= ok
        expected.append(text)
    if ctx.get("min_pct") is not None:
        low = ctx.get("min_pct", kind=float)
        passed &= share >= low
        expected.append(Text(f"占比 ≥ {low:g}%", f"share ≥ {low:g}%"))
    details = [{"key": k, "length_km": float(v) / 1000.0, "share_pct": 100.0 * float(v) / total} for k, v in per.items()]
    value = Text(f"{share:.2f}%（{value} {part / 1000:.2f} km / 合计 {total / 1000:.2f} km）",
                 f"{share:.2f}% ({value} {part / 1000:.2f} km of {total / 1000:.2f} km)")
    return CheckResult(ctx.id, ctx.type, Text("长度占比", "Length share"), value, _join(expected), bool(passed),
                       {"share_pct": share, "length_m": part, "total_m": total}, details, "geodesic_length",
                       crs_label(gdf.crs))


def nearest_within(a_gdf, b_gdf, distance_m: float):
    """Pairs (i, j, metres) of features of ``a`` within ``distance_m`` of a feature of ``b``.

    Candidates come from an STRtree ``dwithin`` query in a local Gauss-Kruger plane (with a margin
    for the projection's scale), then the distance between the nearest points of each candidate pair
    is measured as a geodesic on the CGCS2000 ellipsoid. Vectorised over all pairs.
    """
    plane = A.default_plane_crs(np.r_[np.asarray(a_gdf.geometry.values, dtype=object),
                                      np.asarray(b_gdf.to_crs(a_gdf.crs).geometry.values, dtype=object)], a_gdf.crs)
    a = np.asarray(a_gdf.to_crs(plane).geometry.values, dtype=object)
    b = np.asarray(b_gdf.to_crs(plane).geometry.values, dtype=object)
    tree = shapely.STRtree(b)
    ia, ib = tree.query(a, predicate="dwithin", distance=distance_m * 1.01 + 1.0)
    if len(ia) == 0:
        return ia, ib, np.zeros(0)
    lines = shapely.shortest_line(a[ia], b[ib])
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    d = A.geodesic_length(shapely.linestrings(coords), plane)
    return ia, ib, d


def _check_within_distance(ctx: _Ctx) -> CheckResult:
    """Features of ``layer`` (``where``) within ``distance_m`` metres (geodesic) of a feature of
    ``near`` (``near_where``); ``max_count`` / ``expect_count`` / ``min_count`` on how many."""
    gdf = _where(ctx.layer("layer"), ctx.get("where"), ctx)
    near = _where(ctx.layer("near"), ctx.get("near_where"), ctx, "near_where")
    dist = ctx.get("distance_m", required=True, kind=float)
    if dist <= 0:
        raise ctx.error("distance_m", "distance_m must be positive (metres)")
    details = []
    n_hit = 0
    if len(gdf) and len(near):
        ia, ib, d = nearest_within(gdf, near, dist)
        hit = d <= dist
        ia, ib, d = ia[hit], ib[hit], d[hit]
        order = np.lexsort((d, ia))
        ia, ib, d = ia[order], ib[order], d[order]
        first = np.r_[True, ia[1:] != ia[:-1]] if len(ia) else np.zeros(0, bool)
        n_hit = int(first.sum())
        ia, ib, d = ia[first], ib[first], d[first]
        table = pd.DataFrame({"name": _names(gdf)[ia], "nearest": _names(near)[ib], "distance_m": np.round(d, 1)})
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
    return CheckResult(ctx.id, ctx.type, Text("距离范围内要素", "Within distance"), value, _join(expected), bool(passed),
                       {"count": n_hit, "candidates": len(gdf), "near": len(near), "distance_m": dist},
                       details, "geodesic_distance", crs_label(gdf.crs))


def _check_no_decrease(ctx: _Ctx) -> CheckResult:
    """Two versions of a layer (``before``, ``after``): area lost, gained and net (dissolved, by
    ``method``, in ``unit``); features changed by ``id_field`` (added, removed, reshaped). Fails when
    the net change is below ``-tolerance_m2`` (default 1 m²)."""
    before = ctx.layer("before")
    after = ctx.layer("after")
    if after.crs != before.crs:
        after = after.to_crs(before.crs)
    unit, method = area_unit(ctx), area_method(ctx)
    crs = before.crs

    m2 = partial(_areas_m2, crs=crs, method=method)

    b_all = shapely.union_all(A.polygon_geometries(before, what="before layer"))
    a_all = shapely.union_all(A.polygon_geometries(after, what="after layer"))
    area_b, area_a, lost, gained = m2([b_all, a_all, shapely.difference(b_all, a_all), shapely.difference(a_all, b_all)])
    net = area_a - area_b
    tol = ctx.get("tolerance_m2", 1.0, kind=float)

    def conv(v):
        return float(A.convert_area(float(v), unit))

    details = [{**row, "unit": unit} for row in _changed_features(before, after, ctx.get("id_field"), ctx, m2, unit)]
    u = _unit_text(unit)
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
    for name, gdf in (("before", before), ("after", after)):
        if id_field not in gdf.columns:
            raise ctx.error("id_field", f"no field {id_field!r} in the {name} layer")
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


def _check_topology(ctx: _Ctx) -> CheckResult:
    """Topology of polygon ``layer``; every finding is listed in the details with a point inside it.

    - overlaps between its own features (``self_overlap``, default true; ``max_self_overlap_m2``, default 0);
    - against ``boundary`` (a layer, file or administrative name): parts of the layer outside it, of
      which pieces smaller than ``sliver_m2`` (default 100 m²) are slivers (``max_slivers``, default 0;
      ``max_outside_m2`` optional); with ``tile: true`` the layer must cover the boundary (districts
      against their city): the uncovered area (``max_uncovered_m2``, default 0), its pieces smaller
      than ``gap_m2`` (default 1000 m²) counted as gaps;
    - without ``tile``: holes of the dissolved layer smaller than ``gap_m2`` are gaps (``max_gaps``, default 0);
    - overlaps with each layer in ``must_not_overlap`` (``max_overlap_m2``, default 0).
    Areas by ``method`` (default ellipsoidal, CGCS2000) in m²; pieces below ``min_piece_m2`` (default
    0.01 m²) are floating-point dust and ignored. Vectorised: STRtree pairs, shapely array operations.
    """
    gdf = ctx.layer("layer")
    crs, method = gdf.crs, area_method(ctx)
    geoms, rows = A.polygon_geometries(gdf, return_index=True)
    names = _names(gdf)[rows]
    dust = ctx.get("min_piece_m2", 0.01, kind=float)

    f = _Findings(partial(_areas_m2, crs=crs, method=method), dust)
    if ctx.get("self_overlap", True):
        i, j, inter, areas = f.pair_overlaps(geoms, geoms, same=True)
        f.rows("self_overlap", areas, parts=inter, feature=names[i], other=names[j])
        f.metrics.update(self_overlap_m2=float(areas.sum()), self_overlap_pairs=len(areas))
        lim = ctx.get("max_self_overlap_m2", 0.0, kind=float)
        f.value(Text(f"图层内重叠 {areas.sum():.2f} m²（{len(areas)} 对）",
                     f"overlaps within the layer {areas.sum():.2f} m² ({len(areas)} pairs)"))
        f.require(areas.sum() <= lim, Text(f"图层内重叠 ≤ {lim:g} m²", f"overlaps within the layer ≤ {lim:g} m²"))
    dissolved = shapely.union_all(geoms)
    boundary, label = ctx.boundary("boundary")
    tile = bool(ctx.get("tile", False))
    if tile and boundary is None:
        raise ctx.error("tile", "'tile: true' needs a 'boundary' that the layer must cover")
    if boundary is not None:
        bgeom = shapely.union_all(A.polygon_geometries(A.boundary_in_crs(boundary, crs), what="boundary"))
        _outside_and_slivers(ctx, f, dissolved, bgeom, label)
        if tile:
            _uncovered(ctx, f, dissolved, bgeom, label)
    if not tile:
        _interior_gaps(ctx, f, dissolved)
    limit = ctx.get("max_overlap_m2", 0.0, kind=float)
    for ref in ctx.get("must_not_overlap", [], kind=list) or []:
        other = A.boundary_in_crs(ctx.load(ref, "must_not_overlap"), crs)
        og, orows = A.polygon_geometries(other, what=str(ref), return_index=True)
        i, j, inter, areas = f.pair_overlaps(geoms, og)
        f.rows("overlap", areas, parts=inter, feature=names[i], other=_names(other)[orows][j])
        total = float(f.m2(shapely.intersection(dissolved, shapely.union_all(og)))[0])
        f.metrics[f"overlap_{ref}_m2"] = total
        f.value(Text(f"与 {ref} 重叠 {total:.2f} m²", f"overlap with {ref} {total:.2f} m²"))
        f.require(total <= limit, Text(f"与 {ref} 重叠 ≤ {limit:g} m²", f"overlap with {ref} ≤ {limit:g} m²"))
    return CheckResult(ctx.id, ctx.type, Text("拓扑检查", "Topology"), _join(f.values), _join(f.expected),
                       bool(f.passed), f.metrics, f.details, method, crs_label(gdf.crs))


def _outside_and_slivers(ctx, f, dissolved, bgeom, label):
    lz, label = text_in(label, "zh"), text_in(label, "en")
    parts, areas = f.pieces(shapely.difference(dissolved, bgeom))
    sliver = ctx.get("sliver_m2", 100.0, kind=float)
    small = areas < sliver
    f.rows(np.where(small, "sliver_outside", "outside_boundary"), areas, parts=parts, other=label)
    f.metrics.update(boundary=label, outside_m2=float(areas.sum()), outside_pieces=len(areas), slivers=int(small.sum()))
    f.value(Text(f"超出{lz} {areas.sum():.2f} m²（{len(areas)} 块，其中碎片 {int(small.sum())} 块 < {sliver:g} m²）",
                 f"outside {label} {areas.sum():.2f} m² ({len(areas)} pieces, {int(small.sum())} slivers "
                 f"< {sliver:g} m²)"))
    lim_out = ctx.get("max_outside_m2", kind=float)
    if lim_out is not None:
        f.require(areas.sum() <= lim_out, Text(f"超出范围 ≤ {lim_out:g} m²", f"outside the boundary ≤ {lim_out:g} m²"))
    lim = ctx.get("max_slivers", 0, kind=int)
    f.require(small.sum() <= lim, Text(f"范围外碎片（< {sliver:g} m²）≤ {lim} 块",
                                       f"slivers outside (< {sliver:g} m²) ≤ {lim}"))


def _uncovered(ctx, f, dissolved, bgeom, label):
    lz, label = text_in(label, "zh"), text_in(label, "en")
    parts, areas = f.pieces(shapely.difference(bgeom, dissolved))
    gap = ctx.get("gap_m2", 1000.0, kind=float)
    small = areas < gap
    f.rows(np.where(small, "gap", "uncovered"), areas, parts=parts, other=label)
    f.metrics.update(uncovered_m2=float(areas.sum()), uncovered_pieces=len(areas), gaps=int(small.sum()))
    f.value(Text(f"{lz}未覆盖 {areas.sum():.2f} m²（{len(areas)} 块，其中缝隙 {int(small.sum())} 块 < {gap:g} m²）",
                 f"uncovered part of {label} {areas.sum():.2f} m² ({len(areas)} pieces, {int(small.sum())} gaps "
                 f"< {gap:g} m²)"))
    lim = ctx.get("max_uncovered_m2", 0.0, kind=float)
    f.require(areas.sum() <= lim, Text(f"{lz}未覆盖 ≤ {lim:g} m²", f"uncovered part of {label} ≤ {lim:g} m²"))


def _interior_gaps(ctx, f, dissolved):
    polys = shapely.get_parts(dissolved)
    parts, areas = f.pieces(_holes(polys))
    gap = ctx.get("gap_m2", 1000.0, kind=float)
    small = areas < gap
    parts, areas = parts[small], areas[small]
    f.rows("gap", areas, parts=parts)
    f.metrics.update(gaps=len(areas), gaps_m2=float(areas.sum()))
    f.value(Text(f"内部缝隙 {len(areas)} 个（< {gap:g} m²，合计 {areas.sum():.2f} m²）",
                 f"gaps inside the layer {len(areas)} (< {gap:g} m², {areas.sum():.2f} m² in all)"))
    lim = ctx.get("max_gaps", 0, kind=int)
    f.require(len(areas) <= lim, Text(f"内部缝隙（< {gap:g} m²）≤ {lim} 个", f"gaps (< {gap:g} m²) ≤ {lim}"))


def _holes(polys: np.ndarray) -> np.ndarray:
    """The interior rings of polygons as polygons (vectorised)."""
    rings, owner = shapely.get_rings(polys, return_index=True)
    first = np.r_[True, owner[1:] != owner[:-1]] if len(rings) else np.zeros(0, bool)
    return shapely.polygons(rings[~first]) if len(rings) else np.zeros(0, dtype=object)


class _Findings:
    """What a topology check found: value and expectation parts, metrics, detail rows and the verdict."""

    def __init__(self, m2, dust: float):
        self.m2, self.dust = m2, dust
        self.values, self.expected, self.details, self.metrics, self.passed = [], [], [], {}, True

    def value(self, text: Text):
        self.values.append(text)

    def require(self, ok, text: Text):
        self.passed &= bool(ok)
        self.expected.append(text)

    def _not_dust(self, areas: np.ndarray) -> np.ndarray:
        return (areas >= self.dust) & (areas > 0)

    def pieces(self, geom):
        """Polygon pieces of ``geom`` at least ``dust`` m², with their areas (m²)."""
        parts = shapely.get_parts(np.atleast_1d(np.asarray(geom, dtype=object)))
        parts = parts[shapely.get_type_id(parts) == 3]
        areas = self.m2(parts)
        keep = self._not_dust(areas)
        return parts[keep], areas[keep]

    def pair_overlaps(self, a, b, same=False):
        """(i, j, overlap, m²) for features a[i], b[j] whose interiors overlap by at least ``dust`` m²."""
        i, j = shapely.STRtree(b).query(a, predicate="intersects")
        if same:
            i, j = i[i < j], j[i < j]
        inter = shapely.intersection(a[i], b[j])
        areas = self.m2(inter)
        keep = self._not_dust(areas)
        return i[keep], j[keep], inter[keep], areas[keep]

    def rows(self, issue, areas, *, parts=None, feature=None, other=None):
        """One detail row per finding; pieces get a point inside them (data CRS)."""
        n = len(areas)
        issue = np.broadcast_to(np.asarray(issue, dtype=object), (n,))
        feature = np.broadcast_to(np.asarray(feature, dtype=object), (n,))
        other = np.broadcast_to(np.asarray(other, dtype=object), (n,))
        pts = shapely.point_on_surface(parts) if parts is not None and n else None
        xs = shapely.get_x(pts) if pts is not None else [None] * n
        ys = shapely.get_y(pts) if pts is not None else [None] * n
        self.details += [{"issue": k, "feature": fe, "other": o, "area_m2": float(a),
                          "x": None if x is None else float(x), "y": None if y is None else float(y)}
                         for k, fe, o, a, x, y in zip(issue, feature, other, areas, xs, ys)]


CHECKS = {
    "area_share": _check_area_share,
    "count_in_zones": _check_count_in_zones,
    "compliance": _check_compliance,
    "length_share": _check_length_share,
    "within_distance": _check_within_distance,
    "no_decrease": _check_no_decrease,
    "topology": _check_topology,
}
