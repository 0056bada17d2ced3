"""Coordinate reference systems used with Chinese GIS data.

What lives here:

* the catalogue of Gauss-Kruger EPSG codes for CGCS2000, Xian 1980 and Beijing 1954
  (:func:`gk_epsg`, :func:`gk_crs_for_lon`, :func:`gk_zone_of`);
* :func:`resolve_crs`, which turns what users type (``4529``, ``"EPSG:4529"``, ``"CGCS2000"``,
  ``"西安80"``, ``"GCJ-02"``...) into a :class:`pyproj.CRS` or the name of a web-map system;
* :func:`infer_crs`, which guesses the CRS of bare coordinates (longitude/latitude in China, or
  Gauss-Kruger with or without a zone prefix on the easting) and whether X and Y are swapped;
* the web-map systems GCJ-02 (Amap/Gaode, Tencent) and BD-09 (Baidu), vectorised with numpy in both
  directions, and :func:`from_web_crs` / :func:`to_web_crs` for whole GeoDataFrames.

Conventions
-----------
* "Zone" is the Gauss-Kruger zone number: a 3-degree zone n has central meridian (CM) 3n degrees E;
  a 6-degree zone n has CM 6n - 3 degrees E. "Prefixed" codes carry the zone number in the false
  easting (zone 41: false easting 41 500 000 m), unprefixed codes have false easting 500 000 m.
* The datum is never in the numbers. Whenever ecogis has to guess it, it assumes CGCS2000 and says so.
* WGS 84 and CGCS2000 differ by a few centimetres to decimetres in China, far below the accuracy of
  web-map data; the web-map transforms output WGS 84 longitudes/latitudes, which ecogis labels
  EPSG:4490 (CGCS2000).
* GCJ-02 is the identity outside the rectangle 72.004-137.8347 E, 0.8293-55.8271 N (the test used
  by the published implementations, e.g. eviltransform and PRCoords). BD-09 is defined on top of GCJ-02
  and its extra rotation/offset is applied everywhere.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike

from ecogis.error_messages import Phrase, error, phrase
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_EPSG, gk_zone_for_lon
from ecogis.messages import Note, note
from ecogis.webmap_messages import MESSAGES as _WEB_MESSAGES  # noqa: F401  (registers the web-map clause)

if TYPE_CHECKING:
    import geopandas as gpd

#: lon/lat degrees: floats for scalar input, arrays for array input
LonLat = tuple[Any, Any]

# ---------------------------------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------------------------------

#: datum name -> geographic EPSG code
GEOGRAPHIC = {"CGCS2000": GEOGRAPHIC_EPSG, "Xian1980": 4610, "Beijing1954": 4214, "WGS84": 4326}

#: (datum, width, prefixed) -> (EPSG code of the first zone, first zone number, last zone number).
#: Codes run consecutively with the zone number. Verified against the PROJ database in
#: tests/test_crs.py (central meridian and false easting read from the CRS definitions).
GK_CODES = {
    ("CGCS2000", 3, True): (4513, 25, 45),
    ("CGCS2000", 3, False): (4534, 25, 45),
    ("CGCS2000", 6, True): (4491, 13, 23),
    ("CGCS2000", 6, False): (4502, 13, 23),
    ("Xian1980", 3, True): (2349, 25, 45),
    ("Xian1980", 3, False): (2370, 25, 45),
    ("Xian1980", 6, True): (2327, 13, 23),
    ("Xian1980", 6, False): (2338, 13, 23),
    ("Beijing1954", 3, True): (2401, 25, 45),
    ("Beijing1954", 3, False): (2422, 25, 45),
    ("Beijing1954", 6, True): (21413, 13, 23),
    ("Beijing1954", 6, False): (21453, 13, 23),
}

#: Chinese names of the datums as written in exchange files and reports.
DATUM_ZH = {"CGCS2000": "2000国家大地坐标系", "Xian1980": "1980西安坐标系", "Beijing1954": "1954北京坐标系",
            "WGS84": "WGS84坐标系"}

GCJ02, BD09 = "GCJ-02", "BD-09"
WEB_SYSTEMS = (GCJ02, BD09)

# China, as used by infer_crs for longitude/latitude data (degrees).
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)
# Gauss-Kruger plausibility in China (metres): northing for 3-54 N, easting within a 6-degree zone.
GK_NORTHING = (300_000.0, 6_100_000.0)
GK_EASTING = (100_000.0, 900_000.0)

_DATUM_ALIASES = {
    "CGCS2000": ("cgcs2000", "cgcs", "china2000", "2000", "中国2000", "2000国家大地坐标系", "国家2000",
                 "2000坐标系", "2000国家坐标系", "cgcs2000坐标系"),
    "Xian1980": ("xian1980", "xian80", "xian", "西安80", "西安1980", "1980西安坐标系", "西安坐标系",
                 "1980西安国家大地坐标系", "80西安坐标系", "西安80坐标系"),
    "Beijing1954": ("beijing1954", "beijing54", "beijing", "北京54", "北京1954", "1954北京坐标系",
                    "北京坐标系", "54北京坐标系", "北京54坐标系"),
    "WGS84": ("wgs84", "wgs1984", "wgs"),
}
_WEB_ALIASES = {
    GCJ02: ("gcj02", "gcj", "火星坐标", "火星坐标系", "国测局坐标", "国测局坐标系", "gcj02坐标系",
            "amap", "gaode", "高德", "tencent", "腾讯"),
    BD09: ("bd09", "bd09ll", "baidu", "百度", "百度坐标", "百度坐标系"),
}


def _key(text: object) -> str:
    return "".join(ch for ch in str(text).strip().lower() if ch not in " -_/．.·")


def normalise_datum(name: object) -> str:
    """Return ``"CGCS2000"``, ``"Xian1980"``, ``"Beijing1954"`` or ``"WGS84"`` for a datum name.

    Accepts English and Chinese spellings (``"西安80"``, ``"2000国家大地坐标系"``...). Raises EcogisError
    for anything else.
    """
    key = _key(name)
    for datum, aliases in _DATUM_ALIASES.items():
        if key == _key(datum) or key in {_key(a) for a in aliases}:
            return datum
    raise error("crs.unknown_datum", name=name, hint="crs.use_datum")


def zone_cm(zone: int, width: int = 3) -> float:
    """Central meridian (degrees E) of Gauss-Kruger zone ``zone`` of ``width`` 3 or 6 degrees."""
    return 3.0 * zone if width == 3 else 6.0 * zone - 3.0


def zone_width(zone: int) -> int | None:
    """Width (3 or 6 degrees) of the Gauss-Kruger zones in China numbered ``zone`` (25-45: 3, 13-23: 6), else None."""
    for width in (3, 6):
        _, first, last = GK_CODES[("CGCS2000", width, True)]
        if first <= zone <= last:
            return width
    return None


def gk_epsg(zone: int, width: int = 3, datum: str = "CGCS2000", prefixed: bool = True) -> int:
    """EPSG code of a Gauss-Kruger zone.

    ``zone`` is the zone number (3-degree: 25-45, CM = 3*zone; 6-degree: 13-23, CM = 6*zone - 3), also
    for unprefixed codes, which differ only in the false easting (500 000 m instead of
    zone*1 000 000 + 500 000 m). ``datum`` is CGCS2000, Xian1980 or Beijing1954.
    """
    datum = normalise_datum(datum)
    if width not in (3, 6):
        raise error("crs.zone_width", width=width, hint="crs.zone_width_hint")
    try:
        first_code, first, last = GK_CODES[(datum, width, bool(prefixed))]
    except KeyError:
        raise error("crs.no_gk_codes", datum=datum, hint="crs.use_gk_datum")
    zone = int(zone)
    if not first <= zone <= last:
        raise error("crs.zone_outside", width=width, zone=zone, first=first, last=last, hint="crs.check_zone")
    return first_code + zone - first


def gk_crs_for_lon(lon: ArrayLike, width: int = 3, datum: str = "CGCS2000") -> pyproj.CRS:
    """Unprefixed Gauss-Kruger CRS whose zone contains longitude ``lon`` (degrees E), for metric work.

    ``lon`` may be an array; the middle of its range is used.
    """
    lon = np.asarray(lon, dtype=float)
    mid = float((np.nanmin(lon) + np.nanmax(lon)) / 2.0)
    return pyproj.CRS.from_epsg(gk_epsg(gk_zone_for_lon(mid, width), width, datum, prefixed=False))


def metric_crs(lon: ArrayLike) -> pyproj.CRS:
    """The CGCS2000 3° GK zone (no prefix) containing ``lon``; a transverse Mercator on the CGCS2000
    ellipsoid at the nearest 3° meridian when ``lon`` is outside China's zones (e.g. swapped X/Y)."""
    try:
        return gk_crs_for_lon(lon)
    except EcogisError:  # the zone is not one of China's (25-45)
        cm = float(np.clip(3.0 * gk_zone_for_lon(lon), -180, 180))
        return pyproj.CRS.from_proj4(f"+proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0=500000 +y_0=0 "
                                     "+ellps=GRS80 +units=m +no_defs")


