"""Web-map coordinates (GCJ-02, BD-09): recognise the sources that write them, convert, and say so.

Longitude/latitude from a Chinese web map or phone app is offset from WGS 84/CGCS2000 by a few hundred
metres (GCJ-02: Amap/Gaode, Tencent; BD-09: Baidu). Read as CGCS2000 it moves a site across zone
boundaries without any error, so every lon/lat layer read without a declared CRS is looked at here:

* **奥维互动地图 (Ovi)**, ``.ovkml``/``.ovkmz``: since v9.3.0 Ovi no longer exports WGS 84 KML/KMZ; it
  writes GCJ-02 ``.ovkml``/``.ovkmz`` instead, and shifts its TXT and CSV exports to GCJ-02 too (DXF and
  SHP exports stay unshifted). Verified from a published comparison of Ovi 9.0.3 and 9.3.8 exports
  (测绘营地, "奥维地图 | 新版本坐标无偏移导出插件制作与分享", 2023-01-11). These suffixes are converted.
* **Ovi text signature**: the words ``奥维`` or ``ovital`` (Ovi's domain, ovital.com) in the file name or
  its first 64 KB. NOT verified against real Ovi exports: what Ovi writes inside its KML/CSV/TXT
  (generator, document name) could not be found in public code or documents, so this is a heuristic.
  Such a file is converted as GCJ-02, with a note saying how to read it as WGS 84 (an Ovi export older
  than v9.3, or a KML renamed from elsewhere).
* **Amap/DataV GeoJSON**: properties ``adcode``, ``center`` and ``level`` together are what DataV's
  GeoAtlas (Amap district data, GCJ-02) writes. A warning only: converted copies keep the properties.
* **Column names** naming the system (高德, 腾讯, 火星, gcj, amap / 百度, bd09, baidu): converted when
  the coordinate columns themselves say so (``高德经度``), a warning when another column does.

Every conversion is stated with the system, the reason, and how far the features moved (mean and
maximum geodesic distance in metres over all vertices, CGCS2000 ellipsoid). The user's ``--crs``
(``--site-crs`` for a check site) always wins: ``--crs WGS84`` reads the numbers as they are.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import shapely

from ecogis.crs import BD09, GCJ02
from ecogis.geodesy import GEOD, GEOGRAPHIC_CRS
from ecogis.messages import say
from ecogis.webcrs import from_web_crs, in_gcj_area
from ecogis.webmap_messages import MESSAGES as _TEMPLATES  # noqa: F401  (importing it registers the templates)

OVI_SUFFIXES = (".ovkml", ".ovkmz")
_OVI_WORDS = re.compile(r"奥维|ovital", re.IGNORECASE)
_SYSTEM_WORDS = {GCJ02: re.compile(r"高德|腾讯|火星|gcj|amap|gaode", re.IGNORECASE),
                 BD09: re.compile(r"百度|bd09|bd-09|baidu", re.IGNORECASE)}
_DATAV_PROPERTIES = {"adcode", "center", "level"}
_HEAD_BYTES = 65536


@dataclass(frozen=True)
class WebSource:
    """A web-map source recognised in a file: ``system`` (GCJ-02/BD-09), ``reason`` (a note key),
    ``detail`` (what was seen) and whether ecogis converts it (``convert``) or only warns."""

    system: str
    reason: str
    detail: str
    convert: bool


def detect_web_source(path, gdf, meta: dict) -> WebSource | None:
    """The web-map source that ``gdf`` (longitude/latitude read from ``path``) most likely comes from."""
    path = Path(path)
    if path.suffix.lower() in OVI_SUFFIXES:
        return WebSource(GCJ02, "web_why_ovi_suffix", path.suffix.lower(), True)
    word = _OVI_WORDS.search(path.name) or _OVI_WORDS.search(_head_text(path))
    if word:
        return WebSource(GCJ02, "web_why_ovi_text", word.group(0), True)
    coord_columns = [str(c) for c in meta.get("columns") or [] if c]
    for system, words in _SYSTEM_WORDS.items():
        named = [c for c in coord_columns if words.search(c)]
        if named:
            return WebSource(system, "web_why_coord_columns", ", ".join(named), True)
    columns = {str(c).lower() for c in gdf.columns}
    if _DATAV_PROPERTIES <= columns:
        return WebSource(GCJ02, "web_why_datav", "adcode, center, level", False)
    for system, words in _SYSTEM_WORDS.items():
        named = [str(c) for c in gdf.columns if c != gdf.geometry.name and words.search(str(c))]
        if named:
            return WebSource(system, "web_why_columns", ", ".join(named), False)
    return None


def is_ovi_export(path) -> bool:
    """True when ``path`` carries an Ovi signature (its suffix, or 奥维/ovital in its name or first 64 KB)."""
    path = Path(path)
    return (path.suffix.lower() in OVI_SUFFIXES or bool(_OVI_WORDS.search(path.name))
            or bool(_OVI_WORDS.search(_head_text(path))))


def _head_text(path: Path) -> str:
    """The first 64 KB of ``path`` as text (the first .kml of a KMZ/zip), decoded leniently; "" if unreadable."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                member = next((n for n in z.namelist() if n.lower().endswith(".kml")), None)
                data = z.open(member).read(_HEAD_BYTES) if member else b""
        elif path.is_file():
            with open(path, "rb") as fh:
                data = fh.read(_HEAD_BYTES)
        else:
            return ""
    except (OSError, zipfile.BadZipFile):
        return ""
    text = data.decode("utf-8", errors="ignore")
    return text if "奥维" in text else text + data.decode("gb18030", errors="ignore")


