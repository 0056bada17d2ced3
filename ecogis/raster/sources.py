"""Windowed raster readers that exactextract pulls from, one window at a time.

exactextract asks a source for windows of at most ``max_cells_in_memory`` cells, so no reader here
ever holds a whole raster. Class and transition codes are int64 with nodata cells set to
``NODATA_CODE`` (not masked): exactextract then reports nodata as one more code, so one pass gives
every class area and the nodata area. Every source records the windows it served in ``.reads`` (tests use this
to prove that a raster larger than the memory cap is read in blocks).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from exactextract.raster import RasterSource
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from ecogis.error_messages import error
from ecogis.raster.messages import say
from ecogis.raster.pixel_area import as_crs, cell_areas

NODATA_CODE = np.iinfo(np.int64).min  # code of nodata cells in class and transition windows


def open_raster(path):
    """Open a raster with rasterio, as an EcogisError naming the file when that fails.

    An empty file and a GeoTIFF cut short (its first or last block of cells ends past the end of the
    file) are refused before their missing parts can pass for a missing CRS or a failed read.
    """
    if Path(path).is_file() and Path(path).stat().st_size == 0:
        raise error("raster.empty_file", path=path, hint="raster.copy_again")
    try:
        ds = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise error("raster.cannot_open", path=path, reason=exc, hint="raster.give_geotiff") from exc
    missing = _bytes_missing(ds, path)
    if missing:
        ds.close()
        raise error("raster.truncated", path=path, missing=missing, hint="raster.incomplete")
    if ds.crs is None:
        raise error("raster.no_crs", path=path, hint="raster.assign_crs")
    t = ds.transform
    if t.b != 0 or t.d != 0:
        raise error("raster.rotated", path=path, hint="raster.warp")
    if ds.dtypes[0].startswith("float") or ds.dtypes[0].startswith("complex"):
        raise error("raster.not_integer", path=path, dtype=ds.dtypes[0], hint="raster.give_classified")
    if ds.count > 1:
        say("band_one", path=path, count=ds.count)
    return ds


def _bytes_missing(ds, path) -> int:
    """Bytes by which the first or last block of band 1 of a GeoTIFF ends past the end of the file (0: none)."""
    if ds.driver != "GTiff" or not Path(path).is_file():   # e.g. a /vsizip/ or /vsicurl/ path
        return 0
    rows, cols = ds.block_shapes[0]
    last = (-(-ds.width // cols) - 1, -(-ds.height // rows) - 1)
    size, ends = Path(path).stat().st_size, [0]
    for x, y in {(0, 0), last}:
        offset = ds.get_tag_item(f"BLOCK_OFFSET_{x}_{y}", "TIFF", bidx=1)
        length = ds.get_tag_item(f"BLOCK_SIZE_{x}_{y}", "TIFF", bidx=1)
        if offset and length:
            ends.append(int(offset) + int(length))
    return max(0, max(ends) - size)


def _gdal_reason(exc) -> str:
    """GDAL's own words for a failed read (rasterio chains them as the cause), on one line."""
    text = str(exc.__cause__ or exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


class _GridSource(RasterSource):
    """Common grid description (extent, resolution, CRS) of a rasterio dataset for exactextract."""

    def __init__(self, ds, name):
        super().__init__()
        self.ds = ds
        self.reads: list[tuple[int, int, int, int]] = []
        self._cache = {}
        self.set_name(name)

    def res(self):
        return abs(self.ds.transform.a), abs(self.ds.transform.e)

    def extent(self):
        b = self.ds.bounds
        return (b.left, b.bottom, b.right, b.top)

    def srs_wkt(self):
        return self.ds.crs.to_wkt()

    def nodata_value(self):
        return None  # nodata cells carry the code NODATA_CODE; cell areas have no nodata

    def read_window(self, x0, y0, nx, ny):
        key = (x0, y0, nx, ny)
        if key not in self._cache:  # exactextract asks each op for the same window: read it once
            self.reads.append(key)
            self._cache = {key: self._read(x0, y0, nx, ny)}
        return self._cache[key]

    @property
    def max_window_cells(self) -> int:
        return max((nx * ny for _, _, nx, ny in self.reads), default=0)


class ClassSource(_GridSource):
    """Class codes of band 1 (int64), ``NODATA_CODE`` where nodata (the raster's own, else the legend's fill code).

    ``path`` names the file in errors (``ds`` may be a WarpedVRT over it).
    """

    def __init__(self, ds, nodata=None, name="classes", path=None):
        super().__init__(ds, name)
        self.nodata = ds.nodata if ds.nodata is not None else nodata
        self.path = ds.name if path is None else path

    def _read(self, x0, y0, nx, ny):
        try:
            arr = self.ds.read(1, window=Window(x0, y0, nx, ny))
        except rasterio.errors.RasterioIOError as exc:
            raise error("raster.cannot_read_cells", path=self.path, rows=f"{y0}-{y0 + ny - 1}",
                        columns=f"{x0}-{x0 + nx - 1}", reason=_gdal_reason(exc), hint="raster.damaged") from exc
        codes = arr.astype(np.int64)
        if self.nodata is not None:
            codes[arr == self.nodata] = NODATA_CODE
        return codes


class TransitionSource(_GridSource):
    """``before * base + after`` codes (int64) on the BEFORE grid, ``NODATA_CODE`` where either raster is nodata.

    ``base`` must exceed every value either band can hold (see :func:`code_base`).
    """

    def __init__(self, before: ClassSource, after: ClassSource, base: int, name="transition"):
        super().__init__(before.ds, name)
        self.before, self.after, self.base = before, after, base

    def _read(self, x0, y0, nx, ny):
        b = self.before.read_window(x0, y0, nx, ny)
        a = self.after.read_window(x0, y0, nx, ny)
        return np.where((b == NODATA_CODE) | (a == NODATA_CODE), NODATA_CODE, b * self.base + a)


class CellAreaSource(_GridSource):
    """Ellipsoidal area (m²) of every cell of the grid of ``ds`` (see :mod:`ecogis.raster.pixel_area`)."""

    def __init__(self, ds, name="cell_area"):
        super().__init__(ds, name)
        self.crs = as_crs(ds.crs)  # parsed once, not per window

    def _read(self, x0, y0, nx, ny):
        if nx == 0 or ny == 0:
            return np.zeros((ny, nx))
        return cell_areas(self.crs, self.ds.transform, y0, x0, ny, nx)


def code_base(*datasets) -> int:
    """A power of ten above every value the band-1 dtypes of ``datasets`` can hold (1000 for uint8)."""
    top = max(np.iinfo(np.dtype(ds.dtypes[0])).max for ds in datasets)
    return 10 ** len(str(int(top)))


def same_grid(a, b, tol: float = 1e-6) -> bool:
    """True when rasters ``a`` and ``b`` share CRS, transform and shape."""
    return (a.crs == b.crs and a.width == b.width and a.height == b.height
            and a.transform.almost_equals(b.transform, precision=tol * abs(a.transform.a)))


def aligned(after, before, nodata):
    """``after`` on the grid of ``before``: itself if the grids match, else a nearest-neighbour WarpedVRT."""
    if same_grid(after, before):
        return after
    return WarpedVRT(
        after, crs=before.crs, transform=Affine(*before.transform[:6]), width=before.width, height=before.height,
        resampling=Resampling.nearest, src_nodata=after.nodata if after.nodata is not None else nodata,
        nodata=after.nodata if after.nodata is not None else nodata,
    )


def iter_windows(width: int, height: int, max_cells: int):
    """Row-band windows of a ``width`` × ``height`` grid, at most ``max_cells`` cells each (whole rows, or
    column chunks)."""
    ncols = min(width, max(1, max_cells))
    nrows = max(1, max_cells // ncols)
    for row0 in range(0, height, nrows):
        for col0 in range(0, width, ncols):
            yield Window(col0, row0, min(ncols, width - col0), min(nrows, height - row0))
