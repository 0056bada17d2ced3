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

Check types (in :mod:`ecogis.audit_checks`: :data:`CHECKS`, the keys each takes in :data:`CHECK_KEYS`,
and each ``_check_*`` docstring): ``area_share``, ``count_in_zones``, ``compliance``, ``length_share``,
``within_distance``, ``no_decrease``, ``topology``. Each returns a :class:`CheckResult` with the value, the expectation
(both as :class:`~ecogis.area.Text`, Chinese and English), a verdict and detail rows; areas are
ellipsoidal (CGCS2000, official) unless ``method`` says otherwise, distances and lengths geodesic.
This module loads and validates the spec and runs the checks.
``title`` / ``title_en`` name the spec and each check in the two languages. The keys are checked
when the spec is loaded, before any data is read; assumptions made while running (guessed CRS,
encoding) are kept in the notes of the check that met them.

Feature filters (``where``, ``near_where``): ``{field: value}``, ``{field: [v1, v2]}`` or
``{field: {lt|le|gt|ge|eq|ne|in|not_in|contains: value}}``. A field the layer lacks, or a value no feature
has, is an error listing what is there (a misspelt filter would silently match nothing or everything).
"""
from __future__ import annotations

import math
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ecogis import area as A
from ecogis.area import Text, text_in
from ecogis.audit_checks import (CHECK_KEYS, CHECKS, COMMON_KEYS, PERCENT_KEYS, POSITIVE_KEYS, REQUIRED_KEYS,
                                 CheckResult, area_method, area_unit, count_map, required_pcts, whole_number)
from ecogis.errors import AssumptionWarning, EcogisError, warn_assumption
from ecogis.io.boundary_refs import resolve_boundary
from ecogis.yamlio import line_of, load_yaml_lines

__all__ = ["AuditReport", "AuditSpec", "CHECKS", "CHECK_KEYS", "CheckResult", "REQUIRED_KEYS", "load_spec",
           "recorded_assumptions", "run_audit"]


@dataclass
class AuditReport:
    title: Text | str
    spec: str
    checks: list[CheckResult]
    notes: list = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self, lang: str = "zh") -> dict:
        return {"title": text_in(self.title, lang), "spec": self.spec, "passed": self.passed,
                "failed": [c.id for c in self.checks if not c.passed],
                "checks": [c.to_dict(lang) for c in self.checks], "notes": [text_in(n, lang) for n in self.notes],
                "outputs": self.outputs}


@contextmanager
def recorded_assumptions(notes: list):
    """Record the AssumptionWarnings raised in the block in ``notes`` (once each) instead of passing them on.

    The report is then the one place where they appear. When the block raises, the recorded warnings
    are raised again (so the CLI shows them next to the error); other warnings always pass through.
    """
    failed = True
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AssumptionWarning)
            yield notes
        failed = False
    finally:
        for w in caught:
            if issubclass(w.category, AssumptionWarning) and not failed:
                if str(w.message) not in notes:
                    notes.append(str(w.message))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


# --------------------------------------------------------------------------------------------------
# spec loading
# --------------------------------------------------------------------------------------------------

@dataclass
class AuditSpec:
    path: Path
    title: Text
    defaults: dict
    layers: dict
    checks: list[dict]

    @property
    def base(self) -> Path:
        return self.path.parent


def load_spec(path) -> AuditSpec:
    """Read and validate the structure of an audit YAML file (EcogisError naming the check and key)."""
    path = Path(path)
    data = load_yaml_lines(path)
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list) or not data["checks"]:
        raise EcogisError("an audit spec is a mapping with a non-empty list 'checks'", path=path, field="checks",
                          hint="See scripts/panjin_audit.yaml for an example")
    layers = data.get("layers") or {}
    if not isinstance(layers, dict):
        raise EcogisError("'layers' must map names to {path: ..., kind: ...}", path=path, field="layers")
    for name, spec in layers.items():
        if isinstance(spec, str):
            layers[name] = {"path": spec}
        elif not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise EcogisError(f"{_at(layers, name)}layer {name!r} needs a 'path' (a file name)", path=path,
                              field=f"layers.{name}.path")
    seen: dict = {}
    for i, check in enumerate(data["checks"]):
        if not isinstance(check, dict):
            raise EcogisError(f"line {data['checks'].lines[i]}: check #{i + 1} is not a mapping", path=path,
                              field="checks")
        check.setdefault("id", f"check_{i + 1}")
        ctype = check.get("type")
        if not isinstance(check["id"], (str, int)):
            raise EcogisError(f"{_at(check, 'id')}check #{i + 1}: 'id' must be a name, got {check['id']!r}",
                              path=path, field="id")
        if not isinstance(ctype, str) or ctype not in CHECKS:
            raise EcogisError(f"{_at(check, 'type')}check {check['id']!r}: unknown type {ctype!r}; "
                              f"known: {', '.join(CHECKS)}", path=path, field="type")
        if check["id"] in seen:
            raise EcogisError(f"{_at(check, 'id')}check id {check['id']!r} is used twice (first on line "
                              f"{seen[check['id']]})", path=path, field="id")
        seen[check["id"]] = line_of(check, "id")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise EcogisError("'defaults' must map keys to values, e.g. {unit: km2, method: ellipsoid}", path=path,
                          field="defaults")
    title = str(data.get("title") or path.stem)
    spec = AuditSpec(path=path, title=Text(title, str(data.get("title_en") or title)), defaults=defaults, layers=layers,
                     checks=data["checks"])
    for check in spec.checks:
        _validate_keys(_Ctx(spec, check, {}))
    return spec


def _at(obj, key=None) -> str:
    """"line N: " for a key (or a mapping) read from the spec, else ""."""
    line = line_of(obj, key)
    return f"line {line}: " if line else ""


def _validate_keys(ctx: "_Ctx") -> None:
    """Check a check's keys before any data is read: known keys, numbers, units, methods, layer names."""
    known = {**COMMON_KEYS, **CHECK_KEYS[ctx.type]}
    for key in ctx.check:
        if key not in known:
            raise ctx.error(key, f"unknown key {key!r}; {ctx.type} takes {', '.join(k for k in known if k != 'id')}")
    for key in REQUIRED_KEYS[ctx.type]:
        ctx.get(key, required=True)
    area_unit(ctx)
    area_method(ctx)
    if ctx.type == "compliance":
        required_pcts(ctx)
    for key, kind in CHECK_KEYS[ctx.type].items():
        if key not in ctx.check:
            continue
        if kind in (float, int, dict, list):
            ctx.get(key, kind=kind)
        elif kind is bool and not isinstance(ctx.check[key], bool):
            raise ctx.error(key, f"{key!r} must be true or false, got {ctx.check[key]!r}")
        elif kind == "counts":
            count_map(ctx, key)
        elif kind == "layer" and not ctx.is_layer_ref(ctx.check[key]):
            raise ctx.error(key, f"{ctx.check[key]!r} is neither a layer of 'layers:' ({', '.join(ctx.spec.layers)}) "
                                 "nor an existing file", hint="Fix the name, or add the layer under 'layers:'")
    for ref in ctx.get("must_not_overlap", [], kind=list) or []:
        if not ctx.is_layer_ref(ref):
            raise ctx.error("must_not_overlap", f"{ref!r} is neither a layer of 'layers:' nor an existing file")


