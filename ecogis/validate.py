"""Validation and repair of a layer: invalid, empty and duplicate geometries, mixed types, far-away
coordinates and every CRS or encoding assumption made when reading it.

All checks are vectorised with shapely 2 array functions; nothing loops over features in Python
except to format the (bounded) list of reported issues.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.layer_info import LayerInfo
from ecogis.notes import Notes
from ecogis.outcome import pass_fail

#: CGCS2000 longitude/latitude box around China incl. the South China Sea islands (degrees)
CHINA_BOUNDS = (73.4, 3.3, 135.2, 53.6)
#: issues of one kind listed individually; the rest are only counted
MAX_LISTED = 50

_FAMILY = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
           "LinearRing": "line", "Polygon": "polygon", "MultiPolygon": "polygon",
           "GeometryCollection": "collection"}
_LOCATION = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")


@dataclass
class Issue:
    """One problem: ``check`` (invalid, empty, duplicate, overlap, mixed_types, outside_china, assumption),
    ``severity`` (error | warning), the feature (0-based row) and a location in the layer's CRS."""

    check: str
    severity: str
    message: str
    feature: int | None = None
    x: float | None = None
    y: float | None = None

    def to_dict(self, lang: str | None = None) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class ValidationReport:
    """Result of :func:`validate_layer`; ``passed`` is False when any issue is an error (``verdict``
    PASS/FAIL, as in every ecogis result). ``notes``: the assumptions made when reading the layer."""

    path: str | None
    crs: str | None
    count: int
    counts: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    geometry_types: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    @property
    def ok(self) -> bool:
        """:attr:`passed` (the name of earlier versions)."""
        return self.passed

    @property
    def verdict(self) -> str:
        return pass_fail(self.passed)

    @property
    def notes(self) -> Notes:
        return Notes(i.message for i in self.issues if i.check == "assumption")

    def to_dict(self, lang: str | None = None) -> dict:
        return {"path": self.path, "crs": self.crs, "count": self.count, "passed": self.passed,
                "verdict": self.verdict, "geometry_types": self.geometry_types, "counts": self.counts,
                "issues": [i.to_dict(lang) for i in self.issues]}


