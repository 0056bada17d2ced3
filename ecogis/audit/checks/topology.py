"""Check type ``topology``: overlaps inside a layer, slivers and gaps against a boundary, overlaps with other layers."""
from __future__ import annotations

from functools import partial

import numpy as np
import shapely

from ecogis import area as A
from ecogis.area import Text, text_in
from ecogis.audit.common import area_method, areas_m2, feature_names, joined
from ecogis.audit.context import CheckContext
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.crs import crs_label
from ecogis.error_messages import phrase


def _overlap_refs(ctx: CheckContext) -> list:
    """The layers of ``must_not_overlap``; each must be a layer of ``layers:`` or an existing file."""
    refs = ctx.get("must_not_overlap", [], kind=list) or []
    for ref in refs:
        if not ctx.is_layer_ref(ref):
            raise ctx.error("must_not_overlap", phrase("audit.not_a_layer", ref=repr(ref)))
    return refs


@check_type("topology",
            keys={"layer": "layer", "self_overlap": bool, "max_self_overlap_m2": float, "boundary": None,
                  "sliver_m2": float, "max_outside_m2": float, "max_slivers": int, "tile": bool,
                  "max_uncovered_m2": float, "gap_m2": float, "max_gaps": int, "must_not_overlap": list,
                  "max_overlap_m2": float, "min_piece_m2": float},
            required=("layer",), validate=_overlap_refs)
def check_topology(ctx: CheckContext) -> CheckResult:
    """Topology of polygon ``layer``; every finding is listed in the details with a point inside it.

    - overlaps between its own features (``self_overlap``, default true; ``max_self_overlap_m2``, default 0);
    - against ``boundary`` (a layer, file or administrative name): parts of the layer outside it, of
      which pieces smaller than ``sliver_m2`` (default 100 m²) are slivers (``max_slivers``, default 0;
      ``max_outside_m2`` optional); with ``tile: true`` the layer must cover the boundary (districts
      against their city): the uncovered area (``max_uncovered_m2``, default 0), its pieces smaller
      than ``gap_m2`` (default 1000 m²) counted as gaps;
    - without ``tile``: holes of the dissolved layer smaller than ``gap_m2`` are gaps (``max_gaps``, default 0);
    - overlaps with each layer in ``must_not_overlap`` (``max_overlap_m2``, default 0).
    Areas by ``method`` (default ellipsoidal, CGCS2000) in m²; pieces below ``min_piece_m2`` (default
    0.01 m²) are floating-point dust and ignored. Vectorised: STRtree pairs, shapely array operations.
    """
    gdf = ctx.layer("layer")
    crs, method = gdf.crs, area_method(ctx)
    geoms, rows = A.polygon_geometries(gdf, return_index=True)
    names = feature_names(gdf)[rows]
    dust = ctx.get("min_piece_m2", 0.01, kind=float)

    f = _Findings(partial(areas_m2, crs=crs, method=method), dust)
    if ctx.get("self_overlap", True):
        i, j, inter, areas = f.pair_overlaps(geoms, geoms, same=True)
        f.rows("self_overlap", areas, parts=inter, feature=names[i], other=names[j])
        f.metrics.update(self_overlap_m2=float(areas.sum()), self_overlap_pairs=len(areas))
        lim = ctx.get("max_self_overlap_m2", 0.0, kind=float)
        f.value(Text(f"图层内重叠 {areas.sum():.2f} m²（{len(areas)} 对）",
                     f"overlaps within the layer {areas.sum():.2f} m² ({len(areas)} pairs)"))
        f.require(areas.sum() <= lim, Text(f"图层内重叠 ≤ {lim:g} m²", f"overlaps within the layer ≤ {lim:g} m²"))
    dissolved = shapely.union_all(geoms)
    boundary, label = ctx.boundary("boundary")
    tile = bool(ctx.get("tile", False))
    if tile and boundary is None:
        raise ctx.error("tile", phrase("audit.tile_needs_boundary"))
    if boundary is not None:
        bgeom = shapely.union_all(A.polygon_geometries(A.boundary_in_crs(boundary, crs), what="boundary"))
        _outside_and_slivers(ctx, f, dissolved, bgeom, label)
        if tile:
            _uncovered(ctx, f, dissolved, bgeom, label)
    if not tile:
        _interior_gaps(ctx, f, dissolved)
    limit = ctx.get("max_overlap_m2", 0.0, kind=float)
    for ref in _overlap_refs(ctx):
        loaded = ctx.load(ref, "must_not_overlap")
        other, name = A.boundary_in_crs(loaded, crs), ctx.label(ref, loaded)
        og, orows = A.polygon_geometries(other, what=str(ref), return_index=True)
        i, j, inter, areas = f.pair_overlaps(geoms, og)
        f.rows("overlap", areas, parts=inter, feature=names[i], other=feature_names(other)[orows][j])
        total = float(f.m2(shapely.intersection(dissolved, shapely.union_all(og)))[0])
        f.metrics[f"overlap_{ref}_m2"] = total
        f.value(Text(f"与{name.zh}重叠 {total:.2f} m²", f"overlap with {name.en} {total:.2f} m²"))
        f.require(total <= limit, Text(f"与{name.zh}重叠 ≤ {limit:g} m²", f"overlap with {name.en} ≤ {limit:g} m²"))
    return CheckResult(ctx.id, ctx.type, Text("拓扑检查", "Topology"), joined(f.values), joined(f.expected),
                       bool(f.passed), f.metrics, f.details, method, crs_label(gdf.crs))


