"""Lines of text about the working corridor (作业带) of a line site: its area and its take per zone.

Only formatting: the figures come from ``result.corridor`` (:class:`ecogis.corridor.Corridor`).
"""
from __future__ import annotations

from ecogis.notes import Label

TEXT = {
    "zh": {"total": "作业带（宽 {w} m，平边端）：长度 {len} m，临时占地 {m2} m²（{ha} 公顷，{mu} 亩）",
           "take": "  {layer}{zone}：穿越长度 {len} m，作业带占地 {m2} m²（{ha} 公顷，{mu} 亩）"},
    "en": {"total": "Working corridor ({w} m wide, flat ends): length {len} m, temporary land take {m2} m² "
                    "({ha} ha, {mu} mu)",
           "take": "  {layer}{zone}: crossing length {len} m, corridor take {m2} m² ({ha} ha, {mu} mu)"},
}


def corridor_lines(result, lang: str = "zh") -> list[str]:
    """The corridor's total, then one line per layer and zone it crosses (empty without a corridor)."""
    corridor = getattr(result, "corridor", None)
    if corridor is None:
        return []
    w = TEXT["en" if lang == "en" else "zh"]
    d = corridor.to_dict()
    out = [w["total"].format(w=f"{d['width_m']:g}", len=f"{d['length_m']:,.1f}", m2=f"{d['area_m2']:,.2f}",
                             ha=f"{d['area_ha']:,.4f}", mu=f"{d['area_mu']:,.2f}")]
    for t in d["takes"]:
        zone = f"/{t['zone']}" if t["zone"] else ""
        out.append(w["take"].format(layer=t["layer"], zone=zone, len=f"{t['crossing_length_m']:,.1f}",
                                    m2=f"{t['corridor_area_m2']:,.2f}", ha=f"{t['corridor_area_ha']:,.4f}",
                                    mu=f"{t['corridor_area_mu']:,.2f}"))
    return out


#: the corridor table (XLSX): key of CorridorTake.to_dict(), zh header, en header
CORRIDOR_HEADERS = [
    ("layer", "图层", "Layer"), ("zone", "功能区/级别", "Zone"), ("features", "要素数", "Features"),
    ("crossing_length_m", "穿越长度（m，大地线）", "Crossing length (m, geodesic)"),
    ("width_m", "作业带宽度（m）", "Corridor width (m)"),
    ("corridor_area_m2", "作业带占地（m²）", "Corridor take (m²)"),
    ("corridor_area_ha", "作业带占地（公顷）", "Corridor take (ha)"),
    ("corridor_area_mu", "作业带占地（亩）", "Corridor take (mu)"),
]


def corridor_rows(result, lang: str = "zh") -> tuple[list[str], list[list]]:
    """Header and one row per zone crossed (numbers as numbers); no rows without a corridor."""
    corridor = getattr(result, "corridor", None)
    head = [Label(zh, en).text(lang) for _, zh, en in CORRIDOR_HEADERS]
    if corridor is None:
        return head, []
    return head, [[t[k] for k, _, _ in CORRIDOR_HEADERS] for t in corridor.to_dict()["takes"]]
