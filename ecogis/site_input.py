"""The site of a check as a GeoDataFrame: read from a file, a frame, a geometry or text ("lon,lat",
Gauss-Kruger "X,Y", WKT), its CRS inferred or given, web-map coordinates converted, geometries repaired."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from ecogis.crs import resolve_crs
from ecogis.crs_infer import infer_crs, positions_ok
from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.layer_info import LayerInfo
from ecogis.layers import repair_geometries
from ecogis.messages import say
from ecogis.notes import Notes
from ecogis.screen import feature_labels
from ecogis.screen_index import NAME_FIELDS
from ecogis.webmap import convert_web
from ecogis.zoning.industry import carry_industry

if TYPE_CHECKING:
    from ecogis.io.vertices import VertexSpec

__all__ = ["read_site", "parse_at"]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|nan|inf(?:inity)?)"
_COORD = re.compile(rf"^\s*({_NUMBER})\s*[,， ]\s*({_NUMBER})\s*$", re.IGNORECASE)
#: what a site given as text may be (the hint of every error about it)
SITE_TEXT_EXPECTED = ("Give 'lon,lat' in China (longitude 73-136, latitude 3-54, e.g. 121.85,40.95), "
                      "Gauss-Kruger 'X,Y' in metres with the zone prefix on the easting (e.g. 4536163.95,41406966.59) "
                      "or WKT such as 'POINT (121.85 40.95)'; pass --site-crs for another CRS")


def read_site(site, *, site_crs=None, notes=None, skip_empty=False,
              vertices: VertexSpec | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Turn any site input into a GeoDataFrame (columns id, name, geometry) in a real CRS.

    Web-map coordinates (``site_crs`` GCJ-02 or BD-09) are converted to EPSG:4490 here, before any
    overlay. Invalid geometries are repaired in memory (shapely.make_valid) and reported in ``notes``.
    An empty site is an error, and so is a site feature without geometry unless ``skip_empty``.
    """
    notes = Notes() if notes is None else notes
    web = None
    if site_crs is not None:
        resolved = resolve_crs(site_crs)
        web = resolved if isinstance(resolved, str) else None
    source = "geodataframe"
    if isinstance(site, gpd.GeoDataFrame):
        gdf = site.copy()
        if web:
            gdf, info = convert_web(gdf, web, "site", notes, reason="web_why_given", given=True, warn=False)
            gdf.attrs.setdefault("ecogis", {})["web"] = info
        elif site_crs is not None:
            gdf = gdf.set_crs(resolve_crs(site_crs), allow_override=True)
        if gdf.crs is None:
            raise error("check.site_no_crs", hint="check.set_site_crs")
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
        # crs is a pyproj CRS here: web-map sites (GCJ-02/BD-09) have crs None
        gdf.attrs["ecogis"] = {"crs": None if crs is None else crs.to_string(),  # type: ignore[union-attr]
                               "crs_source": "user" if site_crs else "inferred"}
        if web:
            gdf, info = convert_web(gdf.set_crs(4326), web, "site", notes, reason="web_why_given", given=True,
                                    warn=False)
            gdf.attrs["ecogis"] = {**gdf.attrs.get("ecogis", {}), "web": info}
    else:
        from ecogis.io import read_layer
        from ecogis.io.postgis import is_postgres_url, parse_source

        path = parse_source(site) if is_postgres_url(site) else Path(site)  # a PostGIS table, or a file
        gdf = read_layer(path, kind="site", crs=site_crs)
        source = "file"
        notes.extend(n for n in LayerInfo.of(gdf).notes if n not in notes)
    if web:
        say("site_web_converted", notes, warn=False, web=web)
    if vertices is not None:
        from ecogis.io.vertices import vertices_to_shapes

        gdf = vertices_to_shapes(gdf, vertices, source=str(path or "the site"), notes=notes)
    gdf = _normalise_site(gdf, path, notes, skip_empty)
    meta = dict(gdf.attrs.get("ecogis", {}))
    meta.update(source=source, path=None if path is None else str(path), features=int(len(gdf)),
                crs=meta.get("crs") or gdf.crs.to_string(), converted_from=web)
    meta.pop("notes", None)
    return gdf, meta


def _infer_site_crs(geom, notes):
    """CRS of bare site coordinates (lon/lat or Gauss-Kruger, either axis order) via ecogis.crs_infer.infer_crs;
    swaps the axes when they were given in surveying order. The guess is reported as an assumption."""
    xy = shapely.get_coordinates(geom)
    guess = infer_crs(xy[:, 0], xy[:, 1])
    if guess.swap_xy:
        geom = shapely.transform(geom, lambda c: c[:, ::-1])
    say("site_crs_guessed", notes, reason=guess.reason)
    return geom, guess.crs