def _outside_and_slivers(ctx, f, dissolved, bgeom, label):
    lz, label = text_in(label, "zh"), text_in(label, "en")
    parts, areas = f.pieces(shapely.difference(dissolved, bgeom))
    sliver = ctx.get("sliver_m2", 100.0, kind=float)
    small = areas < sliver
    f.rows(np.where(small, "sliver_outside", "outside_boundary"), areas, parts=parts, other=label)
    f.metrics.update(boundary=label, outside_m2=float(areas.sum()), outside_pieces=len(areas), slivers=int(small.sum()))
    f.value(Text(f"超出{lz} {areas.sum():.2f} m²（{len(areas)} 块，其中碎片 {int(small.sum())} 块 < {sliver:g} m²）",
                 f"outside {label} {areas.sum():.2f} m² ({len(areas)} pieces, {int(small.sum())} slivers "
                 f"< {sliver:g} m²)"))
    lim_out = ctx.get("max_outside_m2", kind=float)
    if lim_out is not None:
        f.require(areas.sum() <= lim_out, Text(f"超出范围 ≤ {lim_out:g} m²", f"outside the boundary ≤ {lim_out:g} m²"))
    lim = ctx.get("max_slivers", 0, kind=int)
    f.require(small.sum() <= lim, Text(f"范围外碎片（< {sliver:g} m²）≤ {lim} 块",
                                       f"slivers outside (< {sliver:g} m²) ≤ {lim}"))


def _uncovered(ctx, f, dissolved, bgeom, label):
    lz, label = text_in(label, "zh"), text_in(label, "en")
    parts, areas = f.pieces(shapely.difference(bgeom, dissolved))
    gap = ctx.get("gap_m2", 1000.0, kind=float)
    small = areas < gap
    f.rows(np.where(small, "gap", "uncovered"), areas, parts=parts, other=label)
    f.metrics.update(uncovered_m2=float(areas.sum()), uncovered_pieces=len(areas), gaps=int(small.sum()))
    f.value(Text(f"{lz}未覆盖 {areas.sum():.2f} m²（{len(areas)} 块，其中缝隙 {int(small.sum())} 块 < {gap:g} m²）",
                 f"uncovered part of {label} {areas.sum():.2f} m² ({len(areas)} pieces, {int(small.sum())} gaps "
                 f"< {gap:g} m²)"))
    lim = ctx.get("max_uncovered_m2", 0.0, kind=float)
    f.require(areas.sum() <= lim, Text(f"{lz}未覆盖 ≤ {lim:g} m²", f"uncovered part of {label} ≤ {lim:g} m²"))


