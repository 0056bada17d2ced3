"""Guessing the CRS of bare coordinates (:func:`infer_crs`): longitude/latitude in China, or Gauss-Kruger
with or without a zone prefix on the easting, and whether X and Y are swapped; :func:`positions_ok`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
from numpy.typing import ArrayLike

from ecogis.errors import EcogisError

if TYPE_CHECKING:
    pass

from ecogis.crs_catalogue import (
    CHINA_LAT,
    CHINA_LON,
    GEOGRAPHIC,
    GK_EASTING,
    GK_NORTHING,
    crs_label,
    gk_epsg,
    normalise_datum,
    zone_cm,
    zone_width,
)

# ---------------------------------------------------------------------------------------------------
# infer_crs
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CrsGuess:
    """Result of :func:`infer_crs`.

    ``crs``: the guessed CRS. ``swap_xy``: True when the values given as x are northings/latitudes
    (surveying order), i.e. the caller must swap x and y. ``reason``: text explaining the guess (to be
    reported with :func:`ecogis.errors.warn_assumption`). ``zone``/``width``/``prefixed``: the
    Gauss-Kruger zone found, or None for geographic coordinates.
    """

    crs: pyproj.CRS
    swap_xy: bool
    reason: str
    zone: int | None = None
    width: int | None = None
    prefixed: bool | None = None

    @property
    def label(self) -> str:
        return crs_label(self.crs) or ""  # never empty: a CRS always has a code or a name

    def to_dict(self) -> dict[str, Any]:
        return {"crs": self.label, "swap_xy": self.swap_xy, "reason": self.reason, "zone": self.zone,
                "width": self.width, "prefixed": self.prefixed}


def _within(values: np.ndarray, bounds: tuple[float, float]) -> bool:
    return bool(np.all((values >= bounds[0]) & (values <= bounds[1])))


def _prefixed_easting(values: np.ndarray) -> bool:
    """True when every value has 8 digits before the decimal point and a plausible in-zone remainder."""
    if not np.all((values >= 1e7) & (values < 1e8)):
        return False
    return _within(np.mod(values, 1e6), GK_EASTING)


def _ranges(x: np.ndarray, y: np.ndarray) -> str:
    return f"x {np.min(x):.6g}..{np.max(x):.6g}, y {np.min(y):.6g}..{np.max(y):.6g}"


def positions_ok(x: ArrayLike, y: ArrayLike, crs: pyproj.CRS | str) -> np.ndarray:
    """Per coordinate pair (GIS order), True if it is a position in ``crs``: longitude/latitude within
    ±180/±90 for a geographic or web-map (GCJ-02, BD-09) ``crs``; for a projected one, a pair that
    projects to a finite longitude/latitude and back to itself within 1 m (out of the projection's domain,
    e.g. a northing of 1e300, the inverse projection returns finite nonsense)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if isinstance(crs, str) or crs.is_geographic:
        in_range: np.ndarray = (np.abs(x) <= 180) & (np.abs(y) <= 90)
        return in_range
    transformer = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    with np.errstate(invalid="ignore", over="ignore"):
        lon, lat = transformer.transform(x, y)
        x_back, y_back = transformer.transform(lon, lat, direction="INVERSE")
        ok: np.ndarray = (np.isfinite(lon) & np.isfinite(lat)
                          & (np.abs(x_back - x) < 1.0) & (np.abs(y_back - y) < 1.0))
        return ok


def infer_crs(x: Any, y: Any, cm: float | None = None, *, width: int = 3, datum: str = "CGCS2000") -> CrsGuess:
    """Guess the CRS of bare coordinates; vectorised over arrays.

    ``x``, ``y``: coordinates in GIS order as the caller holds them (x should be easting/longitude).
    If they turn out to be in surveying order (x = northing, y = easting) the guess has
    ``swap_xy=True`` and describes the coordinates after swapping.

    Rules: longitudes 73-136 and latitudes 3-54 -> EPSG:4490. An easting with 8 digits before the
    decimal point carries its Gauss-Kruger zone: 25-45 -> 3-degree zone, 13-23 -> 6-degree zone. A
    6-digit easting has no prefix and needs ``cm`` (central meridian, degrees E) from the user; ``width``
    then only picks the EPSG code (3- and 6-degree projections with the same CM are identical). The
    datum is not in the numbers: ``datum`` (default CGCS2000) is assumed and the reason says so.
    Raises EcogisError for mixed zones, coordinates outside China or a missing ``cm``.
    """
    datum = normalise_datum(datum)
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size == 0:
        raise EcogisError("no finite coordinates to infer a CRS from", hint="Pass crs= explicitly")
    datum_note = (f"datum assumed {datum} (the datum cannot be read from coordinates; pass crs= to override)"
                  if datum == "CGCS2000" else f"datum {datum} as given")

    if _within(x, CHINA_LON) and _within(y, CHINA_LAT):
        return _geographic_guess(False, datum, datum_note)
    if _within(y, CHINA_LON) and _within(x, CHINA_LAT):
        return _geographic_guess(True, datum, datum_note)
    if np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 180):
        raise EcogisError(f"coordinates look like degrees but lie outside China ({_ranges(x, y)})",
                          hint="ecogis infers CRSs only for data in China (73-136 E, 3-54 N); pass crs= explicitly")

    if _prefixed_easting(x) and _within(y, GK_NORTHING):
        return _prefixed_guess(x, y, False, cm, datum, datum_note)
    if _prefixed_easting(y) and _within(x, GK_NORTHING):
        return _prefixed_guess(y, x, True, cm, datum, datum_note)

    x_east, y_east = _within(x, GK_EASTING), _within(y, GK_EASTING)
    if x_east or y_east:
        swap = not x_east  # x is not an easting, y is
        easting, northing = (y, x) if swap else (x, y)
        if _within(northing, GK_NORTHING):
            return _unprefixed_guess(easting, northing, swap, x_east and y_east, cm, width, datum, datum_note)
    if np.any((x >= 1e7) & (x < 1e8)) or np.any((y >= 1e7) & (y < 1e8)):
        _check_mixed_zones(x, y)
    raise EcogisError(f"cannot infer a CRS from the coordinates ({_ranges(x, y)}): they are neither "
                      "longitude/latitude in China nor Gauss-Kruger metres",
                      hint="Pass crs= (e.g. EPSG:4529 for CGCS2000 3-degree zone 41 with prefix)")


