"""Land-cover composition and change inside protected zones (rasterio + exactextract).

* :func:`zonal_composition` — area of each class (m², 公顷, 亩), share and nodata area per zone.
* :func:`change_detection` — transition matrix per zone and polygons of changes of interest.
* :func:`load_legend` — class legends (code, 中文名, English name, colour); default CLCD.

Cell areas are ellipsoidal (see :mod:`ecogis.raster.pixel_area`); partial cells at zone edges are
weighted by their exact covered fraction (exactextract); rasters are read in windows.
"""
from ecogis.raster.change import ChangeResult, change_detection  # noqa: F401
from ecogis.raster.legend import LandClass, Legend, load_legend  # noqa: F401
from ecogis.raster.zonal import ZonalResult, zonal_composition  # noqa: F401
