"""Importing a large module with the cyclic garbage collector paused (:func:`first_imports`)."""
from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def first_imports(module: str) -> Iterator[None]:
    """The block imports ``module`` and the libraries under it (the check: geopandas, pandas, pyproj,
    shapely, about half a second; an HTML report: folium, branca, jinja2) with the cyclic garbage
    collector paused: an import creates long-lived objects only, which the collector would traverse
    again and again (about 7 % of the import time). Once the first import is done, the objects it made
    are moved out of the collector's reach (``gc.freeze``: they live as long as the process) and the
    collector runs again. Nothing changes when ``module`` is already imported."""
    if module in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
