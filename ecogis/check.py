"""Site screening (项目选址合规性分析): check project sites against every control layer of a project.

``check(site, project)`` returns a :class:`CheckResult`; renderers (HTML, DOCX, XLSX, JSON) print it.

Method (the same for one site and for a batch of 10⁵):

* Sites and layers are projected to the CGCS2000 3° Gauss-Kruger zone (no prefix) that contains the
  site's longitude (:func:`ecogis.crs.gk_crs_for_lon`); sites in different zones are processed per zone.
* Sites are screened in chunks (:data:`CHUNK_SITES`; the batch progress bar advances per chunk); each
  layer is projected and indexed once. Candidate pairs come from a shapely ``STRtree`` per layer
  (envelopes grown by the largest search distance), never from a loop over layer features; every
  geometric operation runs on the pair arrays, and findings stay columnar (:class:`FindingTable`).
* Overlap geometries are intersections in that GK plane (a site wholly inside a feature is its own
  overlap; a rectangle aligned with the GK axes is clipped with GEOS's rectangle clipper); their
  **areas** are the official ellipsoidal area on the CGCS2000 ellipsoid
  (:func:`ecogis.area.ellipsoidal_area`) and their **lengths** geodesic (:func:`ecogis.area.geodesic_length`).
* **Distances** are geodesic metres on the CGCS2000 ellipsoid (``pyproj.Geod.inv``) between the two
  nearest points, which are found in the GK plane (``shapely.shortest_line``). The nearest feature
  beyond the search distance is found with an envelope-tree bound, then exact planar distances.
* Each finding gets the most specific rule from the rules file; the overall verdict is the worst.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ecogis.area import convert_area, ellipsoidal_area, geodesic_length
from ecogis.crs import describe_crs, from_web_crs, gk_crs_for_lon, infer_crs, resolve_crs
from ecogis.errors import EcogisError, warn_assumption
from ecogis.project import Project, load_project
from ecogis.rules import VERDICT_EN, VERDICTS, RuleSet, load_rules, parse_buffers, verdict_rank

GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (a = 6378137 m, f = 1/298.257222101)
GEOGRAPHIC = pyproj.CRS.from_epsg(4490)

# The attribute that splits each kind into zones for rules and summaries.
ZONE_FIELD = {"reserve": "zone", "water_source": "grade", "redline": "type", "shoreline": "type",
              "facility": "type", "outfall": "type", "water_section": "control_level", "well": "status"}
NAME_FIELDS = ("name", "id", "名称", "NAME", "编号")
FAR_M = 50_000.0
CHUNK_SITES = 5_000  # sites per chunk in screen(): bounds memory, one progress step each
GEOM_TYPE_NAMES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                            "MultiPolygon", "GeometryCollection"], dtype=object)
NO_RULE_ZH = "无适用筛查规则，仅供参考。"
NO_RULE_EN = "No screening rule applies; reported for information."  # a site farther than this from the boundary and every layer gets a warning

METHODS = {
    "overlap_area": "Ellipsoidal area on the CGCS2000 ellipsoid (椭球面积, 国土调查办发〔2008〕32号, TD/T 1055-2019) "
                    "of the intersection computed in the site's CGCS2000 3° Gauss-Kruger zone",
    "overlap_length": "Geodesic length on the CGCS2000 ellipsoid (GeographicLib via pyproj.Geod) of the "
                      "intersection computed in the site's 3° Gauss-Kruger zone",
    "distance": "Geodesic distance on the CGCS2000 ellipsoid (pyproj.Geod.inv) between the nearest points, "
                "found in the site's 3° Gauss-Kruger zone",
    "share_of_site": "overlap area (or length for line sites) divided by the site part's ellipsoidal area "
                     "(or geodesic length)",
    "within_buffer": "every feature whose geodesic distance to the site is at most the buffer distance",
    "verdict": "most specific matching rule per finding; overall verdict = worst finding (禁止 > 限制 > 需论证 > 符合)",
}
UNITS = {"overlap_area_m2": "m²", "overlap_area_ha": "公顷 (ha, 10 000 m²)", "overlap_area_mu": "亩 (mu, 10 000/15 m²)",
         "overlap_length_m": "m", "distance_m": "m", "buffer_m": "m", "share_of_site": "fraction 0–1",
         "site_area_m2": "m²", "site_length_m": "m"}

FINDING_COLUMNS = ["site", "site_name", "layer", "kind", "feature", "zone", "relation", "overlap_area_m2",
                   "overlap_length_m", "share_of_site", "distance_m", "buffer_m", "verdict", "rule_id", "rule",
                   "basis", "rule_en"]


# --------------------------------------------------------------------------------------------------
# result objects

@dataclass
class Finding:
    """One relation between a site and a layer feature (areas m², lengths and distances geodesic m)."""

    site: str
    site_name: str
    layer: str
    kind: str
    feature: str
    zone: str | None
    relation: str
    overlap_area_m2: float | None
    overlap_length_m: float | None
    share_of_site: float | None
    distance_m: float | None
    buffer_m: float | None
    verdict: str
    rule_id: str | None
    rule: str
    basis: str
    rule_en: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        a = self.overlap_area_m2
        d["overlap_area_ha"] = None if a is None else float(convert_area(a, "ha"))
        d["overlap_area_mu"] = None if a is None else float(convert_area(a, "mu"))
        d["verdict_en"] = VERDICT_EN[self.verdict]
        return d


@dataclass
class ZoneSummary:
    """Overlap of the whole site (all parts, dissolved) with one zone of one layer (dissolved)."""

    layer: str
    kind: str
    zone: str | None
    features: int
    overlap_area_m2: float
    overlap_length_m: float
    share_of_site: float | None
    verdict: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["overlap_area_ha"] = float(convert_area(self.overlap_area_m2, "ha"))
        d["overlap_area_mu"] = float(convert_area(self.overlap_area_m2, "mu"))
        return d


@dataclass
class SiteSummary:
    """One site (parcel, line or point): geometry type, size, centre and verdict."""

    id: str
    name: str
    geometry_type: str
    area_m2: float
    length_m: float
    lon: float
    lat: float
    verdict: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CheckResult:
    """Everything a report needs. Geometries (``site_gdf``, ``layers``) are EPSG:4490 and not in to_dict()."""

    verdict: str
    findings: Sequence[Finding]  # a FindingTable from check(): columnar, .frame is the DataFrame
    sites: list[SiteSummary]
    zones: list[ZoneSummary]
    inputs: dict
    assumptions: list[str]
    rules: list[dict]
    buffers_m: list[float]
    project: str
    methods: dict = field(default_factory=lambda: dict(METHODS))
    units: dict = field(default_factory=lambda: dict(UNITS))
    site_gdf: gpd.GeoDataFrame | None = field(default=None, repr=False)
    layers: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict, "verdict_en": VERDICT_EN[self.verdict], "project": self.project,
            "findings": (self.findings.records() if isinstance(self.findings, FindingTable)
                         else [f.to_dict() for f in self.findings]),
            "zones": [z.to_dict() for z in self.zones],
            "sites": [s.to_dict() for s in self.sites],
            "inputs": self.inputs, "assumptions": self.assumptions, "buffers_m": self.buffers_m,
            "rules": self.rules, "methods": self.methods, "units": self.units,
        }

    def findings_frame(self) -> pd.DataFrame:
        """Findings as a DataFrame (one row per site and finding), with ha and 亩 columns."""
        if not isinstance(self.findings, FindingTable):
            return pd.DataFrame([f.to_dict() for f in self.findings])
        return self.findings.with_units()


# --------------------------------------------------------------------------------------------------
# public entry point

def check(site, project, buffers=None, rules=None, *, site_crs=None, site_use=None, batch=False,
          progress=False) -> CheckResult:
    """Screen ``site`` against every layer of ``project``.

    Parameters
    ----------
    site : path, GeoDataFrame, shapely geometry, or text
        A file any ecogis reader takes (exchange text, shapefile, GeoJSON, CSV...), a GeoDataFrame,
        a geometry (with ``site_crs``, default EPSG:4490), ``"lon,lat"`` or a WKT string.
    project : path or :class:`ecogis.project.Project`
    buffers : list of metres or "500,1000,5000"; default: the project's, else the rules file's.
    rules : path of a user rules file on top of the defaults (and of the project's rules file).
    site_crs : CRS of the site when the file has none or it is wrong (``EPSG:4529``, ``GCJ-02``...).
    site_use : what the site is for (``well``, ``outfall``, ``heating``...): selects use-specific rules.
    batch : many independent sites; skips the dissolved per-zone summary.
    """
    notes: list[str] = []
    if not isinstance(project, Project):
        project = load_project(project)
    from ecogis.project import layer_kinds

    ruleset = load_rules(*(p for p in (project.rules_path, rules) if p), kinds=layer_kinds())
    buffers_m = (parse_buffers(buffers) if buffers is not None else project.buffers_m or ruleset.buffers_m)
    sites, site_meta = read_site(site, site_crs=site_crs, notes=notes)
    layers = project.read_layers()
    for lyr in layers.values():
        notes.extend(n for n in lyr.attrs.get("ecogis", {}).get("notes", []) if n not in notes)
    boundary = project.read_boundary()

    frame, site_table, zones = screen(sites, layers, ruleset, buffers_m, site_use=site_use,
                                      summarise=not batch, progress=progress)
    _sanity_far(site_table, frame, boundary, notes)
    findings = FindingTable(frame)
    site_verdicts, overall = _site_verdicts(frame)
    ids = site_table["id"].tolist()
    site_list = [SiteSummary(*row) for row in zip(  # whole columns, not per-row pandas access
        ids, site_table["name"].tolist(), site_table["geometry_type"].tolist(),
        site_table["area_m2"].astype(float).tolist(), site_table["length_m"].astype(float).tolist(),
        site_table["lon"].astype(float).tolist(), site_table["lat"].astype(float).tolist(),
        [site_verdicts.get(i, VERDICTS[0]) for i in ids])]
    used_ids = set(frame["rule_id"].dropna().unique().tolist()) if len(frame) else set()
    methods = dict(METHODS, analysis_crs="; ".join(sorted(set(site_table["analysis_crs"]))))
    return CheckResult(methods=methods,
        verdict=overall,
        findings=findings, sites=site_list, zones=zones,
        inputs={"site": site_meta, "project": project.to_dict(), "rules_files": ruleset.sources,
                "layers": {n: _layer_meta(g) for n, g in layers.items()},
                "boundary": None if boundary is None else _layer_meta(boundary)},
        assumptions=notes, rules=[r.to_dict() for r in ruleset.rules if r.id in used_ids],
        buffers_m=list(buffers_m), project=project.name,
        site_gdf=sites.to_crs(GEOGRAPHIC), layers=_touched(layers, frame, boundary),
    )


def _site_verdicts(frame) -> tuple[dict, str]:
    """Worst verdict per site (dict site id -> verdict) and overall, by rank arrays (no per-site groups)."""
    if len(frame) == 0:
        return {}, VERDICTS[0]
    verdicts = frame["verdict"]
    rank = verdicts.map({v: verdict_rank(v) for v in verdicts.unique()}).to_numpy(dtype=np.int64)
    codes, ids = pd.factorize(frame["site"].to_numpy(dtype=object))
    worst = np.zeros(len(ids), dtype=np.int64)
    np.maximum.at(worst, codes, rank)
    names = np.asarray(VERDICTS, dtype=object)
    return dict(zip(ids.tolist(), names[worst].tolist())), VERDICTS[int(rank.max())]


class FindingTable(Sequence):
    """The findings of a check: a read-only sequence of :class:`Finding` backed by a columnar DataFrame.

    Batch checks produce hundreds of thousands of findings; the DataFrame (:attr:`frame`, one row per
    site and finding) is what scripts and table writers should use. ``Finding`` objects are built only
    when the sequence is iterated or indexed, once, from whole columns.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame.reindex(columns=FINDING_COLUMNS).reset_index(drop=True)
        self._items: list[Finding] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i):
        return self._materialise()[i]

    def __iter__(self):
        return iter(self._materialise())

    def __repr__(self) -> str:
        return f"FindingTable({len(self)} findings)"

    def __eq__(self, other):
        if isinstance(other, (FindingTable, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def with_units(self) -> pd.DataFrame:
        """The findings DataFrame with ``overlap_area_ha``, ``overlap_area_mu`` and ``verdict_en`` added."""
        df = self.frame.copy()
        area = df["overlap_area_m2"].to_numpy(dtype=float)
        df["overlap_area_ha"] = convert_area(area, "ha")
        df["overlap_area_mu"] = convert_area(area, "mu")
        df["verdict_en"] = df["verdict"].map(VERDICT_EN)
        return df

    def records(self) -> list[dict]:
        """``[f.to_dict() for f in self]`` from whole columns (ha, 亩 and English verdict added)."""
        df = self.with_units()
        cols = {c: _python_values(df[c]) for c in df.columns}
        return [dict(zip(cols, row)) for row in zip(*cols.values())]

    def _materialise(self) -> list[Finding]:
        if self._items is None:
            cols = [_python_values(self.frame[c]) for c in FINDING_COLUMNS]
            self._items = [Finding(*row) for row in zip(*cols)]
        return self._items


def _python_values(col: pd.Series) -> list:
    """Column values as Python objects, NaN as None."""
    obj = col.astype(object)
    return obj.where(col.notna(), None).tolist()


def _layer_meta(gdf) -> dict:
    meta = dict(gdf.attrs.get("ecogis", {}))
    meta = {k: meta.get(k) for k in ("path", "layer", "kind", "crs", "crs_source", "encoding", "notes") if k in meta}
    meta["features"] = int(len(gdf))
    meta["crs"] = meta.get("crs") or (gdf.crs.to_string() if gdf.crs else None)
    return meta


# --------------------------------------------------------------------------------------------------
# site input

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,， ]\s*(-?\d+(?:\.\d+)?)\s*$")


def read_site(site, *, site_crs=None, notes=None) -> tuple[gpd.GeoDataFrame, dict]:
    """Turn any site input into a GeoDataFrame (columns id, name, geometry) in a real CRS.

    Web-map coordinates (``site_crs`` GCJ-02 or BD-09) are converted to EPSG:4490 here, before any
    overlay. Invalid geometries are repaired in memory (shapely.make_valid) and reported in ``notes``.
    An empty site is an error.
    """
    notes = [] if notes is None else notes
    web = None
    if site_crs is not None:
        resolved = resolve_crs(site_crs)
        web = resolved if isinstance(resolved, str) else None
    source = "geodataframe"
    if isinstance(site, gpd.GeoDataFrame):
        gdf = site.copy()
        if web:
            gdf = from_web_crs(gdf, web)
        elif site_crs is not None:
            gdf = gdf.set_crs(resolve_crs(site_crs), allow_override=True)
        if gdf.crs is None:
            raise EcogisError("the site GeoDataFrame has no CRS", hint="Set one (gdf.set_crs) or pass site_crs=")
        path = gdf.attrs.get("ecogis", {}).get("path")
        gdf.attrs.setdefault("ecogis", {}).setdefault("crs_source", "user" if site_crs else "given")
    elif isinstance(site, shapely.Geometry) or (isinstance(site, str) and not Path(site).exists()
                                                and _looks_like_coordinates(site)):
        geom = site if isinstance(site, shapely.Geometry) else _parse_site_text(site)
        source, path = "coordinates", None
        crs = None if web else (resolve_crs(site_crs) if site_crs else None)
        if site_crs is None:
            geom, crs = _infer_site_crs(geom, notes)
        gdf = gpd.GeoDataFrame({"id": ["1"], "name": ["site"]}, geometry=[geom], crs=crs)
        gdf.attrs["ecogis"] = {"crs": None if crs is None else crs.to_string(),
                               "crs_source": "user" if site_crs else "inferred"}
        if web:
            gdf = from_web_crs(gdf.set_crs(4326), web)
    else:
        from ecogis.io import read_layer

        path = Path(site)
        gdf = read_layer(path, kind="site", crs=site_crs)
        source = "file"
        for n in gdf.attrs.get("ecogis", {}).get("notes", []):
            if n not in notes:
                notes.append(n)
    if web:
        notes.append(f"site coordinates converted from {web} to CGCS2000 (EPSG:4490) before the check")
    gdf = _normalise_site(gdf, path, notes)
    meta = dict(gdf.attrs.get("ecogis", {}))
    meta.update(source=source, path=None if path is None else str(path), features=int(len(gdf)),
                crs=meta.get("crs") or gdf.crs.to_string(), converted_from=web)
    meta.pop("notes", None)
    return gdf, meta


def _infer_site_crs(geom, notes):
    """CRS of bare site coordinates (lon/lat or Gauss-Kruger, either axis order) via ecogis.crs.infer_crs;
    swaps the axes when they were given in surveying order. The guess is reported as an assumption."""
    xy = shapely.get_coordinates(geom)
    guess = infer_crs(xy[:, 0], xy[:, 1])
    if guess.swap_xy:
        geom = shapely.transform(geom, lambda c: c[:, ::-1])
    warn_assumption(f"site coordinates have no CRS given: {guess.reason}; pass --site-crs (e.g. GCJ-02 for "
                    "Amap/Tencent, BD-09 for Baidu, EPSG:4529 for GK zone 41) if this is wrong", notes)
    return geom, guess.crs


def _looks_like_coordinates(text: str) -> bool:
    return bool(_COORD.match(text)) or text.strip().upper().split("(")[0].strip() in {
        "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"}


def _parse_site_text(text: str):
    m = _COORD.match(text)
    if m:
        return shapely.Point(float(m.group(1)), float(m.group(2)))
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        raise EcogisError(f"cannot parse site {text!r} as 'lon,lat' or WKT ({exc})",
                          hint="Example: --at 121.85,40.95 or 'POLYGON((...))'") from exc


def _normalise_site(gdf, path, notes) -> gpd.GeoDataFrame:
    attrs = dict(gdf.attrs)
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.all():
        raise EcogisError("the site has no geometry (empty file or only empty features)", path=path,
                          hint="Check that the file holds the parcels/points and that they are not empty")
    if empty.any():
        warn_assumption(f"{int(empty.sum())} empty site feature(s) ignored", notes)
    gdf = gdf.loc[~empty].copy()
    invalid = ~shapely.is_valid(gdf.geometry.values)
    if invalid.any():
        labels = _labels(gdf, np.flatnonzero(invalid))
        reasons = shapely.is_valid_reason(gdf.geometry.values[invalid])
        gdf.loc[invalid, "geometry"] = shapely.make_valid(gdf.geometry.values[invalid])
        for lab, why in zip(labels, reasons):
            warn_assumption(f"site feature {lab}: invalid geometry ({why}) repaired in memory with "
                            "shapely.make_valid; fix the source file", notes)
    ids = gdf["id"].astype(str).tolist() if "id" in gdf and gdf["id"].notna().all() else None
    if ids is None or len(set(ids)) != len(ids):
        ids = [str(i + 1) for i in range(len(gdf))]
    names = _labels(gdf, np.arange(len(gdf)))
    out = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=gdf.geometry.values, crs=gdf.crs)
    out.attrs = attrs
    return out


