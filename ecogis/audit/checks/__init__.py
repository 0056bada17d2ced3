"""The check types, one module each; importing this package registers them all in
:data:`CHECK_TYPES` (see :mod:`ecogis.audit.registry`)."""
from ecogis.audit.checks import area_share, compliance, distance, length_share, no_decrease, topology, zone_counts  # noqa: F401
from ecogis.audit.registry import CHECK_TYPES

__all__ = ["CHECK_TYPES"]
