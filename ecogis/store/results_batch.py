"""A batch check into a results table: ``ecogis check --batch SITES --results-to STORE``.

One row per site in the site table (default ``ecogis_batch_sites``; see :mod:`ecogis.store.results_target`):
the run (run id, UTC time, project, site input, rules files, the layer versions used, ecogis version),
the site's verdict and worst finding as in the batch JSON, per layer the overlap area in m² with the
unit, method and analysis CRS stated in columns, and the site geometry (EPSG:4490). With ``findings=``
the findings as in the batch JSON go to that table too.

:class:`BatchResultsWriter` has the begin/add/end/close of the batch file writers
(:mod:`ecogis.render.batch_output`): it gets each chunk once, appends it in one vectorised write (PostGIS
COPY, GDAL's GeoPackage driver) and commits the run at the end, so memory holds one chunk and a failed
run leaves no rows (:mod:`ecogis.store.results_sinks`).
"""
from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.check_batch import BATCH_FINDING_COLUMNS
from ecogis.check_result import METHODS
from ecogis.geodesy import GEOGRAPHIC_EPSG
from ecogis.store.results_sinks import open_sink
from ecogis.store.results_target import ResultsTarget, parse_results_target

#: the columns of every site row before the per-layer overlap columns, and their kinds
RUN_COLUMNS = {"run_id": "text", "checked_at": "time", "project": "text", "site_input": "text", "ruleset": "text",
               "layer_versions": "text", "ecogis_version": "text"}
SITE_COLUMNS = {"id": "text", "name": "text", "geometry_type": "text", "area_m2": "float", "length_m": "float",
                "lon": "float", "lat": "float", "verdict": "text", "worst_layer": "text", "worst_feature": "text",
                "worst_zone": "text", "worst_relation": "text", "worst_rule_id": "text", "findings": "int",
                "area_unit": "text", "area_method": "text", "analysis_crs": "text"}
FLOAT_FINDINGS = {"overlap_area_m2", "overlap_area_ha", "overlap_area_mu", "overlap_length_m", "share_of_site",
                  "distance_m", "buffer_m"}
FINDING_COLUMNS = {"run_id": "text", **{c: "float" if c in FLOAT_FINDINGS else "text" for c in BATCH_FINDING_COLUMNS}}
AREA_UNIT = "m²"
AREA_METHOD = ("sum over the layer's features of the overlap area; " + METHODS["overlap_area"]
               + " (features of one layer that overlap each other are counted in each)")


def overlap_column(layer: str) -> str:
    """The site-table column of the overlap area (m²) of a site with ``layer``."""
    return f"overlap_m2_{layer}"


def site_columns(layers) -> dict:
    """The site table's columns and their kinds (``text``, ``float``, ``int``, ``time``), geometry ``geom``."""
    return {**RUN_COLUMNS, **SITE_COLUMNS, **{overlap_column(lyr): "float" for lyr in layers}, "geom": "geometry"}


