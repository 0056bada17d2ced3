"""ecogis: ecological space control for China.

Data flows one way: read -> normalise -> analyse -> render. The names below are the public API. Each
is imported from its module on first use, so that ``import ecogis`` (and ``ecogis --help``) loads
neither geopandas, pandas nor pyproj, let alone a report, map or raster library.
"""
# ruff: noqa: F401  (the names under TYPE_CHECKING are the public API, listed in __all__ through _LAZY)
from __future__ import annotations

import importlib
import logging
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())  # progress and debug: the application decides

#: public name -> "module" (the same name there) or "module:attribute"
_LAZY = {
    **dict.fromkeys(["AreaGroup", "AreaResult", "convert_area", "ellipsoidal_area", "geodesic_area",
                     "geodesic_length", "layer_area"], "ecogis.area"),
    **dict.fromkeys(["get_boundary", "get_districts"], "ecogis.boundaries"),
    "check": "ecogis.check",
    "BatchCheck": "ecogis.check_batch",
    **dict.fromkeys(["CheckResult", "Finding", "SiteSummary"], "ecogis.check_result"),
    "ConversionResult": "ecogis.convert",
    **dict.fromkeys(["describe_crs", "resolve_crs"], "ecogis.crs"),
    "infer_crs": "ecogis.crs_infer",
    **dict.fromkeys(["LayerDescription", "LayerListing", "LayerSummary", "describe_frame", "describe_layer",
                     "guess_kind", "list_layers"], "ecogis.describe"),
    **dict.fromkeys(["AssumptionWarning", "EcogisError"], "ecogis.errors"),
    **dict.fromkeys(["read_layer", "read_layer_info", "write_layer"], "ecogis.io"),
    **dict.fromkeys(["read_exchange", "write_exchange"], "ecogis.io.exchange"),
    "LayerInfo": "ecogis.layer_info",
    "normalise_layer": "ecogis.layers",
    **dict.fromkeys(["Note", "Notes"], "ecogis.notes"),
    "load_project": "ecogis.project",
    **dict.fromkeys(["Issue", "RepairResult", "ValidationReport", "repair_layer", "validate_layer"],
                    "ecogis.validate"),
    "make_map": "ecogis.render.folium_map",
    "AuditReport": "ecogis.audit.result",
    "AuditCheckResult": "ecogis.audit.result:CheckResult",
    "ZonalResult": "ecogis.raster.zonal",
    "ChangeResult": "ecogis.raster.change",
    "render_static": "ecogis.render.static_map",
    "zonal_composition": "ecogis.raster",
    "change_detection": "ecogis.raster",
    "load_spec": "ecogis.audit",
    "run_audit": "ecogis.audit",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:  # "module" or "module:attribute"
        module, _, attribute = _LAZY[name].partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module 'ecogis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """The ``ecogis`` module: importing the submodule ``ecogis.check`` does not replace the function
    ``ecogis.check`` (the import system binds a submodule on its package; the public name wins)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == value.__name__:
            return  # the submodule stays reachable as sys.modules["ecogis.check"]
        super().__setattr__(name, value)


import sys as _sys  # noqa: E402  (after the class it needs)

_sys.modules[__name__].__class__ = _Package

if TYPE_CHECKING:  # the names as type checkers and editors see them
    from ecogis.area import (
        AreaGroup,
        AreaResult,
        convert_area,
        ellipsoidal_area,
        geodesic_area,
        geodesic_length,
        layer_area,
    )
    from ecogis.audit import load_spec, run_audit
    from ecogis.audit.result import AuditReport
    from ecogis.audit.result import CheckResult as AuditCheckResult
    from ecogis.boundaries import get_boundary, get_districts
    from ecogis.check import check
    from ecogis.check_batch import BatchCheck
    from ecogis.check_result import CheckResult, Finding, SiteSummary
    from ecogis.convert import ConversionResult
    from ecogis.crs import describe_crs, resolve_crs
    from ecogis.crs_infer import infer_crs
    from ecogis.describe import (
        LayerDescription,
        LayerListing,
        LayerSummary,
        describe_frame,
        describe_layer,
        guess_kind,
        list_layers,
    )
    from ecogis.errors import AssumptionWarning, EcogisError
    from ecogis.io import read_layer, read_layer_info, write_layer
    from ecogis.io.exchange import read_exchange, write_exchange
    from ecogis.layer_info import LayerInfo
    from ecogis.layers import normalise_layer
    from ecogis.notes import Note, Notes
    from ecogis.project import load_project
    from ecogis.raster import change_detection, zonal_composition
    from ecogis.raster.change import ChangeResult
    from ecogis.raster.zonal import ZonalResult
    from ecogis.render.folium_map import make_map
    from ecogis.render.static_map import render_static
    from ecogis.validate import Issue, RepairResult, ValidationReport, repair_layer, validate_layer
