"""Datum transformations fitted from common points (Beijing 1954 / Xian 1980 -> CGCS2000), applied by PROJ.

Two models, fitted by linear least squares (numpy) on the control points' source and target coordinates:

* ``helmert-4`` — the plane similarity (四参数) between the Gauss-Kruger coordinates of both systems:
  ``E' = x + s (cos θ E + sin θ N)``, ``N' = y + s (−sin θ E + cos θ N)``; parameters ``x``, ``y``
  (metres), ``theta`` (arc-seconds) and ``s`` (the scale itself, about 1), as PROJ's 2D ``+proj=helmert``
  reads them.
* ``helmert-7`` — Bursa-Wolf (七参数) on geocentric coordinates, position-vector convention with PROJ's
  small-angle rotation matrix: ``X' = T + (1 + s·10⁻⁶) R X``; ``x``, ``y``, ``z`` (metres), ``rx``, ``ry``,
  ``rz`` (arc-seconds) and ``s`` (ppm). The plane coordinates (and heights, 0 when not given) are turned
  into geocentric ones on each system's own ellipsoid first. The model is linear in ``T``, ``(1+s)`` and
  ``(1+s)·r``, so the fit is exact for PROJ's formula.

A fit is refused when its RMS residual exceeds a tolerance. :func:`pipeline` writes the PROJ pipeline
(``+proj=helmert`` between the inverse source projection and the target projection) that
:func:`apply_transform` runs through pyproj; the parameters are never applied by hand-written matrices.
Without fitted parameters, :func:`proj_accuracy_note` says what PROJ itself does between two datums and how
accurate it is.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely

from ecogis.crs import _SAME_FOR_GIS as SAME_FOR_GIS
from ecogis.crs import crs_label, describe_crs, resolve_crs
from ecogis.error_messages import error, phrase
from ecogis.messages import register, say

ARCSEC = math.pi / 180 / 3600  # radians per arc-second
METHODS = ("helmert-4", "helmert-7")
#: default largest RMS residual (metres) of an accepted fit
DEFAULT_TOLERANCE = 0.05
MIN_POINTS = {"helmert-4": 2, "helmert-7": 3}

register({
    "transform.applied": ("{path}: coordinates transformed from {source} to {target} with the fitted {method} "
                          "parameters of {params} (RMS {rms} m on {n} control points, applied by PROJ)",
                          "{path}：坐标已按 {params} 中拟合的 {method} 参数由 {source} 转换为 {target}"
                          "（{n} 个公共点，中误差 {rms} 米，由 PROJ 执行）"),
    "transform.proj": ("{path}: {source} -> {target}: PROJ's transformation {operation}, accuracy {accuracy}",
                       "{path}：{source} -> {target}：采用 PROJ 转换 {operation}，精度 {accuracy}"),
})


@dataclass
class TransformFit:
    """A fitted transformation: ``method``, ``parameters`` (see the module docstring for units), the CRSs,
    per-point residuals in metres (target minus transformed source: east, north, height) and their RMS."""

    method: str
    from_crs: str
    to_crs: str
    parameters: dict
    names: list = field(default_factory=list)
    residuals: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def rms(self) -> float:
        """Root mean square of the residual vectors' lengths (metres)."""
        return float(np.sqrt(np.mean(np.sum(self.residuals ** 2, axis=1)))) if len(self.residuals) else 0.0

    def to_dict(self) -> dict:
        return {"method": self.method, "from_crs": self.from_crs, "to_crs": self.to_crs,
                "parameters": dict(self.parameters), "convention": _CONVENTION[self.method],
                "pipeline": pipeline(self), "rms_m": round(self.rms, 6), "tolerance_m": self.tolerance,
                "control_points": [{"name": str(n), "residual_e_m": round(float(r[0]), 6),
                                    "residual_n_m": round(float(r[1]), 6), "residual_h_m": round(float(r[2]), 6)}
                                   for n, r in zip(self.names, self.residuals)]}


_CONVENTION = {"helmert-4": "PROJ 2D helmert: theta arc-seconds, s scale factor",
               "helmert-7": "position_vector: rotations arc-seconds, s ppm"}


