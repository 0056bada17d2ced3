"""The spec of an audit and the context a check runs in.

A check function receives a :class:`CheckContext`; it reads its keys (``ctx.get``), layers
(``ctx.layer``, ``ctx.load``) and boundaries (``ctx.boundary``) through it, and raises
``ctx.error(key, message)`` for bad input: the error names the spec file, the check, its type, the
key and the key's line in the spec.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ecogis.area import Text
from ecogis.audit.registry import CHECK_TYPES
from ecogis.crs import datum_mismatch_note
from ecogis.error_messages import Phrase, error, joined, phrase
from ecogis.errors import EcogisError
from ecogis.io import read_layer_info
from ecogis.io.boundary_refs import resolve_boundary
from ecogis.kinds import kind_label
from ecogis.messages import say
from ecogis.notes import Notes
from ecogis.yamlio import line_of


@dataclass
class AuditSpec:
    """A loaded audit spec: its file, title, defaults (keys every check falls back on), layers by name
    ({path: ..., kind: ..., layer: ..., crs: ..., encoding: ..., fields: ...}) and checks (mappings that
    remember their lines)."""

    path: Path
    title: Text
    defaults: dict
    layers: dict
    checks: list[dict]

    @property
    def base(self) -> Path:
        """The folder that relative layer paths start from (the spec's)."""
        return self.path.parent


def whole_number(value) -> int:
    """``value`` (int, float or text) as an int; ValueError or TypeError when it is not a whole number
    (a bool is not one)."""
    if isinstance(value, bool) or not math.isfinite(float(value)) or float(value) != int(float(value)):
        raise ValueError(value)
    return int(float(value))


class CheckContext:
    """One check of a spec being validated or run: typed access to its keys, its layers and its errors.

    ``spec`` is the :class:`AuditSpec`, ``check`` the check's mapping, ``cache`` the layers already
    read in this audit (shared by its checks, each file is read once). ``id`` and ``type`` are the
    check's. While running, ``layer_notes`` collects the readers' notes (guessed CRS, encoding) of the
    layers this check read, and ``loaded`` those layers by reference (to compare their datums).
    """

    def __init__(self, spec: AuditSpec, check: dict, cache: dict):
        self.spec, self.check, self.cache = spec, check, cache
        self.id, self.type = check["id"], check["type"]
        self.layer_notes = Notes()
        self.loaded: dict = {}

    def error(self, key, message, hint=None) -> EcogisError:
        """An EcogisError naming the check, its type and the line of ``key`` in the spec (in ``defaults``
        when the check takes the value from there). ``message`` and ``hint`` are a :class:`Phrase` (in
        every language) or English text."""
        from_defaults = key not in self.check and key in self.spec.defaults
        line = line_of(self.spec.defaults if from_defaults else self.check, key)
        where = [phrase("audit.at_line", line=line)] if line else []
        where += [phrase("audit.from_defaults")] if from_defaults else []
        if isinstance(hint, str):
            hint = Phrase(en=hint)
        return error("audit.in_check", path=self.spec.path, field=key, id=repr(self.id), type=self.type,
                     where=joined(where), message=message, hint=hint)

    def get(self, key, default=None, *, required=False, kind=None):
        """The value of ``key`` in the check, else in the spec's ``defaults``, else ``default``.

        ``required``: a missing key is an error. ``kind`` (float, int, dict, list): the value is
        converted to it (a list from a single value) or refused; numbers are range-checked (0 or more;
        above 0 and at most 100 for the check type's ``positive`` and ``percent`` keys).
        """
        if key in self.check:
            value = self.check[key]
        elif key in self.spec.defaults:
            value = self.spec.defaults[key]
        elif required:
            needs = CHECK_TYPES[self.type].required if self.type in CHECK_TYPES else (key,)
            raise self.error(key, f"missing key {key!r}", hint=f"A {self.type} check needs {', '.join(needs)}")
        else:
            return default
        if kind is not None and value is not None:
            try:
                value = _as_kind(value, kind)
            except (TypeError, ValueError):
                what = {float: "a number", int: "a whole number",
                        dict: "a mapping {name: value}"}.get(kind, kind.__name__)
                raise self.error(key, f"{key!r} must be {what}, got {value!r}",
                                 hint="Write plain numbers in the spec, without units or % signs") from None
            if kind in (float, int):
                self._check_range(key, value)
        return value

    def _check_range(self, key, value) -> None:
        """Numbers are 0 or more; published areas and distances above 0; percentages at most 100."""
        ctype = CHECK_TYPES.get(self.type)
        positive = ctype is not None and key in ctype.positive
        percent = ctype is not None and key in ctype.percent
        if (value <= 0 if positive else value < 0) or (percent and value > 100):
            allowed = ("above 0" if positive else "0 or more") + (" and at most 100 (%)" if percent else "")
            raise self.error(key, f"{key!r} must be {allowed}, got {value!r}")

    def layer(self, key, *, required=True, kind=None):
        """The GeoDataFrame named by check key ``key`` (a name from ``layers:`` or a path)."""
        ref = self.get(key, required=required)
        return None if ref is None else self.load(ref, key, kind)

    def is_layer_ref(self, ref) -> bool:
        """True when ``ref`` names a layer of the spec, is a {path: ...} mapping or an existing file."""
        return isinstance(ref, dict) or str(ref) in self.spec.layers or (self.spec.base / str(ref)).exists() \
            or Path(str(ref)).is_absolute() and Path(str(ref)).exists()

    def load(self, ref, key, kind=None):
        """Read (once per audit) the layer ``ref`` given under check key ``key``."""
        if isinstance(ref, dict):
            spec = ref
        elif str(ref) in self.spec.layers:
            spec = self.spec.layers[str(ref)]
        else:
            spec = {"path": str(ref)}
        if "path" not in spec:
            raise self.error(key, f"layer {ref!r} needs a 'path'")
        path = Path(spec["path"])
        if not path.is_absolute():
            path = Path(os.path.normpath(self.spec.base / path))
        if not path.exists():
            raise self.error(key, f"layer {ref!r}: file not found: {path}",
                             hint="Name a layer from 'layers:' or give a path relative to the spec file")
        cache_key = (str(path), spec.get("layer"), spec.get("kind") or kind)
        if cache_key not in self.cache:
            self.cache[cache_key] = read_layer_info(path, kind=spec.get("kind") or kind, layer=spec.get("layer"),
                                                    crs=spec.get("crs"), encoding=spec.get("encoding"),
                                                    fields=spec.get("fields"))
        gdf, info = self.cache[cache_key]
        self.layer_notes.extend(info.notes)
        self._warn_mixed_datums(str(ref), gdf)
        return gdf

    def _warn_mixed_datums(self, ref: str, gdf) -> None:
        """Say so when this check overlays layers on datums PROJ cannot convert between (Xian 1980, CGCS2000)."""
        for other_ref, other in self.loaded.items():
            note = None if other_ref == ref else datum_mismatch_note(other.crs, gdf.crs)
            if note:
                say("audit_datum_mix", first=other_ref, second=ref, note=note)
        self.loaded[ref] = gdf

    def boundary(self, key, *, required=False):
        """A boundary: a layer name, a path, or an administrative name -> (GeoDataFrame, label)."""
        ref = self.get(key, required=required)
        if ref is None:
            return None, None
        if self.is_layer_ref(ref):
            gdf = self.load(ref, key)
            return gdf, self.label(ref, gdf)
        return resolve_boundary(str(ref), base=self.spec.base)

    def label(self, ref, gdf) -> Text:
        """A layer as the report names it (never its key in the spec): the spec's ``label`` (and
        ``label_en``), else the name of its one feature, else its kind's label, else the file name."""
        spec = self.spec.layers.get(str(ref)) or {}
        if spec.get("label"):
            return Text(str(spec["label"]), str(spec.get("label_en") or spec["label"]))
        if "name" in gdf.columns and len(gdf) == 1:
            name = str(gdf["name"].iloc[0])
            return Text(name, name)
        kind = spec.get("kind")
        if kind:
            return Text(kind_label(kind, "zh"), kind_label(kind, "en"))
        name = Path(str(spec.get("path") or ref)).name
        return Text(name, name)


def _as_kind(value, kind):
    """``value`` as ``kind`` (float: finite; int: whole; list: a single value becomes a list of one);
    TypeError or ValueError when it is not one."""
    if kind is float:
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(value)
    elif kind is int:
        value = whole_number(value)
    elif kind is dict and not isinstance(value, dict):
        raise TypeError(value)
    elif kind is list and not isinstance(value, list):
        value = [value]
    return value
