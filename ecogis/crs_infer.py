"""Guessing the CRS of bare coordinates (longitude/latitude in China, or Gauss-Kruger with or without a
zone prefix on the easting) and whether X and Y are swapped: :func:`infer_crs`, :class:`CrsGuess`, and
:func:`positions_ok`, which tells whether coordinates are plausible positions in China for a given CRS."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
from numpy.typing import ArrayLike

from ecogis.crs import GEOGRAPHIC, crs_label, gk_epsg, normalise_datum, zone_cm, zone_width
from ecogis.error_messages import Phrase, error, phrase
from ecogis.messages import Note, note
from ecogis.webmap_messages import MESSAGES as _WEB_MESSAGES  # noqa: F401  (registers the web-map clause)

# China, as used by infer_crs for longitude/latitude data (degrees).
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
# Gauss-Kruger plausibility in China (metres): northing for 3-54 N, easting within a 6-degree zone.
GK_NORTHING = (300_000.0, 6_100_000.0)
GK_EASTING = (100_000.0, 900_000.0)


@dataclass(frozen=True)
class CrsGuess:
    """Result of :func:`infer_crs`.

    ``crs``: the guessed CRS. ``swap_xy``: True when the values given as x are northings/latitudes
    (surveying order), i.e. the caller must swap x and y. ``reason``: the explanation of the guess, a
    :class:`~ecogis.notes.Note` of "; "-joined clauses (a field of the note that reports the guess).
    ``zone``/``width``/``prefixed``: the Gauss-Kruger zone found, or None for geographic coordinates.
    """

    crs: pyproj.CRS
    swap_xy: bool
    reason: Note
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
        raise error("crs.no_finite", hint="crs.pass_explicitly")
    datum_note = note("datum_assumed", datum=datum) if datum == "CGCS2000" else note("datum_given", datum=datum)

    if _within(x, CHINA_LON) and _within(y, CHINA_LAT):
        return _geographic_guess(False, datum, datum_note)
    if _within(y, CHINA_LON) and _within(x, CHINA_LAT):
        return _geographic_guess(True, datum, datum_note)
    if np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 180):
        raise error("crs.degrees_outside", ranges=_ranges(x, y), hint="crs.only_china")

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
    raise error("crs.cannot_infer", ranges=_ranges(x, y), hint="crs.cannot_infer_hint")


def _other_datums(datum: str, zone: int | None = None, width: int = 3, prefixed: bool = True) -> Note | str:
    """'if the data is on Xian 1980 pass crs=EPSG:2365 (Beijing 1954: EPSG:2417)' for a CGCS2000 guess."""
    if datum != "CGCS2000":
        return ""
    if zone is None:
        xian, beijing = GEOGRAPHIC["Xian1980"], GEOGRAPHIC["Beijing1954"]
    else:
        xian, beijing = (gk_epsg(zone, width, d, prefixed) for d in ("Xian1980", "Beijing1954"))
    return note("other_datums", xian=xian, beijing=beijing)


def _geographic_guess(swap: bool, datum: str, datum_note: Note) -> CrsGuess:
    code = GEOGRAPHIC[datum]
    first = [note("guess_geographic_swapped"), f"EPSG:{code}"] if swap else [note("guess_geographic", code=code)]
    reason = Note.join([*first, datum_note, _other_datums(datum), note("web_possible")])
    return CrsGuess(pyproj.CRS.from_epsg(code), swap, reason)


def _zone_prefix(eastings: np.ndarray) -> int:
    """The zone prefix (leading digits above 10⁶ m) shared by 8-digit eastings; EcogisError when several."""
    zones = np.unique(np.floor(eastings / 1e6).astype(int))
    if zones.size > 1:
        raise error("crs.several_zones", zones=", ".join(map(str, zones)), hint="crs.split_zones")
    return int(zones[0])


def _check_mixed_zones(x: np.ndarray, y: np.ndarray) -> None:
    """Raise when a coordinate column is all 8-digit eastings from several zones."""
    for values in (x, y):
        if np.all((values >= 1e7) & (values < 1e8)):
            _zone_prefix(values)


def _prefixed_guess(easting: np.ndarray, northing: np.ndarray, swap: bool, cm: float | None, datum: str,
                    datum_note: Note) -> CrsGuess:
    zone = _zone_prefix(easting)
    width = zone_width(zone)
    if width is None:
        raise error("crs.prefix_not_zone", zone=zone, hint="crs.pass_explicitly")
    central = zone_cm(zone, width)
    if cm is not None and abs(float(cm) - central) > 1e-9:
        raise error("crs.cm_vs_prefix", cm=cm, zone=zone, width=width, central=f"{central:g}", hint="crs.check_zone_cm")
    code = gk_epsg(zone, width, datum, prefixed=True)
    where: dict[str, Any] = dict(zone=zone, width=width, cm=f"{central:g}")
    first = ([note("guess_prefixed_swapped", **where), f"EPSG:{code}"] if swap
             else [note("guess_prefixed", code=code, **where)])
    reason = Note.join([*first, datum_note, _other_datums(datum, zone, width, True)])
    return CrsGuess(pyproj.CRS.from_epsg(code), swap, reason, zone, width, True)


#: rough west and east limits (degrees E) of China's land by band of latitude (lower bound, degrees N)
_CHINA_LON_BY_LAT = ((18, 108, 111), (21, 97, 122), (27, 85, 123), (30, 78, 123), (33, 75, 121), (36, 73, 123),
                     (39, 73, 126), (42, 80, 132), (45, 80, 135), (48, 85, 135))


def _cm_hint(northing: np.ndarray, datum: str) -> Phrase:
    """What to pass for unprefixed coordinates: the 3-degree zones China spans at the data's latitude (from its
    northings, ~110.9 km per degree), with one of them as an example, never a fixed region's zone."""
    lat = float(np.median(northing)) / 110_900.0
    west, east = next(((w, e) for low, w, e in reversed(_CHINA_LON_BY_LAT) if lat >= low), (108, 111))
    first, last = max(round(west / 3), 25), min(round(east / 3), 45)  # China's 3-degree zones are 25-45
    example = (first + last) // 2
    code = gk_epsg(example, 3, datum, prefixed=False)
    return phrase("crs.cm_hint", lat=f"{lat:.1f}", first=first, last=last, first_cm=3 * first, last_cm=3 * last,
                  cm=3 * example, example=example, code=code)


def _unprefixed_guess(easting: np.ndarray, northing: np.ndarray, swap: bool, ambiguous: bool, cm: float | None,
                      width: int, datum: str, datum_note: Note) -> CrsGuess:
    if cm is None:
        raise error("crs.no_prefix_no_cm", ranges=_ranges(easting, northing), hint=_cm_hint(northing, datum))
    cm = float(cm)
    zone = int(round(cm / 3.0)) if width == 3 else int(round((cm + 3.0) / 6.0))
    if abs(zone_cm(zone, width) - cm) > 1e-9:
        raise error("crs.not_a_cm", cm=f"{cm:g}", width=width, hint="crs.cm_rule")
    code = gk_epsg(zone, width, datum, prefixed=False)
    where: dict[str, Any] = dict(cm=f"{cm:g}", width=width)
    if ambiguous or swap:
        key = "guess_unprefixed_ambiguous" if ambiguous else "guess_unprefixed_swapped"
        first = [note(key, **where), f"EPSG:{code}"]
    else:
        first = [note("guess_unprefixed", code=code, **where)]
    reason = Note.join([*first, datum_note, _other_datums(datum, zone, width, False)])
    return CrsGuess(pyproj.CRS.from_epsg(code), swap, reason, zone, width, False)
