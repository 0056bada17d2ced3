"""ecogis: ecological space control for China.

Data flows one way: read -> normalise -> analyse -> render.
"""
from ecogis.errors import AssumptionWarning, EcogisError  # noqa: F401
from ecogis.io import read_layer, write_layer  # noqa: F401

__version__ = "0.1.0"
