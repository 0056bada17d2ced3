"""ecogis: ecological space control for China.

Data flows one way: read -> normalise -> analyse -> render. The names below are the public API;
map and raster functions are imported on first use so that ``import ecogis`` stays light.
"""
import importlib
import logging

from ecogis.area import (
    AreaGroup,
    AreaResult,
    convert_area,
    ellipsoidal_area,
    geodesic_area,
    geodesic_length,
    layer_area,
)
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
from ecogis.validate import Issue, RepairResult, ValidationReport, repair_layer, validate_layer

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())  # progress and debug: the application decides

_LAZY = {
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

__all__ = [
    "AreaGroup", "AreaResult", "AssumptionWarning", "AuditCheckResult", "AuditReport", "BatchCheck", "CheckResult",
    "ConversionResult", "EcogisError", "Finding", "Issue", "LayerDescription", "LayerInfo", "LayerListing",
    "LayerSummary", "Note", "Notes", "RepairResult", "SiteSummary", "ValidationReport",
    "check", "convert_area", "describe_crs", "describe_frame", "describe_layer", "ellipsoidal_area",
    "geodesic_area", "geodesic_length", "get_boundary", "get_districts", "guess_kind", "infer_crs",
    "layer_area", "list_layers", "load_project", "normalise_layer", "read_exchange", "read_layer", "read_layer_info",
    "repair_layer", "resolve_crs", "validate_layer", "write_exchange", "write_layer", *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:  # "module" or "module:attribute"
        module, _, attribute = _LAZY[name].partition(":")
        return getattr(importlib.import_module(module), attribute or name)
    raise AttributeError(f"module 'ecogis' has no attribute {name!r}")