def _labels(gdf, positions) -> list[str]:
    """Label of each feature: its first name-like field, else ``#<1-based position>`` (whole columns)."""
    positions = np.asarray(positions, dtype=np.int64)
    fallback = pd.Series(positions + 1, dtype=np.int64).astype(str).radd("#")
    for col in NAME_FIELDS:
        if col in gdf.columns:
            vals = gdf[col].iloc[positions].reset_index(drop=True)
            text = vals.astype(str)
            ok = vals.notna() & (text.str.strip() != "")
            return text.where(ok, fallback).tolist()
    return fallback.tolist()


# --------------------------------------------------------------------------------------------------
# the screening engine

def screen(sites, layers: dict, ruleset: RuleSet, buffers_m, *, site_use=None, summarise=True, progress=False,
           chunk_size: int | None = None):
    """Screen every site against every layer; vectorised over (site, feature) pairs from STRtrees.

    Sites are processed in chunks of ``chunk_size`` (default :data:`CHUNK_SITES`) against every layer;
    the progress bar (tqdm, stderr) advances per chunk of sites. Each layer is projected to the GK zone
    and indexed once per zone, not per chunk.

    Returns ``(findings DataFrame, site table, zone summaries)``. Distances and lengths in geodesic
    metres, areas in m² (ellipsoidal), all on the CGCS2000 ellipsoid.
    """
    lon, lat = _site_centres(sites)
    zone_no = np.floor((lon + 1.5) / 3.0)  # 3° zone n has central meridian 3n°E
    frames, tables, zones = [], [], []
    bar = _progress_bar(len(sites), progress)
    try:
        for zn in np.unique(zone_no):
            idx = np.flatnonzero(zone_no == zn)
            gk = metric_crs(zn * 3.0)
            part = sites.iloc[idx]
            part = part if part.crs == gk else part.to_crs(gk)
            fr, tb, zs = _screen_zone(part, lon[idx], lat[idx], gk, layers, ruleset, buffers_m, site_use,
                                      summarise, bar, chunk_size or CHUNK_SITES)
            frames.append(fr)
            tables.append(tb)
            zones.extend(zs)
    finally:
        if bar is not None:
            bar.close()
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)
    return frame, pd.concat(tables, ignore_index=True), _merge_zone_summaries(zones)


