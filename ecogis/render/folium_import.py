"""Importing folium for a report: its element templates from the cache folder
(:mod:`ecogis.render.folium_templates`) and its network library loaded only if used (:func:`load_folium_map`).

folium imports ``requests`` (≈ 45 ms: urllib3, http.cookiejar...) only to download a GeoJSON given as a
URL, which ecogis never does. :func:`load_folium_map` imports it lazily: the module is loaded when one of
its attributes is first used (:func:`lazy_import`).
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

from ecogis.first_imports import first_imports
from ecogis.render.folium_templates import compiled_templates

_LOCK = threading.RLock()

#: folium's imports that only some of its elements use (see the module text)
LAZY = ("requests",)


def load_folium_map():
    """The module :mod:`ecogis.render.folium_map`, imported (with folium) inside :func:`compiled_templates`
    and with the garbage collector paused (:func:`ecogis.first_imports.first_imports`), with :data:`LAZY`
    imported lazily when folium is not imported yet."""
    if "folium" not in sys.modules:
        for name in LAZY:
            lazy_import(name)
    with compiled_templates(), first_imports("ecogis.render.folium_map"):
        from ecogis.render import folium_map
    return folium_map


def lazy_import(name: str) -> None:
    """Put a stand-in for module ``name`` into ``sys.modules`` that imports the module at its first attribute
    lookup (nothing when it is imported already or not installed)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is not None:
        sys.modules[name] = _Deferred(spec)


class _Deferred(types.ModuleType):
    """Stands in ``sys.modules`` for a module not loaded yet. An ``import`` statement of the module only
    binds it (Python 3.11 reads its ``__spec__`` there, which is why ``importlib.util.LazyLoader``, which
    loads at any attribute lookup, loads at the import statement); its first other attribute lookup imports
    the real module (which replaces the stand-in in ``sys.modules``), and copies its names here."""

    def __init__(self, spec):
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__loader__ = spec.loader

    def __getattr__(self, attr: str):
        name = self.__name__
        with _LOCK:
            if sys.modules.get(name) is self:
                del sys.modules[name]
            module = importlib.import_module(name)
            self.__dict__.update(module.__dict__)
        return getattr(module, attr)
