"""The declared 地块面积 (公顷) compared with the official ellipsoidal area and the Gauss-Kruger plane area.

Many exporters write the plane area of the Gauss-Kruger coordinates as 地块面积 instead of the official
ellipsoidal area (椭球面积, 国土调查办发〔2008〕32号). A declared area that matches the plane area but
not the ellipsoidal one is always noted; one within :data:`AREA_TOLERANCE` of the ellipsoidal area is
accepted silently; beyond it the note gives both computed figures (and a unit hint: m² or 亩 written as
公顷). "Matches" means equal within half a unit of the declared value's last decimal (0.00005 公顷 for
four decimals), and at least one part in a million.
"""
from __future__ import annotations

import numpy as np

from ecogis.area import ellipsoidal_area
from ecogis.crs import crs_label
from ecogis.messages import register, say

#: a declared area further than this share from the ellipsoidal one (and not the plane area) is noted
AREA_TOLERANCE = 0.01

register({
    "exchange.area_plane": ("{path}: parcel {parcel}: declared area {declared} 公顷 differs from the ellipsoidal area "
                            "{ellipsoidal} 公顷 (CGCS2000 ellipsoid) and matches the Gauss-Kruger plane area {plane} "
                            "公顷 ({crs}): the file gives the plane area, not the official ellipsoidal one",
                            "{path}：地块 {parcel} 申报面积 {declared} 公顷，与椭球面积 {ellipsoidal} 公顷"
                            "（CGCS2000 椭球）不符，"
                            "与高斯-克吕格平面面积 {plane} 公顷（{crs}）一致：文件给出的是平面面积，而非法定椭球面积"),
    "exchange.area_neither": ("{path}: parcel {parcel}: declared area {declared} 公顷 differs from the ellipsoidal "
                              "area {ellipsoidal} 公顷 (CGCS2000 ellipsoid) and from the Gauss-Kruger plane area "
                              "{plane} 公顷 ({crs}); it matches neither{unit_hint}",
                              "{path}：地块 {parcel} 申报面积 {declared} 公顷，与椭球面积 {ellipsoidal} 公顷"
                              "（CGCS2000 椭球）"
                              "及高斯-克吕格平面面积 {plane} 公顷（{crs}）均不符{unit_hint}"),
    "exchange.area_unit_hint": ("; it looks like {unit}, not 公顷", "；其单位似为 {unit}，而非公顷"),
})


def matches(declared: np.ndarray, computed: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """True where ``declared`` equals ``computed`` (same unit) as far as ``decimals`` written digits tell."""
    tolerance = np.maximum(0.5 * 10.0 ** -decimals.astype(float), 1e-6 * np.abs(computed))
    return np.abs(declared - computed) <= tolerance * (1 + 1e-9)


def _check_declared_areas(gdf, path, notes, decimals=None):
    """Note declared areas (hectares) that are the plane area, or far from the ellipsoidal area.

    ``decimals``: per parcel, the decimals written in 地块面积 (default 4)."""
    polygonal = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    declared = gdf["declared_area"].to_numpy()
    check = polygonal & np.isfinite(declared)
    if not check.any():
        return
    places = np.full(len(gdf), 4) if decimals is None else np.asarray(decimals)
    ellipsoidal, plane = np.full(len(gdf), np.nan), np.full(len(gdf), np.nan)
    ellipsoidal[check] = ellipsoidal_area(gdf.geometry.values[check], gdf.crs) / 10_000.0
    if not gdf.crs.is_geographic:
        plane[check] = gdf.geometry.values[check].area / 10_000.0
    on_ellipsoid = matches(declared, ellipsoidal, places)
    on_plane = matches(declared, plane, places) & ~on_ellipsoid
    with np.errstate(divide="ignore", invalid="ignore"):
        far = np.abs(declared / ellipsoidal - 1.0) > AREA_TOLERANCE
    for i in np.flatnonzero(check & (on_plane | (far & ~on_ellipsoid))):
        parcel, figure, crs = repr(gdf["parcel_no"].iat[i]), f"{declared[i]:g}", crs_label(gdf.crs)
        e_text, p_text = f"{ellipsoidal[i]:.4f}", f"{plane[i]:.4f}"
        if on_plane[i]:
            say("exchange.area_plane", notes, path=path, parcel=parcel, declared=figure, ellipsoidal=e_text,
                plane=p_text, crs=crs)
        else:
            say("exchange.area_neither", notes, path=path, parcel=parcel, declared=figure, ellipsoidal=e_text,
                plane=p_text, crs=crs, unit_hint=_unit_hint(declared[i] / ellipsoidal[i]))


def _unit_hint(ratio: float) -> str:
    for factor, unit in ((10_000.0, "m²"), (15.0, "亩")):
        if abs(ratio / factor - 1.0) <= AREA_TOLERANCE:
            return say("exchange.area_unit_hint", warn=False, unit=unit)
    return ""