def _site_centres(sites) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (EPSG:4490 degrees) of each site's centroid, taken in the site's own CRS: only
    the centre points are projected, not the geometries."""
    c = shapely.centroid(np.asarray(sites.geometry.values))
    x, y = shapely.get_x(c), shapely.get_y(c)
    if sites.crs is not None and pyproj.CRS(sites.crs) == GEOGRAPHIC:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lon, lat = _transformer(pyproj.CRS(sites.crs), GEOGRAPHIC).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@lru_cache(maxsize=32)
def _transformer(src: pyproj.CRS, dst: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def _progress_bar(total, progress):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="screening sites", unit="site", file=sys.stderr, dynamic_ncols=True)


def metric_crs(lon) -> pyproj.CRS:
    """The CGCS2000 3° GK zone (no prefix) containing ``lon``; a transverse Mercator on the CGCS2000
    ellipsoid at the nearest 3° meridian when ``lon`` is outside China's zones (e.g. swapped X/Y)."""
    try:
        return gk_crs_for_lon(lon)
    except (EcogisError, ValueError, KeyError, pyproj.exceptions.CRSError):
        cm = float(np.clip(np.round(lon / 3.0) * 3.0, -180, 180))
        return pyproj.CRS.from_proj4(f"+proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0=500000 +y_0=0 "
                                     "+ellps=GRS80 +units=m +no_defs")


