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

Check types, one module each in :mod:`ecogis.audit.checks`, registered by
:func:`~ecogis.audit.registry.check_type` in :data:`CHECK_TYPES` (with the keys each takes; see each
``check_*`` docstring): ``area_share``, ``count_in_zones``, ``compliance``, ``length_share``,
``within_distance``, ``no_decrease``, ``topology``. Each returns a :class:`CheckResult` with the value,
the expectation (both as :class:`~ecogis.area.Text`, Chinese and English), a verdict and detail rows;
areas are ellipsoidal (CGCS2000, official) unless ``method`` says otherwise, distances and lengths
geodesic. ``title`` / ``title_en`` name the spec and each check in the two languages.

- :mod:`~ecogis.audit.spec`: :func:`load_spec` reads the YAML and checks every key before any data is
  read (errors name the line);
- :mod:`~ecogis.audit.context`: :class:`AuditSpec` and :class:`CheckContext`, what a check function
  reads its keys and layers through;
- :mod:`~ecogis.audit.runner`: :func:`run_audit`; assumptions made while running (guessed CRS,
  encoding) are kept in the notes of the check that met them;
- :mod:`~ecogis.audit.common`: what the checks share, among it the feature filters (``where``,
  ``near_where``).
"""
from ecogis.audit.builtin import CHECK_TYPES
from ecogis.audit.context import AuditSpec, CheckContext
from ecogis.audit.registry import CheckType, check_type
from ecogis.audit.result import AuditReport, CheckResult
from ecogis.audit.runner import recorded_assumptions, run_audit
from ecogis.audit.spec import load_spec

__all__ = ["AuditReport", "AuditSpec", "CHECKS", "CHECK_KEYS", "CHECK_TYPES", "CheckContext", "CheckResult",
           "CheckType", "REQUIRED_KEYS", "check_type", "load_spec", "recorded_assumptions", "run_audit"]

#: Views of :data:`CHECK_TYPES` under their former names: type -> function, -> its keys, -> its required keys.
_VIEWS = {"CHECKS": lambda t: t.run, "CHECK_KEYS": lambda t: t.keys, "REQUIRED_KEYS": lambda t: t.required}


def __getattr__(name):
    if name in _VIEWS:
        return {type_name: _VIEWS[name](t) for type_name, t in CHECK_TYPES.items()}
    raise AttributeError(f"module 'ecogis.audit' has no attribute {name!r}")