@dataclass(frozen=True)
class GKZone:
    """Where a catalogued Gauss-Kruger EPSG code sits: datum, zone width, zone number, prefix, CM."""

    epsg: int
    datum: str
    width: int
    zone: int
    prefixed: bool
    cm: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gk_zone_of(crs: Any) -> GKZone | None:
    """Return the catalogue entry for ``crs`` if it is one of the catalogued Gauss-Kruger codes, else None."""
    if isinstance(crs, str) and crs in WEB_SYSTEMS:
        return None
    crs = crs if isinstance(crs, pyproj.CRS) else pyproj.CRS.from_user_input(crs)
    code = crs.to_epsg()
    if code is None:
        return None
    for (datum, width, prefixed), (first_code, first, last) in GK_CODES.items():
        if first_code <= code <= first_code + last - first:
            zone = first + code - first_code
            return GKZone(code, datum, width, zone, prefixed, zone_cm(zone, width))
    return None


def identify_crs(crs: pyproj.CRS) -> pyproj.CRS:
    """The EPSG CRS that ``crs`` is equivalent to, or ``crs`` itself.

    ESRI .prj files written by Chinese desktop GIS often define Gauss-Kruger or CGCS2000 CRSs under
    custom names (``Gauss_Kruger_123E``) that PROJ matches to EPSG only with low confidence. A
    candidate is accepted only when it maps test points across the zone exactly as ``crs`` does
    (within 1 mm), so a near miss (other false easting, ellipsoid or scale) is never relabelled.
    """
    if crs is None or crs.to_epsg() is not None:
        return crs
    # the Gauss-Kruger catalogue first (cheap); then PROJ's own likely matches (a database search)
    finders: tuple[Callable[[], list[int]], ...] = (
        lambda: _gk_code_from_parameters(crs),
        lambda: [int(m.code) for m in crs.list_authority(min_confidence=50) if m.auth_name == "EPSG"][:5])
    for codes in finders:
        for code in codes():
            candidate = pyproj.CRS.from_epsg(code)
            if _same_coordinates(crs, candidate):
                return candidate
    return crs