def _other_datums(datum: str, zone: int | None = None, width: int = 3, prefixed: bool = True) -> str:
    """'; if the data is on Xian 1980 pass crs=EPSG:2365 (Beijing 1954: EPSG:2417)' for a CGCS2000 guess."""
    if datum != "CGCS2000":
        return ""
    if zone is None:
        xian, beijing = GEOGRAPHIC["Xian1980"], GEOGRAPHIC["Beijing1954"]
    else:
        xian, beijing = (gk_epsg(zone, width, d, prefixed) for d in ("Xian1980", "Beijing1954"))
    return (f"; if the data is on Xian 1980 pass crs=EPSG:{xian} (CLI --crs EPSG:{xian}; Beijing 1954: "
            f"EPSG:{beijing}) instead")


def _geographic_guess(swap: bool, datum: str, datum_note: str) -> CrsGuess:
    code = GEOGRAPHIC[datum]
    order = ("values were in latitude, longitude order and are swapped; " if swap else "")
    reason = (f"coordinates are longitude/latitude degrees within China (73-136 E, 3-54 N): {order}"
              f"EPSG:{code}; {datum_note}{_other_datums(datum)}")
    return CrsGuess(pyproj.CRS.from_epsg(code), swap, reason)


def _zone_prefix(eastings: np.ndarray) -> int:
    """The zone prefix (leading digits above 10⁶ m) shared by 8-digit eastings; EcogisError when several."""
    zones = np.unique(np.floor(eastings / 1e6).astype(int))
    if zones.size > 1:
        raise EcogisError(f"coordinates carry several zone prefixes ({', '.join(map(str, zones))}) in one file",
                          hint="Split the file by zone, or reproject the parts to one zone first")
    return int(zones[0])


def _check_mixed_zones(x: np.ndarray, y: np.ndarray) -> None:
    """Raise when a coordinate column is all 8-digit eastings from several zones."""
    for values in (x, y):
        if np.all((values >= 1e7) & (values < 1e8)):
            _zone_prefix(values)


def _prefixed_guess(easting: np.ndarray, northing: np.ndarray, swap: bool, cm: float | None, datum: str,
                    datum_note: str) -> CrsGuess:
    zone = _zone_prefix(easting)
    width = zone_width(zone)
    if width is None:
        raise EcogisError(f"easting prefix {zone} is not a Gauss-Kruger zone in China "
                          "(3-degree zones 25-45, 6-degree zones 13-23)", hint="Pass crs= explicitly")
    central = zone_cm(zone, width)
    if cm is not None and abs(float(cm) - central) > 1e-9:
        raise EcogisError(f"central meridian {cm} does not match the zone prefix {zone} "
                          f"({width}-degree zone, CM {central:g} E)",
                          hint="Check the zone number (带号) or the central meridian you gave")
    code = gk_epsg(zone, width, datum, prefixed=True)
    order = ("X/Y were in surveying order (X = northing, Y = easting) and are swapped; " if swap else "")
    reason = (f"eastings carry the zone prefix {zone} (8 digits before the decimal point): "
              f"{width}-degree Gauss-Kruger zone {zone}, CM {central:g} E, {order}EPSG:{code}; {datum_note}"
              f"{_other_datums(datum, zone, width, True)}")
    return CrsGuess(pyproj.CRS.from_epsg(code), swap, reason, zone, width, True)


def _unprefixed_guess(easting: np.ndarray, northing: np.ndarray, swap: bool, ambiguous: bool, cm: float | None,
                      width: int, datum: str, datum_note: str) -> CrsGuess:
    if cm is None:
        raise EcogisError(f"Gauss-Kruger coordinates without a zone prefix ({_ranges(easting, northing)} m): "
                          "the central meridian cannot be read from them",
                          hint="Pass the central meridian, e.g. cm=123 (--cm 123) for 3-degree zone 41 "
                               "(Panjin), or crs=EPSG:4550")
    cm = float(cm)
    zone = int(round(cm / 3.0)) if width == 3 else int(round((cm + 3.0) / 6.0))
    if abs(zone_cm(zone, width) - cm) > 1e-9:
        raise EcogisError(f"{cm:g} E is not the central meridian of a {width}-degree Gauss-Kruger zone",
                          hint="3-degree CMs are multiples of 3 (e.g. 123); 6-degree CMs are 6n-3 (e.g. 123)")
    code = gk_epsg(zone, width, datum, prefixed=False)
    if ambiguous:
        order = "both axes look like eastings, the given order (x = easting) was kept; "
    elif swap:
        order = "X/Y were in surveying order (X = northing, Y = easting) and are swapped; "
    else:
        order = ""
    reason = (f"6-digit eastings without zone prefix and the central meridian {cm:g} E given by the user: "
              f"{width}-degree Gauss-Kruger, {order}EPSG:{code}; {datum_note}"
              f"{_other_datums(datum, zone, width, False)}")
    return CrsGuess(pyproj.CRS.from_epsg(code), swap, reason, zone, width, False)