def _looks_like_coordinates(text: str) -> bool:
    first_word = re.match(r"\s*([A-Za-z]*)", text).group(1).upper()  # type: ignore[union-attr]  # matches any text
    return bool(_COORD.match(text)) or first_word in {
        "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"}


def _parse_site_text(text: str):
    m = _COORD.match(text)
    if m:
        return shapely.Point(float(m.group(1)), float(m.group(2)))
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        raise error("check.site_unparsed", text=text, reason=str(exc), hint="check.site_expected") from exc


def parse_at(text: str, site_crs=None) -> shapely.Geometry:
    """The site of ``check --at TEXT``: 'lon,lat', Gauss-Kruger 'X,Y' (either order) or WKT; never a file.

    The coordinates must be finite and, without ``site_crs``, longitude/latitude in China or
    Gauss-Kruger metres (:func:`ecogis.crs_infer.infer_crs`); otherwise EcogisError says what was expected.
    """
    if not _looks_like_coordinates(text):
        raise error("check.at_not_site", text=text, hint="check.site_expected")
    try:
        geom = _parse_site_text(text)
    except EcogisError as exc:
        raise error("check.at_reason", reason=exc, hint="check.site_expected") from exc
    if geom.is_empty:
        raise error("check.at_empty", text=text, hint="check.site_expected")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise error("check.at_not_finite", text=text, hint="check.site_expected")
    if site_crs is None:
        try:
            infer_crs(xy[:, 0], xy[:, 1])
        except EcogisError as exc:
            raise error("check.at_text_reason", text=text, reason=exc, hint="check.site_expected") from exc
    elif not positions_ok(xy[:, 0], xy[:, 1], resolve_crs(site_crs)).all():
        raise error("check.at_not_position", text=text, crs=site_crs, hint="check.site_expected")
    return geom


def _normalise_site(gdf, path, notes, skip_empty=False) -> gpd.GeoDataFrame:
    empty = empty_sites(gdf)
    report_empty_sites(int(empty.sum()), len(gdf), site_labels(gdf, np.flatnonzero(empty)[:5]), path, notes,
                       skip_empty)
    return site_frame(gdf.loc[~empty].copy(), path, notes)


def empty_sites(gdf) -> np.ndarray:
    """True for each site feature without geometry (missing or empty)."""
    geoms = gdf.geometry.values
    return np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))


def report_empty_sites(count: int, total: int, labels: list[str], path, notes, skip_empty: bool) -> None:
    """EcogisError when all ``total`` site features or (without ``skip_empty``) any of them have no geometry;
    else the note that ``count`` were left out (``labels``: the first five of them)."""
    if count == total:
        raise error("check.site_no_geometry", path=path,
                    hint="check.site_check_file")
    if count:
        text = ", ".join(labels[:5]) + (" ..." if count > 5 else "")
        if not skip_empty:
            raise error("check.site_empty_features", count=count,
                        path=path, feature=text,
                        hint="check.fix_or_skip")
        say("site_empty", notes, count=count, features=text)


def site_labels(gdf, positions, offset: int = 0) -> list[str]:
    """:func:`ecogis.screen.feature_labels` of the features at ``positions`` of a frame that starts at row
    ``offset`` of its layer (a partition): an unnamed feature is ``#<offset + position + 1>``."""
    positions = np.asarray(positions, dtype=np.int64)
    labels = feature_labels(gdf, positions)
    if not offset:
        return labels
    column = next((c for c in NAME_FIELDS if c in gdf.columns), None)
    if column is None:
        unnamed = np.ones(len(positions), dtype=bool)
    else:
        values = gdf[column].iloc[positions]
        unnamed = ~(values.notna() & (values.astype(str).str.strip() != "")).to_numpy()
    return [f"#{offset + p + 1}" if u else label for label, p, u in zip(labels, positions, unnamed)]


def site_frame(gdf, path, notes, *, ids: list[str] | None = None, offset: int = 0) -> gpd.GeoDataFrame:
    """The sites (features with geometry) as columns id, name, geometry: geometries repaired (noted), the
    ``id`` field when every feature has one and they are unique, else 1, 2, ... A partition starting at
    site ``offset`` of its layer passes the ``ids`` the whole layer settled on (:mod:`ecogis.site_parts`)."""
    attrs = dict(gdf.attrs)
    gdf = repair_geometries(gdf, path, notes)
    if ids is None:
        ids = gdf["id"].astype(str).tolist() if "id" in gdf and gdf["id"].notna().all() else None
        if ids is None or len(set(ids)) != len(ids):
            ids = [str(i + 1) for i in range(len(gdf))]
    names = site_labels(gdf, np.arange(len(gdf)), offset)
    out = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=gdf.geometry.values, crs=gdf.crs)
    carry_industry(gdf, out)  # a site attribute with its GB/T 4754-2017 code, for the access lists
    out.attrs = attrs
    return out