_DATUM_BY_ELLIPSOID = {(6378137.0, 298.257222101): "CGCS2000", (6378140.0, 298.257): "Xian1980",
                       (6378245.0, 298.3): "Beijing1954"}


def _gk_code_from_parameters(crs: pyproj.CRS) -> list[int]:
    """The catalogued Gauss-Kruger code(s) a Transverse Mercator CRS's parameters point to (unverified)."""
    op = crs.coordinate_operation
    if not crs.is_projected or op is None or "transverse mercator" not in op.method_name.lower():
        return []
    params: dict[str, Any] = {p.name.lower(): p.value for p in op.params}
    cm, easting = params.get("longitude of natural origin"), params.get("false easting")
    ell = crs.ellipsoid
    datum = next((d for (a, rf), d in _DATUM_BY_ELLIPSOID.items()
                  if ell is not None and abs(ell.semi_major_metre - a) < 1e-3
                  and abs(ell.inverse_flattening - rf) < 1e-6), None)
    if cm is None or easting is None or datum is None:
        return []
    codes = []
    for width, zone in ((3, round(cm / 3)), (6, round((cm + 3) / 6))):
        if abs(zone_cm(zone, width) - cm) > 1e-9:
            continue
        prefixed = abs(easting - 500_000.0) > 1e-6
        try:
            codes.append(gk_epsg(zone, width, datum, prefixed=prefixed))
        except EcogisError:
            continue
    return codes


