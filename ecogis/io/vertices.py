"""Vertex tables as lines or polygons: one line (or closed ring) per group of points.

A CSV of pipeline turning points, a CASS ``.dat`` or a 点号,X,Y list reads as points; surveyed linear
works are lines. :func:`vertices_to_shapes` joins the points of each group (``group`` field, or all
points as one feature) in this order:

1. the ``order`` field when given: 桩号 (``K12+345.6`` = 12 345.6 m, also ``DK``/``AK`` prefixes) or numbers;
2. else a station field found by name (桩号, 里程, station, chainage), with a note;
3. else the order of the file, with a note.

A group with too few vertices (a line needs 2, a polygon 3), a vertex without geometry or a repeated
station is an :class:`ecogis.errors.EcogisError` naming the group. The CRS and ``attrs`` are kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import Phrase, error, phrase
from ecogis.messages import register, say

SHAPES = ("line", "polygon")
MIN_VERTICES = {"line": 2, "polygon": 3}
#: fields whose name says they hold stations (桩号), most specific first (compared case-insensitively)
STATION_FIELDS = ("桩号", "里程桩号", "里程", "station", "chainage", "stake", "mileage")
NAME_FIELDS = ("name", "名称", "线路名称", "管线名称")
# K12+345.6, DK3+020, AK0+000.5; the letters before the kilometre are a line prefix
_STATION = re.compile(r"^\s*[A-Za-z]*K\s*(\d+)\s*\+\s*(\d+(?:\.\d*)?)\s*$", re.IGNORECASE)

register({
    "vertices.station_order": (
        "{source}: vertices joined into {shape}s in the order of the station field '{field}' (桩号); pass "
        "--order (order=) naming another field for another order",
        "{source}：按桩号字段 '{field}' 的顺序将点连成{shape}；如需其他顺序，请用 --order（order=）指定字段"),
    "vertices.file_order": (
        "{source}: vertices joined into {shape}s in the order of the file (no station field such as 桩号); pass "
        "--order (order=) naming the field that orders them if the rows are not in order along the {shape}",
        "{source}：按文件中的行顺序将点连成{shape}（无桩号等里程字段）；如行序不是沿线顺序，"
        "请用 --order（order=）指定排序字段"),
})


@dataclass(frozen=True)
class VertexSpec:
    """How to build shapes from a point layer: ``shape`` line or polygon, ``group`` field (None: one
    feature of all points), ``order`` field (None: a station field, else file order)."""

    shape: str = "line"
    group: str | None = None
    order: str | None = None

    def __post_init__(self):
        if self.shape not in SHAPES:
            raise error("sites.unknown_shape", shape=self.shape, hint="sites.use_shape")


def parse_station(value) -> float:
    """A station (桩号) in metres along the line: ``K12+345.6`` -> 12345.6; a plain number is metres.
    Raises ValueError for anything else."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if not np.isfinite(value):
            raise ValueError(f"station {value!r} is not a finite number")
        return float(value)
    text = str(value).strip()
    m = _STATION.match(text)
    if m:
        return int(m.group(1)) * 1000.0 + float(m.group(2))
    number = float(text)  # ValueError when not a number
    if not np.isfinite(number):
        raise ValueError(f"station {value!r} is not a finite number")
    return number