class _Ctx:
    """One check being run: typed access to its keys with errors naming the check and the key."""

    def __init__(self, spec: AuditSpec, check: dict, cache: dict):
        self.spec, self.check, self.cache = spec, check, cache
        self.id, self.type = check["id"], check["type"]
        self.layer_notes: list = []  # the readers' notes (guessed CRS, encoding) of the layers this check read
        self.loaded: dict = {}  # ref -> GeoDataFrame of the layers this check read (for the datum comparison)

    def error(self, key, message, hint=None) -> EcogisError:
        line = line_of(self.check, key)
        where = f", line {line}" if line else ""
        return EcogisError(f"check {self.id!r} ({self.type}{where}): {message}", path=self.spec.path, field=key,
                           hint=hint)

    def get(self, key, default=None, *, required=False, kind=None):
        if key in self.check:
            value = self.check[key]
        elif key in self.spec.defaults:
            value = self.spec.defaults[key]
        elif required:
            raise self.error(key, f"missing key {key!r}",
                             hint=f"A {self.type} check needs {', '.join(REQUIRED_KEYS.get(self.type, (key,)))}")
        else:
            return default
        if kind is not None and value is not None:
            try:
                if kind is float:
                    value = float(value)
                    if not math.isfinite(value):
                        raise ValueError
                elif kind is int:
                    value = whole_number(value)
                elif kind is dict and not isinstance(value, dict):
                    raise TypeError
                elif kind is list:
                    value = value if isinstance(value, list) else [value]
            except (TypeError, ValueError):
                what = {float: "a number", int: "a whole number", dict: "a mapping {name: value}"}.get(kind, kind.__name__)
                raise self.error(key, f"{key!r} must be {what}, got {value!r}",
                                 hint="Write plain numbers in the spec, without units or % signs") from None
            if kind in (float, int):
                self._check_range(key, value)
        return value

    def _check_range(self, key, value) -> None:
        """Numbers are 0 or more; published areas and distances above 0; percentages at most 100."""
        positive = key in POSITIVE_KEYS
        if (value <= 0 if positive else value < 0) or (key in PERCENT_KEYS and value > 100):
            allowed = ("above 0" if positive else "0 or more") + (" and at most 100 (%)" if key in PERCENT_KEYS else "")
            raise self.error(key, f"{key!r} must be {allowed}, got {value!r}")

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
        gdf = self.cache[cache_key]
        self.layer_notes += [n for n in gdf.attrs.get("ecogis", {}).get("notes") or [] if n not in self.layer_notes]
        self._warn_mixed_datums(str(ref), gdf)
        return gdf

    def _warn_mixed_datums(self, ref: str, gdf) -> None:
        """Say so when this check overlays layers on datums PROJ cannot convert between (Xian 1980, CGCS2000)."""
        from ecogis.crs import datum_mismatch_note

        for other_ref, other in self.loaded.items():
            note = None if other_ref == ref else datum_mismatch_note(other.crs, gdf.crs)
            if note:
                warn_assumption(f"layers {other_ref} and {ref} are on different datums: {note}")
        self.loaded[ref] = gdf

    def boundary(self, key, *, required=False):
        """A boundary: a layer name, a path, or an administrative name -> (GeoDataFrame, label)."""
        ref = self.get(key, required=required)
        if ref is None:
            return None, None
        if self.is_layer_ref(ref):
            gdf = self.load(ref, key)
            return gdf, A.boundary_label(gdf, str(ref))
        return resolve_boundary(str(ref), base=self.spec.base)


