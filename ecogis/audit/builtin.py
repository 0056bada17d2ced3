"""The built-in check types, one module each in :mod:`ecogis.audit.checks`: importing this module
registers them all, and :data:`CHECK_TYPES` here is the registry with them in it."""
from ecogis.audit.checks import (  # noqa: F401 (each module registers its check type)
    area_share,
    compliance,
    distance,
    length_share,
    no_decrease,
    topology,
    zone_counts,
)
from ecogis.audit.registry import CHECK_TYPES

__all__ = ["CHECK_TYPES"]
