"""Readers and writers. ``read_layer`` is the one entry point for every vector format ecogis takes.

Every GeoDataFrame it returns carries ``gdf.attrs["ecogis"]``, a dict with:
``path``, ``layer``, ``kind``, ``crs`` (``EPSG:n`` or the web-map name it was converted from),
``crs_source`` (``file`` | ``inferred`` | ``user``), ``encoding``, ``encoding_source``
(``cpg`` | ``detected`` | ``user`` | ``file``) and ``notes`` (every assumption made, also emitted as an
:class:`ecogis.errors.AssumptionWarning`).
"""
from ecogis.io.read import read_layer  # noqa: F401
from ecogis.io.write import write_layer  # noqa: F401
