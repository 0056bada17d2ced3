"""Normalising a layer to its kind (canonical fields and values) and repairing its geometries in memory.

Step two of read -> normalise -> analyse -> render. Chinese GIS data names the same thing in many
ways: a reserve zone field may be called ``功能分区``, ``GNFQ``, ``分区`` or ``zone``, and its values
``核心区``, ``核心``, ``core`` or ``Core Zone``; a water-quality class may be written ``Ⅳ``, ``IV``,
``4``, ``四类`` or ``Ⅳ类``. :func:`normalise_layer` renames the columns of a layer to the canonical
fields of its kind (:data:`ecogis.kinds.KINDS`) and rewrites the values to one spelling, so the analyses never
guess. A value it cannot place is an :class:`~ecogis.errors.EcogisError` that names the feature, the
field and the allowed values.

Field matching order (first match wins, each source column is used once):

1. the user mapping ``fields={"source column": "canonical field"}``;
2. a column already named like the canonical field (case-insensitive);
3. the aliases of the kind (:mod:`ecogis.kinds`), in order, first as written and then ignoring a unit
   in brackets at the end (``蒸吨(t/h)`` matches ``蒸吨``) (Chinese names, English names and the uppercase
   pinyin codes of official databases such as ``MC`` 名称, ``BSM`` 标识码, ``XZQDM`` 行政区代码, ``GNFQ`` 功能分区).

Canonical fields that are optional and absent are added as empty (``None``) columns, so code that
consumes a normalised layer can rely on every canonical column existing. Other columns are kept
unchanged.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import Phrase, error, phrase
from ecogis.errors import EcogisError
from ecogis.kinds import FieldSpec, match_fields, resolve_kind
from ecogis.layer_info import LayerInfo
from ecogis.messages import say
from ecogis.overlay import made_valid
from ecogis.vocabularies import _is_missing, _text

# --------------------------------------------------------------------------------------------------
# Normalising a layer
# --------------------------------------------------------------------------------------------------


def _is_numeric(fspec) -> bool:
    return getattr(fspec.normalise, "numeric", False)


def _feature_label(gdf, position: int, mapping: dict[str, str]) -> str:
    """'row 3 (id '12', name '核心区')' for the feature at ``position`` (0-based row number)."""
    row = gdf.iloc[position]
    parts = []
    for canonical in ("id", "name"):
        col = mapping.get(canonical)
        if col in row.index and not _is_missing(row[col]):
            parts.append(f"{canonical} {_text(row[col])!r}")
    offset = int((gdf.attrs.get("ecogis") or {}).get("row_offset", 0))  # a partition: the layer row it starts at
    label = f"row {position + offset}"
    index = gdf.index[position]
    if index != position + offset:
        label += f" [index {index.item() if hasattr(index, 'item') else index!r}]"
    if (gdf.attrs.get("ecogis") or {}).get("format") == "table" and isinstance(index, (int, np.integer)):
        parts.append(f"table line {int(index) + 2}")  # read_table keeps row labels: line = label + 2
    return f"{label} ({', '.join(parts)})" if parts else label


def _normalise_column(gdf, column: str, fspec: FieldSpec, mapping, path) -> pd.Series:
    """Normalise one column: each distinct value once (pandas.factorize), then a vectorised take.

    On an unknown value, name the first feature that has it, the field and the allowed values.
    """
    values = gdf[column].astype(object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    normalised = []
    for code, value in enumerate(uniques):
        try:
            normalised.append(fspec.normalise(value))
        except EcogisError as exc:
            rows = np.flatnonzero(codes == code)
            more = phrase("layers.more_like_it", count=len(rows) - 1) if len(rows) > 1 else ""
            read_as = "" if str(column) == fspec.name else phrase("layers.read_as", column=column, target=fspec.name)
            raise error("layers.bad_value", reason=exc, read_as=read_as, more=more, path=path,
                        feature=_feature_label(gdf, int(rows[0]), mapping), field=str(column),
                        hint=Phrase(exc.hints) if exc.hints else None) from None
    numeric = _is_numeric(fspec)
    table = np.array(normalised + [np.nan if numeric else None], dtype=float if numeric else object)
    return pd.Series(table[codes], index=gdf.index)  # code -1 (missing) takes the last entry


def normalise_layer(gdf, kind: str, fields: dict | None = None, path=None, notes=None):
    """Rename the columns of ``gdf`` to the canonical fields of ``kind`` and normalise their values.

    Parameters
    ----------
    gdf : GeoDataFrame (or DataFrame)
        The layer as read. It is not modified; a new frame is returned.
    kind : str
        A key of :data:`KINDS` (or an alias such as ``sections``).
    fields : dict, optional
        User mapping ``{source column: canonical field}``; wins over the built-in aliases.
    path : str or Path, optional
        Source file, named in error messages.
    notes : list, optional
        Receives a note for each invalid geometry repaired (see :func:`repair_geometries`).

    Returns
    -------
    A copy with the canonical columns (absent optional ones added as ``None``) and normalised values;
    ``attrs["ecogis"]`` gains ``kind`` and ``field_map`` ``{canonical: source column}``.

    Raises
    ------
    EcogisError
        When a required field is missing (the message lists the available columns and suggests a
        ``fields=`` mapping) or a value is outside the vocabulary of its field (the message names the
        feature by row and id/name, the field and the allowed values).
    """
    spec = resolve_kind(kind)
    if path is None:
        path = LayerInfo.of(gdf).path
    mapping = match_fields(list(gdf.columns), spec.name, fields, path)
    missing = [n for n in spec.required if n not in mapping]
    if missing:
        available = [str(c) for c in gdf.columns if c != "geometry"]
        example = available[0] if available else "column"
        raise error("layers.missing_fields", kind=spec.name, missing=", ".join(missing),
                    described="; ".join(spec.fields[m].description or m for m in missing),
                    columns=", ".join(available) or "(none)", path=path, field=missing[0],
                    hint=phrase("layers.map_missing", example=example, target=missing[0],
                                aliases=", ".join(spec.fields[missing[0]].aliases[:8])))
    out = gdf.copy()
    renamed = {}
    for name, source in mapping.items():
        renamed[name] = _normalise_column(gdf, source, spec.fields[name], mapping, path)
    # Drop the source columns that were renamed, then (re)insert the canonical ones in kind order.
    out = out.drop(columns=[c for c in mapping.values() if c in out.columns])
    for position, name in enumerate(spec.fields):
        values = renamed.get(name)
        if values is None:
            empty_dtype = float if _is_numeric(spec.fields[name]) else object
            values = pd.Series([None] * len(out), index=out.index, dtype=empty_dtype)
        if name in out.columns:  # an unmapped column already carries this name (should not happen)
            out = out.drop(columns=[name])
        out.insert(min(position, len(out.columns)), name, values)
    if isinstance(out, gpd.GeoDataFrame):
        out = repair_geometries(out, path, notes)
    attrs = dict(gdf.attrs.get("ecogis") or {})
    attrs.update(kind=spec.name, field_map=dict(mapping))
    out.attrs["ecogis"] = attrs
    return out


_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
#: at most this many features are named in a note (the count is always given)
NAMED_FEATURES = 10


def warn_missing_geometries(gdf, path=None, notes=None) -> None:
    """Say which features have no geometry (null or empty): no analysis can use them, so results that
    depend on them are unknown; the note names them instead of leaving them out without a word.

    Features are named by their ``id``/``name`` columns (any case), else by the first text column."""
    geoms = gdf.geometry.values
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(missing) == 0:
        return
    mapping = _label_columns(gdf)
    labels = [_feature_label(gdf, int(i), mapping) for i in missing[:NAMED_FEATURES]]
    more = f" and {len(missing) - NAMED_FEATURES} more" if len(missing) > NAMED_FEATURES else ""
    say("features_without_geometry", notes, path=path or "layer", count=len(missing),
        features=", ".join(labels) + more)


def _label_columns(gdf) -> dict[str, str]:
    """{'id': column, 'name': column} naming features: columns called id/name (any case), else the first
    text column as the name."""
    columns = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    mapping: dict[str, str] = {key: columns[key] for key in ("id", "name") if key in columns}
    if "name" not in mapping:
        text = [c for c in columns.values() if c not in mapping.values() and pd.api.types.is_string_dtype(gdf[c])]
        if text:
            mapping["name"] = text[0]
    return mapping


def repair_geometries(gdf, path=None, notes=None):
    """``gdf`` with its invalid geometries repaired in memory by shapely.make_valid, each named in a note.

    Polygons are rebuilt with ``method="structure"``: a self-intersecting ring keeps the area of each
    of its lobes (a bow-tie becomes two triangles) and collapsed spikes are dropped, so a polygon stays
    a polygon. A polygon left with no area (a ring of fewer than 3 distinct points) is an EcogisError
    naming the feature. The input is not modified.
    """
    geoms = gdf.geometry.values
    invalid = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
    if len(invalid) == 0:
        return gdf
    bad = geoms[invalid]
    polygonal = np.isin(shapely.get_type_id(bad), _POLYGONAL)
    fixed = made_valid(bad)
    labels = [_feature_label(gdf, int(i), {"id": "id", "name": "name"}) for i in invalid]
    collapsed = np.flatnonzero(polygonal & (shapely.area(fixed) <= 0))
    if len(collapsed):
        first = collapsed[0]
        raise error("layers.no_area", reason=shapely.is_valid_reason(bad[first]), path=path, feature=labels[first],
                    hint="layers.fix_feature")
    out = gdf.copy()
    out.loc[out.index[invalid], out.geometry.name] = fixed
    for label, why in zip(labels, shapely.is_valid_reason(bad)):
        if path:
            say("feature_repaired", notes, severity="repair", path=path, feature=label, why=why)
        else:
            say("feature_repaired_in_memory", notes, severity="repair", feature=label, why=why)
    return out


__all__ = ["normalise_layer", "repair_geometries"]
