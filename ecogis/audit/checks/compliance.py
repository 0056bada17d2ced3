"""Check type ``compliance``: the share of water-quality sections that meet their target class."""
from __future__ import annotations

import math

import pandas as pd

from ecogis.area import Text
from ecogis.audit.common import count_map, filtered, fmt, joined, no_field
from ecogis.audit.context import CheckContext
from ecogis.audit.registry import check_type
from ecogis.audit.result import CheckResult
from ecogis.crs import crs_label
from ecogis.error_messages import phrase
from ecogis.errors import EcogisError
from ecogis.water_class import class_rank


def required_pcts(ctx: CheckContext) -> dict:
    """``require_pct`` as {group: %}; a single number is the requirement for all sections (group ``all``)."""
    require = ctx.get("require_pct")
    require = {"all": require} if not isinstance(require, dict) and require is not None else (require or {})
    out = {}
    for grp, need in require.items():
        try:
            out[grp] = float(need)
            if not 0 <= out[grp] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            raise ctx.error("require_pct", phrase("audit.require_pct", group=repr(grp), value=repr(need))) from None
    return out


@check_type("compliance",
            keys={"layer": "layer", "where": dict, "measured_field": None, "target_field": None, "group_by": None,
                  "require_pct": None, "expect_count": "counts"},
            required=("layer",), validate=required_pcts)
def check_compliance(ctx: CheckContext) -> CheckResult:
    """Share of sections (``layer``, kind water_section) whose ``measured_class`` is at or better than
    ``target_class``, overall (key ``all``) and per ``group_by`` (default control_level);
    ``require_pct``: a number (overall) or {group: pct}; ``expect_count``: {group: n sections}."""
    gdf = filtered(ctx.layer("layer", kind="water_section"), ctx.get("where"), ctx)
    mfield, tfield = ctx.get("measured_field", "measured_class"), ctx.get("target_field", "target_class")
    group_by = ctx.get("group_by", "control_level")
    for key, fld in (("measured_field", mfield), ("target_field", tfield), ("group_by", group_by)):
        if fld not in gdf.columns:
            raise no_field(ctx, key, fld, gdf)
    details, meets = [], []
    name_col = "name" if "name" in gdf.columns else None
    for i, row in enumerate(gdf.itertuples(index=False)):  # one row per section (tens, not millions)
        rec = row._asdict()
        m, t = rec.get(mfield), rec.get(tfield)
        ok = None
        if m is not None and t is not None and not (isinstance(m, float) and math.isnan(m)) \
                and not (isinstance(t, float) and math.isnan(t)):
            try:
                ok = class_rank(m) <= class_rank(t)
            except EcogisError as exc:
                raise ctx.error(mfield, phrase("audit.section", section=rec.get(name_col) if name_col else i,
                                               reason=exc)) from None
        meets.append(ok)
        details.append({"name": rec.get(name_col) if name_col else i, "river": rec.get("river"),
                        "group": rec.get(group_by), "target_class": t, "measured_class": m,
                        "meets_target": ok})
    frame = pd.DataFrame({"group": [d["group"] for d in details], "ok": meets})
    assessed = frame[frame["ok"].notna()]

    def pct(sub):
        return None if len(sub) == 0 else 100.0 * float(sub["ok"].astype(bool).sum()) / len(sub)

    stats = {"all": {"sections": len(frame), "assessed": len(assessed), "pct": pct(assessed)}}
    for grp, sub in assessed.groupby("group"):
        stats[str(grp)] = {"sections": int((frame["group"] == grp).sum()), "assessed": len(sub), "pct": pct(sub)}
    counts = count_map(ctx, "expect_count")
    passed, expected = True, []
    for grp, need in required_pcts(ctx).items():
        got = stats.get(str(grp), {}).get("pct")
        passed &= got is not None and got + 1e-9 >= need
        expected.append(Text(f"{_group_text(grp).zh}达标率 ≥ {need:g}%",
                             f"{_group_text(grp).en} compliance ≥ {need:g}%"))
    for grp, n in counts.items():
        passed &= stats.get(str(grp), {}).get("sections", 0) == n
        expected.append(Text(f"{_group_text(grp).zh}断面 {n} 个", f"{_group_text(grp).en}: {n} sections"))
    missing = len(frame) - len(assessed)
    value = Text("；".join(f"{_group_text(g).zh} {fmt(s['pct'])}%（参评 {s['assessed']} 个断面）"
                          for g, s in stats.items()),
                 "; ".join(f"{_group_text(g).en} {fmt(s['pct'])}% ({s['assessed']} sections assessed)"
                           for g, s in stats.items()))
    notes = [Text(f"{missing} 个断面缺少实测或目标类别，未参评",
                  f"{missing} section(s) without measured or target class not assessed")] if missing else []
    return CheckResult(ctx.id, ctx.type, Text("水质达标率", "Water-quality compliance"), value, joined(expected),
                       bool(passed), {"groups": stats}, details, "class_compliance", crs_label(gdf.crs), notes)


_GROUPS_EN = {"all": "all", "国控": "national (国控)", "省控": "provincial (省控)", "市控": "municipal (市控)"}


def _group_text(group) -> Text:
    """A compliance group (control level) in Chinese and English."""
    g = str(group)
    return Text("全部" if g == "all" else g, _GROUPS_EN.get(g, g))
