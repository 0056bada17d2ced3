"""Sites read as partitions on the Dask workers (``ecogis check --batch --engine dask`` on GeoParquet, and
on vector files: :mod:`ecogis.site_parts_vector`).

The calling process reads only the Parquet metadata (files, row groups, their row counts, the CRS the
``geo`` metadata states): each row group is a partition, read on a worker by dask-geopandas
(``dask_geopandas.read_parquet(..., split_row_groups=True)``) and normalised there as
:func:`ecogis.site_input.read_site` normalises a whole file (CRS, field mapping, replacement characters,
features without geometry, repairs, ids and names), each row labelled by its place in the whole layer.

Two passes over the partitions, both on the workers:

1. :func:`scan_part` returns a :class:`PartDigest` per partition: the number of sites, their ``id``
   field, the features without geometry, the notes and warnings, the boundary adcodes the sites touch,
   the coverage gaps, whether some sites are lines, and the sites' bounds. :func:`combine` settles from
   them what :func:`ecogis.site_input.read_site` settles for the whole file (ids kept or 1, 2, ...;
   every note once, in file order; features without geometry an error or one note).
2. :func:`read_part` reads and normalises the partition again, with the settled ids, to screen it
   (:func:`ecogis.engine_dask_worker.screen_read_part`).

The calling process holds no geometry and no attribute of the sites: per site only its ``id`` while the
ids are settled (and, as for any batch check, its summary row). With control units (生态环境分区管控) the
scan also counts the sites that describe themselves (industry, type, description attributes) and whether
one gives an industry: the batch's zoning header and its note on a missing industry; each partition's
zoning is then judged on the worker with its own sites' descriptions
(:meth:`ecogis.zoning.batch.BatchZoning.with_sites`), as the whole batch judges each site. Not read this
way (read in the calling process instead, as before): formats other than GeoParquet, the vector files
of :mod:`ecogis.site_parts_vector` (read there in ranges of features) and the PostGIS tables of
:mod:`ecogis.site_parts_postgis` (in ranges of rows), ``--vertices``, a web-map
``--site-crs``, a GeoParquet that states no CRS when no ``--site-crs`` is given (its CRS is inferred from
all the coordinates), and a batch that keeps the site geometries (a results table, ``keep_sites``).
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.coverage import CoverageGap, coverage_gaps
from ecogis.crs import resolve_crs
from ecogis.errors import AssumptionWarning
from ecogis.geodesy import GEOGRAPHIC_CRS, gk_zone_for_lon
from ecogis.notes import Notes, note_of, warn_note


@dataclass(frozen=True)
class SiteSource:
    """A GeoParquet file or folder of sites read in partitions: ``files`` in the order the whole layer is
    read in, ``rows`` the number of features of each partition (row group), ``stated_crs`` whether the
    metadata states a CRS; ``site_crs`` the user's ``--site-crs`` (or None)."""

    path: Path
    files: tuple[str, ...]
    rows: tuple[int, ...]
    stated_crs: bool
    site_crs: Any = None
    #: ``vector``: a vector file read in ranges of features (:mod:`ecogis.site_parts_vector`), its layer,
    #: attribute encoding and what settling them said (the notes the whole-file reader says first)
    fmt: str = "parquet"
    layer: str | None = None
    encoding: str | None = None
    encoding_source: str | None = None
    said: tuple = ()

    @property
    def offsets(self) -> np.ndarray:
        """The layer row each partition starts at."""
        return np.concatenate([[0], np.cumsum(self.rows)[:-1]]).astype(np.int64)


def partitioned_source(site: Any, project: Any, *, site_crs: Any = None, vertices: Any = None) -> SiteSource | None:
    """The :class:`SiteSource` of ``site`` when its partitions can be read on the workers, else None (the
    cases in the module docstring: the sites are then read in the calling process)."""
    from ecogis.io.parquet import PARQUET_SUFFIXES, _parts, geo_metadata, is_parquet_folder
    from ecogis.io.postgis import is_postgres_url

    if vertices is not None or not isinstance(site, (str, Path)):
        return None
    from ecogis.site_parts_vector import vector_source

    if site_crs is not None and isinstance(resolve_crs(site_crs), str):  # a web-map system: converted in one piece
        return None
    if is_postgres_url(site):
        from ecogis.site_parts_postgis import postgis_source

        found = postgis_source(str(site), site_crs)
        return None if found is None else SiteSource(**found)
    path = Path(site)
    if path.is_file() and path.suffix.lower() not in PARQUET_SUFFIXES:
        fields = vector_source(path, site_crs)
        return None if fields is None else SiteSource(**fields)
    if not path.exists() or not (path.suffix.lower() in PARQUET_SUFFIXES or is_parquet_folder(path)):
        return None
    geo = geo_metadata(path)
    stated = (geo.get("columns") or {}).get(geo.get("primary_column", "geometry"), {}).get("crs") is not None
    if not stated and site_crs is None:
        return None
    import pyarrow.parquet as pq

    files = [str(p) for p in _parts(path)]
    rows = [pq.ParquetFile(f).metadata.row_group(i).num_rows
            for f in files for i in range(pq.ParquetFile(f).metadata.num_row_groups)]
    if sum(rows) == 0:
        return None  # the whole-file reader says the file is empty
    source = SiteSource(path, tuple(files), tuple(rows), stated, site_crs)
    return source if len(raw_partitions(source)) == len(rows) else None  # one partition per row group, in order


