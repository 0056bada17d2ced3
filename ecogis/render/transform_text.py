"""Text of `ecogis transform fit`: the parameters with their units, per-point residuals and the RMS."""
from __future__ import annotations

from ecogis.transform import TransformFit

#: parameter -> unit, per method (as PROJ's +proj=helmert reads them)
UNITS = {"helmert-4": {"x": "m", "y": "m", "theta": "″", "s": "(scale)"},
         "helmert-7": {"x": "m", "y": "m", "z": "m", "rx": "″", "ry": "″", "rz": "″", "s": "ppm"}}
TITLES = {"helmert-4": "4-parameter plane similarity (四参数)", "helmert-7": "7-parameter Bursa-Wolf (七参数), "
                                                                        "position-vector convention"}


def transform_fit_text(fit: TransformFit, written=None) -> str:
    """The fit as lines of text: method, CRSs, parameters, residuals (metres) and RMS against the tolerance."""
    lines = [f"{TITLES[fit.method]}: {fit.from_crs} -> {fit.to_crs}, {len(fit.names)} control points", "parameters:"]
    for key, unit in UNITS[fit.method].items():
        value = fit.parameters[key]
        lines.append(f"  {key:>5} = {value:.10f} {unit}" if key == "s" and fit.method == "helmert-4"
                     else f"  {key:>5} = {value:.6f} {unit}")
    lines.append("residuals (target minus transformed source, m):")
    heights = fit.method == "helmert-7"
    lines.append(f"  {'point':<12} {'east':>10} {'north':>10}" + (f" {'height':>10}" if heights else ""))
    for name, (de, dn, dh) in zip(fit.names, fit.residuals):
        row = f"  {str(name):<12} {de:>10.4f} {dn:>10.4f}"
        lines.append(row + (f" {dh:>10.4f}" if heights else ""))
    lines.append(f"RMS {fit.rms:.4f} m (tolerance {fit.tolerance:g} m): accepted")
    lines.append(f"PROJ pipeline: {fit.to_dict()['pipeline']}")
    if written:
        lines.append(f"parameters written to {written} (use it with --transform {written})")
    return "\n".join(lines)