def run_audit(spec: AuditSpec, progress: bool = False) -> AuditReport:
    """Run every check of ``spec`` in order; bad keys or inputs raise EcogisError (exit 2 in the CLI).

    Assumptions (guessed CRS or encoding, repaired polygons, ...) are not raised as warnings but kept
    in each check's ``notes`` and, all together, in the report's ``notes``.
    """
    cache: dict = {}
    results = []
    checks = spec.checks
    if progress and len(checks) > 1:
        from tqdm import tqdm

        checks = tqdm(checks, desc="audit", unit="check", leave=False, disable=None)  # only on a terminal
    for check in checks:
        results.append(_run_check(_Ctx(spec, check, cache)))
    notes = list(dict.fromkeys(n for r in results for n in r.notes))
    return AuditReport(title=spec.title, spec=str(spec.path), checks=results, notes=notes)


def _run_check(ctx: _Ctx) -> CheckResult:
    """One check; its notes are the notes of the layers it read and the assumptions made while running.

    An EcogisError from deeper down (a reader, the area engine) is given the check id and the spec file.
    """
    raised: list = []
    try:
        with recorded_assumptions(raised):
            result = CHECKS[ctx.type](ctx)
    except EcogisError as exc:
        if exc.reason.startswith(f"check {ctx.id!r}"):
            raise
        where = "" if not exc.path or Path(exc.path) == ctx.spec.path else f" in {ctx.spec.path}"
        raise EcogisError(f"check {ctx.id!r} ({ctx.type}){where}: {exc.reason}", path=exc.path or ctx.spec.path,
                          feature=exc.feature, field=exc.field, hint=exc.hint) from exc
    title, title_en = ctx.check.get("title"), ctx.check.get("title_en")
    if title or title_en:  # the spec's own title (Chinese) and its English version (title_en)
        result.title = Text(str(title or title_en), str(title_en or title))
    result.notes = list(dict.fromkeys(ctx.layer_notes + raised + list(result.notes)))
    return result