def fit_transform(source, target, *, method="helmert-7", from_crs, to_crs, names=None,
                  tolerance=DEFAULT_TOLERANCE) -> TransformFit:
    """Fit ``method`` from control points and check it against ``tolerance`` (metres, RMS).

    ``source`` and ``target``: arrays (n, 2) or (n, 3) of easting, northing[, ellipsoidal height] in
    ``from_crs`` and ``to_crs`` (projected, metres; heights 0 when absent). Raises EcogisError for too
    few points, degenerate geometry or an RMS above ``tolerance``.
    """
    if method not in METHODS:
        raise error("sites.unknown_method", method=method, methods=", ".join(METHODS), hint="sites.use_helmert")
    src, dst = _points(source), _points(target)
    if len(src) != len(dst) or len(src) < MIN_POINTS[method]:
        raise error("sites.too_few_points", method=method, minimum=MIN_POINTS[method], count=min(len(src), len(dst)),
                    hint="sites.add_points")
    source_crs, target_crs = _projected(from_crs, "--from-crs"), _projected(to_crs, "--to-crs")
    fit = TransformFit(method, crs_label(source_crs) or "", crs_label(target_crs) or "", {},
                       list(names) if names is not None else [str(i + 1) for i in range(len(src))],
                       tolerance=tolerance)
    fit.parameters = _fit_4(src, dst) if method == "helmert-4" else _fit_7(src, dst, source_crs, target_crs)
    moved = np.column_stack(_transformer(fit).transform(src[:, 0], src[:, 1], src[:, 2]))
    fit.residuals = dst - moved
    if method == "helmert-4":
        fit.residuals[:, 2] = 0.0  # a plane fit says nothing about heights
    if not fit.rms <= tolerance:
        worst = int(np.argmax(np.sum(fit.residuals ** 2, axis=1)))
        raise error("sites.rms_too_large", method=method, rms=f"{fit.rms:.4f}", tolerance=f"{tolerance:g}",
                    point=fit.names[worst], largest=f"{np.linalg.norm(fit.residuals[worst]):.4f}",
                    hint="sites.check_point")
    return fit