@dataclass
class _IndexedLayer:
    """One control layer projected to the analysis GK zone, with its STRtree and per-feature labels."""

    name: str
    kind: str
    gdf: gpd.GeoDataFrame  # the projected, non-empty features (original index kept)
    geoms: np.ndarray
    bounds: np.ndarray  # (n, 4) envelopes
    tree: shapely.STRtree
    envelope_tree: shapely.STRtree  # of the feature envelopes (boxes), for cheap nearest-neighbour bounds
    labels: np.ndarray  # feature label per feature (str)
    zones: np.ndarray  # zone value per feature (str or None)
    search: float  # largest distance (geodesic m) any buffer or rule looks at
    radius: float  # planar search radius in the GK plane (m), with margin for the scale factor


def _index_layer(name, layer, gk, ruleset, buffers_m, site_use) -> _IndexedLayer | None:
    kind = layer.attrs.get("ecogis", {}).get("kind") or name
    lyr = layer if layer.crs == gk else layer.to_crs(gk)
    lyr = lyr.loc[~(shapely.is_missing(lyr.geometry.values) | shapely.is_empty(lyr.geometry.values))]
    if len(lyr) == 0:
        return None
    geoms = np.asarray(lyr.geometry.values)  # plain object arrays: no pandas ufunc overhead
    shapely.prepare(geoms)  # contains_properly, distances and nearest points against the same features
    zcol = ZONE_FIELD.get(kind)
    zones = np.full(len(lyr), None, dtype=object)
    if zcol in lyr.columns:
        vals = lyr[zcol].to_numpy(dtype=object)
        ok = pd.notna(vals)
        zones[ok] = vals[ok].astype(str)
    search = _search_distance(ruleset, kind, buffers_m, site_use)
    return _IndexedLayer(name=name, kind=kind, gdf=lyr, geoms=geoms, bounds=shapely.bounds(geoms),
                         tree=shapely.STRtree(geoms), envelope_tree=shapely.STRtree(shapely.envelope(geoms)),
                         labels=np.array(_labels(lyr, np.arange(len(lyr))), dtype=object), zones=zones,
                         # GK scale factor < 1.001 inside a 3° zone: planar >= geodesic / 1.001
                         search=search, radius=search * 1.002 + 1.0 if search > 0 else 0.0)


