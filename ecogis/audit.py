"""Declarative audits: a YAML list of checks whose figures go into planning documents.

A spec names its layers once and lists checks; paths are relative to the spec file::

    title: 盘锦市生态空间核算
    defaults: {unit: km2, method: ellipsoid}
    layers:
      redline: {path: ../layers/redline/redline.shp, kind: redline}
      city:    {path: ../layers/boundary/panjin.gpkg, layer: city}
    checks:
      - id: redline_area
        type: area_share
        layer: redline
        within: city            # a layer name, a file, or an administrative name (盘锦市)
        declared: 1091.71       # in unit
        declared_share: 26.61   # %
        tolerance_pct: 0.5      # optional; default: must round to the declared figure

Check types (see :data:`CHECKS` and each ``_check_*`` docstring): ``area_share``, ``count_in_zones``,
``compliance``, ``length_share``, ``within_distance``, ``no_decrease``, ``topology``. Each returns a
:class:`CheckResult` with the value, the expectation, a verdict and detail rows; areas are
ellipsoidal (CGCS2000, official) unless ``method`` says otherwise, distances and lengths geodesic.

Feature filters (``where``, ``near_where``): ``{field: value}``, ``{field: [v1, v2]}`` or
``{field: {lt|le|gt|ge|eq|ne|in|not_in|contains: value}}``.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import yaml

from ecogis import area as A
from ecogis.errors import EcogisError


@dataclass
class CheckResult:
    """Outcome of one audit check. ``value``/``expected`` are short texts; ``metrics`` the numbers."""

    id: str
    type: str
    title: str
    value: str
    expected: str
    passed: bool
    metrics: dict = field(default_factory=dict)
    details: list[dict] = field(default_factory=list)
    method: str | None = None
    crs: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "title": self.title, "value": self.value,
                "expected": self.expected, "verdict": self.verdict, "passed": self.passed,
                "metrics": self.metrics, "details": self.details, "method": self.method, "crs": self.crs,
                "notes": self.notes}


@dataclass
class AuditReport:
    title: str
    spec: str
    checks: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict:
        return {"title": self.title, "spec": self.spec, "passed": self.passed,
                "failed": [c.id for c in self.checks if not c.passed],
                "checks": [c.to_dict() for c in self.checks], "notes": self.notes, "outputs": self.outputs}


# --------------------------------------------------------------------------------------------------
# spec loading
# --------------------------------------------------------------------------------------------------

@dataclass
class AuditSpec:
    path: Path
    title: str
    defaults: dict
    layers: dict
    checks: list[dict]

    @property
    def base(self) -> Path:
        return self.path.parent


def load_spec(path) -> AuditSpec:
    """Read and validate the structure of an audit YAML file (EcogisError naming the check and key)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EcogisError(f"not valid YAML ({exc})", path=path) from exc
    except OSError as exc:
        raise EcogisError(f"cannot read the audit spec ({exc})", path=path) from exc
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list) or not data["checks"]:
        raise EcogisError("an audit spec is a mapping with a non-empty list 'checks'", path=path, field="checks",
                          hint="See scripts/panjin_audit.yaml for an example")
    layers = data.get("layers") or {}
    if not isinstance(layers, dict):
        raise EcogisError("'layers' must map names to {path: ..., kind: ...}", path=path, field="layers")
    for name, spec in layers.items():
        if isinstance(spec, str):
            layers[name] = {"path": spec}
        elif not isinstance(spec, dict) or "path" not in spec:
            raise EcogisError(f"layer {name!r} needs a 'path'", path=path, field=f"layers.{name}.path")
    seen = set()
    for i, check in enumerate(data["checks"]):
        if not isinstance(check, dict):
            raise EcogisError(f"check #{i + 1} is not a mapping", path=path, field="checks")
        check.setdefault("id", f"check_{i + 1}")
        ctype = check.get("type")
        if ctype not in CHECKS:
            raise EcogisError(f"check {check['id']!r}: unknown type {ctype!r}; known: {', '.join(CHECKS)}",
                              path=path, field="type")
        if check["id"] in seen:
            raise EcogisError(f"check id {check['id']!r} is used twice", path=path, field="id")
        seen.add(check["id"])
    defaults = data.get("defaults") or {}
    return AuditSpec(path=path, title=str(data.get("title") or path.stem), defaults=defaults, layers=layers,
                     checks=data["checks"])