def _points(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2 or array.shape[1] not in (2, 3) or not np.isfinite(array).all():
        raise error("sites.bad_points")
    return array if array.shape[1] == 3 else np.column_stack([array, np.zeros(len(array))])


def _projected(crs, option: str) -> pyproj.CRS:
    resolved = resolve_crs(crs)
    if isinstance(resolved, str) or not resolved.is_projected:
        raise error("sites.not_projected", option=option, crs=crs, field=option, hint="sites.give_gk")
    return resolved


def _fit_4(src: np.ndarray, dst: np.ndarray) -> dict:
    """Least squares for E' = x + a E + b N, N' = y − b E + a N (a = s cos θ, b = s sin θ); both point sets
    are centred first (8-digit prefixed coordinates would cost lstsq five digits)."""
    centre, target_centre = src[:, :2].mean(axis=0), dst[:, :2].mean(axis=0)
    e, n = (src[:, :2] - centre).T
    ones, zeros = np.ones_like(e), np.zeros_like(e)
    design = np.vstack([np.column_stack([ones, zeros, e, n]), np.column_stack([zeros, ones, n, -e])])
    rhs = np.r_[dst[:, 0] - target_centre[0], dst[:, 1] - target_centre[1]]
    (x0, y0, a, b), *_ = np.linalg.lstsq(design, rhs, rcond=None)
    x0, y0 = x0 + target_centre[0], y0 + target_centre[1]
    scale, theta = math.hypot(a, b), math.atan2(b, a)
    # back from the centred origin: E' = x0 + a (E − cE) + b (N − cN)
    x, y = x0 - a * centre[0] - b * centre[1], y0 + b * centre[0] - a * centre[1]
    return {"x": float(x), "y": float(y), "theta": theta / ARCSEC, "s": scale}


def _fit_7(src: np.ndarray, dst: np.ndarray, source_crs: pyproj.CRS, target_crs: pyproj.CRS) -> dict:
    """Least squares for X' = T + a X + C × X (a = 1 + s, C = a·r) on geocentric coordinates, centred."""
    xyz_s = _geocentric(src, source_crs)
    xyz_t = _geocentric(dst, target_crs)
    centre, target_centre = xyz_s.mean(axis=0), xyz_t.mean(axis=0)
    X, Y, Z = (xyz_s - centre).T
    one, zero = np.ones_like(X), np.zeros_like(X)
    # unknowns tx, ty, tz, a, cx, cy, cz;  X' = tx + a X − cz Y + cy Z; Y' = ty + cz X + a Y − cx Z;
    # Z' = tz − cy X + cx Y + a Z
    design = np.vstack([np.column_stack([one, zero, zero, X, zero, Z, -Y]),
                        np.column_stack([zero, one, zero, Y, -Z, zero, X]),
                        np.column_stack([zero, zero, one, Z, Y, -X, zero])])
    rhs = (xyz_t - target_centre).T.ravel()
    solution, _, rank, _ = np.linalg.lstsq(design, rhs, rcond=None)
    if rank < 7:
        raise error("sites.seven_undetermined", hint="sites.spread_points")
    t0, a, c = solution[:3], solution[3], solution[4:]
    cx, cy, cz = c
    matrix = np.array([[a, -cz, cy], [cz, a, -cx], [-cy, cx, a]])
    t = t0 + target_centre - matrix @ centre
    r = c / a
    return {"x": float(t[0]), "y": float(t[1]), "z": float(t[2]), "rx": float(r[0] / ARCSEC),
            "ry": float(r[1] / ARCSEC), "rz": float(r[2] / ARCSEC), "s": float((a - 1.0) * 1e6)}


def _geocentric(points: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Geocentric X, Y, Z (metres) of easting, northing, height in ``crs``, on its own ellipsoid (PROJ)."""
    to_cart = pyproj.Transformer.from_pipeline(f"+proj=pipeline +step +inv {_projection(crs)} "
                                               f"+step +proj=cart {_ellipsoid(crs)}")
    return np.column_stack(to_cart.transform(points[:, 0], points[:, 1], points[:, 2]))


def _projection(crs: pyproj.CRS) -> str:
    """The PROJ string of ``crs``'s projection alone (no datum shift, no CRS type)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the PROJ string loses information": the datum, on purpose
        text = crs.to_proj4()
    keep = [t for t in text.split() if not t.startswith(("+towgs84", "+no_defs", "+type", "+nadgrids"))]
    return " ".join(keep)


def _ellipsoid(crs: pyproj.CRS) -> str:
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:
        raise error("sites.no_ellipsoid", crs=crs_label(crs))
    return f"+a={ellipsoid.semi_major_metre!r} +rf={ellipsoid.inverse_flattening!r}"


def pipeline(fit: TransformFit) -> str:
    """The PROJ pipeline that applies ``fit``: source plane coordinates in, target plane coordinates out."""
    p = fit.parameters
    if fit.method == "helmert-4":
        return f"+proj=pipeline +step +proj=helmert +x={p['x']!r} +y={p['y']!r} +theta={p['theta']!r} +s={p['s']!r}"
    source, target = pyproj.CRS.from_user_input(fit.from_crs), pyproj.CRS.from_user_input(fit.to_crs)
    return (f"+proj=pipeline +step +inv {_projection(source)} +step +proj=cart {_ellipsoid(source)} "
            f"+step +proj=helmert +x={p['x']!r} +y={p['y']!r} +z={p['z']!r} +rx={p['rx']!r} +ry={p['ry']!r} "
            f"+rz={p['rz']!r} +s={p['s']!r} +convention=position_vector "
            f"+step +inv +proj=cart {_ellipsoid(target)} +step {_projection(target)}")


def _transformer(fit: TransformFit) -> pyproj.Transformer:
    return pyproj.Transformer.from_pipeline(pipeline(fit))


def apply_transform(gdf, fit: TransformFit, notes=None, *, path=None, params_path=None):
    """``gdf`` (in ``fit.from_crs``, or another CRS on the same datum: reprojected to it first) transformed by
    PROJ with ``fit``'s pipeline, in ``fit.to_crs``; the note says so. Heights are taken as 0."""
    source = pyproj.CRS.from_user_input(fit.from_crs)
    if gdf.crs is None:
        raise error("sites.no_crs_to_transform", path=path, hint=phrase("sites.pass_from_crs", crs=fit.from_crs))
    if not gdf.crs.equals(source):
        if _datum_name(gdf.crs) is None or _datum_name(gdf.crs) != _datum_name(source):
            raise error("sites.layer_vs_parameters", layer=describe_crs(gdf.crs), source=describe_crs(source),
                        path=path, hint=phrase("sites.read_or_fit", crs=fit.from_crs))
        gdf = gdf.to_crs(source)
    transformer = _transformer(fit)
    meta = dict(gdf.attrs.get("ecogis") or {})
    moved = shapely.transform(gdf.geometry.values, lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                                                    xy[:, 1])))
    out = gdf.set_geometry(moved, crs=fit.to_crs)
    say("transform.applied", notes, warn=False, path=path, source=fit.from_crs, target=fit.to_crs,
        method=fit.method, params=params_path, rms=f"{fit.rms:.4f}", n=len(fit.names))
    out.attrs["ecogis"] = {**meta, "crs": fit.to_crs, "transform": {"params": str(params_path), "method": fit.method,
                                                                    "from_crs": fit.from_crs, "rms_m": fit.rms}}
    return out


def _datum_name(crs: pyproj.CRS) -> str | None:
    geodetic = crs.geodetic_crs
    return None if geodetic is None or geodetic.datum is None else geodetic.datum.name


def proj_accuracy_note(src, dst, notes=None, *, path=None) -> str | None:
    """When ``src`` and ``dst`` are on different datums, note the transformation PROJ uses between them and
    its accuracy (metres, as PROJ reports it; "unknown" for a ballpark one, which applies no datum shift)."""
    if src is None or dst is None or isinstance(src, str) or isinstance(dst, str):
        return None
    a, b = src.geodetic_crs, dst.geodetic_crs
    if a is None or b is None or a.datum is None or b.datum is None or a.datum.name == b.datum.name:
        return None
    if {a.datum.name, b.datum.name} <= SAME_FOR_GIS:  # WGS 84 and CGCS2000: the same for this work
        return None
    best = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    accuracy = "unknown (a ballpark transformation: no datum shift is applied)" if best.accuracy < 0 \
        else f"{best.accuracy:g} m"
    return say("transform.proj", notes, warn=False, path=path, source=crs_label(src), target=crs_label(dst),
               operation=repr(best.description), accuracy=accuracy)