def _screen_zone(sites_gk, lon, lat, gk, layers, ruleset, buffers_m, site_use, summarise, bar, chunk_size):
    s_geoms = np.asarray(sites_gk.geometry.values)
    dims = shapely.get_dimensions(s_geoms)
    site_area = np.zeros(len(s_geoms))
    site_len = np.zeros(len(s_geoms))
    site_area[dims == 2] = ellipsoidal_area(s_geoms[dims == 2], gk)
    site_len[dims == 1] = geodesic_length(s_geoms[dims == 1], gk)
    s_rect = axis_aligned_rectangles(s_geoms)
    table = pd.DataFrame({"id": sites_gk["id"].values, "name": sites_gk["name"].values,
                          "geometry_type": GEOM_TYPE_NAMES[shapely.get_type_id(s_geoms)], "area_m2": site_area,
                          "length_m": site_len, "lon": lon, "lat": lat})
    table["analysis_crs"] = describe_crs(gk) if gk.to_epsg() else gk.to_proj4()
    indexed = [x for x in (_index_layer(n, g, gk, ruleset, buffers_m, site_use) for n, g in layers.items()) if x]
    per_layer = {x.name: [] for x in indexed}
    site_ids, site_names = sites_gk["id"].to_numpy(dtype=object), sites_gk["name"].to_numpy(dtype=object)
    for lo in range(0, len(s_geoms), chunk_size):
        hi = min(lo + chunk_size, len(s_geoms))
        for lyr in indexed:
            cols = _pairs_findings(lyr, s_geoms[lo:hi], gk, buffers_m, site_area[lo:hi], site_len[lo:hi],
                                   s_rect[lo:hi])
            cols["_s"] += lo
            per_layer[lyr.name].append(cols)
        if bar is not None:
            bar.update(hi - lo)
    frames, summaries = [], []
    for lyr in indexed:
        fr = _findings_frame(lyr, per_layer[lyr.name], site_ids, site_names)
        if len(fr):
            frames.append(fr)
            if summarise:
                summaries.extend(_zone_summaries(lyr.name, lyr.kind, sites_gk, lyr.gdf, fr, gk, site_area, site_len))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS[:-5])
    frame = _apply_rules(frame, ruleset, site_use)
    for z in summaries:
        rule = ruleset.match(z.kind, "intersects", zone=z.zone, site_use=site_use)
        z.verdict = rule.verdict if rule else VERDICTS[0]
    return frame, table, summaries


def _search_distance(ruleset, kind, buffers_m, site_use) -> float:
    """Largest distance (m) any buffer or applicable within_buffer rule looks at for this kind."""
    uses = {str(u).lower() for u in ([site_use] if isinstance(site_use, str) else (site_use or []))}
    within = [r.within_m for r in ruleset.rules if r.kind == kind and r.relation == "within_buffer"
              and r.within_m and (not r.site_use or uses & {u.lower() for u in r.site_use})]
    return max([0.0, *buffers_m, *within])


_PAIR_COLUMNS = ("_s", "_f", "relation", "overlap_area_m2", "overlap_length_m", "share_of_site", "distance_m",
                 "buffer_m")


def _pairs_findings(lyr: _IndexedLayer, s_geoms, gk, buffers_m, site_area, site_len, s_rect) -> dict:
    """Findings of sites ``s_geoms`` (GK) against one indexed layer, as numpy columns (no row objects).

    1. candidate pairs: STRtree envelope query with each site's envelope grown by the planar search
       radius (no exact distance in the tree; a feature within that distance always has such an envelope);
    2. intersects: overlap area (official ellipsoidal, one call on all pieces) and length; a site wholly
       inside a feature is its own overlap piece (no overlay);
    3. other candidates: nearest points in the plane (shapely.shortest_line), geodesic distance for the
       pairs within the planar radius only; kept when the geodesic distance is within ``search``;
    4. nearest: from the pairs when one is within ``search``, else STRtree.query_nearest.
    """
    f_geoms, search, radius = lyr.geoms, lyr.search, lyr.radius
    s_bounds = shapely.bounds(s_geoms)
    if search > 0:
        b = s_bounds
        si, fi = lyr.tree.query(shapely.box(b[:, 0] - radius, b[:, 1] - radius, b[:, 2] + radius, b[:, 3] + radius))
    else:
        si, fi = lyr.tree.query(s_geoms, predicate="intersects")
    # envelope gap of each pair (0 when the envelopes overlap): no exact test where it decides
    sb, fb = s_bounds[si], lyr.bounds[fi]
    gap = np.hypot(np.maximum(0.0, np.maximum(fb[:, 0] - sb[:, 2], sb[:, 0] - fb[:, 2])),
                   np.maximum(0.0, np.maximum(fb[:, 1] - sb[:, 3], sb[:, 1] - fb[:, 3])))
    hit = _intersecting(si, fi, gap, s_geoms, f_geoms, s_rect)
    parts = [_overlap_columns(si[hit], fi[hit], s_geoms, f_geoms, gk, site_area, site_len, s_rect)]
    # not touching, and the envelopes not farther apart than the radius: exact nearest points
    near = ~hit & (gap <= radius)
    ni, nj = si[near], fi[near]
    lines = shapely.shortest_line(f_geoms[nj], s_geoms[ni])  # prepared features first: faster
    near_plane = shapely.length(lines) <= radius
    ni, nj = ni[near_plane], nj[near_plane]
    dist = _geodesic_line_length(lines[near_plane], gk)
    keep = dist <= search
    d = dist[keep]
    parts.append({"_s": ni[keep], "_f": nj[keep], "relation": "within_buffer", "distance_m": d,
                  "buffer_m": _buffer_band(d, buffers_m)})
    # nearest: one feature per site, always reported. Among the candidate pairs when one lies within
    # the search distance (no feature outside the planar search radius can be nearer); else STRtree.
    ii = parts[0]["_s"]
    near_s, near_f, near_d = _nearest_of_pairs(np.r_[ii, ni], np.r_[parts[0]["_f"], nj],
                                               np.r_[np.zeros(len(ii)), dist], search)
    rest = np.setdiff1d(np.arange(len(s_geoms)), near_s)
    if len(rest):  # nothing within the search distance: nearest in the plane, then its geodesic distance
        rs, rf = _nearest_features(lyr, s_geoms, s_bounds, rest)
        rd = _geodesic_line_length(shapely.shortest_line(f_geoms[rf], s_geoms[rs]), gk)
        near_s, near_f, near_d = np.r_[near_s, rs], np.r_[near_f, rf], np.r_[near_d, rd]
    parts.append({"_s": near_s, "_f": near_f, "relation": "nearest", "distance_m": near_d})
    return _concat_columns(parts)


