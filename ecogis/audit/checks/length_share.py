"""Check type ``length_share``: the geodesic length of one kind of line over all (natural shoreline)."""
from __future__ import annotations

import pandas as pd

from ecogis import area as A
from ecogis.area import Text
from ecogis.audit.common import PERCENT, PP, filtered, joined, matches_declared, no_field, require_present
from ecogis.audit.context import CheckContext
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.crs import crs_label
from ecogis.error_messages import phrase


@check_type("length_share",
            keys={"layer": "layer", "where": dict, "field": None, "value": None, "expect_pct": float,
                  "tolerance_pct": float, "tolerance_pp": float, "min_pct": float},
            required=("layer", "value"), percent=("expect_pct", "min_pct"))
def check_length_share(ctx: CheckContext) -> CheckResult:
    """Geodesic length of lines of ``layer`` whose ``field`` (default type) equals ``value`` over all
    lines, in %; ``expect_pct`` (with tolerance_pp / tolerance_pct; default: rounds to it), ``min_pct``."""
    gdf = filtered(ctx.layer("layer"), ctx.get("where"), ctx)
    fld, value = ctx.get("field", "type"), ctx.get("value", required=True)
    if fld not in gdf.columns:
        raise no_field(ctx, "field", fld, gdf)
    lengths = A.geodesic_length(gdf.geometry, gdf.crs)
    keys = gdf[fld].astype(str).to_numpy()
    total = float(lengths.sum())
    if total <= 0:
        raise ctx.error("layer", phrase("audit.no_length"))
    require_present(ctx, "value", fld, gdf[fld], [str(value)])
    per = pd.Series(lengths).groupby(keys).sum()
    part = float(per.get(str(value), 0.0))
    share = 100.0 * part / total
    passed, expected = True, []
    if ctx.get("expect_pct") is not None:
        ok, text = matches_declared(share, ctx.get("expect_pct", kind=float), ctx, Text("占比", "share"), PERCENT,
                            "tolerance_pct", "tolerance_pp", PP)
        passed &= ok
        expected.append(text)
    if ctx.get("min_pct") is not None:
        low = ctx.get("min_pct", kind=float)
        passed &= share >= low
        expected.append(Text(f"占比 ≥ {low:g}%", f"share ≥ {low:g}%"))
    details = [{"key": k, "length_km": float(v) / 1000.0, "share_pct": 100.0 * float(v) / total}
               for k, v in per.items()]
    value = Text(f"{share:.2f}%（{value} {part / 1000:.2f} km / 合计 {total / 1000:.2f} km）",
                 f"{share:.2f}% ({value} {part / 1000:.2f} km of {total / 1000:.2f} km)")
    return CheckResult(ctx.id, ctx.type, Text("长度占比", "Length share"), value, joined(expected), bool(passed),
                       {"share_pct": share, "length_m": part, "total_m": total}, details, "geodesic_length",
                       crs_label(gdf.crs))