class _Ctx:
    """One check being run: typed access to its keys with errors naming the check and the key."""

    def __init__(self, spec: AuditSpec, check: dict, cache: dict):
        self.spec, self.check, self.cache = spec, check, cache
        self.id, self.type = check["id"], check["type"]

    def error(self, key, message, hint=None) -> EcogisError:
        return EcogisError(f"check {self.id!r} ({self.type}): {message}", path=self.spec.path, field=key, hint=hint)

    def get(self, key, default=None, *, required=False, kind=None):
        if key in self.check:
            value = self.check[key]
        elif key in self.spec.defaults:
            value = self.spec.defaults[key]
        elif required:
            raise self.error(key, f"missing key {key!r}")
        else:
            return default
        if kind is not None and value is not None:
            try:
                if kind is float:
                    value = float(value)
                    if math.isnan(value):
                        raise ValueError
                elif kind is dict and not isinstance(value, dict):
                    raise TypeError
                elif kind is list:
                    value = value if isinstance(value, list) else [value]
            except (TypeError, ValueError):
                raise self.error(key, f"{key!r} must be {kind.__name__}, got {value!r}") from None
        return value

    def layer(self, key, *, required=True, kind=None):
        """The GeoDataFrame named by check key ``key`` (a name from ``layers:`` or a path)."""
        ref = self.get(key, required=required)
        return None if ref is None else self.load(ref, key, kind)

    def is_layer_ref(self, ref) -> bool:
        """True when ``ref`` names a layer of the spec, is a {path: ...} mapping or an existing file."""
        return isinstance(ref, dict) or str(ref) in self.spec.layers or (self.spec.base / str(ref)).exists() \
            or Path(str(ref)).is_absolute() and Path(str(ref)).exists()

    def load(self, ref, key, kind=None):
        """Read (once per audit) the layer ``ref`` given under check key ``key``."""
        if isinstance(ref, dict):
            spec = ref
        elif str(ref) in self.spec.layers:
            spec = self.spec.layers[str(ref)]
        else:
            spec = {"path": str(ref)}
        if "path" not in spec:
            raise self.error(key, f"layer {ref!r} needs a 'path'")
        path = Path(spec["path"])
        if not path.is_absolute():
            path = Path(os.path.normpath(self.spec.base / path))
        if not path.exists():
            raise self.error(key, f"layer {ref!r}: file not found: {path}",
                             hint="Name a layer from 'layers:' or give a path relative to the spec file")
        cache_key = (str(path), spec.get("layer"), spec.get("kind") or kind)
        if cache_key not in self.cache:
            from ecogis.io import read_layer

            self.cache[cache_key] = read_layer(path, kind=spec.get("kind") or kind, layer=spec.get("layer"),
                                               crs=spec.get("crs"), encoding=spec.get("encoding"),
                                               fields=spec.get("fields"))
        return self.cache[cache_key]

    def boundary(self, key, *, required=False):
        """A boundary: a layer name, a path, or an administrative name -> (GeoDataFrame, label)."""
        ref = self.get(key, required=required)
        if ref is None:
            return None, None
        if self.is_layer_ref(ref):
            gdf = self.load(ref, key)
            label = str(ref)
            if "name" in gdf.columns and len(gdf) == 1:
                label = f"{gdf['name'].iloc[0]}（{ref}）"
            return gdf, label
        return A.resolve_boundary(str(ref), base=self.spec.base)