def validate_layer(gdf: gpd.GeoDataFrame) -> ValidationReport:
    """Check ``gdf`` and return a :class:`ValidationReport`.

    Locations of invalid geometries are those GEOS reports (``shapely.is_valid_reason``), in the
    layer's CRS. "Outside China" is tested on the feature bounds in CGCS2000 longitude/latitude.
    """
    info = LayerInfo.of(gdf)
    geoms = gdf.geometry.to_numpy()
    crs = info.crs
    if crs is None and gdf.crs is not None:
        from ecogis.crs import crs_label

        crs = crs_label(gdf.crs)
    report = ValidationReport(path=info.path, crs=crs, count=len(gdf))
    present = ~shapely.is_missing(geoms)
    types = pd.Series(shapely.get_type_id(geoms)).map(
        {-1: None, 0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
         5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"})
    report.geometry_types = sorted(types.dropna().unique().tolist())
    checks = [_empty(geoms, present), _invalid(geoms, present), _duplicates(gdf, geoms, present),
              _overlaps(geoms, present, gdf.crs), _mixed(types), _outside_china(gdf, geoms, present),
              _assumptions(info)]
    for name, issues, total in checks:
        report.counts[name] = total
        report.issues.extend(issues)
    return report


def _empty(geoms, present):
    empty = ~present | shapely.is_empty(geoms)
    idx = np.flatnonzero(empty)
    issues = [Issue("empty", "error", "no geometry" if not present[i] else "empty geometry", int(i))
              for i in idx[:MAX_LISTED]]
    return "empty", issues, int(len(idx))


def _invalid(geoms, present):
    valid = shapely.is_valid(geoms)
    bad = present & ~valid & ~shapely.is_empty(geoms)
    idx = np.flatnonzero(bad)
    reasons = shapely.is_valid_reason(geoms[idx[:MAX_LISTED]])
    issues = []
    for i, reason in zip(idx[:MAX_LISTED], reasons):
        m = _LOCATION.search(reason or "")
        x, y = (float(m.group(1)), float(m.group(2))) if m else (None, None)
        issues.append(Issue("invalid", "error", f"invalid geometry: {reason}", int(i), x, y))
    return "invalid", issues, int(len(idx))


def _duplicates(gdf, geoms, present):
    """Features whose geometry equals an earlier one (after normalising vertex order)."""
    if not present.any():
        return "duplicate", [], 0
    # Cheap candidates first: equal geometries have equal bounds and vertex counts. Only those are
    # normalised and compared by WKB.
    sub = geoms[present]
    shape_key = pd.DataFrame(shapely.bounds(sub))
    shape_key[4] = shapely.get_num_coordinates(sub)
    cand = shape_key.duplicated(keep=False).to_numpy()
    rows_present = np.flatnonzero(present)[cand]
    keys = shapely.to_wkb(shapely.normalize(sub[cand]))
    codes, _ = pd.factorize(keys)
    first_pos = pd.Series(np.arange(len(codes))).groupby(codes).transform("min").to_numpy()
    dup = first_pos != np.arange(len(codes))
    attrs = gdf.drop(columns=gdf.geometry.name)
    same_attrs = None
    if len(attrs.columns):
        rows = pd.util.hash_pandas_object(attrs.astype(str), index=False).to_numpy()[rows_present]
        same_attrs = rows == rows[first_pos]
    issues = []
    for pos in np.flatnonzero(dup)[:MAX_LISTED]:
        i, j = int(rows_present[pos]), int(rows_present[first_pos[pos]])
        whole = same_attrs is None or bool(same_attrs[pos])
        what = "duplicate feature (same geometry and attributes)" if whole else "same geometry, other attributes"
        issues.append(Issue("duplicate", "warning", f"{what} as feature {j}", i))
    return "duplicate", issues, int(dup.sum())


def _overlaps(geoms, present, crs):
    """Pairs of polygons whose interiors overlap (area would be counted twice unless dissolved).

    Candidates come from an STRtree; a pair overlaps when the polygons intersect but do not merely
    touch, and the shared area exceeds 1e-9 of the smaller polygon (floating-point noise along a
    shared border is not an overlap). Exact duplicates are left to the duplicate check. Each listed
    pair gives a point inside the overlap (layer CRS) and the overlap's ellipsoidal area (m²,
    CGCS2000 ellipsoid) when the layer has a CRS.
    """
    polygonal = present & np.isin(shapely.get_type_id(geoms), (3, 6)) & shapely.is_valid(geoms)
    rows = np.flatnonzero(polygonal)
    if len(rows) < 2:
        return "overlap", [], 0
    sub = geoms[rows]
    left, right = shapely.STRtree(sub).query(sub, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    keep = ~shapely.touches(sub[left], sub[right]) & ~shapely.equals(sub[left], sub[right])
    left, right = left[keep], right[keep]
    shared = shapely.intersection(sub[left], sub[right])
    smaller = np.minimum(shapely.area(sub[left]), shapely.area(sub[right]))
    keep = shapely.area(shared) > 1e-9 * smaller
    left, right, shared = left[keep][:MAX_LISTED], right[keep][:MAX_LISTED], shared[keep][:MAX_LISTED]
    total = int(keep.sum())
    where = shapely.point_on_surface(shared)
    sizes = [""] * len(shared)
    if crs is not None and len(shared):
        from ecogis.area import ellipsoidal_area

        sizes = [f", {a:.1f} m² (ellipsoidal, CGCS2000)" for a in ellipsoidal_area(shared, crs)]
    issues = [Issue("overlap", "warning", f"overlaps feature {int(rows[j])}{size}; dissolve before summing areas",
                    int(rows[i]), float(shapely.get_x(p)), float(shapely.get_y(p)))
              for i, j, p, size in zip(left, right, where, sizes)]
    return "overlap", issues, total


def _mixed(types):
    families = sorted({_FAMILY[t] for t in types.dropna().unique()})
    if len(families) > 1:
        counts = types.dropna().value_counts().to_dict()
        text = ", ".join(f"{n} {t}" for t, n in counts.items())
        return "mixed_types", [Issue("mixed_types", "warning", f"mixed geometry types: {text}")], 1
    if "collection" in families:
        return "mixed_types", [Issue("mixed_types", "warning", "geometry collections (mixed types inside)")], 1
    return "mixed_types", [], 0


def _outside_china(gdf, geoms, present):
    if gdf.crs is None or not present.any():
        return "outside_china", [], 0
    sub = gpd.GeoSeries(geoms[present], crs=gdf.crs)
    if not gdf.crs.is_geographic or not gdf.crs.equals(GEOGRAPHIC_CRS):
        sub = sub.to_crs(GEOGRAPHIC_CRS)
    b = shapely.bounds(sub.to_numpy())
    with np.errstate(invalid="ignore"):
        west, south, east, north = CHINA_BOUNDS
        out = ~((b[:, 0] >= west) & (b[:, 2] <= east) & (b[:, 1] >= south) & (b[:, 3] <= north))
        out &= ~np.isnan(b[:, 0])
    rows = np.flatnonzero(present)[out]
    issues = [Issue("outside_china", "error",
                    f"coordinates outside China (lon {b[k, 0]:.4f}..{b[k, 2]:.4f}, lat {b[k, 1]:.4f}..{b[k, 3]:.4f}"
                    f" in CGCS2000): wrong CRS or swapped X/Y?", int(i))
              for i, k in zip(rows[:MAX_LISTED], np.flatnonzero(out)[:MAX_LISTED])]
    return "outside_china", issues, int(len(rows))


def _assumptions(info: LayerInfo):
    issues = [Issue("assumption", "warning", note) for note in info.notes]
    return "assumption", issues, len(issues)


# --------------------------------------------------------------------------- repair

@dataclass
class RepairResult:
    """What :func:`repair_layer` changed: feature rows repaired and rows left empty."""

    repaired: list[int] = field(default_factory=list)
    emptied: list[int] = field(default_factory=list)

    def to_dict(self, lang: str | None = None) -> dict:
        return {"repaired": len(self.repaired), "emptied": len(self.emptied),
                "repaired_features": self.repaired[:MAX_LISTED], "emptied_features": self.emptied[:MAX_LISTED]}


def repair_layer(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, RepairResult]:
    """Return a copy of ``gdf`` with invalid geometries made valid and kept in the layer's type.

    ``shapely.make_valid`` may turn a bow-tie polygon into polygons plus stray lines or points; for a
    polygon layer only the polygonal parts are kept (lines only for a line layer), so the output has
    the input's geometry family. Features whose repair leaves nothing of that family become empty and
    are listed in the result. Valid geometries are not touched.
    """
    geoms = gdf.geometry.to_numpy().copy()
    present = ~shapely.is_missing(geoms)
    bad = np.flatnonzero(present & ~shapely.is_valid(geoms))
    result = RepairResult(repaired=[int(i) for i in bad])
    if len(bad):
        family = _layer_family(geoms[present])
        fixed = shapely.make_valid(geoms[bad])
        if family in ("polygon", "line"):
            fixed = _keep_family(fixed, family)
        geoms[bad] = fixed
        result.emptied = [int(i) for i in bad[shapely.is_empty(fixed)]]
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    out.attrs = dict(gdf.attrs)
    return out, result


def _layer_family(geoms) -> str | None:
    types = pd.Series(shapely.get_type_id(geoms))
    families = {_FAMILY[n] for n in types.map({0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon",
                                               4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
                                               7: "GeometryCollection"}).dropna()}
    families.discard("collection")
    return families.pop() if len(families) == 1 else None


def _keep_family(geoms, family: str):
    """Keep only polygonal (or linear) parts of each geometry; Multi only where there are several."""
    single, multi_id = (3, 6) if family == "polygon" else (1, 5)
    parts, index = shapely.get_parts(geoms, return_index=True)
    while True:  # flatten nested collections / multi-geometries
        nested = np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))
        if not nested.any():
            break
        sub, sub_idx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        index = np.concatenate([index[~nested], index[nested][sub_idx]])
    keep = (shapely.get_type_id(parts) == single) & ~shapely.is_empty(parts)
    parts, index = parts[keep], index[keep]
    n = np.bincount(index, minlength=len(geoms))
    empty = shapely.from_wkt("MULTIPOLYGON EMPTY" if family == "polygon" else "MULTILINESTRING EMPTY")
    out = np.full(len(geoms), empty, dtype=object)
    if len(parts):
        maker = shapely.multipolygons if family == "polygon" else shapely.multilinestrings
        multi = maker(parts, indices=index)  # length max(index) + 1
        out[: len(multi)] = multi
        ones = np.flatnonzero(n == 1)
        out[ones] = shapely.get_geometry(out[ones], 0)
    out[n == 0] = empty
    return out
