"""What the audit checks share: reading the unit, method and counts keys, feature filters, areas and
the texts of expectations (Chinese and English, as :class:`~ecogis.area.Text`).

Feature filters (``where``, ``near_where``): ``{field: value}``, ``{field: [v1, v2]}`` or
``{field: {lt|le|gt|ge|eq|ne|in|not_in|contains: value}}``. A field the layer lacks, or a value no feature
has, is an error listing what is there (a misspelt filter would silently match nothing or everything).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ecogis import area as A
from ecogis.area import Text
from ecogis.audit.context import CheckContext, whole_number
from ecogis.error_messages import Phrase, phrase
from ecogis.errors import EcogisError

REPORT_ONLY = Text("仅报告（无要求）", "report only (no requirement)")


def _decimals(x) -> int:
    text = repr(float(x))
    if "e" in text:
        return 6
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def matches_declared(value: float, declared: float, ctx: CheckContext, what: Text, unit: Text, pct_key: str,
                     abs_key: str, tol_unit: Text | None = None):
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


def joined(parts: list, empty: Text = REPORT_ONLY) -> Text:
    """Texts joined with "；" (Chinese) and "; " (English); ``empty`` when there are none."""
    if not parts:
        return empty
    return Text("；".join(p.zh for p in parts), "; ".join(p.en for p in parts))


PERCENT = Text("%", "%")
PP = Text("个百分点", "percentage points")


def filtered(gdf, where, ctx: CheckContext, key="where"):
    """The features of ``gdf`` that pass the filter ``where`` (see the module docstring).

    A value that no feature has, and a comparison on a field without numbers, are errors listing the
    values present: a misspelt filter would otherwise match nothing (or everything) without a word.
    """
    if not where:
        return gdf
    if not isinstance(where, dict):
        raise ctx.error(key, phrase("audit.where_mapping", key=repr(key)))
    mask = np.ones(len(gdf), dtype=bool)
    for fld, cond in where.items():
        if fld not in gdf.columns:
            raise no_field(ctx, key, fld, gdf)
        col = gdf[fld]
        conds: dict = cond if isinstance(cond, dict) else ({"in": cond} if isinstance(cond, list) else {"eq": cond})
        for op, val in conds.items():
            num = pd.to_numeric(col, errors="coerce")
            if op in ("lt", "le", "gt", "ge"):
                try:
                    v = float(val)
                except (TypeError, ValueError):
                    raise ctx.error(key, phrase("audit.needs_number", column=fld, op=op, value=repr(val))) from None
                if num.isna().all() and col.notna().any():
                    raise ctx.error(key, phrase("audit.no_numbers", column=fld, op=op, name=repr(fld),
                                                present=values_present(col)))
                m = {"lt": num < v, "le": num <= v, "gt": num > v, "ge": num >= v}[op]
            elif op in ("eq", "ne", "in", "not_in"):
                vals = [str(v) for v in (val if isinstance(val, list) else [val])]
                require_present(ctx, key, fld, col, vals)
                m = col.astype(str).isin(vals)
                m = ~m if op in ("ne", "not_in") else m
            elif op == "contains":
                m = col.astype(str).str.contains(str(val), regex=False)
                if not m.any():
                    raise ctx.error(key, phrase("audit.no_feature_contains", value=repr(val), name=repr(fld),
                                                present=values_present(col)), hint=phrase("audit.check_spelling"))
            else:
                raise ctx.error(key, phrase("audit.unknown_operator", op=repr(op), name=repr(fld)))
            mask &= np.asarray(m.fillna(False), dtype=bool)
    return gdf.loc[mask]


def require_present(ctx: CheckContext, key: str, fld, col, values: list[str]) -> None:
    """Error naming the field and the values present when a filter value is in no feature."""
    present = set(col.dropna().astype(str))
    missing = [v for v in values if v not in present]
    if missing:
        raise ctx.error(key, phrase("audit.no_feature_has", column=fld, value=repr(missing[0]),
                                    present=values_present(col)), hint=phrase("audit.check_spelling"))


def values_present(col, limit: int = 20) -> Phrase:
    """"values present: a, b, c" (the most frequent first, at most ``limit``), in every language."""
    counts = col.dropna().astype(str).value_counts()
    if not len(counts):
        return phrase("audit.no_values")
    if len(counts) > limit:
        return phrase("audit.values_more", shown=", ".join(counts.index[:limit]), more=len(counts) - limit)
    return phrase("audit.values", shown=", ".join(counts.index))


def no_field(ctx: CheckContext, key: str, fld, gdf, what: str = "the layer") -> EcogisError:
    """The error for a field named under ``key`` that ``gdf`` lacks, listing the fields it has."""
    named = {"the layer": phrase("audit.the_layer"), "the zones layer": phrase("audit.the_zones_layer")}.get(what, what)
    return ctx.error(key, phrase("audit.no_field", name=repr(fld), what=named, fields=", ".join(map(str, gdf.columns))))


def areas_m2(geoms, crs, method: str) -> np.ndarray:
    """Areas in m² by ``method`` of one geometry or an array of them (coordinates in ``crs``)."""
    geoms = np.atleast_1d(np.asarray(geoms, dtype=object))
    return A.area(geoms, crs, method) if len(geoms) else np.zeros(0)


def area_unit(ctx) -> str:
    """The check's ``unit`` (default km2) as a canonical key: m2, ha, km2 or mu."""
    try:
        return A.normalise_unit(ctx.get("unit", "km2"))
    except EcogisError as exc:
        raise ctx.error("unit", exc, hint=Phrase(exc.hints) if exc.hints else None) from None


def unit_text(unit) -> Text:
    return Text(A.unit_label(unit, "zh"), A.unit_label(unit, "en"))


def area_method(ctx) -> str:
    """The check's area ``method``: ellipsoid (default, official), geodesic or plane."""
    method = ctx.get("method", "ellipsoid")
    if method not in A.METHODS:
        raise ctx.error("method", phrase("audit.unknown_method", method=repr(method)))
    return method


def fmt(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def feature_names(gdf) -> np.ndarray:
    """Feature labels: the ``name`` (or ``id``) field, else the row number."""
    for col in ("name", "id"):
        if col in gdf.columns:
            return gdf[col].astype(str).to_numpy()
    return np.arange(len(gdf)).astype(str)



def count_map(ctx: CheckContext, key: str) -> dict:
    """A {zone: whole number} mapping from check key ``key`` (empty when absent)."""
    value = ctx.get(key, {}, kind=dict) or {}
    out = {}
    for name, n in value.items():
        try:
            out[str(name)] = whole_number(n)
            if out[str(name)] < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ctx.error(key, phrase("audit.whole_number", key=key, name=name, value=repr(n))) from None
    return out