def _same_coordinates(a: pyproj.CRS, b: pyproj.CRS) -> bool:
    """True when both CRSs put a grid of points over China (lon 73-135, lat 18-53) at the same place."""
    if a.is_geographic != b.is_geographic or a.geodetic_crs is None or b.geodetic_crs is None:
        return False
    ea, eb = a.ellipsoid, b.ellipsoid
    if ea is None or eb is None:
        return False
    if (abs(ea.semi_major_metre - eb.semi_major_metre) > 1e-3
            or abs(ea.inverse_flattening - eb.inverse_flattening) > 1e-6):
        return False
    lon, lat = np.meshgrid(np.linspace(73.0, 135.0, 32), np.linspace(18.0, 53.0, 8))
    geo = a.geodetic_crs
    xa, ya = pyproj.Transformer.from_crs(geo, a, always_xy=True).transform(lon.ravel(), lat.ravel())
    xb, yb = pyproj.Transformer.from_crs(geo, b, always_xy=True).transform(lon.ravel(), lat.ravel())
    ok = np.isfinite(xa) & np.isfinite(xb)
    return bool(ok.any() and np.allclose(xa[ok], xb[ok], rtol=0, atol=1e-3)
                and np.allclose(ya[ok], yb[ok], rtol=0, atol=1e-3))


# ---------------------------------------------------------------------------------------------------
# resolve_crs / describe_crs
# ---------------------------------------------------------------------------------------------------

def resolve_crs(value: object) -> pyproj.CRS | str:
    """Turn a user's CRS value into a :class:`pyproj.CRS`, or ``"GCJ-02"`` / ``"BD-09"`` for web-map systems.

    Accepts an EPSG integer (``4529``), ``"4529"``, ``"EPSG:4529"``, datum names (``"CGCS2000"`` ->
    EPSG:4490, ``"WGS84"`` -> 4326, ``"Xian1980"``/``"西安80"`` -> 4610, ``"Beijing1954"``/``"北京54"`` -> 4214),
    web-map names (``"GCJ-02"``, ``"gcj02"``, ``"火星坐标"``, ``"BD-09"``, ``"bd09"``, ``"百度"``), a
    :class:`pyproj.CRS` or anything else pyproj understands (WKT, PROJ strings). Unknown values raise
    EcogisError with a hint.
    """
    if isinstance(value, pyproj.CRS):
        return value
    if value is None:
        raise error("crs.none_given", hint="crs.pass_crs")
    if hasattr(value, "to_wkt") and not isinstance(value, str):  # e.g. rasterio CRS
        return pyproj.CRS.from_user_input(value)
    if isinstance(value, (int, np.integer)):
        return _from_epsg(int(value))
    text = str(value).strip()
    if text in WEB_SYSTEMS:
        return text
    key = _key(text)
    for name, aliases in _WEB_ALIASES.items():
        if key == _key(name) or key in {_key(a) for a in aliases}:
            return name
    if text.isdigit():
        return _from_epsg(int(text))
    match = re.fullmatch(r"epsg[:：]?(\d+)", key)
    if match:
        return _from_epsg(int(match.group(1)))
    try:
        return pyproj.CRS.from_epsg(GEOGRAPHIC[normalise_datum(text)])
    except EcogisError:
        pass
    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise error("crs.unknown", value=value, hint="crs.unknown_hint") from None


