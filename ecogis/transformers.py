"""Coordinate transformers reused within a thread.

Building a :class:`pyproj.Transformer` costs about a millisecond (PROJ looks up the coordinate
operation between the two CRSs), and a single check builds the same few of them (a GK zone to its
geographic CRS, a layer's CRS to CGCS2000 ...) dozens of times: once per area computed, per layer
clipped. Here each is built once per thread and CRS pair and then reused; a transformer is stateless,
so the coordinates it gives are those of a new one. Keyed by the CRSs' definitions (``CRS.srs``,
the text the CRS was made from) and ``always_xy``; one dict per thread (as PROJ advises for its
objects), a few entries each.
"""
from __future__ import annotations

import threading
from typing import Any

import pyproj

_LOCAL = threading.local()


def transformer(src: Any, dst: Any, *, always_xy: bool = True) -> pyproj.Transformer:
    """``pyproj.Transformer.from_crs(src, dst, always_xy=always_xy)``, built once per thread."""
    key = (_definition(src), _definition(dst), always_xy)
    known = _known()
    if key not in known:
        known[key] = pyproj.Transformer.from_crs(src, dst, always_xy=always_xy)
    return known[key]


def to_geodetic(crs: pyproj.CRS) -> pyproj.Transformer:
    """``crs`` -> its own geographic CRS (``crs.geodetic_crs``, degrees, x = longitude), built once per thread."""
    key = (_definition(crs), "geodetic", True)
    known = _known()
    if key not in known:
        known[key] = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    return known[key]


def _known() -> dict:
    known: dict = _LOCAL.__dict__.setdefault("known", {})
    return known


def _definition(crs: Any) -> tuple[str, str]:
    """What a CRS was made from: its ``srs`` text for a CRS object, else the input itself (a code or text)."""
    if isinstance(crs, pyproj.CRS):
        return "crs", crs.srs
    return type(crs).__name__, str(crs)
