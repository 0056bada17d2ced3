"""What ecogis knows about a layer beside its features: :class:`LayerInfo`.

:func:`ecogis.io.read.read_layer_info` returns it beside the GeoDataFrame (the way pyogrio keeps
``read_info`` apart from ``read``): where the data came from, its CRS and how that was settled, its
text encoding and how, and the notes of every guess made on the way. ``read_layer`` still returns
the frame alone; its ``gdf.attrs["ecogis"]`` is :meth:`LayerInfo.to_dict` (a derived view for code
that only holds the frame), and :meth:`LayerInfo.of` reads it back.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from ecogis.notes import Notes

#: keys of ``attrs["ecogis"]`` always written (None when unknown)
_ALWAYS = ("path", "format", "layer", "kind", "crs", "crs_source", "encoding", "encoding_source", "notes")


@dataclass
class LayerInfo:
    """A layer's source and how ecogis read it.

    ``format``: ``vector``, ``table`` or ``exchange`` (``boundary`` for official boundaries).
    ``crs``: ``EPSG:n`` (or the CRS name when it has no code; or the web-map system, GCJ-02/BD-09,
    the data was converted from to ``converted_to``). ``crs_source``: ``file``, ``inferred``, ``user``
    (or ``given``: a GeoDataFrame's own). ``encoding_source``: ``cpg``, ``detected``, ``user``,
    ``bom`` or ``file``. ``swap_xy``: the coordinates were in surveying order and were swapped.
    ``columns``: the coordinate columns of a table. ``field_map``: ``{canonical: source column}``
    after :func:`ecogis.layers.normalise_layer`. ``name``/``label``/``label_en``: the layer's name
    and titles in a project file. ``extra``: what one format adds (an exchange file's header, the
    source of a boundary, ...). ``notes``: every assumption, repair and remark, each once.
    """

    path: str | None = None
    format: str | None = None
    layer: str | None = None
    kind: str | None = None
    crs: str | None = None
    crs_source: str | None = None
    encoding: str | None = None
    encoding_source: str | None = None
    swap_xy: bool | None = None
    converted_to: str | None = None
    columns: list | None = None
    field_map: dict | None = None
    name: str | None = None
    label: str | None = None
    label_en: str | None = None
    notes: Notes = field(default_factory=Notes)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.notes, Notes):
            self.notes = Notes(self.notes or [])

    def to_dict(self) -> dict[str, Any]:
        """The ``attrs["ecogis"]`` form: the keys of :data:`_ALWAYS`, the others when known, then ``extra``."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "extra":
                continue
            if f.name in _ALWAYS or value is not None:
                out[f.name] = value
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, meta: dict | None) -> LayerInfo:
        """A LayerInfo from an ``attrs["ecogis"]``-style dict (unknown keys go to ``extra``)."""
        meta = dict(meta or {})
        known = {f.name for f in fields(cls)} - {"extra"}
        info = cls(**{k: v for k, v in meta.items() if k in known})
        info.extra = {k: v for k, v in meta.items() if k not in known}
        return info

    @classmethod
    def of(cls, gdf) -> LayerInfo:
        """The LayerInfo a frame carries in ``attrs["ecogis"]`` (empty for a frame ecogis did not read)."""
        return cls.from_dict(getattr(gdf, "attrs", {}).get("ecogis"))

    def attach(self, gdf):
        """Write this info as ``gdf.attrs["ecogis"]`` (the derived view) and return ``gdf``."""
        gdf.attrs["ecogis"] = self.to_dict()
        return gdf

    def updated(self, **changes: Any) -> LayerInfo:
        """A copy with ``changes`` (its own notes collector, so the copy's notes can grow apart)."""
        return replace(self, notes=Notes(self.notes), extra=dict(self.extra), **changes)