def run_audit(spec: AuditSpec, progress: bool = False) -> AuditReport:
    """Run every check of ``spec`` in order; bad keys or inputs raise EcogisError (exit 2 in the CLI)."""
    cache: dict = {}
    results = []
    checks = spec.checks
    if progress and len(checks) > 1:
        from tqdm import tqdm

        checks = tqdm(checks, desc="audit", unit="check", leave=False, disable=None)  # only on a terminal
    for check in checks:
        ctx = _Ctx(spec, check, cache)
        result = CHECKS[check["type"]](ctx)
        result.title = str(check.get("title") or result.title or ctx.id)
        results.append(result)
    notes = []
    for gdf in cache.values():
        notes += list(getattr(gdf, "attrs", {}).get("ecogis", {}).get("notes") or [])
    return AuditReport(title=spec.title, spec=str(spec.path), checks=results, notes=list(dict.fromkeys(notes)))


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------

def _decimals(x) -> int:
    text = repr(float(x))
    if "e" in text:
        return 6
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def _matches(value: float, declared: float, ctx: _Ctx, what: str, pct_key: str, abs_key: str):
    """Does ``value`` match a published figure? Tolerance: ``abs_key`` (same unit), ``pct_key``
    (% of the declared figure), else "rounds to the declared figure" (half a unit of its last digit)."""
    tol_abs = ctx.get(abs_key, kind=float)
    tol_pct = ctx.get(pct_key, kind=float)
    if tol_abs is None and tol_pct is None:
        tol = 0.5 * 10 ** (-_decimals(declared)) + 1e-9 * abs(declared)
        rule = f"rounds to {declared}"
    elif tol_abs is not None:
        tol, rule = tol_abs, f"± {tol_abs:g}"
    else:
        tol, rule = abs(declared) * tol_pct / 100.0, f"± {tol_pct:g}%"
    return abs(value - declared) <= tol, f"{what} {declared:g} ({rule})"


def _where(gdf, where, ctx: _Ctx, key="where"):
    if not where:
        return gdf
    if not isinstance(where, dict):
        raise ctx.error(key, f"{key!r} must map fields to values or {{op: value}}")
    mask = np.ones(len(gdf), dtype=bool)
    for fld, cond in where.items():
        if fld not in gdf.columns:
            raise ctx.error(key, f"no field {fld!r} in the layer; fields: {', '.join(map(str, gdf.columns))}")
        col = gdf[fld]
        conds = cond if isinstance(cond, dict) else ({"in": cond} if isinstance(cond, list) else {"eq": cond})
        for op, val in conds.items():
            num = pd.to_numeric(col, errors="coerce")
            if op in ("lt", "le", "gt", "ge"):
                try:
                    v = float(val)
                except (TypeError, ValueError):
                    raise ctx.error(key, f"{fld}.{op} needs a number, got {val!r}") from None
                m = {"lt": num < v, "le": num <= v, "gt": num > v, "ge": num >= v}[op]
            elif op == "eq":
                m = col.astype(str) == str(val)
            elif op == "ne":
                m = col.astype(str) != str(val)
            elif op in ("in", "not_in"):
                vals = [str(v) for v in (val if isinstance(val, list) else [val])]
                m = col.astype(str).isin(vals)
                m = ~m if op == "not_in" else m
            elif op == "contains":
                m = col.astype(str).str.contains(str(val), regex=False)
            else:
                raise ctx.error(key, f"unknown operator {op!r} for field {fld!r}; use lt le gt ge eq ne in not_in contains")
            mask &= np.asarray(m.fillna(False), dtype=bool)
    return gdf.loc[mask]


def _unit(ctx):
    return A.normalise_unit(ctx.get("unit", "km2"))


def _method(ctx):
    method = ctx.get("method", "ellipsoid")
    if method not in A.METHODS:
        raise ctx.error("method", f"unknown method {method!r}; use ellipsoid, geodesic or plane")
    return method