def vertices_to_shapes(points: gpd.GeoDataFrame, spec: VertexSpec, *, source: str = "the vertex table",
                       notes: list[str] | None = None) -> gpd.GeoDataFrame:
    """One line (or polygon) per group of ``points``, vertices in station, field or file order.

    Returns a GeoDataFrame in the CRS of ``points`` with columns ``id`` (the group value, or ``1``),
    ``name`` (the group's first name-like value, else its id), ``vertices`` (count) and geometry.
    """
    _require_points(points, source)
    order_field, keys = _order_keys(points, spec, source, notes)
    group = _group_values(points, spec.group, source)
    frame = pd.DataFrame({"_group": group, "_key": keys, "_row": np.arange(len(points))})
    rows = []
    for gid, part in frame.groupby("_group", sort=False):
        part = part.sort_values(["_key", "_row"], kind="stable")
        if order_field is not None and part["_key"].duplicated().any():
            dup = part.loc[part["_key"].duplicated(), "_row"].iloc[0]
            raise error("sites.same_order", order=order_field, value=points[order_field].iloc[dup], path=source,
                        feature=_label(spec.group, gid), field=order_field, hint="sites.own_order")
        xy = shapely.get_coordinates(np.asarray(points.geometry.values)[part["_row"].to_numpy()])
        if len(xy) < MIN_VERTICES[spec.shape]:
            raise error("sites.too_few_vertices", count=len(xy), shape=spec.shape, minimum=MIN_VERTICES[spec.shape],
                        path=source, feature=_label(spec.group, gid), hint="sites.check_group")
        geom = shapely.linestrings(xy) if spec.shape == "line" else shapely.polygons(np.vstack([xy, xy[:1]]))
        rows.append((str(gid), _group_name(points, part["_row"].to_numpy(), gid), len(xy), geom))
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["id", "name", "vertices", "geometry"]),
                           geometry="geometry", crs=points.crs)
    out.attrs = dict(points.attrs)
    meta = dict(out.attrs.get("ecogis", {}))
    meta["vertices"] = {"shape": spec.shape, "group": spec.group, "order": order_field or "file order",
                        "features": len(out), "points": int(len(points))}
    out.attrs["ecogis"] = meta
    return out


def _require_points(points: gpd.GeoDataFrame, source: str) -> None:
    geoms = np.asarray(points.geometry.values)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise error("sites.vertices_without_xy", count=int(missing.sum()), path=source,
                    feature=f"row {int(np.flatnonzero(missing)[0]) + 1}", hint="sites.every_vertex_xy")
    types = shapely.get_type_id(geoms)
    if (types != 0).any():
        raise error("sites.points_only", path=source, feature=f"row {int(np.flatnonzero(types != 0)[0]) + 1}",
                    hint="sites.leave_out_option")


def _order_keys(points, spec: VertexSpec, source: str, notes) -> tuple[str | None, np.ndarray]:
    """The field that orders the vertices (None: file order) and the sort key of each row."""
    field = spec.order
    if field is not None and field not in points.columns:
        raise error("sites.no_order_field", name=field, path=source, field=field, hint=_the_fields(points))
    if field is None:
        folded = {str(c).strip().lower(): c for c in points.columns}
        field = next((folded[f] for f in STATION_FIELDS if f in folded), None)
        if field is None:
            say("vertices.file_order", notes, source=source, shape=spec.shape)
            return None, np.arange(len(points), dtype=float)
        say("vertices.station_order", notes, source=source, shape=spec.shape, field=str(field))
    keys = np.empty(len(points))
    for i, value in enumerate(points[field].tolist()):
        try:
            keys[i] = parse_station(value)
        except (TypeError, ValueError):
            raise error("sites.not_station", value=value, path=source, feature=f"row {i + 1}", field=str(field),
                        hint="sites.give_stations") from None
    return str(field), keys


def _group_values(points, group: str | None, source: str) -> np.ndarray:
    if group is None:
        return np.full(len(points), "1", dtype=object)
    if group not in points.columns:
        raise error("sites.no_group_field", name=group, path=source, field=group, hint=_the_fields(points))
    values = points[group]
    if values.isna().any():
        first = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise error("sites.no_group_value", path=source, field=group, feature=f"row {first + 1}",
                    hint="sites.every_group_value")
    return values.astype(str).to_numpy(dtype=object)


def _group_name(points, rows: np.ndarray, gid) -> str:
    for col in NAME_FIELDS:
        if col in points.columns:
            vals = points[col].iloc[rows].dropna().astype(str)
            vals = vals[vals.str.strip() != ""]
            if len(vals):
                return str(vals.iloc[0])
    return str(gid)


def _label(group: str | None, gid) -> str:
    return f"{group}={gid}" if group else "all vertices"


def _the_fields(points) -> Phrase:
    """The hint listing the fields of the vertex table (without the geometry)."""
    return phrase("sites.the_fields", fields=", ".join(map(str, points.columns.drop(points.geometry.name))))