def _interior_gaps(ctx, f, dissolved):
    polys = shapely.get_parts(dissolved)
    parts, areas = f.pieces(_holes(polys))
    gap = ctx.get("gap_m2", 1000.0, kind=float)
    small = areas < gap
    parts, areas = parts[small], areas[small]
    f.rows("gap", areas, parts=parts)
    f.metrics.update(gaps=len(areas), gaps_m2=float(areas.sum()))
    f.value(Text(f"内部缝隙 {len(areas)} 个（< {gap:g} m²，合计 {areas.sum():.2f} m²）",
                 f"gaps inside the layer {len(areas)} (< {gap:g} m², {areas.sum():.2f} m² in all)"))
    lim = ctx.get("max_gaps", 0, kind=int)
    f.require(len(areas) <= lim, Text(f"内部缝隙（< {gap:g} m²）≤ {lim} 个", f"gaps (< {gap:g} m²) ≤ {lim}"))


def _holes(polys: np.ndarray) -> np.ndarray:
    """The interior rings of polygons as polygons (vectorised)."""
    rings, owner = shapely.get_rings(polys, return_index=True)
    first = np.r_[True, owner[1:] != owner[:-1]] if len(rings) else np.zeros(0, bool)
    return shapely.polygons(rings[~first]) if len(rings) else np.zeros(0, dtype=object)


class _Findings:
    """What a topology check found: value and expectation parts, metrics, detail rows and the verdict."""

    def __init__(self, m2, dust: float):
        self.m2, self.dust = m2, dust
        self.values: list[Text] = []
        self.expected: list[Text] = []
        self.details: list[dict] = []
        self.metrics: dict = {}
        self.passed = True

    def value(self, text: Text):
        self.values.append(text)

    def require(self, ok, text: Text):
        self.passed &= bool(ok)
        self.expected.append(text)

    def _not_dust(self, areas: np.ndarray) -> np.ndarray:
        return (areas >= self.dust) & (areas > 0)

    def pieces(self, geom):
        """Polygon pieces of ``geom`` at least ``dust`` m², with their areas (m²)."""
        parts = shapely.get_parts(np.atleast_1d(np.asarray(geom, dtype=object)))
        parts = parts[shapely.get_type_id(parts) == 3]
        areas = self.m2(parts)
        keep = self._not_dust(areas)
        return parts[keep], areas[keep]

    def pair_overlaps(self, a, b, same=False):
        """(i, j, overlap, m²) for features a[i], b[j] whose interiors overlap by at least ``dust`` m²."""
        i, j = shapely.STRtree(b).query(a, predicate="intersects")
        if same:
            i, j = i[i < j], j[i < j]
        inter = shapely.intersection(a[i], b[j])
        areas = self.m2(inter)
        keep = self._not_dust(areas)
        return i[keep], j[keep], inter[keep], areas[keep]

    def rows(self, issue, areas, *, parts=None, feature=None, other=None):
        """One detail row per finding; pieces get a point inside them (data CRS)."""
        n = len(areas)
        issue = np.broadcast_to(np.asarray(issue, dtype=object), (n,))
        feature = np.broadcast_to(np.asarray(feature, dtype=object), (n,))
        other = np.broadcast_to(np.asarray(other, dtype=object), (n,))
        pts = shapely.point_on_surface(parts) if parts is not None and n else None
        xs = shapely.get_x(pts) if pts is not None else [None] * n
        ys = shapely.get_y(pts) if pts is not None else [None] * n
        self.details += [{"issue": k, "feature": fe, "other": o, "area_m2": float(a),
                          "x": None if x is None else float(x), "y": None if y is None else float(y)}
                         for k, fe, o, a, x, y in zip(issue, feature, other, areas, xs, ys)]