def _intersecting(si, fi, gap, s_geoms, f_geoms, s_rect) -> np.ndarray:
    """Whether site ``si[k]`` intersects feature ``fi[k]``; only pairs whose envelopes touch are tested.
    Rectangular sites go first (GEOS's rectangle test), other sites after the prepared feature."""
    hit = np.zeros(len(si), dtype=bool)
    touch = np.flatnonzero(gap <= 0)
    rect = s_rect[si[touch]]
    k = touch[rect]
    hit[k] = shapely.intersects(s_geoms[si[k]], f_geoms[fi[k]])
    k = touch[~rect]
    hit[k] = shapely.intersects(f_geoms[fi[k]], s_geoms[si[k]])
    return hit


def _nearest_features(lyr: _IndexedLayer, s_geoms, s_bounds, which) -> tuple[np.ndarray, np.ndarray]:
    """Nearest feature (planar distance in the GK plane) of each site ``which``, exactly, in three array steps:

    1. the feature with the nearest *envelope* (STRtree of the feature envelopes: cheap distances);
    2. the site's distance to that feature bounds the answer from above;
    3. every feature whose envelope lies within that bound is a candidate; the smallest exact distance wins.
    """
    qs, qf = lyr.envelope_tree.query_nearest(s_geoms[which], all_matches=False)
    sites = which[qs]
    if len(sites) == 0:  # no finite envelope distance at all (coordinates not finite in this zone)
        return sites, qf
    d1 = np.nan_to_num(shapely.distance(lyr.geoms[qf], s_geoms[sites]), nan=np.inf)  # prepared first: faster
    upper = d1 * (1 + 1e-9) + 1e-6  # rounding margin
    b = s_bounds[sites]
    ci, cj = lyr.tree.query(shapely.box(b[:, 0] - upper, b[:, 1] - upper, b[:, 2] + upper, b[:, 3] + upper))
    sb, fb = b[ci], lyr.bounds[cj]
    gap = np.hypot(np.maximum(0.0, np.maximum(fb[:, 0] - sb[:, 2], sb[:, 0] - fb[:, 2])),
                   np.maximum(0.0, np.maximum(fb[:, 1] - sb[:, 3], sb[:, 1] - fb[:, 3])))
    keep = (gap <= upper[ci]) & (cj != qf[ci])  # the step-1 feature is measured already
    ci, cj = ci[keep], cj[keep]
    # the step-1 feature is always a candidate (it also answers when distances are not finite, e.g.
    # features projected into a far-away zone for a site with swapped axes)
    d = np.r_[d1, np.nan_to_num(shapely.distance(lyr.geoms[cj], s_geoms[sites[ci]]), nan=np.inf)]
    ci, cj = np.r_[np.arange(len(sites)), ci], np.r_[qf, cj]
    order = np.lexsort((cj, d, ci))  # per site: smallest distance, then lowest feature position
    first = order[np.r_[True, ci[order][1:] != ci[order][:-1]]]
    return sites[ci[first]], cj[first]


def _overlap_columns(ii, jj, s_geoms, f_geoms, gk, site_area, site_len, s_rect) -> dict:
    """Overlap area (polygons, m², official ellipsoidal) and length (lines, geodesic m) of intersecting pairs."""
    n = len(ii)
    area = np.zeros(n)
    length = np.zeros(n)
    if n:
        # a site part wholly inside a feature overlaps by itself: no overlay, its area is known
        # (not asked for rectangles against polygons: the rectangle clipper is as fast as the test)
        inside = np.zeros(n, dtype=bool)
        ask = np.flatnonzero(~(s_rect[ii] & np.isin(shapely.get_type_id(f_geoms[jj]), (3, 6))))
        inside[ask] = shapely.contains_properly(f_geoms[jj[ask]], s_geoms[ii[ask]])
        area[inside] = site_area[ii[inside]]
        pieces = s_geoms[ii].copy()
        cut = np.flatnonzero(~inside)
        pieces[cut], area[cut] = _intersections(s_geoms[ii[cut]], f_geoms[jj[cut]], s_rect[ii[cut]], gk)
        flat = np.flatnonzero(area <= 0)  # lines, points, or polygons touching along an edge
        if len(flat):
            lineal = _lineal(pieces[flat])
            length[flat] = geodesic_length(lineal, gk) if np.any(lineal != None) else 0.0  # noqa: E711
    share = np.where(site_area[ii] > 0, area / np.where(site_area[ii] > 0, site_area[ii], 1.0),
                     np.where(site_len[ii] > 0, length / np.where(site_len[ii] > 0, site_len[ii], 1.0), np.nan))
    polygonal = (shapely.get_dimensions(s_geoms[ii]) == 2) & (shapely.get_dimensions(f_geoms[jj]) == 2)
    return {"_s": ii, "_f": jj, "relation": "intersects",
            "overlap_area_m2": np.where(polygonal, area, np.nan),
            "overlap_length_m": np.where(length > 0, length, np.nan),
            # share of the site: area for polygon sites, length for line sites
            "share_of_site": np.where(polygonal | ((site_len[ii] > 0) & (length > 0)), share, np.nan),
            "distance_m": np.zeros(n)}


# The numpy ufunc behind shapely.clip_by_rect takes one rectangle per geometry (the public wrapper only
# scalars); without it (another shapely) every pair goes through the overlay.
_CLIP_BY_RECTS = getattr(getattr(shapely, "lib", None), "clip_by_rect", None)
if not isinstance(_CLIP_BY_RECTS, np.ufunc):
    _CLIP_BY_RECTS = None


