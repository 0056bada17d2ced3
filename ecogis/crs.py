"""Coordinate reference systems used with Chinese GIS data.

What lives here:

* the catalogue of Gauss-Kruger EPSG codes for CGCS2000, Xian 1980 and Beijing 1954
  (:func:`gk_epsg`, :func:`gk_crs_for_lon`, :func:`gk_zone_of`);
* :func:`resolve_crs`, which turns what users type (``4529``, ``"EPSG:4529"``, ``"CGCS2000"``,
  ``"西安80"``, ``"GCJ-02"``...) into a :class:`pyproj.CRS` or the name of a web-map system;
* :func:`describe_crs` and :func:`crs_label`, the names reports give a CRS, and the notes on datum
  changes between two CRSs.

Guessing the CRS of bare coordinates is :mod:`ecogis.crs_infer`; the web-map systems GCJ-02 and
BD-09 are :mod:`ecogis.webcrs`.

Conventions
-----------
* "Zone" is the Gauss-Kruger zone number: a 3-degree zone n has central meridian (CM) 3n degrees E;
  a 6-degree zone n has CM 6n - 3 degrees E. "Prefixed" codes carry the zone number in the false
  easting (zone 41: false easting 41 500 000 m), unprefixed codes have false easting 500 000 m.
* The datum is never in the numbers. Whenever ecogis has to guess it, it assumes CGCS2000 and says so.
* WGS 84 and CGCS2000 differ by a few centimetres to decimetres in China, far below the accuracy of
  web-map data.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pyproj
from numpy.typing import ArrayLike

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.geodesy import GEOGRAPHIC_EPSG, cached_transformer, gk_zone_for_lon
from ecogis.messages import Note, note

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
        cached_transformer(crs, GEOGRAPHIC["CGCS2000"])  # built once per thread (ecogis.geodesy)
    except pyproj.exceptions.ProjError as exc:
        raise error("crs.not_to_cgcs2000", name=crs.name, reason=str(exc).split(": ", 1)[-1][:160], path=path,
                    hint="crs.fix_prj") from exc


# ---------------------------------------------------------------------------------------------------
# infer_crs
# ---------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------
# GCJ-02 and BD-09
# ---------------------------------------------------------------------------------------------------