def _from_epsg(code: int) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_epsg(code)
    except pyproj.exceptions.CRSError:
        raise error("crs.unknown_epsg", code=code, hint="crs.check_epsg") from None


def crs_label(crs: object) -> str | None:
    """Short label for JSON output: ``"EPSG:4529"``, ``"GCJ-02"``, or the CRS name when it has no code."""
    if crs is None:
        return None
    crs = resolve_crs(crs)
    if isinstance(crs, str):
        return crs
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.name


def describe_crs(crs: object) -> Note:
    """Human text for a CRS, e.g. ``"EPSG:4529 (CGCS2000 / 3-degree Gauss-Kruger zone 41)"``, as a
    :class:`~ecogis.notes.Note` (its English text; ``.text("zh")`` in Chinese).

    Web-map systems: ``"GCJ-02 (web-map system of Amap/Gaode and Tencent, offset from WGS 84)"``.
    """
    if crs is None:
        return note("crs_unknown", severity="info")
    crs = resolve_crs(crs)
    # compare strings only: pyproj.CRS == "GCJ-02" would make PROJ search its database (slow)
    if isinstance(crs, str) and crs == GCJ02:
        return note("crs_gcj02", severity="info")
    if isinstance(crs, str):  # BD-09, the other web-map system
        return note("crs_bd09", severity="info")
    code = crs.to_epsg()
    if not code:
        return Note.plain(crs.name)
    english = f"EPSG:{code} ({crs.name})"
    described = _described(code, crs.name)
    return described if described == english else Note.plain(english)


#: PROJ names of the geographic CRSs and of the Gauss-Kruger zones in the catalogue -> message keys
_GEOGRAPHIC_NAMES = {"China Geodetic Coordinate System 2000": "crs_cgcs2000_geo", "WGS 84": "crs_wgs84_geo",
                     "Xian 1980": "crs_xian_geo", "Beijing 1954": "crs_beijing_geo"}
_GK_NAME = re.compile(r"(?P<datum>CGCS2000|Xian 1980|Beijing 1954) / (?P<width>\d)-degree Gauss-Kruger "
                      r"(?:zone (?P<zone>\d+)|CM (?P<cm>\d+)E)")
_DATUM_KEYS = {"Xian 1980": "datum_xian", "Beijing 1954": "datum_beijing"}


def _datum_name(name: str) -> Note | str:
    """A PROJ datum or CRS name (``"Xian 1980"``), as a note where the catalogue words it in Chinese."""
    return note(_DATUM_KEYS[name], severity="info") if name in _DATUM_KEYS else name


def _described(code: int, name: str) -> Note | None:
    """The catalogued description of EPSG ``code`` named ``name`` by PROJ, or None."""
    if name in _GEOGRAPHIC_NAMES:
        return note(_GEOGRAPHIC_NAMES[name], severity="info", code=code)
    m = _GK_NAME.fullmatch(name)
    if m is None:
        return None
    datum = _datum_name(m["datum"])
    if m["zone"]:
        return note("crs_gk_zone", severity="info", code=code, datum=datum, width=m["width"], zone=m["zone"])
    return note("crs_gk_cm", severity="info", code=code, datum=datum, width=m["width"], cm=m["cm"])


#: datums between which PROJ's "ballpark" transformation (no shift) is good enough for this work
_SAME_FOR_GIS = {"China 2000", "World Geodetic System 1984", "World Geodetic System 1984 ensemble"}