class BatchResultsWriter:
    """Writes the chunks of a batch check into a results store as they come (see the module docstring)."""

    def __init__(self, target, *, project: str, site_input: str):
        self.target: ResultsTarget = target if isinstance(target, ResultsTarget) else parse_results_target(target)
        self.project, self.site_input = project, site_input
        self.run_id = uuid.uuid4().hex
        self.sites = self.findings = 0
        self.sink: Any = None  # a PgSink or GpkgSink from begin()

    def begin(self, batch) -> None:
        self.layers = list(batch.layers)
        rules_files = batch.inputs.get("rules_files") or []
        self.run = {"run_id": self.run_id, "checked_at": _now(), "project": self.project,
                    "site_input": self.site_input, "ruleset": "; ".join(map(str, rules_files)),
                    "layer_versions": json.dumps(layer_versions(batch.inputs), ensure_ascii=False),
                    "ecogis_version": _version()}
        self.geometries = SiteGeometries(getattr(batch, "site_frame", None))
        tables = {self.target.table: site_columns(self.layers)}
        if self.target.findings:
            tables[self.target.findings] = FINDING_COLUMNS
        self.sink = open_sink(self.target, tables)

    def add(self, chunk, batch=None) -> None:
        sites = self.site_rows(chunk)
        self.sink.append(self.target.table, sites)
        self.sites += len(sites)
        if self.target.findings and len(chunk.findings):
            findings = _typed(chunk.findings.assign(run_id=self.run_id), FINDING_COLUMNS)
            self.sink.append(self.target.findings, findings)
            self.findings += len(findings)

    def end(self, batch=None) -> None:
        self.sink.commit()

    def close(self) -> None:
        if self.sink is not None:
            self.sink.close()

    def site_rows(self, chunk) -> gpd.GeoDataFrame:
        """The site-table rows of one chunk (columns :func:`site_columns`)."""
        rows = chunk.sites.reset_index(drop=True).assign(**self.run, area_unit=AREA_UNIT, area_method=AREA_METHOD)
        rows["analysis_crs"] = analysis_crs(rows["lon"].to_numpy(dtype=float))
        overlaps = chunk.findings[chunk.findings["relation"] == "intersects"]
        area = overlaps.groupby(["site", "layer"])["overlap_area_m2"].sum().unstack()
        area = area.reindex(index=rows["id"], columns=self.layers).fillna(0.0)
        for lyr in self.layers:
            rows[overlap_column(lyr)] = area[lyr].to_numpy(dtype=float)
        columns = site_columns(self.layers)
        frame = _typed(rows, {k: v for k, v in columns.items() if k != "geom"})
        return gpd.GeoDataFrame(frame, geometry=self.geometries.of(rows["id"]), crs="EPSG:4490").rename_geometry("geom")

    def to_dict(self) -> dict:
        return {"store": str(self.target), "run_id": self.run_id, "sites": self.sites, "findings": self.findings,
                "findings_table": self.target.findings}


class SiteGeometries:
    """The geometry (EPSG:4490) of each site id, from the sites the batch screened (a site of several
    rows is their union); None when the batch kept no sites."""

    def __init__(self, frame):
        self.frame = frame
        if frame is not None:
            self.index = pd.Index(frame["id"].astype(str))
            self.unique = self.index.is_unique

    def of(self, ids) -> list:
        ids = pd.Index(pd.Series(ids).astype(str))
        if self.frame is None:
            return [None] * len(ids)
        if self.unique:
            positions = self.index.get_indexer(ids)
            part = self.frame.geometry.iloc[np.where(positions < 0, 0, positions)].to_crs(GEOGRAPHIC_EPSG)
            return [g if p >= 0 else None for g, p in zip(part.to_numpy(), positions)]
        part = self.frame[self.index.isin(ids)]
        geoms = part.geometry.to_crs(GEOGRAPHIC_EPSG)
        merged = {k: shapely.union_all(g.to_numpy()) for k, g in geoms.groupby(part["id"].astype(str).to_numpy())}
        return [merged.get(i) for i in ids]


def analysis_crs(lon: np.ndarray) -> list[str]:
    """Per site centre longitude (°E), the CGCS2000 3° Gauss-Kruger zone its figures were computed in
    (the zone :func:`ecogis.screen.screen_chunks` takes for it)."""
    from ecogis.crs import describe_crs, metric_crs
    from ecogis.geodesy import gk_zone_for_lon

    zones = gk_zone_for_lon(lon) if len(lon) else np.zeros(0, int)
    names = {z: str(describe_crs(metric_crs(z * 3.0))) for z in np.unique(zones)}
    return [names[z] for z in zones]


def layer_versions(inputs: dict) -> dict:
    """Per layer, what was read: its source, with ``@version`` for a published layer."""
    project_layers = (inputs.get("project") or {}).get("layers") or {}
    out = {}
    for name, meta in (inputs.get("layers") or {}).items():
        version = (project_layers.get(name) or {}).get("version") or meta.get("version")
        source = str(meta.get("path") or (project_layers.get(name) or {}).get("path"))
        out[name] = f"{source}@{version}" if version and f"@{version}" not in source else source
    return out


def _typed(frame: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """``frame`` with exactly ``columns``, each of its kind (text: str or None; float; int)."""
    out = {}
    for name, kind in columns.items():
        col = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)
        if kind == "float":
            out[name] = pd.to_numeric(col, errors="coerce").astype(float)
        elif kind == "int":
            out[name] = col.astype(np.int64)
        elif kind == "text":
            out[name] = col.astype(object).where(col.notna(), None).map(lambda v: v if v is None else str(v))
        else:
            out[name] = col
    return pd.DataFrame(out).reset_index(drop=True)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _version() -> str:
    import ecogis

    return ecogis.__version__
