"""Area of each raster code inside each zone, with partial cells weighted by covered fraction.

exactextract computes, for every cell a zone polygon touches, the exact fraction of the cell it
covers. With the cell areas (m², :mod:`ecogis.raster.pixel_area`) as weights, the area of code ``c``
in a zone is ``Σ coverage × cell_area`` over cells holding ``c``: ``weighted_frac(c)`` times the
covered area ``W = Σ coverage × cell_area`` over all cells. Nodata cells carry the code ``NODATA_CODE``,
so their area comes out of the same pass. Rasters are read in windows of at most ``max_cells`` cells.

exactextract 0.3 has no operation returning ``W`` itself; it comes out of the same pass over
(codes, cell areas) as ``weighted_sum / weighted_mean`` (``Σ code·coverage·area`` divided by
``Σ code·coverage·area / W``): two roundings, so within 3e-16 of ``W`` whatever the codes, as long
as ``weighted_sum`` is not 0 (all codes 0). Those zones get ``W`` from a pass over the cell areas alone.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from exactextract import exact_extract
from exactextract.operation import Operation

from ecogis.raster.messages import say
from ecogis.raster.sources import NODATA_CODE, CellAreaSource
from ecogis.raster.zones import Zones

# Memory per cell while extracting: raw band + class/transition codes int64 + cell area float64 (one
# window each, see ecogis.raster.sources) plus exactextract's coverage fractions and its copies.
BYTES_PER_CELL = 40
DEFAULT_MEMORY_MB = 256
# Areas below this fraction of a cell are floating-point noise where zone edges coincide with cell
# edges (float32 coverage fractions); they are dropped from class, transition and patch lists.
NOISE_CELLS = 1e-6
COVERAGE_TOL = 1e-6  # relative; exactextract stores coverage fractions as float32


def max_cells_for(memory_mb: float) -> int:
    """Largest window (cells) whose buffers fit in ``memory_mb`` MiB."""
    return max(256, int(memory_mb * 2**20) // BYTES_PER_CELL)


@dataclass
class ZoneCodes:
    """Per zone: m² of each code, covered m² (all cells) and the part of it on nodata cells (m²)."""

    code_m2: dict[int, float]
    covered_m2: float
    nodata_m2: float


def extract_code_areas(codes_src, zones: Zones, *, max_cells: int, progress: bool = False,
                       notes=None) -> list[ZoneCodes]:
    """Run exactextract over ``codes_src`` (a windowed source of integer codes) for every zone.

    The coverage fractions of each zone are checked against its planar area inside the raster; where
    they disagree (exactextract 0.3 drops interior cells next to an edge that runs exactly through
    cell corners, as in synthetic or snapped data), the zone is extracted again shifted by 1e-6 of a
    cell, which moves the vertices off the corners and changes its area by less than 1e-9.
    """
    geoms = zones.gdf.geometry.values
    rows = _run(codes_src, geoms, max_cells, progress)
    bad = _coverage_mismatch(codes_src.ds, geoms, rows["coverage_sum"].to_numpy())
    if len(bad):
        dx, dy = 0.37e-6 * abs(codes_src.ds.transform.a), 0.61e-6 * abs(codes_src.ds.transform.e)
        shifted = shapely.transform(geoms[bad], lambda xy: xy + np.array([dx, dy]))
        redo = _run(codes_src, shifted, max_cells, False)
        still = _coverage_mismatch(codes_src.ds, shifted, redo["coverage_sum"].to_numpy())
        if len(still):
            say("coverage_mismatch", notes, zones=[int(i) for i in bad[still]], tol=f"{COVERAGE_TOL:g}")
        rows.iloc[bad] = redo.to_numpy()
        say("corner_retry", notes, warn=False, zones=[int(i) for i in bad])
    out = []
    for codes, fracs, covered in zip(rows["codes"], rows["fracs"], rows["covered"]):
        covered = float(covered) if np.isfinite(covered) else 0.0
        code_m2 = {int(c): float(f) * covered for c, f in zip(np.ravel(codes), np.ravel(fracs))}
        nodata_m2 = code_m2.pop(int(NODATA_CODE), 0.0)
        out.append(ZoneCodes(code_m2, covered, nodata_m2))
    return out


def _run(codes_src, geoms, max_cells, progress) -> pd.DataFrame:
    """Per zone (in order): codes, their area fractions, covered m² and Σ coverage, from one pass."""
    area_src = CellAreaSource(codes_src.ds)
    ops = [
        Operation("unique", "codes", codes_src, area_src),
        Operation("weighted_frac", "fracs", codes_src, area_src),
        Operation("weighted_sum", "code_m2", codes_src, area_src),  # Σ code × coverage × cell area
        Operation("weighted_mean", "mean_code", codes_src, area_src),  # the same / covered m²
        Operation("count", "coverage_sum", codes_src, area_src),  # Σ coverage (same pass: same rasters)
    ]
    rows = _extract(codes_src, geoms, ops, max_cells, progress)
    code_m2 = rows["code_m2"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["covered"] = code_m2 / rows["mean_code"].to_numpy(float)
    all_zero = np.flatnonzero((code_m2 == 0) & (np.nan_to_num(rows["coverage_sum"].to_numpy(float)) > 0))
    if len(all_zero):  # every code 0 (or an exact cancellation): the quotient is 0/0
        area_only = [Operation("sum", "covered", area_src, None)]
        rows.loc[all_zero, "covered"] = _extract(area_src, geoms[all_zero], area_only, max_cells, False)[
            "covered"].to_numpy()
    return rows[["codes", "fracs", "covered", "coverage_sum"]]


def _extract(src, geoms, ops, max_cells, progress) -> pd.DataFrame:
    """exactextract's ``ops`` for every polygon of ``geoms``, one row per polygon in their order."""
    vec = gpd.GeoDataFrame({"_i": np.arange(len(geoms))}, geometry=np.asarray(geoms), crs=src.ds.crs)
    kwargs = {"progress": _tqdm_progress()} if progress else {}
    # exactextract pads a chunk by a row of cells at its edges: give it half the budget
    rows = exact_extract(src, vec, ops, include_cols=["_i"], output="pandas",
                         max_cells_in_memory=max(1, max_cells // 2), strategy="feature-sequential", **kwargs)
    return rows.sort_values("_i").reset_index(drop=True)


def _coverage_mismatch(ds, geoms, coverage_sum) -> np.ndarray:
    """Indices of zones whose summed coverage fractions differ from their planar area in the raster."""
    b = ds.bounds
    inside = shapely.area(shapely.intersection(np.asarray(geoms), shapely.box(b.left, b.bottom, b.right, b.top)))
    expected = inside / abs(ds.transform.a * ds.transform.e)
    got = np.nan_to_num(np.asarray(coverage_sum, float))
    return np.flatnonzero(np.abs(got - expected) > COVERAGE_TOL * np.maximum(expected, 1.0))


def _tqdm_progress():
    from tqdm import tqdm

    bar = tqdm(total=100, file=sys.stderr, unit="%", desc="zones", leave=False, disable=None)  # off when not a tty

    def status(frac, message):
        bar.update(frac * 100 - bar.n)
        if frac >= 1:
            bar.close()

    return status
