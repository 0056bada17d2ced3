"""Readers and writers. ``read_layer`` is the one entry point for every vector format ecogis takes.

:func:`read_layer_info` returns the GeoDataFrame and, beside it, a :class:`ecogis.layer_info.LayerInfo`:
``path``, ``format``, ``layer``, ``kind``, ``crs`` (``EPSG:n`` or the web-map name it was converted from),
``crs_source`` (``file`` | ``inferred`` | ``user``), ``encoding``, ``encoding_source``
(``cpg`` | ``detected`` | ``user`` | ``file``) and ``notes`` (every assumption made, also emitted as an
:class:`ecogis.errors.AssumptionWarning`). :func:`read_layer` returns the frame alone; its
``gdf.attrs["ecogis"]`` holds the same info as a dict.
"""
from ecogis.io.read import read_layer, read_layer_info  # noqa: F401
from ecogis.io.write import write_layer  # noqa: F401