def datum_change_note(src: pyproj.CRS | str | None, dst: pyproj.CRS | str | None) -> Note | None:
    """Text warning that reprojecting ``src`` -> ``dst`` changes datum without real parameters, else None.

    PROJ has no published transformation from Xian 1980 or Beijing 1954 to CGCS2000; it applies a
    "ballpark" one that keeps latitude and longitude unchanged, although the same point can differ
    by tens of metres between those datums. WGS 84 <-> CGCS2000 is treated as the same datum
    (centimetres to decimetres in China). Pass ``pyproj.CRS`` values.
    """
    if src is None or dst is None or isinstance(src, str) or isinstance(dst, str):
        return None
    a, b = src.geodetic_crs, dst.geodetic_crs
    if a is None or b is None or a.datum is None or b.datum is None or a.datum.name == b.datum.name:
        return None
    if {a.datum.name, b.datum.name} <= _SAME_FOR_GIS:
        return None
    best = pyproj.transformer.TransformerGroup(src, dst, always_xy=True).transformers
    if best and "ballpark" not in best[0].description.lower():
        return None
    return note("datum_change", src=crs_label(src), src_datum=_datum_name(a.datum.name), dst=crs_label(dst),
                dst_datum=_datum_name(b.datum.name))


def datum_mismatch_note(a: pyproj.CRS | str | None, b: pyproj.CRS | str | None) -> Note | None:
    """:func:`datum_change_note` between the geographic CRSs of ``a`` and ``b`` (two layers overlaid), else None."""
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return None
    ga, gb = a.geodetic_crs, b.geodetic_crs
    return None if ga is None or gb is None else datum_change_note(ga, gb)


def require_cgcs2000_transform(crs: pyproj.CRS | str | None, path: object = None) -> None:
    """EcogisError naming ``path`` unless PROJ can transform ``crs`` to CGCS2000 (EPSG:4490), as every
    overlay, area and distance needs (a .prj with a made-up ellipsoid or datum cannot be used)."""
    if crs is None or isinstance(crs, str):
        return
    try:
        pyproj.Transformer.from_crs(crs, GEOGRAPHIC["CGCS2000"], always_xy=True)
    except pyproj.exceptions.ProjError as exc:
        raise error("crs.not_to_cgcs2000", name=crs.name, reason=str(exc).split(": ", 1)[-1][:160], path=path,
                    hint="crs.fix_prj") from exc


# ---------------------------------------------------------------------------------------------------
# infer_crs
# ---------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------
# GCJ-02 and BD-09
# ---------------------------------------------------------------------------------------------------

_GCJ_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_GCJ_EE = 0.00669342162296594323  # its first eccentricity squared
_BD_K = math.pi * 3000.0 / 180.0
_ITER_TOL = 1e-10  # degrees; reverse transforms iterate to this (far below the 1e-7 deg required)
_ITER_MAX = 30