def _fmt(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def _names(gdf) -> np.ndarray:
    """Feature labels: the ``name`` (or ``id``) field, else the row number."""
    for col in ("name", "id"):
        if col in gdf.columns:
            return gdf[col].astype(str).to_numpy()
    return np.arange(len(gdf)).astype(str)


def _crs_label(gdf):
    from ecogis.crs import crs_label

    return crs_label(gdf.crs)


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
    unit, method = _unit(ctx), _method(ctx)
    boundary, label = ctx.boundary("within")
    by = ctx.get("by")
    districts = None
    if by == "districts":
        dref, wref = ctx.get("districts"), ctx.get("within")
        if dref is not None and ctx.is_layer_ref(dref):
            districts = ctx.load(dref, "districts")
        elif dref is not None:
            districts = A.resolve_districts(str(dref))  # an administrative name: its districts
        elif wref is not None and not ctx.is_layer_ref(wref):
            districts = A.resolve_districts(None, str(wref))
        else:
            raise ctx.error("districts", "'by: districts' needs 'districts' (a layer) when 'within' is a layer")
    res = A.layer_area(gdf, method=method, unit=unit, within=boundary, within_label=label, by=by,
                       districts=districts, declared=ctx.get("declared", kind=float),
                       declared_share=ctx.get("declared_share", kind=float),
                       boundary_area=ctx.get("boundary_area", kind=float),
                       boundary_area_source=ctx.get("boundary_area_source"))
    if res.boundary_area_source is not None and boundary is None:
        raise ctx.error("boundary_area", "'boundary_area' needs 'within'")
    u = A.unit_label(unit)
    passed, expected = True, []
    if res.declared is not None:
        ok, text = _matches(res.area, res.declared, ctx, "area", "tolerance_pct", "tolerance")
        passed &= ok
        expected.append(f"{text} {u}")
    if res.declared_share_pct is not None:
        if res.share_pct is None:
            raise ctx.error("declared_share", "a declared share needs 'within'")
        ok, text = _matches(res.share_pct, res.declared_share_pct, ctx, "share", "share_tolerance_pct",
                            "share_tolerance_pp")
        passed &= ok
        expected.append(f"{text} %")
    for key, op, val in (("min", ">=", res.area), ("max", "<=", res.area), ("min_share", ">=", res.share_pct),
                         ("max_share", "<=", res.share_pct)):
        limit = ctx.get(key, kind=float)
        if limit is not None:
            if val is None:
                raise ctx.error(key, f"{key!r} needs 'within'")
            passed &= (val >= limit) if op == ">=" else (val <= limit)
            expected.append(f"{key} {op} {limit:g}")
    value = f"{res.area:.2f} {u}" + (f", {res.share_pct:.2f}% of {res.within}" if res.share_pct is not None else "")
    metrics = res.to_dict()
    metrics.pop("groups")
    details = [{**g.to_dict(), "unit": unit} for g in res.groups]
    return CheckResult(ctx.id, ctx.type, "Area and share", value, "; ".join(expected) or "(report only)",
                       bool(passed), metrics, details, method, res.crs, res.notes)


def _check_count_in_zones(ctx: _Ctx) -> CheckResult:
    """Points of ``points`` (filtered by ``where``) per zone of ``zones`` (field ``zone_field``, default
    ``zone`` or ``name``); ``expect`` exact counts, ``max``/``min`` limits per zone ({zone: n})."""
    points = _where(ctx.layer("points"), ctx.get("where"), ctx)
    zones = ctx.layer("zones")
    zfield = ctx.get("zone_field") or ("zone" if "zone" in zones.columns else "name")
    if zfield not in zones.columns:
        raise ctx.error("zone_field", f"no field {zfield!r} in the zones layer; fields: {', '.join(map(str, zones.columns))}")
    zones = _where(zones, ctx.get("zones_where"), ctx, "zones_where")
    pts = points.to_crs(zones.crs) if points.crs != zones.crs else points
    zgeoms = np.asarray(zones.geometry.values, dtype=object)
    tree = shapely.STRtree(zgeoms)
    p_idx, z_idx = tree.query(np.asarray(pts.geometry.values, dtype=object), predicate="intersects")
    zone_names = zones[zfield].astype(str).to_numpy()
    counts = pd.Series(zone_names[z_idx]).value_counts()
    outside = int(len(pts) - len(np.unique(p_idx)))
    expect = ctx.get("expect", {}, kind=dict) or {}
    maxima = ctx.get("max", {}, kind=dict) or {}
    minima = ctx.get("min", {}, kind=dict) or {}
    passed, details, expected = True, [], []
    names = list(dict.fromkeys(list(zone_names) + list(expect) + list(maxima) + list(minima)))
    for name in names:
        n = int(counts.get(name, 0))
        ok = True
        rule = []
        if name in expect:
            ok &= n == int(expect[name])
            rule.append(f"= {int(expect[name])}")
        if name in maxima:
            ok &= n <= int(maxima[name])
            rule.append(f"<= {int(maxima[name])}")
        if name in minima:
            ok &= n >= int(minima[name])
            rule.append(f">= {int(minima[name])}")
        if rule:
            expected.append(f"{name} {' and '.join(rule)}")
        passed &= ok
        details.append({"zone": name, "count": n, "expected": " and ".join(rule) or None,
                        "verdict": None if not rule else ("PASS" if ok else "FAIL")})
    details.append({"zone": "(outside all zones)", "count": outside, "expected": None, "verdict": None})
    value = ", ".join(f"{d['zone']} {d['count']}" for d in details[:-1])
    return CheckResult(ctx.id, ctx.type, "Points per zone", value, "; ".join(expected) or "(report only)",
                       bool(passed), {"counts": {d["zone"]: d["count"] for d in details}, "points": len(pts)},
                       details, None, _crs_label(zones))


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
            raise ctx.error(key, f"no field {fld!r} in the layer; fields: {', '.join(map(str, gdf.columns))}")
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
    require = ctx.get("require_pct")
    require = {"all": require} if isinstance(require, (int, float)) else (require or {})
    counts = ctx.get("expect_count", {}, kind=dict) or {}
    passed, expected = True, []
    for grp, need in require.items():
        got = stats.get(str(grp), {}).get("pct")
        ok = got is not None and got + 1e-9 >= float(need)
        passed &= ok
        expected.append(f"{grp} >= {float(need):g}%")
    for grp, n in counts.items():
        got = stats.get(str(grp), {}).get("sections", 0)
        passed &= got == int(n)
        expected.append(f"{grp}: {int(n)} sections")
    missing = len(frame) - len(assessed)
    value = "; ".join(f"{g} {_fmt(s['pct'])}% ({s['assessed']} sections)" for g, s in stats.items())
    notes = [f"{missing} section(s) without measured or target class not assessed"] if missing else []
    return CheckResult(ctx.id, ctx.type, "Water-quality compliance", value, "; ".join(expected) or "(report only)",
                       bool(passed), {"groups": stats}, details, None, _crs_label(gdf), notes)


def _check_length_share(ctx: _Ctx) -> CheckResult:
    """Geodesic length of lines of ``layer`` whose ``field`` (default type) equals ``value`` over all
    lines, in %; ``expect_pct`` (with tolerance_pp / tolerance_pct; default: rounds to it), ``min_pct``."""
    gdf = _where(ctx.layer("layer"), ctx.get("where"), ctx)
    fld, value = ctx.get("field", "type"), ctx.get("value", required=True)
    if fld not in gdf.columns:
        raise ctx.error("field", f"no field {fld!r} in the layer; fields: {', '.join(map(str, gdf.columns))}")
    lengths = A.geodesic_length(gdf.geometry, gdf.crs)
    keys = gdf[fld].astype(str).to_numpy()
    total = float(lengths.sum())
    if total <= 0:
        raise ctx.error("layer", "the layer has no line length")
    per = pd.Series(lengths).groupby(keys).sum()
    part = float(per.get(str(value), 0.0))
    share = 100.0 * part / total
    passed, expected = True, []
    if ctx.get("expect_pct") is not None:
        ok, text = _matches(share, ctx.get("expect_pct", kind=float), ctx, "share", "tolerance_pct", "tolerance_pp")
        passed &= ok
        expected.append(text + " %")
    if ctx.get("min_pct") is not None:
        passed &= share >= ctx.get("min_pct", kind=float)
        expected.append(f">= {ctx.get('min_pct', kind=float):g}%")
    details = [{"key": k, "length_km": float(v) / 1000.0, "share_pct": 100.0 * float(v) / total} for k, v in per.items()]
    return CheckResult(ctx.id, ctx.type, "Length share",
                       f"{share:.2f}% ({part / 1000:.2f} km of {total / 1000:.2f} km, geodesic, CGCS2000)",
                       "; ".join(expected) or "(report only)", bool(passed),
                       {"share_pct": share, "length_m": part, "total_m": total}, details, "geodesic_length",
                       _crs_label(gdf))


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
        name_a, name_b = _names(gdf), _names(near)
        for i, j, dd in zip(ia[first], ib[first], d[first]):
            row = {"name": name_a[i], "nearest": name_b[j], "distance_m": round(float(dd), 1)}
            for extra in ("capacity_tph", "status", "type"):
                if extra in gdf.columns:
                    row[extra] = gdf[extra].iloc[i]
            details.append(row)
    passed, expected = True, []
    for key, op in (("max_count", "<="), ("expect_count", "=="), ("min_count", ">=")):
        limit = ctx.get(key)
        if limit is not None:
            limit = int(limit)
            passed &= {"<=": n_hit <= limit, "==": n_hit == limit, ">=": n_hit >= limit}[op]
            expected.append(f"count {op} {limit}")
    return CheckResult(ctx.id, ctx.type, "Within distance",
                       f"{n_hit} of {len(gdf)} within {dist:g} m (geodesic, CGCS2000) of {len(near)} features",
                       "; ".join(expected) or "(report only)", bool(passed),
                       {"count": n_hit, "candidates": len(gdf), "near": len(near), "distance_m": dist},
                       details, "geodesic_distance", _crs_label(gdf))


def _check_no_decrease(ctx: _Ctx) -> CheckResult:
    """Two versions of a layer (``before``, ``after``): area lost, gained and net (dissolved, by
    ``method``, in ``unit``); features changed by ``id_field`` (added, removed, reshaped). Fails when
    the net change is below ``-tolerance_m2`` (default 1 m²)."""
    before = ctx.layer("before")
    after = ctx.layer("after")
    if after.crs != before.crs:
        after = after.to_crs(before.crs)
    unit, method = _unit(ctx), _method(ctx)
    crs = before.crs
    kw = {}

    def m2(g):
        return float(A.area(np.atleast_1d(np.asarray(g, dtype=object)), crs, method, **kw).sum())

    b_geoms = A.polygon_geometries(before, what="before layer")
    a_geoms = A.polygon_geometries(after, what="after layer")
    b_all, a_all = shapely.union_all(b_geoms), shapely.union_all(a_geoms)
    lost, gained = m2(shapely.difference(b_all, a_all)), m2(shapely.difference(a_all, b_all))
    area_b, area_a = m2(b_all), m2(a_all)
    net = area_a - area_b
    tol = ctx.get("tolerance_m2", 1.0, kind=float)
    conv = lambda v: float(A.convert_area(v, unit))  # noqa: E731
    details = [{**row, "unit": unit} for row in _changed_features(before, after, ctx.get("id_field"), ctx, m2, conv)]
    u = A.unit_label(unit)
    value = (f"before {conv(area_b):.4f} {u}, after {conv(area_a):.4f} {u}; lost {conv(lost):.4f}, "
             f"gained {conv(gained):.4f}, net {conv(net):+.4f} {u}")
    return CheckResult(ctx.id, ctx.type, "No decrease", value, f"net >= -{tol:g} m²", bool(net >= -tol),
                       {"before": conv(area_b), "after": conv(area_a), "lost": conv(lost), "gained": conv(gained),
                        "net": conv(net), "unit": unit, "changed_features": len(details)},
                       details, method, _crs_label(before))


def _changed_features(before, after, id_field, ctx, m2, conv):
    if not id_field:
        return []
    for name, gdf in (("before", before), ("after", after)):
        if id_field not in gdf.columns:
            raise ctx.error("id_field", f"no field {id_field!r} in the {name} layer")
    b = before.dissolve(by=id_field)
    a = after.dissolve(by=id_field)
    rows = []
    for key in b.index.difference(a.index):
        rows.append({"id": key, "change": "removed", "before": conv(m2(b.geometry[key])), "after": 0.0})
    for key in a.index.difference(b.index):
        rows.append({"id": key, "change": "added", "before": 0.0, "after": conv(m2(a.geometry[key]))})
    common = b.index.intersection(a.index)
    if len(common):
        gb = np.asarray(b.geometry.loc[common].values, dtype=object)
        ga = np.asarray(a.geometry.loc[common].values, dtype=object)
        changed = ~shapely.equals(gb, ga)
        for key, g1, g2 in zip(common[changed], gb[changed], ga[changed]):
            rows.append({"id": key, "change": "reshaped", "before": conv(m2(g1)), "after": conv(m2(g2)),
                         "lost": conv(m2(shapely.difference(g1, g2))), "gained": conv(m2(shapely.difference(g2, g1)))})
    return rows


def _check_topology(ctx: _Ctx) -> CheckResult:
    """Topology of ``layer``: overlaps between its own features (``max_self_overlap_m2``, default 0 —
    set ``self_overlap: false`` to skip), parts outside ``boundary`` and slivers (pieces smaller than
    ``sliver_m2``, default 100 m²; ``max_outside_m2``, ``max_slivers``), gaps (holes of the
    dissolved layer smaller than ``gap_m2``, default 1000 m²; ``max_gaps``), and overlaps with each layer
    in ``must_not_overlap`` (``max_overlap_m2``, default 0). Areas ellipsoidal, m²."""
    gdf = ctx.layer("layer")
    crs = gdf.crs
    geoms, rows = A.polygon_geometries(gdf, return_index=True)
    names = _names(gdf)[rows]
    method = _method(ctx)

    def m2(g):
        return A.area(np.atleast_1d(np.asarray(g, dtype=object)), crs, method)

    details, metrics, expected, passed = [], {}, [], True
    if ctx.get("self_overlap", True):
        tree = shapely.STRtree(geoms)
        i, j = tree.query(geoms, predicate="intersects")
        keep = i < j
        i, j = i[keep], j[keep]
        inter = shapely.intersection(geoms[i], geoms[j])
        areas = m2(inter) if len(inter) else np.zeros(0)
        pos = areas > 0.01
        for a_, b_, ar in zip(i[pos], j[pos], areas[pos]):
            details.append({"issue": "self_overlap", "feature": names[a_], "other": names[b_], "area_m2": float(ar)})
        total = float(areas[pos].sum())
        limit = ctx.get("max_self_overlap_m2", 0.0, kind=float)
        metrics["self_overlap_m2"] = total
        metrics["self_overlap_pairs"] = int(pos.sum())
        passed &= total <= limit
        expected.append(f"self overlap <= {limit:g} m²")
    dissolved = shapely.union_all(geoms)
    boundary, label = ctx.boundary("boundary")
    if boundary is not None:
        b = A._boundary_in(boundary, crs)
        bgeom = shapely.union_all(A.polygon_geometries(b, what="boundary"))
        outside = shapely.get_parts(shapely.difference(dissolved, bgeom))
        outside = outside[shapely.get_type_id(outside) == 3] if len(outside) else outside
        out_m2 = m2(outside) if len(outside) else np.zeros(0)
        sliver = ctx.get("sliver_m2", 100.0, kind=float)
        n_sliver = int((out_m2 < sliver).sum())
        metrics.update(outside_m2=float(out_m2.sum()), slivers=n_sliver, boundary=label)
        for g, ar in zip(outside, out_m2):
            c = shapely.centroid(g)
            details.append({"issue": "sliver_outside" if ar < sliver else "outside_boundary", "feature": None,
                            "other": label, "area_m2": float(ar), "x": c.x, "y": c.y})
        lim_out = ctx.get("max_outside_m2")
        if lim_out is not None:
            passed &= float(out_m2.sum()) <= float(lim_out)
            expected.append(f"outside {label} <= {float(lim_out):g} m²")
        lim_sl = int(ctx.get("max_slivers", 0))
        passed &= n_sliver <= lim_sl
        expected.append(f"slivers (< {sliver:g} m²) <= {lim_sl}")
    gap_max = ctx.get("gap_m2", 1000.0, kind=float)
    rings, ring_part = shapely.get_rings(shapely.get_parts(dissolved), return_index=True)
    interiors = shapely.polygons(rings[np.r_[False, ring_part[1:] == ring_part[:-1]]]) if len(rings) else rings
    gap_m2 = m2(interiors) if len(interiors) else np.zeros(0)
    small = gap_m2 < gap_max
    for g, ar in zip(np.asarray(interiors)[small], gap_m2[small]):
        c = shapely.centroid(g)
        details.append({"issue": "gap", "feature": None, "other": None, "area_m2": float(ar), "x": c.x, "y": c.y})
    metrics["gaps"] = int(small.sum())
    lim_gap = int(ctx.get("max_gaps", 0))
    passed &= int(small.sum()) <= lim_gap
    expected.append(f"gaps (< {gap_max:g} m²) <= {lim_gap}")
    others = ctx.get("must_not_overlap", [], kind=list) or []
    limit = ctx.get("max_overlap_m2", 0.0, kind=float)
    for other_ref in others:
        other = ctx.load(other_ref, "must_not_overlap")
        other = other.to_crs(crs) if other.crs != crs else other
        og = A.polygon_geometries(other, what=str(other_ref))
        onames = _names(other)[A.polygon_geometries(other, return_index=True)[1]]
        tree = shapely.STRtree(og)
        i, j = tree.query(geoms, predicate="intersects")
        inter = shapely.intersection(geoms[i], og[j]) if len(i) else np.zeros(0, dtype=object)
        areas = m2(inter) if len(inter) else np.zeros(0)
        pos = areas > 0.01
        for a_, b_, ar in zip(i[pos], j[pos], areas[pos]):
            details.append({"issue": f"overlaps {other_ref}", "feature": names[a_], "other": onames[b_],
                            "area_m2": float(ar)})
        total = float(m2(shapely.intersection(dissolved, shapely.union_all(og)))[0])
        metrics[f"overlap_{other_ref}_m2"] = total
        passed &= total <= limit
        expected.append(f"overlap with {other_ref} <= {limit:g} m²")
    value = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
    return CheckResult(ctx.id, ctx.type, "Topology", value, "; ".join(expected), bool(passed), metrics, details,
                       method, _crs_label(gdf))


CHECKS = {
    "area_share": _check_area_share,
    "count_in_zones": _check_count_in_zones,
    "compliance": _check_compliance,
    "length_share": _check_length_share,
    "within_distance": _check_within_distance,
    "no_decrease": _check_no_decrease,
    "topology": _check_topology,
}