def raw_partitions(source: SiteSource) -> list:
    """One dask ``Delayed`` per partition: its row group as read by dask-geopandas, or its range of features
    of a vector file (raw, not normalised)."""
    import dask
    import dask_geopandas

    if source.fmt == "vector":
        from ecogis.site_parts_vector import read_range

        return [dask.delayed(read_range)(source, int(lo), n) for lo, n in zip(source.offsets, source.rows)]
    if source.fmt == "postgis":
        from ecogis.site_parts_postgis import read_rows

        return [dask.delayed(read_rows)(source, int(lo), n) for lo, n in zip(source.offsets, source.rows)]

    with dask.config.set({"dataframe.convert-string": False}):  # text as object columns, as geopandas reads it
        frame = dask_geopandas.read_parquet(list(source.files), split_row_groups=True)
    parts: list = frame.to_delayed()
    return parts


def read_part(raw: gpd.GeoDataFrame, source: SiteSource, index: int, kept_offset: int,
              ids_from: int | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Partition ``index`` normalised as the whole layer is: the sites (columns id, name, geometry, industry
    fields) and what was said (``read`` notes, ``empty`` count and first labels, ``repairs``, ``warned``).
    ``kept_offset``: the sites with geometry before this partition; ``ids_from``: number the sites
    ``ids_from + 1, ...`` (the layer's ids were missing or not unique), else keep their ``id``."""
    from ecogis.io.parquet import ENCODING_SOURCE
    from ecogis.io.read import _finish
    from ecogis.io.read_crs import _settle_crs
    from ecogis.site_input import empty_sites, site_frame, site_labels

    raw_offset = int(source.offsets[index])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AssumptionWarning)
        notes = Notes(source.said)
        gdf = raw.set_axis(pd.RangeIndex(raw_offset, raw_offset + len(raw)))
        if not source.stated_crs:
            gdf = gdf.set_crs(None, allow_override=True)
        if source.fmt in ("vector", "postgis"):
            meta = {"layer": source.layer, "encoding": source.encoding or "UTF-8",
                    "encoding_source": source.encoding_source or "file", "row_offset": raw_offset}
        else:
            meta = {"layer": None, "encoding": "utf-8", "encoding_source": ENCODING_SOURCE,
                    "parts": len(source.files), "row_offset": raw_offset}
        gdf, meta = _settle_crs(gdf, source.path, source.site_crs, None, notes, meta)
        gdf.attrs["ecogis"] = meta
        gdf, info = _finish(gdf, source.path, source.fmt, "site", None, None, notes)
        empty = empty_sites(gdf)
        said = {"read": list(info.notes), "empty": int(empty.sum()),
                "empty_labels": site_labels(gdf, np.flatnonzero(empty)[:5], raw_offset)}
        kept = gdf.loc[~empty].copy()
        said["ids"] = (kept["id"].astype(str).astype("string[pyarrow]").reset_index(drop=True)
                       if "id" in kept and kept["id"].notna().all() else None)  # the layer's own ids, if any
        kept.attrs["ecogis"] = {**gdf.attrs["ecogis"], "row_offset": kept_offset}
        repairs = Notes()
        ids = None if ids_from is None else [str(ids_from + i + 1) for i in range(len(kept))]
        sites = site_frame(kept, source.path, repairs, ids=ids, offset=kept_offset)
    sites.attrs["ecogis"] = {k: v for k, v in sites.attrs["ecogis"].items() if k not in ("row_offset", "notes")}
    said.update(repairs=list(repairs),
                warned=[note_of(w.message) for w in caught if issubclass(w.category, AssumptionWarning)])
    return sites, said


@dataclass
class PartDigest:
    """What the calling process learns of one partition (:func:`scan_part`); ``gaps`` are
    ``(GK zone, coverage number, site position in the layer, CoverageGap)``."""

    sites: int
    ids: pd.Series | None
    said: dict
    meta: dict
    crs: Any
    lines: bool
    bounds: np.ndarray
    area: tuple
    gaps: list = field(default_factory=list)
    described: int = 0  # sites whose own attributes describe them (ecogis.zoning.description.site_descriptions)
    industries: bool = False  # whether some site gives its own industry


def scan_part(raw: gpd.GeoDataFrame, source: SiteSource, index: int, kept_offset: int,
              context: tuple[Any, list, Any]) -> PartDigest:
    """Read partition ``index`` on a worker and return its :class:`PartDigest` (sites numbered from
    ``kept_offset``; ``context``: the batch check's boundary, layer coverages and the project's description,
    :class:`ecogis.zoning.description.ProjectDescription`, or None without control units)."""
    from ecogis.jurisdiction import site_adcodes

    boundary, coverages, info = context
    sites, said = read_part(raw, source, index, kept_offset)
    described = {} if info is None else own_descriptions(sites, info)
    geo = sites.to_crs(GEOGRAPHIC_CRS)
    zones = gk_zone_for_lon(np.nan_to_num(shapely.get_x(shapely.centroid(np.asarray(geo.geometry.values)))))
    where = {sid: k for k, sid in enumerate(sites["id"])}
    order = {cov.layer: k for k, cov in enumerate(coverages)}
    gaps = [(int(zones[where[g.site]]), order[g.layer], kept_offset + where[g.site], g)
            for g in coverage_gaps(sites, coverages)]
    lines = bool((shapely.get_dimensions(np.asarray(sites.geometry.values)) == 1).any())
    return PartDigest(len(sites), said.pop("ids"), said, dict(sites.attrs.get("ecogis", {})), sites.crs, lines,
                      np.asarray(sites.total_bounds), site_adcodes(sites, boundary), gaps, len(described),
                      any(d.industry is not None for d in described.values()))


def own_descriptions(sites: gpd.GeoDataFrame, info: Any) -> dict:
    """:func:`ecogis.zoning.description.site_descriptions` of a partition's sites, one entry per site even
    when ids repeat before they are settled (the error of a bad code names the site by its id as read)."""
    from ecogis.zoning.description import site_descriptions

    described = site_descriptions(sites, info)
    if sites["id"].is_unique:
        return described
    return site_descriptions(sites.assign(id=[str(k) for k in range(len(sites))]), info)


@dataclass
class Settled:
    """What the partitions settle for the whole layer: sites per partition, their first position, whether
    the sites are numbered 1, 2, ... (ids missing or not unique), the bounds of all sites (site CRS)."""

    sites: list[int]
    offsets: list[int]
    renumber: bool
    bounds: np.ndarray

    @property
    def total(self) -> int:
        return int(sum(self.sites))


def kept_offsets(digests: list[PartDigest]) -> list[int]:
    """The first site position (sites with geometry) of each partition."""
    return [int(v) for v in np.concatenate([[0], np.cumsum([d.sites for d in digests])[:-1]])]


def combine(digests: list[PartDigest], source: SiteSource, notes: list, skip_empty: bool) -> tuple[Settled, dict]:
    """Settle the layer from its partitions' digests as :func:`ecogis.site_input.read_site` settles a whole
    file: the read notes once each in file order, the features without geometry (an EcogisError, or one
    note with ``skip_empty``), the repairs, the warnings re-emitted here once; and the site metadata."""
    from ecogis.site_input import report_empty_sites

    for d in digests:
        notes.extend(n for n in d.said["read"] if n not in notes)
    labels = [label for d in digests for label in d.said["empty_labels"]]
    report_empty_sites(sum(d.said["empty"] for d in digests), int(sum(source.rows)), labels, source.path, notes,
                       skip_empty)
    for d in digests:
        notes.extend(n for n in d.said["repairs"] if n not in notes)
    seen: list = []
    for d in digests:
        for w in d.said["warned"]:
            if w not in seen:
                seen.append(w)
                warn_note(w)
    ids = [d.ids for d in digests]
    renumber = any(i is None for i in ids) or bool(pd.concat(ids, ignore_index=True).duplicated().any())
    bounds = np.array([d.bounds for d in digests if d.sites])
    settled = Settled([d.sites for d in digests], kept_offsets(digests), renumber,
                      np.array([bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()]))
    meta = {k: v for k, v in digests[0].meta.items() if k != "notes"}
    crs = digests[0].crs
    meta.update(source="file", path=str(source.path), features=settled.total,
                crs=meta.get("crs") or crs.to_string(), converted_from=None)
    return settled, meta


def settled_gaps(digests: list[PartDigest], settled: Settled) -> list[CoverageGap]:
    """The coverage gaps of all sites in the order :func:`ecogis.coverage.coverage_gaps` gives them for the
    whole layer (GK zone, coverage, site), each naming its site by the settled id."""
    gaps = sorted((g for d in digests for g in d.gaps), key=lambda g: g[:3])
    if not settled.renumber:
        return [g[3] for g in gaps]
    return [dataclasses.replace(g[3], site=str(g[2] + 1)) for g in gaps]


def settled_area(digests: list[PartDigest]) -> tuple:
    """:func:`ecogis.jurisdiction.site_adcodes` of all sites from those of each partition."""
    codes = set().union(*(d.area[0] or set() for d in digests))
    return (codes, "") if codes else (None, digests[0].area[1])