def shift_m(before, after) -> tuple[float, float]:
    """(mean, max) geodesic distance in metres (CGCS2000 ellipsoid) between the same vertices of two
    geometry arrays in longitude/latitude degrees; (0, 0) without vertices."""
    a = shapely.get_coordinates(np.asarray(before))
    b = shapely.get_coordinates(np.asarray(after))
    if len(a) == 0:
        return 0.0, 0.0
    _, _, dist = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    dist = np.abs(np.asarray(dist, dtype=float))
    return float(dist.mean()), float(dist.max())


def convert_web(gdf, system: str, path, notes, *, reason: str, detail: str = "", given: bool = False,
                warn: bool = True):
    """``gdf`` (lon/lat in web-map ``system``) converted to EPSG:4490, with a note (a warning unless not
    ``warn``) stating the system, the reason and how far the features moved (geodesic metres).
    Returns (converted GeoDataFrame, a dict for ``attrs``: system, shifts, whether it was a guess)."""
    out = from_web_crs(gdf, system)
    mean, most = shift_m(gdf.geometry.values, out.geometry.values)
    info = {"system": system, "reason": reason, "detail": detail, "converted": True,
            "mean_shift_m": round(mean, 1), "max_shift_m": round(most, 1), "guessed": not given}
    why = say(reason, warn=False, detail=detail)
    key = "web_converted_given" if given else "web_converted_detected"
    say(key, notes, warn=warn, path=path, system=system, why=why, mean=f"{mean:.1f}", max=f"{most:.1f}")
    return out, info


def settle_web_source(gdf, path, meta: dict, notes):
    """Look at a longitude/latitude layer read without a declared CRS for a web-map source: convert it
    (Ovi, coordinate columns named after the system) or warn (DataV properties, other column names).

    ``gdf`` is in a geographic CRS; returns (GeoDataFrame, meta) with ``meta["web"]`` describing what
    was found (see :func:`convert_web`)."""
    lon, lat = shapely.get_coordinates(gdf.geometry.to_numpy()).T
    if lon.size == 0 or not in_gcj_area(lon, lat).any():
        return gdf, meta
    source = detect_web_source(path, gdf, meta)
    if source is None:
        return gdf, meta
    if source.convert:
        geo = gdf.to_crs(GEOGRAPHIC_CRS) if not gdf.crs.equals(GEOGRAPHIC_CRS) else gdf
        out, info = convert_web(geo, source.system, path, notes, reason=source.reason, detail=source.detail)
        meta.update(crs=source.system, crs_source="inferred", converted_to="EPSG:4490", web=info)
        return out, meta
    why = say(source.reason, warn=False, detail=source.detail)
    say("web_suspected", notes, path=path, system=source.system, why=why)
    meta["web"] = {**asdict(source), "converted": False, "guessed": True}
    return gdf, meta