def in_gcj_area(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where GCJ-02 applies: the rectangle 72.004-137.8347 E, 0.8293-55.8271 N."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside: np.ndarray = (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)
    return inside


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS 84 (degrees) at WGS 84 position lon/lat, zero outside the GCJ area."""
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_gcj_area(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon.copy(), lat.copy()


def _out(lon: np.ndarray, lat: np.ndarray, like: ArrayLike) -> LonLat:
    if np.ndim(like) == 0:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """WGS 84 (or CGCS2000) longitude/latitude degrees -> GCJ-02. Identity outside China's rectangle."""
    lo, la = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(lo, la)
    return _out(lo + dlon, la + dlat, lon)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """GCJ-02 -> WGS 84 longitude/latitude degrees, by fixed-point iteration to 1e-10 degrees.

    Solves wgs84_to_gcj02(w) = g for w (not the one-step approximation w = g - offset(g), which is off
    by up to a few metres).
    """
    glon, glat = _arrays(lon, lat)
    return _out(*_solve(wgs84_to_gcj02, glon, glat, glon, glat), lon)


def _solve(forward: Callable[[np.ndarray, np.ndarray], LonLat], lon: np.ndarray, lat: np.ndarray,
           lon0: np.ndarray, lat0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with ``forward(x, y) == (lon, lat)``, by fixed-point iteration from (lon0, lat0) until every
    point is within ``_ITER_TOL`` degrees (at most ``_ITER_MAX`` steps); arrays in, arrays out."""
    x, y = lon0, lat0
    for _ in range(_ITER_MAX):
        flon, flat = forward(x, y)
        err_lon, err_lat = flon - lon, flat - lat
        x, y = x - err_lon, y - err_lat
        if np.all(np.abs(err_lon) < _ITER_TOL) and np.all(np.abs(err_lat) < _ITER_TOL):
            break
    return x, y


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """GCJ-02 -> BD-09 (Baidu) longitude/latitude degrees."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_K)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_K)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, lon)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """BD-09 -> GCJ-02 longitude/latitude degrees, by fixed-point iteration to 1e-10 degrees."""
    blon, blat = _arrays(lon, lat)
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_K)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_K)
    return _out(*_solve(gcj02_to_bd09, blon, blat, z * np.cos(theta), z * np.sin(theta)), lon)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """WGS 84 -> BD-09 longitude/latitude degrees (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """BD-09 -> WGS 84 longitude/latitude degrees (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


def _web_system(system: object) -> str:
    resolved = resolve_crs(system)
    if not isinstance(resolved, str) or resolved not in WEB_SYSTEMS:
        raise error("crs.not_web_system", system=system, hint="crs.use_web")
    return resolved


def _transform_geometries(geoms: Any, func: Callable[[np.ndarray, np.ndarray], LonLat]) -> np.ndarray:
    def xy(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])
    out: np.ndarray = shapely.transform(np.asarray(geoms), xy)
    return out


def from_web_crs(gdf: gpd.GeoDataFrame, system: object) -> gpd.GeoDataFrame:
    """Convert a GeoDataFrame whose lon/lat are in ``system`` (GCJ-02 or BD-09) to EPSG:4490.

    Every vertex is converted (vectorised, shapely.transform). The CRS the GeoDataFrame carries is
    ignored (web-map data is often labelled EPSG:4326); the result is labelled EPSG:4490 (WGS 84 taken
    as CGCS2000, see the module notes). Returns a new GeoDataFrame; attrs are kept.
    """
    system = _web_system(system)
    out = gdf.copy()
    out["geometry"] = _transform_geometries(gdf.geometry.values, _TO_WGS[system])
    out = out.set_geometry("geometry").set_crs(GEOGRAPHIC_EPSG, allow_override=True)
    return out


def to_web_crs(gdf: gpd.GeoDataFrame, system: object) -> gpd.GeoDataFrame:
    """Convert a GeoDataFrame to web-map lon/lat ``system`` (GCJ-02 or BD-09), for display or export.

    The data is first reprojected to EPSG:4490. pyproj has no CRS for GCJ-02/BD-09, so the result
    has ``crs=None`` and ``attrs["ecogis"]["crs"]`` set to the system name; do not overlay it with
    data in any real CRS.
    """
    system = _web_system(system)
    if gdf.crs is None:
        raise error("crs.no_crs_for_web", hint="crs.read_with_crs")
    geo = gdf.to_crs(GEOGRAPHIC_EPSG)
    out = geo.copy()
    out["geometry"] = _transform_geometries(geo.geometry.values, _FROM_WGS[system])
    out = out.set_geometry("geometry").set_crs(None, allow_override=True)
    meta = dict(out.attrs.get("ecogis", {}))
    meta.update(crs=system)
    out.attrs["ecogis"] = meta
    return out
