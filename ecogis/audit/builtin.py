"""The built-in check types, one module each in :mod:`ecogis.audit.checks`: importing this module
registers them all, and :data:`CHECK_TYPES` here is the registry with them in it."""
from ecogis.audit.registry import CHECK_TYPES

# isort: off
# (registered in the order the types are listed to users: areas, counts, compliance, lengths, distances,
# changes, topology)
from ecogis.audit.checks import (  # noqa: F401 (each module registers its check type)
    area_share,
    zone_counts,
    compliance,
    length_share,
    distance,
    no_decrease,
    topology,
    unit_areas,
)
# isort: on

__all__ = ["CHECK_TYPES"]