def _intersections(a, b, a_rect, gk) -> tuple[np.ndarray, np.ndarray]:
    """Intersection pieces of ``a[i]`` and ``b[i]`` (GK) and their official ellipsoidal areas (m²).

    Where ``a[i]`` is a rectangle aligned with the GK axes (grid cells, generated parcels) and ``b[i]``
    is polygonal, the piece comes from GEOS's rectangle clipper (``clip_by_rect``, the same geometry
    as the overlay, about ten times faster); a clipped piece that is empty, of zero area or invalid is
    recomputed with the overlay (``shapely.intersection``), like every other pair.
    """
    pieces = np.empty(len(a), dtype=object)
    done = np.zeros(len(a), dtype=bool)
    fast = np.flatnonzero(a_rect & np.isin(shapely.get_type_id(b), (3, 6)))
    if len(fast) and _CLIP_BY_RECTS is not None:
        box = shapely.bounds(a[fast])
        clipped = _CLIP_BY_RECTS(b[fast], box[:, 0], box[:, 1], box[:, 2], box[:, 3])
        ok = (shapely.area(clipped) > 0) & shapely.is_valid(clipped)
        pieces[fast[ok]] = clipped[ok]
        done[fast[ok]] = True
    slow = np.flatnonzero(~done)
    pieces[slow] = shapely.intersection(a[slow], b[slow])
    return pieces, _areas(pieces, gk)


def _areas(geoms, gk) -> np.ndarray:
    """Official ellipsoidal areas (m²); simple polygons (one ring) in one call, the rest in another, so
    the common case stays on ellipsoidal_area's single-ring fast path."""
    out = np.zeros(len(geoms))
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    for part in (np.flatnonzero(simple), np.flatnonzero(~simple)):
        if len(part):
            out[part] = ellipsoidal_area(geoms[part], gk)
    return out


def axis_aligned_rectangles(geoms) -> np.ndarray:
    """True for each polygon that is exactly a rectangle with sides parallel to the coordinate axes
    (4 distinct corners of its envelope, no holes)."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    cand = np.flatnonzero((shapely.get_type_id(geoms) == 3) & (shapely.get_num_coordinates(geoms) == 5)
                          & (shapely.get_num_interior_rings(geoms) == 0))
    if len(cand) == 0:
        return out
    xy = shapely.get_coordinates(geoms[cand]).reshape(-1, 5, 2)[:, :4]
    b = shapely.bounds(geoms[cand])
    at_x0, at_x1 = xy[:, :, 0] == b[:, None, 0], xy[:, :, 0] == b[:, None, 2]
    at_y0, at_y1 = xy[:, :, 1] == b[:, None, 1], xy[:, :, 1] == b[:, None, 3]
    corner = (at_x0 | at_x1) & (at_y0 | at_y1)
    code = np.sort(at_x1.astype(int) + 2 * at_y1.astype(int), axis=1)  # 0..3: which corner
    out[cand] = (corner.all(axis=1) & (code == np.arange(4)).all(axis=1)
                 & (b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1]))
    return out


def _concat_columns(parts: list[dict]) -> dict:
    """Concatenate column dicts; scalar values are repeated, missing float columns are NaN."""
    out = {}
    sizes = [len(p["_s"]) for p in parts]
    for col in _PAIR_COLUMNS:
        vals = []
        for p, n in zip(parts, sizes):
            v = p.get(col, np.nan)
            vals.append(np.full(n, v, dtype=object if isinstance(v, str) else float) if np.ndim(v) == 0
                        else np.asarray(v))
        out[col] = np.concatenate(vals) if vals else np.zeros(0)
    out["_s"] = out["_s"].astype(np.int64)
    out["_f"] = out["_f"].astype(np.int64)
    return out


def _findings_frame(lyr: _IndexedLayer, chunks: list[dict], site_ids, site_names) -> pd.DataFrame:
    """One DataFrame of a layer's findings from the per-chunk columns (site/feature labels by indexing)."""
    cols = {c: np.concatenate([ch[c] for ch in chunks]) for c in _PAIR_COLUMNS} if chunks else \
        {c: np.zeros(0, dtype=np.int64 if c in ("_s", "_f") else float) for c in _PAIR_COLUMNS}
    s, f = cols["_s"], cols["_f"]
    fr = pd.DataFrame({"site": site_ids[s], "site_name": site_names[s], "layer": lyr.name, "kind": lyr.kind,
                       "feature": lyr.labels[f], "zone": lyr.zones[f], **cols})
    fr["_feature_index"] = lyr.gdf.index.values[f]
    return fr


def _nearest_of_pairs(si, fi, dist, search):
    """Per site, the pair with the smallest distance, kept only when that distance is within ``search``."""
    if len(si) == 0:
        return si, fi, dist
    order = np.lexsort((dist, si))
    first = order[np.r_[True, si[order][1:] != si[order][:-1]]]
    first = first[dist[first] <= search]
    return si[first], fi[first], dist[first]


def _lineal(geoms):
    """Line parts of each geometry (points and polygons dropped): for overlap lengths."""
    types = shapely.get_type_id(geoms)
    out = np.where(np.isin(types, (1, 2, 5)), geoms, None)
    coll = np.flatnonzero(types == 7)
    for k in coll:  # rare: mixed intersections such as a line touching a polygon edge
        parts = [p for p in shapely.get_parts(geoms[k]) if shapely.get_type_id(p) in (1, 2)]
        out[k] = shapely.multilinestrings(parts) if parts else None
    return out


def geodesic_distance(a, b, crs) -> np.ndarray:
    """Geodesic distance (m, CGCS2000 ellipsoid) between geometries ``a[i]`` and ``b[i]`` in projected ``crs``.

    The nearest points are found in the plane (shapely.shortest_line), inverse projected to lon/lat
    and measured with pyproj.Geod.inv (GeographicLib).
    """
    if len(a) == 0:
        return np.zeros(0)
    return _geodesic_line_length(shapely.shortest_line(np.asarray(a), np.asarray(b)), crs)


def _geodesic_line_length(lines, crs) -> np.ndarray:
    """Geodesic distance (m) between the two end points of each two-point line (projected ``crs``)."""
    if len(lines) == 0:
        return np.zeros(0)
    xy = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    lon, lat = _transformer(pyproj.CRS(crs), GEOGRAPHIC).transform(xy[:, :, 0], xy[:, :, 1])
    _, _, dist = GEOD.inv(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    return np.asarray(dist, dtype=float)


def _buffer_band(dist, buffers_m) -> np.ndarray:
    """The smallest buffer distance that contains each distance (NaN beyond the largest)."""
    b = np.asarray(sorted(buffers_m), dtype=float)
    if len(b) == 0:
        return np.full(len(dist), np.nan)
    k = np.searchsorted(b, dist, side="left")
    return np.where(k < len(b), b[np.minimum(k, len(b) - 1)], np.nan)


def _apply_rules(frame, ruleset: RuleSet, site_use) -> pd.DataFrame:
    """Attach verdict, rule id, rule text (zh) and basis; one rule lookup per distinct case, not per row."""
    frame = frame.copy()
    if len(frame) == 0:
        for col in ("verdict", "rule_id", "rule", "rule_en", "basis"):
            frame[col] = pd.Series(dtype=object)
        return frame
    thresholds = sorted({r.within_m for r in ruleset.rules if r.within_m})
    dist = frame["distance_m"].to_numpy(dtype=float)
    keys = pd.DataFrame({"kind": frame["kind"].to_numpy(), "relation": frame["relation"].to_numpy(),
                         "zone": frame["zone"].fillna("\0").to_numpy(),
                         # rules only compare the distance with their within_m: one band per threshold
                         "band": np.searchsorted(np.asarray(thresholds + [np.inf]), np.nan_to_num(dist), side="left"),
                         "dist": dist})
    cases = keys.drop_duplicates(["kind", "relation", "zone", "band"])
    looked_up = []
    for kind, relation, zone, d in zip(cases["kind"], cases["relation"], cases["zone"], cases["dist"]):
        rule = ruleset.match(kind, relation, zone=None if zone == "\0" else zone,
                             distance_m=None if np.isnan(d) else float(d), site_use=site_use)
        looked_up.append((rule.verdict, rule.id, rule.rule_zh, rule.rule_en, rule.basis) if rule
                         else (VERDICTS[0], None, NO_RULE_ZH, NO_RULE_EN, ""))
    cols = ["verdict", "rule_id", "rule", "rule_en", "basis"]
    table = pd.concat([cases[["kind", "relation", "zone", "band"]].reset_index(drop=True),
                       pd.DataFrame(looked_up, columns=cols)], axis=1)
    merged = keys.merge(table, on=["kind", "relation", "zone", "band"], how="left")
    for c in cols:
        frame[c] = merged[c].to_numpy()
    return frame


def _zone_summaries(name, kind, sites_gk, lyr, fr, gk, site_area, site_len) -> list[ZoneSummary]:
    """Per zone: the dissolved site against the dissolved zone features (no double counting)."""
    hits = fr[fr["relation"] == "intersects"]
    if len(hits) == 0:
        return []
    site_union = shapely.union_all(sites_gk.geometry.values)
    total_area = float(ellipsoidal_area([site_union], gk)[0]) if shapely.get_dimensions(site_union) == 2 else 0.0
    total_len = float(geodesic_length([site_union], gk)[0]) if shapely.get_dimensions(site_union) == 1 else 0.0
    out = []
    f_geoms = lyr.geometry.values
    for zone, grp in hits.groupby(hits["zone"].fillna("\0"), sort=True):
        feats = np.unique(grp["_f"].values)
        inter = shapely.intersection(site_union, shapely.union_all(f_geoms[feats]))
        area = float(ellipsoidal_area([inter], gk)[0]) if total_area > 0 else 0.0
        length = float(geodesic_length(_lineal(np.array([inter], dtype=object)), gk)[0])
        share = area / total_area if total_area > 0 else (length / total_len if total_len > 0 else None)
        out.append(ZoneSummary(layer=name, kind=kind, zone=None if zone == "\0" else zone, features=len(feats),
                               overlap_area_m2=area, overlap_length_m=length, share_of_site=share,
                               verdict=VERDICTS[0]))
    return out


def _merge_zone_summaries(zones):
    merged: dict[tuple, ZoneSummary] = {}
    for z in zones:
        key = (z.layer, z.zone)
        if key in merged:  # sites in two GK zones: add the parts (shares are then not meaningful)
            m = merged[key]
            m.features += z.features
            m.overlap_area_m2 += z.overlap_area_m2
            m.overlap_length_m += z.overlap_length_m
            m.share_of_site = None
        else:
            merged[key] = z
    return list(merged.values())


def _touched(layers, frame, boundary) -> dict:
    """Features that appear in a finding, per layer, in EPSG:4490 (for the report map)."""
    out = {}
    if boundary is not None:
        out["boundary"] = boundary.to_crs(GEOGRAPHIC)
    if len(frame) == 0:
        return out
    for name, layer in layers.items():
        idx = frame.loc[frame["layer"] == name, "_feature_index"].unique() if "_feature_index" in frame else []
        if len(idx):
            sub = layer.loc[idx].to_crs(GEOGRAPHIC)
            sub.attrs = dict(layer.attrs)
            out[name] = sub
    return out


# --------------------------------------------------------------------------------------------------
# sanity checks

def _sanity_far(site_table, frame, boundary, notes) -> None:
    """Warn when sites are far from the boundary and from every layer (swapped X/Y, wrong CRS, GCJ-02).

    "Far" is more than FAR_M metres; the boundary distance is planar in the GK zone of the sites'
    median longitude, which is ample for a 50 km threshold.
    """
    lon, lat = site_table["lon"].values, site_table["lat"].values
    outside_china = ~((lon > 73) & (lon < 136) & (lat > 3) & (lat < 54))
    nearest = (frame[frame["relation"] == "nearest"].groupby("site")["distance_m"].min()
               if len(frame) else pd.Series(dtype=float))
    far = site_table["id"].map(nearest).fillna(np.inf).values > FAR_M
    if boundary is not None and len(boundary) and not outside_china.all():
        gk = metric_crs(float(np.median(lon[~outside_china])))
        b = shapely.union_all(boundary.to_crs(gk).geometry.values)
        x, y = pyproj.Transformer.from_crs(GEOGRAPHIC, gk, always_xy=True).transform(lon, lat)
        far &= shapely.distance(shapely.points(x, y), b) > FAR_M
    bad = far | outside_china
    if bad.any():
        ids = ", ".join(site_table["id"].values[bad][:5]) + (" ..." if bad.sum() > 5 else "")
        where = "outside China" if outside_china[bad].all() else f"more than {FAR_M / 1000:.0f} km from the boundary and every layer"
        warn_assumption(
            f"{int(bad.sum())} site(s) ({ids}) lie {where} (site centre {lon[bad][0]:.5f}, {lat[bad][0]:.5f}): "
            "likely swapped X/Y (northing/easting), a wrong CRS or Gauss-Kruger zone, or GCJ-02/BD-09 web-map "
            "coordinates; check --site-crs", notes)
